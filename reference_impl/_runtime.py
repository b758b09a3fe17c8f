"""The I/O shell: event loops, threads and the ``websockets`` asyncio client.

Runtime model (like a JS event loop): calls from user code only change the core's state
under one lock and queue effects; the effects run later, in order, on the loop thread
of the task. Inside a running asyncio loop that loop is used; from plain synchronous
code, a background thread runs a loop of its own. So no callback ever runs inside the
call that caused it, and the callbacks of one loop run on one thread, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.protocol import OPEN
from websockets.typing import Subprotocol

from . import _core
from ._core import CALL, EMIT, ConnectRequest, Registry, TaskCore

__all__ = ["Runtime", "SocketTask"]

logger: Final = logging.getLogger("reference_impl")

_EMPTY: Final[Mapping[str, Any]] = {}
# Messages smaller than this are framed and written in batches of up to this size.
_BATCH_BYTES: Final = 256 * 1024


def _run_callback(fn: Callable[[Any], object], payload: Any, label: str) -> None:
    try:
        fn(payload)
    except Exception:
        # E4: "An exception thrown inside a user listener or callback must not stop
        # other listeners or corrupt the task."
        logger.exception("uncaught exception in %s", label)


class _LoopContext:
    """The effect queue of one event loop, drained on that loop's thread."""

    __slots__ = ("__weakref__", "loop", "pending", "runtime", "scheduled", "thread_id")

    def __init__(self, runtime: Runtime, loop: asyncio.AbstractEventLoop, thread_id: int) -> None:
        self.runtime = runtime
        self.loop = loop
        self.thread_id = thread_id
        self.pending: deque[_core.Effect] = deque()
        self.scheduled = False

    def kick(self) -> None:
        """Schedule a drain if effects are waiting (call with the runtime lock held)."""
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
        pending = self.pending
        runtime = self.runtime
        globals_ = runtime._registry.globals
        for _ in range(count):
            kind, a, b, c, d = pending.popleft()
            if kind == CALL:
                _run_callback(a, b, c)
            elif kind == EMIT:
                if d:
                    listener = globals_[b]
                    if listener is not None:
                        _run_callback(listener, c, f"global {b} listener")
                for listener in tuple(a.listeners[b]):
                    _run_callback(listener, c, f"SocketTask {b} listener")
                if b == _core.CLOSE_EVENT:
                    a.release()
            else:
                runtime._io(self, a, b, c)


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
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, InvalidStatus):
        return f"handshake rejected: HTTP {exc.response.status_code}"
    if isinstance(exc, TimeoutError):
        return "timed out during the opening handshake"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _response_headers(conn: ClientConnection) -> dict[str, str]:
    response = conn.response
    if response is None:
        return {}
    header: dict[str, str] = {}
    for name, value in response.headers.raw_items():
        header[name] = f"{header[name]}, {value}" if name in header else value
    return header


