"""The site's conformance results page reads the report through the one report model, and
holds each rule's full text under #rule-<id>."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.flavors.mkdocs import render_results
from generator.spec import load_bundled_spec
from tests.site.support import sample_report


def _rules_named(*ids: str) -> tuple:  # type: ignore[type-arg]
    """Rules of the bundled spec, renamed to the sample report's rule ids."""
    import dataclasses  # noqa: PLC0415

    rules = load_bundled_spec().rules.rules
    return tuple(dataclasses.replace(rule, id=i) for rule, i in zip(rules, ids, strict=False))


def test_a_valid_report_lists_every_case_with_a_link_to_its_rule(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(sample_report()), encoding="utf-8")
    page = render_results(path, "en", rules=_rules_named("close.code", "connect.ok"))
    assert "[<code>close.code[1000]</code>](#rule-close.code)" in page
    assert 'id="rule-close.code"' in page and 'id="rule-connect.ok"' in page
    assert "This run: 1 FAIL" in page and "This run: 1 PASS" in page
    assert "expected &lt;code&gt; &#124; 1000" in page
    assert "- Conformant: no" in page


def test_a_case_of_a_rule_the_page_does_not_show_is_not_a_dangling_link(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(sample_report()), encoding="utf-8")
    page = render_results(path, "en", rules=())
    assert "| <code>close.code[1000]</code> |" in page
    assert "#rule-" not in page


def test_the_run_time_is_readable(tmp_path: Path) -> None:
    report = sample_report()
    report["run"]["started"] = "2026-12-05T14:05:56.735538+00:00"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    page = render_results(path, "en")
    assert "- Run at: 2026-12-05 14:05:56 UTC" in page
    assert ".735538" not in page


def test_a_verdict_counted_zero_is_not_marked_as_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(sample_report()), encoding="utf-8")
    page = render_results(path, "en")
    assert 'utsapi-error utsapi-zero">ERROR' in page
    assert 'utsapi-fail">FAIL' in page  # one FAIL: marked


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_absolute_path_of_the_build_machine_is_published(tmp_path: Path, lang: str) -> None:
    missing = tmp_path / "deep" / "conformance" / "report.json"
    page = render_results(missing, lang, shown_path=str(missing))  # type: ignore[arg-type]
    assert str(tmp_path) not in page
    assert "conformance/report.json" in page
    report = sample_report()
    report["results"][1]["reason"] = f"cannot open {Path.cwd() / 'x.txt'} or {Path.home()}/y"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    page = render_results(path, lang, shown_path=str(path))  # type: ignore[arg-type]
    assert str(Path.cwd()) not in page and not re.search(re.escape(str(Path.home())) + "/y", page)


def test_an_invalid_report_says_where_it_is_invalid(tmp_path: Path) -> None:
    report = sample_report()
    del report["results"][1]["failures"]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    page = render_results(path, "en", shown_path="build/report.json")
    assert "The conformance report `build/report.json` could not be read" in page
    assert "$.results&#91;1&#93;: 'failures' is a required property" in page  # escaped
