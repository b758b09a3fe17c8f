"""``utsapi build --reports DIR``: the reports it is given, checked against the spec's rules,
named with their run dates, and never one left by an earlier build."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.cli import run as cli_entry
from tests.site.support import SITE, mkdocs_build
from tests.site.test_matrix_browser import _report


def _build(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_entry(["build", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def _write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_report_of_other_rules_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _write(reports, "ok.json", _report("good", "web", {}))
    _write(reports, "old.json", _report("old", "web", {"socket.close.default": "missing"}))
    out = tmp_path / "out"
    code, _, err = _build("--out", str(out), "--no-stubs", "--reports", str(reports))
    assert code == 2
    assert f"{reports / 'old.json'}: its cases are not the spec's: 1 case(s) of the spec " in err
    assert "socket.close.default" in err and "ok.json" not in err
    assert not out.exists()


def test_an_invalid_report_is_refused_saying_where(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    bad = _report("bad", None, {})
    del bad["results"][3]["verdict"]
    _write(reports, "bad.json", bad)
    code, _, err = _build("--out", str(tmp_path / "out"), "--reports", str(reports))
    assert code == 2
    assert f"{reports / 'bad.json'}: $.results[3]: 'verdict' is a required property" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("make", [False, True])
def test_a_folder_without_reports_is_a_usage_error(tmp_path: Path, make: bool) -> None:
    reports = tmp_path / "reports"
    if make:
        reports.mkdir()
    code, _, err = _build("--out", str(tmp_path / "out"), "--no-site", "--reports", str(reports))
    assert code == 2 and "--reports" in err


def test_the_site_shows_the_reports_given_and_no_earlier_one(tmp_path: Path) -> None:
    """--no-conformance: the reference column is the report an earlier run left in OUT (checked
    like the others); a report of an earlier build's matrix is gone."""
    out = tmp_path / "out"
    _write(out / "conformance", "report.json", _report("reference_impl", None, {}))
    _write(out / "conformance" / "matrix", "9-stale.json", _report("stale", None, {}))
    reports = tmp_path / "reports"
    _write(reports, "web.json", _report("impl-web", "web", {"socket.close.default": "FAIL"}))
    argv = ["--out", str(out), "--no-stubs", "--no-conformance", "--reports", str(reports)]
    code, summary, err = _build(*argv)
    assert code == 0, err
    assert sorted(p.name for p in (out / "conformance" / "matrix").iterdir()) == [
        "1-report.json",
        "2-web.json",
    ]
    assert "the results matrix, 2 report(s)" in summary
    assert "1. reference_impl 1.0 (stdio), run 2026-01-01 00:00:00 UTC, from " in summary
    assert f"2. impl-web 1.0 (web, stdio), run 2026-01-01 00:00:00 UTC, from {reports}" in summary
    page = (out / "site" / "en" / "conformance.html").read_text(encoding="utf-8")
    assert "impl-web" in page and "stale" not in page
    assert 'id="case-socket.close.default"' in page


def test_allow_rule_mismatch_uses_the_report_and_says_so(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _write(reports, "old.json", _report("old", "web", {"socket.close.default": "missing"}))
    argv = ["--out", str(tmp_path / "out"), "--no-site", "--no-stubs", "--reports", str(reports)]
    code, summary, err = _build(*argv, "--allow-rule-mismatch")
    assert code == 0, err
    assert "old.json: used although its cases differ: 1 case(s) of the spec missing" in summary


def test_with_a_single_report_each_api_section_shows_that_one_implementation(
    tmp_path: Path,
) -> None:
    """Issue 11: the default build has one report; its API sections show one badge each."""
    report = tmp_path / "report.json"
    report.write_text(json.dumps(_report("reference_impl", None, {})), encoding="utf-8")
    result = mkdocs_build(SITE / "mkdocs.yml", tmp_path / "out", report=report)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "en" / "websocket.html").read_text(encoding="utf-8")
    summaries = re.findall(r'<p class="utsapi-results-summary">(.*?)</p>', page, re.S)
    assert len(summaries) >= 7
    for summary in summaries:
        badges = re.findall(r'<span class="utsapi-verdict utsapi-(\w+)"[^>]*>(.*?)</span>', summary)
        assert len(badges) == 1, summary
        kind, text = badges[0]
        assert kind == "pass" and re.fullmatch(r"reference&#95;impl (\d+)/\1 PASS", text), text
