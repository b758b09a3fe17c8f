"""Checks of the options that ``connectSocket``, ``send`` and ``close`` take, with no state.

Each check returns what the call asks for, or a :class:`Problem` that says what is wrong
with which option; the core turns a problem into the ``fail`` result of the call.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = [
    "CloseRequest",
    "ConnectRequest",
    "Frame",
    "Problem",
    "parse_close",
    "parse_connect",
    "parse_message",
    "scrub",
]

# RFC 6455 §4.1: "The request MAY include a header field with the name
# Sec-WebSocket-Protocol ... Each value must be a non-empty string of token characters".
_TOKEN_CHARS: Final = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
# Characters left as they are when a URL is normalised (RFC 3986 reserved, unreserved, %).
_URL_SAFE: Final = ":/?#[]@!$&'()*+,;=-._~%"
# WHATWG URL parsing strips leading and trailing C0 controls and spaces.
_C0_AND_SPACE: Final = "".join(chr(c) for c in range(0x20)) + " "
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
# RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less";
# a Close frame's payload is the 2-byte code and the reason.
_MAX_REASON_BYTES: Final = 123


class Frame(enum.IntEnum):
    """The kind of an outgoing queue entry."""

    BINARY = 0
    TEXT = 1
    CLOSE = 2


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a call's options are refused: the text after ``<api>:fail``."""

    detail: str


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    """A validated ``connectSocket`` call: what the shell needs to open the connection."""

    url: str
    secure: bool
    headers: tuple[tuple[str, str], ...]
    protocols: tuple[str, ...]
    timeout: float | None
    deflate: bool


@dataclass(frozen=True, slots=True)
class CloseRequest:
    """A validated ``close`` call: the code and reason of the Close frame."""

    code: int
    reason: str


# -- connectSocket -----------------------------------------------------------------------------


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


def _check_headers(header: object) -> tuple[tuple[str, str], ...] | Problem:
    if header is None:
        return ()
    if not isinstance(header, Mapping):
        return Problem(f"header must be an object, not {type(header).__name__}")
    pairs: list[tuple[str, str]] = []
    for name, raw in header.items():
        if not isinstance(name, str) or not name or not set(name) <= _TOKEN_CHARS:
            return Problem(f"header name {name!r} is not an HTTP token")
        lowered = name.lower()
        if lowered in _HANDSHAKE_HEADERS:
            return Problem(f"header {name!r} is set by the WebSocket handshake")
        if lowered in _DROPPED_HEADERS or raw is None:
            continue
        value = _header_value(raw)
        if any(ch in value for ch in "\r\n\x00"):
            return Problem(f"header {name!r} has a line break or NUL in its value")
        pairs.append((name, value))
    return tuple(pairs)


def _check_protocols(protocols: object) -> tuple[str, ...] | Problem:
    # A single string is accepted as [string] (uni-api ConnectSocketOptions.formatArgs).
    if protocols is None:
        return ()
    items = [protocols] if isinstance(protocols, str) else protocols
    if not isinstance(items, list | tuple):
        return Problem(
            f"protocols must be an array of strings, not {type(protocols).__name__}"
        )
    seen: set[str] = set()
    result: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item or not set(item) <= _TOKEN_CHARS:
            return Problem(f"protocol {item!r} is not a token")
        # WPT Create-protocols-repeated-case-insensitive: duplicates are a SyntaxError.
        if item.lower() in seen:
            return Problem(f"protocol {item!r} is repeated")
        seen.add(item.lower())
        result.append(item)
    return tuple(result)


def parse_connect(options: Mapping[str, Any]) -> ConnectRequest | Problem:
    """Validate ``connectSocket`` options: the request, or why ``fail`` is called."""
    url = options.get("url")
    if isinstance(url, str):
        url = url.strip(_C0_AND_SPACE)
    problem = _check_url(url)
    if problem is not None:
        return Problem(problem)
    assert isinstance(url, str)
    # ... and percent-encodes spaces and non-ASCII characters of the path and query.
    parts = urlsplit(url)
    path, query = quote(parts.path, _URL_SAFE), quote(parts.query, _URL_SAFE)
    url = urlunsplit((parts.scheme, parts.netloc, path, query, ""))
    headers = _check_headers(options.get("header"))
    if isinstance(headers, Problem):
        return headers
    protocols = _check_protocols(options.get("protocols"))
    if isinstance(protocols, Problem):
        return protocols
    raw_timeout = options.get("timeout")
    timeout = None
    if (
        isinstance(raw_timeout, int | float)
        and not isinstance(raw_timeout, bool)
        and raw_timeout > 0
    ):
        timeout = raw_timeout / 1000.0
    return ConnectRequest(
        url=url,
        secure=url[:4].lower() == "wss:",
        headers=headers,
        protocols=protocols,
        timeout=timeout,
        deflate=options.get("perMessageDeflate") is True,
    )


# -- send ----------------------------------------------------------------------------------


def scrub(text: str) -> str:
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
        return scrub(text).encode("utf-8")


def parse_message(data: object) -> tuple[bytes, Frame] | Problem:
    """The payload and frame kind of ``send``'s ``data``: ``str`` goes as a text frame,
    bytes-like as a binary frame (copied now, so later changes to it are not sent)."""
    kind = type(data)
    if kind is str:
        assert isinstance(data, str)
        return (data.encode("utf-8") if data.isascii() else _encode_text(data)), Frame.TEXT
    if kind is bytes:
        assert isinstance(data, bytes)
        return data, Frame.BINARY
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data), Frame.BINARY
    if isinstance(data, str):
        return _encode_text(data), Frame.TEXT
    return Problem(
        "data must be a string or binary (bytes, bytearray, memoryview), "
        f"not {kind.__name__}"
    )


# -- close ---------------------------------------------------------------------------------


def _valid_close_code(code: object) -> bool:
    # WHATWG close() step 1: "If code is present, but is neither an integer equal to
    # 1000 nor an integer in the range 3000 to 4999, inclusive, throw InvalidAccessError."
    if isinstance(code, bool) or not isinstance(code, int):
        return False
    return code == 1000 or 3000 <= code <= 4999


def parse_close(options: Mapping[str, Any]) -> CloseRequest | Problem:
    """Validate ``close`` options: code 1000 and reason "" when absent."""
    code = options.get("code")
    reason = options.get("reason")
    if code is None:
        code = 1000
    if reason is None:
        reason = ""
    if not _valid_close_code(code):
        return Problem(f"invalid code {code!r}: the code must be 1000 or in 3000-4999")
    if not isinstance(reason, str):
        return Problem(f"reason must be a string, not {type(reason).__name__}")
    reason = scrub(reason)
    size = len(reason.encode("utf-8"))
    # WHATWG close() step 2: "If reasonBytes is longer than 123 bytes, then throw a
    # SyntaxError."
    if size > _MAX_REASON_BYTES:
        return Problem(f"reason is {size} bytes of UTF-8, more than {_MAX_REASON_BYTES}")
    return CloseRequest(code, reason)
