"""Issue 12.1: no spec text reaches the site as markup.  Every free-text string of the module
schema (found by walking ``spec/schema/module.schema.json``: :mod:`tests.hostile.schema_walk`)
holds a payload of its own; the site is built; headless Chromium opens every page of both
languages and checks that no script ran, no element carries a payload's handler, and every
payload the page shows is shown as the text it is.

The carrier module ``fixtures/carrier.yaml`` is valid and uses every property of the schema;
``test_the_carrier_holds_every_free_text_field`` fails when the schema gains a free-text field
the carrier does not fill.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import run as cli_run
from tests.hostile.schema_walk import fill, free_text_paths
from tests.site.support import CHROMIUM, CHROMIUM_ARGS, SITE, SPEC, UNIT_MS

CARRIER = Path(__file__).with_name("fixtures") / "carrier.yaml"

_NOT_RENDERED = "not rendered by the mkdocs flavour (yet): the site loses this text"
#: Free-text fields no page shows, and why: a payload there cannot be checked in the browser.
#: An entry the site starts to show fails the test, so the list goes stale visibly.
NOT_ON_THE_SITE = {
    "provenance.package": "where an import came from: the typed package's comments only",
    "provenance.version": "where an import came from: the typed package's comments only",
    "provenance.file": "where an import came from: the typed package's comments only",
    "import-differences[].reason": "read by the import cross-check test, not rendered",
    "sources[].label": "a module's sources are data for reviewers, not rendered",
    "notes[].text.zh": "the dcloud flavour's notes (the site's pages have their own text)",
    "notes[].text.en": "the dcloud flavour's notes (the site's pages have their own text)",
    "description.zh": _NOT_RENDERED,
    "description.en": _NOT_RENDERED,
    "apis[].deprecated.text.zh": "the replacement link is shown instead",
    "apis[].deprecated.text.en": "the replacement link is shown instead",
    "apis[].examples[].title.zh": _NOT_RENDERED + " (the tab is named after the language)",
    "apis[].examples[].title.en": _NOT_RENDERED + " (the tab is named after the language)",
    "types.*.methods[].examples[].title.zh": _NOT_RENDERED,
    "types.*.methods[].examples[].title.en": _NOT_RENDERED,
    "apis[].params[].default_text": _NOT_RENDERED + " (the default is shown)",
    "types.*.fields[].default_text": _NOT_RENDERED + " (the default is shown)",
    "types.*.methods[].params[].default_text": _NOT_RENDERED + " (the default is shown)",
    "apis[].params[].deprecated.text.zh": _NOT_RENDERED,
    "apis[].params[].deprecated.text.en": _NOT_RENDERED,
    "types.*.fields[].deprecated.text.zh": _NOT_RENDERED,
    "types.*.fields[].deprecated.text.en": _NOT_RENDERED,
    "types.*.methods[].params[].deprecated.text.zh": _NOT_RENDERED,
    "types.*.methods[].params[].deprecated.text.en": _NOT_RENDERED,
    "types.*.codes[].deprecated.text.zh": _NOT_RENDERED,
    "types.*.codes[].deprecated.text.en": _NOT_RENDERED,
    "types.*.methods[].tutorial[].label.zh": _NOT_RENDERED + " (a method's see-also links)",
    "types.*.methods[].tutorial[].label.en": _NOT_RENDERED + " (a method's see-also links)",
    "types.*.values[].value": _NOT_RENDERED + " (an alias's legal values)",
    "types.*.values[].description.zh": _NOT_RENDERED + " (an alias's legal values)",
    "types.*.values[].description.en": _NOT_RENDERED + " (an alias's legal values)",
}
#: Places in the carrier whose text no page shows though the same field elsewhere is shown.
NOT_SHOWN_HERE = {
    "types.CarryTask.fields": _NOT_RENDERED + " (an interface's own properties)",
}


def head(n: int) -> str:
    """The part of payload ``n`` that must show as text, character for character."""
    return (
        f"[{n}] <script>alert({n})</script> <img src=x onerror=alert({n})> </table> | "
        f"{{{{ 7*7 }}}} {{% if true %}}J{{% endif %}} <!-- UTSAPIJSON.carryThing.name --> "
        "<!-- utsapi:conformance-results -->"
    )


def payload(n: int) -> str:
    """Markup, table breakers, template syntax, a placeholder, a code span, a fence, a newline,
    NUL, an ANSI escape and an RTL override; ``END<n>`` marks where it shows."""
    return f"{head(n)} `tick|{n}` ```fence``` \x00 \x1b[31m \u202e\nEND{n}"


def test_the_carrier_holds_every_free_text_field() -> None:
    document = yaml.safe_load(CARRIER.read_text(encoding="utf-8"))
    paths = free_text_paths()
    _, where = fill(document, payload)
    assert len(paths) >= 70  # a walk that finds nothing would pass everything below
    assert paths - set(where.values()) == set(), "add these to fixtures/carrier.yaml"
    assert set(NOT_ON_THE_SITE) <= paths, "an allowance for a field the schema no longer has"


class Hostile:
    def __init__(self, site: Path, where: dict[int, str], located: dict[int, str]) -> None:
        self.site = site
        self.where = where
        self.located = located


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    root = tmp_path_factory.mktemp("hostile")
    spec = root / "spec"
    (spec / "modules").mkdir(parents=True)
    shutil.copy(SPEC / "modules" / "websocket.yaml", spec / "modules")  # the written pages'
    shutil.copytree(SPEC / "rules", spec / "rules")
    located: dict[int, str] = {}
    document, where = fill(yaml.safe_load(CARRIER.read_text(encoding="utf-8")), payload, located)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)
    (spec / "modules" / "carrier.yaml").write_text(text, encoding="utf-8")
    out = root / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli_run(["validate", str(spec)], stdout, stderr)
    assert code == 0, stdout.getvalue() + stderr.getvalue()  # the schema lets each payload in
    args = ["build", "--spec", str(spec), "--out", str(out), "--site", str(SITE),
            "--no-conformance", "--no-stubs"]  # fmt: skip
    code = cli_run(args, stdout, stderr)
    assert code == 0, stdout.getvalue()[-3000:] + stderr.getvalue()[-3000:]
    return Hostile(out / "site", where, located)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only the browser tests

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


#: Elements a payload could have made: scripts, inline handlers, injected images and iframes.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith("on")) found.push(el.tagName + " " + attr);
    }
  }
  document.querySelectorAll("script").forEach((s) => {
    if (s.textContent.includes("alert(")) found.push("script " + s.textContent.slice(0, 80));
  });
  document.querySelectorAll("img[src='x'], iframe").forEach((e) => found.push(e.outerHTML));
  return found;
}"""


