"""The Chromium driver: DCloud's Web runtime in real headless Chromium, bridged to the driver
protocol (``docs/driver-protocol.md``) on this process's stdin/stdout.

A page is served from ``127.0.0.1`` (port 0) by a small static server: the page itself, the
adapter's ``page.mjs``/``protocol.mjs`` and the pinned install's ``node_modules`` (JavaScript files
only).  Its import map resolves the runtime's bare imports as the uni-app x compiler does (``vue``
is DCloud's ``@dcloudio/uni-h5-vue`` dist-x build; the others each package's ``module`` entry), and
a classic script defines ``process.env`` with what the compiler replaces in a release build.
Chromium (the system's, never a downloaded one) is started headless on the page's URL with a
throw-away profile; the page connects back to a WebSocket bridge on ``127.0.0.1`` (port 0), which
carries each harness line to the page and each line the page writes to stdout, in order.  No
browser automation is needed: the page itself speaks the protocol.  (Playwright was the first
bridge: its own driver process took 1 to 6 s to start on a loaded machine, so four drivers missed
the harness's 10 s wait for the hello; and a 1 MiB ``send`` crossed three JSON hops.)
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import websockets.asyncio.server
import websockets.exceptions
from websockets.asyncio.server import ServerConnection

from conformance.adapters.uni_h5.install import ADAPTER_DIR, AdapterSetupError

__all__ = ["ChromiumSetupError", "find_chromium", "import_map", "page_html", "serve"]

#: Bare specifiers the runtime and its dependencies import, and the package that provides each.
#: ``vue`` is aliased to DCloud's Vue build, as the uni-app x compiler aliases it.
BARE_IMPORTS = {
    "@dcloudio/uni-h5": ("@dcloudio/uni-h5", "dist-x/uni-h5.es.js"),
    "vue": ("@dcloudio/uni-h5-vue", "dist-x/vue.runtime.esm.js"),
    "@dcloudio/uni-shared": ("@dcloudio/uni-shared", None),
    "@dcloudio/uni-i18n": ("@dcloudio/uni-i18n", None),
    "@vue/shared": ("@vue/shared", None),
    "vue-router": ("vue-router", None),
    "@vue/devtools-api": ("@vue/devtools-api", None),
}
#: What the uni-app x compiler defines for a release build (it replaces ``process.env.*``).
PROCESS_ENV = {"NODE_ENV": "production", "UNI_APP_X": "true"}
ADAPTER_FILES = ("page.mjs", "protocol.mjs")
_READY_TIMEOUT_S = 30.0
_BYE_GRACE_S = 2.0


class ChromiumSetupError(AdapterSetupError):
    """Chromium is missing or exited, or the page did not load the runtime."""


def find_chromium(executable: str | None = None) -> str:
    """The Chromium binary: ``executable``, else ``$UTSAPI_CHROMIUM``, else ``chromium`` or
    ``chromium-browser`` on ``PATH``."""
    wanted = executable or os.environ.get("UTSAPI_CHROMIUM")
    candidates = [wanted] if wanted else ["chromium", "chromium-browser"]
    for name in candidates:
        found = shutil.which(name)
        if found is not None:
            return found
    raise ChromiumSetupError(
        f"no Chromium found ({', '.join(candidates)}): install Debian's chromium, or name the "
        "binary with --executable or UTSAPI_CHROMIUM (a browser is never downloaded)"
    )


def import_map(install: Path) -> dict[str, dict[str, str]]:
    """The page's import map for the install in ``install`` (URLs under ``/node_modules/``)."""
    imports: dict[str, str] = {}
    for specifier, (package, fixed) in BARE_IMPORTS.items():
        folder = install / "node_modules" / package
        entry = fixed
        if entry is None:
            try:
                manifest = json.loads((folder / "package.json").read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise ChromiumSetupError(f"cannot read {folder / 'package.json'}: {exc}") from None
            module = manifest.get("module")
            if not isinstance(module, str):
                raise ChromiumSetupError(f"{package} names no ES module entry ('module')")
            entry = module.removeprefix("./")
        if not (folder / entry).is_file():
            raise ChromiumSetupError(f"{folder / entry} is missing: reinstall the adapter")
        imports[specifier] = f"/node_modules/{package}/{entry}"
    return {"imports": imports}


def _script_json(value: object) -> str:
    """JSON that can sit inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_html(install: Path, config: dict[str, str]) -> str:
    """The driver page."""
    process = f"window.process = {{ env: {_script_json(PROCESS_ENV)} }};"
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
        f"<title>{html.escape('utsapi uni-h5 driver')}</title>\n"
        f'<script type="importmap">{_script_json(import_map(install))}</script>\n'
        f"<script>{process}</script>\n"
        f'<script id="utsapi-config" type="application/json">{_script_json(config)}</script>\n'
        '<script type="module" src="/adapter/page.mjs"></script>\n'
        "</head><body></body></html>\n"
    )


def _handler(install: Path, page: Callable[[], str]) -> type[BaseHTTPRequestHandler]:
    modules = (install / "node_modules").resolve()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/":
                self._send(HTTPStatus.OK, page().encode("utf-8"), "text/html; charset=utf-8")
                return
            file: Path | None = None
            if path.startswith("/adapter/") and path[len("/adapter/") :] in ADAPTER_FILES:
                file = ADAPTER_DIR / path[len("/adapter/") :]
            elif path.startswith("/node_modules/") and path.endswith((".js", ".mjs")):
                candidate = (modules / path[len("/node_modules/") :]).resolve()
                if candidate.is_relative_to(modules) and candidate.is_file():
                    file = candidate
            if file is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
                return
            self._send(HTTPStatus.OK, file.read_bytes(), "text/javascript; charset=utf-8")

    return Handler


def _write_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _runtime_version(install: Path) -> str:
    manifest = install / "node_modules" / "@dcloudio" / "uni-h5" / "package.json"
    return str(json.loads(manifest.read_text("utf-8"))["version"])


class _Bridge:
    """The page's end of the protocol: one WebSocket connection from the page."""

    def __init__(self) -> None:
        self.connection: ServerConnection | None = None
        self.ready = asyncio.Event()
        self.done = asyncio.Event()
        self.failure: str | None = None

    async def handle(self, connection: ServerConnection) -> None:
        if self.connection is not None:
            await connection.close(1008, "one page only")
            return
        self.connection = connection
        async for message in connection:
            text = message if isinstance(message, str) else message.decode("utf-8", "replace")
            if text.startswith("{"):
                _write_line(text)
            elif text == "ready":
                self.ready.set()
            elif text == "done":
                self.done.set()
            elif text.startswith("failed "):
                self.failure = text[len("failed ") :]
                self.ready.set()
        self.done.set()


def chromium_command(executable: str, profile_dir: Path, url: str) -> list[str]:
    """The command line that opens ``url`` in headless Chromium with a throw-away profile."""
    command = [
        executable,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--mute-audio",
        "--log-level=3",
        f"--user-data-dir={profile_dir}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return [*command, url]


async def _serve(install: Path, executable: str) -> int:
    bridge = _Bridge()
    config = {"version": _runtime_version(install), "bridge": ""}
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), _handler(install, lambda: page_html(install, config))
    )
    threading.Thread(target=server.serve_forever, name="uni-h5-page", daemon=True).start()
    profile_dir = Path(tempfile.mkdtemp(prefix="utsapi-uni-h5-"))
    try:
        async with websockets.asyncio.server.serve(
            bridge.handle, "127.0.0.1", 0, max_size=None, compression=None
        ) as bridge_server:
            config["bridge"] = str(next(iter(bridge_server.sockets)).getsockname()[1])
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            try:
                browser = subprocess.Popen(
                    chromium_command(executable, profile_dir, url),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=sys.stderr,
                )
            except OSError as exc:
                raise ChromiumSetupError(
                    f"cannot start {executable}: {exc.strerror or exc}"
                ) from None
            try:
                await _drive(bridge, browser)
            finally:
                _stop(browser)
    finally:
        server.shutdown()
        server.server_close()
        await _remove(profile_dir)
    return 0


