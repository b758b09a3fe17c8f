"""``mkdocs build --strict`` of ``site/`` (anchor validation included) and what it writes."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.spec import load_bundled_spec
from tests.site.support import SITE, mkdocs_build, sample_report


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        for key in ("src", "href") if tag in ("script", "link", "img", "iframe") else ():
            url = values.get(key) or ""
            if url.startswith(("http:", "https:", "//")):
                self.external.append(f"<{tag} {key}={url}>")


def parse(path: Path) -> _Collect:
    collect = _Collect()
    collect.feed(path.read_text(encoding="utf-8"))
    return collect


@pytest.mark.parametrize("lang_dir", ["", "en/"])
def test_strict_build_writes_both_languages(built_site: Path, lang_dir: str) -> None:
    # use_directory_urls is off: a page is page.html, so the site works opened from disk.
    for page in ("index", "websocket", "conformance", "types/index", "types/sockettask"):
        assert (built_site / lang_dir / f"{page}.html").is_file(), lang_dir + page
    assert not (built_site / lang_dir / "websocket" / "index.html").exists()
    html = (built_site / lang_dir / "websocket.html").read_text(encoding="utf-8")
    assert ('lang="zh"' if not lang_dir else 'lang="en"') in html
    assert "UTSAPIJSON" not in html


@pytest.mark.parametrize("lang_dir", ["", "en/"])
def test_every_in_page_link_of_the_websocket_page_has_its_target(
    built_site: Path, lang_dir: str
) -> None:
    page = parse(built_site / lang_dir / "websocket.html")
    ids = set(page.ids)
    targets = {h[1:] for h in page.hrefs if h.startswith("#") and len(h) > 1}
    assert {"connectsocket", "sockettask-values", "connectsocketsuccess-values",
            "generalcallbackresult-values", "onsocketclose"} <= targets  # fmt: skip
    assert targets <= ids, sorted(targets - ids)
    assert len(page.ids) == len(ids), "duplicate ids"


def test_a_page_per_named_type_in_each_language(built_site: Path) -> None:
    module = load_bundled_spec().modules[0]
    for name in module.types:
        for lang_dir in ("", "en/"):
            page = built_site / lang_dir / "types" / f"{name.lower()}.html"
            assert page.is_file(), page
            assert f'id="{name.lower()}-values"' in page.read_text(encoding="utf-8")


def test_nothing_is_loaded_from_the_internet(built_site: Path) -> None:
    for html in built_site.rglob("*.html"):
        assert parse(html).external == [], html


def test_the_language_switch_points_at_the_same_page(built_site: Path) -> None:
    html = (built_site / "websocket.html").read_text(encoding="utf-8")
    assert re.search(r'href="en/websocket.html" hreflang="en"', html)
    nested = (built_site / "en" / "types" / "sockettask.html").read_text(encoding="utf-8")
    assert re.search(r'href="../../types/sockettask.html" hreflang="zh"', nested)


@pytest.mark.parametrize("page", ["index.html", "en/index.html", "types/index.html"])
def test_no_link_starts_at_the_server_root(built_site: Path, page: str) -> None:
    """The home pages linked their languages with / and /en/ (issue 13): broken from disk and
    under a sub-path."""
    hrefs = parse(built_site / page).hrefs
    assert hrefs and [h for h in hrefs if h.startswith("/")] == []


def test_an_invalid_spec_stops_the_build_with_its_location(tmp_path: Path, spec_copy: Path) -> None:
    module = spec_copy / "modules" / "websocket.yaml"
    module.write_text(
        module.read_text(encoding="utf-8").replace("returns: SocketTask", "returns: SocketTsk"),
        encoding="utf-8",
    )
    result = mkdocs_build(SITE / "mkdocs.yml", tmp_path / "out", spec=spec_copy)
    assert result.returncode != 0
    assert "websocket.yaml:" in result.stderr and "SocketTsk" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_conformance_page_shows_the_report_named_by_utsapi_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(sample_report()), encoding="utf-8")
    result = mkdocs_build(SITE / "mkdocs.yml", tmp_path / "out", report=report)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "en" / "conformance.html").read_text(encoding="utf-8")
    assert '<span class="utsapi-verdict utsapi-fail">FAIL</span>' in html
    assert "<code>close.code[1000]</code>" in html
    assert "expected &lt;code&gt; &#124; 1000" in html


def test_the_conformance_page_without_a_report_says_there_are_none(built_site: Path) -> None:
    html = (built_site / "conformance.html").read_text(encoding="utf-8")
    assert "还没有一致性测试结果" in html or "utsapi-verdict" in html
