"""Reports of a conformance run: JSON (versioned), JUnit XML, one standalone HTML file.

All three are built from :func:`report_data`, the JSON document
(``spec/schema/report.schema.json``), so they never disagree; JUnit and HTML read it through the
report model (:mod:`generator.report`, which the site's results page reads too), HTML with the
template ``generator/templates/report/report.html.j2``.  Nothing here writes to a stream; the
CLI decides where text goes.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import jinja2

from conformance.channel import encode_value
from conformance.engine import CaseResult as RunCase
from conformance.engine import RunResult
from conformance.values import describe
from generator.report import REPORT_FORMAT, REPORT_VERSION, CaseResult, Verdict, report_from_data
from generator.templating import make_environment

__all__ = [
    "REPORT_FORMAT",
    "REPORT_VERSION",
    "ReportWriter",
    "console_line",
    "exit_code",
    "report_data",
    "to_html",
    "to_json",
    "to_junit",
]

#: Trace entries kept per case in the report (failing cases keep all of them up to this).
TRACE_LIMIT: Final = 400
#: Failures and log lines kept per case, and the longest text kept of each.
LINES_LIMIT: Final = 200
TEXT_LIMIT: Final = 4000
#: Peer frames kept per connection.
FRAMES_LIMIT: Final = 50
_PAYLOAD_CHARS: Final = 2000

EXIT_OK: Final = 0
EXIT_FAILURES: Final = 1
EXIT_HARNESS: Final = 2
EXIT_SPEC: Final = 3


def exit_code(run: RunResult, *, fail_on_stale: bool = False) -> int:
    counts = run.counts()
    if run.harness_errors or counts["ERROR"]:
        return EXIT_HARNESS
    if counts["FAIL"] or (fail_on_stale and run.stale_allowances):
        return EXIT_FAILURES
    return EXIT_OK


def _short(value: object) -> object:
    """Keep report payloads readable: long strings and byte strings are summarised."""
    wire = encode_value(value)
    text = json.dumps(wire, ensure_ascii=False, default=repr)
    if len(text) <= _PAYLOAD_CHARS:
        return wire
    return {"$summary": describe(value, 200)}


def _cut(text: str) -> str:
    if len(text) <= TEXT_LIMIT:
        return text
    return f"{text[:TEXT_LIMIT]}… (cut: {len(text)} characters in all)"


def _lines(lines: Sequence[str], what: str) -> list[str]:
    """At most :data:`LINES_LIMIT` lines, each cut to :data:`TEXT_LIMIT`, and a note of the rest."""
    kept = [_cut(line) for line in lines[:LINES_LIMIT]]
    if len(lines) > LINES_LIMIT:
        kept.append(f"… {len(lines) - LINES_LIMIT} more {what} not in the report")
    return kept


def _case_data(result: RunCase) -> dict[str, object]:
    rule = result.rule
    passed = result.verdict in ("PASS", "SKIP")
    logs = _lines(result.logs, "log line(s)")
    out: dict[str, object] = {
        "id": result.id,
        "rule": rule.id,
        "case": result.case.case_id,
        "level": rule.level,
        "verdict": result.verdict,
        "title": {"zh": rule.title.zh, "en": rule.title.en},
        "apis": list(rule.apis),
        "sources": list(rule.sources),
        "where": rule.where,
        "duration_s": round(result.duration, 4),
        "reason": _cut(result.reason),
        "failures": _lines(result.failures, "failure(s)"),
        "allowance": result.allowance.as_dict() if result.allowance else None,
        "logs": logs,
    }
    if not passed:
        out["trace"] = [
            [e.seq, e.task, e.kind, e.name, _short(e.payload), e.ref]
            for e in result.trace[:TRACE_LIMIT]
        ]
        if len(result.trace) > TRACE_LIMIT:
            logs.append(f"… {len(result.trace) - TRACE_LIMIT} more trace entries not in the report")
        peer: list[dict[str, object]] = []
        for conn in result.peer:
            frames = conn.get("frames", [])
            frames = frames if isinstance(frames, list) else []
            if len(frames) > FRAMES_LIMIT:
                logs.append(f"… {len(frames) - FRAMES_LIMIT} more peer frames not in the report")
            peer.append(
                {
                    **{k: v for k, v in conn.items() if k != "frames"},
                    "frames": [_short(f) for f in frames[:FRAMES_LIMIT]],
                }
            )
        out["peer"] = peer
    return out


def report_data(
    run: RunResult,
    info: Mapping[str, object],
    *,
    cases: Sequence[Mapping[str, object]] | None = None,
) -> dict[str, Any]:
    """The JSON report document (``cases``: the results' :func:`case_data`, when already made)."""
    counts = run.counts()
    extra: dict[str, object] = {}
    if run.not_run:
        extra["not_run"] = list(run.not_run)
    if run.stopped:
        extra["stopped"] = run.stopped
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "run": {
            "started": datetime.fromtimestamp(run.started, UTC).isoformat(),
            "duration_s": round(run.duration, 3),
            "harness": {"name": "utsapi-kit", "version": _version()},
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "implementation": dict(encode_value(run.implementation)),  # type: ignore[call-overload]
            "profile": run.profile.name,
            **dict(info),
            **extra,
        },
        "summary": {"total": len(run.results), **counts, "conformant": exit_code(run) == 0},
        "results": list(cases) if cases is not None else [_case_data(r) for r in run.results],
        "stale_allowances": [a.as_dict() for a in run.stale_allowances],
        "harness_errors": list(run.harness_errors),
    }


