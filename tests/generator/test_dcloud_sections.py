"""The dcloud flavour, section by section, against Markdown written by hand from
``shared/reference/uni-websocket-facts.md`` §1.3-§1.5 (the seed-era ``utsApiJson.json``, so built
with the seed page's column set ``2025``; the default, ``2026-04``, is tested in
``test_dcloud_whole_surface.py``)."""

from __future__ import annotations

import json

import pytest

from generator.flavors.dcloud import (
    COLUMN_SETS,
    DEFAULT_COLUMNS,
    build_data,
    column_set,
    compute_status,
)
from generator.spec import load_bundled_spec

SPEC = load_bundled_spec()
SEED = column_set("2025")
ZH = build_data(SPEC, "zh", columns=SEED)
EN = build_data(SPEC, "en", columns=SEED)

SEVEN = ["Web", "微信小程序", "Android", "Android uni-app x UTS 插件", "iOS",
         "iOS uni-app x UTS 插件", "HarmonyOS"]  # fmt: skip
FIVE = ["Web", "微信小程序", "Android", "iOS", "HarmonyOS"]


def ct(headers: list[str], row: list[str]) -> str:
    """A ``<CompatibilityTable>`` cell as §1.3 shows it (the JSON is compact)."""
    table = {"headers": [{"title": h} for h in headers], "rows": [row]}
    compact = json.dumps(table, ensure_ascii=False, separators=(",", ":"))
    return f"<CompatibilityTable table='{compact}' />"


CT_ALL = ct(SEVEN, ["-", "4.41", "3.91", "3.91", "4.11", "4.11", "4.61"])
CT_NO_HARMONY = ct(SEVEN, ["-", "4.41", "3.91", "3.91", "4.11", "4.11", "-"])
CT_WEIXIN = ct(FIVE, ["-", "4.41", "-", "-", "-"])

HEADER = "| 名称 | 类型 | 必填 | 默认值 | 兼容性 | 描述 |\n| :- | :- | :- | :- |  :-: | :- |\n"
SUB_HEADER = (
    "@| 名称 | 类型 | 必备 | 默认值 | 兼容性 | 描述 |\n@| :- | :- | :- | :- |  :-: | :- |\n"
)
TYPE_HEADER = "| 名称 | 类型 | 必备 | 默认值 | 兼容性 | 描述 |\n| :- | :- | :- | :- |  :-: | :- |\n"
IUNIERROR_ROWS = (
    "| errSubject | string | 是 | - | - | 统一错误主题（模块）名称 |\n"
    "| data | any | 否 | - | - | 错误附带的数据 |\n"
    "| cause | [Error](https://uniapp.dcloud.net.cn/tutorial/err-spec.html#unierror) | 否 | - | - "
    "| 源错误信息，可包含多个错误，详见 SourceError |\n"
    "| errMsg | string | 是 | - | - | - |\n"
)


def test_every_api_key_has_the_six_sections_and_the_module_and_general_keys_exist() -> None:
    apis = [a.name for a in SPEC.modules[0].apis]
    assert list(ZH) == [*apis, "websocket", "general_type"]
    for name in apis:
        assert list(ZH[name]) == [
            "name", "description", "compatibility", "param", "returnValue", "tutorial",
        ]  # fmt: skip
    assert list(ZH["websocket"]) == ["example"]
    assert list(ZH["general_type"]) == ["name", "param"]
    assert EN.keys() == ZH.keys()


def test_compatibility_heading_and_one_row_table() -> None:
    assert ZH["connectSocket"]["compatibility"] == (
        "### connectSocket 兼容性 \n"
        "| Web | 微信小程序 | Android | Android uni-app x UTS 插件 | iOS | iOS uni-app x UTS 插件 "
        "| HarmonyOS |\n"
        "| :- | :- | :- | :- | :- | :- | :- |\n"
        "| 4.0 | 4.41 | 3.91 | 3.91 | 4.11 | 4.11 | 4.61 |\n"
    )


def test_compatibility_in_english() -> None:
    assert EN["closeSocket"]["compatibility"].splitlines()[:2] == [
        "### closeSocket Compatibility ",
        "| Web | WeChat Mini Program | Android | Android uni-app x UTS Plugin | iOS "
        "| iOS uni-app x UTS Plugin | HarmonyOS |",
    ]


