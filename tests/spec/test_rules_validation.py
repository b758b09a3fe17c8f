"""`utsapi validate` checks rule files against the module they describe."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from generator.cli import run as cli_run
from generator.spec import bundled_spec_dir

RULES = bundled_spec_dir() / "rules" / "websocket.yaml"


def _spec_with_rules(tmp_path: Path, edit: tuple[str, str]) -> Path:
    (tmp_path / "modules").mkdir()
    (tmp_path / "rules").mkdir()
    shutil.copy(bundled_spec_dir() / "modules" / "websocket.yaml", tmp_path / "modules")
    text = RULES.read_text(encoding="utf-8")
    assert edit[0] in text
    (tmp_path / "rules" / "websocket.yaml").write_text(text.replace(edit[0], edit[1], 1), "utf-8")
    return tmp_path


def _diagnostics(spec: Path) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    code = cli_run(["validate", "--format", "json", str(spec)], out, io.StringIO())
    return code, json.loads(out.getvalue())


@pytest.mark.skipif(not RULES.is_file(), reason="no bundled rules")
@pytest.mark.parametrize(
    ("edit", "check", "words"),
    [
        (
            (
                "apis: [connectSocket, SocketTask.onOpen]",
                "apis: [connectSocket, SocketTask.onOpne]",
            ),
            "semantic:rules",
            "did you mean SocketTask.onOpen",
        ),
        (
            ("type: OnSocketOpenCallbackResult}", "type: OnSocketOpenResult}"),
            "semantic:type-ref",
            "unknown type 'OnSocketOpenResult'",
        ),
        (
            ("- id: connect.success-even-if-unreachable", "- id: connect.success-then-complete"),
            "semantic:duplicate",
            "duplicate rule id 'connect.success-then-complete'",
        ),
    ],
    ids=["unknown-api", "unknown-shape-type", "duplicate-id"],
)
def test_rule_file_errors_are_located(
    tmp_path: Path, edit: tuple[str, str], check: str, words: str
) -> None:
    code, diagnostics = _diagnostics(_spec_with_rules(tmp_path, edit))
    assert code == 1
    found = [d for d in diagnostics if d["check"] == check]
    assert found, diagnostics
    assert words in str(found[0]["message"])
    assert str(found[0]["file"]).endswith("rules/websocket.yaml")
    assert int(str(found[0]["line"])) > 1


def test_an_expectation_names_its_source(tmp_path: Path) -> None:
    """``source`` on an expect item is parsed into the typed expectation; an empty one is an
    error located in the rule file."""
    from generator.spec.loader import load_spec  # noqa: PLC0415

    rules = load_spec(None).rules
    rule = next(r for r in rules.rules if r.id == "socket.receive.protocol-violation-close-code")
    assert rule.expect[0].source is not None and "RFC 6455 §7.1.7" in rule.expect[0].source
    assert all(
        e.source is None
        for e in next(r for r in rules.rules if r.id == "connect.invalid-url").expect
    )
    edit = ('    source: "RFC 6455 §7.1.7 https', '    source: ""\n    why: "RFC 6455 §7.1.7 https')
    code, diagnostics = _diagnostics(_spec_with_rules(tmp_path, edit))
    assert code == 1
    assert any(
        "source" in str(d["message"]) or "source" in str(d.get("path", "")) for d in diagnostics
    ), diagnostics
