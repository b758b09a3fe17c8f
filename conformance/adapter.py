"""Drive a Python ``uni`` object with driver-protocol messages (``docs/driver-protocol.md``).

:class:`Adapter` executes ``call`` messages on the object and reports what happens as protocol
messages, in the order it happens: the ``callback``/``event`` lines of functions the
implementation runs (on any thread), then ``returned``/``raised`` when the call comes back.  A
``callback`` line for call N before ``returned`` N therefore means the implementation ran the
callback before the call returned, which the rules forbid ("callbacks never run re-entrantly
inside the call that caused them", DESIGN.md, runtime model).

:class:`InProcessChannel` is the :class:`conformance.channel.Channel` over an adapter, with no
subprocess; ``python -m conformance.adapters.python_driver`` is the same adapter over stdio.

Lines are framed and checked by :mod:`conformance.wire`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib.metadata
import math
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Final

from conformance.channel import (
    ERROR_TAG,
    PROTOCOL_MINOR,
    PROTOCOL_VERSION,
    Message,
    decode_value,
    encode_value,
)
from conformance.exceptions import ChannelClosed, ChannelProtocolError, ChannelTimeout
from conformance.wire import (
    ALL_CAPABILITIES,
    CALLBACK_NAMES,
    LISTENER_METHODS,
    MAX_BATCH,
    PLATFORMS,
    SOCKET_TASK_METHODS,
    TASK_METHODS,
    UNI_METHODS,
    Direction,
    dump_line,
    protocol_schema,
    quote,
)

__all__ = [
    "Adapter",
    "InProcessChannel",
    "describe_implementation",
    "encode_payload",
]


Emit = Callable[[Message], None]

#: How long closing an in-process channel waits for the implementation's tasks to finish.
CLOSE_GRACE: Final = 0.25
#: Nesting depth beyond which a payload value is shown as ``{"$repr": ...}`` (also ends cycles).
MAX_PAYLOAD_DEPTH: Final = 32


# --------------------------------------------------------------------------- payloads


def _plain(value: object, depth: int, errors: bool) -> object:
    """``value`` with only JSON-able leaves, bytes-likes and containers left."""
    if value is None or isinstance(value, bool | int | str | bytes | bytearray | memoryview):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$repr": repr(value)}
    if depth >= MAX_PAYLOAD_DEPTH:
        return {"$repr": f"<{type(value).__name__} nested deeper than {MAX_PAYLOAD_DEPTH}>"}
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1, errors) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1, errors) for v in value]
    if errors and isinstance(value, BaseException):
        # 1.1: an error object with its own properties (errCode, errSubject...), not its repr.
        own: dict[str, object] = {"name": type(value).__name__, "message": str(value)}
        for key, item in vars(value).items():
            if not key.startswith(("_", "$")):
                own[key] = _plain(item, depth + 1, errors)
        return {ERROR_TAG: own}
    return {"$repr": repr(value)}


def encode_payload(value: object, *, errors: bool = False) -> object:
    """A Python value as a protocol payload: bytes-likes as ``{"$bytes": ...}``, anything JSON
    cannot carry (NaN, an object) as ``{"$repr": "<repr>"}``; never raises.  With ``errors``
    (protocol 1.1) an exception is ``{"$error": {name, message, ...its own attributes}}``."""
    return encode_value(_plain(value, 0, errors))


# --------------------------------------------------------------------------- implementation


def describe_implementation(
    uni: object, *, name: str | None = None, platform: str | None = None, minor: int = 1
) -> Message:
    """The ``hello`` answer for an in-process implementation object.

    ``name`` and ``version``: ``uni.utsapi_name`` and ``uni.utsapi_version`` if set, else the
    top-level package the object's class (or the object, if it is a module) belongs to and its
    ``__version__`` or installed distribution's version ("unknown" if none); the capabilities from
    ``uni.utsapi_capabilities`` if present, else every capability.  With ``minor`` 1 (the
    default: this adapter speaks 1.1) the hello says ``minor: 1`` and names the platform:
    ``platform``, else
    ``uni.utsapi_platform``, else none.  Raises ``ValueError`` for a platform the protocol does
    not name.
    """
    module_name = uni.__name__ if isinstance(uni, ModuleType) else type(uni).__module__
    package = module_name.split(".")[0]
    name = getattr(uni, "utsapi_name", None) or name
    version = getattr(uni, "utsapi_version", None)
    if version is None and isinstance(uni, ModuleType):
        version = getattr(uni, "__version__", None)
    version = version or getattr(sys.modules.get(package), "__version__", None)
    if version is None:
        try:  # the installed distribution of that name, if there is one
            version = importlib.metadata.version(package)
        except (importlib.metadata.PackageNotFoundError, ValueError):
            version = None
    declared = getattr(uni, "utsapi_capabilities", None)
    capabilities = list(ALL_CAPABILITIES) if declared is None else [str(c) for c in declared]
    hello: Message = {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "name": name or package,
        "version": str(version) if version is not None else "unknown",
        "language": "python",
        "capabilities": capabilities,
    }
    if minor >= 1:
        hello["minor"] = PROTOCOL_MINOR
        chosen = platform if platform is not None else getattr(uni, "utsapi_platform", None)
        if chosen is not None:
            if chosen not in PLATFORMS:
                raise ValueError(f"platform {chosen!r} is not one of {', '.join(PLATFORMS)}")
            hello["platform"] = chosen
    return hello


class HarnessThrow(RuntimeError):
    """Raised on purpose by a callback or listener of a call with ``"throw": true``."""


class DriverError(Exception):
    """A harness line the adapter cannot act on; becomes an ``error`` message."""

    def __init__(self, detail: str, call_id: int | None = None) -> None:
        super().__init__(detail, call_id)
        self.detail = detail
        self.call_id = call_id

    def __str__(self) -> str:
        where = f"call {self.call_id}: " if self.call_id is not None else ""
        return f"{where}{self.detail}"


class Adapter:
    """Executes protocol ``call`` messages on a Python ``uni`` object.

    ``emit`` receives every implementation -> harness message; it is called with the adapter's
    lock held, so messages reach it one at a time, in the order they happened, whichever thread
    the implementation runs its callbacks on.  ``emit`` must not block for long.
    """

    def __init__(
        self, uni: object, emit: Emit, *, name: str | None = None, platform: str | None = None
    ) -> None:
        self._uni = uni
        self._emit_raw = emit
        self._name = name
        self._platform = platform
        self._lock = threading.RLock()
        self._tasks: dict[str, object] = {}
        #: The minor version in use: 1 once the harness's hello said minor 1.
        self.minor = 0
        #: 1.1 stamping: the id of the last call begun (``after`` of every line).
        self._begun = 0
        #: 1.1 reset: functions of an older generation no longer report.
        self._generation = 0

    def hello(self) -> Message:
        """The answer to the harness's hello: version 1.1 (``minor: 1``) from now on."""
        self.minor = PROTOCOL_MINOR
        return describe_implementation(
            self._uni, name=self._name, platform=self._platform, minor=self.minor
        )

    def _emit(self, message: Message) -> None:
        if self.minor >= 1 and message.get("type") != "hello":
            message["after"] = self._begun
        self._emit_raw(message)

    def emit(self, message: Message) -> None:
        with self._lock:
            self._emit(message)

    def uncaught(self, exc: BaseException) -> None:
        """1.1: an exception escaped to the implementation's loop (not one thrown on purpose)."""
        if self.minor < 1 or isinstance(exc, HarnessThrow):
            return
        self.emit(
            {"type": "uncaught", "error": str(exc) or repr(exc), "error_type": type(exc).__name__}
        )

    def reset(self) -> None:
        """1.1 ``reset``: close every task, mute every function registered so far, answer."""
        self.close_all()
        with self._lock:
            self._generation += 1
            self._emit({"type": "reset"})

    def handle(self, message: Message) -> None:
        """Act on one harness message other than ``hello``/``bye``: a ``call`` or a ``batch``.

        A ``batch`` runs its calls one after the other with nothing in between (no loop turn),
        as a program would write them in one synchronous block.  A line the adapter cannot act
        on becomes an ``error`` message; what the implementation does becomes
        ``callback``/``event``/``returned``/``raised`` messages.
        """
        if message.get("type") == "batch":
            calls = message.get("calls")
            if not isinstance(calls, list) or not 1 <= len(calls) <= MAX_BATCH:
                self._report(DriverError(f"a batch needs 'calls': a list of 1 to {MAX_BATCH}"))
                return
        else:
            calls = [message]
        for call in calls:
            try:
                self._call(call if isinstance(call, dict) else {"type": type(call).__name__})
            except DriverError as exc:
                self._report(exc)

    def _report(self, exc: DriverError) -> None:
        error: Message = {"type": "error", "message": str(exc)}
        if exc.call_id is not None:
            error["id"] = exc.call_id
        self.emit(error)

    def close_all(self) -> None:
        """``close({})`` every task this adapter created (for ``bye``); failures become ``log``."""
        tasks, self._tasks = self._tasks, {}
        for task_id, task in tasks.items():
            close = getattr(task, "close", None)
            try:
                if callable(close):
                    close({})
            except Exception as exc:
                self.emit({"type": "log", "message": f"bye: close() on task {task_id}: {exc!r}"})

    # -- one call ---------------------------------------------------------------------------

    def _call(self, message: Message) -> None:
        if message.get("type") != "call":
            raise DriverError(f"cannot act on a {message.get('type')!r} message here")
        call_id = message.get("id")
        if not isinstance(call_id, int) or isinstance(call_id, bool):
            raise DriverError(f"call id must be an integer, got {call_id!r}")
        with self._lock:
            self._begun = max(self._begun, call_id)
        method = message.get("method")
        target_name = message.get("target")
        target = self._target(call_id, target_name, method)
        throw = message.get("throw") is True
        if method in LISTENER_METHODS:
            listener = message.get("listener")
            if not isinstance(listener, str):
                raise DriverError(f"{method} needs a string 'listener'", call_id)
            arguments: tuple[object, ...] = (self._listener(listener, throw),)
        else:
            arguments = (self._options(call_id, message, throw),)
        assign = message.get("assign")
        if assign is not None and (not isinstance(assign, str) or method != "connectSocket"):
            raise DriverError("'assign' must be a task id on a connectSocket call", call_id)
        try:
            result = getattr(target, str(method))(*arguments)
        except Exception as exc:
            self.emit(
                {
                    "type": "raised",
                    "id": call_id,
                    "error": str(exc) or repr(exc),
                    "error_type": type(exc).__name__,
                }
            )
            return
        except (SystemExit, KeyboardInterrupt) as exc:
            # An implementation that tries to end the process has crashed as far as this case
            # goes: the harness judges it ERROR and goes on with the next case.
            raise DriverError(
                f"{method} raised {type(exc).__name__}({exc}): the implementation tried to end "
                "the process",
                call_id,
            ) from None
        with self._lock:
            returned: Message = {"type": "returned", "id": call_id}
            if assign is not None:
                self._tasks[assign] = result
                returned["task"] = all(
                    callable(getattr(result, m, None)) for m in SOCKET_TASK_METHODS
                )
                if not returned["task"] and result is not None and self.minor >= 1:
                    returned["value"] = encode_payload(result, errors=True)  # 1.1: what instead
            elif result is not None:
                returned["value"] = encode_payload(result, errors=self.minor >= 1)
            self._emit(returned)

    def _target(self, call_id: int, target: object, method: object) -> object:
        if target == "uni":
            if method not in UNI_METHODS:
                raise DriverError(f"{method!r} is not a method of uni", call_id)
            return self._uni
        if method not in TASK_METHODS:
            raise DriverError(f"{method!r} is not a SocketTask method", call_id)
        if not isinstance(target, str) or target not in self._tasks:
            raise DriverError(f"unknown target {target!r} (no connectSocket assigned it)", call_id)
        return self._tasks[target]

    def _options(self, call_id: int, message: Message, throw: bool) -> dict[str, object]:
        args = message.get("args", {})
        if not isinstance(args, dict):
            raise DriverError("'args' must be an object", call_id)
        try:
            options = decode_value(args)
        except ValueError as exc:
            raise DriverError(f"args: {exc}", call_id) from exc
        assert isinstance(options, dict)
        names = message.get("callbacks", CALLBACK_NAMES)
        if not isinstance(names, list | tuple) or not set(names) <= set(CALLBACK_NAMES):
            raise DriverError(f"'callbacks' must list some of {CALLBACK_NAMES}", call_id)
        for name in names:
            options[name] = self._callback(call_id, name, throw)
        return options

    def _callback(self, call_id: int, name: str, throw: bool) -> Callable[..., None]:
        generation = self._generation

        def callback(*args: object) -> None:
            if generation != self._generation:
                return  # registered before a reset: muted
            message = {"type": "callback", "id": call_id, "name": name}
            self.emit(_with_payload(message, args, self.minor >= 1))
            if throw:
                raise HarnessThrow(f"thrown on purpose by the {name} callback of call {call_id}")

        return callback

    def _listener(self, listener: str, throw: bool) -> Callable[..., None]:
        generation = self._generation

        def on_event(*args: object) -> None:
            if generation != self._generation:
                return  # registered before a reset (a global listener cannot be removed)
            self.emit(_with_payload({"type": "event", "listener": listener}, args, self.minor >= 1))
            if throw:
                raise HarnessThrow(f"thrown on purpose by listener {listener}")

        return on_event


