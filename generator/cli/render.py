"""``utsapi render PAGE.md``: fill the ``<!-- UTSAPIJSON.key.section -->`` placeholders of one page.

Exit codes: 0 filled, 1 unknown placeholders (each reported as ``file:line:col``), 2 usage error
or unreadable page, 3 invalid spec.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from generator.cli._common import (
    EXIT_UNREADABLE,
    add_spec_argument,
    flavor_data,
    load_spec_reporting,
    read_text,
    write_text,
)
from generator.exceptions import PageError
from generator.placeholders import fill_page

HELP = "fill the <!-- UTSAPIJSON.* --> placeholders of one page"

EXIT_OK, EXIT_UNKNOWN = 0, 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Fill every <!-- UTSAPIJSON.<key>.<section> --> placeholder of a Markdown page (any "
        "number per line) from the spec. The dcloud flavour writes the uni-app x docs' own "
        "Markdown (Vue components, @| nested rows); the mkdocs flavour plain Markdown/HTML. An "
        "unknown key or section is reported as 'file:line:col: UTSAPIJSON.key.section: ...' "
        "with the nearest known names, all of them at once. Exit 0 filled, 1 unknown "
        "placeholders, 2 usage error or unreadable page, 3 invalid spec."
    )
    parser.add_argument("page", type=Path, metavar="PAGE.md", help="the page to fill")
    parser.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="language of the data (default: zh)"
    )
    parser.add_argument(
        "--flavor",
        choices=("dcloud", "mkdocs"),
        default="dcloud",
        help="dcloud: the uni-app x docs' Markdown (default); mkdocs: plain Markdown/HTML",
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout"
    )
    add_spec_argument(parser)
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="keep unknown placeholders as they are (as the original docs system does)",
    )


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    text = read_text(args.page, stderr)
    if text is None:
        return EXIT_UNREADABLE
    spec = load_spec_reporting(args.spec, stderr)
    if isinstance(spec, int):
        return spec
    data = flavor_data(args.flavor, spec, args.lang)
    try:
        filled = fill_page(text, str(args.page), data, allow_missing=args.allow_missing)
    except PageError as error:
        for diagnostic in error.diagnostics:
            stderr.write(f"{diagnostic}\n")
        stderr.write(f"{len(error.diagnostics)} unknown placeholder(s) in {args.page}\n")
        return EXIT_UNKNOWN
    if args.output is None:
        stdout.write(filled)
        return EXIT_OK
    if not write_text(args.output, filled, stderr):
        return EXIT_UNREADABLE
    stderr.write(f"wrote {args.output}\n")
    return EXIT_OK
