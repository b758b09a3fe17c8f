"""One WebSocket client running one workload, in a process of its own.

``python bench/ws_clients.py CLIENT WORKLOAD URL COUNT SIZE`` prints one JSON object:
``seconds`` (wall clock from the first send to the last message) and ``cpu_seconds`` (the
process's CPU time, every thread, over the same span), or ``samples`` for ``latency``.
Connecting and closing are outside the span. Run by ``bench/bench_reference_impl.py``.

Each client is used the way its documentation shows:

* ``websockets``: ``async with connect(...)``, ``await ws.send``, a receiving task;
* ``aiohttp``: ``session.ws_connect``, ``await ws.send_bytes``, ``await ws.receive()``;
* ``picows``: a ``WSListener`` counting in ``on_ws_frame``; ``transport.send`` paced by
  its ``pause_writing``/``resume_writing`` callbacks;
* ``websocket-client``: ``create_connection``, ``send_binary`` from the main thread and
  ``recv`` in a second thread;
* ``ref-sync``: reference_impl called from the main thread, its callbacks on its loop
  thread; ``ref-asyncio``: the same from a coroutine, on the caller's loop. Messages of
  64 KiB or more are paced by a 12 MiB window of sends not yet written (the send queue
  holds 16 MiB at most, and ``complete`` comes once a message is written).

Workloads: ``echo`` (pipelined: all sends, and every echo received), ``oneway`` (the
server counts and answers ``done``), ``latency`` (one 64 B message in flight, ``COUNT``
round trips). Every wait is bounded by ``WAIT`` seconds. With ``BENCH_REFERENCE_IMPL`` set
to a directory, ``reference_impl`` is imported from there (a baseline to compare with).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WAIT = 120.0
WINDOW_FROM = 64 * 1024
WINDOW_BYTES = 12 * 2**20


class Clock:
    """The measured span: wall and process CPU time between start() and stop()."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.samples: list[float] = []

    def start(self) -> None:
        self.cpu = time.process_time()
        self.wall = time.perf_counter()

    def stop(self) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


# -- websockets ------------------------------------------------------------------------------


async def run_websockets(kind: str, url: str, count: int, payload: bytes, clock: Clock) -> None:
    from websockets.asyncio.client import connect  # noqa: PLC0415 (each process imports only its client)

    async with connect(url, max_size=None) as ws, asyncio.timeout(WAIT):
        if kind == "latency":
            for _ in range(count):
                start = time.perf_counter()
                await ws.send(payload)
                await ws.recv()
                clock.samples.append(time.perf_counter() - start)
            return
        clock.start()
        if kind == "echo":

            async def receive() -> None:
                for _ in range(count):
                    await ws.recv()

            receiver = asyncio.create_task(receive())
            for _ in range(count):
                await ws.send(payload)
            await receiver
        else:
            for _ in range(count):
                await ws.send(payload)
            assert await ws.recv() == "done"
        clock.stop()


# -- aiohttp ---------------------------------------------------------------------------------


async def run_aiohttp(kind: str, url: str, count: int, payload: bytes, clock: Clock) -> None:
    import aiohttp  # noqa: PLC0415 (each process imports only its client)

    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, max_msg_size=0) as ws,
        asyncio.timeout(WAIT),
    ):
        if kind == "latency":
            for _ in range(count):
                start = time.perf_counter()
                await ws.send_bytes(payload)
                await ws.receive()
                clock.samples.append(time.perf_counter() - start)
            return
        clock.start()
        if kind == "echo":

            async def receive() -> None:
                for _ in range(count):
                    message = await ws.receive()
                    assert message.type is aiohttp.WSMsgType.BINARY

            receiver = asyncio.create_task(receive())
            for _ in range(count):
                await ws.send_bytes(payload)
            await receiver
        else:
            for _ in range(count):
                await ws.send_bytes(payload)
            assert (await ws.receive()).data == "done"
        clock.stop()


