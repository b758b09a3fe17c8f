"""Connecting: behaviour-rules C1-C11 (strict profile)."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from reference_impl import Runtime, SocketTask
from tests.reference_impl.callback_trace import Trace
from tests.reference_impl.ws_peer import HOST, Peer, refused_port


def _connect(runtime: Runtime, trace: Trace, url: Any, **options: Any) -> SocketTask:
    task = runtime.connectSocket(trace.options("connect", url=url, **options))
    return trace.watch(task)


def _assert_failed_with_1006(trace: Trace) -> None:
    trace.wait("close")
    assert [n for n in trace.names() if not n.startswith("connect.")] == ["error", "close"]
    assert isinstance(trace.one("error")["errMsg"], str)
    assert trace.one("error")["errMsg"]
    assert trace.one("close") == {"code": 1006, "reason": ""}


def test_connectSocket_returns_task_then_success_then_complete_before_any_event(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _connect(runtime, trace, peer.url())
    assert isinstance(task, SocketTask)
    trace.wait("open")
    names = trace.names()
    assert names[:3] == ["connect.success", "connect.complete", "open"]
    assert trace.one("connect.success") == {"errMsg": "connectSocket:ok"}
    assert trace.one("connect.complete") is trace.one("connect.success")
    task.close({})
    trace.wait("close")


def test_connectSocket_success_means_call_accepted_not_socket_open(
    runtime: Runtime, trace: Trace
) -> None:
    _connect(runtime, trace, f"ws://{HOST}:{refused_port()}/")
    _assert_failed_with_1006(trace)
    assert trace.names()[:2] == ["connect.success", "connect.complete"]


def test_connectSocket_callbacks_never_run_inside_the_call(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    caller = threading.get_ident()
    task = _connect(runtime, trace, peer.url())
    trace.wait("open")
    assert caller not in trace.threads
    assert len(trace.threads) == 1
    task.close({})
    trace.wait("close")


def test_connectSocket_without_callbacks_returns_a_working_task(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = trace.watch(runtime.connectSocket({"url": peer.url()}))
    trace.wait("open")
    task.close()
    trace.wait("close")
    assert trace.names() == ["open", "close"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "https://127.0.0.1/",
        "ftp://127.0.0.1/",
        "mailto:someone@example.invalid",
        "about:blank",
        "ws://",
        "ws:///path",
        "wss://:80/",
        "ws://127.0.0.1/#",
        "ws://127.0.0.1/#test",
        "ws://exa mple.invalid/",
        "not a url",
        "/relative/path",
        "",
        "ws://127.0.0.1:99999/",
        "ws://127.0.0.1:abc/",
        42,
        None,
    ],
)
def test_invalid_url_fails_600009_then_complete_and_no_events(
    runtime: Runtime, trace: Trace, url: Any
) -> None:
    task = _connect(runtime, trace, url)
    trace.wait("connect.complete")
    fail = trace.one("connect.fail")
    assert fail["errCode"] == 600009
    assert fail["errSubject"] == "uni-websocket"
    assert fail["errMsg"].startswith("connectSocket:fail")
    assert trace.one("connect.complete") is fail
    # The task is inert: send and close fail "not connected", and no event follows.
    task.send(trace.options("send", data="x"))
    task.close(trace.options("close"))
    trace.wait("close.complete")
    assert trace.names() == [
        "connect.fail",
        "connect.complete",
        "send.fail",
        "send.complete",
        "close.fail",
        "close.complete",
    ]
    assert trace.one("send.fail")["errCode"] == 10002


def test_invalid_url_task_is_never_the_global_target(runtime: Runtime, trace: Trace) -> None:
    runtime.connectSocket({"url": "ftp://127.0.0.1/"})
    with pytest.warns(DeprecationWarning):
        runtime.sendSocketMessage(trace.options("send", data="x"))
    trace.wait("send.complete")
    assert trace.one("send.fail")["errCode"] == 10002


@pytest.mark.parametrize(
    ("protocols", "why"),
    [
        (["chat", "chat"], "repeated"),
        (["chat", "CHAT"], "repeated"),
        (["two words"], "token"),
        ([""], "token"),
        (["caf\u00e9"], "token"),
        ([1], "token"),
        (42, "array"),
    ],
)
def test_invalid_protocols_fail_the_call(
    runtime: Runtime, trace: Trace, protocols: Any, why: str
) -> None:
    _connect(runtime, trace, "ws://127.0.0.1:1/", protocols=protocols)
    trace.wait("connect.complete")
    fail = trace.one("connect.fail")
    assert fail["errCode"] == 600009
    assert why in fail["errMsg"]
    assert trace.names() == ["connect.fail", "connect.complete"]


def test_listeners_registered_after_connectSocket_never_miss_onOpen(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    tasks = []
    for i in range(20):
        task = runtime.connectSocket({"url": peer.url()})
        task.onOpen(trace.cb(f"open{i}"))
        task.onClose(trace.cb(f"close{i}"))
        tasks.append(task)
    for i, task in enumerate(tasks):
        trace.wait(f"open{i}")
        task.close()
    for i in range(20):
        trace.wait(f"close{i}")


def test_late_onOpen_listener_gets_no_replay(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    task = trace.watch(runtime.connectSocket({"url": peer.url()}))
    trace.wait("open")
    task.onOpen(trace.cb("late-open"))
    task.send({"data": "ping"})
    trace.wait("message")
    task.close()
    trace.wait("close")
    assert trace.count("late-open") == 0


def test_header_entries_are_sent_as_request_headers(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    header = {"X-Token": "abc", "X-Number": 7, "X-Flag": True, "Referer": "http://x.invalid/"}
    task = _connect(runtime, trace, peer.url("/headers"), header=header)
    trace.wait("message")
    seen = json.loads(trace.one("message")["data"])
    assert seen["X-Token"] == "abc"
    assert seen["X-Number"] == "7"
    assert seen["X-Flag"] == "true"
    # "header 中不能设置 Referer": it is not sent.
    assert "Referer" not in seen
    task.close()
    trace.wait("close")


def test_header_that_the_handshake_owns_fails_the_call(runtime: Runtime, trace: Trace) -> None:
    _connect(runtime, trace, "ws://127.0.0.1:1/", header={"Sec-WebSocket-Key": "x"})
    trace.wait("connect.complete")
    assert trace.one("connect.fail")["errMsg"].startswith("connectSocket:fail")


def test_protocols_are_offered_and_onOpen_gets_response_headers(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _connect(runtime, trace, peer.url("/proto-first"), protocols=["chat", "superchat"])
    trace.wait("open")
    assert peer.record().offered == ["chat", "superchat"]
    header = trace.one("open")["header"]
    lowered = {k.lower(): v for k, v in header.items()}
    assert lowered["sec-websocket-protocol"] == "chat"
    assert lowered["upgrade"].lower() == "websocket"
    task.close()
    trace.wait("close")


def test_a_single_protocol_string_is_offered_as_a_list(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    task = _connect(runtime, trace, peer.url("/proto-first"), protocols="chat")
    trace.wait("open")
    assert peer.record().offered == ["chat"]
    task.close()
    trace.wait("close")


def test_server_choosing_an_unoffered_subprotocol_fails_the_connection(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _connect(runtime, trace, peer.url("/proto-unoffered"), protocols=["chat"])
    _assert_failed_with_1006(trace)


def test_server_choosing_no_subprotocol_when_some_were_offered_fails_the_connection(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _connect(runtime, trace, peer.url("/proto-none"), protocols=["chat"])
    _assert_failed_with_1006(trace)


def test_refused_connection_gives_onError_then_onClose_1006(
    runtime: Runtime, trace: Trace
) -> None:
    _connect(runtime, trace, f"ws://{HOST}:{refused_port()}/")
    _assert_failed_with_1006(trace)


def test_unknown_host_gives_onError_then_onClose_1006(runtime: Runtime, trace: Trace) -> None:
    _connect(runtime, trace, "ws://no-such-host.invalid/")
    _assert_failed_with_1006(trace)


@pytest.mark.parametrize("status", [403, 404])
def test_rejected_handshake_gives_onError_then_onClose_1006(
    runtime: Runtime, peer: Peer, trace: Trace, status: int
) -> None:
    _connect(runtime, trace, peer.url(f"/reject/{status}"))
    _assert_failed_with_1006(trace)
    assert str(status) in trace.one("error")["errMsg"]


def test_a_redirect_is_not_followed(runtime: Runtime, peer: Peer, trace: Trace) -> None:
    # WHATWG WebSockets, "establish a WebSocket connection": the request's "redirect mode is
    # "error""; "If response is a network error or its status is not 101, fail the WebSocket
    # connection."
    _connect(runtime, trace, peer.url("/redirect"))
    _assert_failed_with_1006(trace)
    assert "302" in trace.one("error")["errMsg"]
    assert peer.records == []


def test_handshake_not_finished_within_timeout_gives_onError_then_onClose_1006(
    runtime: Runtime, peer: Peer, trace: Trace
) -> None:
    _connect(runtime, trace, peer.url("/slow"), timeout=200)
    _assert_failed_with_1006(trace)
    assert "timed out" in trace.one("error")["errMsg"]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the wss test needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_wss_works_with_a_tls_context_given_to_the_runtime(
    tls_files: tuple[Path, Path], trace: Trace
) -> None:
    cert, key = tls_files
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    runtime = Runtime(ssl_context=client_ctx)
    try:
        with Peer(ssl_context=server_ctx) as peer:
            task = _connect(runtime, trace, peer.url(scheme="wss"))
            trace.wait("open")
            task.send({"data": "secure"})
            trace.wait("message")
            assert trace.one("message") == {"data": "secure"}
            task.close()
            trace.wait("close")
            assert trace.one("close") == {"code": 1000, "reason": ""}
    finally:
        runtime.shutdown()


def test_wss_uses_the_system_trust_store_by_default(
    tls_files: tuple[Path, Path], trace: Trace
) -> None:
    cert, key = tls_files
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    runtime = Runtime()
    try:
        with Peer(ssl_context=server_ctx) as peer:
            _connect(runtime, trace, peer.url(scheme="wss"))
            # A self-signed certificate is not in the system store: verification fails.
            _assert_failed_with_1006(trace)
            assert "CERTIFICATE" in trace.one("error")["errMsg"].upper()
    finally:
        runtime.shutdown()
