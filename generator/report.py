"""The conformance report: its format, its one loader, its types.

A report is the JSON document ``utsapi conformance run --json FILE`` writes, described by
``spec/schema/report.schema.json``.  :func:`load_report` (a file) and :func:`report_from_data`
(a decoded document) validate it against that schema and build a :class:`Report`; every reader
(the site's results page, the standalone HTML report) walks the types, never the raw document.
The conformance suite, which writes reports, imports the format constants from here.

::

    UtsApiError
     └── ReportError        not a readable, valid report; ``.diagnostics`` lists every problem
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any, Final, TypeVar

from jsonschema import Draft202012Validator

from generator.exceptions import Diagnostic, ReportError
from generator.spec import bundled_spec_dir
from generator.spec.model import Text

__all__ = [
    "REPORT_FORMAT",
    "REPORT_VERSION",
    "VERDICTS",
    "Allowance",
    "CaseResult",
    "Report",
    "ReportError",
    "RunInfo",
    "Summary",
    "TraceEntry",
    "Verdict",
    "load_report",
    "report_from_data",
]

REPORT_FORMAT: Final = "utsapi-conformance-report"
REPORT_VERSION: Final = 1


class Verdict(enum.StrEnum):
    """What a case came to; reports carry the name (``spec/schema/report.schema.json``)."""

    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    SKIP = "SKIP"
    ERROR = "ERROR"


#: Every verdict, in the order reports list them.
VERDICTS: Final = tuple(Verdict)


@dataclass(frozen=True)
class Allowance:
    """A known deviation of a profile: the rule and cases it covers, why, and where it is."""

    rule: str
    cases: tuple[str, ...]
    reason: Text
    sources: tuple[str, ...]
    platforms: tuple[str, ...]
    where: str


@dataclass(frozen=True)
class TraceEntry:
    """``[seq, task, kind, name, payload, ref]`` of a case's trace."""

    seq: int
    task: str
    kind: str
    name: str
    payload: Any
    ref: str

    def as_line(self) -> str:
        """One aligned line: sequence number, step, kind, name, payload as JSON."""
        payload = json.dumps(self.payload, ensure_ascii=False)
        return f"{self.seq:>3} {self.ref:<28} {self.kind:<9} {self.name:<10} {payload}"


@dataclass(frozen=True)
class CaseResult:
    """The verdict of one case of one rule."""

    id: str
    rule: str
    case: str | None
    level: str
    verdict: Verdict
    title: Text
    apis: tuple[str, ...]
    sources: tuple[str, ...]
    where: str
    duration_s: float
    reason: str
    failures: tuple[str, ...]
    allowance: Allowance | None
    logs: tuple[str, ...]
    trace: tuple[TraceEntry, ...] = ()
    peer: tuple[Mapping[str, Any], ...] = ()

    @property
    def detail(self) -> str:
        """What went wrong: the failures one per line, else the reason."""
        return "\n".join(self.failures) or self.reason


@dataclass(frozen=True)
class RunInfo:
    """How and against what the suite ran.  ``implementation`` is the implementation's hello
    (``name``, ``version``, ``language``, ``capabilities``), empty if it never answered;
    ``extra`` holds the keys this version does not name."""

    started: str
    duration_s: float
    harness: Mapping[str, str]
    python: str
    platform: str
    implementation: Mapping[str, Any]
    profile: str
    runner: str | None = None
    target: str | None = None
    docs_url: str | None = None
    extra: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Summary:
    total: int
    counts: Mapping[Verdict, int]
    conformant: bool


@dataclass(frozen=True)
class Report:
    run: RunInfo
    summary: Summary
    results: tuple[CaseResult, ...]
    stale_allowances: tuple[Allowance, ...]
    harness_errors: tuple[str, ...]


@cache
def _validator() -> Draft202012Validator:
    path = bundled_spec_dir() / "schema" / "report.schema.json"
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _json_path(parts: Iterable[object]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def report_from_data(data: object, *, file: str = "<report>") -> Report:
    """The :class:`Report` of a decoded JSON document.

    Raises :class:`ReportError` listing every way ``data`` differs from the report schema.
    """
    if not isinstance(data, Mapping) or data.get("format") != REPORT_FORMAT:
        problem = "not a utsapi conformance report"
        raise ReportError([Diagnostic(file, 0, 0, "$.format", problem, "report-format")])
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ReportError(
            Diagnostic(file, 0, 0, _json_path(e.absolute_path), e.message, "report-schema")
            for e in errors
        )
    return _report(data)


def load_report(path: Path) -> Report:
    """The report in the file ``path``; raises :class:`ReportError` when it cannot be read, is not
    JSON, or is not a valid report (and :class:`FileNotFoundError` when there is no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError([Diagnostic(str(path), 0, 0, "", str(exc), "report-read")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = (str(path), exc.lineno, exc.colno)
        raise ReportError([Diagnostic(*where, "", str(exc), "report-read")]) from None
    return report_from_data(data, file=str(path))


# ----------------------------------------------------------------------------------------------
# Building the types from a valid document


_T = TypeVar("_T")


def _build(cls: type[_T], data: Mapping[str, Any], **given: Any) -> _T:
    """``cls`` from the keys of ``data`` that name its fields (lists as tuples), and ``given``."""
    values = {
        f.name: tuple(value) if isinstance(value := data[f.name], list) else value
        for f in fields(cls)  # type: ignore[arg-type]
        if f.name in data and f.name not in given
    }
    return cls(**values, **given)


def _text(data: Mapping[str, str]) -> Text:
    return Text(data["zh"], data["en"])


def _allowance(data: Mapping[str, Any]) -> Allowance:
    return _build(Allowance, data, reason=_text(data["reason"]))


def _case(data: Mapping[str, Any]) -> CaseResult:
    allowance = data["allowance"]
    return _build(
        CaseResult,
        data,
        verdict=Verdict(data["verdict"]),
        title=_text(data["title"]),
        allowance=None if allowance is None else _allowance(allowance),
        trace=tuple(TraceEntry(*entry) for entry in data.get("trace", ())),
    )


def _run(data: Mapping[str, Any]) -> RunInfo:
    named = {f.name for f in fields(RunInfo)}
    return _build(RunInfo, data, extra={k: v for k, v in data.items() if k not in named})


def _report(data: Mapping[str, Any]) -> Report:
    summary = data["summary"]
    counts = {verdict: summary[verdict] for verdict in VERDICTS}
    return _build(
        Report,
        data,
        run=_run(data["run"]),
        summary=Summary(summary["total"], counts, summary["conformant"]),
        results=tuple(_case(item) for item in data["results"]),
        stale_allowances=tuple(_allowance(item) for item in data["stale_allowances"]),
    )