# -- picows ----------------------------------------------------------------------------------


async def run_picows(kind: str, url: str, count: int, payload: bytes, clock: Clock) -> None:
    from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect  # noqa: PLC0415 (each process imports only its client)

    loop = asyncio.get_running_loop()

    class Listener(WSListener):  # type: ignore[misc]
        def __init__(self) -> None:
            self.received = 0
            self.expected = count
            self.done: asyncio.Future[None] = loop.create_future()
            self.writable = asyncio.Event()
            self.writable.set()

        def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
            if frame.msg_type in (WSMsgType.BINARY, WSMsgType.TEXT):
                self.received += 1
                if self.received == self.expected and not self.done.done():
                    self.done.set_result(None)

        def pause_writing(self) -> None:
            self.writable.clear()

        def resume_writing(self) -> None:
            self.writable.set()

    transport, listener = await ws_connect(Listener, url, max_frame_size=64 * 2**20)
    try:
        async with asyncio.timeout(WAIT):
            if kind == "latency":
                for _ in range(count):
                    listener.received, listener.expected = 0, 1
                    listener.done = loop.create_future()
                    start = time.perf_counter()
                    transport.send(WSMsgType.BINARY, payload)
                    await listener.done
                    clock.samples.append(time.perf_counter() - start)
                return
            if kind == "oneway":
                listener.expected = 1
            clock.start()
            for _ in range(count):
                transport.send(WSMsgType.BINARY, payload)
                if not listener.writable.is_set():
                    await listener.writable.wait()
            await listener.done
            clock.stop()
    finally:
        transport.send_close()
        transport.disconnect()
        await transport.wait_disconnected()


# -- websocket-client ------------------------------------------------------------------------


def run_websocket_client(kind: str, url: str, count: int, payload: bytes, clock: Clock) -> None:
    import websocket  # noqa: PLC0415 (each process imports only its client)

    ws = websocket.create_connection(url, timeout=WAIT)
    try:
        if kind == "latency":
            for _ in range(count):
                start = time.perf_counter()
                ws.send_binary(payload)
                ws.recv()
                clock.samples.append(time.perf_counter() - start)
            return
        clock.start()
        if kind == "echo":
            errors: list[BaseException] = []

            def receive() -> None:
                try:
                    for _ in range(count):
                        ws.recv()
                except BaseException as exc:  # reported by the main thread
                    errors.append(exc)

            receiver = threading.Thread(target=receive)
            receiver.start()
            for _ in range(count):
                ws.send_binary(payload)
            receiver.join(WAIT)
            if receiver.is_alive() or errors:
                raise RuntimeError(f"websocket-client receiver: {errors or 'timed out'}")
        else:
            for _ in range(count):
                ws.send_binary(payload)
            assert ws.recv() == "done"
        clock.stop()
    finally:
        ws.close()


# -- reference_impl, synchronous caller ------------------------------------------------------


def run_ref_sync(kind: str, url: str, count: int, payload: bytes, clock: Clock) -> None:
    from reference_impl import Runtime  # noqa: PLC0415 (each process imports only its client)

    runtime = Runtime()
    done = threading.Event()
    opened = threading.Event()
    closed = threading.Event()
    received = [0]
    expected = 1 if kind == "oneway" else count
    arrived = threading.Event()

    def on_message(res: Any) -> None:
        if kind == "latency":
            arrived.set()
            return
        received[0] += 1
        if received[0] == expected:
            done.set()

    task = runtime.connectSocket({"url": url})
    task.onOpen(lambda res: opened.set())
    task.onMessage(on_message)
    task.onClose(lambda res: closed.set())
    if not opened.wait(WAIT):
        raise TimeoutError("reference task did not open")
    try:
        if kind == "latency":
            message = {"data": payload}
            for _ in range(count):
                arrived.clear()
                start = time.perf_counter()
                task.send(message)
                if not arrived.wait(WAIT):
                    raise TimeoutError("no echo")
                clock.samples.append(time.perf_counter() - start)
            return
        clock.start()
        _sync_send_all(task, payload, count)
        if not done.wait(WAIT):
            raise TimeoutError("the run did not finish")
        clock.stop()
    finally:
        task.close()
        closed.wait(WAIT)
        runtime.shutdown()