def test_param_table_with_nested_rows_trailing_bar_and_type_tables() -> None:
    assert ZH["connectSocket"]["param"] == (
        "### 参数 \n\n"
        + HEADER
        + "| options | **ConnectSocketOptions** | 是 | - | - | - |\n"
        + SUB_HEADER
        + f"@| url | string | 是 | - | {CT_ALL} | 开发者服务器的 WebSocket 地址 |\n"
        "@| header | [UTSJSONObject](/uts/buildin-object-api/utsjsonobject.md) | 否 | null | "
        f"{CT_NO_HARMONY} | 握手请求的 HTTP Header，其中不能设置 Referer |\n"
        f"@| protocols | Array&lt;string&gt; | 否 | null | {CT_NO_HARMONY} | 子协议列表 |\n"
        "@| success | (result: [ConnectSocketSuccess](#connectsocketsuccess-values)) => void | 否 "
        f"| null | {CT_WEIXIN} | 接口调用成功时的回调 |\n"
        "@| fail | (result: [ConnectSocketFail](#connectsocketfail-values)) => void | 否 | null "
        f"| {CT_WEIXIN} | 接口调用失败时的回调 |\n"
        f"@| complete | (result: any) => void | 否 | null | {CT_WEIXIN} "
        "| 接口调用结束时的回调（成功、失败都会调用） |\n"
        f"@| forceCellularNetwork | boolean | 否 | - | {CT_WEIXIN} "
        "| 需要基础库： `2.29.0`<br/><br/>强制经由蜂窝网络发送请求<br/> |\n"
        f"@| perMessageDeflate | boolean | 否 | - | {CT_WEIXIN} "
        "| 需要基础库： `2.8.0`<br/><br/>是否启用压缩扩展<br/> |\n"
        f"@| tcpNoDelay | boolean | 否 | - | {CT_WEIXIN} "
        "| 需要基础库： `2.4.0`<br/><br/>建立 TCP 连接时的 TCP_NODELAY 设置<br/> |\n"
        f"@| timeout | number | 否 | - | {CT_WEIXIN} "
        "| 需要基础库： `2.10.0`<br/><br/>超时时间，单位为毫秒<br/> | \n"
        "\n"
        "#### ConnectSocketSuccess 的属性值 @connectsocketsuccess-values \n\n"
        + TYPE_HEADER
        + "| errMsg | string | 是 | - | - | - |\n"
        "\n"
        "#### ConnectSocketFail 的属性值 @connectsocketfail-values \n\n"
        + TYPE_HEADER
        + "| errCode | number | 是 | - | - | 错误码 |\n"
        "@| 合法值 | 兼容性 | 描述 |\n"
        "@| :- |  :-: | :- |\n"
        "@| 600009 | - | URL格式不合法 |\n" + IUNIERROR_ROWS
    )


def test_callback_parameter_type_table_is_at_the_level_of_the_param_heading() -> None:
    assert ZH["onSocketOpen"]["param"] == (
        "### 参数 \n\n"
        + HEADER
        + "| options | (result: [OnSocketOpenCallbackResult](#onsocketopencallbackresult-values)) "
        "=> void | 是 | - | - | - |\n"
        "\n"
        "### OnSocketOpenCallbackResult 的属性值 @onsocketopencallbackresult-values \n\n"
        + TYPE_HEADER
        + f"| header | any | 是 | - | {CT_ALL} | 握手成功时 HTTP 响应的 Header |\n"
    )


def test_error_code_valid_values_table() -> None:
    param = ZH["sendSocketMessage"]["param"]
    table = param[param.index("#### SendSocketMessageFail") :]
    assert table == (
        "#### SendSocketMessageFail 的属性值 @sendsocketmessagefail-values \n\n"
        + TYPE_HEADER
        + "| errCode | number | 是 | - | - | 错误码 |\n"
        "@| 合法值 | 兼容性 | 描述 |\n"
        "@| :- |  :-: | :- |\n"
        "@| 10001 | - | 发送数据超限，发送队列不能超过16M大小。 |\n"
        "@| 10002 | - | websocket未连接 |\n"
        "@| 602001 | - | websocket系统错误 |\n" + IUNIERROR_ROWS
    )


def test_general_types_are_linked_not_repeated() -> None:
    param = ZH["closeSocket"]["param"]
    assert "(result: [GeneralCallbackResult](#generalcallbackresult-values)) => void" in param
    assert "GeneralCallbackResult 的属性值" not in param


