"""Typed shapes of the uni-app x WebSocket surface, as this runtime uses them.

The names and keys mirror the generated typed package (``uniapi.websocket``) so that
this module can be replaced by imports from it: options and results are plain dicts
keyed as the API spells them (``errMsg``, ``errCode``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NotRequired, Protocol, TypeAlias, TypedDict

__all__ = [
    "CloseSocketOptions",
    "ConnectSocketErrorCode",
    "ConnectSocketFail",
    "ConnectSocketOptions",
    "ConnectSocketSuccess",
    "GeneralCallbackResult",
    "IUniError",
    "OnSocketCloseCallback",
    "OnSocketCloseCallbackResult",
    "OnSocketErrorCallback",
    "OnSocketErrorCallbackResult",
    "OnSocketMessageCallback",
    "OnSocketMessageCallbackResult",
    "OnSocketOpenCallback",
    "OnSocketOpenCallbackResult",
    "SendSocketMessageErrorCode",
    "SendSocketMessageFail",
    "SendSocketMessageOptions",
    "SocketTaskProtocol",
    "UniProtocol",
]


ConnectSocketErrorCode: TypeAlias = Literal[600009]
SendSocketMessageErrorCode: TypeAlias = Literal[10001, 10002, 602001]


class GeneralCallbackResult(TypedDict):
    errMsg: str


class ConnectSocketSuccess(TypedDict):
    errMsg: str


class IUniError(TypedDict):
    errSubject: str
    data: NotRequired[Any]
    cause: NotRequired[BaseException]
    errMsg: str


class ConnectSocketFail(TypedDict):
    errCode: ConnectSocketErrorCode
    errSubject: str
    data: NotRequired[Any]
    cause: NotRequired[BaseException]
    errMsg: str


class SendSocketMessageFail(TypedDict):
    errCode: SendSocketMessageErrorCode
    errSubject: str
    data: NotRequired[Any]
    cause: NotRequired[BaseException]
    errMsg: str


class ConnectSocketOptions(TypedDict):
    url: str
    header: NotRequired[Mapping[str, object] | None]
    protocols: NotRequired[Sequence[str] | None]
    success: NotRequired[Callable[[ConnectSocketSuccess], object] | None]
    fail: NotRequired[Callable[[ConnectSocketFail], object] | None]
    complete: NotRequired[Callable[[Any], object] | None]
    forceCellularNetwork: NotRequired[bool]
    perMessageDeflate: NotRequired[bool]
    tcpNoDelay: NotRequired[bool]
    timeout: NotRequired[int | float]


class SendSocketMessageOptions(TypedDict):
    data: str | bytes | bytearray | memoryview
    success: NotRequired[Callable[[GeneralCallbackResult], object] | None]
    fail: NotRequired[Callable[[SendSocketMessageFail], object] | None]
    complete: NotRequired[Callable[[Any], object] | None]


class CloseSocketOptions(TypedDict):
    code: NotRequired[int | float | None]
    reason: NotRequired[str | None]
    success: NotRequired[Callable[[GeneralCallbackResult], object] | None]
    fail: NotRequired[Callable[[GeneralCallbackResult], object] | None]
    complete: NotRequired[Callable[[GeneralCallbackResult], object] | None]


class OnSocketOpenCallbackResult(TypedDict):
    header: Any


class OnSocketMessageCallbackResult(TypedDict):
    data: str | bytes


class OnSocketCloseCallbackResult(TypedDict):
    code: int | float
    reason: str


class OnSocketErrorCallbackResult(TypedDict):
    errMsg: str


OnSocketOpenCallback: TypeAlias = Callable[[OnSocketOpenCallbackResult], object]
OnSocketErrorCallback: TypeAlias = Callable[[OnSocketErrorCallbackResult], object]
OnSocketMessageCallback: TypeAlias = Callable[[OnSocketMessageCallbackResult], object]
OnSocketCloseCallback: TypeAlias = Callable[[OnSocketCloseCallbackResult], object]


class SocketTaskProtocol(Protocol):
    """The SocketTask surface (stand-in for ``uniapi.websocket.SocketTask``)."""

    def send(self, options: SendSocketMessageOptions) -> None: ...

    def close(self, options: CloseSocketOptions) -> None: ...

    def onOpen(self, callback: Callable[[OnSocketOpenCallbackResult], object]) -> None: ...

    def onClose(self, callback: Callable[[Any], object]) -> None: ...

    def onError(self, callback: Callable[[GeneralCallbackResult], object]) -> None: ...

    def onMessage(self, callback: Callable[[OnSocketMessageCallbackResult], object]) -> None: ...


class UniProtocol(Protocol):
    """The module surface (stand-in for ``uniapi.websocket.Uni``)."""

    def connectSocket(self, options: ConnectSocketOptions) -> SocketTaskProtocol: ...

    def onSocketOpen(self, options: OnSocketOpenCallback) -> None: ...

    def onSocketError(self, callback: OnSocketErrorCallback) -> None: ...

    def sendSocketMessage(self, options: SendSocketMessageOptions) -> None: ...

    def onSocketMessage(self, callback: OnSocketMessageCallback) -> None: ...

    def closeSocket(self, options: CloseSocketOptions) -> None: ...

    def onSocketClose(self, callback: OnSocketCloseCallback) -> None: ...
