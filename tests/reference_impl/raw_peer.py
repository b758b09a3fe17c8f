"""A raw TCP WebSocket peer for behaviours a well-behaved server library will not produce:
it answers the opening handshake by hand, then runs a script on the bare socket (flood pings
and never read, send a Close frame and keep TCP open, ...). One connection, 127.0.0.1, port 0.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
from collections.abc import Callable
from types import TracebackType

HOST = "127.0.0.1"
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

Script = Callable[[socket.socket, threading.Event], None]


def frame(opcode: int, payload: bytes = b"") -> bytes:
    """One unmasked, final server frame (payload under 126 bytes)."""
    assert len(payload) < 126
    return bytes([0x80 | opcode, len(payload)]) + payload


class RawPeer:
    """Serves one connection with ``script(sock, stop)`` after the handshake; ``stop`` is set
    when the test is done, and the socket is closed after the script returns."""

    def __init__(self, script: Script) -> None:
        self._script = script
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(30)
        self.port = self._listener.getsockname()[1]
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="raw-peer", daemon=True)

    @property
    def url(self) -> str:
        return f"ws://{HOST}:{self.port}/"

    def __enter__(self) -> RawPeer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop.set()
        self._thread.join(30)
        self._listener.close()

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError as exc:
            self.error = exc
            return
        with conn:
            try:
                conn.settimeout(30)
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                key = next(
                    line.split(b":", 1)[1].strip()
                    for line in request.split(b"\r\n")
                    if line.lower().startswith(b"sec-websocket-key:")
                )
                accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
                conn.sendall(
                    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
                )
                self._script(conn, self.stop)
            except OSError as exc:
                self.error = exc
