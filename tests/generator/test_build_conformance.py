"""`utsapi build` runs the suite against the reference implementation for the site's page."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from generator.cli import run as cli_run


@pytest.mark.slow
def test_build_renders_the_reference_results_with_links_to_the_rules(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli_run(["build", "--out", str(tmp_path)], out, err) == 0, err.getvalue()
    report = json.loads((tmp_path / "conformance" / "report.json").read_text("utf-8"))
    assert report["summary"]["conformant"] is True
    assert (tmp_path / "conformance" / "report.html").is_file()
    assert (tmp_path / "conformance" / "report.xml").is_file()
    for page in ("conformance/index.html", "en/conformance/index.html"):
        html = (tmp_path / "site" / page).read_text("utf-8")
        assert 'href="../websocket/#rule-connect.success-then-complete"' in html
        assert "reference_impl" in html


def test_no_conformance_leaves_the_page_without_results(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(["build", "--no-conformance", "--out", str(tmp_path)], out, err)
    assert code == 0, err.getvalue()
    assert not (tmp_path / "conformance").exists()
    html = (tmp_path / "site" / "en" / "conformance" / "index.html").read_text("utf-8")
    assert "#rule-connect.success-then-complete" not in html
    assert (
        f"{tmp_path / 'conformance'}: not run (--no-conformance); the results page says there "
        "are no results yet"
    ) in out.getvalue()
