"""conformance.adapter: Adapter ordering, encoding, re-entrancy detection, InProcessChannel."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest

from conformance.adapter import Adapter, InProcessChannel, encode_payload
from conformance.channel import Channel, Message
from conformance.exceptions import ChannelClosed, ChannelProtocolError, ChannelTimeout
from conformance.wire import ALL_CAPABILITIES

#: One unit of waiting; every wait in these tests is a multiple of it, none is a sleep.
MS = 0.001
TIMEOUT = 2000 * MS


async def receive(channel: Channel) -> Message:
    """The next message without its 1.1 ``after`` stamp (checked by the stamping tests)."""
    message = dict(await channel.receive(TIMEOUT))
    after = message.pop("after", None)
    assert after is None or (isinstance(after, int) and after >= 0), message
    return message


Options = dict[str, Any]


class FakeTask:
    """A SocketTask whose callbacks run later on the running loop (the conforming way)."""

    def __init__(self) -> None:
        self.listeners: dict[str, list[Callable[[object], None]]] = {}
        self.closed_with: list[Options] = []

    def _on(self, name: str, callback: Callable[[object], None]) -> None:
        self.listeners.setdefault(name, []).append(callback)

    def onOpen(self, callback: Callable[[object], None]) -> None:
        self._on("open", callback)

    def onClose(self, callback: Callable[[object], None]) -> None:
        self._on("close", callback)

    def onError(self, callback: Callable[[object], None]) -> None:
        self._on("error", callback)

    def onMessage(self, callback: Callable[[object], None]) -> None:
        self._on("message", callback)

    def fire(self, name: str, payload: object) -> None:
        for listener in self.listeners.get(name, []):
            try:
                listener(payload)
            except Exception:  # listener isolation, as the rules require
                continue

    def send(self, options: Options) -> None:
        loop = asyncio.get_running_loop()
        result = {"errMsg": "sendSocketMessage:ok"}
        loop.call_soon(_finish, options, "success", result)
        loop.call_soon(self.fire, "message", {"data": options["data"]})

    def close(self, options: Options) -> None:
        self.closed_with.append(options)


def _finish(options: Options, outcome: str, result: object) -> None:
    for name in (outcome, "complete"):
        callback = options.get(name)
        if callback is not None:
            callback(result)


class FakeUni:
    """connectSocket that calls back on the next loop turn, after returning."""

    utsapi_capabilities: tuple[str, ...] = ("binary", "globals")

    def __init__(self) -> None:
        self.tasks: list[FakeTask] = []
        self.options: list[Options] = []

    def connectSocket(self, options: Options) -> FakeTask:
        self.options.append(options)
        task = FakeTask()
        self.tasks.append(task)
        asyncio.get_running_loop().call_soon(
            _finish, options, "success", {"errMsg": "connectSocket:ok"}
        )
        return task

    def closeSocket(self, options: Options) -> None:
        raise TypeError("closeSocket() is not supported here")


class ReentrantUni(FakeUni):
    """Broken: runs success/complete inside connectSocket, before it returns."""

    def connectSocket(self, options: Options) -> FakeTask:
        _finish(options, "success", {"errMsg": "connectSocket:ok"})
        return FakeTask()


class ThreadedUni(FakeUni):
    """Runs callbacks on its own thread, like a runtime with a background loop."""

    def connectSocket(self, options: Options) -> FakeTask:
        task = FakeTask()
        self.tasks.append(task)
        return task


def connect(call_id: int = 1, task: str = "t1", **extra: object) -> Message:
    return {
        "type": "call",
        "id": call_id,
        "target": "uni",
        "method": "connectSocket",
        "args": {"url": "ws://127.0.0.1:9/"},
        "assign": task,
        **extra,
    }


async def drain(channel: Channel, count: int) -> list[Message]:
    return [await receive(channel) for _ in range(count)]


def test_in_process_channel_satisfies_the_channel_protocol() -> None:
    assert isinstance(InProcessChannel(FakeUni()), Channel)


async def test_hello_names_the_module_and_declared_capabilities() -> None:
    channel = InProcessChannel(FakeUni(), validate=True)
    hello = await channel.start()
    assert hello == {
        "type": "hello",
        "protocol": 1,
        "name": __name__.split(".")[0],
        "version": "unknown",
        "language": "python",
        "capabilities": ["binary", "globals"],
        "minor": 1,
    }


async def test_hello_of_a_module_object_uses_its_version_and_all_capabilities() -> None:
    module = type(asyncio)("fake_impl")
    module.__version__ = "9.8.7"  # type: ignore[attr-defined]
    hello = await InProcessChannel(module).start()
    assert (hello["name"], hello["version"]) == ("fake_impl", "9.8.7")
    assert hello["capabilities"] == list(ALL_CAPABILITIES)


async def test_conforming_order_returned_before_callbacks() -> None:
    channel = InProcessChannel(FakeUni(), validate=True)
    await channel.start()
    await channel.send(connect())
    assert await drain(channel, 3) == [
        {"type": "returned", "id": 1, "task": True},
        {"type": "callback", "id": 1, "name": "success", "payload": {"errMsg": "connectSocket:ok"}},
        {
            "type": "callback",
            "id": 1,
            "name": "complete",
            "payload": {"errMsg": "connectSocket:ok"},
        },
    ]


async def test_callback_inside_the_call_is_reported_before_returned() -> None:
    """The re-entrancy the rules forbid shows as callback-before-returned in the trace."""
    channel = InProcessChannel(ReentrantUni(), validate=True)
    await channel.start()
    await channel.send(connect())
    kinds = [(m["type"], m.get("name")) for m in await drain(channel, 3)]
    assert kinds == [("callback", "success"), ("callback", "complete"), ("returned", None)]


class OpensNextTurn(FakeUni):
    """Opens on the next loop turn: only listeners registered in the same turn see onOpen."""

    def connectSocket(self, options: Options) -> FakeTask:
        task = super().connectSocket(options)
        asyncio.get_running_loop().call_soon(task.fire, "open", {"header": {}})
        return task


async def test_batch_runs_its_calls_in_one_turn() -> None:
    channel = InProcessChannel(OpensNextTurn(), validate=True)
    await channel.start()
    listen = {"type": "call", "id": 2, "target": "t1", "method": "onOpen", "listener": "o"}
    await channel.send({"type": "batch", "calls": [connect(callbacks=["success"]), listen]})
    assert await drain(channel, 4) == [
        {"type": "returned", "id": 1, "task": True},
        {"type": "returned", "id": 2},
        {"type": "callback", "id": 1, "name": "success", "payload": {"errMsg": "connectSocket:ok"}},
        {"type": "event", "listener": "o", "payload": {"header": {}}},
    ]


async def test_batch_reports_a_bad_call_and_runs_the_rest() -> None:
    channel = InProcessChannel(FakeUni())
    await channel.start()
    bad = {"type": "call", "id": 9, "target": "t9", "method": "send", "args": {}}
    await channel.send({"type": "batch", "calls": [bad, connect(callbacks=[])]})
    with pytest.raises(ChannelProtocolError, match="call 9: unknown target"):
        await receive(channel)
    assert await receive(channel) == {"type": "returned", "id": 1, "task": True}


async def test_callbacks_option_selects_which_functions_are_passed() -> None:
    uni = FakeUni()
    channel = InProcessChannel(uni, validate=True)
    await channel.start()
    await channel.send(connect(callbacks=["complete"]))
    await channel.send(connect(2, "t2", callbacks=[]))
    messages = await drain(channel, 3)  # the calls run on the implementation's own thread
    assert sorted(uni.options[0]) == ["complete", "url"]
    assert sorted(uni.options[1]) == ["url"]
    assert [(m["type"], m["id"]) for m in messages] == [
        ("returned", 1),
        ("callback", 1),  # each message is a loop turn of its own, as over stdio
        ("returned", 2),
    ]
    assert messages[1]["name"] == "complete"


async def test_bytes_are_decoded_in_args_and_encoded_in_payloads() -> None:
    channel = InProcessChannel(FakeUni(), validate=True)
    await channel.start()
    await channel.send(connect())
    await channel.send(
        {"type": "call", "id": 2, "target": "t1", "method": "onMessage", "listener": "m"}
    )
    await channel.send(
        {
            "type": "call",
            "id": 3,
            "target": "t1",
            "method": "send",
            "args": {"data": {"$bytes": "AAH/"}},
            "callbacks": ["success"],
        }
    )
    messages = await drain(channel, 7)
    assert {"type": "event", "listener": "m", "payload": {"data": {"$bytes": "AAH/"}}} in messages


async def test_raised_carries_message_and_type() -> None:
    channel = InProcessChannel(FakeUni(), validate=True)
    await channel.start()
    await channel.send(
        {"type": "call", "id": 4, "target": "uni", "method": "closeSocket", "args": {}}
    )
    assert await receive(channel) == {
        "type": "raised",
        "id": 4,
        "error": "closeSocket() is not supported here",
        "error_type": "TypeError",
    }


async def test_missing_method_is_raised_not_a_protocol_error() -> None:
    channel = InProcessChannel(FakeUni())
    await channel.start()
    await channel.send(
        {"type": "call", "id": 5, "target": "uni", "method": "sendSocketMessage", "args": {}}
    )
    message = await receive(channel)
    assert (message["type"], message["error_type"]) == ("raised", "AttributeError")


async def test_connect_that_returns_no_task_says_so() -> None:
    class NoTask(FakeUni):
        def connectSocket(self, options: Options) -> None:  # type: ignore[override]
            return None

    channel = InProcessChannel(NoTask())
    await channel.start()
    await channel.send(connect())
    assert await receive(channel) == {"type": "returned", "id": 1, "task": False}


async def test_unknown_target_is_a_protocol_error_naming_the_call() -> None:
    channel = InProcessChannel(FakeUni())
    await channel.start()
    await channel.send({"type": "call", "id": 7, "target": "nope", "method": "send", "args": {}})
    with pytest.raises(ChannelProtocolError, match=r"call 7: unknown target 'nope'"):
        await receive(channel)


async def test_bad_base64_is_a_protocol_error() -> None:
    channel = InProcessChannel(FakeUni())
    await channel.start()
    await channel.send(connect(args={"url": {"$bytes": "###"}}))
    with pytest.raises(ChannelProtocolError, match=r"call 1: args: \$bytes value"):
        await receive(channel)


async def test_validate_rejects_a_broken_harness_message_with_its_path() -> None:
    channel = InProcessChannel(FakeUni(), validate=True)
    await channel.start()
    with pytest.raises(ChannelProtocolError, match=r"\$\.callbacks\[0\]"):
        await channel.send(connect(callbacks=["done"]))


async def test_validate_rejects_an_invalid_hello() -> None:
    class Odd(FakeUni):
        utsapi_capabilities = ("telepathy",)

    with pytest.raises(ChannelProtocolError, match=r"\$\.capabilities\[0\]"):
        await InProcessChannel(Odd(), validate=True).start()


async def test_throw_reports_then_raises_into_the_implementation() -> None:
    uni = FakeUni()
    channel = InProcessChannel(uni, validate=True)
    await channel.start()
    await channel.send(connect(callbacks=[]))
    for call_id, listener, throw in ((2, "a", True), (3, "b", False)):
        await channel.send(
            {
                "type": "call",
                "id": call_id,
                "target": "t1",
                "method": "onOpen",
                "listener": listener,
                "throw": throw,
            }
        )
    await drain(channel, 3)
    raised: list[BaseException] = []

    def first_listener_raises() -> None:
        try:
            uni.tasks[0].listeners["open"][0]({"header": {}})
        except Exception as exc:
            raised.append(exc)
        uni.tasks[0].listeners["open"][1]({"header": {}})

    first_listener_raises()
    assert [m["listener"] for m in await drain(channel, 2)] == ["a", "b"]
    assert "thrown on purpose by listener a" in str(raised[0])


async def test_receive_times_out_and_stays_usable() -> None:
    channel = InProcessChannel(FakeUni())
    await channel.start()
    with pytest.raises(ChannelTimeout, match=r"within 0\.05 s"):
        await channel.receive(50 * MS)
    await channel.send(connect())
    assert (await receive(channel))["type"] == "returned"


async def test_bye_closes_every_task_and_the_channel() -> None:
    uni = FakeUni()
    channel = InProcessChannel(uni)
    await channel.start()
    await channel.send(connect())
    await channel.send({"type": "bye"})
    assert uni.tasks[0].closed_with == [{}]
    await channel.close()
    with pytest.raises(ChannelClosed, match="closed"):
        await channel.send(connect(2, "t2"))


async def test_events_from_other_threads_keep_their_order() -> None:
    """Two implementation threads fire concurrently; each thread's events stay in order."""
    uni = ThreadedUni()
    channel = InProcessChannel(uni, validate=True)
    await channel.start()
    await channel.send(connect(callbacks=[]))
    await channel.send(
        {"type": "call", "id": 2, "target": "t1", "method": "onMessage", "listener": "m"}
    )
    await drain(channel, 2)
    per_thread = 300
    task = uni.tasks[0]

    def fire(prefix: str) -> None:
        for n in range(per_thread):
            task.fire("message", {"data": f"{prefix}{n}"})

    threads = [threading.Thread(target=fire, args=(p,)) for p in "ab"]
    for thread in threads:
        thread.start()
    received = [m["payload"] for m in await drain(channel, 2 * per_thread)]
    for thread in threads:
        thread.join(TIMEOUT)
    for prefix in "ab":
        mine = [p["data"] for p in received if p["data"].startswith(prefix)]  # type: ignore[index]
        assert mine == [f"{prefix}{n}" for n in range(per_thread)]


