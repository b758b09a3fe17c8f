"""Safe loading: every bad-input class gives exit 1 with file:line:col and no traceback."""

from __future__ import annotations

import io
import json
import resource
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import run as cli_run
from generator.spec._yaml import load_yaml
from generator.spec.validate import validate_text

FIXTURES = Path(__file__).parent / "fixtures"


def _validate(tmp_path: Path, text: str | bytes, *extra: str) -> tuple[int, str, str]:
    target = tmp_path / "modules" / "bad.yaml"
    target.parent.mkdir(exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(["validate", str(target), *extra], out, err)
    return code, out.getvalue(), err.getvalue()


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)

# (id, text, expected "line:col", expected check, words of the message)
BAD_INPUTS = [
    ("syntax", "format: 1\napis: [\n", "3:1", "yaml:syntax", "expected"),
    (
        "duplicate-key",
        "format: 1\nmodule: a\nformat: 1\n",
        "3:1",
        "yaml:duplicate-key",
        "duplicate key 'format' (first defined on line 1)",
    ),
    (
        "python-tag",
        "format: 1\nmodule: !!python/object/apply:os.system ['true']\n",
        "2:9",
        "yaml:tag",
        "not allowed",
    ),
    ("custom-tag", "format: 1\ntitle: !secret {zh: a, en: b}\n", "2:8", "yaml:tag", "not allowed"),
    ("binary-tag", "format: 1\nmodule: !!binary aGVsbG8=\n", "2:9", "yaml:tag", "not allowed"),
    ("billion-laughs", BILLION_LAUGHS, "7:4", "yaml:size", "refusing to expand"),
    ("recursive-alias", "format: &x [1, *x]\n", "1:9", "yaml:size", "recursive alias"),
    ("empty", "", "1:1", "yaml:empty", "empty"),
    ("only-comment", "# nothing here\n", "1:1", "yaml:empty", "empty"),
    ("list-document", "- a\n- b\n", "1:1", "yaml:type", "expected a mapping"),
    ("scalar-document", "hello\n", "1:1", "yaml:type", "expected a mapping"),
    ("two-documents", "a: 1\n---\nb: 2\n", "2:1", "yaml:syntax", "single document"),
    ("complex-key", "? [a, b]\n: 1\n", "1:3", "yaml:key", "plain scalar"),
    (
        "schema-error-position",
        "format: 1\nmodule: demo\nversion: 1.0\n",
        "3:10",
        "schema:type",
        "quote version numbers",
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "check", "words"),
    [pytest.param(t, w, c, m, id=i) for i, t, w, c, m in BAD_INPUTS],
)
def test_bad_input_exits_1_with_location(
    tmp_path: Path, text: str, where: str, check: str, words: str
) -> None:
    code, out, err = _validate(tmp_path, text, "--format", "json")
    assert code == 1, err
    diagnostics = json.loads(out)
    matching = [d for d in diagnostics if d["check"] == check]
    assert matching, diagnostics
    first = matching[0]
    assert f"{first['line']}:{first['column']}" == where
    assert words in first["message"]
    assert first["file"].endswith("bad.yaml")
    assert "Traceback" not in out + err


def test_text_output_is_file_line_col_path_message(tmp_path: Path) -> None:
    code, out, _ = _validate(tmp_path, "format: 1\nmodule: a\nformat: 1\n")
    assert code == 1
    assert any(
        line.endswith("bad.yaml:3:1: $.format: duplicate key 'format' (first defined on line 1)")
        for line in out.splitlines()
    )


def test_every_duplicate_key_is_reported(tmp_path: Path) -> None:
    code, out, _ = _validate(tmp_path, "a: 1\na: 2\nb: 1\nb: 2\n", "--format", "json")
    assert code == 1
    dupes = [d for d in json.loads(out) if d["check"] == "yaml:duplicate-key"]
    assert [(d["line"], d["path"]) for d in dupes] == [(2, "$.a"), (4, "$.b")]


def test_billion_laughs_fails_fast_in_bounded_memory() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    loaded = load_yaml(BILLION_LAUGHS + "j: &j [" + ", ".join(["*i"] * 9) + "]\n", "bl.yaml")
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert loaded.data is None
    assert [d.check for d in loaded.diagnostics] == ["yaml:size"]
    assert grown_kib < 50_000


def test_merge_keys_and_anchors_are_plain_data() -> None:
    loaded = load_yaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "m.yaml")
    assert loaded.diagnostics == []
    assert loaded.data == {"base": {"x": 1, "y": 2}, "d": {"x": 1, "y": 3}}


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    code, out, _ = _validate(tmp_path, b"format: \xff\xfe\n")
    assert code == 2
    assert "not UTF-8" in out
    missing = io.StringIO()
    assert cli_run(["validate", str(tmp_path / "nope.yaml")], missing, io.StringIO()) == 2
    assert "no such file" in missing.getvalue()


def test_directory_without_yaml_exits_2(tmp_path: Path) -> None:
    out = io.StringIO()
    assert cli_run(["validate", str(tmp_path)], out, io.StringIO()) == 2
    assert "no spec files" in out.getvalue()


def test_usage_error_exits_2() -> None:
    err = io.StringIO()
    assert cli_run(["validate", "--format", "xml"], io.StringIO(), err) == 2
    assert "invalid choice" in err.getvalue()


def test_bundled_spec_is_valid_and_quiet() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli_run(["validate"], out, err) == 0
    assert out.getvalue() == ""
    assert err.getvalue().startswith("ok:")


yamlish = st.text(
    alphabet=st.sampled_from([*"ab:-[]{}&*!<>|'\"#?,. \n\t\\%@`0129", "\u4e2d", "\x00"]),
    max_size=120,
)


@settings(
    max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(text=yamlish)
def test_arbitrary_yamlish_text_never_raises(tmp_path: Path, text: str) -> None:
    code, out, err = _validate(tmp_path, text)
    assert code in (0, 1, 2)
    assert "Traceback" not in out + err


@settings(max_examples=200, deadline=None)
@given(
    data=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(min_size=1, max_size=6), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_structures_give_diagnostics_not_exceptions(data: object) -> None:
    doc = validate_text(yaml.safe_dump({"format": 1, "apis": data}), "h.yaml")
    assert all(d.line >= 1 for d in doc.diagnostics)
