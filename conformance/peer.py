"""The scripted WebSocket peer the conformance rules run against.

A server on raw asyncio streams, because a well-behaved library server cannot misbehave on
purpose (send a reserved opcode, drop TCP mid-message, choose a subprotocol nobody offered).
The handshake and framing are RFC 6455 and deliberately small; every frame the client sends is
recorded with its opcode, FIN and mask bits, and the close code and reason bytes, so rules can
assert on the wire (RFC §5.1 "a client MUST mask all frames that it sends to the server").

The module is longer than the others (about 600 lines) because the scripts below are one
:class:`_Session` whose methods share the frame reader and the records; split apart, each script
would need that state passed around, and the table below would lose its one home.

The script is chosen by the first path segment; options are query parameters.  Every script
accepts ``protocol=first|none|<token>`` (which ``Sec-WebSocket-Protocol`` to answer; default: the
first offered, none if nothing was offered).  A known parameter with a value the script cannot
use (``code=abc``, ``status=42``, ``kind=nosuch``, a protocol that is not an HTTP token) is
answered with HTTP 400 and the reason as the body, and recorded as a problem of the connection;
other parameters are free for the client's own use (``?who=a`` tells connections apart).

Every frame is recorded, but not kept forever: each connection keeps its last
:data:`MAX_RECORDED_FRAMES` frames and at most :data:`MAX_RECORDED_BYTES` of payload (the newest
frame always), the peer at most :data:`MAX_PEER_RECORDED_BYTES` over all its connections (the
oldest connections' frames go first); ``dropped_frames`` counts the frames let go.

========================  =====================================================================
path                      behaviour
========================  =====================================================================
``/echo``                 echo text and binary messages; the text ``Goodbye`` makes the server
                          close with 1000 "Goodbye"; a client Close is echoed (code and reason,
                          or an empty Close for an empty one) and TCP is closed
``/close``                after the handshake send Close ``code`` (``none``: no status) and
                          ``reason``; wait for the client's reply; close TCP
``/drop``                 after the handshake drop TCP without a Close (``mode=eof|reset``);
                          ``after=N`` first echoes N messages
``/reject``               answer the handshake with HTTP ``status`` (default 403)
``/redirect``             answer the handshake with HTTP ``status`` (default 302) and a
                          ``Location`` naming this peer's ``/echo``: a client that follows it
                          opens a second connection, which the records show
``/wrong-accept``         answer 101 with a wrong ``Sec-WebSocket-Accept``
``/slow``                 hold the handshake until :meth:`Peer.release` (or ``delay`` ms, or the
                          client goes away), then echo
``/stall``                complete the handshake, then read nothing until :meth:`Peer.release`;
                          then echo
``/silent``               echo, but never answer the client's Close and never close TCP
``/frames``               send ``kind`` = ``fragmented-text``, ``fragmented-binary``,
                          ``empty-text``, ``empty-binary``, ``reserved-opcode``,
                          ``invalid-utf8``, ``masked``, ``ping``, ``max-size`` (16 MiB),
                          ``oversized`` (16 MiB + 1), then echo
``/headers``              send the request headers as one JSON text message, then echo
========================  =====================================================================

``utsapi conformance serve`` runs it standalone; the engine runs one per rule case in a thread
(:class:`PeerThread`) so a misbehaving in-process implementation cannot stall it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import math
import re
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl, urlsplit

from websockets.utils import apply_mask

from conformance.exceptions import PeerError

__all__ = [
    "OPCODE_NAMES",
    "SCRIPTS",
    "ConnectionRecord",
    "FrameRecord",
    "Peer",
    "PeerThread",
]

_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_MAX_HEADER_BYTES: Final = 64 * 1024
_MAX_PAYLOAD: Final = 64 * 1024 * 1024
_SIXTEEN_MIB: Final = 16 * 1024 * 1024
#: A connection the peer keeps longer than this (seconds) is dropped, so nothing runs forever.
MAX_CONNECTION_SECONDS: Final = 120.0
#: Frames a connection record keeps (the last ones); the rules need a few dozen.
MAX_RECORDED_FRAMES: Final = 4096
#: Payload bytes a connection record keeps (its newest frame is kept whatever its size).
MAX_RECORDED_BYTES: Final = 16 * 1024 * 1024
#: Payload bytes the records of one peer keep over all its connections.
MAX_PEER_RECORDED_BYTES: Final = 64 * 1024 * 1024

OPCODE_NAMES: Final = {0: "cont", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}
_CONT, _TEXT, _BINARY, _CLOSE, _PING, _PONG = 0, 1, 2, 8, 9, 10

SCRIPTS: Final = (
    "echo",
    "close",
    "drop",
    "reject",
    "redirect",
    "wrong-accept",
    "slow",
    "stall",
    "silent",
    "frames",
    "headers",
)

#: The kinds of ``/frames``.
FRAME_KINDS: Final = (
    "fragmented-text",
    "fragmented-binary",
    "empty-text",
    "empty-binary",
    "reserved-opcode",
    "invalid-utf8",
    "masked",
    "ping",
    "max-size",
    "oversized",
)

_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")

_REASONS: Final = {
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class FrameRecord:
    """One frame as the client sent it (payload already unmasked)."""

    opcode: int
    fin: bool
    masked: bool
    rsv: int
    payload: bytes

    @property
    def kind(self) -> str:
        return OPCODE_NAMES.get(self.opcode, str(self.opcode))

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "opcode": self.kind,
            "fin": self.fin,
            "masked": self.masked,
            "rsv": self.rsv,
            "length": len(self.payload),
        }
        if self.opcode == _TEXT:
            try:
                out["data"] = self.payload.decode("utf-8")
            except UnicodeDecodeError:
                out["data"] = self.payload
                out["invalid_utf8"] = True
        elif self.opcode == _CLOSE:
            if len(self.payload) >= 2:
                out["code"] = struct.unpack("!H", self.payload[:2])[0]
                reason = self.payload[2:]
                out["reason_bytes"] = len(reason)
                out["reason"] = reason.decode("utf-8", errors="replace")
            else:
                out["code"] = None
                out["reason_bytes"] = 0
                out["reason"] = ""
        else:
            out["data"] = self.payload
        return out


@dataclass
class ConnectionRecord:
    """What happened on one client connection, in order."""

    index: int
    path: str = ""
    script: str = ""
    query: dict[str, str] = field(default_factory=dict)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    offered_protocols: list[str] = field(default_factory=list)
    chosen_protocol: str | None = None
    status: int | None = None
    #: the last frames the client sent (see :data:`MAX_RECORDED_FRAMES`, :data:`MAX_RECORDED_BYTES`)
    frames: deque[FrameRecord] = field(default_factory=lambda: deque(maxlen=MAX_RECORDED_FRAMES))
    #: frames received but no longer kept
    dropped_frames: int = 0
    #: payload bytes of :attr:`frames`
    recorded_bytes: int = 0
    #: protocol problems the peer noticed in the client's bytes (unmasked frame, bad length, ...)
    problems: list[str] = field(default_factory=list)
    #: data frames that arrived after the client's Close frame
    data_after_close: int = 0
    closed: bool = False

    def header(self, name: str) -> list[str]:
        low = name.lower()
        return [v for k, v in self.request_headers if k.lower() == low]

    def record_frame(self, frame: FrameRecord) -> int:
        """Keep ``frame``, letting the oldest frames go beyond the bounds; the bytes added."""
        frames = self.frames
        dropped = 0
        if len(frames) == frames.maxlen:
            dropped += self.drop_oldest()
        frames.append(frame)
        self.recorded_bytes += len(frame.payload)
        while self.recorded_bytes > MAX_RECORDED_BYTES and len(frames) > 1:
            dropped += self.drop_oldest()
        return len(frame.payload) - dropped

    def drop_oldest(self) -> int:
        """Let the oldest kept frame go; its payload bytes (0: none was kept)."""
        if not self.frames:
            return 0
        size = len(self.frames.popleft().payload)
        self.recorded_bytes -= size
        self.dropped_frames += 1
        return size

    def as_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "path": self.path,
            "script": self.script,
            "query": dict(self.query),
            "request_headers": {k.lower(): v for k, v in self.request_headers},
            "offered_protocols": list(self.offered_protocols),
            "chosen_protocol": self.chosen_protocol,
            "status": self.status,
            "frames": [f.as_dict() for f in list(self.frames)],
            "dropped_frames": self.dropped_frames,
            "problems": list(self.problems),
            "data_after_close": self.data_after_close,
            "closed": self.closed,
        }


def _encode_frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = False) -> bytes:
    head = bytearray([(0x80 if fin else 0) | (opcode & 0x0F)])
    mask_bit = 0x80 if mask else 0
    length = len(payload)
    if length < 126:
        head.append(mask_bit | length)
    elif length < 1 << 16:
        head.append(mask_bit | 126)
        head += struct.pack("!H", length)
    else:
        head.append(mask_bit | 127)
        head += struct.pack("!Q", length)
    if mask:
        key = b"\x01\x02\x03\x04"
        head += key
        payload = apply_mask(payload, key)
    return bytes(head) + payload


def _close_payload(code: int | None, reason: str = "") -> bytes:
    if code is None:
        return b""
    return struct.pack("!H", code) + reason.encode("utf-8")


class _Closed(Exception):
    """The client's connection ended (EOF, reset, or the peer stopped)."""


