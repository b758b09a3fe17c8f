"""The built site in headless Chromium: tables shown, in-page anchors land, no console errors,
and spec text that tries to break out (``|``, newlines, ``<script>``, ``{{ jinja }}``) stays text.

Needs Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it); the ``browser`` fixture skips with
that reason when it is missing.  Playwright never downloads a browser here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.site.support import SITE, UNIT_MS, mkdocs_build

pytestmark = pytest.mark.browser

COMPAT_PLATFORMS = {
    "zh": ["Web", "微信小程序", "Android", "iOS", "HarmonyOS"],
    "en": ["Web", "WeChat mini program", "Android", "iOS", "HarmonyOS"],
}
#: The columns of a properties table (``必备``: a property; ``必填`` heads a parameters table).
FIELD_HEADERS = {
    "zh": ["名称", "类型", "必备", "默认值", "兼容性", "描述"],
    "en": ["Name", "Type", "Required", "Default", "Compatibility", "Description"],
}
PREFIX = {"zh": "", "en": "en/"}

#: The tables between the heading with this id and the next h2, as header and row texts.
TABLES_UNDER = """(id) => {
  const tables = [];
  for (let el = document.getElementById(id).nextElementSibling;
       el && el.tagName !== "H2"; el = el.nextElementSibling) {
    if (el.tagName === "TABLE") tables.push(el);
    el.querySelectorAll("table").forEach((t) => tables.push(t));
  }
  const text = (cell) => cell.textContent.trim();
  return tables.map((t) => ({
    headers: [...t.querySelectorAll("thead th")].map(text),
    rows: [...t.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map(text)),
    visible: t.getBoundingClientRect().height > 0,
  }));
}"""

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


#: Tables wider than their column (read only by scrolling sideways), by their first cell.
SCROLLED = """() => [...document.querySelectorAll(".md-typeset__scrollwrap")]
  .filter((w) => w.scrollWidth > w.clientWidth + 1)
  .map((w) => (w.querySelector("td") || w).textContent.trim())"""


class Visit:
    """One page load with its console errors and dialogs recorded."""

    def __init__(self, browser: Any, url: str) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.set_default_timeout(10 * UNIT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location})")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[[str], Visit]]:
    opened: list[Visit] = []

    def open_page(url: str) -> Visit:
        opened.append(Visit(browser, url))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_websocket_page_shows_tables_and_every_anchor_lands(
    built_site: Path,
    serve: Callable[[Path], str],
    visit: Callable[[str], Visit],
    screenshots: Path,
    lang: str,
) -> None:
    base = serve(built_site)
    page = visit(f"{base}{PREFIX[lang]}websocket.html")

    compat = page.page.locator("#connectsocket ~ .utsapi-compat").first
    assert compat.is_visible()
    badges = compat.locator(".utsapi-badge").all_inner_texts()
    assert [b.split(" ✓")[0] for b in badges] == COMPAT_PLATFORMS[lang], badges
    assert all(" ✓" in b for b in badges)
    params = page.page.locator("#connectsocket ~ .utsapi-params").first
    assert params.is_visible()  # one line: name, type, required (issue 13)
    assert "options: ConnectSocketOptions" in params.inner_text()
    tables = page.page.evaluate(TABLES_UNDER, "connectsocket")
    nested = [t for t in tables if t["rows"] and t["rows"][0][0] == "url"]
    assert nested and nested[0]["visible"] and nested[0]["headers"] == FIELD_HEADERS[lang]
    assert [r[0] for r in nested[0]["rows"]][:3] == ["url", "header", "protocols"]
    assert page.page.evaluate(SCROLLED) == []

    assert page.page.evaluate(DANGLING) == []
    assert page.page.evaluate(BROKEN_ROWS) == []
    page.page.click('a[href="#connectsocketfail-values"]')
    assert page.page.evaluate("location.hash") == "#connectsocketfail-values"
    assert page.page.locator("#connectsocketfail-values").is_visible()

    page.page.evaluate("window.scrollTo(0, 0)")
    page.page.screenshot(path=str(screenshots / f"websocket-{lang}.png"), animations="disabled")
    page.page.locator("#connectsocket").scroll_into_view_if_needed()
    page.page.evaluate("document.getElementById('connectsocket').scrollIntoView()")
    page.page.screenshot(
        path=str(screenshots / f"websocket-{lang}-connectsocket.png"), animations="disabled"
    )
    assert page.errors == []
    assert page.dialogs == []


@pytest.mark.parametrize(
    "path",
    ["", "types/index.html", "types/sockettask.html", "conformance.html", "en/types/index.html"],
)
def test_other_pages_load_cleanly(
    built_site: Path, serve: Callable[[Path], str], visit: Callable[[str], Visit], path: str
) -> None:
    page = visit(serve(built_site) + path)
    assert page.page.evaluate(DANGLING) == []
    assert page.page.evaluate(BROKEN_ROWS) == []
    assert page.errors == []


def test_language_switch_leads_to_the_same_page_in_english(
    built_site: Path, serve: Callable[[Path], str], visit: Callable[[str], Visit]
) -> None:
    base = serve(built_site)
    page = visit(f"{base}websocket.html")
    page.page.locator('a.md-select__link[hreflang="en"]').dispatch_event("click")
    page.page.wait_for_url(f"{base}en/websocket.html")
    assert page.page.locator("h1").first.inner_text() == "WebSocket"


# ----------------------------------------------------------------------------------------------
# Escaping

PAYLOAD = (
    "a | b\nline2 <script>alert(1)</script> {{ jinja }} <img src=x onerror=alert(2)> "
    "[x](javascript:alert(3)) `c | d`"
)


def _hostile_spec(spec_dir: Path) -> None:
    module_file = spec_dir / "modules" / "websocket.yaml"
    data = yaml.safe_load(module_file.read_text(encoding="utf-8"))
    both = {"zh": PAYLOAD, "en": PAYLOAD}
    data["apis"][0]["description"] = dict(both)
    data["apis"][0]["tutorial"][0]["label"] = dict(both)
    data["types"]["ConnectSocketOptions"]["fields"][0]["description"] = dict(both)
    data["types"]["ConnectSocketErrorCode"]["codes"][0]["description"] = dict(both)
    data["types"]["ConnectSocketErrorCode"]["codes"][0]["errMsg"] = PAYLOAD
    data["example"]["code"] += "// </script><script>alert(5)</script> {{ jinja }}\n"
    module_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    rules_file = spec_dir / "rules" / "websocket.yaml"
    if rules_file.is_file():
        rules = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
        rules["rules"][0]["text"] = dict(both)
        rules["rules"][0]["title"] = dict(both)
        rules_file.write_text(yaml.safe_dump(rules, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.fixture
def hostile_site(tmp_path: Path, spec_copy: Path) -> Path:
    _hostile_spec(spec_copy)
    out = tmp_path / "out"
    result = mkdocs_build(SITE / "mkdocs.yml", out, spec=spec_copy)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_spec_text_stays_text_in_the_browser(
    hostile_site: Path,
    serve: Callable[[Path], str],
    visit: Callable[[str], Visit],
    screenshots: Path,
    lang: str,
) -> None:
    page = visit(f"{serve(hostile_site)}{PREFIX[lang]}websocket.html")
    injected = page.page.evaluate(
        """() => ({
          scripts: [...document.scripts].filter((s) => /alert\\(/.test(s.textContent)).length,
          handlers: document.querySelectorAll("[onerror], [onload], [onclick]").length,
          js_links: document.querySelectorAll('a[href^="javascript:"]').length,
          text: document.querySelector("article").innerText,
        })"""
    )
    assert page.dialogs == []
    assert injected["scripts"] == 0
    assert injected["handlers"] == 0
    assert injected["js_links"] == 0
    assert "<script>alert(1)</script>" in injected["text"]
    assert "{{ jinja }}" in injected["text"]
    assert page.page.evaluate(BROKEN_ROWS) == []

    tables = page.page.evaluate(TABLES_UNDER, "connectsocket")
    url_rows = [r for t in tables for r in t["rows"] if r and r[0] == "url"]
    assert url_rows and len(url_rows[0]) == len(FIELD_HEADERS[lang])
    assert "a | b" in url_rows[0][-1] and "line2" in url_rows[0][-1] and "c | d" in url_rows[0][-1]
    codes = [r for t in tables for r in t["rows"] if r and r[0] == "600009"]
    assert codes and len(codes[0]) == 3 and "<script>alert(1)</script>" in codes[0][1]
    description = page.page.locator("#connectsocket + p").inner_text()
    assert description.startswith("a | b") and "{{ jinja }}" in description
    assert page.page.evaluate(DANGLING) == []
    page.page.evaluate("document.getElementById('connectsocket').scrollIntoView()")
    page.page.screenshot(path=str(screenshots / f"escaping-{lang}.png"), animations="disabled")
    assert page.errors == []


#: Navigation and table-of-contents entries whose text is cut off (wider than their box).
CLIPPED = """() => [...document.querySelectorAll(".md-nav .md-ellipsis")]
  .filter((e) => e.getBoundingClientRect().width > 0 && e.scrollWidth > e.clientWidth + 1)
  .map((e) => e.textContent.trim())"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_table_of_contents_is_on_the_right_and_no_entry_is_cut_off(
    built_site: Path, serve: Callable[[Path], str], visit: Callable[[str], Visit], lang: str
) -> None:
    page = visit(f"{serve(built_site)}{PREFIX[lang]}websocket.html")
    page.page.set_viewport_size({"width": 1280, "height": 1000})
    toc = page.page.locator(".md-sidebar--secondary .md-nav--secondary")
    assert toc.is_visible()
    links = toc.locator("a.md-nav__link").all_text_contents()
    assert any("connectSocket" in text for text in links), links
    box = toc.bounding_box()
    assert box is not None and box["x"] > 640  # right of the content at 1280 px
    assert page.page.evaluate(CLIPPED) == []
    assert page.errors == []


