"""``import`` (first layer): read a package's declarations and report what was found.

Follows the protocol of the ``utsapi`` subcommands (``HELP``, ``configure``, ``run``; see
``generator.cli``), so it can be registered as ``utsapi import``; until then it runs as
``python -m generator.importer``.  The spec output (``--out DIR``) is the next layer; this one
prints the summary and the warnings, and ``--dump-json FILE`` writes the neutral model.

Exit codes: 0 imported (warnings do not fail), 2 usage error or unreadable source, 3 Node/npm
missing or failing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from generator.importer import PINNED, import_package, parse_source
from generator.importer.dump import surface_to_json
from generator.importer.exceptions import ImporterError, NodeToolError
from generator.importer.model import Surface

HELP = "import DCloud's TypeScript declarations (npm @dcloudio/uni-app-x) and report the surface"

EXIT_OK, EXIT_UNREADABLE, EXIT_TOOLS = 0, 2, 3


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read the uni-app x declarations with TypeScript's own parser (run by Node; installed "
        "on first use into ~/.cache/utsapi-kit) and report the surface: modules, uni.* APIs, "
        "methods, types, error codes and every @uniPlatform block that could not be read, as "
        "file:line:col. Exit 0 imported, 2 usage error or unreadable source, 3 node/npm "
        "missing or failing."
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
        help="report only this module (tree/folder, e.g. api/uni-websocket); repeatable",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="summary as text lines, or one JSON object {counts, warnings, skipped}",
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
        stdout.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    for warning in selected.warnings:
        stderr.write(f"warning: {warning}\n")
    stdout.write(f"{selected.package}@{selected.version} (TypeScript {selected.typescript})\n")
    for name, value in data["counts"].items():
        stdout.write(f"  {name.replace('_', ' ')}: {value}\n")
    return EXIT_OK