def _sync_send_all(task: Any, payload: bytes, count: int) -> None:
    if len(payload) < WINDOW_FROM:
        message = {"data": payload}
        send = task.send
        for _ in range(count):
            send(message)
        return
    window = threading.Semaphore(WINDOW_BYTES // len(payload))

    def release(res: Any) -> None:
        window.release()

    for _ in range(count):
        if not window.acquire(timeout=WAIT):
            raise TimeoutError("no message was written")
        task.send({"data": payload, "complete": release})


# -- reference_impl, inside a running loop ---------------------------------------------------


async def run_ref_asyncio(kind: str, url: str, count: int, payload: bytes, clock: Clock) -> None:
    from reference_impl import Runtime  # noqa: PLC0415 (each process imports only its client)

    runtime = Runtime()
    loop = asyncio.get_running_loop()
    opened, closed, done = asyncio.Event(), asyncio.Event(), asyncio.Event()
    received = [0]
    expected = 1 if kind == "oneway" else count
    arrived: list[asyncio.Future[None]] = [loop.create_future()]

    def on_message(res: Any) -> None:
        if kind == "latency":
            arrived[0].set_result(None)
            return
        received[0] += 1
        if received[0] == expected:
            done.set()

    task = runtime.connectSocket({"url": url})
    task.onOpen(lambda res: opened.set())
    task.onMessage(on_message)
    task.onClose(lambda res: closed.set())
    try:
        async with asyncio.timeout(WAIT):
            await opened.wait()
            if kind == "latency":
                message = {"data": payload}
                for _ in range(count):
                    arrived[0] = loop.create_future()
                    start = time.perf_counter()
                    task.send(message)
                    await arrived[0]
                    clock.samples.append(time.perf_counter() - start)
                return
            clock.start()
            await _async_send_all(task, payload, count)
            await done.wait()
            clock.stop()
    finally:
        task.close()
        async with asyncio.timeout(WAIT):
            await closed.wait()


async def _async_send_all(task: Any, payload: bytes, count: int) -> None:
    """As _sync_send_all, from a coroutine: yield to the loop now and then, as async
    producers do."""
    if len(payload) < WINDOW_FROM:
        message = {"data": payload}
        send = task.send
        for i in range(count):
            send(message)
            if i % 1024 == 1023:
                await asyncio.sleep(0)
        return
    window = asyncio.Semaphore(WINDOW_BYTES // len(payload))

    def release(res: Any) -> None:
        window.release()

    for _ in range(count):
        await window.acquire()
        task.send({"data": payload, "complete": release})


CLIENTS: dict[str, Callable[..., Any]] = {
    "picows": run_picows,
    "aiohttp": run_aiohttp,
    "websockets": run_websockets,
    "websocket-client": run_websocket_client,
    "ref-sync": run_ref_sync,
    "ref-asyncio": run_ref_asyncio,
}


def main(argv: list[str]) -> int:
    client, kind, url, count_text, size_text = argv
    count, size = int(count_text), int(size_text)
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    run = CLIENTS[client]
    clock = Clock()
    if asyncio.iscoroutinefunction(run):
        asyncio.run(run(kind, url, count, payload, clock))
    else:
        run(kind, url, count, payload, clock)
    result = {"seconds": clock.wall, "cpu_seconds": clock.cpu, "samples": clock.samples}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    # BENCH_REFERENCE_IMPL: a directory holding another reference_impl (a baseline).
    sys.path.insert(0, os.environ.get("BENCH_REFERENCE_IMPL") or str(Path(__file__).parents[1]))
    raise SystemExit(main(sys.argv[1:]))
