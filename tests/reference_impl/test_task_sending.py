"""Sending: behaviour-rules S1-S7 and L2 (strict profile)."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from reference_impl import Runtime, SocketTask
from tests.reference_impl.callback_trace import Trace
from tests.reference_impl.ws_peer import Peer

QUEUE_FULL = "The queue memory exceeds 16 MiB and the connection will be closed"


def _open(runtime: Runtime, trace: Trace, url: str) -> SocketTask:
    task = trace.watch(runtime.connectSocket({"url": url}))
    trace.wait("open")
    return task


def _close(task: SocketTask, trace: Trace) -> None:
    task.close()
    trace.wait("close")


@pytest.mark.parametrize(
    ("data", "received"),
    [
        ("hello", "hello"),
        ("", ""),
        ("\u4f60\u597d \U0001f600", "\u4f60\u597d \U0001f600"),
        (b"\x00\x01\xff", b"\x00\x01\xff"),
        (b"", b""),
        (bytearray(b"array"), b"array"),
        (memoryview(b"abcdef")[1:4], b"bcd"),
        (memoryview(bytearray(b"\x01\x02\x03\x04")).cast("B"), b"\x01\x02\x03\x04"),
    ],
    ids=["text", "empty-text", "non-bmp", "bytes", "empty-bytes", "bytearray", "memoryview",
         "memoryview-cast"],
)
def test_str_goes_as_text_frame_and_bytes_like_as_binary_frame(
    runtime: Runtime, peer: Peer, trace: Trace, data: Any, received: Any
) -> None:
    task = _open(runtime, trace, peer.url("/hold"))
    task.send(trace.options("send", data=data))
    trace.wait("send.complete")
    assert trace.one("send.success") == {"errMsg": "sendSocketMessage:ok"}
    assert trace.one("send.complete") is trace.one("send.success")
    _close(task, trace)
    record = peer.record()
    record.done.wait(10)
    assert record.messages == [received]
    assert type(record.messages[0]) is type(received)


def test_bytearray_is_copied_when_send_is_called(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/hold"))
    buffer = bytearray(b"before")
    task.send({"data": buffer})
    buffer[:] = b"after!"
    _close(task, trace)
    record = peer.record()
    record.done.wait(10)
    assert record.messages == [b"before"]


def test_unpaired_surrogates_are_sent_as_replacement_characters(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.send({"data": "a\ud800b\udfffc"})
    trace.wait("message")
    assert trace.one("message") == {"data": "a\ufffdb\ufffdc"}
    _close(task, trace)


@pytest.mark.parametrize(
    ("data", "type_name"),
    [(42, "int"), (None, "NoneType"), ({"a": 1}, "dict"), (["x"], "list"), (1.5, "float")],
)
def test_other_data_types_fail_602001_naming_the_type(
    runtime: Runtime, peer: Peer, trace: Trace, data: Any, type_name: str
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.send(trace.options("bad", data=data))
    trace.wait("bad.complete")
    fail = trace.one("bad.fail")
    assert fail["errCode"] == 602001
    assert fail["errSubject"] == "uni-websocket"
    assert fail["errMsg"].startswith("sendSocketMessage:fail")
    assert type_name in fail["errMsg"]
    # The connection is not damaged.
    task.send({"data": "still works"})
    trace.wait("message")
    _close(task, trace)
    assert trace.count("error") == 0
    assert trace.one("close") == {"code": 1000, "reason": ""}


def test_send_with_no_data_key_fails_602001(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.send(trace.options("bad"))  # type: ignore[typeddict-item]
    trace.wait("bad.complete")
    assert trace.one("bad.fail")["errCode"] == 602001
    _close(task, trace)


def test_send_before_open_fails_10002_once_and_never_fires_onError(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}))
    task.send(trace.options("early", data="too early"))
    trace.wait("open")
    assert trace.names()[:3] == ["early.fail", "early.complete", "open"]
    fail = trace.one("early.fail")
    assert fail["errCode"] == 10002
    assert fail["errMsg"] == "sendSocketMessage:fail webSocket is not connected"
    assert fail["errSubject"] == "uni-websocket"
    # The task still opens and works.
    task.send({"data": "on time"})
    trace.wait("message")
    assert trace.payloads("message") == [{"data": "on time"}]
    _close(task, trace)
    assert trace.count("error") == 0


def test_send_after_close_fails_10002_and_onClose_still_comes_once(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    task.close(trace.options("close"))
    task.send(trace.options("late", data="after close"))
    trace.wait("close")
    assert trace.one("late.fail")["errCode"] == 10002
    assert trace.count("late.complete") == 1
    assert trace.count("error") == 0
    assert trace.names()[-1] == "close"
    assert trace.one("close") == {"code": 1000, "reason": ""}


def test_send_after_onClose_fails_10002(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    task = _open(runtime, trace, peer.url("/echo"))
    _close(task, trace)
    task.send(trace.options("late", data="x"))
    trace.wait("late.complete")
    assert trace.one("late.fail")["errCode"] == 10002
    assert trace.names()[-2:] == ["late.fail", "late.complete"]


def test_messages_go_out_in_order_and_close_after_sends_delivers_them_all(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _open(runtime, trace, peer.url("/hold"))
    for i in range(500):
        task.send({"data": f"#{i}" if i % 2 else f"#{i}".encode()})
    task.close({"code": 4001, "reason": "done"})
    trace.wait("close")
    record = peer.record()
    assert record.done.wait(10)
    expected = [f"#{i}" if i % 2 else f"#{i}".encode() for i in range(500)]
    assert record.messages == expected
    assert (record.close_code, record.close_reason) == (4001, "done")
    assert trace.one("close") == {"code": 4001, "reason": "done"}


def test_send_queue_over_16_MiB_fails_10001_then_onError_then_close_1001_then_onClose(
    runtime: Runtime, trace: Trace
) -> None:
    chunk = 64 * 1024
    with Peer(max_queue=1) as peer:
        task = _open(runtime, trace, peer.url("/stall"))
        tracemalloc.start()
        try:
            for i in range(1024):  # 64 MiB in 64 KiB messages, each a new object
                task.send(trace.options(f"send{i}", data=bytes([i % 256]) * chunk))
            trace.wait("error")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        peer.resume.set()
        trace.wait("close")
        record = peer.record()
        assert record.done.wait(10)

    fails = [(name, p) for name, p in trace.items if name.endswith(".fail")]
    first_name, first = fails[0]
    assert first["errCode"] == 10001
    assert first["errMsg"] == f"sendSocketMessage:fail {QUEUE_FULL}"
    assert first["errSubject"] == "uni-websocket"
    assert all(p["errCode"] == 10002 for _, p in fails[1:])
    # Accepted before the overflow: at least 16 MiB minus what reached the socket.
    index = int(first_name[len("send"):-len(".fail")])
    assert index * chunk >= 16 * 2**20
    names = trace.names()
    at = names.index(first_name)
    assert names[at + 1] == f"send{index}.complete"
    assert names.index("error") > at + 1
    assert trace.one("error") == {"errMsg": QUEUE_FULL}
    assert names[-1] == "close"
    assert trace.count("close") == 1
    assert record.close_code == 1001
    assert trace.one("close") == {"code": 1001, "reason": ""}
    print(f"overflow at message {index}, traced peak {peak / 2**20:.1f} MiB")
    # Memory stays bounded while the peer does not read: the 16 MiB queue, plus slack.
    assert peak <= 32 * 2**20, f"peak traced memory {peak / 2**20:.1f} MiB"
