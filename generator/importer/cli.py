"""``utsapi import``: read a package's declarations and write them as a spec directory.

Follows the protocol of the ``utsapi`` subcommands (``HELP``, ``configure``, ``run``; see
``generator.cli``).  Writes ``--out DIR`` (default ``build/imported-spec``):
``DIR/modules/<module>.yaml`` for each declaration module (:mod:`generator.importer.tospec`) and
``DIR/warnings.txt`` (every declaration left out or approximated, at its ``file:line:col``); a
progress line per module on stderr, then the summary.  ``--no-write`` only reports;
``--dump-json FILE`` also writes the neutral model.

Exit codes: 0 imported (warnings do not fail), 2 usage error or unreadable source, 3 Node/npm
missing or failing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from generator.importer import PINNED, import_package, parse_source
from generator.importer.dump import surface_to_json
from generator.importer.exceptions import ImporterError, NodeToolError
from generator.importer.model import Surface
from generator.importer.platforms import BUNDLED_OVERRIDES, PlatformOverride, load_overrides
from generator.importer.tospec import surface_to_specs
from generator.importer.write import write_spec_dir

HELP = (
    "import DCloud's TypeScript declarations (npm @dcloudio/uni-app-x) into a spec directory "
    "and report the surface"
)

EXIT_OK, EXIT_UNREADABLE, EXIT_TOOLS = 0, 2, 3


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read the uni-app x declarations with TypeScript's own parser (run by Node; installed "
        "on first use into ~/.cache/utsapi-kit), write one spec module per declaration module "
        "into --out, and report the surface: modules, uni.* APIs, methods, types, error codes "
        "and every declaration not mapped or @uniPlatform block not read, as file:line:col. "
        "Exit 0 imported, 2 usage error or unreadable source, 3 node/npm missing or failing."
    )
    parser.add_argument(
        "source",
        nargs="?",
        default=f"npm:{PINNED}",
        metavar="SOURCE",
        help=(
            f"npm:NAME@VERSION (fetched with npm pack; default npm:{PINNED}, pinned by its "
            "integrity), a .tgz, or an unpacked package folder"
        ),
    )
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="KEY",
        help="import only this module (tree/folder, e.g. api/uni-websocket); repeatable",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("build/imported-spec"),
        metavar="DIR",
        help="the spec directory to write (default: build/imported-spec): DIR/modules/*.yaml "
        "and DIR/warnings.txt",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="only report; write no spec directory"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="summary as text lines, or one JSON object {counts, warnings, skipped, spec}",
    )
    parser.add_argument(
        "--dump-json",
        type=Path,
        metavar="FILE",
        help="also write the whole neutral model as JSON to FILE",
    )
    parser.add_argument(
        "--globals",
        action="store_true",
        help="also read types/app.d.ts, types/page.d.ts and types/uni/env (getApp, "
        "getCurrentPages, env) as modules global/app, global/page, global/env",
    )
    parser.add_argument(
        "--cache", type=Path, metavar="DIR", help="cache folder (default: ~/.cache/utsapi-kit)"
    )
    parser.add_argument(
        "--overrides",
        type=Path,
        default=BUNDLED_OVERRIDES,
        metavar="FILE",
        help="repaired @uniPlatform blocks, by file and declaration path (default: the "
        "importer's own overrides.yaml, applied when the package is the one it names); an "
        "unused one is a warning",
    )
    parser.add_argument("--no-overrides", action="store_true", help="apply no overrides file")


def _select(surface: Surface, keys: list[str], stderr: TextIO) -> Surface | None:
    if not keys:
        return surface
    known = {m.source.key for m in surface.modules}
    unknown = [k for k in keys if k not in known]
    if unknown:
        stderr.write(
            f"unknown module(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}\n"
        )
        return None
    modules = tuple(m for m in surface.modules if m.source.key in keys)
    files = {m.source.relpath for m in modules}
    warnings = tuple(w for w in surface.warnings if w.file in files)
    return Surface(surface.package, surface.version, surface.typescript, modules, (), warnings)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        source = parse_source(args.source)
        if isinstance(source, Path) and not source.exists():
            stderr.write(f"{source}: no such file or folder\n")
            return EXIT_UNREADABLE
        stderr.write(f"importing {args.source} ...\n")
        surface = import_package(source, cache=args.cache, include_globals=args.globals)
    except NodeToolError as error:
        stderr.write(f"import: {error}\n")
        return EXIT_TOOLS
    except ImporterError as error:
        stderr.write(f"import: {error}\n")
        return EXIT_UNREADABLE
    selected = _select(surface, args.module, stderr)
    if selected is None:
        return EXIT_UNREADABLE
    written: dict[str, Any] | None = None
    if not args.no_write:
        written = _write(surface, args, stderr)
        if written is None:
            return EXIT_UNREADABLE
    data = surface_to_json(selected)
    if args.dump_json is not None:
        try:
            args.dump_json.parent.mkdir(parents=True, exist_ok=True)
            args.dump_json.write_text(
                json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8"
            )
        except OSError as error:
            stderr.write(f"{args.dump_json}: cannot write: {error.strerror or error}\n")
            return EXIT_UNREADABLE
    if args.format == "json":
        summary = {k: data[k] for k in ("package", "version", "counts", "warnings", "skipped")}
        if written:
            summary["spec"] = written
        stdout.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    for warning in selected.warnings:
        stderr.write(f"warning: {warning}\n")
    stdout.write(f"{selected.package}@{selected.version} (TypeScript {selected.typescript})\n")
    for name, value in data["counts"].items():
        stdout.write(f"  {name.replace('_', ' ')}: {value}\n")
    if written:
        stdout.write(f"spec written to {written['out']}:\n")
        for name, value in written["counts"].items():
            stdout.write(f"  {name}: {value}\n")
        for check, value in written["warnings_by_check"].items():
            stdout.write(f"  warnings {check}: {value}\n")
        if written["warnings_by_check"]:
            stdout.write(f"  (each at its file:line:col in {written['out']}/warnings.txt)\n")
    return EXIT_OK


def _write(surface: Surface, args: argparse.Namespace, stderr: TextIO) -> dict[str, Any] | None:
    """Convert and write the spec directory (the modules of ``--module``, named as in the whole
    surface); its summary, or None when it cannot be written."""
    overrides: tuple[PlatformOverride, ...] = ()
    if not args.no_overrides:
        loaded, problems = load_overrides(args.overrides)
        if problems:
            for problem in problems:
                stderr.write(f"{problem}\n")
            return None
        bundled = args.overrides == BUNDLED_OVERRIDES
        if not bundled or loaded.package == f"{surface.package}@{surface.version}":
            overrides = loaded.entries
    specs = surface_to_specs(surface, args.module, overrides=overrides)
    for spec in specs:
        c = spec.counts()
        stderr.write(
            f"  {spec.key} -> modules/{spec.name}.yaml: {c['apis']} APIs, {c['methods']} methods, "
            f"{c['types']} types, {c['codes']} codes, {c['warnings']} warnings\n"
        )
    try:
        write_spec_dir(specs, args.out, clean=not args.module)
    except OSError as error:
        stderr.write(f"{args.out}: cannot write: {error.strerror or error}\n")
        return None
    totals = {"modules": len(specs), "apis": 0, "methods": 0, "types": 0, "codes": 0}
    by_check: dict[str, int] = {}
    for spec in specs:
        for key, value in spec.counts().items():
            if key in totals:
                totals[key] += value
        for w in spec.warnings:
            by_check[w.check] = by_check.get(w.check, 0) + 1
    return {
        "out": args.out.as_posix(),
        "counts": totals,
        "warnings_by_check": dict(sorted(by_check.items())),
    }
