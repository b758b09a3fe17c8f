"""The I/O shell: event loops, threads, and websockets' sans-I/O protocol on a socket.

Runtime model (like a JS event loop): calls from user code only change the core's state
under one lock and queue effects; the effects run later, in order, on the loop thread
of the task. Inside a running asyncio loop that loop is used; from plain synchronous
code, a background thread runs a loop of its own. So no callback ever runs inside the
call that caused it, and the callbacks of one loop run on one thread, in order.

Each connection is a lean :class:`asyncio.Protocol` that feeds bytes to
``websockets.client.ClientProtocol`` and writes what it returns, through that
protocol's documented API only (``connect``, ``send_request``, ``receive_data``,
``receive_eof``, ``events_received``, ``data_to_send``, ``send_text``, ``send_binary``,
``send_close``, ``fail``, ``close_expected``, ``state``, ``handshake_exc``,
``close_code``, ``close_reason``, ``close_exc``): messages go from ``data_received`` to
the core with no queue in between, and writes are batched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import threading
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Final

from uniapi.websocket import (
    CloseSocketOptions,
    ConnectSocketOptions,
    GeneralCallbackResult,
    OnSocketCloseCallback,
    OnSocketErrorCallback,
    OnSocketMessageCallback,
    OnSocketMessageCallbackResult,
    OnSocketOpenCallback,
    OnSocketOpenCallbackResult,
    SendSocketMessageOptions,
)
from websockets.client import ClientProtocol
from websockets.exceptions import InvalidStatus
from websockets.extensions.permessage_deflate import enable_client_permessage_deflate
from websockets.frames import Opcode
from websockets.http11 import USER_AGENT, Response
from websockets.protocol import State as WsState
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from . import _core
from ._core import (
    Abort,
    ArmCloseTimer,
    Call,
    Connect,
    Deliver,
    Effect,
    Emit,
    Entry,
    Event,
    FailClose,
    Flush,
    IORequest,
    Registry,
    State,
    TaskCore,
)
from ._options import ConnectRequest, Frame

__all__ = ["Runtime", "SocketTask"]

logger: Final = logging.getLogger("reference_impl")

_EMPTY: Final[Mapping[str, Any]] = {}
# Bytes framed before they are handed to the transport in one write.
_BATCH_BYTES: Final = 256 * 1024
# The transport's write buffer limits: above HIGH, writing pauses (and sends are not
# settled) until the buffer is below LOW. websockets' asyncio connection uses 32 KiB.
_WRITE_HIGH: Final = 64 * 1024
_WRITE_LOW: Final = 16 * 1024
# Enum members looked up once (each ``Enum.MEMBER`` costs a descriptor call in 3.11).
_OP_TEXT: Final = Opcode.TEXT
_OP_BINARY: Final = Opcode.BINARY
_OP_CONT: Final = Opcode.CONT
_WS_OPEN: Final = WsState.OPEN
_BINARY: Final = Frame.BINARY
_TEXT: Final = Frame.TEXT
_MESSAGE: Final = Event.MESSAGE
# RFC 6455 §7.4.1: 1007 "a message that contained data that was not consistent with the
# type of the message (e.g., non-UTF-8 [RFC3629] data within a text message)".
_INVALID_DATA: Final = 1007


def _run_callback(fn: Callable[[Any], object], payload: Any, label: str) -> None:
    try:
        fn(payload)
    except BaseException:
        # E4: "An exception thrown inside a user listener or callback must not stop
        # other listeners or corrupt the task." SystemExit and KeyboardInterrupt too: raised
        # by a callback, they would end the loop thread and fail every connection on it.
        logger.exception("uncaught exception in %s", label)


class _LoopContext:
    """The effect queue of one event loop, drained on that loop's thread."""

    __slots__ = (
        "__weakref__", "draining", "loop", "pending", "runtime", "scheduled", "thread_id"
    )

    def __init__(self, runtime: Runtime, loop: asyncio.AbstractEventLoop, thread_id: int) -> None:
        self.runtime = runtime
        self.loop = loop
        self.thread_id = thread_id
        self.pending: deque[Effect] = deque()
        self.scheduled = False
        self.draining = False

    def kick(self) -> None:
        """Schedule a drain if effects are waiting (call with the runtime lock held).

        One wake-up per batch: while a drain is scheduled, further effects join it.
        """
        if self.scheduled or not self.pending:
            return
        self.scheduled = True
        try:
            if threading.get_ident() == self.thread_id:
                self.loop.call_soon(self.drain)
            else:
                self.loop.call_soon_threadsafe(self.drain)
        except RuntimeError:
            # The loop is closed: nothing can run any more on it.
            self.scheduled = False
            self.pending.clear()

    def drain(self) -> None:
        with self.runtime._lock:
            self.scheduled = False
            count = len(self.pending)
        self.draining = True
        try:
            self._run(count)
        finally:
            self.draining = False

    def _run(self, count: int) -> None:
        pending = self.pending
        runtime = self.runtime
        globals_ = runtime._registry.globals
        for _ in range(count):
            match pending.popleft():
                case Call(fn, payload, label):
                    _run_callback(fn, payload, label)
                case Deliver(core, payloads, to_global):
                    listeners = core.listeners[_MESSAGE]
                    for payload in payloads:
                        if to_global:
                            listener = globals_[_MESSAGE]
                            if listener is not None:
                                _run_callback(listener, payload, "global message listener")
                        for listener in tuple(listeners):
                            try:  # _run_callback, inlined: this runs once per message
                                listener(payload)
                            except BaseException:  # as _run_callback
                                logger.exception("uncaught exception in %s",
                                                 "SocketTask message listener")
                case Emit(core, event, payload, to_global):
                    if to_global:
                        listener = globals_[event]
                        if listener is not None:
                            _run_callback(listener, payload, f"global {event} listener")
                    for listener in tuple(core.listeners[event]):
                        _run_callback(listener, payload, f"SocketTask {event} listener")
                    if event is Event.CLOSE:
                        core.release()
                case request:
                    runtime._io(self, request)


