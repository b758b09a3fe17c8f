"""The fact list of the WebSocket module, pinned (sources: uni-websocket-facts.md §2)."""

from __future__ import annotations

from generator.spec import load_bundled_spec
from generator.spec.model import ErrorCodesType, InterfaceType, Module, ObjectType
from generator.spec.typeexpr import parse_type


def _module() -> Module:
    module = load_bundled_spec().module("websocket")
    assert module is not None
    return module


def test_the_thirteen_apis_and_methods() -> None:
    assert [c.qualname for c in _module().callables()] == [
        "connectSocket",
        "onSocketOpen",
        "onSocketError",
        "sendSocketMessage",
        "onSocketMessage",
        "closeSocket",
        "onSocketClose",
        "SocketTask.send",
        "SocketTask.close",
        "SocketTask.onOpen",
        "SocketTask.onClose",
        "SocketTask.onError",
        "SocketTask.onMessage",
    ]


def test_deprecated_globals_name_their_socket_task_replacement() -> None:
    replacements = {a.name: a.deprecated.replacement for a in _module().apis if a.deprecated}
    assert replacements == {
        "onSocketOpen": "SocketTask.onOpen",
        "onSocketError": "SocketTask.onError",
        "sendSocketMessage": "SocketTask.send",
        "onSocketMessage": "SocketTask.onMessage",
        "closeSocket": "SocketTask.close",
        "onSocketClose": "SocketTask.onClose",
    }


def test_the_four_error_codes_with_their_runtime_messages() -> None:
    codes = {
        c.code: (c.errMsg, named.subject)
        for named in _module().types.values()
        if isinstance(named, ErrorCodesType)
        for c in named.codes
    }
    assert codes == {
        600009: ("invalid URL", "uni-websocket"),
        10001: (
            "The queue memory exceeds 16 MiB and the connection will be closed",
            "uni-websocket",
        ),
        10002: ("webSocket is not connected", "uni-websocket"),
        602001: ("websocket system error", "uni-websocket"),
    }


def test_connect_socket_compatibility() -> None:
    api = _module().api("connectSocket")
    assert api is not None
    unix = {
        p: api.platforms.get(p, "unixVer")
        for p in ("web", "mp.weixin", "app.android", "app.ios", "app.harmony")
    }
    assert unix == {
        "web": "4.0",
        "mp.weixin": "4.41",
        "app.android": "3.91",
        "app.ios": "4.11",
        "app.harmony": "4.61",
    }
    assert api.platforms.get("app.harmony", "unixvVer") == "5.0"
    assert api.platforms.get("mp.alipay", "unixVer") == "x"


def test_every_api_and_method_has_the_same_platform_block() -> None:
    blocks = {repr(sorted(c.platforms.entries.items())) for c in _module().callables()}
    assert len(blocks) == 1


def test_all_named_types_exist() -> None:
    types = _module().types
    for name in (
        "ConnectSocketOptions",
        "ConnectSocketSuccess",
        "ConnectSocketFail",
        "GeneralCallbackResult",
        "SendSocketMessageOptions",
        "SendSocketMessageFail",
        "CloseSocketOptions",
        "OnSocketOpenCallbackResult",
        "OnSocketMessageCallbackResult",
        "OnSocketCloseCallbackResult",
        "OnSocketErrorCallbackResult",
    ):
        assert isinstance(types[name], ObjectType), name
    assert isinstance(types["SocketTask"], InterfaceType)


def test_connect_socket_options_fields_and_defaults() -> None:
    fields = {f.name: f for f in _module().fields("ConnectSocketOptions")}
    assert list(fields) == [
        "url",
        "header",
        "protocols",
        "success",
        "fail",
        "complete",
        "forceCellularNetwork",
        "perMessageDeflate",
        "tcpNoDelay",
        "timeout",
    ]
    assert fields["url"].required and not fields["url"].has_default
    assert fields["header"].default is None and fields["header"].nullable
    assert fields["protocols"].type == parse_type("Array<string>")
    assert all(
        fields[n].docs_only
        for n in ("forceCellularNetwork", "perMessageDeflate", "tcpNoDelay", "timeout")
    )
    assert fields["header"].platforms.get("app.harmony", "unixVer") is None


def test_close_defaults_and_fail_types() -> None:
    module = _module()
    close = {f.name: f for f in module.fields("CloseSocketOptions")}
    assert close["code"].default == 1000
    assert close["reason"].default == ""
    fail = [f.name for f in module.fields("ConnectSocketFail")]
    assert fail == ["errCode", "errSubject", "data", "cause", "errMsg"]
