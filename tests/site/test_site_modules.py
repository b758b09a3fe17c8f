"""The site of a spec with several modules: a generated page per page of the grouping, navigation
for every module, the not-translated mark of a ``zh``-only module on the English site, the
translation coverage the build prints, and a module title that tries to inject markup.

The spec is ``fixtures/multi`` (``clock``: both languages, on two pages of its overlay;
``dice``: Chinese only, one page by the fallback) plus the bundled ``websocket`` module, which
the hand-written pages of ``site/docs`` need.  The titles carry a payload.
"""

from __future__ import annotations

import io
import posixpath
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import run as cli_run
from tests.site.support import SITE, SPEC

FIXTURE = Path(__file__).with_name("fixtures") / "multi"
PAYLOAD = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
PAGES = ("api/clock-time", "api/clock-alarm", "api/dice")


class Built:
    def __init__(self, site: Path, stdout: str) -> None:
        self.site = site
        self.stdout = stdout

    def html(self, page: str, lang_dir: str = "") -> str:
        return (self.site / lang_dir / html_file(page)).read_text(encoding="utf-8")


def html_file(page: str) -> str:
    """The built file of a page (``use_directory_urls: false``): ``x`` -> ``x.html``."""
    return f"{page}.html" if page else "index.html"


def _nav(html: str) -> str:
    """The primary navigation (left) of a page, up to the page's content."""
    start = html.index('<nav class="md-nav md-nav--primary')
    return html[start : html.index('<div class="md-content"', start)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("multi")
    spec = root / "spec"
    shutil.copytree(FIXTURE, spec)
    shutil.copy(SPEC / "modules" / "websocket.yaml", spec / "modules")
    dice = spec / "modules" / "dice.yaml"
    dice.write_text(
        dice.read_text(encoding="utf-8").replace(
            "title: {zh: 骰子}", f"title: {{zh: '骰子 {PAYLOAD}'}}"
        ),
        encoding="utf-8",
    )
    overlay = spec / "overlays" / "pages.yaml"
    overlay.write_text(
        overlay.read_text(encoding="utf-8").replace("en: Alarm}", f"en: 'Alarm {PAYLOAD}'}}"),
        encoding="utf-8",
    )
    out = root / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    args = ["build", "--spec", str(spec), "--out", str(out), "--site", str(SITE),
            "--no-conformance", "--no-stubs"]  # fmt: skip
    code = cli_run(args, stdout, stderr)
    assert code == 0, stderr.getvalue()
    return Built(out / "site", stdout.getvalue())


@pytest.mark.parametrize("lang_dir", ["", "en/"])
def test_every_page_of_the_grouping_is_built_and_in_the_navigation(
    built: Built, lang_dir: str
) -> None:
    for page in (*PAGES, "", "websocket", "types/diceresult", "types/getclocktimeoptions"):
        assert (built.site / lang_dir / html_file(page)).is_file(), lang_dir + page
    for page in ("", "websocket", *PAGES):
        html = built.html(page, lang_dir)
        targets = {
            posixpath.normpath(posixpath.join(lang_dir, posixpath.dirname(page), href))
            for href in re.findall(r'href="([^"#]*)"', _nav(html))
        }
        for target in PAGES:  # every page's navigation links every module's page
            assert posixpath.normpath(lang_dir + target + ".html") in targets, (page, target)
        assert "<!-- UTSAPIJSON" not in html


def test_generated_pages_hold_headings_and_filled_sections_only(built: Built) -> None:
    html = built.html("api/clock-time", "en/")
    assert 'id="getclocktime"' in html and "Returns the current time." in html
    assert 'id="setclockalarm"' not in html  # on the other page of the grouping
    assert 'id="setclockalarm"' in built.html("api/clock-alarm", "en/")
    # the module's types are listed with links to their pages
    assert 'href="../types/getclocktimeoptions.html"' in html


def test_the_english_site_marks_a_module_without_english(built: Built) -> None:
    mark = "Not yet translated"
    dice_en = built.html("api/dice", "en/")
    assert mark in dice_en and "掷一次骰子。" in dice_en
    assert mark in built.html("types/diceresult", "en/")
    assert mark not in built.html("api/clock-time", "en/")
    assert mark not in built.html("types/getclocktimeoptions", "en/")
    assert "尚未翻译" not in built.html("api/dice")  # the Chinese site is complete


def test_the_build_prints_translation_coverage_per_module(built: Built) -> None:
    lines = built.stdout.splitlines()
    assert "translation (en): 2 of 3 module(s) complete" in built.stdout
    dice = [line for line in lines if line.split()[:1] == ["dice"]]
    assert len(dice) == 1 and re.search(r"\b0\.0% \(0/\d+ texts\)", dice[0]), dice


def test_a_module_title_cannot_inject_markup(built: Built) -> None:
    pages = sorted(built.site.rglob("*.html"))
    assert pages
    for path in pages:
        assert PAYLOAD not in path.read_text(encoding="utf-8"), path
    index = (built.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<img" not in index and ESCAPED in index
    for lang_dir, page in (("", "api/dice"), ("en/", "api/dice"), ("en/", "api/clock-alarm")):
        html = built.html(page, lang_dir)
        title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
        assert title is not None and ESCAPED in title.group(1), (lang_dir, page)
        assert re.search(rf"<h1[^>]*>[^<]*{re.escape(ESCAPED)}", html), (lang_dir, page)
        assert ESCAPED in _nav(html)