class _BackgroundLoop:
    """An event loop in a daemon thread, for calls made from synchronous code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="reference_impl-loop", daemon=True)
        self.thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        try:
            self.loop.run_forever()
        finally:
            tasks = asyncio.all_tasks(self.loop)
            for task in tasks:
                task.cancel()
            if tasks:
                self.loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self.loop.close()

    def stop(self, timeout: float) -> None:
        self.stop_soon()
        if threading.current_thread() is not self.thread:
            self.thread.join(timeout)

    def stop_soon(self) -> None:
        """Ask the loop to stop, without waiting (a finalizer may run on any thread)."""
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.loop.stop)


def _cause(exc: BaseException) -> dict[str, str]:
    """What failed below the API, as a JavaScript ``Error`` would carry it."""
    return {"name": type(exc).__name__, "message": str(exc)}


def _open_failure(exc: BaseException) -> str:
    """The errMsg of a connection that could not be opened: ``connectSocket:fail <why>``,
    the form of uni-app x's API errors (the raw exception goes to ``cause``)."""
    if isinstance(exc, ConnectionRefusedError):
        why = "connection refused"
    elif isinstance(exc, socket.gaierror):
        why = "host not found"
    elif isinstance(exc, ssl.SSLCertVerificationError):
        why = f"TLS certificate verify failed: {exc.verify_message}"
    elif isinstance(exc, ConnectionResetError):
        why = "connection reset"
    elif isinstance(exc, OSError) and exc.strerror:
        why = exc.strerror[:1].lower() + exc.strerror[1:]
    else:
        why = _describe(exc)
    return f"connectSocket:fail {why}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, InvalidStatus):
        return f"handshake rejected: HTTP {exc.response.status_code}"
    if isinstance(exc, TimeoutError):
        return "timed out during the opening handshake"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _response_headers(response: Response) -> dict[str, str]:
    header: dict[str, str] = {}
    for name, value in response.headers.raw_items():
        header[name] = f"{header[name]}, {value}" if name in header else value
    return header


