"""Benchmark: reference_impl against a raw ``websockets`` asyncio client.

Run ``python bench/bench_reference_impl.py``. One server process (a ``websockets`` server on
127.0.0.1, port 0) serves both clients in the same run:

* throughput, one-way (the server counts, then says "done") and echo (pipelined), for
  50,000 messages of 64 B and 200 messages of 1 MiB; the ratio reference/raw must be >= 0.8;
* echo round-trip latency (p50, p99), one message in flight;
* 1,000 concurrent tasks each echoing 10 messages: time and peak RSS;
* a peer that stops reading while 64 MiB go out in 64 KiB messages: peak RSS growth over
  the idle process (must be <= 32 MiB) and whether 10001 was reported.

The reference client is driven the way synchronous code drives it (calls from the main
thread, callbacks on the runtime's loop thread) and, in separate rows, from inside a
running asyncio loop. Every loop is bounded in count and time. Exit status 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from reference_impl import Runtime

HOST = "127.0.0.1"
WAIT = 120.0  # seconds: upper bound of any single measurement
SMALL = (50_000, 64)
LARGE = (200, 1 << 20)
LATENCY_ROUNDS = 2_000
TARGET_RATIO = 0.8
# Messages this big are paced so that at most WINDOW_BYTES wait to be written.
WINDOW_FROM = 64 * 1024
WINDOW_BYTES = 12 * 2**20


# -- the server process ----------------------------------------------------------------------


async def _serve(port_out: Any, stop: Any) -> None:
    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        path = ws.request.path
        if path.startswith("/sink/"):
            expected = int(path.rsplit("/", 1)[1])
            count = 0
            async for _ in ws:
                count += 1
                if count == expected:
                    await ws.send("done")
        elif path == "/stall":
            await asyncio.get_running_loop().run_in_executor(None, stop.wait, WAIT)
        else:
            async for message in ws:
                await ws.send(message)

    async with serve(handler, HOST, 0, compression=None, max_size=None) as server:
        port_out.send(server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().run_in_executor(None, stop.wait, 3600)


def _server_main(port_out: Any, stop: Any) -> None:
    asyncio.run(_serve(port_out, stop))


class Server:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._stop = ctx.Event()
        receiver, sender = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_server_main, args=(sender, self._stop), daemon=True)
        self._process.start()
        if not receiver.poll(30):
            raise RuntimeError("benchmark server did not start")
        self.port: int = receiver.recv()

    def url(self, path: str) -> str:
        return f"ws://{HOST}:{self.port}{path}"

    def close(self) -> None:
        self._stop.set()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


# -- raw websockets client -------------------------------------------------------------------


def _client_kwargs() -> dict[str, Any]:
    return {"compression": None, "max_size": 16 * 2**20, "proxy": None}


async def raw_one_way(url: str, count: int, payload: bytes) -> float:
    async with connect(url, **_client_kwargs()) as ws:
        start = time.perf_counter()
        for _ in range(count):
            await ws.send(payload)
        async with asyncio.timeout(WAIT):
            assert await ws.recv() == "done"
        return time.perf_counter() - start


async def raw_echo(url: str, count: int, payload: bytes) -> float:
    async with connect(url, **_client_kwargs()) as ws:

        async def receive() -> None:
            for _ in range(count):
                await ws.recv()

        start = time.perf_counter()
        receiver = asyncio.create_task(receive())
        for _ in range(count):
            await ws.send(payload)
        async with asyncio.timeout(WAIT):
            await receiver
        return time.perf_counter() - start


async def raw_latency(url: str, rounds: int) -> list[float]:
    samples = []
    async with connect(url, **_client_kwargs()) as ws:
        payload = b"x" * 64
        for _ in range(rounds):
            start = time.perf_counter()
            await ws.send(payload)
            await ws.recv()
            samples.append(time.perf_counter() - start)
    return samples


# -- reference implementation, synchronous caller -----------------------------------------------


def _open_task(runtime: Any, url: str, on_message: Callable[[Any], None]) -> Any:
    opened = threading.Event()
    task = runtime.connectSocket({"url": url})
    task.onOpen(lambda res: opened.set())
    task.onMessage(on_message)
    if not opened.wait(WAIT):
        raise TimeoutError("reference task did not open")
    return task


def _close_task(task: Any) -> None:
    closed = threading.Event()
    task.onClose(lambda res: closed.set())
    task.close()
    closed.wait(WAIT)


def _sync_sender(task: Any, payload: bytes) -> Callable[[int], None]:
    """Send ``count`` messages; big ones are paced by a window of written messages (the
    send queue is capped at 16 MiB and ``complete`` comes once a message is written)."""
    if len(payload) < WINDOW_FROM:
        message = {"data": payload}

        def send_all(count: int) -> None:
            send = task.send
            for _ in range(count):
                send(message)

        return send_all
    window = threading.Semaphore(WINDOW_BYTES // len(payload))

    def release(res: Any) -> None:
        window.release()

    def send_paced(count: int) -> None:
        for _ in range(count):
            if not window.acquire(timeout=WAIT):
                raise TimeoutError("no message was written")
            task.send({"data": payload, "complete": release})

    return send_paced


def _timed_sends(
    runtime: Any, url: str, count: int, payload: bytes, *, on_message: Any, done: threading.Event
) -> float:
    """Seconds from the first send until ``done`` is set by ``on_message``."""
    task = _open_task(runtime, url, on_message)
    send_all = _sync_sender(task, payload)
    start = time.perf_counter()
    send_all(count)
    if not done.wait(WAIT):
        raise TimeoutError("the run did not finish")
    elapsed = time.perf_counter() - start
    _close_task(task)
    return elapsed


def ref_one_way(runtime: Any, url: str, count: int, payload: bytes) -> float:
    done = threading.Event()
    return _timed_sends(runtime, url, count, payload, on_message=lambda res: done.set(), done=done)


def ref_echo(runtime: Any, url: str, count: int, payload: bytes) -> float:
    done = threading.Event()
    received = [0]

    def on_message(res: Any) -> None:
        received[0] += 1
        if received[0] == count:
            done.set()

    return _timed_sends(runtime, url, count, payload, on_message=on_message, done=done)


def ref_latency(runtime: Any, url: str, rounds: int) -> list[float]:
    """Round trips the way uni-app code does them: the next send from inside onMessage."""
    samples: list[float] = []
    done = threading.Event()
    payload = b"x" * 64
    started = [0.0]

    def on_message(res: Any) -> None:
        now = time.perf_counter()
        samples.append(now - started[0])
        if len(samples) == rounds:
            done.set()
            return
        started[0] = time.perf_counter()
        task.send({"data": payload})

    task = _open_task(runtime, url, on_message)
    started[0] = time.perf_counter()
    task.send({"data": payload})
    if not done.wait(WAIT):
        raise TimeoutError("latency run did not finish")
    _close_task(task)
    return samples


# -- reference implementation, inside a running loop --------------------------------------------


async def _aopen(runtime: Any, url: str, on_message: Callable[[Any], None]) -> Any:
    opened = asyncio.Event()
    task = runtime.connectSocket({"url": url})
    task.onOpen(lambda res: opened.set())
    task.onMessage(on_message)
    async with asyncio.timeout(WAIT):
        await opened.wait()
    return task


async def _aclose(task: Any) -> None:
    closed = asyncio.Event()
    task.onClose(lambda res: closed.set())
    task.close()
    async with asyncio.timeout(WAIT):
        await closed.wait()


async def _async_send_all(task: Any, payload: bytes, count: int) -> None:
    """As _sync_sender, from a coroutine: yield to the loop now and then, as async
    producers do; big messages are paced by a window of written messages."""
    if len(payload) < WINDOW_FROM:
        message = {"data": payload}
        send = task.send
        for i in range(count):
            send(message)
            if i % 1024 == 1023:
                await asyncio.sleep(0)
        return
    window = asyncio.Semaphore(WINDOW_BYTES // len(payload))

    def release(res: Any) -> None:
        window.release()

    for _ in range(count):
        async with asyncio.timeout(WAIT):
            await window.acquire()
        task.send({"data": payload, "complete": release})


async def aref_one_way(runtime: Any, url: str, count: int, payload: bytes) -> float:
    done = asyncio.Event()
    task = await _aopen(runtime, url, lambda res: done.set())
    start = time.perf_counter()
    await _async_send_all(task, payload, count)
    async with asyncio.timeout(WAIT):
        await done.wait()
    elapsed = time.perf_counter() - start
    await _aclose(task)
    return elapsed


async def aref_echo(runtime: Any, url: str, count: int, payload: bytes) -> float:
    done = asyncio.Event()
    received = [0]

    def on_message(res: Any) -> None:
        received[0] += 1
        if received[0] == count:
            done.set()

    task = await _aopen(runtime, url, on_message)
    start = time.perf_counter()
    await _async_send_all(task, payload, count)
    async with asyncio.timeout(WAIT):
        await done.wait()
    elapsed = time.perf_counter() - start
    await _aclose(task)
    return elapsed


# -- many tasks, memory ------------------------------------------------------------------------


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
    idle_peak = _rss_mib()
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
        "idle_peak_rss_mib": idle_peak,
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
    workload: str
    mode: str
    raw_s: float
    ref_s: float
    count: int
    size: int

    @property
    def ratio(self) -> float:
        return self.raw_s / self.ref_s

    def line(self) -> str:
        mib = self.count * self.size / 2**20
        return (
            f"{self.workload:<22} {self.mode:<7} {self.raw_s:8.3f} {self.ref_s:8.3f} "
            f"{mib / self.raw_s:9.1f} {mib / self.ref_s:9.1f} {self.ratio:6.2f} "
            f"{'ok' if self.ratio >= TARGET_RATIO else 'MISSED'}"
        )


def _workload(server: Server, count: int, size: int, runs: int) -> list[Row]:
    """One workload, one-way and echo, for raw and both reference modes; runs alternate
    between the clients and the best run of each counts."""
    label = f"{count:,} x {'1 MiB' if size == 1 << 20 else f'{size} B'}"
    payload = os.urandom(size)
    sync_runtime, async_runtime = Runtime(), Runtime()
    rows = []
    for kind, url in (("one-way", server.url(f"/sink/{count}")), ("echo", server.url("/echo"))):
        raw_fn = raw_one_way if kind == "one-way" else raw_echo
        ref_fn = ref_one_way if kind == "one-way" else ref_echo
        aref_fn = aref_one_way if kind == "one-way" else aref_echo
        best = {"raw": float("inf"), "sync": float("inf"), "asyncio": float("inf")}
        for _ in range(runs):
            best["raw"] = min(best["raw"], asyncio.run(raw_fn(url, count, payload)))
            best["sync"] = min(best["sync"], ref_fn(sync_runtime, url, count, payload))
            best["asyncio"] = min(
                best["asyncio"], asyncio.run(aref_fn(async_runtime, url, count, payload))
            )
        for mode in ("sync", "asyncio"):
            rows.append(Row(f"{kind} {label}", mode, best["raw"], best[mode], count, size))
    sync_runtime.shutdown()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the best counts")
    parser.add_argument("--skip-memory", action="store_true", help="skip the RSS measurements")
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, 10))

    server = Server()
    failures: list[str] = []
    rows: list[Row] = []
    try:
        for count, size in (SMALL, LARGE):
            rows.extend(_workload(server, count, size, runs))

        print(f"throughput (best of {runs} runs; MiB/s of payload; ratio = reference / raw)")
        print(
            f"{'workload':<22} {'mode':<7} {'raw s':>8} {'ref s':>8} {'raw MiB/s':>9} "
            f"{'ref MiB/s':>9} {'ratio':>6}"
        )
        for row in rows:
            print(row.line())
            if row.ratio < TARGET_RATIO:
                failures.append(f"{row.workload} ({row.mode}) ratio {row.ratio:.2f}")

        runtime = Runtime()
        raw_lat = asyncio.run(raw_latency(server.url("/echo"), LATENCY_ROUNDS))
        ref_lat = ref_latency(runtime, server.url("/echo"), LATENCY_ROUNDS)
        runtime.shutdown()
        print(f"\necho round trip, 64 B, one in flight, {LATENCY_ROUNDS:,} rounds (microseconds)")
        print(f"{'client':<26} {'p50':>8} {'p99':>8}")
        for name, samples in (("raw websockets", raw_lat), ("reference (from onMessage)", ref_lat)):
            quantiles = statistics.quantiles(samples, n=100)
            print(f"{name:<26} {quantiles[49] * 1e6:8.0f} {quantiles[98] * 1e6:8.0f}")

        if not args.skip_memory:
            many = in_child(many_tasks, server.url("/echo"))
            print(
                f"\n1,000 concurrent tasks x 10 echoed messages: {many['seconds']:.2f} s, "
                f"peak RSS {many['peak_rss_mib']:.0f} MiB "
                f"(baseline {many['baseline_rss_mib']:.0f} MiB), "
                f"{many['complete']:.0f} tasks complete"
            )
            if many["complete"] != 1000:
                failures.append("1,000 tasks: not all complete")
            stall = in_child(stalled_peer, server.url("/stall"))
            print(
                f"peer stops reading, 64 MiB in 64 KiB messages: peak RSS "
                f"{stall['peak_rss_mib']:.0f} MiB, idle {stall['idle_rss_mib']:.0f} MiB, "
                f"growth {stall['growth_mib']:.1f} MiB (limit 32), "
                f"10001 reported: {'yes' if stall['reported_10001'] else 'no'}"
            )
            if stall["growth_mib"] > 32 or not stall["reported_10001"]:
                failures.append("stalled peer: memory or 10001")
    finally:
        server.close()

    if failures:
        print("\nMISSED: " + "; ".join(failures))
        return 1
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
