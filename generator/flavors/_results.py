"""The conformance results page of the site: a report (:mod:`generator.report`) in the mkdocs
flavour, or a note saying why there is none."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from generator.flavors import labels
from generator.flavors._mkdocs_md import make_environment
from generator.report import Report, ReportError, load_report
from generator.spec.model import Lang, Text
from generator.spec.rules import Rule

__all__ = ["ResultRow", "RuleEntry", "public_path", "readable_time", "render_results"]

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
    """The conformance results for ``report_path`` (a ``--json`` report), or a note saying why
    not, then the full text of each of ``rules`` under its anchor ``#rule-<id>`` (the target of
    the API pages' rule lists and of the HTML report's links) with the verdicts of its cases.

    A missing report is not an error: the page says there are no results yet.  A file that is not
    a valid report says so on the page; the site still builds.  No absolute path of the build
    machine is shown (:func:`public_path`).
    """
    texts = labels.table(labels.RESULTS, lang)
    words = {key: text.get(lang) for key, text in RULE_WORDS.items()}
    shown = public_path(shown_path or str(report_path))
    template = make_environment().get_template("results.md.j2")
    known = {rule.id for rule in rules}
    report: Report | None = None
    note: str | None = None
    view: dict[str, Any] | None = None
    if not report_path.is_file():
        note = texts["no_results"].format(path=shown)
    else:
        try:
            report = load_report(report_path)
        except ReportError as error:
            note = texts["unreadable"].format(path=shown, problem=_scrub(_problem(error, texts)))
        else:
            view = _view(report, lang, texts, known)
    entries = _rule_entries(rules, report, lang, {**texts, **words})
    return template.render(texts=texts, words=words, note=note, report=view, rules=entries)