def test_deprecated_global_heading_is_struck_through() -> None:
    assert ZH["connectSocket"]["name"] == "## uni.connectSocket(options) @connectsocket\n"
    assert ZH["onSocketOpen"]["name"] == "## uni.~~onSocketOpen(options)~~ @onsocketopen\n"
    assert ZH["onSocketClose"]["name"] == "## uni.~~onSocketClose(callback)~~ @onsocketclose\n"
    assert EN["onSocketOpen"]["name"] == ZH["onSocketOpen"]["name"]


def test_deprecated_description_names_the_replacement() -> None:
    assert ZH["connectSocket"]["description"] == (
        "建立一个 WebSocket 连接，并返回管理该连接的 SocketTask。"
    )
    assert ZH["onSocketOpen"]["description"] == (
        "注册 WebSocket 连接打开时的回调。  **已废弃，使用 SocketTask 的 onOpen 替换。**"
    )
    assert EN["sendSocketMessage"]["description"].endswith(
        "  **Deprecated; use SocketTask's send instead.**"
    )


def test_tutorial_link_list() -> None:
    assert ZH["onSocketError"]["tutorial"] == (
        "\n### 参见\n"
        "- [相关 Bug](https://issues.dcloud.net.cn/?mid=api.network.websocket.onSocketError)\n"
        "- [参见uni-app相关文档](https://uniapp.dcloud.net.cn/api/request/websocket.html"
        "#onsocketerror)\n"
        "- [微信小程序文档](https://developers.weixin.qq.com/miniprogram/dev/api/network/"
        "websocket/wx.onSocketError.html)\n"
        "- [参见uni-app x相关文档](https://doc.dcloud.net.cn/uni-app-x/api/websocket-global.html"
        "#onsocketerror)\n"
    )
    assert EN["onSocketError"]["tutorial"].startswith(
        "\n### See also\n- [Related bugs](https://issues.dcloud.net.cn/"
    )


def test_general_type() -> None:
    assert ZH["general_type"]["name"] == "## 通用类型\n"
    assert EN["general_type"]["name"] == "## General types\n"
    assert ZH["general_type"]["param"] == (
        "### GeneralCallbackResult @generalcallbackresult-values \n\n"
        + TYPE_HEADER
        + f"| errMsg | string | 是 | - | {CT_WEIXIN} | 错误信息 |\n"
    )


def test_return_value_holds_the_socket_task_methods() -> None:
    value = ZH["connectSocket"]["returnValue"]
    assert value.startswith(
        "### 返回值 \n\n| 类型 |\n| :- |\n| [SocketTask](#sockettask-values) |\n\n"
        "#### SocketTask 的方法 @sockettask-values \n\n"
        "#### send(options: SendSocketMessageOptions): void; @send\n\n"
        "经由该 WebSocket 连接发送数据。\n\n"
        "##### send 兼容性 \n"
    )
    headings = [line for line in value.splitlines() if line.startswith("#")]
    assert [h for h in headings if h.startswith("#### ")][1:] == [
        "#### send(options: SendSocketMessageOptions): void; @send",
        "#### close(options: CloseSocketOptions): void; @close",
        "#### onOpen(callback: (result: OnSocketOpenCallbackResult) => void): void; @onopen",
        "#### onClose(callback: (result: any) => void): void; @onclose",
        "#### onError(callback: (result: GeneralCallbackResult) => void): void; @onerror",
        "#### onMessage(callback: (result: OnSocketMessageCallbackResult) => void): void; "
        "@onmessage",
    ]
    assert "##### 参数 " in headings
    # error types of nested rows one level deeper (H6); callback results at the param level (H5)
    assert "###### SendSocketMessageFail 的属性值 @sendsocketmessagefail-values " in headings
    assert (
        "##### OnSocketOpenCallbackResult 的属性值 @onsocketopencallbackresult-values " in headings
    )
    for name in ("onSocketOpen", "sendSocketMessage", "closeSocket"):
        assert ZH[name]["returnValue"] == ""


