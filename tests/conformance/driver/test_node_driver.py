"""conformance/adapters/node_driver.mjs speaks the protocol and echoes through a local server.

The Node driver is a JavaScript connectSocket/SocketTask on Node's built-in WebSocket; these
tests prove the protocol across languages.  The full rule run is the conformance suite's job.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve

from conformance.channel import Message
from conformance.cli import load_for_run
from conformance.exceptions import ChannelProtocolError
from conformance.stdio import StdioChannel

MS = 0.001
TIMEOUT = 5000 * MS
DRIVER = Path(__file__).resolve().parents[3] / "conformance" / "adapters" / "node_driver.mjs"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (Node.js 20+ needed)")


def node_command() -> list[str]:
    assert NODE is not None
    version = subprocess.run(
        [NODE, "--version"], capture_output=True, text=True, check=True, timeout=10
    ).stdout
    major = int(re.match(r"v(\d+)", version).group(1))  # type: ignore[union-attr]
    flags = ["--experimental-websocket"] if major < 22 else []
    return [NODE, *flags, str(DRIVER)]


async def echo(connection: ServerConnection) -> None:
    async for message in connection:
        await connection.send(message)


@contextlib.asynccontextmanager
async def echo_server() -> AsyncIterator[str]:
    async with serve(echo, "127.0.0.1", 0) as server:
        host, port = next(iter(server.sockets)).getsockname()[:2]
        yield f"ws://{host}:{port}/"


def call(call_id: int, target: str, method: str, **fields: object) -> Message:
    return {"type": "call", "id": call_id, "target": target, "method": method, **fields}


async def until(channel: StdioChannel, wanted: Message, seen: list[Message]) -> None:
    """Receive into ``seen`` until a message has every field of ``wanted``."""
    for _ in range(100):
        message = await channel.receive(TIMEOUT)
        seen.append(message)
        if all(message.get(k) == v for k, v in wanted.items()):
            return
    raise AssertionError(f"never saw {wanted}: {seen}")


async def test_node_driver_says_hello() -> None:
    channel = StdioChannel(node_command(), validate=True)
    hello = await channel.start()
    assert hello["name"] == "node_driver"
    assert hello["language"] == "javascript"
    assert "binary" in hello["capabilities"]  # type: ignore[operator]
    assert "response-headers" not in hello["capabilities"]  # type: ignore[operator]
    await channel.send({"type": "bye"})
    await channel.close()
    assert channel.returncode == 0


async def run_echo(url: str) -> list[Message]:
    channel = StdioChannel(node_command(), validate=True)
    await channel.start()
    seen: list[Message] = []
    connect = call(1, "uni", "connectSocket", args={"url": url}, assign="t1")
    listeners = [
        call(2 + n, "t1", method, listener=method)
        for n, method in enumerate(["onOpen", "onMessage", "onError", "onClose"])
    ]
    await channel.send({"type": "batch", "calls": [connect, *listeners]})
    await until(channel, {"listener": "onOpen"}, seen)
    await channel.send(call(10, "t1", "send", args={"data": "héllo 🎉"}, callbacks=["fail"]))
    await until(channel, {"listener": "onMessage"}, seen)
    await channel.send(call(11, "t1", "send", args={"data": {"$bytes": "AAH+/w=="}}))
    await until(
        channel, {"listener": "onMessage", "payload": {"data": {"$bytes": "AAH+/w=="}}}, seen
    )
    await channel.send(call(12, "t1", "close", args={"code": 4000, "reason": "done"}))
    await until(channel, {"listener": "onClose"}, seen)
    await channel.send({"type": "bye"})
    await channel.close()
    assert channel.returncode == 0, channel.stderr_tail
    return seen


async def test_node_driver_echo_round_trip() -> None:
    async with echo_server() as url:
        seen = await run_echo(url)
    kinds = [
        (m["type"], m.get("id"), m.get("name"), m.get("listener"))
        for m in seen
        if m["type"] != "returned" or m["id"] in (1, 10)
    ]
    assert kinds[:4] == [
        ("returned", 1, None, None),
        ("callback", 1, "success", None),
        ("callback", 1, "complete", None),
        ("event", None, None, "onOpen"),
    ]
    events = [(m["listener"], m.get("payload")) for m in seen if m["type"] == "event"]
    assert events == [
        ("onOpen", {"header": {}}),
        ("onMessage", {"data": "héllo 🎉"}),
        ("onMessage", {"data": {"$bytes": "AAH+/w=="}}),
        ("onClose", {"code": 4000, "reason": "done"}),
    ]
    callbacks = [(m["id"], m["name"], m["payload"]) for m in seen if m["type"] == "callback"]
    assert (11, "success", {"errMsg": "sendSocketMessage:ok"}) in callbacks
    assert (12, "success", {"errMsg": "closeSocket:ok"}) in callbacks
    assert not [c for c in callbacks if c[1] == "fail"]


async def test_node_driver_send_before_open_fails_10002() -> None:
    channel = StdioChannel(node_command(), validate=True)
    await channel.start()
    seen: list[Message] = []
    async with echo_server() as url:
        connect = call(1, "uni", "connectSocket", args={"url": url}, assign="t1", callbacks=[])
        send = call(2, "t1", "send", args={"data": "too early"})
        await channel.send({"type": "batch", "calls": [connect, send]})
        await until(channel, {"id": 2, "name": "complete"}, seen)
    fails = [m["payload"] for m in seen if m.get("name") == "fail"]
    assert len(fails) == 1
    assert fails[0]["errCode"] == 10002  # type: ignore[index]
    assert str(fails[0]["errMsg"]).startswith("sendSocketMessage:fail")  # type: ignore[index]
    await channel.close()


async def test_node_driver_reports_driver_errors() -> None:
    channel = StdioChannel(node_command())
    await channel.start()
    await channel.send(call(1, "nope", "send", args={}))
    with pytest.raises(ChannelProtocolError, match=r"call 1: unknown target \"nope\""):
        await channel.receive(TIMEOUT)
    await channel.close()


def test_node_allowances_are_a_valid_profile_naming_real_rules() -> None:
    _spec, profile = load_for_run(None, str(DRIVER.with_name("node_driver.allowances.yaml")))
    assert profile.name == "node-driver"
    assert profile.allowances
    for allowance in profile.allowances:
        assert allowance.sources
