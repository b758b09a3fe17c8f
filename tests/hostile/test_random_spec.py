"""Issue 12: random strings in every string field of a module.  ``validate`` never ends in a
traceback (exit 0 or 1); when it accepts the spec, ``build --no-site`` and ``stubs`` succeed and
every generated Python file compiles.

Each example fills every free-text string of the carrier module
(``fixtures/carrier.yaml``, :mod:`tests.hostile.schema_walk`) with random text and a few of the
constrained strings (names, type expressions, versions, URLs ...) too, so both the accepting
and the rejecting paths are exercised.  Bounded: a few examples, each a few seconds.
"""

from __future__ import annotations

import copy
import io
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import run as cli_run
from tests.hostile.schema_walk import Place, set_at, string_places
from tests.hostile.test_hostile_site import payload
from tests.site.support import SPEC

CARRIER = Path(__file__).with_name("fixtures") / "carrier.yaml"
DOCUMENT: Any = yaml.safe_load(CARRIER.read_text(encoding="utf-8"))
FREE, CONSTRAINED = string_places(DOCUMENT)

_ANY = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=24)
_PIECES = st.sampled_from(
    ["<script>alert(1)</script>", "{{ x }}", "{% raw %}", "\x00", "\x1b[31m", "\u202e",
     "<!-- UTSAPIJSON.a.b -->", "```", "'''", '"""', "\\", "\n", "class", "__init__",
     "None", "1e999", "-", "x", "√", "0" * 60, "a" * 300]
)  # fmt: skip
#: Any text: control characters, NUL, bidi overrides, markup, template syntax, quotes, names
#: that are Python keywords, version-like and huge values.
TEXT = st.one_of(_ANY, _PIECES)


def _free(max_codepoint: int) -> st.SearchStrategy[str]:
    """Free text as long as the schema's longest minimum (a difference's reason: 10)."""
    rest = st.characters(exclude_categories=("Cs",), max_codepoint=max_codepoint)
    return st.builds(
        lambda piece, text: f"{piece} {text}", _PIECES, st.text(rest, min_size=10, max_size=24)
    )


FREE_TEXT = _free(0x10FFFF)
#: An English text may not hold Chinese (a check of the spec layer): below the CJK blocks.
FREE_TEXT_EN = _free(0x2DFF)


@st.composite
def documents(draw: st.DrawFn) -> tuple[Any, list[Place]]:
    document = copy.deepcopy(DOCUMENT)
    for place in FREE:
        set_at(document, place, draw(FREE_TEXT_EN if place[-1] == "en" else FREE_TEXT))
    some = st.lists(st.sampled_from(CONSTRAINED), min_size=1, max_size=2, unique=True)
    chosen = draw(st.one_of(st.just([]), some))
    for place in chosen:
        set_at(document, place, draw(TEXT))
    return document, chosen


def _run(*args: str) -> tuple[int, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli_run(list(args), stdout, stderr)
    return code, stdout.getvalue() + stderr.getvalue()


def test_the_carrier_has_strings_of_both_kinds() -> None:
    assert len(FREE) >= 100 and len(CONSTRAINED) >= 30, (len(FREE), len(CONSTRAINED))


def _check(document: Any, work: Path) -> int:
    """Validate, then (if accepted) build without the site, write the typed package and compile
    every file of it; the exit code of ``validate``."""
    shutil.rmtree(work, ignore_errors=True)
    spec = work / "spec" / "modules"
    spec.mkdir(parents=True)
    shutil.copy(SPEC / "modules" / "websocket.yaml", spec)  # the site's pages fill from it
    (spec / "carrier.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    validated, output = _run("validate", str(spec.parent))
    assert validated in (0, 1), output
    if validated == 1:
        assert "carrier.yaml:" in output, output  # a rejection says where
        return validated
    code, output = _run(
        "build", "--spec", str(spec.parent), "--out", str(work / "out"), "--no-site"
    )
    assert code == 0, output
    code, output = _run("stubs", "--spec", str(spec.parent), "--out", str(work / "stubs"))
    assert code == 0, output
    files = [*(work / "stubs").rglob("*.py"), *(work / "stubs").rglob("*.pyi")]
    assert any(path.stem == "carrier" for path in files), files
    for path in files:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    return validated


def test_every_free_text_field_hostile_at_once_is_accepted_and_compiles(tmp_path: Path) -> None:
    """The accepting path, always taken: the hostile site test's payloads in every free-text
    field (the random examples mostly take it too, but need not)."""
    document = copy.deepcopy(DOCUMENT)
    for n, place in enumerate(FREE, 1):
        set_at(document, place, payload(n))
    assert _check(document, tmp_path / "case") == 0


@settings(
    max_examples=20,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=documents())
def test_random_strings_in_every_field(case: tuple[Any, list[Place]], tmp_path: Path) -> None:
    document, chosen = case
    validated = _check(document, tmp_path / "case")
    assert validated == 0 or chosen, "only free text changed, yet the spec was rejected"
