"""python -m conformance.adapters.python_driver MODULE:ATTR, round trips with in-test fakes."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from conformance.adapters.python_driver import load_object, run
from conformance.channel import Channel, Message
from conformance.exceptions import ChannelClosed
from conformance.stdio import StdioChannel

MS = 0.001
TIMEOUT = 5000 * MS


async def receive(channel: Channel) -> Message:
    """The next message without its 1.1 ``after`` stamp (checked by the stamping tests)."""
    message = dict(await channel.receive(TIMEOUT))
    after = message.pop("after", None)
    assert after is None or (isinstance(after, int) and after >= 0), message
    return message


ROOT = Path(__file__).resolve().parents[3]

FAKE_IMPL = '''\
"""A fake uni for the driver tests: callbacks on the next loop turn, like a conforming runtime."""
import asyncio

__version__ = "4.5.6"


class Task:
    def __init__(self):
        self.on_message = []
        self.on_open = []

    def onMessage(self, listener):
        self.on_message.append(listener)

    def onOpen(self, listener):
        self.on_open.append(listener)

    def onClose(self, listener): ...
    def onError(self, listener): ...

    def send(self, options):
        print("send() was called")  # must reach stderr, not the protocol
        loop = asyncio.get_running_loop()
        for name in ("success", "complete"):
            if name in options:
                loop.call_soon(options[name], {"errMsg": "sendSocketMessage:ok"})
        for listener in self.on_message:
            loop.call_soon(listener, {"data": options["data"]})

    def close(self, options):
        CLOSED.append(options)


CLOSED = []


class Uni:
    utsapi_capabilities = ["binary"]

    def connectSocket(self, options):
        loop = asyncio.get_running_loop()
        loop.call_soon(options["success"], {"errMsg": "connectSocket:ok"})
        task = Task()
        loop.call_soon(lambda: [f({"header": {}}) for f in task.on_open])
        return task


class Reentrant(Uni):
    def connectSocket(self, options):
        options["success"]({"errMsg": "connectSocket:ok"})
        return Task()


uni = Uni()
reentrant = Reentrant()
'''


@pytest.fixture
def impl_path(tmp_path: Path) -> Path:
    (tmp_path / "fake_uni_impl.py").write_text(FAKE_IMPL, "utf-8")
    return tmp_path


def driver(impl_path: Path, spec: str) -> StdioChannel:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(impl_path), str(ROOT)])
    command = [sys.executable, "-m", "conformance.adapters.python_driver", spec]
    return StdioChannel(command, validate=True, env=env)


def call(call_id: int, target: str, method: str, **fields: object) -> dict[str, object]:
    return {"type": "call", "id": call_id, "target": target, "method": method, **fields}


async def test_round_trip_through_the_python_driver(impl_path: Path) -> None:
    channel = driver(impl_path, "fake_uni_impl:uni")
    hello = await channel.start()
    assert hello == {
        "type": "hello",
        "protocol": 1,
        "name": "fake_uni_impl",
        "version": "4.5.6",
        "language": "python",
        "capabilities": ["binary"],
        "minor": 1,
    }
    await channel.send(
        call(1, "uni", "connectSocket", args={"url": "ws://127.0.0.1:9/"}, assign="t1")
    )
    await channel.send(call(2, "t1", "onMessage", listener="m1"))
    await channel.send(
        call(3, "t1", "send", args={"data": {"$bytes": "3q2+7w=="}}, callbacks=["success"])
    )
    messages = [await receive(channel) for _ in range(6)]
    assert messages == [
        {"type": "returned", "id": 1, "task": True},
        {"type": "callback", "id": 1, "name": "success", "payload": {"errMsg": "connectSocket:ok"}},
        {"type": "returned", "id": 2},
        {"type": "returned", "id": 3},
        {
            "type": "callback",
            "id": 3,
            "name": "success",
            "payload": {"errMsg": "sendSocketMessage:ok"},
        },
        {"type": "event", "listener": "m1", "payload": {"data": {"$bytes": "3q2+7w=="}}},
    ]
    await channel.send({"type": "bye"})
    await channel.close()
    assert channel.returncode == 0
    assert "send() was called" in channel.stderr_tail


async def test_batch_registers_listeners_before_the_loop_turns(impl_path: Path) -> None:
    channel = driver(impl_path, "fake_uni_impl:uni")
    await channel.start()
    connect = call(1, "uni", "connectSocket", args={"url": "ws://x/"}, assign="t1")
    await channel.send({"type": "batch", "calls": [connect, call(2, "t1", "onOpen", listener="o")]})
    messages = [await receive(channel) for _ in range(4)]
    assert [m["type"] for m in messages] == ["returned", "returned", "callback", "event"]
    assert messages[3] == {"type": "event", "listener": "o", "payload": {"header": {}}}
    await channel.close()


async def test_reentrant_callback_shows_before_returned(impl_path: Path) -> None:
    channel = driver(impl_path, "fake_uni_impl:reentrant")
    await channel.start()
    await channel.send(call(1, "uni", "connectSocket", args={"url": "ws://x/"}, assign="t1"))
    first, second = [await receive(channel) for _ in range(2)]
    assert (first["type"], second["type"]) == ("callback", "returned")
    await channel.close()


async def test_unloadable_implementation_ends_with_its_reason(impl_path: Path) -> None:
    channel = driver(impl_path, "fake_uni_impl:nothing_here")
    with pytest.raises(ChannelClosed) as caught:
        await channel.start()
    assert "exited with status 2" in str(caught.value)
    assert "fake_uni_impl has no attribute 'nothing_here'" in str(caught.value)
    await channel.close()


def test_run_in_process_answers_hello_and_reports_bad_lines(impl_path: Path) -> None:
    sys.path.insert(0, str(impl_path))
    try:
        stdin = io.BytesIO(
            b'{"type":"hello","protocol":1}\n'
            b"not json\n"
            b'{"type":"call","id":1,"target":"t9","method":"send","args":{}}\n'
            b'{"type":"bye"}\n'
        )
        stdout, stderr = io.BytesIO(), io.StringIO()
        assert run(["fake_uni_impl:uni"], stdin, stdout, stderr) == 0
    finally:
        sys.path.remove(str(impl_path))
    lines = stdout.getvalue().decode().splitlines()
    assert len(lines) == 3
    assert '"name":"fake_uni_impl"' in lines[0]
    assert lines[1].startswith('{"type":"error","message":"stdin line 2: not JSON')
    assert "unknown target 't9'" in lines[2]
    assert '"id":1' in lines[2]


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("fake_uni_impl", "expected MODULE:ATTR"),
        ("no_such_module_xyz:uni", "cannot import 'no_such_module_xyz'"),
        ("fake_uni_impl:Uni.nope", "has no attribute 'Uni.nope'"),
    ],
)
def test_load_object_says_what_failed(impl_path: Path, spec: str, reason: str) -> None:
    sys.path.insert(0, str(impl_path))
    try:
        with pytest.raises(ValueError, match=reason):
            load_object(spec)
    finally:
        sys.path.remove(str(impl_path))


def test_usage_error_exits_2() -> None:
    stderr = io.StringIO()
    assert run([], io.BytesIO(), io.BytesIO(), stderr) == 2
