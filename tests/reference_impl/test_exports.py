"""The public surface is small and pinned (httpx tests/test_exported_members.py)."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import pytest

import reference_impl
from reference_impl import Runtime, SocketTask

ROOT = Path(__file__).resolve().parents[2]


def test_exported_names_are_pinned() -> None:
    assert reference_impl.__all__ == [
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
    # (pytest's assertion rewriting may add "@py_builtins"-style names.)
    public = {name for name in vars(reference_impl) if name[0] not in "_@"}
    assert public == set(reference_impl.__all__)


def test_uni_is_a_default_runtime() -> None:
    assert isinstance(reference_impl.uni, Runtime)


def _public_methods(cls: type) -> dict[str, list[str]]:
    return {
        name: list(inspect.signature(member).parameters)[1:]
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }


def test_method_parameter_names_match_the_api() -> None:
    assert _public_methods(Runtime) == {
        "connectSocket": ["options"],
        "onSocketOpen": ["options"],
        "onSocketError": ["callback"],
        "sendSocketMessage": ["options"],
        "onSocketMessage": ["callback"],
        "closeSocket": ["options"],
        "onSocketClose": ["callback"],
        "shutdown": ["timeout"],
    }
    assert _public_methods(SocketTask) == {
        "send": ["options"],
        "close": ["options"],
        "onOpen": ["callback"],
        "onClose": ["callback"],
        "onError": ["callback"],
        "onMessage": ["callback"],
    }


def test_runtime_settings_are_keyword_only() -> None:
    parameters = inspect.signature(Runtime).parameters
    assert list(parameters) == [
        "ssl_context", "max_message_size", "open_timeout", "close_timeout", "start_delay",
    ]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())


def test_uni_and_a_task_fit_the_generated_uniapi_protocols(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stubs = ROOT / "stubs"
    if not (stubs / "uniapi" / "websocket.py").is_file():
        pytest.skip("the generated typed package stubs/uniapi is not there yet")
    api = pytest.importorskip("mypy.api")
    check = tmp_path / "check_surface.py"
    check.write_text(
        textwrap.dedent(
            """
            from uniapi.websocket import SocketTask, Uni
            from reference_impl import uni

            surface: Uni = uni
            task: SocketTask = uni.connectSocket({"url": "ws://127.0.0.1:1/"})
            """
        )
    )
    monkeypatch.setenv("MYPYPATH", f"{stubs}:{ROOT}")
    stdout, stderr, status = api.run(
        ["--strict", "--cache-dir", str(tmp_path / ".mypy_cache"), str(check)]
    )
    assert status == 0, stdout + stderr