def test_a_module_title_with_markup_runs_nothing_on_its_generated_page(
    tmp_path: Path, spec_copy: Path, serve: Callable[[Path], str], visit: Callable[[str], Visit]
) -> None:
    fixture = Path(__file__).with_name("fixtures") / "multi" / "modules" / "dice.yaml"
    payload = "<img src=x onerror=alert(1)>"
    (spec_copy / "modules" / "dice.yaml").write_text(
        fixture.read_text(encoding="utf-8").replace(
            "title: {zh: 骰子}", f"title: {{zh: '{payload}'}}"
        ),
        encoding="utf-8",
    )
    result = mkdocs_build(SITE / "mkdocs.yml", tmp_path / "out", spec=spec_copy)
    assert result.returncode == 0, result.stderr
    base = serve(tmp_path / "out")
    for path in ("api/dice.html", "en/api/dice.html", "types/diceresult.html"):
        page = visit(base + path)
        assert page.dialogs == [], path
        assert payload in page.page.title() or path.startswith("types"), path
        assert page.page.locator("img[src=x]").count() == 0, path
        assert payload in page.page.locator(".md-nav--primary").inner_text(), path


# ----------------------------------------------------------------------------------------------
# From disk and under a base path (issue 13)

#: The primary navigation's page links (absolute, as the browser resolved them).
NAV_LINKS = """() => [...document.querySelectorAll(".md-nav--primary a.md-nav__link[href]")]
  .map((a) => a.href)"""
