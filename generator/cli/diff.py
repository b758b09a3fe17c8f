"""``utsapi diff OLD NEW``: what changed between two versions of the API surface, classified.

Each side is a spec directory, one module file, or ``npm:@dcloudio/uni-app-x@VERSION`` (imported
on the fly into a temporary folder).  Output: text (default), ``--format json`` (schema
``spec/schema/diff.schema.json``) or ``--format markdown`` (a changelog page, ``--lang zh|en``).
``--semver`` prints the version bump the typed package needs (text: the word alone on stdout,
its reasons on stderr; JSON: a ``semver`` member).

Exit codes: 0 no change, 1 changes found, 4 a change of the ``--fail-on`` class (or stricter)
found, 2 usage error (a side that names nothing), 3 invalid input (a spec that does not load,
a package that cannot be imported, a spec the typed package cannot render).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from generator.diff import (
    ChangeClass,
    DiffInputError,
    diff_specs,
    load_side,
    render_json,
    render_markdown,
    render_text,
    semver,
)
from generator.exceptions import SpecError
from generator.importer.exceptions import ImporterError
from generator.spec import Spec
from generator.stubs import StubsError

HELP = "what changed between two versions of the API surface, classified; semver of the stubs"

EXIT_SAME, EXIT_CHANGED, EXIT_USAGE, EXIT_INVALID, EXIT_FAIL_ON = 0, 1, 2, 3, 4

_CLASS_NAMES = tuple(cls.label for cls in sorted(ChangeClass, reverse=True))


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Compare two versions of the API surface on the model: modules, APIs, methods, types, "
        "fields, parameters, literal values, error codes and platform cells, each change "
        "classified breaking, deprecation, additive or documentation, with its reason. "
        "Exit 0 no change, 1 changes, 4 a change of the --fail-on class or stricter, "
        "2 usage error, 3 invalid input."
    )
    for name, when in (("old", "before"), ("new", "after")):
        parser.add_argument(
            name,
            metavar=name.upper(),
            help=f"the surface {when}: a spec directory, a module file, or npm:NAME@VERSION",
        )
    parser.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output form"
    )
    parser.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="language of labels and reasons"
    )
    parser.add_argument(
        "--semver",
        action="store_true",
        help="print the version bump (major, minor, patch) the typed package (uniapi) needs",
    )
    parser.add_argument(
        "--fail-on",
        choices=_CLASS_NAMES,
        metavar="CLASS",
        help="exit 4 when a change of CLASS or a stricter one is found "
        f"({', '.join(_CLASS_NAMES)})",
    )
    parser.add_argument(
        "--cache", type=Path, metavar="DIR", help="importer cache (default: ~/.cache/utsapi-kit)"
    )


def _load(text: str, cache: Path | None, stderr: TextIO) -> Spec | int:
    try:
        if text.startswith("npm:"):
            stderr.write(f"importing {text} ...\n")
        return load_side(text, cache=cache)
    except DiffInputError as error:
        stderr.write(f"utsapi diff: {error}\n")
        return EXIT_USAGE
    except SpecError as error:
        for diagnostic in error.diagnostics:
            stderr.write(f"{diagnostic}\n")
        stderr.write(f"{text}: invalid spec, {len(error.diagnostics)} problem(s)\n")
        return EXIT_INVALID
    except ImporterError as error:
        stderr.write(f"{text}: cannot import: {error}\n")
        return EXIT_INVALID


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    old = _load(args.old, args.cache, stderr)
    if isinstance(old, int):
        return old
    new = _load(args.new, args.cache, stderr)
    if isinstance(new, int):
        return new
    result = diff_specs(old, new, old_label=args.old, new_label=args.new)
    bump = None
    if args.semver:
        try:
            bump = semver(old, new)
        except StubsError as error:
            stderr.write(f"utsapi diff --semver: {error}\n")
            return EXIT_INVALID
    if args.format == "json":
        stdout.write(render_json(result, bump))
    elif args.format == "markdown":
        stdout.write(render_markdown(result, bump, lang=args.lang))
    elif bump is not None:
        stdout.write(f"{bump.bump}\n")
        for change in bump.changes:
            if change.bump != "patch":
                stderr.write(f"{change.bump}: {change.where}: {change.what}\n")
    else:
        stdout.write(render_text(result, lang=args.lang))
    highest = result.highest
    if highest is None:
        return EXIT_SAME
    if args.fail_on is not None and highest >= ChangeClass[args.fail_on.upper()]:
        return EXIT_FAIL_ON
    return EXIT_CHANGED