async def _drive(bridge: _Bridge, browser: subprocess.Popen[bytes]) -> None:
    stdin = _Input()
    tasks: list[asyncio.Future[Any]] = [asyncio.create_task(stdin.read())]
    try:
        if not await _wait_ready(bridge, browser, stdin.ended):
            return  # the harness ended the run before the page was ready
        assert bridge.connection is not None
        tasks.append(asyncio.create_task(_relay(bridge.connection, stdin.lines)))
        tasks.append(asyncio.ensure_future(bridge.done.wait()))
        await asyncio.wait(tasks[1:], return_when=asyncio.FIRST_COMPLETED)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bridge.done.wait(), _BYE_GRACE_S)
    finally:
        for task in tasks:
            task.cancel()


async def _wait_ready(
    bridge: _Bridge, browser: subprocess.Popen[bytes], ended: asyncio.Event
) -> bool:
    """Until the page has loaded the runtime (True) or the input ended first (False); a clear
    error if it cannot load."""
    deadline = asyncio.get_running_loop().time() + _READY_TIMEOUT_S
    while not bridge.ready.is_set():
        if ended.is_set():
            return False
        if browser.poll() is not None:
            raise ChromiumSetupError(f"Chromium exited with status {browser.returncode}")
        if asyncio.get_running_loop().time() > deadline:
            raise ChromiumSetupError(
                f"the page did not load the runtime within {_READY_TIMEOUT_S:g} s"
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bridge.ready.wait(), 0.1)
    if bridge.failure is not None or bridge.connection is None:
        raise ChromiumSetupError(bridge.failure or "the page did not connect")
    return True


