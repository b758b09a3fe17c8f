"""Serve a Python implementation over the driver protocol on stdin/stdout.

Usage::

    python -m conformance.adapters.python_driver MODULE:ATTR

``MODULE:ATTR`` names the ``uni`` object (``reference_impl:uni``; ``ATTR`` may be dotted).  Calls
run on this process's asyncio loop thread, one at a time, so an implementation that uses the
running loop runs its connections there; callbacks may come from any thread.  Anything the
implementation prints goes to stderr: stdout carries protocol lines only.

Exit status: 0 after ``bye`` or EOF on stdin, 2 when ``MODULE:ATTR`` cannot be loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import BinaryIO, Final, TextIO

from conformance.adapter import Adapter
from conformance.channel import Message
from conformance.wire import PLATFORMS, dump_line, parse_line
from generator.targets import resolve_target

__all__ = ["load_object", "main", "run", "serve"]

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
#: How long ``bye`` waits for the implementation's own tasks to finish closing.
BYE_GRACE: Final = 0.25


#: ``MODULE:ATTR`` -> the object; a ``ValueError`` (``TargetError``) says which part failed.
load_object = resolve_target


class _Output:
    """Writes protocol lines; after the harness goes away it drops them and says so."""

    def __init__(self, stream: BinaryIO, gone: threading.Event) -> None:
        self._stream = stream
        self._gone = gone

    def write(self, message: Message) -> None:
        if self._gone.is_set():
            return
        try:
            self._stream.write(dump_line(message))
            self._stream.flush()
        except (BrokenPipeError, ConnectionResetError, ValueError):
            self._gone.set()


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of ``stream``; a real file descriptor is read with ``os.read``.

    ``os.read`` holds no lock of the buffered ``sys.stdin``, so this thread, still blocked in it
    at interpreter exit, cannot abort the process the way a daemon thread inside
    ``sys.stdin.buffer.readline`` can.
    """
    try:
        fd = stream.fileno()
    except (OSError, AttributeError, io.UnsupportedOperation):
        yield from iter(stream.readline, b"")
        return
    parts: list[bytes] = []  # of the line being read; joined once, so long lines stay linear
    while chunk := os.read(fd, 1 << 16):
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            parts.append(chunk[start : end + 1])
            yield b"".join(parts)
            parts, start = [], end + 1
        if start < len(chunk):
            parts.append(chunk[start:])
    if parts:
        yield b"".join(parts)


def _read_lines(
    stream: BinaryIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes]
) -> None:
    """Thread body: stdin lines into ``queue``; ``b""`` marks EOF."""
    try:
        for line in _lines(stream):
            loop.call_soon_threadsafe(queue.put_nowait, line)
    except (OSError, ValueError, RuntimeError):
        pass
    finally:
        with contextlib.suppress(RuntimeError):  # the loop has already finished
            loop.call_soon_threadsafe(queue.put_nowait, b"")


async def serve(
    uni: object,
    stdin: BinaryIO,
    stdout: BinaryIO,
    *,
    name: str | None = None,
    platform: str | None = None,
) -> int:
    """Answer protocol lines from ``stdin`` on ``stdout`` until ``bye`` or EOF."""
    loop = asyncio.get_running_loop()
    gone = threading.Event()
    output = _Output(stdout, gone)
    adapter = Adapter(uni, output.write, name=name, platform=platform)

    def on_exception(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            adapter.uncaught(exc)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(on_exception)
    lines: asyncio.Queue[bytes] = asyncio.Queue()
    reader = threading.Thread(
        target=_read_lines, args=(stdin, loop, lines), name="driver-stdin", daemon=True
    )
    reader.start()
    line_number = 0
    while not gone.is_set():
        line = await lines.get()
        if not line:
            break
        line_number += 1
        try:
            message = parse_line(line)
        except ValueError as exc:
            adapter.emit({"type": "error", "message": f"stdin line {line_number}: {exc}"})
            continue
        kind = message["type"]
        if kind == "hello":
            adapter.emit(adapter.hello())
        elif kind == "bye":
            break
        elif kind == "reset" and adapter.minor >= 1:
            adapter.reset()
            await _settle()
        elif kind in ("call", "batch"):
            adapter.handle(message)
            await asyncio.sleep(0)  # one loop turn per line, as each line is a new event
        else:
            adapter.emit(
                {"type": "error", "message": f"stdin line {line_number}: unknown type {kind!r}"}
            )
    adapter.close_all()
    await _settle()
    return EXIT_OK


async def _settle() -> None:
    """Give the implementation's tasks on this loop a bounded time to finish closing."""
    others = asyncio.all_tasks() - {asyncio.current_task()}
    if others:
        await asyncio.wait(others, timeout=BYE_GRACE)


def run(argv: Sequence[str], stdin: BinaryIO, stdout: BinaryIO, stderr: TextIO) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.adapters.python_driver",
        description="Serve a Python uni implementation over the utsapi driver protocol.",
    )
    parser.add_argument(
        "impl", metavar="MODULE:ATTR", help="the uni object, e.g. reference_impl:uni"
    )
    parser.add_argument(
        "--platform",
        choices=PLATFORMS,
        help="the platform the hello names (protocol 1.1; default: ATTR.utsapi_platform)",
    )
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        uni = load_object(args.impl)
    except ValueError as exc:
        stderr.write(f"python_driver: {exc}\n")
        return EXIT_USAGE
    name = args.impl.partition(":")[0].split(".")[0]
    return asyncio.run(serve(uni, stdin, stdout, name=name, platform=args.platform))


def main(argv: Sequence[str] | None = None) -> int:
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # the implementation's prints must not corrupt the protocol
    return run(sys.argv[1:] if argv is None else argv, sys.stdin.buffer, protocol_out, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
