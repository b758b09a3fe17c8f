"""Ranges over several runs of ``bench/bench_reference_impl.py --json FILE``.

``python bench/summarize_reference_impl.py run1.json run2.json run3.json`` prints, per
workload, the reference runtime's throughput ratios to ``aiohttp`` and ``websockets`` (each
file's median of per-run ratios), and
every client's CPU microseconds per message and the server's CPU use during its runs, each
as ``min–max`` over the files.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

MIB = 1 << 20


def _span(values: list[float], digits: int) -> str:
    low, high = min(values), max(values)
    text = f"{low:.{digits}f}"
    return text if f"{high:.{digits}f}" == text else f"{text}–{high:.{digits}f}"


def _paired(base: list[float], ours: list[float]) -> float:
    """As bench_reference_impl.paired_ratio: the median of the per-run ratios."""
    return statistics.median(b / o for b, o in zip(base, ours, strict=True))


def main(argv: list[str]) -> int:
    reports: list[dict[str, Any]] = [json.loads(Path(p).read_text("utf-8")) for p in argv]
    tables = []
    for report in reports:
        table: dict[tuple[str, int, int], dict[str, dict[str, float]]] = {}
        for row in report["throughput"]:
            key = (row["kind"], row["count"], row["size"])
            table.setdefault(key, {})[row["client"]] = row
        tables.append(table)
    for key in tables[0]:
        kind, count, size = key
        label = f"{kind} {count:,} x {'1 MiB' if size == MIB else f'{size} B'}"
        print(label)
        clients = list(tables[0][key])
        for client in clients:
            cpu = [t[key][client]["cpu_seconds"] / count * 1e6 for t in tables]
            seconds = [t[key][client]["seconds"] for t in tables]
            busy = [t[key][client]["server_busy"] * 100 for t in tables]
            line = (
                f"  {client:<20} {_span(seconds, 3)} s, CPU {_span(cpu, 1)} µs/msg, "
                f"server {_span(busy, 0)} %"
            )
            if client.startswith("ref-"):
                for other in ("aiohttp", "websockets"):
                    ratio = [
                        _paired(t[key][other]["seconds_runs"], t[key][client]["seconds_runs"])
                        for t in tables
                    ]
                    cpu_ratio = [
                        _paired(t[key][other]["cpu_runs"], t[key][client]["cpu_runs"])
                        for t in tables
                    ]
                    line += f"; {_span(ratio, 2)}x {other} (CPU {_span(cpu_ratio, 2)}x)"
            print(line)
    print("latency p50 / p99 (µs)")
    for client in reports[0]["latency_us"]:
        p50 = [r["latency_us"][client][0] for r in reports]
        p99 = [r["latency_us"][client][1] for r in reports]
        print(f"  {client:<20} {_span(p50, 0)} / {_span(p99, 0)}")
    if all("many_tasks" in r for r in reports):
        many = [r["many_tasks"] for r in reports]
        print(
            f"1,000 tasks: {_span([m['seconds'] for m in many], 2)} s, peak RSS "
            f"{_span([m['peak_rss_mib'] for m in many], 0)} MiB, idle "
            f"{_span([m['baseline_rss_mib'] for m in many], 0)} MiB"
        )
        stall = [r["stalled_peer"] for r in reports]
        print(
            f"stalled peer: growth {_span([s['growth_mib'] for s in stall], 1)} MiB, 10001 "
            f"{'always' if all(s['reported_10001'] for s in stall) else 'NOT always'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
