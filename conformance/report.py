"""Reports of a conformance run: JSON (versioned), JUnit XML, one standalone HTML file.

All three are built from :func:`report_data`, the JSON document
(``spec/schema/report.schema.json``), so they never disagree; JUnit and HTML read it through the
report model (:mod:`generator.report`, which the site's results page reads too), HTML with the
template ``generator/templates/report/report.html.j2``.  Nothing here writes to a stream; the
CLI decides where text goes.
"""

from __future__ import annotations

import json
import platform
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
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
    "console_line",
    "exit_code",
    "report_data",
    "to_html",
    "to_json",
    "to_junit",
]

#: Trace entries kept per case in the report (failing cases keep all of them up to this).
TRACE_LIMIT: Final = 400
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


def _case_data(result: RunCase) -> dict[str, object]:
    rule = result.rule
    passed = result.verdict in ("PASS", "SKIP")
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
        "reason": result.reason,
        "failures": list(result.failures),
        "allowance": result.allowance.as_dict() if result.allowance else None,
        "logs": list(result.logs),
    }
    if not passed:
        out["trace"] = [
            [e.seq, e.task, e.kind, e.name, _short(e.payload), e.ref]
            for e in result.trace[:TRACE_LIMIT]
        ]
        out["peer"] = [
            {
                **{k: v for k, v in conn.items() if k != "frames"},
                "frames": [_short(f) for f in conn.get("frames", [])][:50],  # type: ignore[attr-defined]
            }
            for conn in result.peer
        ]
    return out


def report_data(run: RunResult, info: Mapping[str, object]) -> dict[str, Any]:
    """The JSON report document."""
    counts = run.counts()
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
        },
        "summary": {"total": len(run.results), **counts, "conformant": exit_code(run) == 0},
        "results": [_case_data(r) for r in run.results],
        "stale_allowances": [a.as_dict() for a in run.stale_allowances],
        "harness_errors": list(run.harness_errors),
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("utsapi-kit")
    except PackageNotFoundError:
        return "0+unknown"


def to_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=repr) + "\n"


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
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )


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
    return _html_template().render(
        report=report,
        impl=impl,
        duration=f"{run.duration_s:.1f}",
        cases=[_html_case(r, run.docs_url) for r in report.results],
    )
