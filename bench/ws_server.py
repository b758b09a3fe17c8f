"""The benchmark's WebSocket server: ``picows`` on 127.0.0.1, an OS-picked port.

Run by ``bench/bench_reference_impl.py`` in a process of its own; prints its port on the
first line of stdout and stops when its stdin closes. ``picows`` frames and unframes in C,
so the server is not what limits the clients measured against it. Paths:

``/echo``        send every frame back as it came
``/sink/<n>``    count messages; after the n-th, send the text message ``done``
``/stall``       stop reading at once (the peer that never reads)
"""

from __future__ import annotations

import asyncio
import logging
import sys

from picows import WSFrame, WSListener, WSMsgType, WSTransport, WSUpgradeRequest, ws_create_server

HOST = "127.0.0.1"
_DATA = (WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION)


class _Echo(WSListener):  # type: ignore[misc]
    """Echo with back-pressure: reading pauses while the echoes wait to be written."""

    def __init__(self) -> None:
        self.transport: WSTransport | None = None

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.underlying_transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None:
            self.transport.underlying_transport.resume_reading()

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind in _DATA:
            transport.send(kind, frame.get_payload_as_memoryview(), frame.fin)
        elif kind is WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()


class _Sink(WSListener):  # type: ignore[misc]
    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind in _DATA:
            if frame.fin:
                self.count += 1
                if self.count == self.expected:
                    transport.send(WSMsgType.TEXT, b"done")
        elif kind is WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()


class _Stall(WSListener):  # type: ignore[misc]
    def on_ws_connected(self, transport: WSTransport) -> None:
        transport.underlying_transport.pause_reading()


def _listener(request: WSUpgradeRequest) -> WSListener:
    path = request.path.decode("ascii", "replace")
    if path.startswith("/sink/"):
        return _Sink(int(path.rsplit("/", 1)[1]))
    if path == "/stall":
        return _Stall()
    return _Echo()


async def _main() -> None:
    # picows reports every pause and resume of writing at INFO; only problems matter here.
    logging.getLogger("picows").setLevel(logging.WARNING)
    # A deep accept queue: 1,000 clients connect at once (asyncio's default is 100, and a
    # dropped SYN is retried after a second).
    server = await ws_create_server(_listener, HOST, 0, max_frame_size=64 * 2**20, backlog=2048)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(_main())
