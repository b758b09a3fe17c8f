"""``utsapi build --since OLD``: the diff OLD -> the built spec as OUT/changes.json, changes.md
and changes.en.md, and a Changes page on the site in both languages (navigation, the
changelog's anchors, each change linked to its API or type), built with ``mkdocs build
--strict``; without --since, none of it.

The spec pair is ``tests/diff/fixtures`` (``demo`` 1.0.0 -> 1.1.0) beside the bundled
``websocket`` module, which the hand-written pages of ``site/docs`` need.  The new version's
errMsg carries a payload that must stay text.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator.cli import run as cli_run
from tests.diff.support import BASE, CHANGED
from tests.site.support import ROOT, SITE, SPEC, UNIT_MS

PAYLOAD = "<img src=x onerror=alert(1)>|[x](javascript:alert(1))"
PREFIX = {"zh": "", "en": "en/"}
TITLE = {"zh": "变更", "en": "Changes"}
CLASSES = {
    "zh": ["不兼容变更", "废弃", "新增", "文档"],
    "en": ["Breaking", "Deprecations", "Additions", "Documentation"],
}


def _spec(root: Path, module: Path, text: str | None = None) -> Path:
    (root / "modules").mkdir(parents=True)
    shutil.copy(SPEC / "modules" / "websocket.yaml", root / "modules")
    target = root / "modules" / "demo.yaml"
    target.write_text(text or module.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def _build(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli_run(["build", *argv], stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


class Built:
    def __init__(self, out: Path, old: Path, new: Path, stdout: str) -> None:
        self.out, self.old, self.new, self.stdout = out, old, new, stdout

    def html(self, lang: str) -> str:
        return (self.out / "site" / PREFIX[lang] / "changes.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("changes")
    old = _spec(root / "old", BASE)
    changed = CHANGED.read_text(encoding="utf-8")
    assert "errMsg: 'failed: see the log'" in changed
    hostile = changed.replace("errMsg: 'failed: see the log'", f"errMsg: '{PAYLOAD}'")
    new = _spec(root / "new", CHANGED, hostile)
    out = root / "out"
    args = ["--spec", str(new), "--since", str(old), "--out", str(out), "--site", str(SITE),
            "--no-conformance", "--no-stubs"]  # fmt: skip
    code, stdout, stderr = _build(*args)
    assert code == 0, stderr
    return Built(out, old, new, stdout)


def test_the_summary_says_what_was_compared(built: Built) -> None:
    line = next(ln for ln in built.stdout.splitlines() if "changes.json" in ln)
    assert line == (
        f"{built.out / 'changes.json'}, changes.md, changes.en.md: 24 change(s) from "
        f"{built.old} (version 4.61.0) to {built.new} (version 4.61.0): 8 breaking, "
        "1 deprecation, 11 additive, 4 documentation"
    )
    assert f"{built.out / 'site'}: built, with the Changes page" in built.stdout


def test_the_outputs_are_the_diffs_json_and_changelogs(built: Built) -> None:
    data = json.loads((built.out / "changes.json").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "spec" / "schema" / "diff.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert (data["old"]["source"], data["new"]["source"]) == (str(built.old), str(built.new))
    assert data["modules"] == {
        "demo": {"breaking": 8, "deprecation": 1, "additive": 11, "documentation": 4}
    }
    zh = (built.out / "changes.md").read_text(encoding="utf-8")
    en = (built.out / "changes.en.md").read_text(encoding="utf-8")
    assert zh.startswith(f"# 从 {built.old} 到 {built.new} 的变更\n")
    assert en.startswith(f"# Changes from {built.old} to {built.new}\n")
    assert '<a id="changes-demo-breaking"></a>' in zh and '<a id="changes-demo"></a>' in en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_site_has_the_page_in_its_navigation(built: Built, lang: str) -> None:
    html = built.html(lang)
    assert f'<h1 id="{TITLE[lang].lower()}">{TITLE[lang]}' in html
    for anchor in ("changes-demo", "changes-demo-breaking", "changes-demo-documentation"):
        assert f'id="{anchor}"' in html
    assert 'href="api/demo.html#resetthing"' in html
    assert 'href="types/thingtask.html#stop"' in html
    index = (built.out / "site" / PREFIX[lang] / "index.html").read_text(encoding="utf-8")
    nav = index[index.index('<nav class="md-nav md-nav--primary') :]
    assert re.search(rf'href="changes.html"[^>]*>\s*<span[^>]*>\s*{TITLE[lang]}\s*<', nav), lang


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_errmsg_payload_stays_text(built: Built, lang: str) -> None:
    html = built.html(lang)
    assert "<img" not in html and 'href="javascript' not in html
    assert "<code>&#60;img src=x onerror=alert(1)&#62;&#124;&#91;x&#93;(javascript:" in html


def test_a_build_without_since_has_no_changes(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built.out, out, ignore=shutil.ignore_patterns("site"))
    code, stdout, stderr = _build("--spec", str(built.new), "--out", str(out), "--no-site",
                                  "--no-stubs")  # fmt: skip
    assert code == 0, stderr
    assert not any(
        (out / name).exists() for name in ("changes.json", "changes.md", "changes.en.md")
    )
    assert "changes" not in stdout


def test_the_site_without_changes_has_no_changes_page(built_site: Path) -> None:
    assert not (built_site / "changes.html").exists()
    assert not (built_site / "en" / "changes.html").exists()
    assert "changes.html" not in (built_site / "index.html").read_text(encoding="utf-8")


def test_since_that_names_nothing_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = _build("--since", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"),
                             "--no-site", "--no-stubs")  # fmt: skip
    assert code == 2
    assert f"utsapi build --since: {tmp_path / 'nowhere'}: no such spec directory" in stderr
    assert not (tmp_path / "o" / "utsApiJson.json").exists()


def test_since_that_is_an_invalid_spec_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.read_text("utf-8").replace("returns: ThingTask", "returns: [1"), "utf-8")
    code, _, stderr = _build("--since", str(bad), "--out", str(tmp_path / "o"), "--no-site",
                             "--no-stubs")  # fmt: skip
    assert code == 3
    assert f"{bad}:" in stderr and "Traceback" not in stderr
    assert f"--since {bad}: invalid spec" in stderr


def test_the_plugin_refuses_a_changes_file_that_is_no_diff(tmp_path: Path) -> None:
    bad = tmp_path / "changes.json"
    bad.write_text('{"format": "utsapi-diff", "version": 1}', encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "UTSAPI_CHANGES": str(bad)}
    env.pop("UTSAPI_SPEC", None)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(SITE / "mkdocs.yml"),
         "-d", str(tmp_path / "site")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"utsapi: changes: {bad} is not a usable diff" in result.stderr
    assert f"{bad}: $: 'old' is a required property" in result.stderr
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------------------------------------
# In the browser


class _Page:
    def __init__(self, browser: Any, url: str) -> None:
        self.problems: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.set_default_timeout(10 * UNIT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"pageerror: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(url, wait_until="load")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def opened(browser: Any) -> Iterator[list[_Page]]:
    pages: list[_Page] = []
    yield pages
    for page in pages:
        page.page.close()


#: The page's sections: h2 texts, and per h3 the anchor just before it.
SECTIONS = """() => ({
  h2: [...document.querySelectorAll("article h2")]
    .map((h) => h.textContent.replace("¶", "").trim()),
  h3: [...document.querySelectorAll("article h3")].map((h) => [
    h.previousElementSibling && h.previousElementSibling.querySelector("a[id]")
      ? h.previousElementSibling.querySelector("a[id]").id : null,
    h.textContent.replace("¶", "").trim()]),
})"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_changes_page_renders_and_links_to_an_api(
    built: Built, serve: Any, opened: list[_Page], browser: Any, lang: str
) -> None:
    base = serve(built.out / "site")
    visit = _Page(browser, f"{base}{PREFIX[lang]}changes.html")
    opened.append(visit)
    page = visit.page
    assert page.locator("article h1").inner_text().strip().rstrip("¶").strip() == TITLE[lang]
    sections = page.evaluate(SECTIONS)
    assert sections["h2"][-1] == "demo"
    assert [anchor for anchor, _ in sections["h3"]] == [
        f"changes-demo-{cls}" for cls in ("breaking", "deprecation", "additive", "documentation")
    ]
    assert [text.split(" (")[0] for _, text in sections["h3"]] == CLASSES[lang]

    page.click('a[href="#changes-demo"]')  # the modules table links each module's section
    assert page.evaluate("location.hash") == "#changes-demo"
    errmsg = page.locator("li", has_text="700001").first
    assert PAYLOAD in errmsg.inner_text()  # shown as text, not run

    page.click('article a[href="api/demo.html#resetthing"]')
    page.wait_for_url(re.compile(r"api/demo\.html#resetthing$"))
    assert page.locator("#resetthing").is_visible()
    assert "resetThing" in page.locator("#resetthing").inner_text()
    assert visit.problems == []
