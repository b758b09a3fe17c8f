"""Hostile peers and careless callers (issue 12, point 5): the runtime stays bounded, keeps its
loop alive, releases its thread and says loudly what it cannot do."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import struct
import threading
import time
from typing import Any

import pytest

from reference_impl import Runtime
from tests.reference_impl.callback_trace import TIMEOUT, UNIT, Trace
from tests.reference_impl.raw_peer import RawPeer, frame
from tests.reference_impl.ws_peer import HOST, Peer, refused_port

QUEUE_LIMIT = 16 * 2**20


def _loop_threads() -> int:
    return sum(t.name == "reference_impl-loop" for t in threading.enumerate())


def test_pongs_to_a_peer_that_never_reads_count_against_the_queue_bound(
    runtime: Runtime, trace: Trace
) -> None:
    # Before: every Ping was answered into a write buffer that grew without bound (556 MB
    # in 20 s). Now the automatic Pongs count against the 16 MiB of the send queue.
    sent = 0
    budget = 8 * QUEUE_LIMIT  # the peer gives up after this much: the test cannot run away

    def flood(sock: socket.socket, stop: threading.Event) -> None:
        nonlocal sent
        block = frame(0x9, b"p" * 125) * 2000
        sock.settimeout(0.2)
        while not stop.is_set() and sent < budget:
            try:
                sock.sendall(block)
            except TimeoutError:
                continue
            except OSError:
                return  # the client dropped the connection
            sent += len(block)

    with RawPeer(flood) as peer:
        trace.watch(runtime.connectSocket({"url": peer.url}))
        trace.wait("close", timeout=6 * TIMEOUT)
    assert trace.names() == ["open", "error", "close"]
    assert trace.one("error") == {
        "errMsg": "The queue memory exceeds 16 MiB and the connection will be closed"
    }
    assert trace.one("close") == {"code": 1006, "reason": ""}
    # Pongs are a little larger than Pings (a mask), and the kernel buffers hold some: the
    # client gave up long before the peer's budget.
    assert sent < 3 * QUEUE_LIMIT, sent


@pytest.mark.parametrize("kind", [SystemExit, KeyboardInterrupt])
def test_SystemExit_or_KeyboardInterrupt_in_a_callback_is_isolated(
    runtime: Runtime,
    peer: Peer,
    trace: Trace,
    kind: type[BaseException],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Before: either one ended the loop thread; every connection then got 1006.
    def explode(_: Any) -> None:
        raise kind("from a user callback")

    task = runtime.connectSocket({"url": peer.url()})
    task.onOpen(explode)
    task.onMessage(explode)
    trace.watch(task)
    trace.wait("open")
    task.send({"data": "one"})
    trace.wait("message")
    task.send(
        {"data": "two"},
    )
    trace.wait("message", 2)
    task.close({})
    trace.wait("close")
    assert trace.names() == ["open", "message", "message", "close"]
    assert trace.one("close") == {"code": 1000, "reason": ""}
    logged = [r for r in caplog.records if r.name == "reference_impl"]
    assert len(logged) == 3
    assert all(r.levelno == logging.ERROR and r.exc_info for r in logged)


def test_a_runtime_collected_without_shutdown_releases_its_thread(trace: Trace) -> None:
    before = _loop_threads()
    rt = Runtime()
    task = trace.watch(rt.connectSocket({"url": f"ws://{HOST}:{refused_port()}/"}))
    trace.wait("close")
    assert _loop_threads() == before + 1
    del rt, task
    gc.collect()
    deadline = time.monotonic() + TIMEOUT
    while _loop_threads() > before and time.monotonic() < deadline:
        time.sleep(0.01 * UNIT)
    assert _loop_threads() == before


def test_send_and_close_after_the_task_loop_ended_raise(peer: Peer) -> None:
    # Before: the calls were accepted and their callbacks silently never ran.
    rt = Runtime()
    trace = Trace()

    async def main() -> Any:
        task = trace.watch(rt.connectSocket({"url": peer.url()}))
        await trace.await_name("open")
        return task

    task = asyncio.run(main())
    with pytest.raises(RuntimeError, match="event loop of <SocketTask #1> has ended"):
        task.send(trace.options("send", data="late"))
    with pytest.raises(RuntimeError, match="has ended"):
        task.close(trace.options("close"))
    assert [n for n in trace.names() if n.startswith(("send.", "close."))] == []


def test_send_after_shutdown_raises(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    task = trace.watch(runtime.connectSocket({"url": peer.url()}))
    trace.wait("open")
    runtime.shutdown()
    with pytest.raises(RuntimeError, match="has ended"):
        task.send({"data": "late"})


def test_close_timeout_is_honoured_when_the_peer_keeps_tcp_open(trace: Trace) -> None:
    # RFC 6455 §7.1.1: the server should close TCP first; this one sends its Close frame and
    # never does. The connection is dropped after close_timeout, not later.
    close_timeout = 1.0 * UNIT

    def close_and_linger(sock: socket.socket, stop: threading.Event) -> None:
        sock.sendall(frame(0x8, struct.pack("!H", 1000) + b"bye"))
        stop.wait(6 * TIMEOUT)

    rt = Runtime(close_timeout=close_timeout)
    try:
        with RawPeer(close_and_linger) as peer:
            trace.watch(rt.connectSocket({"url": peer.url}))
            trace.wait("open")
            opened = time.monotonic()
            trace.wait("close", timeout=3 * TIMEOUT)
            waited = time.monotonic() - opened
    finally:
        rt.shutdown()
    assert trace.one("close") == {"code": 1000, "reason": "bye"}
    assert close_timeout * 0.9 <= waited < close_timeout + 2 * UNIT


def test_a_refused_connection_reports_errMsg_in_the_uni_form_with_the_cause(
    runtime: Runtime, trace: Trace
) -> None:
    # Before: errMsg was the raw Python text "ConnectionRefusedError: [Errno 111] ...".
    trace.watch(runtime.connectSocket({"url": f"ws://{HOST}:{refused_port()}/"}))
    trace.wait("close")
    error = trace.one("error")
    assert error["errMsg"] == "connectSocket:fail connection refused"
    assert error["cause"]["name"] == "ConnectionRefusedError"
    assert "Errno" in error["cause"]["message"]
