"""The conformance results page of the site: a report (:mod:`generator.report`) in the mkdocs
flavour, or a note saying why there is none; and the results matrix of several reports.

The matrix (:class:`Matrix`, :func:`build_matrix`) is the one model of "verdicts of every case,
one column per implementation": the site's page renders it (:func:`render_results` given a folder
of reports, :func:`render_matrix`) and ``utsapi conformance matrix`` prints it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from generator.exceptions import Diagnostic
from generator.flavors import labels
from generator.flavors._mkdocs_md import make_environment
from generator.flavors.views import Badge as SectionBadge
from generator.flavors.views import CaseLine, ResultsView
from generator.report import VERDICTS, CaseResult, Report, ReportError, Verdict, load_report
from generator.spec.model import Lang, Text
from generator.spec.rules import Rule

__all__ = [
    "ApiSummary",
    "Cell",
    "Column",
    "Matrix",
    "MatrixRow",
    "ResultRow",
    "RuleEntry",
    "build_matrix",
    "case_differences",
    "column_of",
    "load_matrix",
    "load_reports",
    "public_path",
    "readable_time",
    "render_matrix",
    "render_results",
    "section_results",
]

#: The site's words for the rules section of the results page.
RULE_WORDS: dict[str, Text] = {
    "rules": Text("行为规则", "Behaviour rules"),
    "rules_intro": Text(
        "每条规则的完整说明；API 页面的规则列表链接到这里。",
        "The full text of each rule; the rule lists of the API pages link here.",
    ),
    "apis": Text("涉及的 API", "APIs"),
    "outcome": Text("本次结果", "This run"),
    "not_run": Text("未运行", "not run"),
}

#: The page, relative to a language folder, that shows the matrix (as the rules' full text).
RULES_PAGE = "conformance.md"

#: The implementation's hello keys that name it, most telling first.
_NAME_KEYS = ("name", "target", "impl", "driver")


@dataclass(frozen=True)
class ResultRow:
    """One case of the results table, in one language; ``rule`` links to its rule's text on
    the page when ``anchor`` (else the id is plain text)."""

    id: str
    rule: str
    verdict: str
    level: str
    title: str
    message: str
    duration: str
    anchor: str | None = None


@dataclass(frozen=True)
class Badge:
    """A verdict shown as a badge: its CSS class (``pass``, ``fail``, ... ``missing``), its text
    and its tooltip."""

    kind: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class MatrixLine:
    """A case's row of the matrix on the page: ``anchor`` its own id, ``rule_anchor`` the link to
    its rule's text (None: the page does not show that rule), one badge per column."""

    case: str
    anchor: str
    rule_anchor: str | None
    level: str
    cells: tuple[Badge, ...]


@dataclass(frozen=True)
class RuleEntry:
    """A rule's full text on the results page, under ``#rule-<id>``; ``outcome``: the verdicts
    of its cases in the report shown (empty: not run)."""

    id: str
    anchor: str
    level: str
    title: str
    text: str
    apis: tuple[str, ...]
    outcome: str
    #: The rule's cases across the implementations of the matrix shown (none: one report).
    cases: tuple[MatrixLine, ...] = ()


def readable_time(stamp: str) -> str:
    """An ISO 8601 time as ``2026-01-01 00:00:00 UTC`` (seconds, its offset); unchanged if it
    is not one."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    shown = moment.strftime("%Y-%m-%d %H:%M:%S")
    offset = moment.strftime("%z")
    if not offset:
        return shown
    return f"{shown} UTC" if offset == "+0000" else f"{shown} UTC{offset[:3]}:{offset[3:]}"


def public_path(path: str) -> str:
    """A path as a published page may show it: never absolute (the folder and file name of an
    absolute path), the home directory as ``~``."""
    if not os.path.isabs(path):
        return path
    parts = Path(path).parts
    return "/".join(parts[-2:]) if len(parts) > 2 else parts[-1]


def _scrub(text: str) -> str:
    """A message with the build machine's home directory and working directory taken out."""
    for folder, shown in ((os.getcwd(), "."), (str(Path.home()), "~")):
        if len(folder) > 1:
            text = text.replace(folder + os.sep, shown + "/").replace(folder, shown)
    return text