def test_adapter_emits_under_one_lock_from_any_thread() -> None:
    seen: list[Message] = []
    adapter = Adapter(FakeUni(), seen.append)
    barrier = threading.Barrier(4)

    def emit(n: int) -> None:
        barrier.wait(TIMEOUT)
        for i in range(200):
            adapter.emit({"type": "log", "message": f"{n}:{i}"})

    threads = [threading.Thread(target=emit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert len(seen) == 800


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (b"\x00\x01", {"$bytes": "AAE="}),
        (bytearray(b"x"), {"$bytes": "eA=="}),
        (memoryview(b"yz"), {"$bytes": "eXo="}),
        ((1, "a", None), [1, "a", None]),
        ({1: float("nan")}, {"1": {"$repr": "nan"}}),
        (ValueError("boom"), {"$repr": "ValueError('boom')"}),
        ({"a": {"b": [True, 1.5]}}, {"a": {"b": [True, 1.5]}}),
    ],
)
def test_encode_payload(value: object, encoded: object) -> None:
    assert encode_payload(value) == encoded


def test_encode_payload_bounds_nesting() -> None:
    deep: list[object] = []
    deep.append(deep)
    text = repr(encode_payload(deep))
    assert "nested deeper than 32" in text


# -- protocol 1.1 ---------------------------------------------------------------------------