def _with_payload(message: Message, args: tuple[object, ...], errors: bool) -> Message:
    if args:
        message["payload"] = encode_payload(args[0], errors=errors)
    return message


# --------------------------------------------------------------------------- channel


class _ImplementationLoop:
    """The implementation's own event loop, in a daemon thread.

    Calls run there, one message per loop turn (as ``python_driver`` runs them), so an
    implementation that uses the running loop runs its connections on it, and a call that blocks
    (``time.sleep`` in ``send``) blocks this thread only: the harness's loop times the call out,
    makes the case ERROR and goes on with a new channel.  A thread still blocked when the
    channel closes is left behind (it is a daemon: it ends with the process).
    """

    def __init__(self, name: str, on_uncaught: Callable[[BaseException], None]) -> None:
        self.loop = asyncio.new_event_loop()
        self._on_uncaught = on_uncaught
        self.finished: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._jobs: deque[Callable[[], None] | None] = deque()
        self._wake: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Callable[[], None] | None) -> None:
        """Run ``job`` on the loop after the jobs before it; ``None`` ends the loop."""
        self._jobs.append(job)
        with contextlib.suppress(RuntimeError):  # the loop has ended: nobody runs it any more
            self.loop.call_soon_threadsafe(self._poke)

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _serve(self) -> None:
        self._wake = asyncio.Event()
        while True:
            while not self._jobs:
                self._wake.clear()
                await self._wake.wait()
            job = self._jobs.popleft()
            if job is None:
                break
            job()
            await asyncio.sleep(0)  # one loop turn per message, as each line is a new event
        others = asyncio.all_tasks() - {asyncio.current_task()}
        if others:
            await asyncio.wait(others, timeout=CLOSE_GRACE)

    def _handle_exception(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, object]
    ) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self._on_uncaught(exc)
        else:
            loop.default_exception_handler(context)

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.set_exception_handler(self._handle_exception)
        try:
            self.loop.run_until_complete(self._serve())
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            with contextlib.suppress(BaseException):
                self.loop.run_until_complete(asyncio.sleep(0))
        except BaseException:  # the thread must end; the case it served is already ERROR
            pass
        finally:
            with contextlib.suppress(BaseException):
                self.loop.close()
            self.finished.set_result(None)


