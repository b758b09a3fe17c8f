"""``utsapi compare-data REFERENCE CANDIDATE``: two ``utsApiJson.json`` files, fact by fact.

Exit codes: 0 every fact equal, 1 differences, 2 usage error or unreadable input.
"""

from __future__ import annotations

import argparse
import difflib
import json
from pathlib import Path
from typing import TextIO

from generator.compare import (
    CategoryCount,
    CompareInputError,
    CompareReport,
    Group,
    compare_data,
    load_data,
)
from generator.exceptions import Diagnostic

HELP = "compare two utsApiJson.json files fact by fact (recall per category and key)"

EXIT_IDENTICAL, EXIT_DIFFERENT, EXIT_USAGE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Compare two utsApiJson.json files (DCloud's data-file shape) fact by fact, not as text: "
        "each section's Markdown is read into facts (names, API and field compatibility per "
        "column, field types, required and default cells, legal values, error codes, return "
        "types, methods, tutorial links, descriptions) and the facts are matched. Reports, by "
        "category and by key, facts equal, different, only in the reference and only in the "
        "candidate, the recall (share of the reference's facts the candidate reproduces), the "
        "facts the declarations cannot supply (examples, menu ids, vendor links, type links, "
        "module keys) apart, and the share of byte-identical sections. Exit 0 every fact "
        "equal, 1 differences, 2 usage error or unreadable input."
    )
    parser.add_argument("reference", type=Path, metavar="REFERENCE", help="the data to match")
    parser.add_argument("candidate", type=Path, metavar="CANDIDATE", help="the data to judge")
    parser.add_argument(
        "--key",
        action="append",
        metavar="KEY",
        help="compare only this key (repeatable; default: every key of either file)",
    )
    parser.add_argument(
        "--common-keys", action="store_true", help="compare only the keys both files hold"
    )
    parser.add_argument(
        "--json", action="store_true", help="a JSON document (format in generator.compare)"
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=15,
        metavar="N",
        help="largest differences listed in the text output (default 15; 0: none)",
    )


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.key and args.common_keys:
        stderr.write("utsapi compare-data: --key and --common-keys exclude each other\n")
        return EXIT_USAGE
    loaded: list[dict[str, dict[str, str]]] = []
    problems: list[Diagnostic] = []
    for path in (args.reference, args.candidate):
        try:
            loaded.append(load_data(path))
        except CompareInputError as error:
            problems.extend(error.diagnostics)
    if problems:
        for diagnostic in problems:
            stderr.write(f"{diagnostic}\n")
        stderr.write("utsapi compare-data: unreadable input; nothing compared\n")
        return EXIT_USAGE
    reference, candidate = loaded
    keys: list[str] | None = args.key
    known = [*reference, *(k for k in candidate if k not in reference)]
    unknown = [k for k in keys or [] if k not in known]
    for key in unknown:
        near = difflib.get_close_matches(key, known, n=3)
        hint = f" (nearest: {', '.join(near)})" if near else ""
        stderr.write(f"utsapi compare-data: --key {key!r} is in neither file{hint}\n")
    if unknown:
        return EXIT_USAGE
    if args.common_keys:
        keys = [k for k in reference if k in candidate]
    report = compare_data(
        reference,
        candidate,
        reference_name=str(args.reference),
        candidate_name=str(args.candidate),
        keys=keys,
    )
    if args.json:
        json.dump(report.as_dict(), stdout, ensure_ascii=False, indent=2)
        stdout.write("\n")
    else:
        _write_text(report, stdout, limit=max(args.limit, 0))
    verdict = "every fact equal" if report.identical else "differences found"
    stderr.write(
        f"compare-data: {verdict}; recall of the facts the declarations supply "
        f"{_percent(report.total(Group.FACT).recall)}, of their prose "
        f"{_percent(report.total(Group.PROSE).recall)}, over {len(report.keys)} key(s)\n"
    )
    return EXIT_IDENTICAL if report.identical else EXIT_DIFFERENT


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _count_line(name: str, count: CategoryCount, width: int) -> str:
    return (
        f"  {name:<{width}} {count.equal:>7} {count.different:>7} {count.only_reference:>9} "
        f"{count.only_candidate:>10} {_percent(count.recall):>7}"
    )


def _table(title: str, counts: dict[str, CategoryCount], total: CategoryCount | None) -> str:
    width = max([len(n) for n in counts] + [len("category")])
    lines = [title, f"  {'':<{width}} {'equal':>7} {'differ':>7} {'only-ref':>9} "
             f"{'only-cand':>10} {'recall':>7}"]  # fmt: skip
    lines += [_count_line(name, count, width) for name, count in counts.items()]
    if total is not None:
        lines.append(_count_line("all", total, width))
    return "\n".join(lines) + "\n"


def _value(text: str | None) -> str:
    if text is None:
        return "(none)"
    return repr(text if len(text) <= 70 else text[:67] + "...")


def _write_text(report: CompareReport, out: TextIO, *, limit: int) -> None:
    out.write(f"reference: {report.reference}\ncandidate: {report.candidate}\n")
    out.write(f"keys compared: {len(report.keys)}\n\n")
    out.write(
        _table(
            "facts the declarations supply:",
            report.by_category(group=Group.FACT),
            report.total(Group.FACT),
        )
    )
    out.write("\n")
    prose = report.by_category(group=Group.PROSE)
    out.write(_table("prose the declarations supply (counted apart):", prose, None))
    for name in prose:
        out.write(f"  {name}: {report.categories.by_name[name].reason}\n")
    out.write("\n")
    apart = report.by_category(group=Group.OVERLAY)
    out.write(_table("facts the declarations cannot supply (counted apart):", apart, None))
    for name in apart:
        out.write(f"  {name}: {report.categories.by_name[name].reason}\n")
    for name, reason in report.categories.not_in_data.items():
        out.write(f"  not in the data at all: {name}: {reason}\n")
    out.write("\n")
    by_key = report.by_key()
    differing = {k: c for k, c in by_key.items() if c.equal != sum(vars(c).values())}
    if differing:
        out.write(_table("by key, keys with differences (facts the declarations supply):",
                         differing, None))  # fmt: skip
    out.write(
        f"  {len(by_key) - len(differing)} of {len(by_key)} key(s) with every such fact equal\n"
    )
    sections = report.sections
    total_sections = sections.identical + sections.different + sections.only_reference
    out.write(
        f"\nsections byte-identical: {sections.identical} of {total_sections} in the reference "
        f"({_percent(sections.identical_share)}); {sections.only_candidate} only in the "
        "candidate\n"
    )
    for side, problems in report.problems.items():
        for problem in problems:
            out.write(f"{side}: not read: {problem}\n")
    largest = report.largest(limit)
    if largest:
        out.write("\nlargest differences (key, category (group): facts not equal):\n")
    for key, category, diffs in largest:
        group = report.categories.by_name[category].group
        out.write(f"  {key} {category} ({group}): {len(diffs)}\n")
        for diff in diffs[:3]:
            path = ".".join(diff.path) or "(key)"
            out.write(
                f"    {diff.status}: {path}: reference {_value(diff.reference)}, "
                f"candidate {_value(diff.candidate)}\n"
            )
        if len(diffs) > 3:
            out.write(f"    … {len(diffs) - 3} more (--json lists every fact)\n")
