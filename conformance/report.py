"""Reports of a conformance run: JSON (versioned), JUnit XML, one standalone HTML file.

All three are built from :func:`report_data`, the JSON document
(``spec/schema/report.schema.json``), so they never disagree.  Nothing here writes to a
stream; the CLI decides where text goes.
"""

from __future__ import annotations

import html
import json
import platform
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote

from conformance.channel import encode_value
from conformance.engine import CaseResult, RunResult
from conformance.values import describe

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

REPORT_FORMAT: Final = "utsapi-conformance-report"
REPORT_VERSION: Final = 1
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


def _case_data(result: CaseResult) -> dict[str, object]:
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


def console_line(result: CaseResult, index: int, total: int) -> str:
    width = len(str(total))
    line = f"[{index:{width}}/{total}] {result.verdict:5} {result.id} ({result.duration:.2f} s)"
    if result.verdict not in ("PASS",) and result.reason:
        line += f"\n        {result.reason}"
    return line


# ----------------------------------------------------------------------------------------------
# JUnit XML


def to_junit(data: Mapping[str, Any]) -> str:
    summary = data["summary"]
    suite = ET.Element(
        "testsuite",
        {
            "name": f"utsapi conformance ({data['run'].get('target', '')})",
            "tests": str(summary["total"]),
            "failures": str(summary["FAIL"]),
            "errors": str(summary["ERROR"]),
            "skipped": str(summary["SKIP"]),
            "time": str(data["run"]["duration_s"]),
            "timestamp": str(data["run"]["started"]),
        },
    )
    props = ET.SubElement(suite, "properties")
    for key in ("profile", "runner", "target"):
        if key in data["run"]:
            ET.SubElement(props, "property", {"name": key, "value": str(data["run"][key])})
    for result in data["results"]:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"utsapi.{result['rule'].rsplit('.', 1)[0]}",
                "name": result["id"],
                "time": str(result["duration_s"]),
            },
        )
        detail = "\n".join(result["failures"] or [result["reason"]])
        verdict = result["verdict"]
        if verdict == "FAIL":
            node = ET.SubElement(case, "failure", {"message": _xml_safe(result["reason"])[:500]})
            node.text = _xml_safe(detail)
        elif verdict == "ERROR":
            node = ET.SubElement(case, "error", {"message": _xml_safe(result["reason"])[:500]})
            node.text = _xml_safe(detail)
        elif verdict == "SKIP":
            ET.SubElement(case, "skipped", {"message": _xml_safe(result["reason"])})
        elif verdict == "WARN":
            out = ET.SubElement(case, "system-out")
            out.text = _xml_safe(f"WARN: {result['reason']}\n{detail}")
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

_CSS: Final = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.PASS{color:#176f2c}.FAIL{color:#b00020;font-weight:bold}.WARN{color:#a15c00}
.SKIP{color:#666}.ERROR{color:#fff;background:#b00020;padding:0 4px}
pre{white-space:pre-wrap;margin:0;font-size:12px;background:#f6f6f6;padding:6px}
.sum span{margin-right:1.2em}details summary{cursor:pointer}
"""

_JS: Final = """
document.getElementById('only-bad').addEventListener('change', function (ev) {
  var rows = document.querySelectorAll('tr.case');
  for (var i = 0; i < rows.length; i++) {
    var ok = rows[i].dataset.verdict === 'PASS' || rows[i].dataset.verdict === 'SKIP';
    rows[i].style.display = ev.target.checked && ok ? 'none' : '';
  }
});
"""


def _rule_link(result: Mapping[str, Any], docs_url: object) -> str:
    """The case id, linked to the rule's documentation when ``docs_url`` (``{rule}``) is set."""
    code = f"<code>{html.escape(result['id'])}</code>"
    if not isinstance(docs_url, str) or "{rule}" not in docs_url:
        return code
    href = docs_url.replace("{rule}", quote(result["rule"], safe=""))
    return f'<a href="{html.escape(href)}">{code}</a>'


def to_html(data: Mapping[str, Any]) -> str:
    e = html.escape
    run = data["run"]
    summary = data["summary"]
    impl = run.get("implementation", {})
    rows: list[str] = []
    for r in data["results"]:
        detail = ""
        if r["failures"] or r["reason"] or r.get("trace"):
            lines = "\n".join(r["failures"]) or r["reason"]
            trace = "\n".join(
                f"{t[0]:>3} {t[5]:<28} {t[2]:<9} {t[3]:<10} {json.dumps(t[4], ensure_ascii=False)}"
                for t in r.get("trace", [])
            )
            detail = (
                f"<details><summary>{e(r['reason'] or 'details')}</summary><pre>{e(lines)}</pre>"
            )
            if trace:
                detail += f"<pre>{e(trace)}</pre>"
            detail += "</details>"
        rows.append(
            f'<tr class="case" data-verdict="{e(r["verdict"])}" id="{e(r["id"])}">'
            f'<td class="{e(r["verdict"])}">{e(r["verdict"])}</td>'
            f"<td>{_rule_link(r, run.get('docs_url'))}<br>{e(r['title']['en'])}"
            f"<br>{e(r['title']['zh'])}</td>"
            f"<td>{e(r['level'])}</td><td>{e(', '.join(r['apis']))}</td>"
            f"<td>{r['duration_s']:.2f}</td><td>{detail}</td></tr>"
        )
    stale = "".join(
        f"<li><code>{e(a['rule'])}</code> ({e(a['where'])}): {e(a['reason']['en'])}</li>"
        for a in data["stale_allowances"]
    )
    counts = "".join(
        f'<span class="{v}">{v}: {summary[v]}</span>'
        for v in ("PASS", "FAIL", "WARN", "SKIP", "ERROR")
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>utsapi conformance: {e(str(impl.get("name", "")))}</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style></head>
<body>
<h1>utsapi conformance report</h1>
<p>Implementation <b>{e(str(impl.get("name", "?")))}</b> {e(str(impl.get("version", "")))}
({e(str(impl.get("language", "")))}), runner {e(str(run.get("runner", "")))}
<code>{e(str(run.get("target", "")))}</code>, profile <b>{e(str(run["profile"]))}</b>,
started {e(str(run["started"]))}, {run["duration_s"]:.1f} s.</p>
<p class="sum">{counts}<span>total: {summary["total"]}</span></p>
{f"<h2>Stale allowances</h2><ul>{stale}</ul>" if stale else ""}
<p><label><input type="checkbox" id="only-bad"> only show cases that did not pass</label></p>
<table><thead><tr><th>verdict</th><th>rule</th><th>level</th><th>APIs</th><th>s</th>
<th>details</th></tr></thead><tbody>
{"".join(rows)}
</tbody></table>
<script>{_JS}</script>
</body></html>
"""
