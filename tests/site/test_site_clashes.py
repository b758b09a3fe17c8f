"""The site of imported modules whose names clash (issue 10): every link lands on the anchor the
page really has, and every API is shown on a page.

``fixtures/clash``: in ``alpha``, ``gettask``/``getTask`` and ``TaskA.abort``/``TaskB.abort``
share slugs, so the second of each gets ``-2`` (:func:`generator.spec.model.build_module`);
``fetchThing`` is declared by ``alpha`` and ``beta`` and shown from ``alpha``; ``configAlpha`` is on
no page of the grouping.  The build runs ``mkdocs build --strict`` (a link to a missing anchor is a
warning, so a failure); the tests also check where each link goes, since a link to the wrong API
that has an anchor would pass ``--strict``.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import run as cli_run
from generator.flavors.mkdocs import api_links, site_pages
from generator.spec import load_spec
from generator.spec.overlay import load_overlay
from tests.site.support import SITE, SPEC

FIXTURE = Path(__file__).with_name("fixtures") / "clash"


@pytest.fixture(scope="module")
def spec_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = tmp_path_factory.mktemp("clash") / "spec"
    shutil.copytree(FIXTURE, spec)
    shutil.copy(SPEC / "modules" / "websocket.yaml", spec / "modules")
    return spec


@pytest.fixture(scope="module")
def site(spec_dir: Path) -> Path:
    out = spec_dir.parent / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    args = ["build", "--spec", str(spec_dir), "--out", str(out), "--site", str(SITE),
            "--no-conformance", "--no-stubs"]  # fmt: skip
    code = cli_run(args, stdout, stderr)
    assert code == 0, stdout.getvalue()[-3000:] + stderr.getvalue()[-3000:]
    return out / "site"


def _hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def _ids(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', html))


def test_every_api_is_on_one_page_and_a_shared_api_on_the_first_that_lists_it(
    spec_dir: Path,
) -> None:
    spec = load_spec([spec_dir])
    pages = site_pages(spec, load_overlay(spec_dir).pages)
    shown = {(page.module, api) for page in pages for api in page.apis}
    assert ("alpha", "configAlpha") in shown  # on no page of the grouping: the module's own
    assert [p.path for p in pages if p.apis == ("configAlpha",)] == ["api/alpha"]
    assert ("beta", "fetchThing") not in shown  # alpha's page shows it
    links = api_links(spec, pages)
    assert links["alpha.getTask"] == "api/get-task.md#gettask-2"
    assert links["alpha.gettask"] == "api/get-task.md#gettask"
    assert links["beta.fetchThing"] == links["alpha.fetchThing"] == "api/fetch-thing.md#fetchthing"
    assert links["alpha.configAlpha"] == "api/alpha.md#configalpha"
    written = api_links(spec, pages, {"websocket": "websocket.md"})
    assert written["websocket.connectSocket"] == "websocket.md#connectsocket"


@pytest.mark.parametrize("lang_dir", ["", "en/"])
def test_used_by_links_land_on_the_anchor_each_page_has(site: Path, lang_dir: str) -> None:
    types = site / lang_dir / "types"
    expected = {
        "taskoptions": "../api/get-task.html#gettask-2",
        "abortoptions": "taskb.html#abort-2",
        "configoptions": "../api/alpha.html#configalpha",
        "betathingoptions": "../api/fetch-thing.html#fetchthing",
    }
    for page, href in expected.items():
        assert href in _hrefs((types / f"{page}.html").read_text(encoding="utf-8")), page
        target, _, anchor = href.partition("#")
        assert anchor in _ids((types / target).read_text(encoding="utf-8")), href
    assert "abort-2" in _ids((types / "taskb.html").read_text(encoding="utf-8"))
    assert "abort" in _ids((types / "taska.html").read_text(encoding="utf-8"))