class InProcessChannel:
    """:class:`conformance.channel.Channel` over an :class:`Adapter`, in this process.

    Calls run off the harness's loop, on the implementation's own loop thread
    (:class:`_ImplementationLoop`), one message per loop turn, so an implementation that uses the
    running loop runs its connections there, and one that blocks cannot stall the harness.
    Callbacks may come from any thread; they are queued in order and handed out by
    :meth:`receive`.

    With ``validate=True`` every message, both ways, is checked against the protocol schema and
    a violation raises :class:`~conformance.exceptions.ChannelProtocolError` with its JSON path.
    """

    def __init__(
        self,
        uni: object,
        *,
        validate: bool = False,
        name: str | None = None,
        platform: str | None = None,
    ) -> None:
        self._adapter = Adapter(uni, self._enqueue, name=name, platform=platform)
        self._hello = self._adapter.hello()
        self.where = f"in-process:{self._hello['name']}"
        self._validate = validate
        self._lock = threading.Lock()
        self._pending: deque[Message] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Event | None = None
        self._closed = False
        self._implementation = _ImplementationLoop(
            f"utsapi-impl:{self._hello['name']}", self._adapter.uncaught
        )

    def _enqueue(self, message: Message) -> None:
        with self._lock:
            self._pending.append(message)
            loop, ready = self._loop, self._ready
        if loop is None or ready is None:
            return
        try:
            loop.call_soon_threadsafe(ready.set)
        except RuntimeError:  # the loop is closed: nobody will receive this any more
            return

    def _check(self, message: Message, direction: Direction) -> None:
        if not self._validate:
            return
        problems = protocol_schema().errors(message, direction)
        if problems:
            side = "harness -> implementation" if direction == "harness" else "implementation"
            raise ChannelProtocolError(
                self.where, f"{side} message {quote(dump_line(message))}: " + "; ".join(problems)
            )

    async def start(self) -> dict[str, object]:
        self._loop = asyncio.get_running_loop()
        self._ready = asyncio.Event()
        self._check({"type": "hello", "protocol": PROTOCOL_VERSION}, "harness")
        hello = dict(self._hello)
        self._check(hello, "implementation")
        self._implementation.start()
        return hello

    async def send(self, message: dict[str, object]) -> None:
        if self._closed:
            raise ChannelClosed(self.where, f"send {message.get('type')!r}: the channel is closed")
        self._check(message, "harness")
        if message.get("type") == "bye":
            await self.close()
            return
        adapter = self._adapter

        def job() -> None:
            try:
                if message.get("type") == "reset":
                    adapter.reset()
                else:
                    adapter.handle(message)
            except BaseException as exc:  # what escapes the adapter ends this call, not the run
                adapter.emit({"type": "error", "message": f"the call crashed the adapter: {exc!r}"})

        self._implementation.submit(job)

    async def receive(self, timeout: float) -> dict[str, object]:
        loop, ready = self._loop, self._ready
        if loop is None or ready is None:
            raise ChannelClosed(self.where, "receive before start()")
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                message = self._pending.popleft() if self._pending else None
            if message is not None:
                return self._deliver(message)
            if self._closed:
                raise ChannelClosed(self.where, "the channel is closed")
            ready.clear()
            with self._lock:
                if self._pending:
                    continue
            remaining = deadline - loop.time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                await asyncio.wait_for(ready.wait(), remaining)
            except TimeoutError:
                raise ChannelTimeout(
                    self.where, f"no message from the implementation within {timeout:g} s"
                ) from None

    def _deliver(self, message: Message) -> Message:
        self._check(message, "implementation")
        if message.get("type") == "error":
            raise ChannelProtocolError(
                self.where, f"the adapter could not act on a harness message: {message['message']}"
            )
        return message

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._ready is not None:
            self._ready.set()
        if self._loop is None:
            return
        self._implementation.submit(self._adapter.close_all)
        self._implementation.submit(None)
        with contextlib.suppress(TimeoutError):  # still blocked in a call: left behind
            await asyncio.wait_for(
                asyncio.wrap_future(self._implementation.finished), 2 * CLOSE_GRACE
            )
