"""``utsapi build``: every output of the spec in one folder.

Exit codes: 0 built, 1 a step failed (unknown placeholders in a page, stubs, site), 2 usage
error or unreadable input, 3 invalid spec (nothing is written).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

from generator.cli._common import (
    EXIT_UNREADABLE,
    add_spec_argument,
    load_spec_reporting,
    read_text,
    write_text,
)
from generator.exceptions import PageError
from generator.flavors.dcloud import COLUMN_SETS, DEFAULT_COLUMNS, build_data
from generator.flavors.mkdocs import translation_coverage
from generator.placeholders import fill_page
from generator.spec import Spec
from generator.spec.model import LANGS, Lang
from generator.stubs import generate_stubs

HELP = "render utsApiJson data, filled pages, the MkDocs site and stubs"

EXIT_OK, EXIT_FAILED = 0, 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Validate the spec (exit 3 with every problem if it is invalid; nothing is written), "
        "then write into OUT: utsApiJson.json and utsApiJson.en.json (the uni-app x docs' data "
        "file, dcloud flavour, droppable into docs/.vuepress/utils/), pages/<lang>/... (every "
        "page of the site's docs folder with its <!-- UTSAPIJSON.* --> placeholders filled, "
        "dcloud flavour), stubs/ (the typed uniapi package) and site/ (the MkDocs site, built "
        "with --strict). Progress goes to stderr, a summary to stdout. Exit 0 built, 1 a step "
        "failed, 2 usage error or unreadable input, 3 invalid spec."
    )
    add_spec_argument(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("build"), metavar="DIR", help="output folder (build/)"
    )
    parser.add_argument(
        "--site",
        type=Path,
        default=Path("site"),
        metavar="DIR",
        help="the MkDocs project: mkdocs.yml and docs/<lang>/*.md pages (default: site)",
    )
    parser.add_argument(
        "--no-site",
        action="store_true",
        help="skip the MkDocs site, and with it the conformance run that feeds its results page "
        "(together the slowest steps)",
    )
    parser.add_argument(
        "--no-conformance",
        action="store_true",
        help="do not run the conformance suite against the reference implementation before "
        "building the site; the results page shows OUT/conformance/report.json if a run left "
        "one there (the summary says from when), else says there are no results yet",
    )
    parser.add_argument("--no-stubs", action="store_true", help="skip the typed package (stubs/)")
    parser.add_argument(
        "--columns",
        choices=list(COLUMN_SETS),
        default=DEFAULT_COLUMNS.name,
        metavar="NAME",
        help=(
            "compatibility column set of the uni-app x docs era to reproduce: "
            f"{', '.join(COLUMN_SETS)} (default: {DEFAULT_COLUMNS.name}, the seed page's)"
        ),
    )


class _Progress:
    def __init__(self, stderr: TextIO) -> None:
        self.stderr = stderr

    def step(self, what: str) -> Callable[[str], float]:
        self.stderr.write(f"{what} ...\n")
        self.stderr.flush()
        start = time.perf_counter()

        def done(result: str) -> float:
            elapsed = time.perf_counter() - start
            self.stderr.write(f"  {result} ({elapsed:.2f} s)\n")
            return elapsed

        return done


def _pages(docs: Path) -> Iterator[tuple[Lang, Path, Path]]:
    """``(lang, source, path under pages/<lang>/)`` for every Markdown page of ``docs``."""
    for source in sorted(docs.rglob("*.md")):
        relative = source.relative_to(docs)
        first = relative.parts[0]
        if len(relative.parts) > 1 and first in LANGS:
            yield first, source, Path(*relative.parts[1:])
        else:
            yield "zh", source, relative


def _write_json(path: Path, data: object, stderr: TextIO) -> bool:
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n", stderr)


def _run_conformance(out: Path, spec: Path | None, stderr: TextIO) -> tuple[bool, str]:
    """The reference implementation's results, for the site's conformance page.

    Run as a subprocess through the ``utsapi`` dispatcher: ``generator`` never imports
    ``conformance`` (which imports ``generator``), and the implementation under test runs in a
    process of its own, as it would for a user."""
    command = [
        sys.executable, "-m", "generator", "conformance", "run", "--impl", "reference_impl:uni",
        "-q", "--json", str(out / "report.json"), "--junit", str(out / "report.xml"),
        "--html", str(out / "report.html"), "--docs-url", "../site/websocket/#rule-{rule}",
    ]  # fmt: skip
    if spec is not None and (spec / "rules").is_dir():  # the spec's own rules, module, profiles
        command += ["--rules", str(spec)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    last = (result.stdout.strip().splitlines() or ["no summary"])[-1]
    if result.returncode in (0, 1):  # conformant, or failures: either way a report
        return True, last
    stderr.write(result.stdout + result.stderr)
    return False, f"conformance run failed (exit {result.returncode})"


def _shown(report: Path) -> str:
    """What the site's results page will show when the suite was not run this time."""
    try:
        stamp = datetime.fromtimestamp(report.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        return "the results page says there are no results yet"
    return f"the results page shows the report written {stamp}"


def _build_site(
    site: Path, out: Path, spec: Path | None, report: Path, stderr: TextIO
) -> tuple[bool, str]:
    config = site / "mkdocs.yml"
    if not config.is_file():
        return True, f"skipped: {config} not found"
    command = [
        sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
        "-f", str(config), "-d", str(out.resolve()),
    ]  # fmt: skip
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if spec is not None:  # the site's plugin reads its spec from UTSAPI_SPEC (site/mkdocs.yml)
        env["UTSAPI_SPEC"] = str(spec.resolve())
    env["UTSAPI_REPORT"] = str(report.resolve())  # and the conformance results from here
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        stderr.write(result.stdout + result.stderr)
        return False, f"mkdocs build failed (exit {result.returncode})"
    return True, "built"


def _coverage_lines(spec: Spec) -> list[str]:
    """Translation coverage: a line for the whole spec, then one per module not fully in
    English (a module with every text translated is counted, not listed)."""
    coverage = translation_coverage(spec)
    done = [c for c in coverage if c.translated == c.total]
    lines = [
        f"translation (en): {len(done)} of {len(coverage)} module(s) complete; "
        f"{sum(c.translated for c in coverage)} of {sum(c.total for c in coverage)} texts"
    ]
    width = max((len(c.module) for c in coverage), default=0)
    lines.extend(
        f"  {c.module:<{width}}  {c.percent:5.1f}% ({c.translated}/{c.total} texts)"
        for c in coverage
        if c.translated != c.total
    )
    return lines


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    progress = _Progress(stderr)
    out: Path = args.out
    columns = COLUMN_SETS[args.columns]

    done = progress.step("validating and loading the spec")
    spec = load_spec_reporting(args.spec, stderr)
    if isinstance(spec, int):
        return spec
    apis = sum(len(m.apis) for m in spec.modules)
    callables = sum(1 for m in spec.modules for _ in m.callables())
    done(f"{len(spec.modules)} module(s), {apis} API(s), {callables} API(s) and method(s)")

    summary: list[str] = []
    failed = False

    data: dict[Lang, dict[str, dict[str, str]]] = {}
    for lang in LANGS:
        name = "utsApiJson.json" if lang == "zh" else f"utsApiJson.{lang}.json"
        done = progress.step(f"rendering {name} (dcloud flavour, columns {columns.name})")
        data[lang] = build_data(spec, lang, columns=columns)
        if not _write_json(out / name, data[lang], stderr):
            return EXIT_UNREADABLE
        done(f"{len(data[lang])} keys")
        summary.append(f"{out / name}: {len(data[lang])} keys")

    docs = args.site / "docs"
    if docs.is_dir():
        done = progress.step(f"filling the pages of {docs}")
        count = problems = 0
        for lang, source, target in _pages(docs):
            text = read_text(source, stderr)
            if text is None:
                return EXIT_UNREADABLE
            try:
                filled = fill_page(text, str(source), data[lang])
            except PageError as error:
                for diagnostic in error.diagnostics:
                    stderr.write(f"{diagnostic}\n")
                problems += len(error.diagnostics)
                continue
            if not write_text(out / "pages" / lang / target, filled, stderr):
                return EXIT_UNREADABLE
            count += 1
        done(f"{count} page(s), {problems} unknown placeholder(s)")
        summary.append(f"{out / 'pages'}: {count} page(s)")
        if problems:
            failed = True
            summary.append(f"  {problems} unknown placeholder(s), see stderr")
    else:
        summary.append(f"{out / 'pages'}: skipped, {docs} not found")

    if args.no_stubs:
        summary.append(f"{out / 'stubs'}: skipped (--no-stubs)")
    else:
        done = progress.step("generating the typed package")
        written = generate_stubs(spec, out / "stubs")
        done(f"{len(written)} file(s)")
        summary.append(f"{out / 'stubs'}: {len(written)} file(s)")

    if args.no_site:
        summary.append(f"{out / 'conformance'}: not run (--no-site)")
        summary.append(f"{out / 'site'}: skipped (--no-site)")
    else:
        # The page shows OUT's report (or says there is none), never one left elsewhere.
        report = out / "conformance" / "report.json"
        if args.no_conformance:
            summary.append(f"{out / 'conformance'}: not run (--no-conformance); {_shown(report)}")
        else:
            done = progress.step("running the conformance suite against reference_impl:uni")
            ok, what = _run_conformance(out / "conformance", args.spec, stderr)
            done(what)
            summary.append(f"{out / 'conformance'}: {what}")
            failed = failed or not ok
        done = progress.step("building the MkDocs site")
        ok, what = _build_site(args.site, out / "site", args.spec, report, stderr)
        done(what)
        summary.append(f"{out / 'site'}: {what}")
        failed = failed or not ok

    summary.extend(_coverage_lines(spec))
    for line in summary:
        stdout.write(line + "\n")
    return EXIT_FAILED if failed else EXIT_OK
