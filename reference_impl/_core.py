"""The SocketTask state machine and callback contract, with no I/O.

Everything here is plain data in, plain data out (the sans-I/O habit of
``websockets.protocol``): API calls and connection events go in as method calls,
and what must happen next comes out as *effects* appended to the task's outbox:

* ``(CALL, fn, payload, label, None)``: run one user callback;
* ``(EMIT, core, event, payload, to_global)``: dispatch a task event to the global
  listener (when ``to_global``) and then to the task's listeners, resolved when it runs;
* ``(IO, core, command, argument, None)``: a request to the I/O shell.

The shell owns threads, the event loop and the socket; it serialises calls into this
module with one lock and runs the effects, in order, on the runtime's loop thread.
"""

from __future__ import annotations

import string
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = [
    "CALL",
    "EMIT",
    "IO",
    "QUEUE_LIMIT",
    "ConnectRequest",
    "Registry",
    "TaskCore",
]

Effect = tuple[int, Any, Any, Any, Any]
Entry = tuple[Any, int, Mapping[str, Any] | None]
Outbox = Callable[[Effect], None]

CALL: Final = 0
EMIT: Final = 1
IO: Final = 2

# I/O commands (third item of an IO effect).
CONNECT: Final = "connect"
FLUSH: Final = "flush"
CLOSING: Final = "closing"
ABORT: Final = "abort"
FAIL_CLOSE: Final = "fail-close"

# Task events.
OPEN_EVENT: Final = "open"
MESSAGE_EVENT: Final = "message"
ERROR_EVENT: Final = "error"
CLOSE_EVENT: Final = "close"
EVENTS: Final = (OPEN_EVENT, MESSAGE_EVENT, ERROR_EVENT, CLOSE_EVENT)

# States. INERT: connectSocket failed, the task never connects.
INERT: Final = 0
CONNECTING: Final = 1
OPEN: Final = 2
CLOSING_STATE: Final = 3
CLOSED: Final = 4

# Outgoing queue entry kinds.
BINARY: Final = 0
TEXT: Final = 1
CLOSE_FRAME: Final = 2

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

# RFC 6455 §4.1: "The request MAY include a header field with the name
# Sec-WebSocket-Protocol ... Each value must be a non-empty string of token characters".
_TOKEN_CHARS: Final = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
# Characters left as they are when a URL is normalised (RFC 3986 reserved, unreserved, %).
_URL_SAFE: Final = ":/?#[]@!$&'()*+,;=-._~%"
# Header fields the opening handshake owns; a caller may not set them.
_HANDSHAKE_HEADERS: Final = frozenset(
    {
        "host",
        "upgrade",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
        "content-length",
        "transfer-encoding",
    }
)
# "header 中不能设置 Referer" (ConnectSocketOptions.header): dropped, not sent.
_DROPPED_HEADERS: Final = frozenset({"referer"})


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    """A validated ``connectSocket`` call: what the shell needs to open the connection."""

    url: str
    secure: bool
    headers: tuple[tuple[str, str], ...]
    protocols: tuple[str, ...]
    timeout: float | None
    deflate: bool


