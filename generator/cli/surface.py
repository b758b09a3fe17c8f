"""``utsapi check-surface MODULE:ATTR``: does an implementation expose the spec's surface?

Exit codes: 0 the surface is complete, 1 a member is missing or differs (or an allowlist entry is
unused), 2 usage error: a bad target, an import error, an invalid spec or allowlist.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from generator.cli._common import add_spec_argument
from generator.exceptions import SpecError
from generator.spec import load_spec
from generator.surface import SHIPPED_ALLOWLIST, SurfaceError, SurfaceReport, check_surface
from generator.targets import add_search_paths

HELP = "check that an implementation object exposes the spec's API surface"

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Check that the object MODULE:ATTR (e.g. reference_impl:uni) exposes every API of the "
        "spec, deprecated globals included, and that the class of the interface an API returns "
        "(SocketTask) has every method, each callable with the spec's parameters; then run mypy's "
        "stubtest against .pyi stubs generated from the spec for the implementation's modules. "
        "Nothing is called: the SocketTask class comes from --task-class or from the return "
        "annotation of connectSocket. Known deviations come from --allowlist, or else from the "
        "allowlist the implementation ships (reference_impl's ships with the kit). "
        "Exit 0 ok, 1 mismatch, 2 usage or import error."
    )
    parser.add_argument("target", metavar="MODULE:ATTR", help="the implementation object")
    parser.add_argument(
        "--path",
        metavar="DIR",
        action="append",
        default=[],
        help="a folder to import MODULE from (repeatable; the current directory is not searched "
        "unless named: --path .)",
    )
    parser.add_argument(
        "--task-class",
        metavar="MODULE:ATTR",
        help="the class implementing SocketTask (default: connectSocket's return annotation)",
    )
    allowlists = parser.add_mutually_exclusive_group()
    allowlists.add_argument(
        "--allowlist",
        type=Path,
        metavar="FILE",
        help="known deviations, one 'Member  # reason' a line; an unused entry fails the run "
        f"(default: the implementation's own: {SHIPPED_ALLOWLIST} in its top-level package, "
        "or the kit's for reference_impl)",
    )
    allowlists.add_argument(
        "--no-allowlist",
        action="store_true",
        help="allow no deviation: ignore the allowlist the implementation ships",
    )
    parser.add_argument(
        "--no-stubtest", action="store_true", help="only the inspect-based check, no stubtest"
    )
    add_spec_argument(parser, repeatable=True)
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="NAME",
        help="check only this spec module (repeat for several; default: every module)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output form")


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    add_search_paths(args.path)
    try:
        spec = load_spec(args.spec)
        report = check_surface(
            args.target,
            spec,
            task_class=args.task_class,
            allowlist=args.allowlist,
            shipped_allowlist=not args.no_allowlist,
            stubtest=not args.no_stubtest,
            modules=args.module,
        )
    except SpecError as exc:
        stderr.write(f"{exc}\n")
        return EXIT_USAGE
    except SurfaceError as exc:
        for problem in exc.problems:
            stderr.write(f"utsapi check-surface: {problem}\n")
        return EXIT_USAGE
    if args.format == "json":
        json.dump(report.as_dict(), stdout, indent=2)
        stdout.write("\n")
    else:
        _write_text(report, stdout, stderr)
    return EXIT_OK if report.ok else EXIT_MISMATCH


def _write_text(report: SurfaceReport, stdout: TextIO, stderr: TextIO) -> None:
    for finding in report.findings:
        stdout.write(f"{finding.where}: {finding.member}: {finding.problem}: {finding.message}")
        stdout.write(f" [{finding.check}]\n")
    for finding, entry in report.allowed:
        stdout.write(
            f"{finding.where}: {finding.member}: allowed by {entry.location} ({entry.reason}): "
            f"{finding.problem}: {finding.message} [{finding.check}]\n"
        )
    for entry in report.unverified:
        stdout.write(
            f"{entry.location}: {entry.member}: not verified: the entry may be about what "
            "stubtest finds, which did not run (--no-stubtest)\n"
        )
    classes = ", ".join(f"{name}={runtime}" for name, runtime in report.classes.items())
    how = "inspect and stubtest" if report.stubtest else "inspect only (--no-stubtest)"
    if report.allowlist is not None:
        how += f"; allowlist {report.allowlist}"
    if report.ok:
        stderr.write(
            f"ok: {report.target} exposes the spec's surface: {len(report.checked)} member(s), "
            f"{len(report.allowed)} allowed deviation(s); {classes}; {how}\n"
        )
    else:
        stderr.write(
            f"{report.target}: {len(report.findings)} problem(s) with the spec's surface; "
            f"{classes}; {how}\n"
        )
