"""Callbacks and the runtime model: behaviour-rules CB1-CB6, E4; DESIGN "Runtime model"."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import threading
import weakref
from typing import Any

import pytest
from websockets.client import ClientProtocol

from reference_impl import Runtime, SocketTask
from reference_impl._core import Registry
from tests.reference_impl.callback_trace import Trace
from tests.reference_impl.ws_peer import Peer


def test_a_callback_that_raises_is_logged_and_other_callbacks_still_run(
    runtime: Runtime, peer: Peer, trace: Trace, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(result: Any) -> None:
        raise RuntimeError("listener bug")

    task = runtime.connectSocket({"url": peer.url("/echo"), "success": broken})
    task.onOpen(broken)
    task.onOpen(trace.cb("open"))
    task.onMessage(broken)
    task.onMessage(trace.cb("message"))
    task.onClose(trace.cb("close"))
    with caplog.at_level(logging.ERROR, logger="reference_impl"):
        trace.wait("open")
        task.send({"data": "a", "success": broken, "complete": trace.cb("send.complete")})
        task.send({"data": "b"})
        trace.wait("message", 2)
        task.close()
        trace.wait("close")
    assert trace.payloads("message") == [{"data": "a"}, {"data": "b"}]
    assert trace.count("send.complete") == 1
    logged = [r for r in caplog.records if r.name == "reference_impl"]
    assert len(logged) == 5
    assert all(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in logged)


def test_callbacks_of_one_runtime_run_on_one_thread_in_order(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    tasks = [trace.watch(runtime.connectSocket({"url": peer.url("/echo")}), f"{i}.")
             for i in range(3)]
    for i in range(3):
        trace.wait(f"{i}.open")
    for i, task in enumerate(tasks):
        for n in range(20):
            task.send({"data": f"{i}:{n}", "complete": trace.cb(f"{i}.sent")})
    for i in range(3):
        trace.wait(f"{i}.message", 20)
        tasks[i].close()
        trace.wait(f"{i}.close")
    assert len(trace.threads) == 1
    assert threading.get_ident() not in trace.threads
    for i in range(3):
        assert [p["data"] for p in trace.payloads(f"{i}.message")] == [
            f"{i}:{n}" for n in range(20)
        ]


def test_no_callback_runs_inside_the_call_that_caused_it(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    depth = [0]
    nested: list[str] = []

    def on_message(result: Any) -> None:
        if result["data"] != "go":
            return
        depth[0] += 1
        task.send({"data": "reply", "success": lambda r: nested.append(f"depth {depth[0]}")})
        task.close({"complete": lambda r: nested.append(f"depth {depth[0]}")})
        trace.add("in-callback-done")
        depth[0] -= 1

    task = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}))
    task.onMessage(on_message)
    trace.wait("open")
    task.send({"data": "go"})
    trace.wait("close")
    assert nested == ["depth 0", "depth 0"]


def test_inside_a_running_loop_the_runtime_uses_that_loop(peer: Peer) -> None:
    runtime = Runtime()
    trace = Trace()

    async def main() -> int:
        task = trace.watch(runtime.connectSocket(trace.options("connect", url=peer.url())))
        # Nothing runs until this coroutine yields to the loop.
        assert trace.names() == []
        await trace.await_name("open")
        task.send(trace.options("send", data="async"))
        assert trace.count("send.success") == 0
        await trace.await_name("message")
        task.close()
        await trace.await_name("close")
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert runtime._background is None
    assert trace.threads == {loop_thread}
    assert trace.names() == [
        "connect.success", "connect.complete", "open", "send.success", "send.complete",
        "message", "close",
    ]


def test_the_task_holds_no_socket_asyncio_task_or_thread_after_onClose(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = trace.watch(runtime.connectSocket({"url": peer.url("/echo")}))
    trace.wait("open")
    connection: Any = task._core.shell
    refs = [weakref.ref(connection), weakref.ref(connection.transport),
            weakref.ref(connection.protocol), weakref.ref(connection.main_task)]
    del connection
    task.send({"data": "x"})
    trace.wait("message")
    task.close()
    trace.wait("close")
    # onClose ran after the connection's coroutines finished: once collected, all is gone.
    gc.collect()
    assert [ref() for ref in refs] == [None, None, None, None]
    assert _reachable_io(task, stop=(runtime, task._ctx, runtime._registry)) == []


def _reachable_io(root: SocketTask, stop: tuple[object, ...]) -> list[object]:
    """Sockets, asyncio tasks, threads and connections reachable from ``root``."""
    bad = (socket.socket, asyncio.Task, threading.Thread, ClientProtocol, asyncio.BaseTransport)
    seen = {id(s) for s in stop}
    queue: list[object] = [root]
    found: list[object] = []
    while queue and len(seen) < 100_000:
        obj = queue.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        if isinstance(obj, bad):
            found.append(obj)
            continue
        queue.extend(gc.get_referents(obj))
    return found


def test_a_listener_must_be_callable(runtime: Runtime) -> None:
    task = runtime.connectSocket({"url": "ftp://127.0.0.1/"})
    with pytest.raises(TypeError, match="callable"):
        task.onOpen("not a function")  # type: ignore[arg-type]


def test_options_must_be_a_dict(runtime: Runtime) -> None:
    with pytest.raises(TypeError, match="dict"):
        runtime.connectSocket("ws://127.0.0.1/")  # type: ignore[arg-type]


def test_result_objects_have_the_documented_keys(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = trace.watch(runtime.connectSocket(trace.options("connect", url=peer.url())))
    trace.wait("open")
    task.send(trace.options("send", data=1))
    task.send(trace.options("ok", data="x"))
    trace.wait("message")
    task.close(trace.options("close"))
    trace.wait("close")
    assert set(trace.one("connect.success")) == {"errMsg"}
    assert set(trace.one("open")) == {"header"}
    assert set(trace.one("send.fail")) == {"errMsg", "errCode", "errSubject"}
    assert set(trace.one("ok.success")) == {"errMsg"}
    assert set(trace.one("message")) == {"data"}
    assert set(trace.one("close.success")) == {"errMsg"}
    assert set(trace.one("close")) == {"code", "reason"}
    assert isinstance(trace.one("close")["code"], int)


def test_the_registry_forgets_closed_tasks(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    registry: Registry = runtime._registry
    task = trace.watch(runtime.connectSocket({"url": peer.url()}))
    trace.wait("open")
    assert len(registry.live) == 1
    task.close()
    trace.wait("close")
    assert registry.live == []
