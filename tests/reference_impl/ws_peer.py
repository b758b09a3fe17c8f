"""A scripted ``websockets`` server on 127.0.0.1 (port 0), in a thread of its own.

The request path picks the script (the WPT ``websockets/handlers`` menu, re-implemented):

``/echo``                echo every message back; ``Goodbye`` makes the server close
``/hold``                read and record, never answer
``/close/<code>/<why>``  the server closes with that code and reason
``/close-no-status``     the server sends a Close frame with no status
``/drop``                the TCP connection is dropped (no Close frame)
``/stall``               stop reading until ``Peer.resume`` is set, then read everything
``/headers``             send the request headers back as one JSON text message
``/fragments``           send one text message in three fragments, then "done"
``/big/<n>``             send one binary message of n bytes
``/bad-utf8``            send a text frame that is not UTF-8
``/reject/<status>``     refuse the handshake with that HTTP status
``/redirect``            answer the handshake with 302 to ``/echo``
``/slow``                never finish the handshake (until the peer stops)
``/proto-first``, ``/proto-none``, ``/proto-unoffered``   subprotocol choices
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

T = TypeVar("T")

HOST = "127.0.0.1"


@dataclass
class Record:
    """What the server saw on one connection."""

    path: str
    headers: Headers | None = None
    offered: list[str] = field(default_factory=list)
    messages: list[str | bytes] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


class Peer:
    """Run with ``with Peer() as peer: url = peer.url("/echo")``."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None, **serve_kwargs: Any) -> None:
        self._ssl = ssl_context
        self._kwargs = serve_kwargs
        self.loop = asyncio.new_event_loop()
        self.records: list[Record] = []
        self._lock = threading.Lock()
        self._new_record = threading.Condition(self._lock)
        self.resume = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="test-peer", daemon=True)
        self._ready = threading.Event()
        self.port = 0
        self.custom: Callable[[ServerConnection, Record], Awaitable[None]] | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> Peer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("test peer did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self.resume.set()
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())
        self.loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        kwargs: dict[str, Any] = {
            "process_request": self._process_request,
            "process_response": self._process_response,
            "select_subprotocol": self._select_subprotocol,
            "compression": None,
            "max_size": None,
            # Unbounded, so that a script which stops reading (after it closed, say)
            # never blocks the closing handshake; /stall tests pass max_queue=1.
            "max_queue": None,
        }
        kwargs.update(self._kwargs)
        server: Server
        async with serve(self._handler, HOST, 0, ssl=self._ssl, **kwargs) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()
            server.close(close_connections=False)
            for conn in list(server.connections):
                conn.transport.abort()

    def url(self, path: str = "/echo", *, scheme: str = "ws") -> str:
        return f"{scheme}://{HOST}:{self.port}{path}"

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def record(self, index: int = 0, timeout: float = 10.0) -> Record:
        """The index-th connection's record, waiting for it to exist."""
        with self._new_record:
            if not self._new_record.wait_for(lambda: len(self.records) > index, timeout):
                raise TimeoutError(f"no connection #{index} within {timeout}s")
            return self.records[index]

    # -- handshake hooks -------------------------------------------------------------------

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        path = request.path
        if path.startswith("/reject/"):
            status = int(path.rsplit("/", 1)[1])
            return connection.respond(status, "rejected by the test peer\n")
        if path == "/redirect":
            moved = connection.respond(302, "moved\n")
            moved.headers["Location"] = "/echo"
            return moved
        if path == "/slow":
            assert self._stop is not None
            await self._stop.wait()
            return connection.respond(503, "stopped\n")
        return None

    def _process_response(
        self, connection: ServerConnection, request: Request, response: Response
    ) -> Response | None:
        if request.path == "/proto-unoffered":
            response.headers["Sec-WebSocket-Protocol"] = "unoffered"
        return None

    def _select_subprotocol(self, connection: ServerConnection, offered: Any) -> Any:
        if connection.request is not None and connection.request.path == "/proto-first":
            return offered[0] if offered else None
        return None

    # -- the scripts ------------------------------------------------------------------------

    async def _handler(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        rec = Record(path=request.path, headers=request.headers)
        rec.offered = [
            p.strip()
            for value in request.headers.get_all("Sec-WebSocket-Protocol")
            for p in value.split(",")
        ]
        with self._new_record:
            self.records.append(rec)
            self._new_record.notify_all()
        try:
            await self._script(ws, rec)
        finally:
            with contextlib.suppress(Exception):
                await ws.wait_closed()
            rcvd = ws.protocol.close_rcvd
            rec.close_code = None if rcvd is None else rcvd.code
            rec.close_reason = None if rcvd is None else rcvd.reason
            rec.done.set()

    async def _read_all(self, ws: ServerConnection, rec: Record, *, echo: bool) -> None:
        with contextlib.suppress(Exception):
            async for message in ws:
                rec.messages.append(message)
                if echo:
                    if message == "Goodbye":
                        await ws.close(1000, "Goodbye")
                        return
                    await ws.send(message)

    async def _script(self, ws: ServerConnection, rec: Record) -> None:
        path = rec.path
        parts = path.strip("/").split("/")
        if self.custom is not None and path.startswith("/custom"):
            await self.custom(ws, rec)
        elif path in ("/echo", "/proto-first", "/proto-none", "/proto-unoffered"):
            await self._read_all(ws, rec, echo=True)
        elif path == "/hold":
            await self._read_all(ws, rec, echo=False)
        elif parts[0] == "close" and len(parts) == 3:
            await ws.close(int(parts[1]), parts[2])
        elif path == "/close-no-status":
            ws.protocol.send_close()
            ws.send_data()
            await self._read_all(ws, rec, echo=False)
        elif path == "/drop":
            ws.transport.abort()
        elif path == "/stall":
            await asyncio.get_running_loop().run_in_executor(None, self.resume.wait, 60)
            await self._read_all(ws, rec, echo=False)
        elif path == "/headers":
            await ws.send(json.dumps(dict(ws.request.headers.raw_items()) if ws.request else {}))
            await self._read_all(ws, rec, echo=False)
        elif path == "/fragments":
            await ws.send(["frag", "ment", "ed"])
            await ws.send("done")
            await self._read_all(ws, rec, echo=False)
        elif parts[0] == "big":
            await ws.send(b"\x00" * int(parts[1]))
            await self._read_all(ws, rec, echo=False)
        elif path == "/bad-utf8":
            # FIN + text opcode, 2-byte unmasked payload that is not UTF-8.
            ws.transport.write(b"\x81\x02\xff\xfe")
            await self._read_all(ws, rec, echo=False)
        else:
            await ws.close(4404, f"no script for {path}")


def refused_port() -> int:
    """A 127.0.0.1 port that was just bound and closed: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port