def _anchor(rule_id: str) -> str:
    return f"rule-{rule_id}"


def _rule_entries(
    rules: Sequence[Rule], report: Report | None, lang: Lang, texts: Mapping[str, str]
) -> list[RuleEntry]:
    verdicts: dict[str, dict[str, int]] = {}
    if report is not None:
        for r in report.results:
            counts = verdicts.setdefault(r.rule, {})
            counts[r.verdict] = counts.get(r.verdict, 0) + 1
    entries = []
    for rule in rules:
        counts = verdicts.get(rule.id, {})
        outcome = ", ".join(f"{n} {v}" for v, n in counts.items()) or texts["not_run"]
        entries.append(
            RuleEntry(
                rule.id,
                _anchor(rule.id),
                rule.level,
                rule.title.get(lang),
                rule.text.get(lang),
                rule.apis,
                outcome,
            )
        )
    return entries


def _implementation_name(hello: Mapping[str, Any]) -> str:
    for key in _NAME_KEYS:
        if isinstance(hello.get(key), str) and hello[key]:
            return str(hello[key])
    return json.dumps(hello, ensure_ascii=False, sort_keys=True, default=str)


def _view(report: Report, lang: Lang, texts: Mapping[str, str], known: set[str]) -> dict[str, Any]:
    run, summary = report.run, report.summary
    meta = [
        (texts["implementation"], _implementation_name(run.implementation)),
        (texts["profile"], run.profile),
        (texts["started"], readable_time(run.started)),
        (texts["conformant"], texts["yes" if summary.conformant else "no"]),
    ]
    rows = [
        ResultRow(
            id=r.id,
            rule=r.rule,
            verdict=r.verdict,
            level=r.level,
            title=r.title.get(lang) or r.title.en,
            message=_scrub(r.reason),
            duration=f"{r.duration_s:.3f}",
            anchor=quote(_anchor(r.rule), safe=".-_~") if r.rule in known else None,
        )
        for r in report.results
    ]
    return {"meta": [(k, v) for k, v in meta if v], "counts": summary.counts, "rows": rows}


def _problem(error: ReportError, texts: Mapping[str, str]) -> str:
    first = error.diagnostics[0]
    if first.check == "report-format":
        return texts["not_report"]
    more = len(error.diagnostics) - 1
    where = f"{first.path}: " if first.path else ""
    return f"{where}{first.message}" + (f" (+{more})" if more else "")


def render_results(
    report_path: Path,
    lang: Lang,
    *,
    shown_path: str | None = None,
    rules: Sequence[Rule] = (),
) -> str:
    """The conformance results for ``report_path``, or a note saying why not, then the full text
    of each of ``rules`` under its anchor ``#rule-<id>`` (the target of the API pages' rule lists
    and of the HTML report's links) with the verdicts of its cases.

    ``report_path`` is a ``--json`` report (its summary and cases, then the matrix of that one
    column) or a folder of them (every ``*.json`` in it, by file name: the results matrix, one
    column per report; a rule's text then shows its cases across the columns).  A missing
    report is not an error: the page says there are no results yet.  A file that is not a valid
    report says so on the page; the site still builds.  No absolute path of the build machine is
    shown (:func:`public_path`).
    """
    texts = labels.table(labels.RESULTS, lang)
    words = {key: text.get(lang) for key, text in (RULE_WORDS | MATRIX_WORDS).items()}
    shown = public_path(shown_path or str(report_path))
    template = make_environment().get_template("results.md.j2")
    known = {rule.id for rule in rules}
    report: Report | None = None
    notes: list[str] = []
    view: dict[str, Any] | None = None
    matrix: Matrix | None = None
    if report_path.is_dir():
        found, bad = load_reports(report_path)
        notes.extend(
            texts["unreadable"].format(
                path=f"{shown}/{Path(path).name}", problem=_scrub(_problem(error, texts))
            )
            for path, error in bad
        )
        if found:
            matrix = build_matrix(found, rules)
        elif not bad:
            notes.append(texts["no_results"].format(path=f"{shown}/REPORT.json"))
    elif not report_path.is_file():
        notes.append(texts["no_results"].format(path=shown))
    else:
        try:
            report = load_report(report_path)
        except ReportError as error:
            notes.append(
                texts["unreadable"].format(path=shown, problem=_scrub(_problem(error, texts)))
            )
        else:
            view = _view(report, lang, texts, known)
            matrix = build_matrix([(str(report_path), report)], rules)
    several = matrix is not None and view is None
    lines = _matrix_lines(matrix, known, words) if matrix is not None else {}
    entries = _rule_entries(rules, report, lang, {**texts, **words})
    if several and matrix is not None:
        entries = [_with_cases(entry, matrix, lines) for entry in entries]
    return template.render(
        texts=texts,
        words=words,
        notes=notes,
        report=view,
        matrix=None if matrix is None else _matrix_view(matrix, lines),
        rules=entries,
    )


