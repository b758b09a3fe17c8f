"""Type-only proof that the runtime fits the surface Protocols (never imported).

mypy checks this module with the package; when the generated ``uniapi`` package is
installed, the same assignments are made against ``uniapi.websocket``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._runtime import Runtime, SocketTask
    from ._types import SocketTaskProtocol, UniProtocol

    def _fits(runtime: Runtime, task: SocketTask) -> None:
        uni: UniProtocol = runtime
        socket_task: SocketTaskProtocol = task
        socket_task = uni.connectSocket({"url": "ws://127.0.0.1:1/"})
        del socket_task
