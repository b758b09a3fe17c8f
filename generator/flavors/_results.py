"""The conformance results page of the site: a report (:mod:`generator.report`) in the mkdocs
flavour, or a note saying why there is none."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.flavors import labels
from generator.flavors._mkdocs_md import make_environment
from generator.report import Report, ReportError, load_report
from generator.spec.model import Lang

__all__ = ["ResultRow", "render_results"]

#: The implementation's hello keys that name it, most telling first.
_NAME_KEYS = ("name", "target", "impl", "driver")


@dataclass(frozen=True)
class ResultRow:
    """One case of the results table, in one language."""

    id: str
    rule: str
    verdict: str
    level: str
    title: str
    message: str
    duration: str


def _implementation_name(hello: Mapping[str, Any]) -> str:
    for key in _NAME_KEYS:
        if isinstance(hello.get(key), str) and hello[key]:
            return str(hello[key])
    return json.dumps(hello, ensure_ascii=False, sort_keys=True, default=str)


def _view(report: Report, lang: Lang, texts: Mapping[str, str]) -> dict[str, Any]:
    run, summary = report.run, report.summary
    meta = [
        (texts["implementation"], _implementation_name(run.implementation)),
        (texts["profile"], run.profile),
        (texts["started"], run.started),
        (texts["conformant"], texts["yes" if summary.conformant else "no"]),
    ]
    rows = [
        ResultRow(
            id=r.id,
            rule=r.rule,
            verdict=r.verdict,
            level=r.level,
            title=r.title.get(lang) or r.title.en,
            message=r.reason,
            duration=f"{r.duration_s:.3f}",
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


def render_results(report_path: Path, lang: Lang, *, shown_path: str | None = None) -> str:
    """The conformance results for ``report_path`` (a ``--json`` report), or a note saying why not.

    A missing report is not an error: the page says there are no results yet.  A file that is not
    a valid report says so on the page; the site still builds.
    """
    texts = labels.table(labels.RESULTS, lang)
    shown = shown_path or str(report_path)
    template = make_environment().get_template("results.md.j2")
    if not report_path.is_file():
        note = texts["no_results"].format(path=shown)
    else:
        try:
            view = _view(load_report(report_path), lang, texts)
        except ReportError as error:
            note = texts["unreadable"].format(path=shown, problem=_problem(error, texts))
        else:
            return template.render(texts=texts, note=None, report=view)
    return template.render(texts=texts, note=note, report=None)
