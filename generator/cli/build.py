"""``utsapi build``: every output of the spec in one folder.

Exit codes: 0 built, 1 a step failed (unknown placeholders in a page, stubs, site), 2 usage
error, unreadable input or an output folder it will not write into, 3 invalid spec (nothing is
written).

The output folder is guarded (:func:`check_out`): MkDocs empties ``OUT/site`` before it writes,
so ``build`` writes only into a new or empty folder, or one that holds its marker file
(:data:`MARKER`, written on the first build); never into ``/`` or the home directory, nor through
a symbolic link.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from generator.cli._common import (
    EXIT_INVALID_SPEC,
    EXIT_UNREADABLE,
    add_spec_argument,
    load_spec_reporting,
    read_text,
    write_text,
)
from generator.diff import DiffInputError, diff_specs, load_side, render_json, render_markdown
from generator.exceptions import PageError, SpecError
from generator.flavors.dcloud import COLUMN_SETS, DEFAULT_COLUMNS, build_data
from generator.flavors.mkdocs import translation_coverage
from generator.flavors.results import case_differences, column_of, readable_time
from generator.importer.exceptions import ImporterError
from generator.placeholders import fill_page
from generator.report import Report, ReportError, load_report
from generator.spec import Spec
from generator.spec.model import LANGS, Lang
from generator.stubs import generate_stubs

HELP = "render utsApiJson data, filled pages, the MkDocs site and stubs"

EXIT_OK, EXIT_FAILED = 0, 1

#: The file that marks a folder as ``utsapi build`` output (written on the first build).
MARKER = ".utsapi-build"
_MARKER_TEXT = (
    "This folder is the output of 'utsapi build' (utsapi-kit). A later build deletes and\n"
    "rewrites site/ and overwrites pages/, stubs/, conformance/ and the utsApiJson files here.\n"
)
#: What a build writes into OUT, the folders first (a folder is rewritten, site/ emptied).
_OUTPUTS = ("site", "pages", "stubs", "conformance", "utsApiJson.json", "utsApiJson.en.json",
            *(_CHANGES := ("changes.json", "changes.md", "changes.en.md")))  # fmt: skip
#: Entries a folder without the marker may already hold: a report put there for the site's
#: results page (``conformance run --json OUT/conformance/report.json``, then --no-conformance).
_INPUTS = frozenset({"conformance"})


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
        "--out",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help=f"output folder (default: build): new, empty, or made by an earlier build (it holds "
        f"a {MARKER} file); the site in DIR/site is deleted and rebuilt. Refused (exit 2): /, "
        "the home directory, a symbolic link, any other folder with files in it",
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
    parser.add_argument(
        "--reports",
        type=Path,
        metavar="DIR",
        help="every *.json in DIR (reports of 'utsapi conformance run --json', validated) is a "
        "column of the site's results matrix, beside the reference run of this build; they are "
        "copied to OUT/conformance/matrix/ (emptied first) and the summary names each with its "
        "run date. A report whose rule and case ids differ from the spec's is refused (exit 2, "
        "nothing written) unless --allow-rule-mismatch",
    )
    parser.add_argument(
        "--allow-rule-mismatch",
        action="store_true",
        help="with --reports: use a report whose cases differ from the spec's (the summary "
        "says how)",
    )
    parser.add_argument("--no-stubs", action="store_true", help="skip the typed package (stubs/)")
    parser.add_argument(
        "--columns",
        choices=list(COLUMN_SETS),
        default=DEFAULT_COLUMNS.name,
        metavar="NAME",
        help=(
            "compatibility column set of the uni-app x docs era to reproduce: "
            f"{', '.join(COLUMN_SETS)} (default: {DEFAULT_COLUMNS.name}, the set of DCloud's "
            "data at unidocs-uni-app-x-zh@9416194a, which matches npm 0.7.122; 2025: the seed "
            "page's)"
        ),
    )
    parser.add_argument(
        "--since",
        metavar="OLD",
        help="the previous version (a spec directory, a module file, or npm:NAME@VERSION, as "
        "utsapi diff takes): write the changes from OLD to this spec into changes.json (utsapi "
        "diff's JSON), changes.md (zh) and changes.en.md, and give the site a Changes page",
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


@dataclass(frozen=True)
class OutCheck:
    """The verdict on an output folder: ``problem`` (None: it may be written) and what a build
    there replaces (``replaced``: human-readable lines)."""

    problem: str | None
    replaced: tuple[tuple[str, str], ...] = ()


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _replaced(out: Path) -> tuple[tuple[str, str], ...]:
    """``(output name, what happens to it)`` for each output already in ``out``."""
    lines = []
    for name in _OUTPUTS:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            verb = "deleted and rebuilt" if name == "site" else "files of the same name overwritten"
            lines.append((name, f"{path}/ ({_count_files(path)} file(s)): {verb}"))
        elif path.is_file():
            lines.append((name, f"{path}: overwritten"))
    return tuple(lines)


def check_out(out: Path) -> OutCheck:
    """Whether ``utsapi build`` may write into ``out``, and what it would replace there.

    Refused: a symbolic link (``out`` itself or one of the folders it writes), ``/``, the home
    directory, something that is not a folder, and a non-empty folder without :data:`MARKER`
    (other than one holding only a conformance report for the results page)."""
    if out.is_symlink():
        return OutCheck(f"{out} is a symbolic link (to {os.readlink(out)}); give the real folder")
    resolved = out.resolve()
    if resolved == Path(resolved.anchor):
        return OutCheck(f"{out} is the root of the file system")
    if resolved == Path.home().resolve():
        return OutCheck(f"{out} is the home directory")
    if not out.exists():
        return OutCheck(None)
    if not out.is_dir():
        return OutCheck(f"{out} exists and is not a folder")
    for name in _OUTPUTS:
        if (out / name).is_symlink():
            return OutCheck(f"{out / name} is a symbolic link; building would write through it")
    entries = sorted(p.name for p in out.iterdir())
    replaced = _replaced(out)
    if MARKER in entries or set(entries) <= _INPUTS:
        return OutCheck(None, replaced)
    shown = ", ".join(entries[:8]) + (f" and {len(entries) - 8} more" if len(entries) > 8 else "")
    would = (
        "; ".join(line for _, line in replaced)
        if replaced
        else f"it would write {', '.join(_OUTPUTS)} there"
    )
    return OutCheck(
        f"{out} is not empty ({shown}) and has no {MARKER} file, so it was not made by "
        f"utsapi build. A build there replaces: {would}. Give a new or empty folder, or "
        "remove this one first"
    )


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
    process of its own, as it would for a user.  Its line per case (``[n/total] VERDICT id``) is
    passed on to ``stderr`` as it comes; the implementation's own log lines (callbacks that
    throw on purpose) are shown only when the run fails."""
    command = [
        sys.executable, "-m", "generator", "conformance", "run", "--impl", "reference_impl:uni",
        "--json", str(out / "report.json"), "--junit", str(out / "report.xml"),
        "--html", str(out / "report.html"), "--docs-url", "../site/conformance.html#rule-{rule}",
    ]  # fmt: skip
    if spec is not None and (spec / "rules").is_dir():  # the spec's own rules, module, profiles
        command += ["--rules", str(spec)]
    lines: list[str] = []
    with tempfile.TemporaryFile("w+", encoding="utf-8") as logs:
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=logs, text=True, encoding="utf-8", bufsize=1
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                if _CASE_LINE.match(line):
                    stderr.write(f"  {line.rstrip()}\n")
                    stderr.flush()
        logs.seek(0)
        log_text = logs.read()
    if process.returncode in (0, 1):  # conformant, or failures: either way a report
        return True, _results_summary(out / "report.json")
    stderr.write("".join(lines) + log_text)
    return False, f"conformance run failed (exit {process.returncode})"


