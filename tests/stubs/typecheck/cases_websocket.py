"""``assert_type`` cases for ``uniapi.websocket``: type-checked (mypy --strict, pyright strict),
never run.  Every exported name appears here; ``test_typecheck.py`` checks that it does.
"""

from __future__ import annotations

from typing import Any, Literal, assert_type

from uniapi.websocket import (
    CloseSocketOptions,
    ConnectSocketErrorCode,
    ConnectSocketFail,
    ConnectSocketOptions,
    ConnectSocketSuccess,
    GeneralCallbackResult,
    IUniError,
    OnSocketCloseCallback,
    OnSocketCloseCallbackResult,
    OnSocketErrorCallback,
    OnSocketErrorCallbackResult,
    OnSocketMessageCallback,
    OnSocketMessageCallbackResult,
    OnSocketOpenCallback,
    OnSocketOpenCallbackResult,
    SendSocketMessageErrorCode,
    SendSocketMessageFail,
    SendSocketMessageOptions,
    SocketTask,
    Uni,
)


def connect_options() -> None:
    minimal: ConnectSocketOptions = {"url": "wss://example.com/ws"}
    assert_type(minimal["url"], str)
    full: ConnectSocketOptions = {
        "url": "wss://example.com/ws",
        "header": {"X-Token": "abc", "X-Retry": 3},
        "protocols": ["chat", "superchat"],
        "success": lambda res: assert_type(res, ConnectSocketSuccess),
        "fail": lambda res: assert_type(res, ConnectSocketFail),
        "complete": lambda res: assert_type(res, ConnectSocketSuccess | ConnectSocketFail),
        "forceCellularNetwork": False,
        "perMessageDeflate": True,
        "tcpNoDelay": True,
        "timeout": 1500,
    }
    nulls: ConnectSocketOptions = {"url": "ws://127.0.0.1:1", "header": None, "protocols": None}
    tuple_protocols: ConnectSocketOptions = {"url": "ws://h", "protocols": ("a", "b")}
    del full, nulls, tuple_protocols


def connect_results(ok: ConnectSocketSuccess, fail: ConnectSocketFail) -> None:
    assert_type(ok["errMsg"], str)
    assert_type(fail["errCode"], ConnectSocketErrorCode)
    assert_type(fail["errCode"], Literal[600009])
    assert_type(fail["errSubject"], str)
    assert_type(fail["errMsg"], str)
    assert_type(fail.get("cause"), BaseException | None)
    as_uni_error: IUniError = fail  # a fail result is an IUniError, structurally
    assert_type(as_uni_error["errSubject"], str)


def error_codes() -> None:
    connect: ConnectSocketErrorCode = 600009
    send_codes: list[SendSocketMessageErrorCode] = [10001, 10002, 602001]
    del connect, send_codes


def send_and_close(task: SocketTask, payload: bytes, view: memoryview) -> None:
    text: SendSocketMessageOptions = {"data": "hello"}
    binary: SendSocketMessageOptions = {"data": payload}
    mutable: SendSocketMessageOptions = {"data": bytearray(b"\x01\x02")}
    sliced: SendSocketMessageOptions = {"data": view}
    assert_type(task.send(text), None)
    task.send(binary)
    task.send(mutable)
    task.send(sliced)
    task.send(
        {
            "data": "with callbacks",
            "success": lambda res: assert_type(res, GeneralCallbackResult),
            "fail": lambda res: assert_type(res, SendSocketMessageFail),
            "complete": lambda res: assert_type(res["errMsg"], str),
        }
    )
    close: CloseSocketOptions = {"code": 1000, "reason": "done"}
    assert_type(task.close(close), None)
    task.close({})
    task.close({"code": None, "reason": None, "complete": lambda res: None})


def send_failure(fail: SendSocketMessageFail) -> None:
    assert_type(fail["errCode"], SendSocketMessageErrorCode)
    assert_type(fail["errCode"], Literal[10001, 10002, 602001])
    assert_type(fail.get("data"), Any | None)


def task_events(task: SocketTask) -> None:
    received: list[str | bytes] = []
    task.onOpen(lambda res: assert_type(res["header"], Any))
    task.onMessage(lambda res: received.append(res["data"]))  # a callback's return is ignored
    task.onClose(lambda res: assert_type(res, OnSocketCloseCallbackResult))
    task.onClose(lambda res: assert_type(res["reason"], str))
    task.onClose(on_close)
    task.onClose(print)  # a callback typed more widely fits too
    task.onError(lambda res: assert_type(res["errMsg"], str))


def callback_results(
    opened: OnSocketOpenCallbackResult,
    message: OnSocketMessageCallbackResult,
    closed: OnSocketCloseCallbackResult,
    failed: OnSocketErrorCallbackResult,
) -> None:
    assert_type(opened["header"], Any)
    assert_type(message["data"], str | bytes)
    assert_type(closed["code"], int | float)
    assert_type(closed["reason"], str)
    assert_type(failed["errMsg"], str)


def on_open(res: OnSocketOpenCallbackResult) -> None: ...


def on_error(res: OnSocketErrorCallbackResult) -> None: ...


def on_message(res: OnSocketMessageCallbackResult) -> None: ...


def on_close(res: OnSocketCloseCallbackResult) -> None: ...


def callback_aliases() -> None:
    opened: OnSocketOpenCallback = on_open
    errored: OnSocketErrorCallback = on_error
    messaged: OnSocketMessageCallback = on_message
    closed: OnSocketCloseCallback = on_close
    typed_close: OnSocketCloseCallback = lambda res: assert_type(res, OnSocketCloseCallbackResult)  # noqa: E731
    del opened, errored, messaged, closed, typed_close


def module_surface(uni: Uni) -> SocketTask:
    task = uni.connectSocket({"url": "wss://example.com/ws"})
    assert_type(task, SocketTask)
    return task