def _callbacks(options: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    success = options.get("success")
    fail = options.get("fail")
    complete = options.get("complete")
    return (
        success if callable(success) else None,
        fail if callable(fail) else None,
        complete if callable(complete) else None,
    )


def settle(out: Outbox, options: Mapping[str, Any], result: dict[str, Any], api: str) -> None:
    """Emit ``success`` or ``fail`` (chosen by the errMsg, like uni's ``/:ok$/``), then
    ``complete``, with the same result object."""
    success, fail, complete = _callbacks(options)
    ok = result["errMsg"].endswith(":ok")
    first = success if ok else fail
    if first is not None:
        out((CALL, first, result, f"{api} {'success' if ok else 'fail'}", None))
    if complete is not None:
        out((CALL, complete, result, f"{api} complete", None))


def uni_error(api: str, code: int, detail: str) -> dict[str, Any]:
    """An IUniError-shaped fail result: ``<api>:fail <detail>`` with errCode and errSubject."""
    return {"errMsg": f"{api}:fail {detail}", "errCode": code, "errSubject": ERR_SUBJECT}


def _check_url(url: object) -> str | None:
    """Why ``url`` is not a usable WebSocket URL, or None when it is.

    WHATWG WebSockets, constructor: fail if the URL does not parse, if its scheme is not
    "ws" or "wss", or if it has a fragment. Only ws/wss are accepted here (uni-app x).
    """
    if not isinstance(url, str):
        return f"url must be a string, not {type(url).__name__}"
    if not url:
        return "url is empty"
    if any(ch < " " or ch == "\x7f" for ch in url):
        return "url contains a control character"
    if "#" in url:
        return "url has a fragment"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"url does not parse ({exc})"
    if parts.scheme.lower() not in ("ws", "wss"):
        return f"scheme must be ws or wss, not {parts.scheme or 'missing'!r}"
    host = parts.hostname
    if not host:
        return "url has no host"
    if " " in parts.netloc:
        return "the host contains a space"
    if port == 0:
        return "port 0 is not a valid port"
    try:
        host.encode("idna")
    except UnicodeError:
        return f"host {host!r} is not a valid host name"
    return None


def _header_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _check_headers(header: object) -> tuple[tuple[tuple[str, str], ...], str | None]:
    if header is None:
        return (), None
    if not isinstance(header, Mapping):
        return (), f"header must be an object, not {type(header).__name__}"
    pairs: list[tuple[str, str]] = []
    for name, raw in header.items():
        if not isinstance(name, str) or not name or not set(name) <= _TOKEN_CHARS:
            return (), f"header name {name!r} is not an HTTP token"
        lowered = name.lower()
        if lowered in _HANDSHAKE_HEADERS:
            return (), f"header {name!r} is set by the WebSocket handshake"
        if lowered in _DROPPED_HEADERS or raw is None:
            continue
        value = _header_value(raw)
        if any(ch in value for ch in "\r\n\x00"):
            return (), f"header {name!r} has a line break or NUL in its value"
        pairs.append((name, value))
    return tuple(pairs), None


def _check_protocols(protocols: object) -> tuple[tuple[str, ...], str | None]:
    # A single string is accepted as [string] (uni-api ConnectSocketOptions.formatArgs).
    if protocols is None:
        return (), None
    items = [protocols] if isinstance(protocols, str) else protocols
    if not isinstance(items, list | tuple):
        return (), f"protocols must be an array of strings, not {type(protocols).__name__}"
    seen: set[str] = set()
    result: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item or not set(item) <= _TOKEN_CHARS:
            return (), f"protocol {item!r} is not a token"
        # WPT Create-protocols-repeated-case-insensitive: duplicates are a SyntaxError.
        if item.lower() in seen:
            return (), f"protocol {item!r} is repeated"
        seen.add(item.lower())
        result.append(item)
    return tuple(result), None


def parse_connect(options: Mapping[str, Any]) -> tuple[ConnectRequest | None, str | None]:
    """Validate ``connectSocket`` options: a request, or the reason for ``fail``."""
    url = options.get("url")
    if isinstance(url, str):
        # WHATWG URL parsing strips leading and trailing C0 controls and spaces.
        url = url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r"
                        "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
                        "\x1b\x1c\x1d\x1e\x1f ")
    problem = _check_url(url)
    if problem is not None:
        return None, problem
    assert isinstance(url, str)
    # ... and percent-encodes spaces and non-ASCII characters of the path and query.
    parts = urlsplit(url)
    path, query = quote(parts.path, _URL_SAFE), quote(parts.query, _URL_SAFE)
    url = urlunsplit((parts.scheme, parts.netloc, path, query, ""))
    headers, problem = _check_headers(options.get("header"))
    if problem is not None:
        return None, problem
    protocols, problem = _check_protocols(options.get("protocols"))
    if problem is not None:
        return None, problem
    raw_timeout = options.get("timeout")
    timeout = None
    if (
        isinstance(raw_timeout, int | float)
        and not isinstance(raw_timeout, bool)
        and raw_timeout > 0
    ):
        timeout = raw_timeout / 1000.0
    request = ConnectRequest(
        url=url,
        secure=url[:4].lower() == "wss:",
        headers=headers,
        protocols=protocols,
        timeout=timeout,
        deflate=options.get("perMessageDeflate") is True,
    )
    return request, None


