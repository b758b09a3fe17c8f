"""Type-only proof that the runtime fits the generated surface Protocols (never imported).

mypy checks this module with the package: ``Runtime`` must be a ``uniapi.websocket.Uni`` and
its tasks ``uniapi.websocket.SocketTask``s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uniapi.websocket import SocketTask as SocketTaskProtocol
    from uniapi.websocket import Uni

    from ._runtime import Runtime, SocketTask

    def _fits(runtime: Runtime, task: SocketTask) -> None:
        uni: Uni = runtime
        socket_task: SocketTaskProtocol = task
        socket_task = uni.connectSocket({"url": "ws://127.0.0.1:1/"})
        del socket_task
