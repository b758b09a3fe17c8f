"""``utsapi conformance matrix``: the verdicts of several reports side by side.

::

    utsapi conformance matrix reference.json node.json uni-h5-*.json [--format markdown] [-o FILE]

One column per report (an implementation: its hello's name and version, the platform it stands
for, the runner), one row per case of every rule; a summary per API counts each column's
verdicts.  Formats: ``text`` (default), ``markdown`` (the site's matrix sections), ``json``
(``format: utsapi-conformance-matrix``, version 1), ``html`` (a standalone page).  The model is
the site's (:func:`generator.flavors.results.build_matrix`); every report is read and checked
by the one report loader (:func:`generator.report.load_report`).

Exit codes: 0 the matrix was written; 2 a report is missing, unreadable or not a valid report
(every problem is listed, each with its file and JSON path), or the output cannot be written.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from markupsafe import Markup

from generator.exceptions import ReportError
from generator.flavors.results import (
    Matrix,
    build_matrix,
    readable_time,
    render_matrix,
)
from generator.report import Report, Verdict, load_report

__all__ = [
    "FORMATS",
    "MATRIX_FORMAT",
    "MATRIX_VERSION",
    "configure",
    "load_reports",
    "run",
    "to_html",
    "to_json",
    "to_markdown",
    "to_text",
]

MATRIX_FORMAT = "utsapi-conformance-matrix"
MATRIX_VERSION = 1
FORMATS = ("text", "markdown", "json", "html")
EXIT_OK, EXIT_HARNESS = 0, 2

_SURROGATE = re.compile("[\ud800-\udfff]")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "reports",
        nargs="+",
        type=Path,
        metavar="REPORT",
        help="a JSON report of 'utsapi conformance run --json', or a folder: its *.json reports "
        "by file name; one column each, in the order given",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default text)"
    )
    parser.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="the language of markdown and html output (default en)",
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )


def load_reports(paths: Sequence[Path]) -> tuple[list[tuple[str, Report]], list[str]]:
    """The reports named by ``paths`` (a folder: its ``*.json`` by name) and every problem, each
    ``file[:line:col]: $.path: message``."""
    found: list[tuple[str, Report]] = []
    problems: list[str] = []
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(path.glob("*.json"))
            if not inside:
                problems.append(f"{path}: a folder without *.json reports")
            files.extend(inside)
        else:
            files.append(path)
    for file in files:
        try:
            found.append((str(file), load_report(file)))
        except FileNotFoundError:
            problems.append(f"{file}: no such file")
        except ReportError as error:
            problems.extend(str(d) for d in error.diagnostics)
    return found, problems


def _clean(text: str) -> str:
    """``text`` with lone surrogates (a report may carry them from a trace) as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _counts_text(counts: Mapping[Verdict, int]) -> str:
    return " ".join(f"{n} {v}" for v, n in counts.items() if n) or "-"


def to_text(matrix: Matrix) -> str:
    """Aligned plain text: the implementations (``[1]`` …), the summary per API, the cases."""
    keys = [f"[{i}]" for i in range(1, len(matrix.columns) + 1)]
    out = ["Implementations:"]
    for key, label, column in zip(keys, matrix.labels, matrix.columns, strict=True):
        out.append(
            f"  {key} {column.label}: profile {column.profile}, run {readable_time(column.started)}"
            f", {column.source}: {_counts_text(column.counts)}"
            + ("" if label == column.name else f" (column {label})")
        )
    summaries = matrix.apis()
    counts = [[_counts_text(c) for c in a.counts] for a in summaries]
    api_width = max([len("API"), *(len(a.api) for a in summaries)])
    widths = [max([len(k), *(len(row[i]) for row in counts)]) for i, k in enumerate(keys)]
    out += ["", "Summary per API:"]
    out.append(_row(["API".ljust(api_width), "cases", *_pad(keys, widths)]))
    for summary, row in zip(summaries, counts, strict=True):
        out.append(_row([summary.api.ljust(api_width), f"{summary.cases:>5}", *_pad(row, widths)]))
    case_width = max([len("case"), *(len(r.case) for r in matrix.rows)])
    cells = [[c.verdict or "-" for c in r.cells] for r in matrix.rows]
    widths = [max([len(k), 5]) for k in keys]
    out += ["", "Cases:"]
    out.append(_row(["case".ljust(case_width), "level ", *_pad(keys, widths)]))
    for r, verdicts in zip(matrix.rows, cells, strict=True):
        out.append(_row([r.case.ljust(case_width), r.level.ljust(6), *_pad(verdicts, widths)]))
    return _clean("\n".join(out) + "\n")


def _pad(values: Sequence[str], widths: Sequence[int]) -> list[str]:
    return [v.ljust(w) for v, w in zip(values, widths, strict=True)]


def _row(parts: Sequence[str]) -> str:
    return ("  " + "  ".join(parts)).rstrip()


def to_markdown(matrix: Matrix, lang: str = "en") -> str:
    """The site's matrix sections (implementations, summary per API, matrix) as Markdown."""
    return _clean(render_matrix(matrix, "zh" if lang == "zh" else "en"))


