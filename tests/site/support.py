"""Fixtures of the site tests: MkDocs builds of ``site/`` into temporary folders, a local static
server for the built site (127.0.0.1, port 0) and headless Debian Chromium driven by Playwright.

Nothing here reaches the internet: the site sets ``theme.font: false`` and the browser is started
with background networking off.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
SPEC = ROOT / "spec"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: One unit of waiting in the browser tests, in milliseconds; timeouts are multiples of it.
UNIT_MS = 1000


def mkdocs_build(
    config: Path, site_dir: Path, *, spec: Path | None = None, report: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``config`` into ``site_dir``, output captured.

    ``spec`` and ``report`` reach the plugin through ``UTSAPI_SPEC`` / ``UTSAPI_REPORT``, which
    ``site/mkdocs.yml`` reads with ``!ENV``.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("UTSAPI_SPEC", None)
    env.pop("UTSAPI_REPORT", None)
    if spec is not None:
        env["UTSAPI_SPEC"] = str(spec)
    if report is not None:
        env["UTSAPI_REPORT"] = str(report)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config),
         "-d", str(site_dir)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from ``site/mkdocs.yml`` with the bundled spec, once per session."""
    out = tmp_path_factory.mktemp("site")
    result = mkdocs_build(SITE / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """``serve(folder)`` -> base URL of a static server for ``folder`` on 127.0.0.1."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium; the browser tests skip (with the reason) when it is missing.

    Per module, not per session: Playwright's sync API keeps an event loop running on the main
    thread while it is open, and the asyncio tests that run later in the same session
    (``tests/conformance/driver``) need ``asyncio.run``.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only the browser tests

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests leave their screenshots and measured heights: the folder named by
    ``UTSAPI_SCREENSHOTS``, else a temporary one.  Not ``build/``: ``utsapi build`` writes only
    into a folder it made (its marker file), and ``build/`` is its default output."""
    named = os.environ.get("UTSAPI_SCREENSHOTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A copy of the bundled spec's modules and rules, to edit."""
    target = tmp_path / "spec"
    for part in ("modules", "rules"):
        if (SPEC / part).is_dir():
            shutil.copytree(SPEC / part, target / part)
    return target


_CASE_DEFAULTS: dict[str, Any] = {
    "case": None,
    "apis": ["connectSocket"],
    "sources": [],
    "where": "rules/websocket.yaml:1",
    "failures": [],
    "allowance": None,
    "logs": [],
}


def sample_report() -> dict[str, Any]:
    """A small valid report (``spec/schema/report.schema.json``), as ``conformance run --json``."""
    return {
        "format": "utsapi-conformance-report",
        "version": 1,
        "run": {
            "started": "2026-01-01T00:00:00+00:00",
            "duration_s": 0.21,
            "harness": {"name": "utsapi-kit", "version": "0.1.0"},
            "python": "3.11.2",
            "platform": "Linux",
            "profile": "strict",
            "implementation": {"name": "reference_impl:uni"},
        },
        "summary": {
            "total": 2,
            "PASS": 1,
            "FAIL": 1,
            "WARN": 0,
            "SKIP": 0,
            "ERROR": 0,
            "conformant": False,
        },
        "results": [
            {
                "id": "connect.ok",
                "rule": "connect.ok",
                "level": "MUST",
                "verdict": "PASS",
                "title": {"zh": "连接成功", "en": "Connects"},
                "duration_s": 0.01,
                "reason": "",
                **_CASE_DEFAULTS,
            },
            {
                "id": "close.code[1000]",
                "rule": "close.code",
                "level": "SHOULD",
                "verdict": "FAIL",
                "title": {"zh": "关闭码", "en": "Close code"},
                "duration_s": 0.2,
                "reason": "expected <code> | 1000",
                **_CASE_DEFAULTS,
            },
        ],
        "stale_allowances": [],
        "harness_errors": [],
    }