class _Connection(asyncio.Protocol):
    """One connection: ``ClientProtocol`` driven by asyncio's transport callbacks.

    Opening is one coroutine (TCP, TLS, then the handshake response, under one timeout);
    from then on everything happens in callbacks on the loop thread: ``data_received``
    hands whole messages to the core, ``flush`` frames queued sends and writes them, and
    ``connection_lost`` reports the end. Sends are settled once handed to the transport
    while it is not above its high-water mark, else when it resumes writing.
    """

    __slots__ = (
        "__weakref__",
        "backlog",
        "close_timer",
        "core",
        "ctx",
        "delay",
        "exc",
        "failure",
        "finished",
        "handshake",
        "held",
        "held_bytes",
        "is_open",
        "lost",
        "main_task",
        "parts",
        "paused",
        "protocol",
        "request",
        "runtime",
        "started",
        "text",
        "transport",
    )

    def __init__(
        self,
        runtime: Runtime,
        ctx: _LoopContext,
        core: TaskCore,
        request: ConnectRequest,
        delay: float,
    ) -> None:
        self.runtime = runtime
        self.ctx = ctx
        self.core = core
        self.request = request
        self.delay = delay
        self.protocol: ClientProtocol | None = None
        self.transport: asyncio.Transport | None = None
        loop = ctx.loop
        # The handshake's outcome: True opened, False refused by the core or the checks.
        self.handshake: asyncio.Future[bool] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()
        self.main_task: asyncio.Task[None] | None = None
        self.close_timer: asyncio.TimerHandle | None = None
        self.started = False
        self.is_open = False
        self.finished = False
        # Why the connection failed when the protocol cannot say (an OSError, a refused
        # subprotocol choice).
        self.exc: BaseException | None = None
        self.failure: str | None = None
        # Writing: entries handed to the transport while it was paused (settled when it
        # resumes), and entries taken from the core but not framed yet.
        self.paused = False
        self.held: list[Entry] = []
        self.held_bytes = 0
        self.backlog: deque[Entry] = deque()
        # Reading: the fragments of the message being received.
        self.parts: list[bytes] = []
        self.text = False

    def start(self) -> None:
        self.main_task = self.ctx.loop.create_task(self._open())

    # -- commands from the core ------------------------------------------------------

    def abort(self) -> None:
        """close() before the handshake finished: fail the connection."""
        if self.transport is not None:
            self.transport.abort()
        elif self.started and self.main_task is not None:
            self.main_task.cancel()

    def arm_close_timer(self) -> None:
        timeout = self.runtime._close_timeout
        if self.close_timer is None and timeout is not None and not self.finished:
            self.close_timer = self.ctx.loop.call_later(timeout, self._close_timed_out)

    def _close_timed_out(self) -> None:
        self.close_timer = None
        if self.transport is not None:
            self.transport.abort()

    def fail_close(self, code: int) -> None:
        """The send queue overflowed: stop writing, then send a Close frame."""
        protocol = self.protocol
        if not self.is_open or self.finished or protocol is None:
            return
        self._settle_held()
        if self.backlog:
            dropped = list(self.backlog)
            self.backlog.clear()
            with self.runtime._lock:
                self.core.unsent(dropped)
                self.ctx.kick()
        if protocol.state is _WS_OPEN:
            protocol.send_close(code, "")
            self._send_data()
        self.arm_close_timer()

    def flush(self) -> None:
        """Frame and write queued sends, in order, until the transport pauses."""
        protocol = self.protocol
        transport = self.transport
        if not self.is_open or self.finished or protocol is None or transport is None:
            return
        lock = self.runtime._lock
        core = self.core
        ctx = self.ctx
        backlog = self.backlog
        while not self.paused:
            if not backlog:
                with lock:
                    backlog.extend(core.take_outgoing())
                if not backlog:
                    return
            if protocol.state is not _WS_OPEN or transport.is_closing():
                # The closing handshake started on the other side or the connection is
                # gone: these sends will never be written.
                dropped = list(backlog)
                backlog.clear()
                with lock:
                    core.unsent(dropped)
                    ctx.kick()
                return
            # Only entries with callbacks need settling; the others just free their bytes.
            done: list[Entry] = []
            nbytes = 0
            closing = False
            send_binary, send_text = protocol.send_binary, protocol.send_text
            while backlog and nbytes < _BATCH_BYTES:
                entry = backlog.popleft()
                payload, kind, options = entry
                if kind is _BINARY:
                    send_binary(payload)
                elif kind is _TEXT:
                    send_text(payload)
                else:
                    protocol.send_close(payload.code, payload.reason)
                    closing = True
                    break
                nbytes += len(payload)
                if options is not None:
                    done.append(entry)
            self._send_data()
            if self.paused:
                self.held.extend(done)
                self.held_bytes += nbytes
                return
            with lock:
                core.written(done, nbytes)
                ctx.kick()
            if closing:
                backlog.clear()
                return

    # -- opening ----------------------------------------------------------------------

    async def _open(self) -> None:
        self.started = True
        if self._aborting():
            self._finish(1006, "", _core.MSG_ABORTED)
            return
        rt = self.runtime
        request = self.request
        error: str
        cause: dict[str, str] | None = None
        try:
            if self.delay > 0:
                await asyncio.sleep(self.delay)
            uri = parse_uri(request.url)
            self.protocol = ClientProtocol(
                uri,
                extensions=enable_client_permessage_deflate(None) if request.deflate else None,
                subprotocols=[Subprotocol(p) for p in request.protocols] or None,
                max_size=rt._max_message_size,
            )
            extra: dict[str, Any] = {}
            if uri.secure:
                extra["ssl"] = rt._ssl_context if rt._ssl_context is not None else True
                extra["server_hostname"] = uri.host
            timeout = request.timeout if request.timeout is not None else rt._open_timeout
            async with asyncio.timeout(timeout):
                await self.ctx.loop.create_connection(lambda: self, uri.host, uri.port, **extra)
                if await self.handshake:
                    return
            error = f"connectSocket:fail {self.failure}" if self.failure else _core.MSG_ABORTED
        except asyncio.CancelledError:
            error = _core.MSG_ABORTED
        except Exception as exc:
            error = _open_failure(exc)
            cause = _cause(exc)
        if self._aborting():
            error, cause = _core.MSG_ABORTED, None
        if self.transport is not None:
            self.transport.abort()
            await self.lost
        self._finish(1006, "", error, cause)

    def _aborting(self) -> bool:
        return self.core.state is State.ABORTING

    def _opened(self, response: Response) -> bool:
        """The handshake response arrived: open the task, or refuse the connection."""
        protocol = self.protocol
        assert protocol is not None
        handshake = self.handshake
        if handshake.done():  # timed out or aborted meanwhile
            return False
        if protocol.handshake_exc is not None:
            handshake.set_exception(protocol.handshake_exc)
            return False
        # The protocol checked the header: one value, one of those offered.
        if self.request.protocols and "Sec-WebSocket-Protocol" not in response.headers:
            # WHATWG "establish a WebSocket connection": if protocols were offered and the
            # response selects none, fail the connection. (An unoffered choice is already
            # rejected by websockets' handshake check, RFC 6455 §4.1.)
            self.failure = "the server selected no subprotocol of " + ", ".join(
                self.request.protocols
            )
            handshake.set_result(False)
            return False
        with self.runtime._lock:
            opened = self.core.opened(_response_headers(response))
            self.ctx.kick()
        self.is_open = opened
        handshake.set_result(opened)
        return opened

    # -- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        protocol = self.protocol
        assert protocol is not None
        self.transport = transport
        transport.set_write_buffer_limits(_WRITE_HIGH, _WRITE_LOW)
        handshake = protocol.connect()
        handshake.headers.update(self.request.headers)
        handshake.headers.setdefault("User-Agent", USER_AGENT)
        protocol.send_request(handshake)
        self._send_data()

    def data_received(self, data: bytes) -> None:
        protocol = self.protocol
        assert protocol is not None
        protocol.receive_data(data)
        events = protocol.events_received()
        self._send_data()
        transport = self.transport
        if transport is not None and transport.get_write_buffer_size() > self.core.queue_limit:
            # What the protocol writes on its own (Pongs, a Close) also counts against the
            # queue bound: a peer that floods Pings and never reads would grow it forever.
            with self.runtime._lock:
                self.core.write_overflow()
                self.ctx.kick()
            transport.abort()
            return
        if events:
            self._received(events)
        if protocol.close_expected():
            self.arm_close_timer()

    def eof_received(self) -> None:
        protocol = self.protocol
        assert protocol is not None
        protocol.receive_eof()
        events = protocol.events_received()
        self._send_data()
        if events:
            self._received(events)

    def connection_lost(self, exc: Exception | None) -> None:
        protocol = self.protocol
        assert protocol is not None
        protocol.receive_eof()
        protocol.events_received()
        if exc is not None and self.exc is None:
            self.exc = exc
        if not self.lost.done():
            self.lost.set_result(None)
        if not self.handshake.done():
            failure = protocol.handshake_exc or exc or ConnectionError("connection closed")
            self.handshake.set_exception(failure)
        if not self.is_open:
            return  # _open() reports the end
        code = protocol.close_code
        if code is None:
            code = 1006
        reason = protocol.close_reason or ""
        self._finish(code, reason, self._closed_error() if code == 1006 else None)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        self._settle_held()
        if self.backlog or self.core.flush_requested:
            self.flush()

    # -- internals ------------------------------------------------------------------

    def _received(self, events: list[Any]) -> None:
        protocol = self.protocol
        assert protocol is not None
        if not self.is_open:
            first = events[0]
            if not isinstance(first, Response) or not self._opened(first):
                return
            events = events[1:]
        batch: list[str | bytes] = []
        append = batch.append
        parts = self.parts
        for frame in events:
            opcode = frame.opcode
            if opcode is _OP_BINARY and frame.fin and not parts:
                data = frame.data
                append(data if type(data) is bytes else bytes(data))
                continue
            if opcode is not _OP_TEXT and opcode is not _OP_CONT and opcode is not _OP_BINARY:
                continue  # ping, pong and close are answered by the protocol
            if opcode is not _OP_CONT:
                self.text = opcode is _OP_TEXT
            if not frame.fin:
                parts.append(frame.data)
                continue
            if parts:
                parts.append(frame.data)
                data = b"".join(parts)
                parts.clear()
            else:
                data = frame.data
            if self.text:
                try:
                    append(data.decode())
                except UnicodeDecodeError as exc:
                    protocol.fail(_INVALID_DATA, f"{exc.reason} at position {exc.start}")
                    self._send_data()
                    break
            else:
                append(data if type(data) is bytes else bytes(data))
        if batch:
            ctx = self.ctx
            with self.runtime._lock:
                self.core.messages(batch)
                now = not ctx.draining
                if not now:
                    ctx.kick()
            if now:
                # A transport callback on the loop thread, with no user call on the stack:
                # the messages (and the effects queued before them) run now, in order,
                # instead of one loop iteration later.
                ctx.drain()

    def _send_data(self) -> None:
        protocol = self.protocol
        transport = self.transport
        assert protocol is not None
        writes = protocol.data_to_send()
        if not writes or transport is None:
            return
        if b"" not in writes:
            data = b"".join(writes)  # one item: that item itself, no copy
            # A transport that cannot send it all at once keeps the rest: as a memoryview,
            # the rest is copied once into its buffer instead of sliced, then copied.
            transport.write(memoryview(data) if len(data) >= _BATCH_BYTES else data)
            return
        for data in writes:
            if data:
                transport.write(data)
            elif transport.can_write_eof():
                # The end of the stream: half-close the TCP connection (not with TLS).
                with contextlib.suppress(OSError, RuntimeError):
                    transport.write_eof()
            else:
                transport.close()

    def _closed_error(self) -> str:
        protocol = self.protocol
        assert protocol is not None
        if self.exc is not None:
            return f"connection lost: {_describe(self.exc)}"
        sent = protocol.close_exc.sent
        if sent is not None and sent.code not in (1000, 1001):
            return f"connection failed: {sent.code} {sent.reason}".rstrip()
        return "connection closed without a Close frame (1006)"

    def _settle_held(self) -> None:
        if not self.held:
            return
        held, nbytes = self.held, self.held_bytes
        self.held, self.held_bytes = [], 0
        with self.runtime._lock:
            self.core.written(held, nbytes)
            self.ctx.kick()

    def _finish(
        self, code: int, reason: str, error: str | None, cause: dict[str, str] | None = None
    ) -> None:
        if self.finished:
            return
        self.finished = True
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None
        held, nbytes = self.held, self.held_bytes
        dropped = list(self.backlog)
        self.held, self.held_bytes = [], 0
        self.backlog.clear()
        with self.runtime._lock:
            # Sends handed to the transport count as written, as they did when handed.
            self.core.written(held, nbytes)
            self.core.unsent(dropped)
            self.core.terminated(code, reason, error, cause)
            self.ctx.kick()
        self.transport = None
        self.main_task = None