def to_json(matrix: Matrix) -> str:
    """The matrix as a JSON document (``format``: :data:`MATRIX_FORMAT`)."""
    document = {
        "format": MATRIX_FORMAT,
        "version": MATRIX_VERSION,
        "columns": [
            {
                "label": label,
                "name": c.name,
                "version": c.version,
                "platform": c.platform,
                "runner": c.runner,
                "profile": c.profile,
                "started": c.started,
                "report": c.source,
                "counts": dict(c.counts),
                "conformant": c.conformant,
            }
            for label, c in zip(matrix.labels, matrix.columns, strict=True)
        ],
        "apis": [
            {"api": a.api, "cases": a.cases, "counts": [dict(c) for c in a.counts]}
            for a in matrix.apis()
        ],
        "rows": [
            {
                "case": r.case,
                "rule": r.rule,
                "level": r.level,
                "api": r.api,
                "title": {"zh": r.title.zh, "en": r.title.en},
                "verdicts": [c.verdict for c in r.cells],
                "reasons": [c.reason for c in r.cells],
            }
            for r in matrix.rows
        ],
    }
    return _clean(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"


_HTML_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
.v { border-radius: 3px; padding: 0 4px; font-weight: 600; white-space: nowrap; }
.PASS { background: #e6f4ea; color: #1e6b34; }
.FAIL, .ERROR { background: #fce8e6; color: #a50e0e; }
.WARN { background: #fef7e0; color: #8a5a00; } .SKIP, .none { background: #eee; color: #555; }
"""


def _verdict_html(verdict: Verdict | None, text: str, title: str = "") -> Markup:
    kind = verdict or "none"
    if title:
        return Markup('<span class="v {}" title="{}">{}</span>').format(kind, title, text)
    return Markup('<span class="v {}">{}</span>').format(kind, text)


def _counts_html(counts: Mapping[Verdict, int]) -> Markup:
    return Markup(" ").join(_verdict_html(v, f"{n} {v}") for v, n in counts.items() if n)


def to_html(matrix: Matrix, lang: str = "en") -> str:
    """A standalone page: every text of the reports escaped, no script, no external resource."""
    head = Markup("").join(Markup("<th>{}</th>").format(label) for label in matrix.labels)
    impl_rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            c.label, c.profile, readable_time(c.started), c.source, c.conformant,
            _counts_html(c.counts),
        )
        for c in matrix.columns
    )  # fmt: skip
    api_rows = Markup("").join(
        Markup('<tr><td><a href="#{}">{}</a></td><td>{}</td>{}</tr>').format(
            f"api-{a.api}",
            a.api,
            a.cases,
            Markup("").join(Markup("<td>{}</td>").format(_counts_html(c)) for c in a.counts),
        )
        for a in matrix.apis()
    )
    case_rows: list[Markup] = []
    api = None
    for r in matrix.rows:
        if r.api != api:
            api = r.api
            case_rows.append(
                Markup('<tr id="{}"><th colspan="{}">{}</th></tr>').format(
                    f"api-{api}", len(matrix.columns) + 2, api
                )
            )
        cells = Markup("").join(
            Markup("<td>{}</td>").format(_verdict_html(c.verdict, c.verdict or "—", c.reason))
            for c in r.cells
        )
        title = r.title.zh if lang == "zh" else r.title.en
        case_rows.append(
            Markup('<tr id="{}"><td><code title="{}">{}</code></td><td>{}</td>{}</tr>').format(
                f"case-{r.case}", title, r.case, r.level, cells
            )
        )
    page = Markup(
        '<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        "<title>Conformance results matrix</title><style>{style}</style></head><body>\n"
        "<h1>Conformance results matrix</h1>\n<h2>Implementations</h2>\n<table><tr>"
        "<th>Implementation</th><th>Profile</th><th>Run at</th><th>Report</th>"
        "<th>Conformant</th><th>Verdicts</th></tr>{impls}</table>\n"
        "<h2>Summary per API</h2>\n<table><tr><th>API</th><th>Cases</th>{head}</tr>{apis}"
        "</table>\n<h2>Cases</h2>\n<table><tr><th>Case</th><th>Level</th>{head}</tr>{cases}"
        "</table>\n</body></html>\n"
    ).format(
        lang="zh" if lang == "zh" else "en",
        style=Markup(_HTML_STYLE),
        impls=impl_rows,
        head=head,
        apis=api_rows,
        cases=Markup("").join(case_rows),
    )
    return _clean(str(page))


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    reports, problems = load_reports(args.reports)
    if problems:
        stderr.write("utsapi conformance matrix: cannot read every report\n")
        stderr.writelines(f"  {_clean(p)}\n" for p in problems)
        return EXIT_HARNESS
    matrix = build_matrix(reports)
    match args.format:
        case "markdown":
            text = to_markdown(matrix, args.lang)
        case "json":
            text = to_json(matrix)
        case "html":
            text = to_html(matrix, args.lang)
        case _:
            text = to_text(matrix)
    if args.output is None:
        stdout.write(text)
        return EXIT_OK
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        stderr.write(f"utsapi conformance matrix: cannot write {args.output}: {exc}\n")
        return EXIT_HARNESS
    return EXIT_OK
