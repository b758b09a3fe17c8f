"""The SocketTask state machine and callback contract, with no I/O.

Everything here is plain data in, plain data out (the sans-I/O habit of
``websockets.protocol``): API calls and connection events go in as method calls, and what
must happen next comes out as *effects*, small frozen values appended to the task's outbox:

* :class:`Call` runs one user callback;
* :class:`Emit` dispatches one task event to the global listener (when ``to_global``),
  then to the task's listeners, resolved when it runs; :class:`Deliver` does the same for
  a run of messages that arrived together;
* :class:`Connect`, :class:`Flush`, :class:`ArmCloseTimer`, :class:`Abort` and
  :class:`FailClose` are requests to the I/O shell.

The state of a task is a :class:`State`; every change of state goes through
:meth:`TaskCore._advance`, which looks the change up in :data:`TRANSITIONS` and raises
:class:`TransitionError` for any change the table does not list.

The shell owns threads, the event loop and the socket; it serialises calls into this
module with one lock and runs the effects, in order, on the runtime's loop thread.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ._options import ConnectRequest, Frame, Problem, parse_close, parse_connect, parse_message

__all__ = [
    "QUEUE_LIMIT",
    "Abort",
    "ArmCloseTimer",
    "Call",
    "Connect",
    "Deliver",
    "Effect",
    "Emit",
    "Event",
    "FailClose",
    "Flush",
    "IORequest",
    "Registry",
    "State",
    "TaskCore",
    "TransitionError",
    "Trigger",
]

Listener = Callable[[Any], object]
Entry = tuple[Any, Frame, Mapping[str, Any] | None]
"""An outgoing queue entry: (payload, frame kind, the call's options when it has callbacks).
A :attr:`Frame.CLOSE` entry carries a :class:`CloseRequest` as its payload."""

ERR_SUBJECT: Final = "uni-websocket"

# "出于性能的权衡，在底层实现上发送队列占用的内存不能超过16M，一旦超过将导致连接被关闭"
# (uni-app x docs, sendSocketMessage notes); OkHttp MAX_QUEUE_SIZE = 16 * 1024 * 1024.
QUEUE_LIMIT: Final = 16 * 1024 * 1024

# SendSocketMessageErrorCode and ConnectSocketErrorCode (uni-websocket unierror.uts).
E_QUEUE_FULL: Final = 10001
E_NOT_CONNECTED: Final = 10002
E_SYSTEM: Final = 602001
E_INVALID_URL: Final = 600009

MSG_QUEUE_FULL: Final = "The queue memory exceeds 16 MiB and the connection will be closed"
MSG_NOT_CONNECTED: Final = "webSocket is not connected"
MSG_SYSTEM: Final = "websocket system error"
MSG_INVALID_URL: Final = "invalid URL"
MSG_ABORTED: Final = "connection aborted by close()"


class Event(enum.StrEnum):
    """The events of a task, named as the listeners' ``on<Event>`` methods."""

    OPEN = "open"
    MESSAGE = "message"
    ERROR = "error"
    CLOSE = "close"


class State(enum.IntEnum):
    """Where a task is in its life.

    The WHATWG ``readyState`` (CONNECTING, OPEN, CLOSING, CLOSED) with the ways of
    getting to CLOSED told apart, since they end differently: ``ABORTING`` ends with
    onError and onClose(1006), ``FAILING`` has had its onError and drops messages.
    """

    NEW = 0
    """Created; ``connectSocket``'s options not checked yet."""
    REJECTED = 1
    """``connectSocket`` failed: the task never connects and gets no events."""
    CONNECTING = 2
    OPEN = 3
    CLOSING = 4
    """``close()`` was called when open: the Close frame queues behind earlier sends."""
    ABORTING = 5
    """``close()`` was called before the handshake finished: the connection is failed."""
    FAILING = 6
    """The send queue overflowed: onError ran, a Close frame with 1001 goes out."""
    CLOSED = 7
    """onClose is queued; nothing else happens to the task."""


class Trigger(enum.Enum):
    """What moves a task from one state to another."""

    ACCEPT = "connectSocket accepted"
    REJECT = "connectSocket failed"
    HANDSHAKE = "the opening handshake succeeded"
    CLOSE_CALL = "close() called"
    OVERFLOW = "the send queue overflowed"
    TERMINATED = "the connection is gone"


_LIVE: Final = (State.CONNECTING, State.OPEN, State.CLOSING, State.ABORTING, State.FAILING)

TRANSITIONS: Final[Mapping[tuple[State, Trigger], State]] = {
    (State.NEW, Trigger.ACCEPT): State.CONNECTING,
    (State.NEW, Trigger.REJECT): State.REJECTED,
    (State.CONNECTING, Trigger.HANDSHAKE): State.OPEN,
    # WHATWG close(): "If the WebSocket connection is not yet established, fail the
    # WebSocket connection and set readyState to CLOSING."
    (State.CONNECTING, Trigger.CLOSE_CALL): State.ABORTING,
    # "Otherwise, if the WebSocket closing handshake has not yet been started, start the
    # WebSocket closing handshake and set readyState to CLOSING."
    (State.OPEN, Trigger.CLOSE_CALL): State.CLOSING,
    (State.OPEN, Trigger.OVERFLOW): State.FAILING,
    **{(state, Trigger.TERMINATED): State.CLOSED for state in _LIVE},
}
"""Every legal change of state; :meth:`TaskCore._advance` refuses the others."""

# States in which a message from the peer reaches onMessage.
_DELIVERING: Final = frozenset({State.OPEN, State.CLOSING})
# Enum members looked up once: in 3.11 ``State.OPEN`` costs a descriptor call per use,
# and send() runs once per message.
_OPEN: Final = State.OPEN
_BINARY: Final = Frame.BINARY


class TransitionError(RuntimeError):
    """A change of state that :data:`TRANSITIONS` does not list: a bug in the runtime."""

    def __init__(self, task: int, state: State, trigger: Trigger) -> None:
        super().__init__(task, state, trigger)
        self.task = task
        self.state = state
        self.trigger = trigger

    def __str__(self) -> str:
        return (
            f"SocketTask #{self.task}: no transition from {self.state.name} "
            f"on {self.trigger.name} ({self.trigger.value})"
        )


# -- effects ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """Run one user callback with ``payload``; ``label`` names it in logs."""

    fn: Listener
    payload: Any
    label: str


@dataclass(frozen=True, slots=True)
class Emit:
    """Dispatch ``event`` of ``core``: the global listener first when ``to_global``."""

    core: TaskCore
    event: Event
    payload: dict[str, Any]
    to_global: bool


@dataclass(frozen=True, slots=True)
class Deliver:
    """Dispatch the message event once per payload, in order (one run of messages)."""

    core: TaskCore
    payloads: list[dict[str, Any]]
    to_global: bool


@dataclass(frozen=True, slots=True)
class Connect:
    """Shell: open the connection ``request`` describes."""

    core: TaskCore
    request: ConnectRequest


@dataclass(frozen=True, slots=True)
class Flush:
    """Shell: write what :meth:`TaskCore.take_outgoing` hands out."""

    core: TaskCore


@dataclass(frozen=True, slots=True)
class ArmCloseTimer:
    """Shell: drop the TCP connection if the closing handshake takes too long."""

    core: TaskCore


@dataclass(frozen=True, slots=True)
class Abort:
    """Shell: fail the connection now (close() before the handshake finished)."""

    core: TaskCore


@dataclass(frozen=True, slots=True)
class FailClose:
    """Shell: stop writing, send a Close frame with ``code``."""

    core: TaskCore
    code: int


IORequest = Connect | Flush | ArmCloseTimer | Abort | FailClose
Effect = Call | Emit | Deliver | IORequest
Outbox = Callable[[Effect], None]


def settle(out: Outbox, options: Mapping[str, Any], result: dict[str, Any], api: str) -> None:
    """Emit ``success`` or ``fail`` (chosen by the errMsg, like uni's ``/:ok$/``), then
    ``complete``, with the same result object."""
    ok = result["errMsg"].endswith(":ok")
    first = options.get("success" if ok else "fail")
    if callable(first):
        out(Call(first, result, f"{api} {'success' if ok else 'fail'}"))
    complete = options.get("complete")
    if callable(complete):
        out(Call(complete, result, f"{api} complete"))


def uni_error(api: str, code: int, detail: str) -> dict[str, Any]:
    """An IUniError-shaped fail result: ``<api>:fail <detail>`` with errCode and errSubject."""
    return {"errMsg": f"{api}:fail {detail}", "errCode": code, "errSubject": ERR_SUBJECT}


class Registry:
    """Runtime-wide bookkeeping: live tasks in creation order, the global listeners.

    uni-app x docs: the deprecated globals "操作的是应用全局范围创建的第一个 WebSocket 连接"
    (act on the first WebSocket connection created in the app); a task leaves the list
    when it errors or closes.
    """

    __slots__ = ("_next_id", "globals", "live")

    def __init__(self) -> None:
        self.live: list[TaskCore] = []
        self.globals: dict[Event, Listener | None] = dict.fromkeys(Event)
        self._next_id = 0

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def first(self) -> TaskCore | None:
        return self.live[0] if self.live else None

    def discard(self, core: TaskCore) -> None:
        if core in self.live:
            self.live.remove(core)


class TaskCore:
    """One SocketTask's state, listeners and send queue."""

    __slots__ = (
        "_out",
        "flush_requested",
        "id",
        "listeners",
        "outgoing",
        "owner",
        "queue_limit",
        "queued",
        "registry",
        "routed_global",
        "shell",
        "state",
    )

    def __init__(
        self, registry: Registry, out: Outbox, *, queue_limit: int = QUEUE_LIMIT
    ) -> None:
        self.registry = registry
        self.id = registry.next_id()
        self._out = out
        self.state = State.NEW
        self.listeners: dict[Event, list[Listener]] = {e: [] for e in Event}
        self.queue_limit = queue_limit
        # Bytes accepted by send() and not yet written to the socket by the shell.
        self.queued = 0
        # Entries are settled once written (options are kept only when the call has
        # callbacks).
        self.outgoing: deque[Entry] = deque()
        # Whether a Flush effect is out and take_outgoing() has not yet found the queue
        # empty: one Flush per batch of sends.
        self.flush_requested = False
        # Whether onError went to the global listener: then onClose goes there too.
        self.routed_global = False
        # Opaque slots for the I/O shell (its loop, its connection); both are cleared once
        # onClose has run.
        self.owner: object | None = None
        self.shell: object | None = None

    def _advance(self, trigger: Trigger) -> None:
        new = TRANSITIONS.get((self.state, trigger))
        if new is None:
            raise TransitionError(self.id, self.state, trigger)
        self.state = new

    # -- API calls -----------------------------------------------------------------

    def connect(self, options: Mapping[str, Any]) -> None:
        """``connectSocket``: accept the call (success, complete, then connect) or fail."""
        request = parse_connect(options)
        if isinstance(request, Problem):
            self._advance(Trigger.REJECT)
            result = uni_error(
                "connectSocket", E_INVALID_URL, f"{MSG_INVALID_URL}: {request.detail}"
            )
            settle(self._out, options, result, "connectSocket")
            return
        self._advance(Trigger.ACCEPT)
        self.registry.live.append(self)
        settle(self._out, options, {"errMsg": "connectSocket:ok"}, "connectSocket")
        self._out(Connect(self, request))

    def add_listener(self, event: Event, callback: Listener) -> None:
        if self.state is not State.CLOSED:
            self.listeners[event].append(callback)

    def send(self, options: Mapping[str, Any]) -> None:
        data = options.get("data")
        payload: bytes
        frame: Frame
        if type(data) is bytes:
            payload, frame = data, _BINARY
        else:
            message = parse_message(data)
            if isinstance(message, Problem):
                detail = f"{MSG_SYSTEM}: {message.detail}"
                settle(self._out, options, uni_error("sendSocketMessage", E_SYSTEM, detail),
                       "sendSocketMessage")
                return
            payload, frame = message
        if self.state is not _OPEN:
            result = uni_error("sendSocketMessage", E_NOT_CONNECTED, MSG_NOT_CONNECTED)
            settle(self._out, options, result, "sendSocketMessage")
            return
        size = len(payload)
        if self.queued + size > self.queue_limit:
            result = uni_error("sendSocketMessage", E_QUEUE_FULL, MSG_QUEUE_FULL)
            settle(self._out, options, result, "sendSocketMessage")
            self._overflow()
            return
        self.queued += size
        # success/complete come once the message is written to the socket, which lets a
        # caller pace itself (there is no bufferedAmount in this API).
        has_callbacks = "success" in options or "complete" in options or "fail" in options
        self.outgoing.append((payload, frame, options if has_callbacks else None))
        if not self.flush_requested:
            self.flush_requested = True
            self._out(Flush(self))

    def close(self, options: Mapping[str, Any]) -> None:
        request = parse_close(options)
        if isinstance(request, Problem):
            settle(self._out, options, {"errMsg": f"closeSocket:fail {request.detail}"},
                   "closeSocket")
            return
        state = self.state
        if state is State.REJECTED:
            result = uni_error("closeSocket", E_NOT_CONNECTED, MSG_NOT_CONNECTED)
            settle(self._out, options, result, "closeSocket")
            return
        if state is State.CONNECTING:
            self._advance(Trigger.CLOSE_CALL)
            self._out(Abort(self))
        elif state is State.OPEN:
            # "close() does not discard previously sent messages before starting the
            # WebSocket closing handshake": the Close frame queues behind them.
            self._advance(Trigger.CLOSE_CALL)
            self.outgoing.append((request, Frame.CLOSE, None))
            self._out(ArmCloseTimer(self))
            self._request_flush()
        settle(self._out, options, {"errMsg": "closeSocket:ok"}, "closeSocket")

    # -- connection events (from the shell) ------------------------------------------

    def opened(self, header: dict[str, str]) -> bool:
        """The handshake succeeded. False when the task was aborted meanwhile."""
        if self.state is not State.CONNECTING:
            return False
        self._advance(Trigger.HANDSHAKE)
        self._emit(Event.OPEN, {"header": header})
        return True

    def message(self, data: str | bytes) -> None:
        if self.state in _DELIVERING:
            self._emit(Event.MESSAGE, {"data": data})

    def messages(self, batch: list[str | bytes]) -> None:
        """Several messages that arrived together, in order."""
        if self.state in _DELIVERING and batch:
            payloads = [{"data": data} for data in batch]
            self._out(Deliver(self, payloads, self._is_first()))

    def take_outgoing(self) -> list[Entry]:
        """Hand the queued entries to the writer; an empty list means it may sleep."""
        if not self.outgoing:
            self.flush_requested = False
            return []
        items = list(self.outgoing)
        self.outgoing.clear()
        return items

    def written(self, entries: list[Entry], nbytes: int) -> None:
        """The writer wrote these entries (``nbytes`` of payload) to the socket."""
        self.queued = max(0, self.queued - nbytes)
        for _, _, options in entries:
            if options is not None:
                settle(self._out, options, {"errMsg": "sendSocketMessage:ok"},
                       "sendSocketMessage")

    def unsent(self, entries: list[Entry]) -> None:
        """Accepted entries that will never be written: their calls fail."""
        for _, kind, options in entries:
            if options is not None and kind is not Frame.CLOSE:
                result = uni_error("sendSocketMessage", E_NOT_CONNECTED, MSG_NOT_CONNECTED)
                settle(self._out, options, result, "sendSocketMessage")

    def terminated(
        self, code: int, reason: str, error: str | None, cause: dict[str, str] | None = None
    ) -> None:
        """The connection is gone. ``error`` is set when it failed (no clean close); ``cause``
        (``{name, message}``, the shape of a JavaScript ``Error``) says what failed below it."""
        state = self.state
        if state not in _LIVE:
            return
        if state is not State.FAILING and (error is not None or state is State.ABORTING):
            self._error(error or MSG_ABORTED, cause)
        if state is State.ABORTING or error is not None:
            # RFC 6455 §7.1.5: no Close frame received means code 1006.
            code, reason = 1006, ""
        self._advance(Trigger.TERMINATED)
        self.unsent(list(self.outgoing))
        self.outgoing.clear()
        self.queued = 0
        to_global = self.routed_global or self._is_first()
        self.registry.discard(self)
        self._out(Emit(self, Event.CLOSE, {"code": code, "reason": reason}, to_global))

    def write_overflow(self) -> None:
        """The shell's unsent bytes went past the queue limit without a send() of ours (the
        automatic Pong answers to a peer that sends Pings and never reads): onError with the
        queue message, as for a send. Every queued write counts against the same 16 MiB; the
        shell then drops the connection, since no Close frame could get through."""
        if self.state is _OPEN:
            self.unsent(list(self.outgoing))
            self._error(MSG_QUEUE_FULL)
            self._advance(Trigger.OVERFLOW)
            self.outgoing.clear()
            self.queued = 0

    def release(self) -> None:
        """After onClose ran: drop listeners and the shell so nothing is kept alive."""
        for listeners in self.listeners.values():
            listeners.clear()
        self.shell = None
        self.owner = None

    # -- internals ------------------------------------------------------------------

    def _request_flush(self) -> None:
        if not self.flush_requested:
            self.flush_requested = True
            self._out(Flush(self))

    def _is_first(self) -> bool:
        live = self.registry.live
        return bool(live) and live[0] is self

    def _emit(self, event: Event, payload: dict[str, Any]) -> None:
        self._out(Emit(self, event, payload, self._is_first()))

    def _error(self, message: str, cause: dict[str, str] | None = None) -> None:
        to_global = self._is_first()
        self.routed_global = to_global
        self.registry.discard(self)
        payload: dict[str, Any] = {"errMsg": message}
        if cause is not None:
            payload["cause"] = cause
        self._out(Emit(self, Event.ERROR, payload, to_global))

    def _overflow(self) -> None:
        # OkHttp RealWebSocket.send: "if (queueSize + data.size > MAX_QUEUE_SIZE)
        # { close(CLOSE_CLIENT_GOING_AWAY, null); return false }". Queued messages are
        # dropped so memory is released at once; the Close frame goes out with 1001.
        self.unsent(list(self.outgoing))
        self._error(MSG_QUEUE_FULL)
        self._advance(Trigger.OVERFLOW)
        self.outgoing.clear()
        self.queued = 0
        self._out(FailClose(self, 1001))