def _valid_close_code(code: object) -> bool:
    # WHATWG close() step 1: "If code is present, but is neither an integer equal to
    # 1000 nor an integer in the range 3000 to 4999, inclusive, throw InvalidAccessError."
    if isinstance(code, bool) or not isinstance(code, int):
        return False
    return code == 1000 or 3000 <= code <= 4999


def _scrub(text: str) -> str:
    """Replace unpaired surrogates by U+FFFD (WHATWG USVString conversion)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _encode_text(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _scrub(text).encode("utf-8")


class Registry:
    """Runtime-wide bookkeeping: live tasks in creation order, the global listeners.

    uni-app x docs: the deprecated globals "操作的是应用全局范围创建的第一个 WebSocket 连接"
    (act on the first WebSocket connection created in the app); a task leaves the list
    when it errors or closes.
    """

    __slots__ = ("_next_id", "globals", "live")

    def __init__(self) -> None:
        self.live: list[TaskCore] = []
        self.globals: dict[str, Callable[[Any], object] | None] = dict.fromkeys(EVENTS)
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
        "aborted",
        "errored",
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
        self.state = INERT
        self.listeners: dict[str, list[Callable[[Any], object]]] = {e: [] for e in EVENTS}
        self.queue_limit = queue_limit
        # Bytes accepted by send() and not yet written to the socket by the shell.
        self.queued = 0
        # (payload, kind, options or None) entries; options are kept when the call has
        # callbacks, settled once the entry is written. CLOSE_FRAME carries (code, reason).
        self.outgoing: deque[Entry] = deque()
        self.flush_requested = False
        self.errored = False
        self.aborted = False
        self.routed_global = False
        # Opaque slots for the I/O shell (its loop, its connection driver); both are
        # cleared once onClose has run.
        self.owner: object | None = None
        self.shell: object | None = None

    # -- API calls -----------------------------------------------------------------

    def connect(self, options: Mapping[str, Any]) -> None:
        """``connectSocket``: accept the call (success, complete, then connect) or fail."""
        request, problem = parse_connect(options)
        if request is None:
            result = uni_error("connectSocket", E_INVALID_URL, f"{MSG_INVALID_URL}: {problem}")
            settle(self._out, options, result, "connectSocket")
            return
        self.state = CONNECTING
        self.registry.live.append(self)
        settle(self._out, options, {"errMsg": "connectSocket:ok"}, "connectSocket")
        self._out((IO, self, CONNECT, request, None))

    def add_listener(self, event: str, callback: Callable[[Any], object]) -> None:
        if self.state != CLOSED:
            self.listeners[event].append(callback)

    def send(self, options: Mapping[str, Any]) -> None:
        data: Any = options.get("data")
        kind = type(data)
        if kind is str:
            payload = data.encode("utf-8") if data.isascii() else _encode_text(data)
            frame = TEXT
        elif kind is bytes:
            payload = data
            frame = BINARY
        elif isinstance(data, bytes | bytearray | memoryview):
            payload = bytes(data)
            frame = BINARY
        elif isinstance(data, str):
            payload = _encode_text(data)
            frame = TEXT
        else:
            detail = (
                f"{MSG_SYSTEM}: data must be a string or binary (bytes, bytearray, "
                f"memoryview), not {kind.__name__}"
            )
            settle(self._out, options, uni_error("sendSocketMessage", E_SYSTEM, detail),
                   "sendSocketMessage")
            return
        if self.state != OPEN:
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
            self._out((IO, self, FLUSH, None, None))

    def close(self, options: Mapping[str, Any]) -> None:
        code = options.get("code")
        reason = options.get("reason")
        if code is None:
            code = 1000
        if reason is None:
            reason = ""
        problem = None
        if not _valid_close_code(code):
            problem = f"invalid code {code!r}: the code must be 1000 or in 3000-4999"
        elif not isinstance(reason, str):
            problem = f"reason must be a string, not {type(reason).__name__}"
        else:
            reason = _scrub(reason)
            size = len(reason.encode("utf-8"))
            if size > 123:
                problem = f"reason is {size} bytes of UTF-8, more than 123"
        if problem is not None:
            settle(self._out, options, {"errMsg": f"closeSocket:fail {problem}"}, "closeSocket")
            return
        state = self.state
        if state == INERT:
            result = uni_error("closeSocket", E_NOT_CONNECTED, MSG_NOT_CONNECTED)
            settle(self._out, options, result, "closeSocket")
            return
        if state == CONNECTING:
            # WHATWG close(): "If the WebSocket connection is not yet established, fail
            # the WebSocket connection and set readyState to CLOSING."
            self.state = CLOSING_STATE
            self.aborted = True
            self._out((IO, self, ABORT, None, None))
        elif state == OPEN:
            # "close() does not discard previously sent messages before starting the
            # WebSocket closing handshake": the Close frame queues behind them.
            self.state = CLOSING_STATE
            self.outgoing.append(((code, reason), CLOSE_FRAME, None))
            self._out((IO, self, CLOSING, None, None))
            if not self.flush_requested:
                self.flush_requested = True
                self._out((IO, self, FLUSH, None, None))
        settle(self._out, options, {"errMsg": "closeSocket:ok"}, "closeSocket")

    # -- connection events (from the shell) ------------------------------------------

    def opened(self, header: dict[str, str]) -> bool:
        """The handshake succeeded. False when the task was aborted meanwhile."""
        if self.state != CONNECTING:
            return False
        self.state = OPEN
        self._emit(OPEN_EVENT, {"header": header})
        return True

    def message(self, data: str | bytes) -> None:
        if self.state == OPEN or (self.state == CLOSING_STATE and not self.errored):
            self._emit(MESSAGE_EVENT, {"data": data})

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
            if options is not None and kind != CLOSE_FRAME:
                result = uni_error("sendSocketMessage", E_NOT_CONNECTED, MSG_NOT_CONNECTED)
                settle(self._out, options, result, "sendSocketMessage")

    def terminated(self, code: int, reason: str, error: str | None) -> None:
        """The connection is gone. ``error`` is set when it failed (no clean close)."""
        if self.state in (CLOSED, INERT):
            return
        if not self.errored and (error is not None or self.aborted):
            self._error(error or "connection aborted by close()")
        if self.aborted or error is not None:
            # RFC 6455 §7.1.5: no Close frame received means code 1006.
            code, reason = 1006, ""
        self.state = CLOSED
        self.unsent(list(self.outgoing))
        self.outgoing.clear()
        self.queued = 0
        to_global = self.routed_global or self._is_first()
        self.registry.discard(self)
        self._out((EMIT, self, CLOSE_EVENT, {"code": code, "reason": reason}, to_global))

    def release(self) -> None:
        """After onClose ran: drop listeners and the shell so nothing is kept alive."""
        for listeners in self.listeners.values():
            listeners.clear()
        self.shell = None
        self.owner = None

    # -- internals ------------------------------------------------------------------

    def _is_first(self) -> bool:
        live = self.registry.live
        return bool(live) and live[0] is self

    def _emit(self, event: str, payload: dict[str, Any]) -> None:
        self._out((EMIT, self, event, payload, self._is_first()))

    def _error(self, message: str) -> None:
        self.errored = True
        to_global = self._is_first()
        self.routed_global = to_global
        self.registry.discard(self)
        self._out((EMIT, self, ERROR_EVENT, {"errMsg": message}, to_global))

    def _overflow(self) -> None:
        # OkHttp RealWebSocket.send: "if (queueSize + data.size > MAX_QUEUE_SIZE)
        # { close(CLOSE_CLIENT_GOING_AWAY, null); return false }". Queued messages are
        # dropped so memory is released at once; the Close frame goes out with 1001.
        self.unsent(list(self.outgoing))
        self._error(MSG_QUEUE_FULL)
        self.state = CLOSING_STATE
        self.outgoing.clear()
        self.queued = 0
        self._out((IO, self, FAIL_CLOSE, 1001, None))