# ----------------------------------------------------------------------------------------------
# The results matrix: every case, one column per implementation

#: The site's words for the matrix sections of the results page.
MATRIX_WORDS: dict[str, Text] = {
    "implementations": Text("实现", "Implementations"),
    "implementations_intro": Text(
        "矩阵的每一列是一份报告（`utsapi conformance run --json`）：",
        "Each column of the matrix is one report (`utsapi conformance run --json`):",
    ),
    "column": Text("列", "Column"),
    "implementation": Text("实现", "Implementation"),
    "version": Text("版本", "Version"),
    "platform": Text("平台", "Platform"),
    "runner": Text("运行方式", "Runner"),
    "profile": Text("配置", "Profile"),
    "started": Text("运行时间", "Run at"),
    "report": Text("报告", "Report"),
    "counts": Text("结果", "Verdicts"),
    "per_api": Text("各 API 汇总", "Summary per API"),
    "per_api_intro": Text(
        "每个 API 的用例（按规则所涉及的第一个 API 归组）在各实现上的结果。",
        "The verdicts of each API's cases (a rule counts under the first API it concerns), per "
        "implementation.",
    ),
    "api": Text("API", "API"),
    "matrix": Text("结果矩阵", "Results matrix"),
    "matrix_intro": Text(
        "每个规则的每个用例一行，每个实现一列；“—”表示该报告中没有这个用例。",
        "One row per case of every rule, one column per implementation; “—” marks a case the "
        "report does not hold.",
    ),
    "case": Text("用例", "Case"),
    "level": Text("级别", "Level"),
    "missing": Text("—", "—"),
    "missing_title": Text("报告中没有这个用例", "not in this report"),
    "section_results": Text("测试结果", "Results"),
    "section_cases": Text("{n} 个用例", "{n} cases"),
    "full_matrix": Text("完整矩阵", "full matrix"),
    "not_in_report": Text("未运行", "not run"),
}


@dataclass(frozen=True)
class Column:
    """One implementation of the matrix: who ran (its hello's name and version, the platform it
    stands for, the runner), how (profile), when, and from which report file."""

    name: str
    version: str
    platform: str
    runner: str
    profile: str
    started: str
    source: str
    counts: Mapping[Verdict, int]
    conformant: bool

    @property
    def label(self) -> str:
        """``name version (platform, runner)``: what the column is called."""
        how = ", ".join(part for part in (self.platform, self.runner) if part)
        head = f"{self.name} {self.version}".strip()
        return f"{head} ({how})" if how else head


@dataclass(frozen=True)
class Cell:
    """A case's verdict in one column (``None``: the report does not hold the case) and why."""

    verdict: Verdict | None
    reason: str = ""


