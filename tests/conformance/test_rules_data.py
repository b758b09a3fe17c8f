"""The rule and profile data: schema-valid, unique ids, every spec API covered, enough cases."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conformance.cli import load_for_run
from generator.exceptions import SpecError
from generator.spec import bundled_spec_dir, load_bundled_spec, load_spec
from generator.spec.rules import CAPABILITIES, RuleSet

SCHEMAS = ["rules.schema.json", "profile.schema.json", "report.schema.json"]
RULES_FILE = bundled_spec_dir() / "rules" / "websocket.yaml"


@pytest.mark.parametrize("name", SCHEMAS)
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = json.loads((bundled_spec_dir() / "schema" / name).read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_rule_ids_are_unique_and_at_least_60_cases(rules: RuleSet) -> None:
    ids = [r.id for r in rules.rules]
    assert len(ids) == len(set(ids))
    cases = [c.id for _, c in rules.cases()]
    assert len(cases) == len(set(cases))
    assert len(cases) >= 60


def test_every_spec_api_has_rules(rules: RuleSet) -> None:
    spec = load_bundled_spec()
    apis = {c.qualname for m in spec.modules for c in m.callables()}
    covered = {api for rule in rules.rules for api in rule.apis}
    assert apis - covered == set()
    assert covered - apis == set()


def test_texts_are_bilingual_and_titles_short(rules: RuleSet) -> None:
    for rule in rules.rules:
        for text in (rule.title, rule.text):
            assert text.zh.strip() and text.en.strip(), rule.id
        assert len(rule.title.en) <= 160, rule.id
        assert rule.sources, rule.id
        assert set(rule.requires) <= set(CAPABILITIES), rule.id


def test_every_rule_cites_where_its_sentences_are(rules: RuleSet) -> None:
    """Each source names a URL or a repository path at a commit (issue 11: every expectation
    traceable); research-note tags alone ("behavior-rules C1") are not sources."""
    for rule in rules.rules:
        for source in rule.sources:
            assert "https://" in source or "@" in source, (rule.id, source)
            assert not source.startswith("behavior-rules"), (rule.id, source)
        assert any('"' in s or ": " in s for s in rule.sources), rule.id


def test_levels_follow_the_reviewed_sources(rules: RuleSet) -> None:
    """The rules whose level or existence the review changed (docs/rule-review.md)."""
    level = {r.id: r.level for r in rules.rules}
    assert level["socket.receive.protocol-violation-close-code"] == "SHOULD"
    assert level["socket.receive.max-size-accepted"] == "SHOULD"
    assert level["connect.relative-url-without-base"] == "SHOULD"
    assert "callbacks.not-reentrant" not in level
    assert "socket.receive.oversized-closes" not in level
    cases = {c.id for _, c in rules.cases()}
    for dropped in ("http-scheme", "relative", "empty"):
        assert f"connect.invalid-url[{dropped}]" not in cases
    assert "socket.close.invalid-code[string]" not in cases


def test_wpt_argument_rules_are_present(rules: RuleSet) -> None:
    cases = {c.id for _, c in rules.cases()}
    for code in ("0", "999", "1004", "1005", "1006", "2999", "5000", "65536"):
        assert f"socket.close.invalid-code[{code}]" in cases
    for code in ("1000", "3000", "4999-reason"):
        assert f"socket.close.valid-code[{code}]" in cases
    assert "socket.close.valid-code[reason-123-utf8]" in cases
    assert "socket.close.reason-too-long[124-utf8]" in cases
    assert "socket.close.reason-unpaired-surrogates" in cases
    assert "socket.send.unpaired-surrogates" in cases
    for name in ("unicode", "empty", "65k"):
        assert f"socket.send.text-echo[{name}]" in cases
    assert sum(1 for c in cases if c.startswith("connect.invalid-url[")) >= 5


@pytest.mark.parametrize("profile", ["strict", "native-compat"])
def test_bundled_profiles_load(profile: str, rules: RuleSet) -> None:
    _spec, loaded = load_for_run(None, profile)
    assert loaded.name == profile
    for allowance in loaded.allowances:
        assert allowance.reason.zh and allowance.reason.en and allowance.sources


def _with_rules(tmp_path: Path, old: str, new: str) -> Path:
    text = RULES_FILE.read_text("utf-8")
    assert old in text
    path = tmp_path / "rules" / "websocket.yaml"
    path.parent.mkdir()
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("- id: socket.send.after-closed", "- id: socket.send.before-open", "duplicate rule id"),
        ("apis: [SocketTask.send]\n", "apis: [SocketTask.sned]\n", "no API or method"),
        ("{wait: t1.onOpen}", "{wait: t1.onOpne}", "names no listener"),
        ("{wait: send.complete}", "{wait: sedn.complete}", "names no call"),
        (
            "type: OnSocketCloseCallbackResult}",
            "type: OnSocketClosedResult}",
            "unknown type",
        ),
        (
            "call: t1.close, args: {}, as: close}",
            "call: t9.close, args: {}, as: close}",
            "not created",
        ),
        ("level: MUST", "level: MAY", "MUST"),
    ],
)
def test_invalid_rules_are_reported_with_where(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(SpecError) as info:
        load_spec([_with_rules(tmp_path, old, new)])
    text = str(info.value)
    assert message in text
    assert "websocket.yaml:" in text


def test_missing_case_parameter_is_reported(tmp_path: Path) -> None:
    path = _with_rules(tmp_path, '{id: "403", params: {status: 403}}', '{id: "403", params: {}}')
    with pytest.raises(SpecError, match="status"):
        load_spec([path])


def test_profile_naming_an_unknown_rule_is_reported(tmp_path: Path, rules: RuleSet) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nname: p\ndescription: {zh: 测试, en: test}\nallowances:\n"
        "- rule: no.such-rule\n  reason: {zh: 无, en: none}\n  sources: [x]\n",
        "utf-8",
    )
    with pytest.raises(SpecError, match="names no rule"):
        load_for_run(None, str(path))
