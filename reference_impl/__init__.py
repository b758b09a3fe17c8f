"""uni-app x ``uni.connectSocket`` / ``SocketTask`` on websockets' sans-I/O protocol and asyncio.

    from reference_impl import uni
    task = uni.connectSocket({"url": "ws://127.0.0.1:8765"})
    task.onOpen(lambda res: task.send({"data": "hello"}))
"""

from importlib import metadata as _metadata

from uniapi.websocket import (
    CloseSocketOptions,
    ConnectSocketFail,
    ConnectSocketOptions,
    ConnectSocketSuccess,
    GeneralCallbackResult,
    OnSocketCloseCallbackResult,
    OnSocketErrorCallbackResult,
    OnSocketMessageCallbackResult,
    OnSocketOpenCallbackResult,
    SendSocketMessageFail,
    SendSocketMessageOptions,
)

from ._runtime import Runtime, SocketTask

__all__ = [
    "CloseSocketOptions",
    "ConnectSocketFail",
    "ConnectSocketOptions",
    "ConnectSocketSuccess",
    "GeneralCallbackResult",
    "OnSocketCloseCallbackResult",
    "OnSocketErrorCallbackResult",
    "OnSocketMessageCallbackResult",
    "OnSocketOpenCallbackResult",
    "Runtime",
    "SendSocketMessageFail",
    "SendSocketMessageOptions",
    "SocketTask",
    "uni",
]

uni: Runtime = Runtime()
"""The default runtime."""

try:
    __version__ = _metadata.version("utsapi-kit")
except _metadata.PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
