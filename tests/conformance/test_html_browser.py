"""The HTML report opens in headless Chromium without console errors, and its filter works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.engine import RunResult
from conformance.report import report_data, to_html
from tests.site.support import CHROMIUM, CHROMIUM_ARGS, UNIT_MS

pytestmark = pytest.mark.browser


def _failing_copy(data: dict[str, Any]) -> dict[str, Any]:
    """The report with one case turned into a FAIL with a trace, so details render too."""
    results = [dict(r) for r in data["results"]]
    results[0].update(
        verdict="FAIL",
        reason="expect[0] count: t1.onClose: expected 1 time(s), found 0 <script>x</script>",
        failures=["expect[0] count: t1.onClose: expected 1 time(s), found 0"],
        trace=[[1, "t1", "call", "connectSocket", {"url": "ws://x"}, "connect"]],
    )
    return {**data, "results": results}


def test_html_report_opens_without_console_errors(reference_run: RunResult, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - browser tests only

    data = _failing_copy(report_data(reference_run, {"runner": "in-process", "target": "x"}))
    page_file = tmp_path / "report.html"
    page_file.write_text(to_html(data), "utf-8")
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), timeout=10 * UNIT_MS)
            rows = page.locator("tr.case")
            assert rows.count() == len(data["results"])
            assert page.locator("script:text('x')").count() == 0
            page.check("#only-bad")
            visible = [r for r in rows.all() if r.is_visible()]
            assert len(visible) == 1
            assert visible[0].get_attribute("data-verdict") == "FAIL"
        finally:
            browser.close()
    assert errors == []
