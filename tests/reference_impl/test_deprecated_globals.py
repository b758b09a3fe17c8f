"""The deprecated globals: behaviour-rules G1-G7."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

from reference_impl import Runtime
from tests.reference_impl.callback_trace import Trace
from tests.reference_impl.ws_peer import Peer


def _quiet(fn: Callable[..., None], *args: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        fn(*args)


@pytest.mark.parametrize(
    ("name", "replacement", "argument"),
    [
        ("onSocketOpen", "SocketTask.onOpen", print),
        ("onSocketError", "SocketTask.onError", print),
        ("sendSocketMessage", "SocketTask.send", {"data": "x"}),
        ("onSocketMessage", "SocketTask.onMessage", print),
        ("closeSocket", "SocketTask.close", {}),
        ("onSocketClose", "SocketTask.onClose", print),
    ],
)
def test_calling_a_global_emits_DeprecationWarning_naming_the_replacement(
    runtime: Runtime, name: str, replacement: str, argument: Any
) -> None:
    with pytest.warns(DeprecationWarning, match=replacement.replace(".", r"\.")) as caught:
        getattr(runtime, name)(argument)
    assert caught[0].filename == __file__


@pytest.mark.parametrize("api", ["sendSocketMessage", "closeSocket"])
def test_sendSocketMessage_and_closeSocket_with_no_live_task_fail_10002(
    runtime: Runtime, trace: Trace, api: str
) -> None:
    options = trace.options("call", data="x") if api == "sendSocketMessage" else trace.options(
        "call"
    )
    _quiet(getattr(runtime, api), options)
    trace.wait("call.complete")
    fail = trace.one("call.fail")
    assert fail["errCode"] == 10002
    assert fail["errMsg"].startswith(f"{api}:fail")
    assert trace.names() == ["call.fail", "call.complete"]


def test_globals_act_on_the_earliest_created_live_task(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    first = trace.watch(runtime.connectSocket({"url": peer.url("/hold")}), "a.")
    second = trace.watch(runtime.connectSocket({"url": peer.url("/hold")}), "b.")
    trace.wait("a.open")
    trace.wait("b.open")
    _quiet(runtime.sendSocketMessage, trace.options("send", data="to the first"))
    _quiet(runtime.closeSocket, trace.options("close", code=4000))
    trace.wait("a.close")
    assert trace.one("send.success") == {"errMsg": "sendSocketMessage:ok"}
    assert trace.one("close.success") == {"errMsg": "closeSocket:ok"}
    records = [peer.record(0), peer.record(1)]
    by_messages = sorted(records, key=lambda r: len(r.messages), reverse=True)
    assert by_messages[0].messages == ["to the first"]
    assert by_messages[1].messages == []
    assert trace.count("b.close") == 0
    # The second task is now the first live one.
    _quiet(runtime.closeSocket, {"code": 4001})
    trace.wait("b.close")
    assert trace.one("b.close") == {"code": 4001, "reason": ""}
    del first, second


def test_global_listener_registered_again_replaces_the_previous_one(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _quiet(runtime.onSocketOpen, trace.cb("old-global-open"))
    _quiet(runtime.onSocketOpen, trace.cb("global-open"))
    task = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}))
    trace.wait("open")
    task.close()
    trace.wait("close")
    assert trace.count("old-global-open") == 0
    assert trace.count("global-open") == 1


def test_global_listeners_fire_for_the_first_task_only_before_its_own_listeners(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _quiet(runtime.onSocketOpen, trace.cb("g.open"))
    _quiet(runtime.onSocketMessage, trace.cb("g.message"))
    _quiet(runtime.onSocketClose, trace.cb("g.close"))
    _quiet(runtime.onSocketError, trace.cb("g.error"))
    first = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}), "a.")
    second = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}), "b.")
    trace.wait("a.open")
    trace.wait("b.open")
    first.send({"data": "one"})
    second.send({"data": "two"})
    trace.wait("a.message")
    trace.wait("b.message")
    second.close()
    trace.wait("b.close")
    first.close()
    trace.wait("a.close")
    names = trace.names()
    assert trace.count("g.open") == 1
    assert names.index("g.open") == names.index("a.open") - 1
    assert trace.payloads("g.message") == [{"data": "one"}]
    assert names.index("g.message") == names.index("a.message") - 1
    assert trace.count("g.close") == 1
    assert names.index("g.close") == names.index("a.close") - 1
    assert trace.count("g.error") == 0


def test_global_listeners_follow_the_next_task_after_the_first_one_closes(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _quiet(runtime.onSocketMessage, trace.cb("g.message"))
    first = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}), "a.")
    second = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}), "b.")
    trace.wait("a.open")
    trace.wait("b.open")
    first.close()
    trace.wait("a.close")
    second.send({"data": "now first"})
    trace.wait("b.message")
    assert trace.payloads("g.message") == [{"data": "now first"}]
    second.close()
    trace.wait("b.close")


def test_a_task_that_errored_is_no_longer_the_global_target(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _quiet(runtime.onSocketError, trace.cb("g.error"))
    _quiet(runtime.onSocketClose, trace.cb("g.close"))
    trace.watch(runtime.connectSocket({"url": peer.url("/drop")}), "a.")
    trace.wait("a.close")
    second = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}), "b.")
    trace.wait("b.open")
    _quiet(runtime.sendSocketMessage, {"data": "to b"})
    trace.wait("b.message")
    assert trace.count("g.error") == 1
    names = trace.names()
    assert names.index("g.error") < names.index("a.error")
    # The close that follows the first task's error is still reported globally.
    assert names.index("g.close") < names.index("a.close")
    second.close()
    trace.wait("b.close")
    assert trace.count("g.close") == 2