async def test_hello_is_1_1_and_names_the_platform_declared_or_given() -> None:
    class WebUni(FakeUni):
        utsapi_platform = "web"

    hello = await InProcessChannel(WebUni(), validate=True).start()
    assert (hello["minor"], hello["platform"]) == (1, "web")
    given = await InProcessChannel(WebUni(), validate=True, platform="app-ios").start()
    assert given["platform"] == "app-ios"
    assert "platform" not in await InProcessChannel(FakeUni(), validate=True).start()
    with pytest.raises(ValueError, match="'android' is not one of web"):
        InProcessChannel(FakeUni(), platform="android")


async def test_lines_are_stamped_with_the_last_call_begun() -> None:
    """An event written before the implementation began call N carries ``after`` < N, so the
    harness places it before call N even when it reads it after sending N."""
    uni = OpensNextTurn()
    channel = InProcessChannel(uni, validate=True)
    await channel.start()
    listen = {"type": "call", "id": 2, "target": "t1", "method": "onOpen", "listener": "o"}
    await channel.send({"type": "batch", "calls": [connect(callbacks=[]), listen]})
    stamps = [(m["type"], m["after"]) for m in [await channel.receive(TIMEOUT) for _ in range(3)]]
    assert stamps == [("returned", 1), ("returned", 2), ("event", 2)]
    uni.tasks[0].fire("open", {"header": {}})  # outside any call: still after call 2
    await channel.send(
        {"type": "call", "id": 3, "target": "t1", "method": "onClose", "listener": "c"}
    )
    late, returned = await channel.receive(TIMEOUT), await channel.receive(TIMEOUT)
    assert (late["type"], late["after"], returned["after"]) == ("event", 2, 3)