#: The language selector's links.
LANGUAGE_LINKS = """() => [...document.querySelectorAll("a.md-select__link")].map((a) => a.href)"""


def _walk(visit: Callable[[str], Visit], start: str) -> dict[str, str]:
    """Every page the navigation and language selector of ``start`` and of the pages they lead
    to reach: URL (without fragment) -> the page's h1; fails on a page without an article."""
    seen: dict[str, str] = {}
    queue = [start]
    while queue:
        url = queue.pop().split("#")[0]
        if url in seen:
            continue
        page = visit(url)
        assert page.page.locator("article h1").count() >= 1, f"{url} is not a page"
        seen[url] = page.page.locator("article h1").first.inner_text()
        assert page.errors == [], (url, page.errors)
        for link in page.page.evaluate(NAV_LINKS) + page.page.evaluate(LANGUAGE_LINKS):
            if link.split("#")[0] not in seen:
                queue.append(link)
        page.close()
    return seen


def test_every_navigation_link_lands_on_a_page_when_opened_from_disk(
    built_site: Path, visit: Callable[[str], Visit]
) -> None:
    """file://.../index.html: a folder link would show a directory listing (issue 13)."""
    start = (built_site / "index.html").as_uri()
    pages = _walk(visit, start)
    root = built_site.as_uri()
    assert all(url.startswith(root) and url.endswith(".html") for url in pages), pages
    assert f"{root}/websocket.html" in pages and f"{root}/en/websocket.html" in pages
    assert f"{root}/en/index.html" in pages  # the English home, through the language selector


