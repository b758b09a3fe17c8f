"""Soak and load: bounded in count and time, run in CI (marked slow)."""

from __future__ import annotations

import resource
import threading
import time
from typing import Any

import pytest

from reference_impl import Runtime
from tests.reference_impl.callback_trace import UNIT, Trace
from tests.reference_impl.ws_peer import Peer

pytestmark = pytest.mark.slow


def test_soak_100000_numbered_messages_come_back_in_order_without_loss(
    runtime: Runtime, peer: Peer, capsys: pytest.CaptureFixture[str]
) -> None:
    count = 100_000
    received: list[str] = []
    done = threading.Event()
    opened = threading.Event()
    closed = threading.Event()

    def on_message(result: Any) -> None:
        received.append(result["data"])
        if len(received) == count:
            done.set()

    task = runtime.connectSocket({"url": peer.url("/echo")})
    task.onOpen(lambda r: opened.set())
    task.onMessage(on_message)
    task.onClose(lambda r: closed.set())
    assert opened.wait(10 * UNIT)
    start = time.perf_counter()
    window = threading.Semaphore(10_000)  # bounded in-flight count; the queue stays small

    def release(result: Any) -> None:
        window.release()

    for i in range(count):
        assert window.acquire(timeout=30 * UNIT)
        task.send({"data": str(i), "complete": release})
    assert done.wait(45 * UNIT), f"{len(received)} of {count} came back"
    elapsed = time.perf_counter() - start
    task.close()
    assert closed.wait(10 * UNIT)
    assert received == [str(i) for i in range(count)]
    with capsys.disabled():
        print(f"\nsoak: {count:,} messages echoed in order in {elapsed:.2f} s")


def test_1000_concurrent_tasks_each_echo_10_messages(
    runtime: Runtime, peer: Peer, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks, messages = 1000, 10
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4 * tasks + 100:
        if hard != resource.RLIM_INFINITY and hard < 4 * tasks + 100:
            pytest.skip(f"needs {4 * tasks + 100} file descriptors, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (4 * tasks + 100, hard))
    lock = threading.Lock()
    results: dict[int, list[str]] = {}
    closes: list[dict[str, Any]] = []
    all_closed = threading.Event()
    start = time.perf_counter()
    for t in range(tasks):
        task = runtime.connectSocket({"url": peer.url("/echo")})
        got: list[str] = []
        results[t] = got

        def on_open(result: Any, task: Any = task, t: int = t) -> None:
            for i in range(messages):
                task.send({"data": f"{t}:{i}"})

        def on_message(result: Any, task: Any = task, got: list[str] = got) -> None:
            got.append(result["data"])
            if len(got) == messages:
                task.close()

        def on_close(result: Any) -> None:
            with lock:
                closes.append(result)
                if len(closes) == tasks:
                    all_closed.set()

        task.onOpen(on_open)
        task.onMessage(on_message)
        task.onClose(on_close)
    assert all_closed.wait(60 * UNIT), f"{len(closes)} of {tasks} closed"
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for t, got in results.items():
        assert got == [f"{t}:{i}" for i in range(messages)]
    assert all(c == {"code": 1000, "reason": ""} for c in closes)
    with capsys.disabled():
        print(f"\n1,000 tasks x 10 echoes: {elapsed:.2f} s, peak RSS {peak:.0f} MiB "
              "(test process, server included)")


def test_peer_that_stops_reading_gets_10001_while_64_MiB_go_out(trace: Trace) -> None:
    runtime = Runtime(close_timeout=1.0)
    try:
        with Peer(max_queue=1) as peer:
            task = trace.watch(runtime.connectSocket({"url": peer.url("/stall")}))
            trace.wait("open")
            for i in range(1024):
                task.send(trace.options(f"send{i}", data=bytes(64 * 1024)))
            trace.wait("close", timeout=30 * UNIT)
        codes = [p["errCode"] for n, p in trace.items if n.endswith(".fail")]
        assert codes.count(10001) == 1
        assert trace.count("error") == 1
        # onClose is the last event (sends made after it fail, after it, with 10002).
        events = [n for n in trace.names() if not n.startswith("send")]
        assert events[-1] == "close"
    finally:
        runtime.shutdown()