class _Driver:
    """Runs one connection: handshake, reader, writer, close. Feeds the core."""

    __slots__ = (
        "__weakref__",
        "close_timer",
        "conn",
        "core",
        "ctx",
        "delay",
        "main_task",
        "request",
        "runtime",
        "started",
        "wake",
        "writer_task",
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
        self.delay = delay
        self.ctx = ctx
        self.core = core
        self.request = request
        self.conn: ClientConnection | None = None
        self.wake = asyncio.Event()
        self.main_task: asyncio.Task[None] | None = None
        self.writer_task: asyncio.Task[None] | None = None
        self.close_timer: asyncio.TimerHandle | None = None
        # Whether _main() runs: before that, cancelling its task would drop it silently.
        self.started = False

    def start(self) -> None:
        self.main_task = self.ctx.loop.create_task(self._main())

    # -- commands from the core ------------------------------------------------------

    def abort(self) -> None:
        if self.conn is None:
            if self.started and self.main_task is not None:
                self.main_task.cancel()
        else:
            self.conn.transport.abort()

    def arm_close_timer(self) -> None:
        timeout = self.runtime._close_timeout
        if self.close_timer is None and timeout is not None:
            self.close_timer = self.ctx.loop.call_later(timeout, self._close_timed_out)

    def _close_timed_out(self) -> None:
        self.close_timer = None
        if self.conn is not None:
            self.conn.transport.abort()

    def fail_close(self, code: int) -> None:
        if self.conn is None:
            return
        if self.writer_task is not None:
            self.writer_task.cancel()
        self.writer_task = self.ctx.loop.create_task(self._close(code, ""))

    # -- coroutines -------------------------------------------------------------------

    async def _main(self) -> None:
        rt = self.runtime
        request = self.request
        self.started = True
        if self.core.aborted:
            self._finish(1006, "", "connection aborted by close()")
            return
        try:
            if self.delay > 0:
                await asyncio.sleep(self.delay)
            extra: dict[str, Any] = {}
            if request.secure and rt._ssl_context is not None:
                extra["ssl"] = rt._ssl_context
            conn = await connect(
                request.url,
                additional_headers=list(request.headers),
                subprotocols=[Subprotocol(p) for p in request.protocols] or None,
                compression="deflate" if request.deflate else None,
                open_timeout=request.timeout if request.timeout is not None else rt._open_timeout,
                close_timeout=rt._close_timeout,
                max_size=rt._max_message_size,
                proxy=None,
                **extra,
            )
        except asyncio.CancelledError:
            self._finish(1006, "", "connection aborted by close()")
            return
        except Exception as exc:
            self._finish(1006, "", _describe(exc))
            return
        self.conn = conn
        error: str | None = None
        try:
            if request.protocols and conn.subprotocol is None:
                # WHATWG "establish a WebSocket connection": if protocols were offered and
                # the response selects none, fail the connection. (An unoffered choice is
                # already rejected by websockets' handshake check, RFC 6455 §4.1.)
                error = "the server selected no subprotocol of " + ", ".join(request.protocols)
                conn.transport.abort()
            else:
                with rt._lock:
                    opened = self.core.opened(_response_headers(conn))
                    self.ctx.kick()
                if not opened:
                    conn.transport.abort()
                else:
                    self.writer_task = self.ctx.loop.create_task(self._writer())
                    await self._reader(conn)
        except asyncio.CancelledError:
            conn.transport.abort()
        await conn.wait_closed()
        writer, self.writer_task = self.writer_task, None
        if writer is not None:
            # Let the writer settle the sends it holds before onClose is queued.
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await writer
        code = conn.close_code if conn.close_code is not None else 1006
        reason = conn.close_reason or ""
        if error is None and code == 1006:
            error = self._closed_error(conn)
        self._finish(code, reason, error)

    @staticmethod
    def _closed_error(conn: ClientConnection) -> str:
        exc = getattr(conn, "connection_exc", None)
        if exc is not None:
            return f"connection lost: {_describe(exc)}"
        sent = conn.protocol.close_sent
        if sent is not None and sent.code not in (1000, 1001):
            return f"connection failed: {sent.code} {sent.reason}".rstrip()
        return "connection closed without a Close frame (1006)"

    async def _reader(self, conn: ClientConnection) -> None:
        lock = self.runtime._lock
        core = self.core
        ctx = self.ctx
        with contextlib.suppress(ConnectionClosed):
            while True:
                data = await conn.recv()
                with lock:
                    core.message(data)
                    ctx.kick()

    async def _writer(self) -> None:
        conn = self.conn
        assert conn is not None
        wake = self.wake
        with contextlib.suppress(ConnectionClosed):
            while True:
                await wake.wait()
                wake.clear()
                while True:
                    with self.runtime._lock:
                        items = self.core.take_outgoing()
                    if not items:
                        break
                    if await self._write(conn, items):
                        return

    async def _write(self, conn: ClientConnection, items: list[_core.Entry]) -> bool:
        """Write entries in order; True once the Close frame went out.

        Runs of small messages are framed by the connection's sans-I/O protocol and
        written with one ``transport.write`` (one system call instead of one per message);
        big messages go through ``ClientConnection.send``, which applies flow control.
        """
        lock = self.runtime._lock
        core = self.core
        ctx = self.ctx
        protocol = conn.protocol
        transport = conn.transport
        acked = sent = nbytes = 0
        total = len(items)
        try:
            while sent < total:
                payload, kind, _ = items[sent]
                if kind == _core.CLOSE_FRAME:
                    with lock:
                        core.written(items[acked:sent], nbytes)
                        ctx.kick()
                    acked = sent = sent + 1
                    nbytes = 0
                    await self._close(*payload)
                    return True
                if len(payload) >= _BATCH_BYTES or protocol.state is not OPEN:
                    await conn.send(payload, text=kind == _core.TEXT)
                    sent += 1
                    nbytes += len(payload)
                else:
                    end = sent
                    batch = 0
                    while end < total and batch < _BATCH_BYTES:
                        payload, kind, _ = items[end]
                        if kind == _core.TEXT:
                            protocol.send_text(payload)
                        elif kind == _core.BINARY:
                            protocol.send_binary(payload)
                        else:
                            break
                        batch += len(payload)
                        end += 1
                    transport.write(b"".join(protocol.data_to_send()))
                    sent = end
                    nbytes += batch
                    await conn.drain()
                with lock:
                    core.written(items[acked:sent], nbytes)
                    ctx.kick()
                acked, nbytes = sent, 0
        finally:
            if acked < total:
                with lock:
                    core.written(items[acked:sent], nbytes)
                    core.unsent(items[sent:])
                    ctx.kick()
        return False

    async def _close(self, code: int, reason: str) -> None:
        conn = self.conn
        assert conn is not None
        timeout = self.runtime._close_timeout
        try:
            async with asyncio.timeout(timeout):
                await conn.close(code, reason)
        except TimeoutError:
            conn.transport.abort()

    def _finish(self, code: int, reason: str, error: str | None) -> None:
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None
        with self.runtime._lock:
            self.core.terminated(code, reason, error)
            self.ctx.kick()
        self.conn = None
        self.main_task = None
        self.writer_task = None


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
        """Send a text (``str``) or binary (bytes-like) message."""
        opts = options if type(options) is dict else _mapping(options, "send")
        with self._runtime._lock:
            self._core.send(opts)
            self._ctx.kick()

    def close(self, options: CloseSocketOptions | None = None) -> None:
        """Close the connection: ``code`` 1000 and ``reason`` "" by default."""
        opts = _EMPTY if options is None else _mapping(options, "close")
        with self._runtime._lock:
            self._core.close(opts)
            self._ctx.kick()

    def onOpen(self, callback: Callable[[OnSocketOpenCallbackResult], object]) -> None:
        """Listen for the open event: ``{header}`` with the response headers."""
        self._listen(_core.OPEN_EVENT, callback)

    def onClose(self, callback: Callable[[Any], object]) -> None:
        """Listen for the close event: ``{code, reason}``, always the last event."""
        self._listen(_core.CLOSE_EVENT, callback)

    def onError(self, callback: Callable[[GeneralCallbackResult], object]) -> None:
        """Listen for the error event: ``{errMsg}``, followed by the close event."""
        self._listen(_core.ERROR_EVENT, callback)

    def onMessage(self, callback: Callable[[OnSocketMessageCallbackResult], object]) -> None:
        """Listen for messages: ``{data}``, ``str`` for text and ``bytes`` for binary."""
        self._listen(_core.MESSAGE_EVENT, callback)

    def _listen(self, event: str, callback: Callable[[Any], object]) -> None:
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
        self._set_global(_core.OPEN_EVENT, options)

    def onSocketError(self, callback: OnSocketErrorCallback) -> None:
        _deprecated("onSocketError", "onError")
        self._set_global(_core.ERROR_EVENT, callback)

    def sendSocketMessage(self, options: SendSocketMessageOptions) -> None:
        _deprecated("sendSocketMessage", "send")
        self._global_call(options, "sendSocketMessage")

    def onSocketMessage(self, callback: OnSocketMessageCallback) -> None:
        _deprecated("onSocketMessage", "onMessage")
        self._set_global(_core.MESSAGE_EVENT, callback)

    def closeSocket(self, options: CloseSocketOptions | None = None) -> None:
        _deprecated("closeSocket", "close")
        self._global_call(options, "closeSocket")

    def onSocketClose(self, callback: OnSocketCloseCallback) -> None:
        _deprecated("onSocketClose", "onClose")
        self._set_global(_core.CLOSE_EVENT, callback)

    # -- lifecycle ------------------------------------------------------------------------

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop the background loop thread, if one was started (it restarts on demand)."""
        with self._start_lock:
            background, self._background = self._background, None
        if background is not None:
            background.stop(timeout)

    # -- internals -----------------------------------------------------------------------

    def _set_global(self, event: str, callback: Callable[[Any], object]) -> None:
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
            if api == "sendSocketMessage":
                target.send(opts)
            else:
                target.close(opts)
            owner = target.owner
            assert isinstance(owner, _LoopContext)
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
            ctx = self._contexts.get(background.loop)
            if ctx is None:
                ident = background.thread.ident
                assert ident is not None
                ctx = _LoopContext(self, background.loop, ident)
                self._contexts[background.loop] = ctx
        return ctx

    def _io(self, ctx: _LoopContext, core: TaskCore, command: str, argument: Any) -> None:
        if command == _core.CONNECT:
            delay = core.shell if isinstance(core.shell, float) else 0.0
            new = _Driver(self, ctx, core, argument, delay)
            core.shell = new
            new.start()
            return
        driver = core.shell
        if not isinstance(driver, _Driver):
            return
        if command == _core.FLUSH:
            driver.wake.set()
        elif command == _core.CLOSING:
            driver.arm_close_timer()
        elif command == _core.ABORT:
            driver.abort()
        elif command == _core.FAIL_CLOSE:
            driver.fail_close(argument)