class _Session:
    """One client connection running its script."""

    def __init__(
        self,
        peer: Peer,
        record: ConnectionRecord,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.peer = peer
        self.record = record
        self.reader = reader
        self.writer = writer
        self.client_closed = False
        self.server_closed = False

    # -- wire ---------------------------------------------------------------------------------

    async def read_exact(self, n: int) -> bytes:
        try:
            return await self.reader.readexactly(n)
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
            raise _Closed from exc

    async def read_frame(self) -> FrameRecord:
        b0, b1 = await self.read_exact(2)
        masked = bool(b1 & 0x80)
        length = b1 & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.read_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.read_exact(8))
        if length > _MAX_PAYLOAD:
            self.record.problems.append(f"frame of {length} bytes exceeds the peer's limit")
            raise _Closed
        key = await self.read_exact(4) if masked else b""
        data = await self.read_exact(length)
        if masked:
            data = apply_mask(data, key)
        frame = FrameRecord(b0 & 0x0F, bool(b0 & 0x80), masked, (b0 >> 4) & 0x07, data)
        if not masked:
            self.record.problems.append(f"unmasked {frame.kind} frame from the client")
        if self.client_closed and frame.opcode in (_TEXT, _BINARY, _CONT):
            self.record.data_after_close += 1
        self.peer.record_frame(self.record, frame)
        self.peer.notify()
        return frame

    def write(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    async def send(self, opcode: int, payload: bytes, *, fin: bool = True) -> None:
        self.write(_encode_frame(opcode, payload, fin=fin))
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.drain()

    async def send_close(self, payload: bytes) -> None:
        self.server_closed = True
        await self.send(_CLOSE, payload)

    def finish(self, *, reset: bool = False) -> None:
        if reset:
            sock = self.writer.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.writer.transport.abort()
        else:
            self.writer.close()

    # -- handshake ----------------------------------------------------------------------------

    async def handshake(self) -> bool:
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as exc:
            self.record.problems.append(f"no complete handshake request: {exc}")
            return False
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        target = parts[1] if len(parts) >= 2 else "/"
        try:
            split = urlsplit(target)
        except ValueError:  # "//[x": an invalid IPv6 host
            self.record.path = target
            self.record.problems.append("bad request: a malformed request target")
            self.respond(400, f"malformed request target {_shown(target)}")
            return False
        self.record.path = split.path
        self.record.query = dict(parse_qsl(split.query, keep_blank_values=True))
        segment = split.path.strip("/").split("/")[0] or "echo"
        self.record.script = segment
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                self.record.request_headers.append((name.strip(), value.strip()))
        for value in self.record.header("Sec-WebSocket-Protocol"):
            self.record.offered_protocols += [p.strip() for p in value.split(",") if p.strip()]
        self.peer.notify()
        query = self.record.query
        problem = _bad_query(segment, query)
        if problem is not None:
            self.record.problems.append(f"bad request: {problem}")
            self.respond(400, problem)
            return False

        if segment == "slow":
            await self.peer.wait_released(self.reader, float(query.get("delay", "0")) / 1000)
            if self.reader.at_eof():
                return False
        if segment == "redirect":
            host = (self.record.header("Host") or ["127.0.0.1"])[0]
            self.respond(int(query.get("status", "302")), location=f"ws://{host}/echo?redirected=1")
            return False
        if segment == "reject" or segment not in SCRIPTS:
            self.respond(int(query.get("status", "403" if segment == "reject" else "404")))
            return False

        keys = self.record.header("Sec-WebSocket-Key")
        key = keys[0] if keys else ""
        accept = base64.b64encode(hashlib.sha1(key.encode("latin-1") + _GUID).digest()).decode()
        if segment == "wrong-accept":
            accept = base64.b64encode(hashlib.sha1(b"wrong" + _GUID).digest()).decode()
        choice = query.get("protocol", "first")
        offered = self.record.offered_protocols
        chosen: str | None
        if choice == "first":
            chosen = offered[0] if offered else None
        elif choice == "none":
            chosen = None
        else:
            chosen = choice
        self.record.chosen_protocol = chosen
        headers = [
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Accept: {accept}",
            "X-Utsapi-Peer: 1",
        ]
        if chosen is not None:
            headers.append(f"Sec-WebSocket-Protocol: {chosen}")
        self.write(("\r\n".join(headers) + "\r\n\r\n").encode("latin-1"))
        self.record.status = 101
        self.peer.notify()
        return segment != "wrong-accept"

    def respond(self, status: int, body: str = "", location: str | None = None) -> None:
        """Answer the handshake with HTTP ``status`` (not 101), ``body`` as plain text and, for a
        redirect, a ``Location`` header."""
        self.record.status = status
        data = body.encode("utf-8")
        kind = "Content-Type: text/plain; charset=utf-8\r\n" if data else ""
        if location is not None:
            kind += f"Location: {location}\r\n"
        self.write(
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n{kind}"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode("ascii")
            + data
        )
        self.peer.notify()

    # -- scripts ------------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            if not await self.handshake():
                await self.drain_until_eof()
                return
            script = self.record.script
            query = self.record.query
            if script == "close":
                code_text = query.get("code", "1000")
                code = None if code_text == "none" else int(code_text)
                await self.send_close(_close_payload(code, query.get("reason", "")))
                await self.echo(answer_close=False)
            elif script == "drop":
                await self.echo(limit=int(query.get("after", "0")))
                self.finish(reset=query.get("mode", "reset") == "reset")
            elif script == "stall":
                await self.peer.wait_released(None, 0.0)
                await self.echo()
            elif script == "silent":
                await self.echo(answer_close=False, close_tcp=False)
            elif script == "frames":
                await self.send_special(query.get("kind", "fragmented-text"))
                await self.echo()
            elif script == "headers":
                body = {k.lower(): v for k, v in self.record.request_headers}
                await self.send(_TEXT, json.dumps(body, sort_keys=True).encode())
                await self.echo()
            else:
                await self.echo()
        except _Closed:
            pass
        finally:
            self.record.closed = True
            self.peer.notify()
            self.finish()

    async def drain_until_eof(self) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.drain()
        self.finish()

    async def send_special(self, kind: str) -> None:
        if kind == "fragmented-text":
            await self.send(_TEXT, b"Hel", fin=False)
            await self.send(_CONT, b"lo, w", fin=False)
            await self.send(_CONT, "orld ✓".encode())
        elif kind == "fragmented-binary":
            await self.send(_BINARY, b"\x00\x01", fin=False)
            await self.send(_CONT, b"\x02", fin=False)
            await self.send(_CONT, b"\x03\xff")
        elif kind == "empty-text":
            await self.send(_TEXT, b"")
        elif kind == "empty-binary":
            await self.send(_BINARY, b"")
        elif kind == "reserved-opcode":
            await self.send(3, b"")
        elif kind == "invalid-utf8":
            await self.send(_TEXT, b"\xff\xfe invalid")
        elif kind == "masked":
            self.write(_encode_frame(_TEXT, b"masked", mask=True))
        elif kind == "ping":
            await self.send(_PING, b"utsapi-ping")
        elif kind == "max-size":
            await self.send(_BINARY, b"\x5a" * _SIXTEEN_MIB)
        elif kind == "oversized":
            await self.send(_BINARY, b"\x5a" * (_SIXTEEN_MIB + 1))
        else:
            raise PeerError(self.record.path, f"unknown frames kind {kind!r}")

    async def echo(
        self, *, limit: int | None = None, answer_close: bool = True, close_tcp: bool = True
    ) -> None:
        """Echo messages until the client closes (or ``limit`` messages were echoed)."""
        echoed = 0
        opcode: int | None = None
        parts: list[bytes] = []
        while limit is None or echoed < limit:
            frame = await self.read_frame()
            if frame.opcode == _PING:
                await self.send(_PONG, frame.payload)
                continue
            if frame.opcode == _PONG:
                continue
            if frame.opcode == _CLOSE:
                self.client_closed = True
                if answer_close and not self.server_closed:
                    await self.send_close(frame.payload)
                if close_tcp:
                    return
                continue
            if frame.opcode in (_TEXT, _BINARY):
                opcode, parts = frame.opcode, [frame.payload]
            elif frame.opcode == _CONT and opcode is not None:
                parts.append(frame.payload)
            else:
                self.record.problems.append(f"unexpected {frame.kind} frame")
                continue
            if not frame.fin or self.client_closed or self.server_closed:
                continue
            message = b"".join(parts)
            if opcode == _TEXT and message == b"Goodbye":
                await self.send_close(_close_payload(1000, "Goodbye"))
            else:
                await self.send(opcode, message)
                echoed += 1
            opcode, parts = None, []


def _bad_query(script: str, query: dict[str, str]) -> str | None:
    """Why ``query`` cannot be run by ``script`` (a reason for HTTP 400), or None."""
    protocol = query.get("protocol")
    if (
        protocol is not None
        and protocol not in ("first", "none")
        and not _TOKEN.fullmatch(protocol)
    ):
        return f"protocol={_shown(protocol)}: use first, none or an HTTP token (RFC 7230)"
    if script == "close":
        code = query.get("code", "1000")
        if code != "none" and _whole(code, 0, 65535) is None:
            return f"code={_shown(code)}: use none or a whole number from 0 to 65535"
        reason = query.get("reason", "")
        if len(reason.encode("utf-8")) > 123:
            return "reason: at most 123 bytes in UTF-8 (a Close frame's payload is 125)"
    elif script == "drop":
        if _whole(query.get("after", "0"), 0, 1_000_000) is None:
            return f"after={_shown(query['after'])}: use a whole number from 0 to 1000000"
        if query.get("mode", "reset") not in ("eof", "reset"):
            return f"mode={_shown(query['mode'])}: use eof or reset"
    elif script == "slow":
        delay = query.get("delay", "0")
        try:
            ms = float(delay)
        except ValueError:
            ms = math.nan
        if not 0 <= ms <= MAX_CONNECTION_SECONDS * 1000:
            limit = int(MAX_CONNECTION_SECONDS * 1000)
            return f"delay={_shown(delay)}: use a number of milliseconds from 0 to {limit}"
    elif script == "frames":
        kind = query.get("kind", "fragmented-text")
        if kind not in FRAME_KINDS:
            return f"kind={_shown(kind)}: use one of {', '.join(FRAME_KINDS)}"
    rejects = script in ("reject", "redirect") or script not in SCRIPTS
    if rejects and "status" in query and _whole(query["status"], 200, 599) is None:
        return f"status={_shown(query['status'])}: use an HTTP status from 200 to 599"
    return None


def _whole(text: str, low: int, high: int) -> int | None:
    """``text`` as a whole number from ``low`` to ``high`` (plain digits), else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    number = int(text)
    return number if low <= number <= high else None


def _shown(value: str) -> str:
    """A query value as a reason shows it: quoted, escaped, at most 40 characters."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


class Peer:
    """The scripted server.  Use on one event loop: ``await start()``, then ``await stop()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.connections: list[ConnectionRecord] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._released: asyncio.Event | None = None
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        #: payload bytes kept by the records of every connection
        self.recorded_bytes = 0
        self._oldest_kept = 0  # the first connection that may still keep frames

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on the peer's loop thread) after every change to the records."""
        with self._lock:
            self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            callback()

    def record_frame(self, record: ConnectionRecord, frame: FrameRecord) -> None:
        """Keep ``frame`` in ``record``; beyond :data:`MAX_PEER_RECORDED_BYTES` over every
        connection, the oldest connections' frames go first (the newest frame stays)."""
        self.recorded_bytes += record.record_frame(frame)
        while self.recorded_bytes > MAX_PEER_RECORDED_BYTES:
            oldest = self.connections[self._oldest_kept]
            if oldest is record and len(record.frames) <= 1:
                break
            if not oldest.frames:
                self._oldest_kept += 1
                continue
            self.recorded_bytes -= oldest.drop_oldest()

    def snapshot(self) -> list[dict[str, object]]:
        """The records as plain data (for assertions and reports)."""
        return [c.as_dict() for c in list(self.connections)]

    async def start(self) -> None:
        self._released = asyncio.Event()
        try:
            self._server = await asyncio.start_server(
                self._accept, self.host, self.port, limit=_MAX_HEADER_BYTES
            )
        except OSError as exc:
            raise PeerError(f"{self.host}:{self.port}", f"cannot listen: {exc}") from exc
        self.port = self._server.sockets[0].getsockname()[1]

    def release(self) -> None:
        """Let ``/slow`` handshakes finish and ``/stall`` readers read (call on the peer's loop)."""
        if self._released is not None:
            self._released.set()

    async def wait_released(self, reader: asyncio.StreamReader | None, delay: float) -> None:
        assert self._released is not None
        waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(self._released.wait())]
        if reader is not None:
            waiters.append(asyncio.ensure_future(_wait_eof(reader)))
        timeout = delay if delay > 0 else MAX_CONNECTION_SECONDS
        _done, pending = await asyncio.wait(
            waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        record = ConnectionRecord(index=len(self.connections))
        self.connections.append(record)
        self._writers.add(writer)
        session = _Session(self, record, reader, writer)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            async with asyncio.timeout(MAX_CONNECTION_SECONDS):
                await session.run()
        except TimeoutError:
            record.problems.append(f"connection still open after {MAX_CONNECTION_SECONDS} s")
            session.finish(reset=True)
        except asyncio.CancelledError:
            session.finish(reset=True)  # the peer is stopping; end quietly
        finally:
            self._writers.discard(writer)
            if task is not None:
                self._tasks.discard(task)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), timeout=5)


async def _wait_eof(reader: asyncio.StreamReader) -> object:
    """Wait until the client goes away, without consuming anything it sends."""
    for _ in range(_MAX_PAYLOAD):
        if not await reader.read(4096):
            break
    return None


class PeerThread:
    """A :class:`Peer` running on its own event loop in a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.peer = Peer(host, port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="utsapi-peer", daemon=True
        )
        self._started = False

    @property
    def url(self) -> str:
        return self.peer.url

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.peer.start(), self._loop).result(timeout)
        self._started = True

    def release(self) -> None:
        self._loop.call_soon_threadsafe(self.peer.release)

    def stop(self, timeout: float = 10.0) -> None:
        if self._started:
            with contextlib.suppress(TimeoutError, RuntimeError):
                asyncio.run_coroutine_threadsafe(self.peer.stop(), self._loop).result(timeout)
            self._started = False
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        if not self._thread.is_alive() and not self._loop.is_closed():
            self._loop.close()

    def __enter__(self) -> PeerThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