#: A case line of ``conformance run`` (:func:`conformance.report.console_line`) and its detail.
_CASE_LINE = re.compile(r"^(\[ *\d+/\d+\] |        \S)")


def _results_summary(report_path: Path) -> str:
    """``N cases: counts, conformant or not`` from the report the run wrote."""
    try:
        report = load_report(report_path)
    except ReportError as error:
        return f"{report_path}: {error.diagnostics[0].message}"
    counts = ", ".join(f"{n} {v}" for v, n in report.summary.counts.items() if n)
    verdict = "conformant" if report.summary.conformant else "not conformant"
    return f"{report.summary.total} cases: {counts} ({verdict})"


def _shown(report: Path) -> str:
    """What the site's results page will show when the suite was not run this time."""
    try:
        stamp = datetime.fromtimestamp(report.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        return "the results page says there are no results yet"
    return f"the results page shows the report written {stamp}"


def _since(since: str, spec: Spec, spec_arg: Path | None, out: Path, stderr: TextIO) -> int | str:
    """``--since``: the diff from ``since`` to ``spec`` written into ``out`` (JSON, Markdown
    zh and en); the summary line, or the exit code after saying why on ``stderr``."""
    try:
        old = load_side(since)
    except DiffInputError as error:
        stderr.write(f"utsapi build --since: {error}\n")
        return EXIT_UNREADABLE
    except SpecError as error:
        for diagnostic in error.diagnostics:
            stderr.write(f"{diagnostic}\n")
        stderr.write(f"--since {since}: invalid spec, {len(error.diagnostics)} problem(s)\n")
        return EXIT_INVALID_SPEC
    except ImporterError as error:
        stderr.write(f"--since {since}: cannot import: {error}\n")
        return EXIT_UNREADABLE
    new = str(spec_arg) if spec_arg is not None else "the bundled spec"
    result = diff_specs(old, spec, old_label=since, new_label=new)
    texts = {"changes.json": render_json(result)}
    texts |= {name: render_markdown(result, lang=lang) for name, lang in _CHANGES_MD.items()}
    for name, text in texts.items():
        if not write_text(out / name, text, stderr):
            return EXIT_UNREADABLE
    counts = ", ".join(f"{n} {cls}" for cls, n in result.counts().items())
    return (
        f"{out / 'changes.json'}, changes.md, changes.en.md: {len(result.changes)} change(s) "
        f"from {since} (version {result.old_version or '-'}) to {new} "
        f"(version {result.new_version or '-'}): {counts}"
    )


#: The changelog's Markdown files of ``--since``, by language.
_CHANGES_MD = {"changes.md": "zh", "changes.en.md": "en"}


def _build_site(
    site: Path,
    out: Path,
    spec: Path | None,
    report: Path,
    stderr: TextIO,
    *,
    changes: Path | None = None,
) -> tuple[bool, str]:
    config = site / "mkdocs.yml"
    if not config.is_file():
        return True, f"skipped: {config} not found"
    command = [
        sys.executable, "-m", "mkdocs", "build", "--strict",
        "-f", str(config), "-d", str(out.resolve()),
    ]  # fmt: skip
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if spec is not None:  # the site's plugin reads its spec from UTSAPI_SPEC (site/mkdocs.yml)
        env["UTSAPI_SPEC"] = str(spec.resolve())
    env["UTSAPI_REPORT"] = str(report.resolve())  # and the conformance results from here
    env.pop("UTSAPI_CHANGES", None)  # the Changes page only with --since
    if changes is not None:
        env["UTSAPI_CHANGES"] = str(changes.resolve())
    lines: list[str] = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if (language := _LANGUAGE_BUILD.search(line)) is not None:
                stderr.write(f"  the {language.group(1)} pages\n")
                stderr.flush()
    if process.returncode != 0:
        stderr.write("".join(lines))
        return False, f"mkdocs build failed (exit {process.returncode})"
    return True, "built"


#: mkdocs-static-i18n's line as it starts on one language of the site.
_LANGUAGE_BUILD = re.compile(r"Building '([A-Za-z_-]+)' documentation")


def _given_reports(
    args: argparse.Namespace, spec: Spec, out: Path, summary: list[str], stderr: TextIO
) -> list[tuple[Path, Report]] | None:
    """``--reports DIR``: its ``*.json`` reports, each valid and of the spec's rules (else
    ``--allow-rule-mismatch``); None (every problem on ``stderr``) when one is not.  With
    ``--no-conformance`` the report an earlier build left in OUT is checked the same way."""
    folder: Path = args.reports
    if not folder.is_dir():
        stderr.write(f"utsapi build: --reports {folder}: not a folder\n")
        return None
    paths = sorted(folder.glob("*.json"))
    if not paths:
        stderr.write(f"utsapi build: --reports {folder}: no *.json report in it\n")
        return None
    earlier = out / "conformance" / "report.json"
    if args.no_conformance and not args.no_site and earlier.is_file():
        paths.insert(0, earlier)
    found: list[tuple[Path, Report]] = []
    problems: list[str] = []
    for path in paths:
        try:
            report = load_report(path)
        except (ReportError, FileNotFoundError) as error:
            diagnostics = getattr(error, "diagnostics", None)
            problems.extend(map(str, diagnostics) if diagnostics else [f"{path}: {error}"])
            continue
        differs = case_differences(report, spec.rules.rules)
        if differs is not None:
            if not args.allow_rule_mismatch:
                problems.append(f"{path}: its cases are not the spec's: {differs}")
                continue
            summary.append(f"  {path}: used although its cases differ: {differs}")
        found.append((path, report))
    if problems:
        stderr.write("utsapi build: refusing the reports (--allow-rule-mismatch uses reports of "
                     "other rules):\n" + "".join(f"  {p}\n" for p in problems))  # fmt: skip
        return None
    return found


def _matrix_folder(
    folder: Path, given: list[tuple[Path, Report]], summary: list[str], stderr: TextIO
) -> Path | None:
    """``folder/matrix/``, emptied of reports, then the reference run's report (``folder/
    report.json``, if valid and not among ``given`` already) and ``given``, in column order; a
    summary line per report: who, when, from where.  None (said on ``stderr``) if it cannot be
    written."""
    matrix = folder / "matrix"
    reference = folder / "report.json"
    if reference.is_file() and all(path != reference for path, _ in given):
        try:
            given = [(reference, load_report(reference)), *given]
        except ReportError as error:
            summary.append(f"{matrix}: not the reference run's report: {error.diagnostics[0]}")
    width = len(str(len(given)))
    try:
        matrix.mkdir(parents=True, exist_ok=True)
        for stale in matrix.glob("*.json"):
            stale.unlink()
        for number, (path, _) in enumerate(given, 1):
            shutil.copyfile(path, matrix / f"{number:0{width}}-{path.name}")
    except OSError as exc:
        stderr.write(f"utsapi build: cannot write the results matrix's reports: {exc}\n")
        return None
    summary.append(f"{matrix}: the results matrix, {len(given)} report(s)")
    for number, (path, report) in enumerate(given, 1):
        column = column_of(report, str(path))
        started = readable_time(report.run.started)
        summary.append(f"  {number}. {column.label}, run {started}, from {path}")
    return matrix


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

    checked = check_out(out)
    if checked.problem is not None:
        stderr.write(f"utsapi build: refusing to write into {out}: {checked.problem}\n")
        return EXIT_UNREADABLE

    done = progress.step("validating and loading the spec")
    spec = load_spec_reporting(args.spec, stderr)
    if isinstance(spec, int):
        return spec
    apis = sum(len(m.apis) for m in spec.modules)
    callables = sum(1 for m in spec.modules for _ in m.callables())
    done(f"{len(spec.modules)} module(s), {apis} API(s), {callables} API(s) and method(s)")

    summary: list[str] = []
    given: list[tuple[Path, Report]] = []
    if args.reports is not None:
        checked_reports = _given_reports(args, spec, out, summary, stderr)
        if checked_reports is None:
            return EXIT_UNREADABLE
        given = checked_reports
    failed = False
    skipped = {
        "site": args.no_site,
        "conformance": args.no_site or args.no_conformance,
        "stubs": args.no_stubs,
    }
    for name, line in checked.replaced:
        if not skipped.get(name, False):
            stderr.write(f"replacing {line}\n")
    if not write_text(out / MARKER, _MARKER_TEXT, stderr):
        return EXIT_UNREADABLE

    if args.since is not None:
        done = progress.step(f"comparing with {args.since}")
        compared = _since(args.since, spec, args.spec, out, stderr)
        if isinstance(compared, int):
            return compared
        done("written")
        summary.append(compared)
    else:  # a Changes page of an earlier --since build would no longer match the site
        for name in _CHANGES:
            (out / name).unlink(missing_ok=True)

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
        if args.reports is not None:
            matrix = _matrix_folder(out / "conformance", given, summary, stderr)
            if matrix is None:
                return EXIT_UNREADABLE
            report = matrix
        done = progress.step("building the MkDocs site")
        changes = out / "changes.json" if args.since is not None else None
        ok, what = _build_site(args.site, out / "site", args.spec, report, stderr, changes=changes)
        if ok and changes is not None:
            what += ", with the Changes page (changes.html, en/changes.html)"
        done(what)
        summary.append(f"{out / 'site'}: {what}")
        failed = failed or not ok

    summary.extend(_coverage_lines(spec))
    for line in summary:
        stdout.write(line + "\n")
    return EXIT_FAILED if failed else EXIT_OK