class SocketTask:
    """One WebSocket connection, as returned by ``connectSocket``."""

    __slots__ = ("__weakref__", "_core", "_ctx", "_runtime")

    def __init__(self, runtime: Runtime, core: TaskCore, ctx: _LoopContext) -> None:
        self._runtime = runtime
        self._core = core
        self._ctx = ctx

    def __repr__(self) -> str:
        return f"<SocketTask #{self._core.id}>"

    def send(self, options: SendSocketMessageOptions) -> None:
        """Send a text (``str``) or binary (bytes-like) message.

        Raises :class:`RuntimeError` when the event loop the task belongs to has ended (an
        ``asyncio.run`` that returned, or :meth:`Runtime.shutdown`): its callbacks could
        never run, so the call fails here instead of in silence."""
        opts = options if type(options) is dict else _mapping(options, "send")
        self._check_loop("send")
        with self._runtime._lock:
            self._core.send(opts)
            self._ctx.kick()

    def close(self, options: CloseSocketOptions | None = None) -> None:
        """Close the connection: ``code`` 1000 and ``reason`` "" by default.

        Raises :class:`RuntimeError` when the task's event loop has ended, as :meth:`send`."""
        opts = _EMPTY if options is None else _mapping(options, "close")
        self._check_loop("close")
        with self._runtime._lock:
            self._core.close(opts)
            self._ctx.kick()

    def onOpen(self, callback: Callable[[OnSocketOpenCallbackResult], object]) -> None:
        """Listen for the open event: ``{header}`` with the response headers."""
        self._listen(Event.OPEN, callback)

    def onClose(self, callback: Callable[[Any], object]) -> None:
        """Listen for the close event: ``{code, reason}``, always the last event."""
        self._listen(Event.CLOSE, callback)

    def onError(self, callback: Callable[[GeneralCallbackResult], object]) -> None:
        """Listen for the error event: ``{errMsg}``, followed by the close event."""
        self._listen(Event.ERROR, callback)

    def onMessage(self, callback: Callable[[OnSocketMessageCallbackResult], object]) -> None:
        """Listen for messages: ``{data}``, ``str`` for text and ``bytes`` for binary."""
        self._listen(Event.MESSAGE, callback)

    def _check_loop(self, api: str) -> None:
        if self._ctx.loop.is_closed():
            raise RuntimeError(
                f"SocketTask.{api}(): the event loop of {self!r} has ended, so its callbacks "
                "would never run; create the task again on a running loop"
            )

    def _listen(self, event: Event, callback: Callable[[Any], object]) -> None:
        if not callable(callback):
            raise TypeError(f"listener must be callable, not {type(callback).__name__}")
        with self._runtime._lock:
            self._core.add_listener(event, callback)


