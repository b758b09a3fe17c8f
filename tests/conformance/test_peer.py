"""The scripted peer, driven by a plain websockets client: scripts and frame records."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from conformance import peer as peer_mod
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


# -- parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("/close?code=abc", "code='abc'"),
        ("/close?code=70000", "0 to 65535"),
        ("/close?code=4000&reason=" + "r" * 124, "at most 123 bytes"),
        ("/drop?after=x", "after='x'"),
        ("/drop?mode=sideways", "eof or reset"),
        ("/slow?delay=nan", "milliseconds"),
        ("/slow?delay=-5", "milliseconds"),
        ("/frames?kind=nosuch", "kind='nosuch'"),
        ("/reject?status=abc", "status='abc'"),
        ("/reject?status=42", "200 to 599"),
        ("/nosuch?status=x", "status='x'"),
        ("/echo?protocol=a%0D%0AX-Evil:%201", "HTTP token"),
        ("/echo?protocol=%E2%9C%93", "HTTP token"),
    ],
)
def test_a_bad_parameter_is_answered_400_with_the_reason(
    peer: PeerThread, target: str, words: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def go() -> tuple[int, str]:
        with pytest.raises(InvalidStatus) as info:
            async with connect(peer.url + target):
                pass
        response = info.value.response
        return response.status_code, response.body.decode("utf-8") if response.body else ""

    answer = _run(go())
    assert isinstance(answer, tuple)
    status, body = answer
    assert status == 400
    assert words in body
    conn = _conn(peer)
    assert conn.status == 400
    assert any(p.startswith("bad request:") and words in p for p in conn.problems)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    # and the peer goes on serving
    assert _run(_echo_once(peer.url + "/echo")) == "still here"


async def _echo_once(url: str) -> object:
    async with connect(url) as ws:
        await ws.send("still here")
        return await ws.recv()


def test_a_malformed_request_target_is_answered_400(
    peer: PeerThread, caplog: pytest.LogCaptureFixture
) -> None:
    async def go() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", peer.peer.port)
        writer.write(b"GET //[x HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: \xff\r\n\r\n")
        answer = await reader.read()
        writer.close()
        return answer

    answer = _run(go())
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"malformed request target" in answer
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_free_parameters_and_valid_values_are_accepted(peer: PeerThread) -> None:
    for target in ("/echo?who=a&n=1", "/close?code=none", "/slow?delay=1", "/drop?after=0"):

        async def go(url: str = peer.url + target) -> None:
            async with connect(url) as ws:
                with contextlib.suppress(ConnectionClosed):
                    await ws.send("x")
                    await ws.recv()

        _run(go())
    assert [c.status for c in peer.peer.connections] == [101, 101, 101, 101]
    assert not any(c.problems for c in peer.peer.connections)


# -- bounded records ----------------------------------------------------------------------------


async def _echo_many(url: str, messages: list[bytes]) -> None:
    async with connect(url, max_size=None) as ws:
        for message in messages:
            await ws.send(message)
            await ws.recv()
        await ws.close(4000, "done")


def test_a_connection_keeps_its_last_frames_and_counts_the_rest(peer: PeerThread) -> None:
    """Echoing 48 MiB keeps at most MAX_RECORDED_BYTES of it (all of it was kept before)."""
    mib = 1024 * 1024
    asyncio.run(asyncio.wait_for(_echo_many(peer.url, [bytes([i]) * mib for i in range(48)]), 60))
    conn = _conn(peer)
    kept = list(conn.frames)
    assert sum(len(f.payload) for f in kept) == conn.recorded_bytes <= peer_mod.MAX_RECORDED_BYTES
    assert conn.dropped_frames + len(kept) == 49
    assert conn.dropped_frames >= 48 - peer_mod.MAX_RECORDED_BYTES // mib
    assert kept[-1].kind == "close" and kept[-2].payload[:1] == bytes([47])
    assert conn.as_dict()["dropped_frames"] == conn.dropped_frames


def test_the_frame_count_and_the_whole_peer_are_bounded(
    peer: PeerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(peer_mod, "MAX_RECORDED_FRAMES", 5)
    monkeypatch.setattr(peer_mod, "MAX_PEER_RECORDED_BYTES", 2500)
    _run(_echo_many(peer.url + "/echo?who=first", [b"a" * 100] * 20))
    first = _conn(peer)
    assert len(first.frames) == 5 and first.dropped_frames == 16
    _run(_echo_many(peer.url + "/echo?who=second", [b"b" * 1000] * 3))
    second = _conn(peer, 1)
    # the second connection's 3000 bytes push the first one's frames out, then its own oldest
    assert not first.frames and first.dropped_frames == 21
    assert peer.peer.recorded_bytes == sum(len(f.payload) for f in second.frames) <= 2500
    assert second.frames[-1].kind == "close"
