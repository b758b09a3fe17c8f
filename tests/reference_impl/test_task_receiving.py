"""Receiving: behaviour-rules R1-R5 (strict profile)."""

from __future__ import annotations

from reference_impl import Runtime, SocketTask
from tests.reference_impl.callback_trace import Trace
from tests.reference_impl.ws_peer import Peer


def _open(runtime: Runtime, trace: Trace, url: str) -> SocketTask:
    task = trace.watch(runtime.connectSocket({"url": url}))
    trace.wait("open")
    return task


def test_text_frames_give_str_and_binary_frames_give_bytes(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.send({"data": "text"})
    task.send({"data": b"\x00binary"})
    task.send({"data": ""})
    trace.wait("message", 3)
    assert trace.payloads("message") == [{"data": "text"}, {"data": b"\x00binary"}, {"data": ""}]
    assert type(trace.payloads("message")[1]["data"]) is bytes
    task.close()
    trace.wait("close")


def test_fragmented_messages_are_reassembled(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    task = _open(runtime, trace, peer.url("/fragments"))
    trace.wait("message", 2)
    assert trace.payloads("message") == [{"data": "fragmented"}, {"data": "done"}]
    task.close()
    trace.wait("close")


def test_every_listener_gets_every_message_in_registration_order(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = runtime.connectSocket({"url": peer.url("/echo")})
    task.onOpen(trace.cb("open"))
    for name in ("first", "second", "third"):
        task.onMessage(trace.cb(name))
    task.onClose(trace.cb("close"))
    trace.wait("open")
    for i in range(5):
        task.send({"data": str(i)})
    trace.wait("third", 5)
    messages = [(n, p["data"]) for n, p in trace.items if n in ("first", "second", "third")]
    assert messages == [(n, str(i)) for i in range(5) for n in ("first", "second", "third")]
    task.close()
    trace.wait("close")


def test_same_listener_registered_twice_fires_twice(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    listener = trace.cb("twice")
    task.onMessage(listener)
    task.onMessage(listener)
    task.send({"data": "x"})
    trace.wait("twice", 2)
    task.close()
    trace.wait("close")
    assert trace.count("twice") == 2


def test_nothing_comes_after_onClose(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    for i in range(50):
        task.send({"data": str(i)})
    task.send({"data": "Goodbye"})  # the peer closes after echoing the rest
    for i in range(50):
        task.send({"data": f"late {i}"})
    trace.wait("close")
    task.onMessage(trace.cb("after"))
    task.onClose(trace.cb("after"))
    task.send({"data": "more"})
    task.close()
    names = trace.names()
    assert names[-1] == "close"
    assert names.count("close") == 1
    assert trace.count("after") == 0
    assert trace.one("close") == {"code": 1000, "reason": "Goodbye"}


def test_incoming_message_over_the_limit_closes_1009_with_onError_then_onClose(
    peer: Peer, trace: Trace
) -> None:
    runtime = Runtime(max_message_size=1024)
    try:
        _open(runtime, trace, peer.url("/big/1025"))
        trace.wait("close")
        assert trace.names() == ["open", "error", "close"]
        assert trace.one("close") == {"code": 1006, "reason": ""}
        record = peer.record()
        assert record.done.wait(10)
        assert record.close_code == 1009
    finally:
        runtime.shutdown()


def test_incoming_message_at_the_limit_is_accepted(peer: Peer, trace: Trace) -> None:
    runtime = Runtime(max_message_size=1024)
    try:
        task = _open(runtime, trace, peer.url("/big/1024"))
        trace.wait("message")
        assert trace.one("message") == {"data": b"\x00" * 1024}
        task.close()
        trace.wait("close")
        assert trace.count("error") == 0
    finally:
        runtime.shutdown()


def test_incoming_messages_up_to_16_MiB_are_accepted_by_default(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url(f"/big/{16 * 2**20}"))
    trace.wait("message")
    assert len(trace.one("message")["data"]) == 16 * 2**20
    task.close()
    trace.wait("close")
    assert trace.count("error") == 0


def test_invalid_utf8_in_a_text_frame_closes_1007_with_onError_then_onClose(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _open(runtime, trace, peer.url("/bad-utf8"))
    trace.wait("close")
    assert trace.names() == ["open", "error", "close"]
    assert trace.one("close") == {"code": 1006, "reason": ""}
    record = peer.record()
    assert record.done.wait(10)
    assert record.close_code == 1007
