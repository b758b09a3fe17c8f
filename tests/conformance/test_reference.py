"""The reference implementation passes every rule; the reports of that run are well formed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema

from conformance.engine import RunResult
from conformance.report import exit_code, report_data, to_html, to_json, to_junit
from generator.spec import bundled_spec_dir
from generator.spec.rules import RuleSet

INFO = {"runner": "in-process", "target": "reference_impl:uni", "unit_s": 1.0}


def test_reference_passes_every_rule(reference_run: RunResult, rules: RuleSet) -> None:
    not_passing = {r.id: r.reason for r in reference_run.results if r.verdict != "PASS"}
    assert not_passing == {}
    assert len(reference_run.results) == rules.case_count >= 60
    assert exit_code(reference_run) == 0


def test_reference_run_is_fast(reference_run: RunResult) -> None:
    assert reference_run.duration < 60


def test_no_reference_case_waits_out_its_teardown(reference_run: RunResult) -> None:
    """Every task the reference leaves behind is seen closing: a rule that does not listen to a
    task's onClose while the task fails on its own makes the teardown wait 3 units for an onClose
    that already fired unheard (listeners are not replayed); that was 3 s of each
    socket.receive.protocol-violation-close-code case."""
    waited = {
        r.id: [line for line in r.logs if line.startswith("teardown:")]
        for r in reference_run.results
    }
    assert {k: v for k, v in waited.items() if v} == {}


def test_every_rule_is_exercised(reference_run: RunResult, rules: RuleSet) -> None:
    """Each case really ran steps: it made calls and saw the implementation answer."""
    for result in reference_run.results:
        kinds = {e.kind for e in result.trace}
        assert {"call", "returned"} <= kinds, result.id
        assert "callback" in kinds or "event" in kinds, result.id
    assert {r.rule.id for r in reference_run.results} == {r.id for r in rules.rules}


def test_json_report_validates(reference_run: RunResult) -> None:
    schema = json.loads((bundled_spec_dir() / "schema" / "report.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(to_json(report_data(reference_run, INFO)))
    errors = [
        f"{e.json_path}: {e.message}"
        for e in jsonschema.Draft202012Validator(schema).iter_errors(data)
    ]
    assert errors == []
    assert data["summary"]["PASS"] == len(reference_run.results)
    assert data["summary"]["conformant"] is True
    assert data["run"]["implementation"]["name"] == "reference_impl"


def test_junit_report_parses(reference_run: RunResult) -> None:
    root = ET.fromstring(to_junit(report_data(reference_run, INFO)).encode("utf-8"))
    assert root.tag == "testsuite"
    cases = root.findall("testcase")
    assert len(cases) == len(reference_run.results)
    assert root.get("failures") == "0"
    assert {c.get("name") for c in cases} == {r.id for r in reference_run.results}


def test_html_report_is_one_standalone_file(reference_run: RunResult) -> None:
    text = to_html(report_data(reference_run, INFO))
    assert text.startswith("<!DOCTYPE html>")
    assert "http://" not in text and "https://" not in text
    for result in reference_run.results:
        assert f'id="{result.id}"' in text


def test_html_report_links_rules_to_their_docs(reference_run: RunResult) -> None:
    info = {**INFO, "docs_url": "https://docs.example/websocket/#rule-{rule}"}
    text = to_html(report_data(reference_run, info))
    assert 'href="https://docs.example/websocket/#rule-socket.close.default"' in text
