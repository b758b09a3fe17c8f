"""``utsapi diff``: exit codes, the three output forms, the JSON schema, escaping."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from generator.cli import run
from tests.diff.support import BASE, CHANGED, write_edited

SCHEMA = Path(__file__).parents[2] / "spec" / "schema" / "diff.schema.json"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["diff", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def test_exit_codes() -> None:
    assert _run(str(BASE), str(BASE))[0] == 0
    assert _run(str(BASE), str(CHANGED))[0] == 1
    assert _run("--fail-on", "breaking", str(BASE), str(CHANGED))[0] == 4
    assert _run("--fail-on", "breaking", str(BASE), str(BASE))[0] == 0
    assert _run(str(BASE))[0] == 2
    assert _run("--fail-on", "nonsense", str(BASE), str(CHANGED))[0] == 2


def test_fail_on_breaking_ignores_additions(tmp_path: Path) -> None:
    added = write_edited(tmp_path, lambda d: d["types"].update(
        Extra={"kind": "alias", "type": "string"}))  # fmt: skip
    assert _run("--fail-on", "breaking", str(BASE), str(added))[0] == 1
    assert _run("--fail-on", "additive", str(BASE), str(added))[0] == 4


def test_a_missing_side_is_a_usage_error() -> None:
    code, _, err = _run(str(BASE), "/nonexistent/spec")
    assert code == 2
    assert "/nonexistent/spec: no such spec directory or file" in err


def test_an_invalid_spec_is_located_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.read_text("utf-8").replace("returns: ThingTask", "returns: [1"), "utf-8")
    code, out, err = _run(str(BASE), str(bad))
    assert code == 3
    assert out == ""
    assert f"{bad}:" in err and "Traceback" not in err


def test_json_validates_against_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    code, out, _ = _run("--format", "json", "--semver", str(BASE), str(CHANGED))
    data = json.loads(out)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert (code, data["version"], data["counts"]["breaking"]) == (1, 1, 8)
    assert data["semver"]["bump"] == "major"
    assert data["modules"] == {
        "demo": {"breaking": 8, "deprecation": 1, "additive": 11, "documentation": 4}
    }


def test_text_lists_each_change_with_its_class_and_reason() -> None:
    _, out, _ = _run(str(BASE), str(CHANGED))
    assert out.splitlines()[0].endswith("8 breaking, 1 deprecation, 11 additive, 4 documentation")
    assert "  breaking      closeAll: api.removed: calls to the API no longer resolve" in out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_has_module_sections_with_anchors(lang: str) -> None:
    _, out, _ = _run("--format", "markdown", "--lang", lang, str(BASE), str(CHANGED))
    assert '<a id="changes-demo"></a>' in out
    assert '<a id="changes-demo-breaking"></a>' in out
    assert "[demo](#changes-demo)" in out
    assert ("### Breaking (8)" if lang == "en" else "### 不兼容变更 (8)") in out
    assert (
        "calls to the API no longer resolve" if lang == "en" else "对该 API 的调用无法解析"
    ) in out


def test_no_input_text_injects_markup(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>|[x](javascript:1)`*_{{"
    new = write_edited(tmp_path, lambda d: d["types"]["OpenThingOptions"]["fields"][1][
        "values"].append({"value": hostile}))  # fmt: skip
    _, out, _ = _run("--format", "markdown", str(BASE), str(new))
    line = next(ln for ln in out.splitlines() if "value.added" in ln or "a new legal value" in ln)
    for raw in ("<script", "|", "[x]", "](", "`", "*", "{{"):
        assert raw not in line.split(":", 1)[1].replace("<code>", "").replace("</code>", "")
    assert "&#60;script&#62;" in line
    _, text, _ = _run(
        str(BASE),
        str(
            write_edited(
                tmp_path,
                lambda d: d["types"]["OpenThingOptions"]["fields"][1]["values"].append(
                    {"value": "a\x1b[31mred"}
                ),
                "t.yaml",
            )
        ),
    )
    assert "\x1b" not in text and "\\x1b" in text  # fmt: skip


def test_semver_text_prints_the_bump_alone() -> None:
    code, out, err = _run("--semver", str(BASE), str(CHANGED))
    assert (code, out) == (1, "major\n")
    assert "major: uniapi.demo.Uni.closeAll: method removed" in err
