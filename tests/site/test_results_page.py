"""The site's conformance results page reads the report through the one report model."""

from __future__ import annotations

import json
from pathlib import Path

from generator.flavors.mkdocs import render_results
from tests.site.support import sample_report


def test_a_valid_report_lists_every_case_with_a_link_to_its_rule(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(sample_report()), encoding="utf-8")
    page = render_results(path, "en")
    assert "[<code>close.code[1000]</code>](websocket.md#rule-close.code)" in page
    assert "expected &lt;code&gt; &#124; 1000" in page
    assert "- Conformant: no" in page


def test_an_invalid_report_says_where_it_is_invalid(tmp_path: Path) -> None:
    report = sample_report()
    del report["results"][1]["failures"]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    page = render_results(path, "en", shown_path="build/report.json")
    assert "The conformance report `build/report.json` could not be read" in page
    assert "$.results&#91;1&#93;: 'failures' is a required property" in page  # escaped
