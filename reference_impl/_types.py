"""Typed shapes of the uni-app x WebSocket surface, as this runtime uses them.

The names and keys mirror the generated typed package (``uniapi.websocket``) so that
this module can be replaced by imports from it: options and results are plain dicts
keyed as the API spells them (``errMsg``, ``errCode``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NotRequired, Protocol, TypedDict

__all__ = [
    "CloseSocketOptions",
    "ConnectSocketFail",
    "ConnectSocketOptions",
    "ConnectSocketSuccess",
    "GeneralCallbackResult",
    "OnSocketCloseCallback",
    "OnSocketCloseCallbackResult",
    "OnSocketErrorCallback",
    "OnSocketErrorCallbackResult",
    "OnSocketMessageCallback",
    "OnSocketMessageCallbackResult",
    "OnSocketOpenCallback",
    "OnSocketOpenCallbackResult",
    "SendSocketMessageFail",
    "SendSocketMessageOptions",
    "SocketTaskProtocol",
    "UniProtocol",
]


class GeneralCallbackResult(TypedDict):
    errMsg: str


class ConnectSocketSuccess(TypedDict):
    errMsg: str


class ConnectSocketFail(TypedDict):
    errCode: int
    errSubject: str
    errMsg: str
    data: NotRequired[Any]
    cause: NotRequired[Any]


class SendSocketMessageFail(TypedDict):
    errCode: int
    errSubject: str
    errMsg: str
    data: NotRequired[Any]
    cause: NotRequired[Any]


class OnSocketOpenCallbackResult(TypedDict):
    header: Any


class OnSocketMessageCallbackResult(TypedDict):
    data: Any


class OnSocketCloseCallbackResult(TypedDict):
    code: int
    reason: str


class OnSocketErrorCallbackResult(TypedDict):
    errMsg: str


class ConnectSocketOptions(TypedDict, total=False):
    url: str
    header: dict[str, Any] | None
    protocols: list[str] | None
    success: Callable[[ConnectSocketSuccess], None] | None
    fail: Callable[[ConnectSocketFail], None] | None
    complete: Callable[[Any], None] | None
    forceCellularNetwork: bool
    perMessageDeflate: bool
    tcpNoDelay: bool
    timeout: float


class SendSocketMessageOptions(TypedDict, total=False):
    data: Any
    success: Callable[[GeneralCallbackResult], None] | None
    fail: Callable[[SendSocketMessageFail], None] | None
    complete: Callable[[Any], None] | None


class CloseSocketOptions(TypedDict, total=False):
    code: int | None
    reason: str | None
    success: Callable[[GeneralCallbackResult], None] | None
    fail: Callable[[GeneralCallbackResult], None] | None
    complete: Callable[[GeneralCallbackResult], None] | None


OnSocketOpenCallback = Callable[[OnSocketOpenCallbackResult], None]
OnSocketErrorCallback = Callable[[OnSocketErrorCallbackResult], None]
OnSocketMessageCallback = Callable[[OnSocketMessageCallbackResult], None]
OnSocketCloseCallback = Callable[[OnSocketCloseCallbackResult], None]


class SocketTaskProtocol(Protocol):
    """The SocketTask surface (stand-in for ``uniapi.websocket.SocketTask``)."""

    def send(self, options: SendSocketMessageOptions) -> None: ...

    def close(self, options: CloseSocketOptions) -> None: ...

    def onOpen(self, callback: Callable[[OnSocketOpenCallbackResult], None]) -> None: ...

    def onClose(self, callback: Callable[[Any], None]) -> None: ...

    def onError(self, callback: Callable[[GeneralCallbackResult], None]) -> None: ...

    def onMessage(self, callback: Callable[[OnSocketMessageCallbackResult], None]) -> None: ...


class UniProtocol(Protocol):
    """The module surface (stand-in for ``uniapi.websocket.Uni``)."""

    def connectSocket(self, options: ConnectSocketOptions) -> SocketTaskProtocol: ...

    def onSocketOpen(self, options: OnSocketOpenCallback) -> None: ...

    def onSocketError(self, callback: OnSocketErrorCallback) -> None: ...

    def sendSocketMessage(self, options: SendSocketMessageOptions) -> None: ...

    def onSocketMessage(self, callback: OnSocketMessageCallback) -> None: ...

    def closeSocket(self, options: CloseSocketOptions) -> None: ...

    def onSocketClose(self, callback: OnSocketCloseCallback) -> None: ...
