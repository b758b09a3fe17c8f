"""The scripted peer, driven by a plain websockets client: scripts and frame records."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from conformance.peer import ConnectionRecord, PeerThread

TIMEOUT = 5.0


@pytest.fixture
def peer() -> Iterator[PeerThread]:
    with PeerThread() as thread:
        yield thread


def _run(coro: object) -> object:
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))  # type: ignore[arg-type]


def _conn(peer: PeerThread, index: int = 0) -> ConnectionRecord:
    return peer.peer.connections[index]


def test_binds_loopback_on_a_free_port(peer: PeerThread) -> None:
    assert peer.url.startswith("ws://127.0.0.1:")
    assert not peer.url.endswith(":0")


def test_echo_records_every_client_frame(peer: PeerThread) -> None:
    async def go() -> tuple[object, object]:
        async with connect(peer.url + "/echo", subprotocols=["a", "b"]) as ws:  # type: ignore[list-item]
            await ws.send("héllo")
            text = await ws.recv()
            await ws.send(b"\x00\xff")
            data = await ws.recv()
            await ws.close(4000, "bye")
        return text, data

    assert _run(go()) == ("héllo", b"\x00\xff")
    conn = _conn(peer)
    assert conn.offered_protocols == ["a", "b"] and conn.chosen_protocol == "a"
    frames = [f.as_dict() for f in conn.frames]
    assert [f["opcode"] for f in frames] == ["text", "binary", "close"]
    assert all(f["masked"] for f in frames)
    assert frames[0]["data"] == "héllo"
    assert (frames[2]["code"], frames[2]["reason"], frames[2]["reason_bytes"]) == (4000, "bye", 3)


def test_goodbye_makes_the_server_close(peer: PeerThread) -> None:
    async def go() -> tuple[int | None, str | None]:
        async with connect(peer.url + "/echo") as ws:
            await ws.send("Goodbye")
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        return ws.close_code, ws.close_reason

    assert _run(go()) == (1000, "Goodbye")


@pytest.mark.parametrize(("query", "code"), [("code=4001&reason=srv", 4001), ("code=none", 1005)])
def test_server_close(peer: PeerThread, query: str, code: int) -> None:
    async def go() -> int | None:
        async with connect(peer.url + "/close?" + query) as ws:
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        return ws.close_code

    assert _run(go()) == code


def test_reject_answers_with_the_status(peer: PeerThread) -> None:
    async def go() -> int:
        with pytest.raises(InvalidStatus) as info:
            async with connect(peer.url + "/reject?status=404"):
                pass
        return info.value.response.status_code

    assert _run(go()) == 404
    assert _conn(peer).status == 404


def test_subprotocol_not_offered_fails_the_client(peer: PeerThread) -> None:
    async def go() -> None:
        with pytest.raises(InvalidHandshake):
            async with connect(peer.url + "/echo?protocol=bogus", subprotocols=["chat"]):  # type: ignore[list-item]
                pass

    _run(go())
    assert _conn(peer).chosen_protocol == "bogus"


def test_subprotocol_none_is_recorded(peer: PeerThread) -> None:
    async def go() -> object:
        async with connect(peer.url + "/echo?protocol=none", subprotocols=["chat"]) as ws:  # type: ignore[list-item]
            return ws.subprotocol

    assert _run(go()) is None
    assert _conn(peer).offered_protocols == ["chat"]
    assert _conn(peer).chosen_protocol is None


def test_drop_ends_without_a_close_frame(peer: PeerThread) -> None:
    async def go() -> object:
        async with connect(peer.url + "/drop?mode=eof") as ws:
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        return ws.close_code

    assert _run(go()) == 1006


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("fragmented-text", "Hello, world ✓"),
        ("fragmented-binary", b"\x00\x01\x02\x03\xff"),
        ("empty-text", ""),
        ("empty-binary", b""),
    ],
)
def test_frames(peer: PeerThread, kind: str, expected: object) -> None:
    async def go() -> object:
        async with connect(peer.url + f"/frames?kind={kind}") as ws:
            return await ws.recv()

    assert _run(go()) == expected


def test_invalid_frame_fails_the_client(peer: PeerThread) -> None:
    async def go() -> None:
        async with connect(peer.url + "/frames?kind=reserved-opcode") as ws:
            with pytest.raises(ConnectionClosed):
                await ws.recv()

    _run(go())
    closes = [f.as_dict() for f in _conn(peer).frames if f.kind == "close"]
    assert closes and closes[0]["code"] == 1002


def test_headers_are_reflected(peer: PeerThread) -> None:
    async def go() -> object:
        async with connect(peer.url + "/headers", additional_headers={"X-Test": "1"}) as ws:
            return await ws.recv()

    assert '"x-test": "1"' in str(_run(go()))
    assert _conn(peer).header("x-test") == ["1"]


def test_slow_handshake_waits_for_release(peer: PeerThread) -> None:
    async def go() -> object:
        task = asyncio.ensure_future(connect(peer.url + "/slow").__aenter__())
        done, _ = await asyncio.wait([task], timeout=0.3)
        assert not done
        peer.release()
        ws = await task
        await ws.send("x")
        reply = await ws.recv()
        await ws.close()
        return reply

    assert _run(go()) == "x"