class _Recording:
    """Responses with an error status seen by a page (a 404 under a base path)."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")


def test_every_link_works_under_a_base_path(
    built_site: Path, serve: Callable[[Path], str], browser: Any
) -> None:
    """The site served from http://127.0.0.1:PORT/<sub>/ (its parent folder served): no link
    may climb to the server's root, as the home pages' language links / and /en/ did."""
    base = f"{serve(built_site.parent)}{built_site.name}/"
    recording = _Recording()
    opened: list[Visit] = []

    def visit_recorded(url: str) -> Visit:
        page = Visit(browser, url)
        page.page.on("response", recording)
        page.page.reload(wait_until="networkidle")  # every request again, recorded
        opened.append(page)
        return page

    pages = _walk(visit_recorded, base + "index.html")
    assert all(url.startswith(base) for url in pages), sorted(pages)
    assert {f"{base}en/index.html", f"{base}conformance.html", f"{base}types/index.html"} <= set(
        pages
    )
    assert opened and recording.failed == []


#: The WebSocket page's height at 1280 px before issue 13 (zh, en), measured the same way.
HEIGHT_BEFORE = {"zh": 25068, "en": 27252}
#: Issue 13's target at 1280 px.
HEIGHT_TARGET = 9000


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_websocket_page_height_at_1280_px(
    built_site: Path,
    serve: Callable[[Path], str],
    visit: Callable[[str], Visit],
    screenshots: Path,
    lang: str,
) -> None:
    """Under issue 13's 9,000 px, reported in docs/design-notes.md, with nothing lost: every
    rule of the page linked, every API and method under its heading with its compatibility,
    every table readable without scrolling sideways."""
    page = visit(f"{serve(built_site)}{PREFIX[lang]}websocket.html")
    page.page.set_viewport_size({"width": 1280, "height": 1000})
    height = page.page.evaluate("document.documentElement.scrollHeight")
    (screenshots / f"websocket-{lang}-height.txt").write_text(f"{height}\n", encoding="utf-8")
    assert height < HEIGHT_TARGET, height
    assert height < HEIGHT_BEFORE[lang] * 0.4, height
    links = page.page.locator(".utsapi-rules a").count()
    assert links >= 51
    headings = page.page.evaluate(
        "() => [...document.querySelectorAll('article h2[id], article h4[id]')].map(h => h.id)"
    )
    callables = ["connectsocket", "onsocketopen", "onsocketerror", "sendsocketmessage",
                 "onsocketmessage", "closesocket", "onsocketclose", "send", "close", "onopen",
                 "onclose", "onerror", "onmessage"]  # fmt: skip
    assert set(callables) <= set(headings), headings
    assert page.page.locator(".utsapi-compat").count() == len(callables)
    assert page.page.evaluate(SCROLLED) == []
    assert page.errors == []