async def _remove(folder: Path) -> None:
    """Remove the browser's profile; its helper processes may still be writing for a moment after
    the browser process ended, so a folder that comes back is removed again (bounded)."""
    for _ in range(40):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        await asyncio.sleep(0.05)


def _stop(browser: subprocess.Popen[bytes]) -> None:
    if browser.poll() is not None:
        return
    browser.terminate()
    try:
        browser.wait(_BYE_GRACE_S)
    except subprocess.TimeoutExpired:
        browser.kill()
        browser.wait()


class _Input:
    """Stdin, read from the start: lines that come while Chromium starts wait here.  Input that
    ends (``bye`` or end of file) before the page is ready means the harness gave up waiting for
    the hello: the driver ends at once, cleaning up, instead of being killed."""

    def __init__(self) -> None:
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        self.ended = asyncio.Event()

    async def read(self) -> None:
        reader = asyncio.StreamReader(limit=1 << 30)
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
        while True:
            raw = await reader.readline()
            if not raw:
                self.lines.put_nowait(None)
                self.ended.set()
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.lines.put_nowait(line)
            if _is_bye(line):
                self.ended.set()
                return


async def _relay(connection: ServerConnection, lines: asyncio.Queue[str | None]) -> None:
    """Stdin lines to the page until ``bye``, end of input or the page going away."""
    try:
        while True:
            line = await lines.get()
            if line is None:
                await connection.send("E")
                return
            await connection.send("L" + line)
            if _is_bye(line):
                return
    except websockets.exceptions.ConnectionClosed:
        return


def _is_bye(line: str) -> bool:
    try:
        message = json.loads(line)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") == "bye"


def serve(install: Path, *, executable: str | None = None) -> int:
    """Serve the driver protocol on stdin/stdout until ``bye`` or end of input."""
    return asyncio.run(_serve(install, find_chromium(executable)))
