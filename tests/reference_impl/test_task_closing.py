"""Closing: behaviour-rules X1-X9 and E2 (strict profile)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import Runtime, SocketTask
from reference_impl._core import Emit, Event, Registry, TaskCore
from tests.reference_impl.callback_trace import Trace
from tests.reference_impl.ws_peer import Peer


def _open(runtime: Runtime, trace: Trace, url: str) -> SocketTask:
    task = trace.watch(runtime.connectSocket({"url": url}))
    trace.wait("open")
    return task


def test_close_sends_1000_and_empty_reason_by_default(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.close(trace.options("close"))
    trace.wait("close")
    assert trace.one("close.success") == {"errMsg": "closeSocket:ok"}
    assert trace.names()[-3:] == ["close.success", "close.complete", "close"]
    record = peer.record()
    assert record.done.wait(10)
    assert (record.close_code, record.close_reason) == (1000, "")
    assert trace.one("close") == {"code": 1000, "reason": ""}


def test_close_with_no_argument_works(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.close()
    trace.wait("close")
    assert trace.one("close") == {"code": 1000, "reason": ""}


@pytest.mark.parametrize(("code", "reason"), [(1000, "bye"), (3000, ""), (4999, "\u518d\u89c1")])
def test_close_sends_code_and_reason_and_onClose_reports_what_the_peer_echoed(
    runtime: Runtime, peer: Peer, trace: Trace, code: int, reason: str
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.close(trace.options("close", code=code, reason=reason))
    trace.wait("close")
    record = peer.record()
    assert record.done.wait(10)
    assert (record.close_code, record.close_reason) == (code, reason)
    assert trace.one("close") == {"code": code, "reason": reason}
    assert trace.count("error") == 0


@pytest.mark.parametrize(
    "code", [0, 999, 1001, 1005, 1006, 1015, 2999, 5000, 65536 + 1000, "1000", 1000.5, True]
)
def test_invalid_close_code_fails_and_leaves_the_connection_open(
    runtime: Runtime, peer: Peer, trace: Trace, code: Any
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.close(trace.options("bad", code=code))
    trace.wait("bad.complete")
    fail = trace.one("bad.fail")
    assert fail["errMsg"].startswith("closeSocket:fail")
    assert trace.one("bad.complete") is fail
    task.send({"data": "still open"})
    trace.wait("message")
    task.close()
    trace.wait("close")
    assert trace.count("error") == 0
    assert trace.one("close") == {"code": 1000, "reason": ""}


def test_close_reason_of_123_utf8_bytes_is_accepted_and_124_fails(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    too_long = "\u00e9" * 62  # 124 bytes in 62 characters
    task.close(trace.options("long", reason=too_long))
    trace.wait("long.complete")
    assert trace.one("long.fail")["errMsg"].startswith("closeSocket:fail")
    exact = "\u00e9" * 61 + "a"  # 123 bytes
    task.close(trace.options("exact", reason=exact))
    trace.wait("close")
    assert trace.one("exact.success") == {"errMsg": "closeSocket:ok"}
    assert trace.one("close") == {"code": 1000, "reason": exact}
    assert trace.count("error") == 0


def test_close_reason_unpaired_surrogates_are_replaced(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.close({"code": 3000, "reason": "a\ud800b"})
    trace.wait("close")
    assert trace.one("close") == {"code": 3000, "reason": "a\ufffdb"}


def test_close_while_connecting_aborts_with_onError_then_onClose_1006(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = trace.watch(runtime.connectSocket({"url": peer.url("/slow")}))
    task.close(trace.options("close"))
    trace.wait("close")
    assert trace.names() == ["close.success", "close.complete", "error", "close"]
    assert trace.one("close") == {"code": 1006, "reason": ""}


def test_close_while_connecting_to_a_fast_server_never_opens(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}))
    task.close()
    trace.wait("close")
    assert trace.names() == ["error", "close"]
    assert trace.one("close") == {"code": 1006, "reason": ""}


def test_server_close_gives_onClose_with_its_code_and_reason(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _open(runtime, trace, peer.url("/close/4321/server-says-bye"))
    trace.wait("close")
    assert trace.names() == ["open", "close"]
    assert trace.one("close") == {"code": 4321, "reason": "server-says-bye"}
    record = peer.record()
    assert record.done.wait(10)
    assert record.close_code == 4321  # the client echoed the server's Close


def test_server_close_without_status_gives_onClose_1005(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _open(runtime, trace, peer.url("/close-no-status"))
    trace.wait("close")
    assert trace.names() == ["open", "close"]
    assert trace.one("close") == {"code": 1005, "reason": ""}


def test_tcp_drop_without_close_frame_gives_onError_then_onClose_1006(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _open(runtime, trace, peer.url("/drop"))
    trace.wait("close")
    assert trace.names() == ["open", "error", "close"]
    assert trace.one("error")["errMsg"]
    assert trace.one("close") == {"code": 1006, "reason": ""}


def test_second_close_succeeds_and_changes_nothing(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.close(trace.options("first", code=4000, reason="first"))
    task.close(trace.options("second", code=4001, reason="second"))
    trace.wait("close")
    task.close(trace.options("third"))
    trace.wait("third.complete")
    assert trace.one("second.success") == {"errMsg": "closeSocket:ok"}
    assert trace.one("third.success") == {"errMsg": "closeSocket:ok"}
    assert trace.one("close") == {"code": 4000, "reason": "first"}
    record = peer.record()
    assert record.done.wait(10)
    assert (record.close_code, record.close_reason) == (4000, "first")


def test_close_times_out_when_the_peer_never_reads(trace: Trace) -> None:
    runtime = Runtime(close_timeout=0.3)
    try:
        with Peer(max_queue=1) as peer:
            task = _open(runtime, trace, peer.url("/stall"))
            for _ in range(256):  # fill the socket buffers so the Close frame cannot go out
                task.send({"data": bytes(64 * 1024)})
            task.close()
            trace.wait("close")
            assert trace.names()[-2:] == ["error", "close"]
            assert trace.one("close") == {"code": 1006, "reason": ""}
    finally:
        runtime.shutdown()


_steps = st.lists(
    st.sampled_from(["send", "close", "bad-close", "send-bytes", "goodbye", "drop"]),
    max_size=8,
)


@settings(max_examples=25, deadline=None)
@given(steps=_steps, path=st.sampled_from(["/echo", "/drop", "/close/4000/x", "/slow"]))
def test_every_task_gets_exactly_one_onClose_and_it_is_last(steps: list[str], path: str) -> None:
    trace = Trace()
    runtime = Runtime(close_timeout=2.0)
    try:
        with Peer() as peer:
            task = trace.watch(runtime.connectSocket({"url": peer.url(path)}))
            for step in steps:
                if step == "send":
                    task.send(trace.options("send", data="x" * 70_000))
                elif step == "send-bytes":
                    task.send({"data": b"x"})
                elif step == "close":
                    task.close()
                elif step == "bad-close":
                    task.close({"code": 1})
                elif step == "goodbye":
                    task.send({"data": "Goodbye"})
            if path == "/slow" or "close" not in steps:
                task.close()
            trace.wait("close")
            names = trace.names()
            assert names.count("close") == 1
            # Every send is settled; onClose is the last event. A send that raced with the
            # end of the connection (the calls come from another thread) may fail after it.
            trace.wait_until(
                lambda: trace.count("send.complete") == steps.count("send"), "send.complete"
            )
            names = trace.names()
            after = trace.items[names.index("close") + 1:]
            assert all(n in ("send.fail", "send.complete") for n, _ in after)
            assert all(p["errCode"] == 10002 for n, p in after if n == "send.fail")
            events = [n for n in names if n in ("open", "message", "error", "close")]
            assert events.count("error") <= 1
            assert events.count("open") <= 1
            if "open" in events:
                assert events.index("open") == 0
            if trace.one("close")["code"] == 1006:
                assert events[-2] == "error"
    finally:
        runtime.shutdown()


def test_core_reports_one_close_even_if_the_shell_reports_twice() -> None:
    effects: list[Any] = []
    core = TaskCore(Registry(), effects.append)
    core.connect({"url": "ws://127.0.0.1:1/"})
    core.terminated(1006, "", "refused")
    core.terminated(1000, "", None)
    closes = [e for e in effects if isinstance(e, Emit) and e.event is Event.CLOSE]
    assert len(closes) == 1
