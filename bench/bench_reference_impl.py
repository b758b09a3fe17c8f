"""Benchmark: reference_impl against the WebSocket clients users would pick instead.

Run ``python bench/bench_reference_impl.py`` (needs the ``bench`` extra:
``pip install -e '.[bench]'``). Everything runs on 127.0.0.1 with OS-picked ports:

* the server is ``picows`` (``bench/ws_server.py``) in a process of its own, so that it
  is not what limits the clients; its CPU use during each run is reported;
* each client (``picows``, ``aiohttp``, ``websockets``, ``websocket-client``, and
  reference_impl called from synchronous code and from a coroutine) runs each workload in
  a fresh process of its own (``bench/ws_clients.py``), all with the same environment,
  alternating client by client; the best of ``--runs`` runs counts;
* workloads: pipelined echo and one-way, 50,000 x 64 B and 200 x 1 MiB; figures are wall
  time, messages per second and CPU microseconds per message (the client process's CPU
  time, every thread, system time included, over the measured span, divided by the
  messages), each the best of the runs; the ratios between two clients are the median over
  runs of the ratio within a run (the two measured back to back); then the echo round trip,
  64 B, one in flight (p50, p99);
* the allocator is controlled: glibc's dynamic mmap threshold makes 1 MiB buffers
  alternate between ``mmap`` and the heap depending on what was freed last, so by default
  every process runs with ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` fixed
  (``--malloc default`` runs with glibc's defaults instead);
* then, for reference_impl only, 1,000 concurrent tasks x 10 echoed messages (time, peak
  RSS) and a peer that stops reading while 64 MiB go out in 64 KiB messages (peak RSS
  growth over the idle process, must be <= 32 MiB, and 10001 must be reported).

``--baseline REV`` adds rows for reference_impl as of a git revision (extracted with ``git
archive`` into a temporary directory), measured in the same run.

Targets, for both ways of calling reference_impl: on every workload at least the
throughput of idiomatic ``websockets``; on pipelined echo at least 0.7x ``aiohttp`` for
64 B and 0.8x for 1 MiB. Exit status 1 when a target is missed. Every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reference_impl import Runtime  # noqa: E402

HOST = "127.0.0.1"
BASELINE_DIR = Path(tempfile.gettempdir()) / f"bench-reference-impl-baseline-{os.getpid()}"
WAIT = 120.0  # seconds: upper bound of any single measurement
CLIENTS = ("picows", "aiohttp", "websockets", "websocket-client", "ref-sync", "ref-asyncio")
REFERENCE = ("ref-sync", "ref-asyncio")
MIB = 1 << 20
WORKLOADS = (("echo", 50_000, 64), ("echo", 200, MIB), ("oneway", 50_000, 64), ("oneway", 200, MIB))
LATENCY_ROUNDS = 2_000
# Heap, not mmap, for buffers up to 4 MiB; freed memory stays with the process.
FIXED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(4 * MIB), "MALLOC_TRIM_THRESHOLD_": str(256 * MIB)}
# (workload, size) -> (client the ratio is taken against, minimum ratio)
TARGETS: dict[tuple[str, int], list[tuple[str, float]]] = {
    ("echo", 64): [("aiohttp", 0.7), ("websockets", 1.0)],
    ("echo", MIB): [("aiohttp", 0.8), ("websockets", 1.0)],
    ("oneway", 64): [("websockets", 1.0)],
    ("oneway", MIB): [("websockets", 1.0)],
}


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """``bench/ws_server.py`` in its own process; stops when its stdin closes."""

    def __init__(self, env: dict[str, str]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(HERE / "ws_server.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.strip().isdigit():
            self.close()
            raise RuntimeError("benchmark server did not start")
        self.port = int(line)
        self.pid = self._process.pid

    def url(self, path: str) -> str:
        return f"ws://{HOST}:{self.port}{path}"

    def cpu(self) -> float:
        return _cpu_of(self.pid)

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(10)


def run_client(
    env: dict[str, str], client: str, kind: str, url: str, *, count: int, size: int
) -> dict[str, Any]:
    """Run one client process; ``ref-sync@REV`` runs ``ref-sync`` on the baseline."""
    name, _, baseline = client.partition("@")
    if baseline:
        env = {**env, "BENCH_REFERENCE_IMPL": str(BASELINE_DIR)}
    result = subprocess.run(
        [sys.executable, str(HERE / "ws_clients.py"), name, kind, url, str(count), str(size)],
        capture_output=True,
        text=True,
        env=env,
        timeout=WAIT + 60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{client} {kind} {count}x{size}: {result.stderr.strip()[-2000:]}")
    data: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return data


# -- many tasks, memory (reference_impl only) --------------------------------------------------


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def many_tasks(url: str, tasks: int = 1000, messages: int = 10) -> dict[str, float]:
    """In a fresh process: ``tasks`` concurrent tasks, each echoing ``messages`` messages."""
    runtime = Runtime()
    baseline = _current_rss_mib()
    done = threading.Event()
    lock = threading.Lock()
    remaining = [tasks]
    start = time.perf_counter()
    all_tasks = []

    for _ in range(tasks):
        task = runtime.connectSocket({"url": url})
        got = [0]

        def on_open(res: Any, task: Any = task) -> None:
            for i in range(messages):
                task.send({"data": f"message {i}"})

        def on_message(res: Any, task: Any = task, got: list[int] = got) -> None:
            got[0] += 1
            if got[0] == messages:
                task.close()

        def on_close(res: Any, got: list[int] = got) -> None:
            with lock:
                remaining[0] -= 1
                if remaining[0] == 0:
                    done.set()

        task.onOpen(on_open)
        task.onMessage(on_message)
        task.onClose(on_close)
        all_tasks.append((task, got))
    if not done.wait(WAIT):
        raise TimeoutError(f"{remaining[0]} tasks did not finish")
    elapsed = time.perf_counter() - start
    complete = sum(1 for _, got in all_tasks if got[0] == messages)
    runtime.shutdown()
    return {
        "seconds": elapsed,
        "peak_rss_mib": _rss_mib(),
        "baseline_rss_mib": baseline,
        "complete": complete,
    }


def stalled_peer(url: str) -> dict[str, float]:
    """In a fresh process: 64 MiB in 64 KiB messages to a peer that does not read."""
    runtime = Runtime(close_timeout=1.0)
    opened, errored, closed = threading.Event(), threading.Event(), threading.Event()
    codes: list[int] = []
    task = runtime.connectSocket({"url": url})
    task.onOpen(lambda res: opened.set())
    task.onError(lambda res: errored.set())
    task.onClose(lambda res: closed.set())
    if not opened.wait(WAIT):
        raise TimeoutError("stalled peer: no open")
    idle = _current_rss_mib()
    chunk = 64 * 1024
    for i in range(1024):
        task.send(
            {
                "data": os.urandom(16) + bytes(chunk - 16),
                "fail": lambda res: codes.append(res["errCode"]),
            }
        )
        if i % 64 == 63:
            time.sleep(0)
    errored.wait(WAIT)
    peak = _rss_mib()
    closed.wait(WAIT)
    runtime.shutdown()
    # Growth over the idle process: the peak after, minus the resident size when idle
    # (conservative: an earlier, higher peak counts as growth too).
    return {
        "idle_rss_mib": idle,
        "peak_rss_mib": peak,
        "growth_mib": peak - idle,
        "reported_10001": float(10001 in codes),
    }


def _child(target: Callable[[str], dict[str, float]], url: str, out: Any) -> None:
    out.send(target(url))


def in_child(target: Callable[[str], dict[str, float]], url: str) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(target, url, sender))
    process.start()
    if not receiver.poll(WAIT + 30):
        process.kill()
        raise TimeoutError(f"{target.__name__} did not report")
    result: dict[str, float] = receiver.recv()
    process.join(30)
    return result


# -- report ------------------------------------------------------------------------------------


@dataclass
class Row:
    kind: str
    count: int
    size: int
    client: str
    seconds: float
    cpu_seconds: float
    server_busy: float
    # Every run's figures, in run order: run i of each client was measured back to back.
    seconds_runs: list[float] = field(default_factory=list)
    cpu_runs: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.count:,} x {'1 MiB' if self.size == MIB else f'{self.size} B'}"

    @property
    def cpu_us(self) -> float:
        return self.cpu_seconds / self.count * 1e6


def _throughput(env: dict[str, str], server: Server, runs: int, clients: list[str]) -> list[Row]:
    best: dict[tuple[str, int, int, str], Row] = {}
    for _ in range(runs):
        for kind, count, size in WORKLOADS:
            url = server.url("/echo" if kind == "echo" else f"/sink/{count}")
            for client in clients:
                server_cpu = server.cpu()
                data = run_client(env, client, kind, url, count=count, size=size)
                busy = (server.cpu() - server_cpu) / data["seconds"]
                key = (kind, count, size, client)
                row = best.setdefault(
                    key, Row(kind, count, size, client, data["seconds"], data["cpu_seconds"], busy)
                )
                row.seconds_runs.append(data["seconds"])
                row.cpu_runs.append(data["cpu_seconds"])
                # Best of the runs, each figure on its own.
                if data["seconds"] <= row.seconds:
                    row.seconds, row.server_busy = data["seconds"], busy
                row.cpu_seconds = min(row.cpu_seconds, data["cpu_seconds"])
    return list(best.values())


def paired_ratio(base: list[float], ours: list[float]) -> float:
    """The median over runs of base/ours, each run's two figures measured back to back: on a
    shared machine this cancels the load that comes and goes, which a ratio of bests does not."""
    return statistics.median(b / o for b, o in zip(base, ours, strict=True))


def _print_throughput(rows: list[Row], runs: int, malloc: str, clients: list[str]) -> list[str]:
    missed: list[str] = []
    print(f"throughput: best of {runs} runs, a fresh process per client and run; malloc: {malloc}")
    print(
        "ratios: throughput (the other client's wall time / reference's) and CPU (the other's "
        "CPU / reference's),\nthe median over runs of each run's ratio; "
        "server = its CPU use over the best run"
    )
    print(
        f"{'workload':<22} {'client':<19} {'s':>7} {'msg/s':>9} {'CPU µs/msg':>10} "
        f"{'server':>6}  ratios"
    )
    by_label: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_label.setdefault(row.label, {})[row.client] = row
    for label, measured in by_label.items():
        for client in clients:
            row = measured[client]
            ratios = ""
            if client in REFERENCE or "@" in client:
                parts = []
                for other, minimum in TARGETS[(row.kind, row.size)]:
                    base = measured[other]
                    ratio = paired_ratio(base.seconds_runs, row.seconds_runs)
                    cpu_ratio = paired_ratio(base.cpu_runs, row.cpu_runs)
                    verdict = "ok" if ratio >= minimum else "MISSED"
                    parts.append(
                        f"{ratio:.2f}x {other} (CPU {cpu_ratio:.2f}x; ≥ {minimum}: {verdict})"
                    )
                    if ratio < minimum and client in REFERENCE:
                        missed.append(f"{label} {client}: {ratio:.2f}x {other} < {minimum}")
                ratios = "; ".join(parts)
            print(
                f"{label:<22} {client:<19} {row.seconds:7.3f} {row.count / row.seconds:9,.0f} "
                f"{row.cpu_us:10.1f} {row.server_busy:6.0%}  {ratios}"
            )
    return missed


def _extract_baseline(rev: str) -> None:
    """``reference_impl/`` as of ``rev``, into BASELINE_DIR (``git archive``; the work tree
    is not touched)."""
    BASELINE_DIR.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", "--format=tar", rev, "reference_impl"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    subprocess.run(
        ["tar", "-x", "-C", str(BASELINE_DIR)], input=archive.stdout, check=True, timeout=60
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the best counts")
    parser.add_argument(
        "--malloc",
        choices=("fixed", "default"),
        default="fixed",
        help="fixed: the same glibc thresholds for every process (default)",
    )
    parser.add_argument("--skip-memory", action="store_true", help="skip the RSS measurements")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--baseline", metavar="REV", help="also measure reference_impl as of this git revision"
    )
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, 10))
    clients = list(CLIENTS)
    if args.baseline:
        _extract_baseline(args.baseline)
        clients += [f"{c}@{args.baseline}" for c in REFERENCE]
    env = dict(os.environ)
    for name in FIXED_MALLOC:
        env.pop(name, None)
    if args.malloc == "fixed":
        env.update(FIXED_MALLOC)
    malloc = (
        ", ".join(f"{k}={v}" for k, v in FIXED_MALLOC.items())
        if args.malloc == "fixed"
        else "glibc defaults"
    )

    server = Server(env)
    report: dict[str, Any] = {"malloc": malloc, "runs": runs}
    try:
        rows = _throughput(env, server, runs, clients)
        report["throughput"] = [asdict(row) for row in rows]
        missed = _print_throughput(rows, runs, malloc, clients)

        print(f"\necho round trip, 64 B, one in flight, {LATENCY_ROUNDS:,} rounds (µs)")
        print(f"{'client':<19} {'p50':>6} {'p99':>6}")
        latency: dict[str, list[float]] = {}
        for client in clients:
            data = run_client(
                env, client, "latency", server.url("/echo"), count=LATENCY_ROUNDS, size=64
            )
            q = statistics.quantiles(data["samples"], n=100)
            latency[client] = [q[49] * 1e6, q[98] * 1e6]
            print(f"{client:<19} {q[49] * 1e6:6.0f} {q[98] * 1e6:6.0f}")
        report["latency_us"] = latency

        if not args.skip_memory:
            many = in_child(many_tasks, server.url("/echo"))
            report["many_tasks"] = many
            print(
                f"\n1,000 concurrent tasks x 10 echoed messages: {many['seconds']:.2f} s, "
                f"peak RSS {many['peak_rss_mib']:.0f} MiB "
                f"(baseline {many['baseline_rss_mib']:.0f} MiB), "
                f"{many['complete']:.0f} tasks complete"
            )
            if many["complete"] != 1000:
                missed.append("1,000 tasks: not all complete")
            stall = in_child(stalled_peer, server.url("/stall"))
            report["stalled_peer"] = stall
            print(
                f"peer stops reading, 64 MiB in 64 KiB messages: peak RSS "
                f"{stall['peak_rss_mib']:.0f} MiB, idle {stall['idle_rss_mib']:.0f} MiB, "
                f"growth {stall['growth_mib']:.1f} MiB (limit 32), "
                f"10001 reported: {'yes' if stall['reported_10001'] else 'no'}"
            )
            if stall["growth_mib"] > 32 or not stall["reported_10001"]:
                missed.append("stalled peer: memory or 10001")
    finally:
        server.close()
        shutil.rmtree(BASELINE_DIR, ignore_errors=True)

    report["missed"] = missed
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    if missed:
        print("\nMISSED: " + "; ".join(missed))
        return 1
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