@dataclass(frozen=True)
class MatrixRow:
    """One case of one rule across the columns; ``api`` is the API it is grouped under (the
    first its rule concerns)."""

    case: str
    rule: str
    level: str
    title: Text
    api: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ApiSummary:
    """An API's cases counted per verdict, one count table per column."""

    api: str
    cases: int
    counts: tuple[Mapping[Verdict, int], ...]


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    labels: tuple[str, ...]
    rows: tuple[MatrixRow, ...]

    def apis(self) -> tuple[ApiSummary, ...]:
        """Each API's summary, APIs in the order of the rows."""
        grouped: dict[str, list[MatrixRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.api, []).append(row)
        return tuple(
            ApiSummary(
                api,
                len(rows),
                tuple(
                    _count(row.cells[i].verdict for row in rows) for i in range(len(self.columns))
                ),
            )
            for api, rows in grouped.items()
        )


def _count(verdicts: Iterable[Verdict | None]) -> dict[Verdict, int]:
    counts = dict.fromkeys(VERDICTS, 0)
    for verdict in verdicts:
        if verdict is not None:
            counts[verdict] += 1
    return counts


def column_of(report: Report, source: str) -> Column:
    """The column of ``report``, read from the file ``source``."""
    run = report.run
    hello = run.implementation
    name = _implementation_name(hello) if hello else (run.target or public_path(source))
    platform = hello.get("platform")
    version = hello.get("version")
    return Column(
        name=name,
        version=version if isinstance(version, str) else "",
        platform=platform if isinstance(platform, str) else "",
        runner=run.runner or "",
        profile=run.profile,
        started=run.started,
        source=public_path(source),
        counts=report.summary.counts,
        conformant=report.summary.conformant,
    )


def _unique_labels(columns: Sequence[Column]) -> tuple[str, ...]:
    """Each column's heading: the implementation's name, else (two of one name) its full label,
    else (two of one label) the label and the report file."""
    names = [c.name for c in columns]
    full = [c.label for c in columns]
    return tuple(
        c.name
        if names.count(c.name) == 1
        else c.label
        if full.count(c.label) == 1
        else f"{c.label} [{Path(c.source).name}]"
        for c in columns
    )


def build_matrix(reports: Sequence[tuple[str, Report]], rules: Sequence[Rule] = ()) -> Matrix:
    """The matrix of ``reports`` (``(file, report)``, one column each, in that order).

    Rows are the cases of ``rules`` in their order, then every case a report holds that
    ``rules`` does not name, in the order first met; a rule's API group is the first API it
    concerns (from ``rules``, else from the report).
    """
    columns = tuple(column_of(report, source) for source, report in reports)
    by_case: list[dict[str, CaseResult]] = [
        {r.id: r for r in report.results} for _, report in reports
    ]
    order: dict[str, tuple[str, str, Text, str]] = {}
    for rule in rules:
        for case in rule.cases:
            order[case.id] = (rule.id, rule.level, rule.title, rule.apis[0] if rule.apis else "")
    for _, report in reports:
        for r in report.results:
            if r.id not in order:
                order[r.id] = (r.rule, r.level, r.title, r.apis[0] if r.apis else "")
    rows = []
    for case_id, (rule_id, level, title, api) in order.items():
        cells = []
        for results in by_case:
            found = results.get(case_id)
            cells.append(Cell(None) if found is None else Cell(found.verdict, found.detail))
        rows.append(MatrixRow(case_id, rule_id, level, title, api, tuple(cells)))
    return Matrix(columns, _unique_labels(columns), tuple(rows))


def load_reports(folder: Path) -> tuple[list[tuple[str, Report]], list[tuple[str, ReportError]]]:
    """Every ``*.json`` report of ``folder``, by file name: the valid ones and the others."""
    good: list[tuple[str, Report]] = []
    bad: list[tuple[str, ReportError]] = []
    for path in sorted(folder.glob("*.json")):
        try:
            good.append((str(path), load_report(path)))
        except ReportError as error:
            bad.append((str(path), error))
        except FileNotFoundError as error:  # removed while read
            problem = Diagnostic(str(path), 0, 0, "", str(error), "report-read")
            bad.append((str(path), ReportError([problem])))
    return good, bad


# ----------------------------------------------------------------------------------------------
# The matrix on a page


def _badge(verdict: Verdict | None, reason: str, words: Mapping[str, str]) -> Badge:
    if verdict is None:
        return Badge("missing", words["missing"], words["missing_title"])
    return Badge(verdict.lower(), verdict, _scrub(reason))


_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")


def _case_anchor(case: str) -> str:
    """A case's id on the page, safe in a link as it is (MkDocs checks a link's anchor without
    decoding it): letters, digits, ``.`` and ``-`` kept, any other character as ``_<hex>_``
    (``socket.send.text-echo[ascii]`` -> ``case-socket.send.text-echo_5b_ascii_5d_``)."""
    return "case-" + _UNSAFE.sub(lambda m: f"_{ord(m.group()):x}_", case)


def _api_anchor(api: str) -> str:
    return f"results-{api}" if api else "results-other"


def _href(anchor: str) -> str:
    return quote(anchor, safe=".-_~")


def _matrix_lines(
    matrix: Matrix, known: set[str], words: Mapping[str, str]
) -> dict[str, MatrixLine]:
    """Each case's row of the page, by case id."""
    return {
        row.case: MatrixLine(
            case=row.case,
            anchor=_case_anchor(row.case),
            rule_anchor=_href(_anchor(row.rule)) if row.rule in known else None,
            level=row.level,
            cells=tuple(_badge(c.verdict, c.reason, words) for c in row.cells),
        )
        for row in matrix.rows
    }


def _with_cases(entry: RuleEntry, matrix: Matrix, lines: Mapping[str, MatrixLine]) -> RuleEntry:
    cases = tuple(lines[row.case] for row in matrix.rows if row.rule == entry.id)
    return RuleEntry(**{**entry.__dict__, "cases": cases})


def _count_badges(counts: Mapping[Verdict, int]) -> tuple[Badge, ...]:
    return tuple(Badge(v.lower(), f"{n} {v}") for v, n in counts.items() if n)


def _matrix_view(matrix: Matrix, lines: Mapping[str, MatrixLine]) -> dict[str, Any]:
    columns = [
        {
            "label": label,
            "version": c.version or "-",
            "platform": c.platform or "-",
            "runner": c.runner or "-",
            "profile": c.profile,
            "started": readable_time(c.started),
            "source": c.source,
            "counts": _count_badges(c.counts),
        }
        for label, c in zip(matrix.labels, matrix.columns, strict=True)
    ]
    groups: dict[str, list[MatrixLine]] = {}
    for row in matrix.rows:
        groups.setdefault(row.api, []).append(lines[row.case])
    return {
        "labels": matrix.labels,
        "columns": columns,
        "apis": [
            {
                "api": a.api or "-",
                "anchor": _href(_api_anchor(a.api)),
                "cases": a.cases,
                "cells": [_count_badges(counts) for counts in a.counts],
            }
            for a in matrix.apis()
        ],
        "groups": [
            {"api": api or "-", "anchor": _api_anchor(api), "rows": rows_}
            for api, rows_ in groups.items()
        ],
    }


def load_matrix(path: Path, rules: Sequence[Rule] = ()) -> Matrix | None:
    """The matrix of the report ``path`` (a ``--json`` report, or a folder of them as
    :func:`render_results` reads it); None when there is no readable report (the conformance
    page says why).  The site loads it once and shows it in every API section."""
    if path.is_dir():
        found, _ = load_reports(path)
    elif path.is_file():
        try:
            found = [(str(path), load_report(path))]
        except ReportError:
            return None
    else:
        return None
    return build_matrix(found, rules) if found else None


_WORST_FIRST = (Verdict.ERROR, Verdict.FAIL, Verdict.WARN, Verdict.SKIP)


def _section_badge(label: str, counts: Mapping[Verdict, int], missing: int, total: int,
                   words: Mapping[str, str]) -> SectionBadge:  # fmt: skip
    """``label 12/12 PASS``, else ``label 9 PASS 2 FAIL`` (and the cases it did not run); its
    kind is the worst verdict met."""
    passed = counts.get(Verdict.PASS, 0)
    if passed == total:
        shown = f"{passed}/{total} PASS"
    else:
        parts = [f"{n} {v}" for v, n in counts.items() if n]
        if missing:
            parts.append(f"{missing} {words['not_in_report']}")
        shown = " ".join(parts)
    worst = next(
        (v.lower() for v in _WORST_FIRST if counts.get(v, 0)),
        "skip" if missing and not passed else "pass",
    )
    return SectionBadge(worst, f"{label} {shown}", label)


def section_results(
    matrix: Matrix | None, rule_ids: Sequence[str], lang: Lang, *, root: str = ""
) -> ResultsView | None:
    """The results of the cases of ``rule_ids`` (an API section's rules) across the columns of
    ``matrix``: a summary badge per implementation and a compact row per case linking to its
    row on the conformance page (``root``: the language folder relative to the page).  None
    without a matrix or without a case."""
    if matrix is None or not rule_ids:
        return None
    wanted = set(rule_ids)
    rows = [row for row in matrix.rows if row.rule in wanted]
    if not rows:
        return None
    words = {key: text.get(lang) for key, text in MATRIX_WORDS.items()}
    summary = []
    for i, label in enumerate(matrix.labels):
        verdicts = [row.cells[i].verdict for row in rows]
        missing = sum(v is None for v in verdicts)
        summary.append(_section_badge(label, _count(verdicts), missing, len(rows), words))
    page = f"{root}{RULES_PAGE}"
    lines = tuple(
        CaseLine(
            row.case,
            f"{page}#{_case_anchor(row.case)}",
            tuple(
                SectionBadge(b.kind, b.text, b.title)
                for b in (_badge(c.verdict, c.reason, words) for c in row.cells)
            ),
        )
        for row in rows
    )
    return ResultsView(
        heading=words["section_results"],
        summary=tuple(summary),
        labels=matrix.labels,
        rows=lines,
        rows_heading=words["section_cases"].format(n=len(rows)),
        case_label=words["case"],
        matrix_url=f"{page}#results-matrix",
        matrix_label=words["full_matrix"],
    )


def render_matrix(matrix: Matrix, lang: Lang, *, rules: Sequence[Rule] = ()) -> str:
    """The matrix alone as Markdown (the results page's implementations, per-API summary and
    matrix sections); a case links to its rule's text only for ``rules`` (none: no links)."""
    words = {key: text.get(lang) for key, text in (RULE_WORDS | MATRIX_WORDS).items()}
    lines = _matrix_lines(matrix, {rule.id for rule in rules}, words)
    template = make_environment().get_template("results.md.j2")
    view = _matrix_view(matrix, lines)
    texts = labels.table(labels.RESULTS, lang)
    return template.render(texts=texts, words=words, notes=[], report=None, matrix=view, rules=[])


def case_differences(report: Report, rules: Sequence[Rule]) -> str | None:
    """How the cases of ``report`` differ from those of ``rules`` (rule and case ids), in one
    line; None when they are the same.  A report of other rules (an older spec, a ``-k`` run, a
    run stopped by ``--maxfail``) cannot stand for these rules in the matrix."""
    wanted = {(rule.id, case.id) for rule in rules for case in rule.cases}
    held = {(r.rule, r.id) for r in report.results}
    missing = sorted(case for _, case in wanted - held)
    unknown = sorted(case for _, case in held - wanted)
    parts = []
    if missing:
        parts.append(f"{len(missing)} case(s) of the spec missing ({_first(missing)})")
    if unknown:
        parts.append(f"{len(unknown)} case(s) the spec does not have ({_first(unknown)})")
    return "; ".join(parts) or None


def _first(items: Sequence[str], shown: int = 3) -> str:
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")
