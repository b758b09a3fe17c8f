"""The npm package: fetching it (``npm pack``) into the cache, and finding its module files.

Fetching: ``npm pack NAME@VERSION`` into ``<cache>/packages/``; the tarball's SHA-512 is checked
against the pinned integrity (:data:`PINNED`) or, for a version without a pin, against the one
npm reports; the tarball is unpacked (``tarfile``'s ``data`` filter: no links out, no devices)
into ``<cache>/packages/<name>-<version>/``, renamed into place when complete.

Module files: ``types/uni/<tree>/lib/<folder>/utssdk/interface.d.ts`` for the trees of
:data:`MODULE_TREES`; ``uts-plugin-component`` is not read (its ``lib`` holds component types and
cut-down copies of api modules, not the docs' source).

**The duplicate rule.**  A file whose bytes are identical to a file already kept is left out,
and the kept copy is the first in this order: tree ``uts-plugin-api``, then ``uts-plugin-biz``,
then ``uts-plugin-extend``; inside a tree, folders in code-point order.  Identical bytes mean
nothing is lost whichever copy is kept; the api copy wins because ``uts-plugin-api`` is the tree
of the general ``uni.*`` API (``types/uni/index.d.ts`` exports it first, and the docs' module
sources are its folders), so a module keeps the same key whether or not a biz package
re-publishes it.  Files with the same folder name but different bytes (``uni-camera`` in api and
biz, ``uni-canvas`` in api and extend) are different modules and both kept, as ``api/uni-camera``
and ``biz/uni-camera``.  An empty file (only white space) declares nothing and is left out as
``empty``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.importer.exceptions import NodeToolError, PackageError
from generator.importer.model import ModuleSource, SkippedModule
from generator.importer.node import NodeTools, cache_dir

__all__ = [
    "GLOBAL_FILES",
    "IGNORED_TREES",
    "MODULE_TREES",
    "PINNED",
    "ModuleFiles",
    "PackageRef",
    "fetch_package",
    "find_global_files",
    "find_module_files",
    "package_root",
    "parse_source",
    "unpack_tarball",
]


@dataclass(frozen=True)
class PackageRef:
    """An npm package version, with the ``dist.integrity`` it must have (``None``: not pinned)."""

    name: str
    version: str
    integrity: str | None = None

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


#: The version the kit is built against: ``npm view @dcloudio/uni-app-x@0.7.122 dist.integrity``.
PINNED = PackageRef(
    "@dcloudio/uni-app-x",
    "0.7.122",
    "sha512-IBK26/qVM/D0IJji424vCeB6T8NNHBKeeKs0UUujArANrg86JxoQK8JgpqNOmljwAA9wD0T9/3E/GdMa11fpAw==",
)

#: The trees read, in the order that decides which byte-identical copy is kept.
MODULE_TREES: tuple[tuple[str, str], ...] = (
    ("uts-plugin-api", "api"),
    ("uts-plugin-biz", "biz"),
    ("uts-plugin-extend", "extend"),
)
IGNORED_TREES: tuple[str, ...] = ("uts-plugin-component",)
#: Declarations outside the module trees that the docs document as APIs (``getApp``,
#: ``getCurrentPages``, ``uni.env``): key, path under the package folder.
GLOBAL_FILES: tuple[tuple[str, str], ...] = (
    ("global/app", "types/app.d.ts"),
    ("global/page", "types/page.d.ts"),
    ("global/env", "types/uni/env/index.d.ts"),
)
_MODULE_FILE = "utssdk/interface.d.ts"


def _integrity_of(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def _slug(ref: PackageRef) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{ref.name.lstrip('@')}-{ref.version}")


def fetch_package(tools: NodeTools, ref: PackageRef, *, cache: Path | None = None) -> Path:
    """The unpacked package folder (the one holding ``package.json``), fetched if not cached."""
    root = (cache if cache is not None else cache_dir()) / "packages"
    target = root / _slug(ref)
    if (target / "package" / "package.json").is_file():
        return target / "package"
    work = _work_folder(root, target)
    try:
        command = [tools.npm, "pack", str(ref), "--json", "--pack-destination", str(work)]
        try:
            done = subprocess.run(
                command, cwd=work, capture_output=True, text=True, timeout=600, check=False
            )
        except subprocess.TimeoutExpired:
            raise PackageError(f"npm pack {ref} timed out") from None
        except OSError as exc:
            raise NodeToolError(f"cannot run {tools.npm}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            raise PackageError(
                f"npm pack {ref} failed (exit {done.returncode})", detail=done.stderr[-2000:]
            )
        try:
            info = json.loads(done.stdout)[0]
            tarball = work / info["filename"]
            reported = info["integrity"]
        except (json.JSONDecodeError, LookupError, TypeError):
            raise PackageError(
                f"npm pack {ref}: unexpected output", detail=done.stdout[-2000:]
            ) from None
        expected = ref.integrity or reported
        actual = _integrity_of(tarball)
        if actual != expected:
            raise PackageError(
                f"{ref}: integrity mismatch: expected {expected}, the tarball has {actual}"
            )
        _unpack(tarball, work / "unpacked", target, str(ref))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target / "package"


def _work_folder(root: Path, target: Path) -> Path:
    try:
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    except OSError as exc:
        raise PackageError(
            f"cannot create a folder in the cache {root}: {exc.strerror or exc} "
            "(set UTSAPI_KIT_CACHE to a writable folder)"
        ) from None


def _unpack(tarball: Path, unpacked: Path, target: Path, label: str) -> None:
    """Unpack ``tarball`` into ``unpacked``, then move that to ``target`` (if no other process
    did it first)."""
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            tar.extractall(unpacked, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise PackageError(f"{label}: cannot unpack {tarball.name}: {exc}") from None
    if not (unpacked / "package" / "package.json").is_file():
        raise PackageError(f"{label}: the tarball has no package/package.json")
    try:
        unpacked.rename(target)
    except OSError as exc:
        if not (target / "package" / "package.json").is_file():
            raise PackageError(f"cannot move {label} into {target}: {exc}") from None


def unpack_tarball(tarball: Path, *, cache: Path | None = None) -> Path:
    """The package folder of a local ``.tgz`` (as ``npm pack`` writes it), unpacked once into
    ``<cache>/packages/tgz-<first 16 hex of its SHA-256>/``."""
    try:
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()[:16]
    except OSError as exc:
        raise PackageError(f"{tarball}: cannot read: {exc.strerror or exc}") from None
    root = (cache if cache is not None else cache_dir()) / "packages"
    target = root / f"tgz-{digest}"
    if not (target / "package" / "package.json").is_file():
        work = _work_folder(root, target)
        try:
            _unpack(tarball, work / "unpacked", target, str(tarball))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target / "package"


def parse_source(text: str) -> PackageRef | Path:
    """``npm:NAME@VERSION`` as a :class:`PackageRef` (pinned to :data:`PINNED`'s integrity when
    it names that version), anything else as a path (a ``.tgz`` or a folder)."""
    if not text.startswith("npm:"):
        return Path(text)
    spec = text.removeprefix("npm:")
    at = spec.rfind("@")
    if at <= 0:
        raise PackageError(f"{text}: expected npm:NAME@VERSION (an exact version)")
    name, version = spec[:at], spec[at + 1 :]
    if not re.fullmatch(r"\d+\.\d+\.\d+(?:[-+][\w.-]+)?", version):
        raise PackageError(f"{text}: {version!r} is not an exact version (ranges are not pinned)")
    pinned = (name, version) == (PINNED.name, PINNED.version)
    return PackageRef(name, version, PINNED.integrity if pinned else None)


def package_root(path: Path) -> Path:
    """The package folder for ``path``: the folder itself if it holds ``types/uni``, or its
    ``package/`` subfolder (an unpacked tarball)."""
    for candidate in (path, path / "package"):
        if (candidate / "types" / "uni").is_dir():
            return candidate
    raise PackageError(f"{path}: no types/uni folder (not an unpacked @dcloudio/uni-app-x)")


@dataclass(frozen=True)
class ModuleFiles:
    """The module files to read, and the ones left out by the duplicate rule."""

    selected: tuple[ModuleSource, ...]
    skipped: tuple[SkippedModule, ...]


def find_module_files(root: Path) -> ModuleFiles:
    """The module files of a package folder, with the duplicate rule of the module docstring
    applied."""
    root = package_root(root)
    selected: list[ModuleSource] = []
    skipped: list[SkippedModule] = []
    kept: dict[str, str] = {}
    for tree, short in MODULE_TREES:
        lib = root / "types" / "uni" / tree / "lib"
        if not lib.is_dir():
            continue
        for folder in sorted(p.name for p in lib.iterdir() if p.is_dir()):
            path = lib / folder / _MODULE_FILE
            if not path.is_file():
                continue
            data = path.read_bytes()
            source = ModuleSource(
                key=f"{short}/{folder}",
                name=folder,
                tree=tree,
                path=str(path),
                relpath=path.relative_to(root).as_posix(),
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
            )
            if not data.strip():
                skipped.append(SkippedModule(source, "empty"))
            elif source.sha256 in kept:
                skipped.append(SkippedModule(source, "duplicate", kept[source.sha256]))
            else:
                kept[source.sha256] = source.key
                selected.append(source)
    if not selected:
        raise PackageError(f"{root}: no module files under types/uni/*/lib/*/{_MODULE_FILE}")
    return ModuleFiles(tuple(selected), tuple(skipped))


def find_global_files(root: Path) -> tuple[ModuleSource, ...]:
    """The files of :data:`GLOBAL_FILES` that the package has, as modules (tree ``types``)."""
    root = package_root(root)
    found: list[ModuleSource] = []
    for key, rel in GLOBAL_FILES:
        path = root / rel
        if path.is_file():
            data = path.read_bytes()
            found.append(
                ModuleSource(
                    key=key,
                    name=key.partition("/")[2],
                    tree="types",
                    path=str(path),
                    relpath=rel,
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                )
            )
    return tuple(found)
