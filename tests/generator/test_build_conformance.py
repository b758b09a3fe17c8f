"""`utsapi build` runs the suite against the reference implementation for the site's page."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest

from generator.cli import run as cli_run


def html_text(page: str) -> str:
    """The page's text as a reader sees it: entities decoded (tags left in, harmless here)."""
    return html.unescape(page)


@pytest.mark.slow
def test_build_renders_the_reference_results_with_links_to_the_rules(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli_run(["build", "--out", str(tmp_path)], out, err) == 0, err.getvalue()
    report = json.loads((tmp_path / "conformance" / "report.json").read_text("utf-8"))
    assert report["summary"]["conformant"] is True
    assert (tmp_path / "conformance" / "report.xml").is_file()
    # The HTML report links each rule to its full text on the site's conformance page.
    html_report = (tmp_path / "conformance" / "report.html").read_text("utf-8")
    assert 'href="../site/conformance.html#rule-connect.success-then-complete"' in html_report
    for page in ("conformance.html", "en/conformance.html"):
        html = (tmp_path / "site" / page).read_text("utf-8")
        assert 'href="#rule-connect.success-then-complete"' in html
        assert 'id="rule-connect.success-then-complete"' in html
        assert "reference_impl" in html_text(html)  # shown; the Markdown escaping writes _ as &#95;
    # Progress (issue 13): a line per case as it runs, then one time for the step.
    total = report["summary"]["total"]
    lines = err.getvalue().splitlines()
    cases = [line for line in lines if re.match(r"  \[ *\d+/\d+\] ", line)]
    assert len(cases) == total
    step = lines.index("running the conformance suite against reference_impl:uni ...")
    after = lines[step + 1 + total]
    assert re.fullmatch(rf"  {total} cases: {total} PASS \(conformant\) \(\d+\.\d\d s\)", after)
    assert " s wall" not in err.getvalue()  # no second, different time
    assert "  the zh pages" in lines and "  the en pages" in lines


def test_no_conformance_leaves_the_page_without_results(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(["build", "--no-conformance", "--out", str(tmp_path)], out, err)
    assert code == 0, err.getvalue()
    assert not (tmp_path / "conformance").exists()
    html = (tmp_path / "site" / "en" / "conformance.html").read_text("utf-8")
    assert 'href="#rule-connect.success-then-complete"' not in html  # no results listed
    assert (
        f"{tmp_path / 'conformance'}: not run (--no-conformance); the results page says there "
        "are no results yet"
    ) in out.getvalue()
