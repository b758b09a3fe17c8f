"""The results matrix on the built site, in headless Chromium: one column per report, a row per
case of every rule, the summary per API, and the links that land on them — from the matrix to
the rules' text, from the summary to an API's rows, from the WebSocket page's API sections to
their rules' rows across the implementations.

The reports are written here, one per implementation, over the bundled spec's cases (their
verdicts chosen so that each column differs); ``site/mkdocs.yml`` reads the folder from
``UTSAPI_REPORT``, as ``utsapi build --reports`` passes it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.spec import load_bundled_spec
from tests.site.support import SITE, UNIT_MS, mkdocs_build, sample_report

pytestmark = pytest.mark.browser

#: Rows of the matrix tables (those with a case anchor in their first cell).
MATRIX_ROWS = """() => [...document.querySelectorAll("article table tbody tr")]
  .filter((tr) => tr.querySelector('td:first-child span[id^="case-"]'))
  .map((tr) => [...tr.children].map((td) => td.textContent.trim()))"""

#: In-page links whose target id does not exist.
DANGLING = """() => [...document.querySelectorAll('a[href^="#"]')]
  .map((a) => a.getAttribute("href")).filter((h) => h.length > 1)
  .filter((h) => !document.getElementById(decodeURIComponent(h.slice(1))))"""

#: Table rows with another number of cells than their header.
BROKEN_ROWS = """() => [...document.querySelectorAll("article table")].flatMap((t) => {
  const width = t.querySelectorAll("thead th").length;
  return [...t.querySelectorAll("tbody tr")]
    .filter((tr) => tr.children.length !== width).map((tr) => tr.textContent.trim());
})"""

#: Whether the element with this id is within the viewport (a link landed on it).
IN_VIEW = """(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight;
}"""

FAILED_CASE = "socket.send.text-echo[ascii]"
MISSING_CASE = "socket.close.default"
#: The failed case's id on the conformance page: safe in a link as it is.
FAILED_ANCHOR = "case-socket.send.text-echo_5b_ascii_5d_"


def _report(name: str, platform: str | None, verdicts: dict[str, str]) -> dict[str, Any]:
    """A valid report of every case of the bundled spec, PASS unless ``verdicts`` says not."""
    data = copy.deepcopy(sample_report())
    template = data["results"][0]
    results = []
    for rule, case in load_bundled_spec().rules.cases():
        if verdicts.get(case.id) == "missing":
            continue
        results.append(
            {
                **template,
                "id": case.id,
                "rule": rule.id,
                "case": case.id.partition("[")[2].rstrip("]") or None,
                "level": rule.level,
                "apis": list(rule.apis),
                "verdict": verdicts.get(case.id, "PASS"),
                "reason": "expected 1 | found <2>" if case.id in verdicts else "",
                "title": {"zh": rule.title.zh, "en": rule.title.en},
            }
        )
    counts = {v: sum(r["verdict"] == v for r in results) for v in data["summary"] if v.isupper()}
    data["results"] = results
    data["summary"].update(counts, total=len(results), conformant=counts["FAIL"] == 0)
    data["run"]["implementation"] = {"name": name, "version": "1.0"}
    if platform:
        data["run"]["implementation"]["platform"] = platform
    data["run"]["runner"] = "stdio"
    return data


@pytest.fixture(scope="module")
def matrix_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    for file, data in {
        "1-reference.json": _report("reference_impl", None, {}),
        "2-web.json": _report("impl-web", "web", {FAILED_CASE: "FAIL", MISSING_CASE: "missing"}),
    }.items():
        (reports / file).write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path_factory.mktemp("matrix-site")
    result = mkdocs_build(SITE / "mkdocs.yml", out, report=reports)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[str], Any]]:
    pages: list[Any] = []
    errors: list[str] = []

    def opened(url: str) -> Any:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(10 * UNIT_MS)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url, wait_until="load")
        pages.append(page)
        return page

    yield opened
    for page in pages:
        page.close()
    assert errors == []


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_the_matrix_has_a_column_per_report_and_a_row_per_case(
    matrix_site: Path, serve: Callable[[Path], str], open_page: Callable[[str], Any], prefix: str
) -> None:
    page = open_page(f"{serve(matrix_site)}{prefix}conformance.html")
    rows = page.evaluate(MATRIX_ROWS)
    cases = [case.id for _, case in load_bundled_spec().rules.cases()]
    assert sorted(r[0] for r in rows) == sorted(cases)  # each once, grouped by API
    assert all(len(r) == 4 for r in rows)  # case, level, two implementations
    by_case = {r[0]: r[2:] for r in rows}
    assert by_case[FAILED_CASE] == ["PASS", "FAIL"]
    assert by_case[MISSING_CASE] == ["PASS", "—"]
    header = page.locator('table:has(span[id^="case-"]) thead th').first.evaluate(
        "(th) => [...th.parentElement.children].map((c) => c.textContent.trim())"
    )
    assert header[2:] == ["reference_impl", "impl-web"]
    failed = page.locator(f'[id="{FAILED_ANCHOR}"]').locator("xpath=../..")
    assert failed.locator(".utsapi-fail").get_attribute("title") == "expected 1 | found <2>"
    assert page.evaluate(DANGLING) == []
    assert page.evaluate(BROKEN_ROWS) == []


def test_the_summary_per_api_counts_and_links_to_the_api_rows(
    matrix_site: Path, serve: Callable[[Path], str], open_page: Callable[[str], Any]
) -> None:
    page = open_page(f"{serve(matrix_site)}en/conformance.html")
    summary = page.locator('table:has(a[href^="#results-"])').first
    send = summary.locator("tbody tr", has_text="SocketTask.send")
    cells = send.locator("td").all_inner_texts()
    total = int(cells[1])
    assert cells[2] == f"{total} PASS"
    assert cells[3] == f"{total - 1} PASS 1 FAIL"
    send.locator("a").click()
    assert page.evaluate("location.hash") == "#results-SocketTask.send"
    assert page.evaluate(IN_VIEW, "results-SocketTask.send")


def test_an_api_section_of_the_websocket_page_leads_to_its_rows(
    matrix_site: Path, serve: Callable[[Path], str], open_page: Callable[[str], Any]
) -> None:
    page = open_page(f"{serve(matrix_site)}en/websocket.html")
    link = page.locator('.utsapi-rules a[href$="#rule-socket.send.text-echo"]').first
    link.click()
    page.wait_for_url("**/conformance.html#rule-socket.send.text-echo")
    assert page.evaluate(IN_VIEW, "rule-socket.send.text-echo")
    entry = page.locator('[id="rule-socket.send.text-echo"]')
    rows = entry.locator("table tbody tr").evaluate_all(
        "(trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim()))"
    )
    assert [FAILED_CASE, "MUST", "PASS", "FAIL"] in rows


#: Each results block of an API section: its summary badges, and its case rows (texts, link).
SECTION_RESULTS = """() => [...document.querySelectorAll("article .utsapi-results")].map((r) => ({
  badges: [...r.querySelectorAll(".utsapi-results-summary .utsapi-verdict")]
    .map((b) => b.textContent.trim()),
  matrix: r.querySelector(".utsapi-results-summary a").getAttribute("href"),
  rows: [...r.querySelectorAll("details tbody tr")].map((tr) => ({
    cells: [...tr.children].map((td) => td.textContent.trim()),
    href: tr.querySelector("a").getAttribute("href"),
  })),
}))"""


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_each_api_section_of_the_websocket_page_shows_its_results_and_links_to_the_matrix(
    matrix_site: Path, serve: Callable[[Path], str], open_page: Callable[[str], Any], prefix: str
) -> None:
    """Issue 11: per-API summary badges per implementation and the API's case rows, folded,
    each landing on its row of the full matrix; the page stays under 9,000 px at 1280 px."""
    base = serve(matrix_site)
    page = open_page(f"{base}{prefix}websocket.html")
    page.set_viewport_size({"width": 1280, "height": 1000})
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 9000, height
    sections = page.evaluate(SECTION_RESULTS)
    # every API section with rules shows results: one per rule list, as many as there are
    assert len(sections) == page.locator("article .utsapi-rules").count() >= 7
    spec_cases = {case.id for _, case in load_bundled_spec().rules.cases()}
    shown = [row["cells"][0] for s in sections for row in s["rows"]]
    assert set(shown) == spec_cases  # every case of the spec, in the section of its rules
    for s in sections:
        assert len(s["badges"]) == 2
        total = len(s["rows"])
        assert s["badges"][0] == f"reference_impl {total}/{total} PASS"
        assert s["badges"][1].startswith("impl-web ")
        assert s["matrix"] == "conformance.html#results-matrix"
        assert all(len(row["cells"]) == 3 for row in s["rows"])
    failing = next(s for s in sections if any(r["cells"][0] == FAILED_CASE for r in s["rows"]))
    total = len(failing["rows"])
    missing = MISSING_CASE in [r["cells"][0] for r in failing["rows"]]
    rest = total - 1 - missing
    not_run = "not run" if prefix else "未运行"
    expected = f"impl-web {rest} PASS 1 FAIL" + (f" 1 {not_run}" if missing else "")
    assert failing["badges"][1] == expected
    row = next(r for r in failing["rows"] if r["cells"][0] == FAILED_CASE)
    assert row["cells"][1:] == ["PASS", "FAIL"]
    assert row["href"] == f"conformance.html#{FAILED_ANCHOR}"
    # the rows are folded; opened, the failed case's link lands on its row of the matrix
    details = page.locator("article details.utsapi-cases", has_text=FAILED_CASE)
    assert not details.evaluate("(d) => d.open")
    details.locator("summary").click()
    link = details.locator(f'a[href$="#{FAILED_ANCHOR}"]')
    assert link.is_visible()
    link.click()
    page.wait_for_url(f"**/{prefix}conformance.html#{FAILED_ANCHOR}")
    assert page.evaluate(IN_VIEW, FAILED_ANCHOR)
    # every case link of the WebSocket page names an id of the conformance page
    ids = set(page.evaluate("() => [...document.querySelectorAll('[id]')].map((e) => e.id)"))
    targets = {r["href"].partition("#")[2] for s in sections for r in s["rows"]}
    assert targets <= ids, sorted(targets - ids)[:5]