@pytest.mark.browser
def test_every_payload_is_text_on_every_page(hostile: Hostile, browser: Any) -> None:
    pages = sorted(hostile.site.rglob("*.html"))
    assert len(pages) > 40
    shown: set[int] = set()
    dialogs: list[str] = []
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(10 * UNIT_MS)
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: pageerror {exc}"))
    try:
        for path in pages:
            page.goto(path.as_uri(), wait_until="load")
            where = str(path.relative_to(hostile.site))
            problems.extend(f"{where}: {found}" for found in page.evaluate(INJECTED))
            text = page.evaluate("document.title + '\\n' + document.body.innerText")
            for n in {int(m) for m in re.findall(r"END(\d+)", text)}:
                shown.add(n)
                if head(n) not in text:
                    problems.append(f"{where}: payload {n} ({hostile.where[n]}) not shown as text")
    finally:
        page.close()
    assert dialogs == []
    assert problems == []
    on_site = {hostile.where[n] for n in shown}
    hidden = {path for path in hostile.where.values() if path not in on_site}
    assert hidden == set(NOT_ON_THE_SITE), "a field the site shows no longer, or newly"
    missed = {
        hostile.located[n]
        for n in hostile.where
        if n not in shown and hostile.where[n] not in NOT_ON_THE_SITE
    }
    allowed = {m for m in missed if any(m.startswith(place) for place in NOT_SHOWN_HERE)}
    assert missed == allowed, "a text no page shows"
    assert {p for p in NOT_SHOWN_HERE if any(m.startswith(p) for m in missed)} == set(
        NOT_SHOWN_HERE
    ), "an allowance nothing uses"
