"""The importer: DCloud's TypeScript declarations read into a neutral, typed model, and
written as a spec directory (``utsapi import``, issue 10).

- :mod:`.node`: TypeScript's own parser (5.9.x, parse-only, pinned by ``node/package-lock.json``)
  run by Node; installed on first use into the cache.  The Node side only extracts; every
  decision is made here, in Python.
- :mod:`.package`: ``npm pack`` of a pinned version into the cache, and which module files are
  read (the duplicate rule).
- :mod:`._read`, :mod:`.jsdoc`, :mod:`.platforms`: comments attached to what they document,
  ``// #ifdef`` conditions, JSDoc tags, ``@uniPlatform`` blocks repaired or reported, platform
  values normalised.
- :mod:`.merge`: interfaces declared twice in a file merged, ``#ifdef`` conditions kept.
- :mod:`.model`: the typed result, with provenance on every declaration, member, parameter and
  union member; :mod:`.dump` writes it as JSON; :mod:`.cli` is the command.
- :mod:`.tospec` (with :mod:`._spectypes`, :mod:`._specdocs`): each module as a spec document,
  every item left out or approximated reported at its ``file:line:col``; :mod:`.write` writes
  ``DIR/modules/*.yaml`` and ``DIR/warnings.txt``.

::

    surface = import_package(PINNED)            # npm pack, extract, read
    surface = import_package(Path("package/"))  # an unpacked tarball (or a .tgz)
    surface = import_files([Path("a.d.ts")])    # loose files (tests)
    surface.counts(), surface.warnings
    write_spec_dir(surface_to_specs(surface), Path("build/imported-spec"), clean=True)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.exceptions import Diagnostic
from generator.importer._read import read_file
from generator.importer.exceptions import ExtractError
from generator.importer.model import (
    ModuleFile,
    ModuleSource,
    SkippedModule,
    Source,
    Surface,
    SurfaceCounts,
)
from generator.importer.node import NodeTools, ensure_extractor, find_tools, run_extractor
from generator.importer.package import (
    PINNED,
    PackageRef,
    fetch_package,
    find_global_files,
    find_module_files,
    parse_source,
    unpack_tarball,
)

__all__ = [
    "PINNED",
    "PackageRef",
    "Surface",
    "SurfaceCounts",
    "import_files",
    "import_package",
    "parse_source",
    "read_surface",
]


def read_surface(
    extracted: Mapping[str, Any],
    modules: Sequence[ModuleSource],
    *,
    package: str = "",
    version: str = "",
    skipped: Iterable[SkippedModule] = (),
    platform_overrides: Mapping[str, Mapping[int, object]] | None = None,
) -> Surface:
    """The surface from the extractor's output for ``modules`` (in the same order).  No I/O.

    ``platform_overrides``: per file (``ModuleSource.relpath``), the line of a ``@uniPlatform``
    tag -> the JSON value read instead of that block (for blocks no repair reads).  Overrides
    of a file that is not imported are reported as unused too.
    """
    overrides = dict(platform_overrides or {})
    files = extracted["files"]
    if len(files) != len(modules):
        raise ExtractError(f"the extractor returned {len(files)} files for {len(modules)}")
    out: list[ModuleFile] = []
    warnings: list[Diagnostic] = []
    for data, module in zip(files, modules, strict=True):
        source = Source(package, version, module.relpath)
        declarations, found = read_file(
            data, source, platform_overrides=overrides.pop(module.relpath, None)
        )
        out.append(ModuleFile(module, tuple(declarations), crlf=bool(data["crlf"])))
        warnings.extend(found)
    for relpath, lines in overrides.items():
        for line in sorted(lines):
            warnings.append(
                Diagnostic(
                    relpath,
                    line,
                    0,
                    "",
                    "@uniPlatform override for a file that is not imported",
                    "override-unused",
                )
            )
    return Surface(
        package=package,
        version=version,
        typescript=str(extracted.get("typescript", "")),
        modules=tuple(out),
        skipped=tuple(skipped),
        warnings=tuple(sorted(warnings)),
    )


def _extract(
    paths: Sequence[Path], tools: NodeTools | None, cache: Path | None
) -> tuple[NodeTools, Mapping[str, Any]]:
    tools = tools or find_tools()
    node_dir = ensure_extractor(tools, cache=cache)
    return tools, run_extractor(tools, node_dir, paths)


def import_files(
    paths: Sequence[Path],
    *,
    root: Path | None = None,
    cache: Path | None = None,
    tools: NodeTools | None = None,
    platform_overrides: Mapping[str, Mapping[int, object]] | None = None,
) -> Surface:
    """Import loose ``.d.ts`` files; each is one module, keyed by its path relative to ``root``
    (default: its file name) without the suffix."""
    modules: list[ModuleSource] = []
    for path in paths:
        data = path.read_bytes()
        rel = path.relative_to(root).as_posix() if root is not None else path.name
        key = rel.removesuffix(".d.ts").removesuffix(".ts")
        modules.append(
            ModuleSource(
                key=key,
                name=Path(key).name,
                tree="",
                path=str(path),
                relpath=rel,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
            )
        )
    _, extracted = _extract(paths, tools, cache)
    return read_surface(extracted, modules, platform_overrides=platform_overrides)


def import_package(
    package: PackageRef | Path,
    *,
    cache: Path | None = None,
    tools: NodeTools | None = None,
    include_globals: bool = False,
    platform_overrides: Mapping[str, Mapping[int, object]] | None = None,
) -> Surface:
    """Import a package: a :class:`PackageRef` (fetched with ``npm pack`` into the cache), a
    ``.tgz`` (unpacked into the cache) or an unpacked package folder.  ``include_globals``
    adds the files of :data:`~generator.importer.package.GLOBAL_FILES` (``getApp``,
    ``getCurrentPages``, ``env``) after the module files."""
    tools = tools or find_tools()
    if isinstance(package, PackageRef):
        root = fetch_package(tools, package, cache=cache)
    elif package.is_file():
        root = unpack_tarball(package, cache=cache)
    else:
        root = package
    found = find_module_files(root)
    modules = found.selected + (find_global_files(root) if include_globals else ())
    name, version = _name_version(root, package)
    _, extracted = _extract([Path(m.path) for m in modules], tools, cache)
    return read_surface(
        extracted,
        modules,
        package=name,
        version=version,
        skipped=found.skipped,
        platform_overrides=platform_overrides,
    )


def _name_version(root: Path, package: PackageRef | Path) -> tuple[str, str]:
    if isinstance(package, PackageRef):
        return package.name, package.version
    for candidate in (root / "package.json", root / "package" / "package.json"):
        if candidate.is_file():
            meta = json.loads(candidate.read_text("utf-8"))
            return str(meta.get("name", "")), str(meta.get("version", ""))
    return "", ""
