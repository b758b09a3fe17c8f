"""``utsapi stubs [--out DIR] [--spec PATH ...] [--check]``: write the typed package ``uniapi``.

Exit codes: 0 written (or, with ``--check``, up to date), 1 the spec is invalid or (``--check``)
the files differ from what the spec renders, 2 usage error or unreadable input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path, PurePosixPath
from typing import TextIO

from generator.exceptions import SpecError, SpecReadError
from generator.model import load_spec
from generator.stubs import StubsError, generate_stubs, render_stubs

HELP = "generate the typed PEP 561 package (uniapi) from the spec"

EXIT_OK, EXIT_DIFFERS, EXIT_USAGE = 0, 1, 2


def default_out_dir() -> Path | None:
    """``stubs/`` of the checkout this package runs from, or None when installed from a wheel."""
    root = Path(__file__).resolve().parents[2]
    if (root / "spec" / "modules").is_dir() and (root / "pyproject.toml").is_file():
        return root / "stubs"
    return None


def add_spec_option(parser: argparse.ArgumentParser) -> None:
    """``--spec PATH`` (repeatable), shared by the commands that render from or check the spec."""
    parser.add_argument(
        "--spec",
        type=Path,
        action="append",
        metavar="PATH",
        help="a spec file or directory; repeat for several (default: the bundled spec)",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Render the typed package (import name uniapi, distribution uniapi-types) from the spec: "
        "TypedDicts, Literal error codes, callback aliases and Protocols, a .pyi per module and "
        "its runtime .py, py.typed, README.md and its own pyproject.toml. With --check, write "
        "nothing and report the files that differ. Exit 0 ok, 1 invalid spec or (--check) "
        "differences, 2 usage error or unreadable input."
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="the package root to write (default: stubs/ of the checkout)",
    )
    add_spec_option(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare instead of writing: exit 1 if a file is missing, differs or is extra",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output form")


def _differences(out: Path, rendered: dict[PurePosixPath, str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for rel, text in sorted(rendered.items()):
        path = out.joinpath(*rel.parts)
        if not path.is_file():
            found.append((str(rel), "missing"))
        elif path.read_text(encoding="utf-8") != text:
            found.append((str(rel), "differs"))
    package_dirs = {rel.parent for rel in rendered if rel.parent != PurePosixPath(".")}
    for folder in sorted(package_dirs):
        for path in sorted(out.joinpath(*folder.parts).iterdir()):
            rel = folder / path.name
            if path.is_file() and rel not in rendered:
                found.append((str(rel), "extra"))
    return found


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    out: Path | None = args.out or default_out_dir()
    if out is None:
        stderr.write("utsapi stubs: no checkout around this installation; pass --out DIR\n")
        return EXIT_USAGE
    try:
        spec = load_spec(args.spec)
    except SpecReadError as exc:
        stderr.write(f"{exc}\n")
        return EXIT_USAGE
    except SpecError as exc:
        stderr.write(f"{exc}\n{len(exc.diagnostics)} problem(s) in the spec\n")
        return EXIT_DIFFERS
    try:
        if args.check:
            differences = _differences(out, render_stubs(spec))
            return _report_check(args.format, out, differences, stdout, stderr)
        written = generate_stubs(spec, out)
    except StubsError as exc:
        stderr.write(f"{exc}\n")
        return EXIT_DIFFERS
    except OSError as exc:
        stderr.write(f"utsapi stubs: {out}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    if args.format == "json":
        json.dump({"out": str(out), "written": [str(p) for p in written]}, stdout, indent=2)
        stdout.write("\n")
    else:
        for path in written:
            stdout.write(f"{path}\n")
        stderr.write(f"ok: {len(written)} file(s) written to {out}\n")
    return EXIT_OK


def _report_check(
    fmt: str, out: Path, differences: list[tuple[str, str]], stdout: TextIO, stderr: TextIO
) -> int:
    if fmt == "json":
        json.dump(
            {"out": str(out), "differences": [{"file": f, "status": s} for f, s in differences]},
            stdout,
            indent=2,
        )
        stdout.write("\n")
    else:
        for file, status in differences:
            stdout.write(f"{out / file}: {status}\n")
        if differences:
            stderr.write(
                f"{len(differences)} file(s) out of date in {out}; run 'utsapi stubs --out {out}'\n"
            )
        else:
            stderr.write(f"ok: {out} matches the spec\n")
    return EXIT_DIFFERS if differences else EXIT_OK