#: The report of one case (what :func:`report_data` lists under ``results``).
case_data = _case_data


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("utsapi-kit")
    except PackageNotFoundError:
        return "0+unknown"


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def to_json(data: Mapping[str, Any]) -> str:
    """The JSON text of ``data``; UTF-8-encodable whatever the strings hold: a lone surrogate
    (which only a JSON string can hold) is written as its ``\\udXXX`` escape, control characters
    are escaped by ``json`` itself."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=repr) + "\n"
    return _SURROGATE.sub(_escape, text)


def _visible(text: str) -> str:
    """``text`` with control characters and lone surrogates shown as ``\\uXXXX`` (HTML cannot
    carry them, UTF-8 cannot encode a lone surrogate); no markup character is introduced."""
    return _CONTROL.sub(_escape, text)


def console_line(result: RunCase, index: int, total: int) -> str:
    width = len(str(total))
    line = f"[{index:{width}}/{total}] {result.verdict:5} {result.id} ({result.duration:.2f} s)"
    if result.verdict not in ("PASS",) and result.reason:
        line += f"\n        {result.reason}"
    return line


# ----------------------------------------------------------------------------------------------
# JUnit XML


_JUNIT_FAILED = {Verdict.FAIL: "failure", Verdict.ERROR: "error"}


def to_junit(data: Mapping[str, Any]) -> str:
    """The JUnit XML of ``data`` (a :func:`report_data` document, validated)."""
    report = report_from_data(data)
    run, counts = report.run, report.summary.counts
    suite = ET.Element(
        "testsuite",
        {
            "name": f"utsapi conformance ({run.target or ''})",
            "tests": str(report.summary.total),
            "failures": str(counts[Verdict.FAIL]),
            "errors": str(counts[Verdict.ERROR]),
            "skipped": str(counts[Verdict.SKIP]),
            "time": str(run.duration_s),
            "timestamp": run.started,
        },
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (("profile", run.profile), ("runner", run.runner), ("target", run.target)):
        if value is not None:
            ET.SubElement(props, "property", {"name": key, "value": value})
    for result in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"utsapi.{result.rule.rsplit('.', 1)[0]}",
                "name": result.id,
                "time": str(result.duration_s),
            },
        )
        detail = "\n".join(result.failures or (result.reason,))
        if result.verdict in _JUNIT_FAILED:
            message = _xml_safe(result.reason)[:500]
            node = ET.SubElement(case, _JUNIT_FAILED[result.verdict], {"message": message})
            node.text = _xml_safe(detail)
        elif result.verdict is Verdict.SKIP:
            ET.SubElement(case, "skipped", {"message": _xml_safe(result.reason)})
        elif result.verdict is Verdict.WARN:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_safe(f"WARN: {result.reason}\n{detail}")
    ET.indent(suite)
    text = ET.tostring(suite, encoding="unicode")
    # Any text (the target, an id) may hold what XML 1.0 cannot: shown escaped, else dropped.
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _xml_safe(_visible(text)) + "\n"


def _xml_safe(text: str) -> str:
    """Drop what XML 1.0 cannot carry (control characters, lone surrogates)."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r"
        or (" " <= c <= "\ud7ff")
        or ("\ue000" <= c <= "\ufffd")
        or c >= "\U00010000"
    )


