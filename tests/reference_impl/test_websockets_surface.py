"""The shell uses only websockets' documented sans-I/O API; these tests fail loudly when a
release moves any of it (pyproject pins ``websockets<18`` until a new major is checked)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import websockets
from websockets.client import ClientProtocol
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

import reference_impl._runtime as runtime_module

# docs/reference/sansio/client.rst: the methods and attributes of ClientProtocol.
DOCUMENTED = {
    "receive_data", "receive_eof", "connect", "send_request", "send_continuation",
    "send_text", "send_binary", "send_close", "send_ping", "send_pong", "fail",
    "events_received", "data_to_send", "close_expected", "id", "logger", "state",
    "handshake_exc", "close_code", "close_reason", "close_exc",
}


def _protocol_attributes() -> set[str]:
    """Attributes the shell reads on names called ``protocol``."""
    tree = ast.parse(Path(runtime_module.__file__).read_text("utf-8"))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "protocol"
    }


def test_the_shell_reads_only_documented_attributes_of_the_protocol() -> None:
    used = _protocol_attributes()
    assert used, "the scan found nothing: the shell's variable name changed"
    assert used <= DOCUMENTED, sorted(used - DOCUMENTED)


def test_every_documented_name_the_shell_uses_exists_in_this_release() -> None:
    for name in _protocol_attributes():
        assert hasattr(ClientProtocol, name) or name in {"id", "logger", "handshake_exc"}, (
            f"websockets {websockets.__version__}: ClientProtocol.{name} is gone"
        )
    fields = {f.name for f in dataclasses.fields(Frame)}
    assert {"opcode", "data", "fin"} <= fields
    assert {Opcode.TEXT, Opcode.BINARY, Opcode.CONT} <= set(Opcode)
    assert {"status_code", "headers"} <= {f.name for f in dataclasses.fields(Response)}
    assert InvalidStatus(Response(403, "Forbidden", Headers())).response.status_code == 403
    closed = ConnectionClosed(None, None)
    assert closed.sent is None and closed.rcvd is None


def test_a_fresh_protocol_has_the_documented_instance_attributes() -> None:
    protocol = ClientProtocol(parse_uri("ws://127.0.0.1:1/"))
    assert protocol.handshake_exc is None
    assert protocol.close_code is None
    assert protocol.data_to_send() == []
    assert protocol.events_received() == []


def test_no_private_websockets_name_is_imported() -> None:
    tree = ast.parse(Path(runtime_module.__file__).read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("websockets"):
            assert not any(part.startswith("_") for part in (node.module or "").split("."))
            assert not any(alias.name.startswith("_") for alias in node.names)
