"""The driver protocol over a subprocess's stdin/stdout (``docs/driver-protocol.md``).

:class:`StdioChannel` starts the implementation's command, writes harness messages as JSON lines
to its stdin and reads its lines from stdout.  What can go wrong becomes a
:class:`~conformance.exceptions.ChannelError` that says where:

* no line within the timeout: :class:`~conformance.exceptions.ChannelTimeout`;
* EOF on stdout (the process exited or closed it): :class:`~conformance.exceptions.ChannelClosed`
  with the exit code and the tail of stderr;
* a line that is not a protocol message (garbage, unknown ``type``, an ``error`` message, or a
  schema violation with ``validate=True``):
  :class:`~conformance.exceptions.ChannelProtocolError` quoting the line, truncated.

Stderr is drained all the time into a bounded buffer (:attr:`StdioChannel.stderr_tail`), so a
chatty implementation can never block on a full pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
from collections.abc import Mapping
from typing import Final

from conformance.channel import PROTOCOL_VERSION, Message
from conformance.exceptions import ChannelClosed, ChannelProtocolError, ChannelTimeout
from conformance.wire import (
    IMPLEMENTATION_TYPES,
    Direction,
    dump_line,
    parse_line,
    protocol_schema,
    quote,
)

__all__ = ["StdioChannel"]

#: Longest accepted line: a 16 MiB message in base64 plus its envelope.
LINE_LIMIT: Final = 32 * 1024 * 1024
#: How much of stderr is kept (the last bytes).
STDERR_LIMIT: Final = 64 * 1024
#: How much of stderr an error message quotes.
STDERR_QUOTE: Final = 2000


class StdioChannel:
    """:class:`conformance.channel.Channel` to a subprocess speaking the driver protocol.

    ``command`` is an argument list, or a string split like a POSIX shell would (no shell runs).
    ``env`` replaces the environment (``None``: inherit).  With ``validate=True`` every line,
    both ways, is checked against the protocol schema (``--validate-protocol``).
    """

    def __init__(
        self,
        command: list[str] | str,
        *,
        validate: bool = False,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 10.0,
        write_timeout: float = 5.0,
        close_timeout: float = 2.0,
    ) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ValueError("StdioChannel: the command is empty")
        self.where = f"stdio:{shlex.join(self.argv)}"
        self._validate = validate
        self._env = dict(env) if env is not None else None
        self._start_timeout = start_timeout
        self._write_timeout = write_timeout
        self._close_timeout = close_timeout
        self._process: asyncio.subprocess.Process | None = None
        self._stderr = bytearray()
        self._stderr_task: asyncio.Task[None] | None = None
        self._lines_read = 0
        self._closed = False

    # -- information for reports --------------------------------------------------------------

    @property
    def stderr_tail(self) -> str:
        """The last :data:`STDERR_LIMIT` bytes the implementation wrote to stderr."""
        return self._stderr.decode("utf-8", "replace")

    @property
    def returncode(self) -> int | None:
        """The exit status once the process has exited (negative: killed by that signal)."""
        return self._process.returncode if self._process is not None else None

    # -- Channel ------------------------------------------------------------------------------

    async def start(self) -> dict[str, object]:
        if self._process is not None:
            raise ChannelProtocolError(self.where, "start() called twice")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._env,
                limit=LINE_LIMIT,
                # Its own process group: closing the channel ends every process the driver
                # started, not only the driver (a grandchild may hold stdout open).
                start_new_session=True,
            )
        except OSError as exc:
            self._closed = True
            raise ChannelClosed(self.where, f"cannot start the implementation: {exc}") from exc
        self._stderr_task = asyncio.create_task(self._drain_stderr())
        await self.send({"type": "hello", "protocol": PROTOCOL_VERSION})
        hello = await self.receive(self._start_timeout)
        if hello.get("type") != "hello":
            raise ChannelProtocolError(
                self.where,
                f"stdout line {self._lines_read}: expected the 'hello' answer first, "
                f"got a {hello.get('type')!r} message",
            )
        if hello.get("protocol") != PROTOCOL_VERSION:
            raise ChannelProtocolError(
                self.where,
                f"stdout line {self._lines_read}: the implementation speaks protocol "
                f"{hello.get('protocol')!r}, this harness speaks {PROTOCOL_VERSION}",
            )
        return hello

    async def send(self, message: dict[str, object]) -> None:
        process = self._require_process()
        self._check(message, "harness", f"harness message {message.get('type')!r}")
        try:
            line = dump_line(message)
        except ValueError as exc:
            raise ChannelProtocolError(
                self.where, f"harness message {message.get('type')!r} is not JSON: {exc}"
            ) from exc
        stdin = process.stdin
        if stdin is None or stdin.is_closing():
            raise await self._closed_error("its stdin is closed")
        try:
            stdin.write(line)
            await asyncio.wait_for(stdin.drain(), self._write_timeout)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise await self._closed_error(f"writing to its stdin failed ({exc})") from exc
        except TimeoutError:
            raise ChannelTimeout(
                self.where,
                f"the implementation did not read its stdin within {self._write_timeout:g} s",
            ) from None

    async def receive(self, timeout: float) -> dict[str, object]:
        process = self._require_process()
        stdout = process.stdout
        assert stdout is not None
        try:
            line = await asyncio.wait_for(stdout.readline(), timeout)
        except TimeoutError:
            raise ChannelTimeout(
                self.where,
                f"no line on stdout within {timeout:g} s (after line {self._lines_read})",
            ) from None
        except (ValueError, asyncio.LimitOverrunError) as exc:
            raise ChannelProtocolError(
                self.where, f"stdout line {self._lines_read + 1} is longer than {LINE_LIMIT} bytes"
            ) from exc
        if not line:
            raise await self._closed_error(f"it closed stdout after line {self._lines_read}")
        self._lines_read += 1
        where = f"stdout line {self._lines_read}"
        if not line.endswith(b"\n"):
            raise await self._closed_error(f"{where} {quote(line)} has no newline before EOF")
        try:
            message = parse_line(line)
        except ValueError as exc:
            raise ChannelProtocolError(self.where, f"{where} {quote(line)}: {exc}") from exc
        if message["type"] not in IMPLEMENTATION_TYPES:
            raise ChannelProtocolError(
                self.where,
                f"{where} {quote(line)}: {message['type']!r} is not an implementation message type",
            )
        self._check(message, "implementation", f"{where} {quote(line)}")
        if message["type"] == "error":
            raise ChannelProtocolError(
                self.where,
                f"{where}: the driver could not act on a harness line: {message.get('message')}",
            )
        return message

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        process = self._process
        if process is None:
            return
        with contextlib.suppress(OSError, RuntimeError):
            await self._stop(process)
        if self._stderr_task is not None:
            try:
                await asyncio.wait_for(self._stderr_task, self._close_timeout)
            except (TimeoutError, OSError, RuntimeError):
                self._stderr_task.cancel()

    # -- helpers ------------------------------------------------------------------------------

    async def _stop(self, process: asyncio.subprocess.Process) -> None:
        """``bye``, close stdin, wait a bounded time, then kill."""
        stdin = process.stdin
        if process.returncode is None and stdin is not None and not stdin.is_closing():
            with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
                stdin.write(dump_line({"type": "bye"}))
                await asyncio.wait_for(stdin.drain(), self._close_timeout)
            stdin.close()
        try:
            await asyncio.wait_for(process.wait(), self._close_timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), self._close_timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever of its group is left
        if process.stdout is not None:
            # Read what is left to EOF: a reader paused on a full buffer (a driver that flooded
            # stdout) never sees EOF otherwise, and its pipe outlives the loop.
            with contextlib.suppress(TimeoutError, ValueError, asyncio.LimitOverrunError):
                await asyncio.wait_for(_read_to_eof(process.stdout), self._close_timeout)

    def _require_process(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise ChannelClosed(self.where, "the channel was not started")
        if self._closed:
            raise ChannelClosed(self.where, "the channel is closed")
        return self._process

    def _check(self, message: Message, direction: Direction, what: str) -> None:
        if not self._validate:
            return
        problems = protocol_schema().errors(message, direction)
        if problems:
            raise ChannelProtocolError(
                self.where, f"{what} breaks the protocol: " + "; ".join(problems)
            )

    async def _closed_error(self, what: str) -> ChannelClosed:
        """The implementation went away: wait (bounded) for its exit status and stderr."""
        process = self._process
        assert process is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), self._close_timeout)
        if self._stderr_task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._stderr_task), self._close_timeout)
        code = process.returncode
        status = "is still running" if code is None else f"exited with status {code}"
        tail = self.stderr_tail[-STDERR_QUOTE:].strip()
        detail = f"the implementation {status}; {what}"
        if tail:
            detail += f"; stderr ends:{os.linesep}{tail}"
        return ChannelClosed(self.where, detail)

    async def _drain_stderr(self) -> None:
        process = self._process
        assert process is not None and process.stderr is not None
        while chunk := await process.stderr.read(4096):
            self._stderr += chunk
            if len(self._stderr) > STDERR_LIMIT:
                del self._stderr[: len(self._stderr) - STDERR_LIMIT]


async def _read_to_eof(stream: asyncio.StreamReader) -> None:
    while await stream.read(1 << 20):
        pass