# ----------------------------------------------------------------------------------------------
# HTML


@dataclass(frozen=True)
class _HtmlCase:
    """A row of the HTML report: the case, its rule's docs link, its details (None: none)."""

    result: CaseResult
    href: str | None
    duration: str
    summary: str | None
    trace: str


def _rule_href(rule: str, docs_url: str | None) -> str | None:
    """The rule's documentation, when ``docs_url`` (a template with ``{rule}``) is set."""
    if docs_url is None or "{rule}" not in docs_url:
        return None
    return docs_url.replace("{rule}", quote(rule, safe=""))


def _html_case(result: CaseResult, docs_url: str | None) -> _HtmlCase:
    shown = bool(result.failures or result.reason or result.trace)
    return _HtmlCase(
        result=result,
        href=_rule_href(result.rule, docs_url),
        duration=f"{result.duration_s:.2f}",
        summary=(result.reason or "details") if shown else None,
        trace="\n".join(entry.as_line() for entry in result.trace),
    )


@cache
def _html_template() -> jinja2.Template:
    return make_environment("report", {}).get_template("report.html.j2")


def to_html(data: Mapping[str, Any]) -> str:
    """The standalone HTML report of ``data`` (a :func:`report_data` document, validated)."""
    report = report_from_data(data)
    run = report.run
    hello = run.implementation
    impl = {
        "title": str(hello.get("name", "")),
        "name": str(hello.get("name", "?")),
        "version": str(hello.get("version", "")),
        "language": str(hello.get("language", "")),
        "runner": run.runner or "",
        "target": run.target or "",
    }
    return _visible(
        _html_template().render(
            report=report,
            impl=impl,
            duration=f"{run.duration_s:.1f}",
            cases=[_html_case(r, run.docs_url) for r in report.results],
        )
    )


# ----------------------------------------------------------------------------------------------
# Writing


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` (UTF-8) in one step: a reader, or a run killed while writing,
    sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(text.encode("utf-8", "backslashreplace"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


Render = Callable[[Mapping[str, Any]], str]


class ReportWriter:
    """Writes a run's reports while it runs, so a crash loses nothing already reported.

    :meth:`add` takes each result in case order and rewrites every report (atomically, through
    :func:`write_atomic`) with the results so far, marked ``"complete": false``; a report whose
    last writing took long is rewritten less often (at most a fifth of the time goes to
    writing), and :meth:`finish` writes them all once more with the whole run.  Each case's
    report is made once.  ``OSError`` from writing propagates (the CLI makes it exit 2).
    """

    def __init__(self, targets: Sequence[tuple[Path, Render]], info: Mapping[str, object]) -> None:
        self.targets = list(targets)
        self.info = dict(info)
        self._results: list[RunCase] = []
        self._cases: list[dict[str, object]] = []
        self._next_due = [0.0] * len(self.targets)

    def add(self, result: RunCase, run: RunResult) -> None:
        """Add ``result``; ``run`` gives the run-level fields so far (its results are ignored)."""
        self._results.append(result)
        self._cases.append(_case_data(result))
        if self.targets:
            partial = replace(run, results=list(self._results))
            self._write({**self.info, "complete": False}, partial, force=False)

    def finish(self, run: RunResult) -> None:
        """Write the final reports of ``run`` (its results are the ones added, in order)."""
        cases = self._cases if len(self._cases) == len(run.results) else None
        if cases is not None and any(
            a is not b for a, b in zip(self._results, run.results, strict=True)
        ):
            cases = None
        self._cases = cases if cases is not None else [_case_data(r) for r in run.results]
        self._results = list(run.results)
        self._write({**self.info, "complete": True}, run, force=True)

    def _write(self, info: Mapping[str, object], run: RunResult, *, force: bool) -> None:
        data = report_data(run, info, cases=self._cases)
        for i, (path, render) in enumerate(self.targets):
            now = time.monotonic()
            if not force and now < self._next_due[i]:
                continue
            write_atomic(path, render(data))
            self._next_due[i] = now + 4 * (time.monotonic() - now)