def test_module_example() -> None:
    example = ZH["websocket"]["example"]
    assert example.startswith(
        "## 示例\n\n"
        "> [hello uni-app x](https://gitcode.net/dcloud/hello-uni-app-x/-/blob/prod_alpha//pages/"
        "API/websocket/websocket.uvue) \n"
        "::: preview https://hellouniappx.dcloud.net.cn/web/#/pages/API/websocket/websocket\n\n"
        "> appRedirect https://hellouniappx.dcloud.net.cn/appredirect.html?path=pages/API/"
        "websocket/websocket\n\n"
        ">示例\n```uts\nlet task: SocketTask | null = null\n"
    )
    assert example.endswith("\n```\n\n:::\n")


# -- column sets --------------------------------------------------------------------------------


def test_default_column_set_is_the_one_of_the_pinned_npm_version() -> None:
    assert DEFAULT_COLUMNS is COLUMN_SETS["2026-04"]
    assert DEFAULT_COLUMNS.whole_surface
    assert [c.title.zh for c in COLUMN_SETS["2025"].columns] == SEVEN


def test_2026_column_set_adds_help_vapor_and_status() -> None:
    data = build_data(SPEC, "zh", columns=column_set("2026"))
    assert data["connectSocket"]["compatibility"] == (
        "### connectSocket 兼容性 <Help /> \n"
        "| Web | 微信小程序 | Android | iOS | iOS(VDOM) UTS 插件 | HarmonyOS | HarmonyOS(Vapor) |\n"
        "| :- | :- | :- | :- | :- | :- | :- |\n"
        "| 4.0 | 4.41 | 3.91 | 4.11 | 4.11 | 4.61 | 5.0 |\n"
    )
    # url has no Vapor entry: the empty optional column is dropped, but the status is computed
    # over every column first, so it is partial (Web is "-" too).
    url_ct = (
        '<CompatibilityTable table=\'{"headers":[{"title":"Web"},{"title":"微信小程序"},'
        '{"title":"Android"},{"title":"iOS"},{"title":"iOS(VDOM) UTS 插件"},'
        '{"title":"HarmonyOS"}],"rows":[["-","4.41","3.91","4.11","4.11",'
        '"4.61"]],"status":"PARTIALLY_SUPPORTED"}\' />'
    )
    assert f"@| url | string | 是 | - | {url_ct} |" in data["connectSocket"]["param"]


def test_status_is_computed_before_empty_columns_are_dropped() -> None:
    from generator.flavors.dcloud import _Columns  # noqa: PLC0415
    from generator.spec.model import Platforms  # noqa: PLC0415

    cols = _Columns(COLUMN_SETS["2026"], "zh")
    everywhere_but_vapor = Platforms({
        "web": {"unixVer": "4.0"}, "mp.weixin": {"unixVer": "4.41"},
        "app.android": {"unixVer": "3.91"}, "app.ios": {"unixVer": "4.11", "unixUtsPlugin": "4.11"},
        "app.harmony": {"unixVer": "4.61"},
    })  # fmt: skip
    table = cols.table(everywhere_but_vapor)
    assert table is not None
    assert "HarmonyOS(Vapor)" not in table.titles
    assert table.status == "PARTIALLY_SUPPORTED"


@pytest.mark.parametrize(
    ("values", "status"),
    [
        (["4.0", "√", "3.91"], "SUPPORTED"),
        (["x", "x"], "NOT_SUPPORTED"),
        (["4.0", "x"], "PARTIALLY_SUPPORTED"),
        (["4.0", "-"], "PARTIALLY_SUPPORTED"),
    ],
)
def test_compute_status(values: list[str], status: str) -> None:
    assert compute_status(values) == status


def test_older_column_sets_reproduce_their_headers() -> None:
    first = build_data(SPEC, "zh", columns=column_set("2024"))["connectSocket"]["compatibility"]
    assert first.splitlines()[1:] == ["| Web | Android | iOS |", "| :- | :- | :- |",
                                      "| 4.0 | 3.91 | 4.11 |"]  # fmt: skip
    july = build_data(SPEC, "zh", columns=column_set("2025-07"))["connectSocket"]["compatibility"]
    assert july.splitlines()[1] == (
        "| Web | 微信小程序 | Android | iOS | iOS uni-app x UTS 插件 | HarmonyOS |"
    )


def test_unknown_column_set_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="2025-07"):
        column_set("1999")


def test_a_module_renders_like_a_spec_of_that_module() -> None:
    assert build_data(SPEC.modules[0], "zh", columns=SEED) == ZH
