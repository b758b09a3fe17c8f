"""Installing DCloud's Web runtime (npm ``@dcloudio/uni-h5``, pinned) into the kit's cache.

Nothing of DCloud's code is stored in the repository: ``package.json`` and ``package-lock.json``
beside this file pin the exact version and the integrity of every package, and
``npm ci --ignore-scripts`` installs them into ``<cache>/uni-h5-<first 16 hex of the lockfile's
SHA-256>`` on first use (the cache of :func:`generator.importer.node.cache_dir`:
``$UTSAPI_KIT_CACHE``, else ``$XDG_CACHE_HOME/utsapi-kit``, else ``~/.cache/utsapi-kit``).  An
install goes to a temporary folder renamed into place when complete, so an interrupted one is
never used; a changed lockfile is a new folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conformance.exceptions import ConformanceError
from generator.importer.exceptions import NodeToolError
from generator.importer.node import NodeTools, cache_dir, find_tools, npm_ci_into

__all__ = [
    "ADAPTER_DIR",
    "LOCKFILE",
    "RUNTIME_ENTRY",
    "AdapterSetupError",
    "NodeTools",
    "ensure_runtime",
    "find_tools",
    "install_dir",
    "pinned_version",
]

ADAPTER_DIR = Path(__file__).resolve().parent
LOCKFILE = ADAPTER_DIR / "package-lock.json"
PACKAGE = "@dcloudio/uni-h5"
#: The uni-app x build of the runtime (the uni-app x compiler aliases ``@dcloudio/uni-h5`` to it).
RUNTIME_ENTRY = "node_modules/@dcloudio/uni-h5/dist-x/uni-h5.es.js"
_INSTALL_TIMEOUT = 900.0


class AdapterSetupError(ConformanceError):
    """The adapter cannot be set up: a tool is missing or the install failed.  ``detail`` holds
    the tool's output, if any."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        if not self.detail:
            return self.message
        return f"{self.message}\n{self.detail.rstrip()}"


def pinned_version() -> str:
    """The ``@dcloudio/uni-h5`` version the lockfile pins."""
    lock = json.loads(LOCKFILE.read_text("utf-8"))
    return str(lock["packages"][f"node_modules/{PACKAGE}"]["version"])


def install_dir(*, cache: Path | None = None) -> Path:
    """Where the pinned install lives (it may not exist yet)."""
    key = hashlib.sha256(LOCKFILE.read_bytes()).hexdigest()[:16]
    return (cache if cache is not None else cache_dir()) / f"uni-h5-{key}"


def _installed(folder: Path) -> bool:
    manifest = folder / "node_modules" / PACKAGE / "package.json"
    if not manifest.is_file() or not (folder / RUNTIME_ENTRY).is_file():
        return False
    try:
        version = json.loads(manifest.read_text("utf-8")).get("version")
    except (OSError, ValueError):
        return False
    return bool(version == pinned_version())


def tools() -> NodeTools:
    """``node`` and ``npm``, or :class:`AdapterSetupError` saying which is missing."""
    try:
        return find_tools()
    except NodeToolError as exc:
        raise AdapterSetupError(
            str(exc).replace("the import reads TypeScript declarations", "the uni-h5 adapter runs")
        ) from None


def ensure_runtime(*, cache: Path | None = None, npm: str | None = None) -> Path:
    """The folder whose ``node_modules`` holds the pinned ``@dcloudio/uni-h5``, installed with
    ``npm ci --ignore-scripts`` if it is not there yet (the importer's installer)."""
    target = install_dir(cache=cache)
    if _installed(target):
        return target
    try:
        return npm_ci_into(
            npm if npm is not None else tools().npm,
            ADAPTER_DIR,
            target,
            installed=_installed,
            what=f"{PACKAGE}@{pinned_version()}",
            timeout=_INSTALL_TIMEOUT,
        )
    except NodeToolError as exc:
        raise AdapterSetupError(exc.message, detail=exc.detail) from None