def _mapping(options: object, api: str) -> Mapping[str, Any]:
    if type(options) is dict or isinstance(options, Mapping):
        return options
    raise TypeError(f"{api}() options must be a dict, not {type(options).__name__}")


def _deprecated(name: str, replacement: str) -> None:
    warnings.warn(
        f"uni.{name} is deprecated; use SocketTask.{replacement}",
        DeprecationWarning,
        stacklevel=3,
    )


class Runtime:
    """A uni-app x WebSocket runtime: ``connectSocket`` and the deprecated globals.

    Keywords (implementation settings, not part of the API surface):

    * ``ssl_context``: TLS context for ``wss:`` URLs (default: the system trust store);
    * ``max_message_size``: largest incoming message accepted, in bytes (a bigger one
      closes the connection with 1009);
    * ``open_timeout``: seconds allowed for the opening handshake when the call gives
      no ``timeout``;
    * ``close_timeout``: seconds allowed for the closing handshake before the TCP
      connection is dropped;
    * ``start_delay``: seconds a connection waits before it starts when
      ``connectSocket`` is called from outside the event loop (plain threads), so that
      listeners registered right after the call are in place before any event.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_message_size: int | None = 16 * 2**20,
        open_timeout: float | None = 60.0,
        close_timeout: float | None = 10.0,
        start_delay: float = 0.02,
    ) -> None:
        self._ssl_context = ssl_context
        self._max_message_size = max_message_size
        self._open_timeout = open_timeout
        self._close_timeout = close_timeout
        self._start_delay = float(start_delay)
        self._lock = threading.Lock()
        self._registry = Registry()
        self._contexts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopContext] = (
            weakref.WeakKeyDictionary()
        )
        self._background: _BackgroundLoop | None = None
        # Stops the background loop when the runtime is collected without shutdown() (the
        # thread refers to the loop, never to the runtime), or at interpreter exit.
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._start_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Runtime live_tasks={len(self._registry.live)}>"

    # -- the API surface ---------------------------------------------------------------

    def connectSocket(self, options: ConnectSocketOptions) -> SocketTask:
        """Create a WebSocket connection; returns its task at once."""
        opts = _mapping(options, "connectSocket")
        ctx = self._context()
        with self._lock:
            core = TaskCore(self._registry, ctx.pending.append)
            core.owner = ctx
            if threading.get_ident() != ctx.thread_id:
                # Called from a thread other than the loop's: there is no "end of the
                # synchronous turn" to wait for, so the connection starts a little later
                # to let the caller register its listeners first (X-AND waits 100 ms for
                # the same reason). Inside the loop no delay is needed.
                core.shell = self._start_delay
            core.connect(opts)
            ctx.kick()
        return SocketTask(self, core, ctx)

    def onSocketOpen(self, options: OnSocketOpenCallback) -> None:
        _deprecated("onSocketOpen", "onOpen")
        self._set_global(Event.OPEN, options)

    def onSocketError(self, callback: OnSocketErrorCallback) -> None:
        _deprecated("onSocketError", "onError")
        self._set_global(Event.ERROR, callback)

    def sendSocketMessage(self, options: SendSocketMessageOptions) -> None:
        _deprecated("sendSocketMessage", "send")
        self._global_call(options, "sendSocketMessage")

    def onSocketMessage(self, callback: OnSocketMessageCallback) -> None:
        _deprecated("onSocketMessage", "onMessage")
        self._set_global(Event.MESSAGE, callback)

    def closeSocket(self, options: CloseSocketOptions | None = None) -> None:
        _deprecated("closeSocket", "close")
        self._global_call(options, "closeSocket")

    def onSocketClose(self, callback: OnSocketCloseCallback) -> None:
        _deprecated("onSocketClose", "onClose")
        self._set_global(Event.CLOSE, callback)

    # -- lifecycle ------------------------------------------------------------------------

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop the background loop thread, if one was started (it restarts on demand).

        A runtime that is garbage collected, or still running at interpreter exit, stops its
        thread too; tasks of a stopped loop refuse ``send``/``close`` (RuntimeError)."""
        with self._start_lock:
            background, self._background = self._background, None
            finalizer, self._finalizer = self._finalizer, None
        if finalizer is not None:
            finalizer.detach()
        if background is not None:
            background.stop(timeout)

    # -- internals -----------------------------------------------------------------------

    def _set_global(self, event: Event, callback: Callable[[Any], object]) -> None:
        if not callable(callback):
            raise TypeError(f"listener must be callable, not {type(callback).__name__}")
        with self._lock:
            # Registering again replaces the previous global listener (X-AND, X-IOS).
            self._registry.globals[event] = callback

    def _global_call(self, options: object, api: str) -> None:
        opts = _EMPTY if options is None else _mapping(options, api)
        ctx = self._context()
        with self._lock:
            target = self._registry.first()
            if target is None:
                result = _core.uni_error(api, _core.E_NOT_CONNECTED, _core.MSG_NOT_CONNECTED)
                _core.settle(ctx.pending.append, opts, result, api)
                ctx.kick()
                return
            owner = target.owner
            assert isinstance(owner, _LoopContext)
            if owner.loop.is_closed():
                raise RuntimeError(
                    f"uni.{api}(): the event loop of the first connection has ended, so its "
                    "callbacks would never run"
                )
            if api == "sendSocketMessage":
                target.send(opts)
            else:
                target.close(opts)
            owner.kick()

    def _context(self) -> _LoopContext:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self._background_context()
        ctx = self._contexts.get(loop)
        if ctx is None:
            with self._start_lock:
                ctx = self._contexts.get(loop)
                if ctx is None:
                    ctx = _LoopContext(self, loop, threading.get_ident())
                    self._contexts[loop] = ctx
        return ctx

    def _background_context(self) -> _LoopContext:
        with self._start_lock:
            background = self._background
            if background is None or not background.thread.is_alive():
                background = self._background = _BackgroundLoop()
                if self._finalizer is not None:
                    self._finalizer.detach()
                self._finalizer = weakref.finalize(self, background.stop_soon)
            ctx = self._contexts.get(background.loop)
            if ctx is None:
                ident = background.thread.ident
                assert ident is not None
                ctx = _LoopContext(self, background.loop, ident)
                self._contexts[background.loop] = ctx
        return ctx

    def _io(self, ctx: _LoopContext, request: IORequest) -> None:
        """Run one request of a core to the I/O shell, on ``ctx``'s loop thread."""
        core = request.core
        if isinstance(request, Connect):
            delay = core.shell if isinstance(core.shell, float) else 0.0
            connection = _Connection(self, ctx, core, request.request, delay)
            core.shell = connection
            connection.start()
            return
        shell = core.shell
        if not isinstance(shell, _Connection):
            return  # onClose ran: the connection is gone
        match request:
            case Flush():
                shell.flush()
            case ArmCloseTimer():
                shell.arm_close_timer()
            case Abort():
                shell.abort()
            case FailClose(_, code):
                shell.fail_close(code)
