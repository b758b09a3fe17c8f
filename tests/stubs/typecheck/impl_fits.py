"""The reference implementation fits the typed package's Protocols (STYLE habit 8; compare
jsonschema's ``protocols.py``).  Type-checked by mypy --strict and pyright, never run."""

from __future__ import annotations

from uniapi.websocket import ConnectSocketOptions, SocketTask, Uni

import reference_impl
from reference_impl import uni as reference_uni

uni: Uni = reference_uni
runtime: Uni = reference_impl.Runtime()


def task_fits(options: ConnectSocketOptions) -> SocketTask:
    task: SocketTask = reference_uni.connectSocket(options)
    concrete: reference_impl.SocketTask = reference_uni.connectSocket(options)
    as_protocol: SocketTask = concrete
    del as_protocol
    return task
