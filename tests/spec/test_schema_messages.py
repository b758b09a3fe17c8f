"""Schema errors a person can act on (issue 13): a misspelled key is named at its own
``line:col`` with the nearest allowed key, and a wrong value written once and repeated through
YAML aliases is reported once, where it is written."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from generator.exceptions import Diagnostic
from generator.spec import bundled_spec_dir
from generator.spec.validate import validate_paths, validate_text

SPEC = bundled_spec_dir()
MODULE = (SPEC / "modules" / "websocket.yaml").read_text(encoding="utf-8")
OVERLAY = (SPEC / "overlays" / "uni-app-x.yaml").read_text(encoding="utf-8")
PROFILE = (SPEC / "profiles" / "native-compat.yaml").read_text(encoding="utf-8")

#: The platform block of the bundled module: written once under ``platforms.api`` with the
#: anchor ``&api-platforms``, used by every API and SocketTask method through ``*api-platforms``.
ANDROID = 'android: {osVer: "4.4", uniVer: "√", unixVer: "3.91"'


def _mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def _where(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first ``needle`` in ``text``."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, "\n".join(map(str, diagnostics))
    return diagnostics[0]


# (name, kind, original text, text to replace, its misspelling, misspelled key, suggestion)
MISSPELLINGS = [
    (
        "param-required",
        "modules",
        MODULE,
        "        required: true\n    returns: SocketTask",
        "        requird: true\n    returns: SocketTask",
        "requird",
        "required",
    ),
    # An API mapping is closed by unevaluatedProperties (its keys come through a $ref).
    (
        "api-returns",
        "modules",
        MODULE,
        "    returns: SocketTask\n    platforms: *api-platforms",
        "    retruns: SocketTask\n    platforms: *api-platforms",
        "retruns",
        "returns",
    ),
    ("top-level", "modules", MODULE, "menu: api.", "mneu: api.", "mneu", "menu"),
    (
        "overlay-module-title",
        "overlays",
        OVERLAY,
        "  accelerometer:\n    title:",
        "  accelerometer:\n    tilte:",
        "tilte",
        "title",
    ),
    (
        "profile-name",
        "profiles",
        PROFILE,
        "name: native-compat\n",
        "nmae: native-compat\n",
        "nmae",
        "name",
    ),
]


@pytest.mark.parametrize("case", [pytest.param(case[1:], id=case[0]) for case in MISSPELLINGS])
def test_a_misspelled_key_is_named_at_its_place_with_the_nearest_allowed_key(
    case: tuple[str, str, str, str, str, str],
) -> None:
    kind, text, old, new, key, suggestion = case
    mutated = _mutate(text, old, new)
    found = _only(validate_text(mutated, "spec.yaml", kind).diagnostics)
    assert f"unknown key: {key!r}" in found.message
    assert f"did you mean {suggestion!r}?" in found.message
    assert "Additional properties" not in found.message
    assert "Unevaluated properties" not in found.message
    assert (found.line, found.column) == _where(mutated, f"{key}:")


def test_a_key_far_from_every_allowed_one_lists_the_allowed_keys() -> None:
    mutated = _mutate(MODULE, "        required: true\n", "        zzzzzz: true\n")
    found = _only(validate_text(mutated, "spec.yaml").diagnostics)
    assert "did you mean" not in found.message
    assert "allowed:" in found.message and "required" in found.message


def test_a_misspelled_key_in_an_aliased_block_is_reported_once_at_the_anchor() -> None:
    mutated = _mutate(MODULE, ANDROID, ANDROID.replace("unixVer", "unixVr"))
    found = _only(validate_text(mutated, "spec.yaml").diagnostics)
    assert "did you mean 'unixVer'?" in found.message
    assert (found.line, found.column) == _where(mutated, "unixVr:")
    assert found.path == "$.platforms.api.app.android"


def test_an_unquoted_version_in_an_aliased_block_is_one_error_where_it_is_written() -> None:
    mutated = _mutate(MODULE, ANDROID, ANDROID.replace('unixVer: "3.91"', "unixVer: 3.91"))
    found = _only(validate_text(mutated, "spec.yaml").diagnostics)
    assert "quote version numbers" in found.message
    assert "13 other places" in found.message
    assert (found.line, found.column) == _where(mutated, "3.91,")
    assert found.path == "$.platforms.api.app.android.unixVer"


def test_an_unquoted_version_in_a_spec_directory_is_one_problem(tmp_path: Path) -> None:
    """Rules and profiles that depend on the broken module add nothing: they are checked once
    the module is fixed."""
    spec = tmp_path / "spec"
    for kind in ("modules", "rules", "profiles"):
        shutil.copytree(SPEC / kind, spec / kind)
    module = spec / "modules" / "websocket.yaml"
    module.write_text(
        _mutate(MODULE, ANDROID, ANDROID.replace('unixVer: "3.91"', "unixVer: 3.91")), "utf-8"
    )
    found = _only(validate_paths([spec]).diagnostics)
    assert found.file == str(module)
    assert "quote version numbers" in found.message


def test_a_rule_file_for_a_module_that_does_not_exist_is_still_reported(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (SPEC / "rules" / "websocket.yaml").read_text(encoding="utf-8")
    (rules / "r.yaml").write_text(_mutate(text, "module: websocket", "module: nosuch"), "utf-8")
    found = _only(validate_paths([tmp_path]).diagnostics)
    assert "no valid module 'nosuch'" in found.message


def test_a_hostile_unknown_key_is_shown_cut_and_escaped_quickly() -> None:
    key = "\\e[31m" + "k" * 200_000  # an ESC, written as YAML's escape in a quoted key
    start = time.perf_counter()
    # A plain key is at most 1024 characters in YAML; a longer one takes the explicit form.
    doc = validate_text(f'format: 1\n? "{key}"\n: 1\nmodule: m\n', "spec.yaml")
    found = _only([d for d in doc.diagnostics if d.check == "schema:additionalProperties"])
    assert time.perf_counter() - start < 5
    assert "\x1b" not in found.message
    assert len(found.message) < 400
    assert (found.line, found.column) == (2, 3)


def test_many_unknown_keys_are_counted_not_each_reported() -> None:
    """20,000 unknown keys in one mapping: ten named, the rest counted, in linear time (one
    key lookup each was quadratic: 29 s)."""
    text = "format: 1\nmodule: m\n" + "".join(f"key{i}: 1\n" for i in range(20_000))
    start = time.perf_counter()
    doc = validate_text(text, "spec.yaml")
    assert time.perf_counter() - start < 10
    unknown = [d for d in doc.diagnostics if d.check == "schema:additionalProperties"]
    assert len(unknown) == 11
    assert (unknown[0].line, unknown[0].column) == (3, 1)
    assert unknown[-1].message == "and 19,990 more unknown keys here"
