"""The deprecated globals: their types fit, and each use is reported as deprecated, naming the
replacement.  ``test_typecheck.py`` runs mypy (``--enable-error-code deprecated``) and pyright
(strict) on this file and expects exactly these six reports, on the marked lines.
"""

from __future__ import annotations

from uniapi.websocket import (
    OnSocketCloseCallbackResult,
    OnSocketErrorCallbackResult,
    OnSocketMessageCallbackResult,
    OnSocketOpenCallbackResult,
    Uni,
)


def on_open(res: OnSocketOpenCallbackResult) -> None: ...


def on_error(res: OnSocketErrorCallbackResult) -> None: ...


def on_message(res: OnSocketMessageCallbackResult) -> None: ...


def on_close(res: OnSocketCloseCallbackResult) -> None: ...


def deprecated_globals(uni: Uni) -> None:
    uni.onSocketOpen(on_open)  # deprecated: SocketTask.onOpen
    uni.onSocketError(on_error)  # deprecated: SocketTask.onError
    uni.sendSocketMessage({"data": b"\x00"})  # deprecated: SocketTask.send
    uni.onSocketMessage(on_message)  # deprecated: SocketTask.onMessage
    uni.closeSocket({"code": 1000})  # deprecated: SocketTask.close
    uni.onSocketClose(on_close)  # deprecated: SocketTask.onClose