async def test_reset_closes_tasks_and_mutes_earlier_listeners() -> None:
    uni = FakeUni()
    channel = InProcessChannel(uni, validate=True)
    await channel.start()
    listen = {"type": "call", "id": 2, "target": "t1", "method": "onMessage", "listener": "m"}
    await channel.send({"type": "batch", "calls": [connect(callbacks=[]), listen]})
    await drain(channel, 2)
    await channel.send({"type": "reset"})
    assert await receive(channel) == {"type": "reset"}
    assert uni.tasks[0].closed_with == [{}]
    uni.tasks[0].fire("message", {"data": "late"})  # a listener of the last case: muted
    with pytest.raises(ChannelTimeout):
        await channel.receive(0.2)
    await channel.send({"type": "call", "id": 3, "target": "t1", "method": "send", "args": {}})
    with pytest.raises(ChannelProtocolError, match="unknown target 't1'"):
        await receive(channel)


async def test_error_objects_keep_their_own_properties() -> None:
    class UniError(Exception):
        def __init__(self) -> None:
            super().__init__("invalid URL")
            self.errCode = 600009
            self.errSubject = "uni-websocket"

    assert encode_payload(UniError(), errors=True) == {
        "$error": {
            "name": "UniError",
            "message": "invalid URL",
            "errCode": 600009,
            "errSubject": "uni-websocket",
        }
    }
    assert encode_payload(UniError()) == {"$repr": "UniError('invalid URL')"}  # 1.0


async def test_connect_returning_something_else_names_it_in_value() -> None:
    class PromiseUni(FakeUni):
        def connectSocket(self, options: Options) -> FakeTask:
            return "a promise"  # type: ignore[return-value]

    channel = InProcessChannel(PromiseUni(), validate=True)
    await channel.start()
    await channel.send(connect(callbacks=[]))
    assert await receive(channel) == {
        "type": "returned",
        "id": 1,
        "task": False,
        "value": "a promise",
    }


async def test_an_exception_escaping_to_the_loop_is_uncaught() -> None:
    """1.1: what escapes to the implementation's loop is reported, not lost in a log."""

    def boom() -> None:
        raise KeyError("lost")

    class Crashy(FakeUni):
        def connectSocket(self, options: Options) -> FakeTask:
            asyncio.get_running_loop().call_soon(boom)
            return super().connectSocket(options)

    channel = InProcessChannel(Crashy(), validate=True)
    await channel.start()
    await channel.send(connect(callbacks=[]))
    seen = [await receive(channel) for _ in range(2)]
    assert seen == [
        {"type": "returned", "id": 1, "task": True},
        {"type": "uncaught", "error": "'lost'", "error_type": "KeyError"},
    ]
