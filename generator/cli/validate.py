"""``utsapi validate [PATH ...]``: check spec files and report every problem at once.

Exit codes: 0 valid, 1 invalid, 2 usage error or unreadable input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from generator.spec import bundled_spec_dir, validate_paths

HELP = "validate spec files (default: the bundled spec)"

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Validate spec YAML files: safe YAML loading (no object tags, no duplicate keys, bounded "
        "aliases), the JSON Schema of each kind of file (modules/, rules/, profiles/), then "
        "every semantic check: of modules (type references, anchors, deprecations, languages), "
        "of rules (APIs and result types that exist, selectors that name a call or listener of "
        "the rule, parameters every case gives, unique ids) and of profiles (allowances that "
        "name existing rules and cases, 'instead' expectations as a rule's own). Rule files "
        "given without their module are checked against the bundled module, and profiles "
        "without rules against the bundled rules, as 'utsapi conformance run' would load them. "
        "Every problem is reported, as 'file:line:col: $.json.path: message'. Exit 0 valid, "
        "1 invalid, 2 usage error or unreadable input."
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="spec files or spec directories (default: the bundled spec)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text lines, or a JSON list of {file, line, column, path, message, check}",
    )


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    paths: list[Path] = args.paths or [bundled_spec_dir()]
    result = validate_paths(paths)
    diagnostics = result.diagnostics
    if args.format == "json":
        json.dump([d.as_dict() for d in diagnostics], stdout, ensure_ascii=False, indent=2)
        stdout.write("\n")
    else:
        for diagnostic in diagnostics:
            stdout.write(f"{diagnostic}\n")
        stdout.flush()  # the problems before the summary, also when both go to one terminal
        if diagnostics:
            stderr.write(f"{len(diagnostics)} problem(s) in {len(result.documents)} file(s)\n")
        else:
            stderr.write(f"ok: {len(result.documents)} file(s) valid\n")
    if result.read_errors:
        return EXIT_UNREADABLE
    return EXIT_INVALID if diagnostics else EXIT_OK
