"""The Node side: finding ``node``/``npm``, installing the extractor's one dependency on first use,
running the extractor.

The extractor (``node/extract.mjs``) ships with the kit; its dependency (TypeScript, pinned
exactly by ``node/package-lock.json``) is installed with ``npm ci --ignore-scripts`` into
``<cache>/node-<first 16 hex of the lockfile's SHA-256>``, once per lockfile.  The cache is
``$UTSAPI_KIT_CACHE``, else ``$XDG_CACHE_HOME/utsapi-kit``, else ``~/.cache/utsapi-kit``.
An install goes to a temporary folder renamed into place when complete, so an interrupted one is
never used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from generator.importer.exceptions import ExtractError, NodeToolError

__all__ = [
    "EXTRACTOR",
    "LOCKFILE",
    "MIN_NODE",
    "NodeTools",
    "cache_dir",
    "ensure_extractor",
    "find_tools",
    "locked_typescript",
    "npm_ci_into",
    "run_extractor",
]

NODE_DIR = Path(__file__).with_name("node")
EXTRACTOR = NODE_DIR / "extract.mjs"
LOCKFILE = NODE_DIR / "package-lock.json"
#: The extractor's JSON format version (``format`` in its output).
FORMAT = 1
#: TypeScript 5.9 needs Node 14.17; the extractor uses nothing newer than Node 18.
MIN_NODE = (18, 0)
_INSTALL_TIMEOUT = 600.0
_TAIL = 2000


def cache_dir() -> Path:
    """The importer's cache folder (not created here)."""
    if env := os.environ.get("UTSAPI_KIT_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "utsapi-kit"


class NodeTools:
    """The ``node`` and ``npm`` executables found, and node's version."""

    def __init__(self, node: str, npm: str, version: tuple[int, ...]) -> None:
        self.node = node
        self.npm = npm
        self.version = version


def _tail(text: str | bytes | None) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return (text or "")[-_TAIL:]


def find_tools() -> NodeTools:
    """``node`` and ``npm`` from ``PATH``; :class:`NodeToolError` if either is missing or node is
    older than :data:`MIN_NODE`."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    missing = [name for name, path in (("node", node), ("npm", npm)) if path is None]
    if missing or node is None or npm is None:
        raise NodeToolError(
            f"{' and '.join(missing)} not found on PATH: the import reads TypeScript "
            f"declarations with Node.js (>= {MIN_NODE[0]}) and npm; install them "
            "(https://nodejs.org) and try again"
        )
    try:
        done = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as exc:
        raise NodeToolError(f"cannot run {node}: {exc.strerror or exc}") from None
    m = re.match(r"v?(\d+)\.(\d+)", done.stdout.strip())
    if done.returncode != 0 or m is None:
        raise NodeToolError(f"{node} --version failed", detail=_tail(done.stderr))
    version = (int(m[1]), int(m[2]))
    if version < MIN_NODE:
        raise NodeToolError(
            f"node {done.stdout.strip()} is too old: the import needs Node.js >= {MIN_NODE[0]}"
        )
    return NodeTools(node, npm, version)


def _lock_key() -> str:
    return hashlib.sha256(LOCKFILE.read_bytes()).hexdigest()[:16]


def _installed(folder: Path) -> bool:
    return (folder / "node_modules" / "typescript" / "package.json").is_file()


def ensure_extractor(tools: NodeTools, *, cache: Path | None = None) -> Path:
    """The folder holding the extractor's ``node_modules``, installed if it is not yet."""
    root = cache if cache is not None else cache_dir()
    return npm_ci_into(
        tools.npm,
        NODE_DIR,
        root / f"node-{_lock_key()}",
        installed=_installed,
        what="the extractor's TypeScript",
        timeout=_INSTALL_TIMEOUT,
    )


def npm_ci_into(
    npm: str,
    source: Path,
    target: Path,
    *,
    installed: Callable[[Path], bool],
    what: str,
    timeout: float,
) -> Path:
    """``target``, holding ``npm ci --ignore-scripts`` of ``source``'s ``package.json`` and
    ``package-lock.json``, unless ``installed(target)`` already holds.

    The install runs in a temporary folder beside ``target`` and is renamed into place, so an
    interrupted install leaves nothing a later run would take for done, and two processes
    installing at once both end with the one that finished first.  Raises
    :class:`NodeToolError` (with npm's output as ``detail``) saying ``what`` failed."""
    if installed(target):
        return target
    root = target.parent
    try:
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    except OSError as exc:
        raise NodeToolError(
            f"cannot create a folder in the cache {root}: {exc.strerror or exc} "
            "(set UTSAPI_KIT_CACHE to a writable folder)"
        ) from None
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(source / name, work / name)
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
        try:
            done = subprocess.run(
                command, cwd=work, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise NodeToolError(
                f"npm ci timed out after {timeout:.0f}s in {work}", detail=_tail(exc.stderr)
            ) from None
        except OSError as exc:
            raise NodeToolError(f"cannot run {npm}: {exc.strerror or exc}") from None
        if done.returncode != 0 or not installed(work):
            raise NodeToolError(
                f"installing {what} failed ({' '.join(command[1:])} exited {done.returncode})",
                detail=_tail(done.stderr or done.stdout),
            )
        try:
            work.rename(target)
        except OSError as exc:
            if not installed(target):  # not another process finishing first: a real failure
                raise NodeToolError(
                    f"cannot move the install into {target}: {exc.strerror or exc}"
                ) from None
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def run_extractor(
    tools: NodeTools, node_dir: Path, files: Sequence[Path], *, timeout: float = 600.0
) -> dict[str, Any]:
    """Run the extractor on ``files`` and return its JSON output (checked for its format)."""
    request = json.dumps({"files": [str(Path(f).resolve()) for f in files]})
    command = [tools.node, str(EXTRACTOR), str(node_dir)]
    try:
        done = subprocess.run(
            command, input=request, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise ExtractError(f"the extractor timed out after {timeout:.0f}s") from None
    except OSError as exc:
        raise NodeToolError(f"cannot run {tools.node}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise ExtractError(
            f"the extractor failed (exit {done.returncode})", detail=_tail(done.stderr)
        )
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise ExtractError(f"the extractor's output is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ExtractError(f"the extractor's output has format {found!r}, expected {FORMAT}")
    if data.get("typescript") != locked_typescript():
        raise ExtractError(
            f"the extractor ran TypeScript {data.get('typescript')}, the lockfile pins "
            f"{locked_typescript()}: remove {node_dir} to reinstall it"
        )
    return data


def locked_typescript() -> str:
    """The TypeScript version ``node/package-lock.json`` pins."""
    lock = json.loads(LOCKFILE.read_text("utf-8"))
    return str(lock["packages"]["node_modules/typescript"]["version"])
