"""The dcloud flavour's whole-surface conventions (column set ``2026-04``, the data file at
unidocs-uni-app-x-zh 9416194a): name section with source links, originName, ``x`` in the field
cells of an unsupported platform, legal values, deprecated fields, the 参见 list with the overlay's
menu id and the mini-program links, the overlay's module keys and type links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.flavors.dcloud import VENDOR_LINKS, build_data, column_set
from generator.spec import load_bundled_spec
from generator.spec.loader import load_spec
from generator.spec.overlay import load_overlay

MODULE = """\
format: 1
module: demo
version: 1.0.0
title: {zh: 演示, en: Demo}
description: {zh: 演示。, en: Demo.}
apis:
  - name: openThing
    description: {zh: 打开。, en: Opens.}
    params:
      - name: options
        type: OpenThingOptions
    returns: any | null
    platforms:
      app:
        android: {unixVer: "3.91"}
        ios: {unixVer: x}
        harmony: {unixVer: "4.61", unixVaporVer: "5.0"}
      web: {unixVer: "4.0"}
    tutorial:
      - label: {zh: 文档, en: docs}
        url: https://uniapp.dcloud.net.cn/api/thing.html#openthing
      - label: {zh: x 文档, en: x docs}
        url: https://doc.dcloud.net.cn/uni-app-x/api/thing.html
  - name: closeThing
    description: {zh: 关闭。, en: Closes.}
    params: []
    returns: void
    platforms:
      web: {unixVer: "4.0"}
    tutorial:
      - label: {zh: 微信, en: WeChat}
        url: https://developers.weixin.qq.com/miniprogram/dev/api/wx.closeThing.html
types:
  OpenThingOptions:
    kind: object
    description: {zh: 参数。, en: Options.}
    fields:
      - name: old
        type: string
        description: {zh: 旧。, en: Old.}
        deprecated: {replacement: closeThing}
      - name: mode
        type: string
        description: {zh: 模式。, en: Mode.}
        values:
          - value: fast
            description: {zh: 快。, en: Fast.}
            platforms:
              app:
                android: {unixVer: "4.0"}
          - value: slow
            description: {zh: 慢。, en: Slow.}
      - name: data
        type: UTSJSONObject
        description: {zh: 数据。, en: Data.}
        platforms:
          web: {unixVer: "4.1"}
"""

OVERLAY = """\
format: 1
modules:
  demo: {title: {zh: 演示, en: Demo}, key: [thingA, thingB], source: uni-thing}
apis:
  openThing: {menu: api.demo.openThing}
  closeThing: {menu: api.demo.closeThing, mp: false}
type-links:
  UTSJSONObject: /uts/buildin-object-api/utsjsonobject.md
"""

WHOLE = column_set("2026-04")
SEED = column_set("2025")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spec")
    (folder / "modules").mkdir()
    (folder / "modules" / "demo.yaml").write_text(MODULE, encoding="utf-8")
    (folder / "overlays").mkdir()
    (folder / "overlays" / "demo.yaml").write_text(OVERLAY, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def data(root: Path) -> dict[str, dict[str, str]]:
    return build_data(load_spec([root]), "zh", columns=WHOLE)


def _cells(markdown: str, row: str) -> dict[str, str]:
    """Column title -> cell of the <CompatibilityTable> on the row starting with ``row``."""
    line = next(x for x in markdown.splitlines() if x.startswith(row))
    table = json.loads(re.search(r"table='(.*?)' />", line).group(1))  # type: ignore[union-attr]
    return {h["title"]: v for h, v in zip(table["headers"], table["rows"][0], strict=True)}


def test_name_section_is_a_source_block_with_the_overlays_folder(
    data: dict[str, dict[str, str]],
) -> None:
    assert data["openThing"]["name"] == (
        "::: sourceCode\n## uni.openThing(options?) @openthing\n\n"
        "> GitCode: https://gitcode.com/dcloud/uni-api/tree/alpha/uni_modules/uni-thing\n\n\n"
        "> GitHub: https://github.com/dcloudio/uni-api/tree/alpha/uni_modules/uni-thing\n\n:::"
    )
    assert data["openThing"]["originName"] == "openThing"


def test_the_vapor_column_shows_only_where_it_has_a_value(
    data: dict[str, dict[str, str]],
) -> None:
    compat = data["openThing"]["compatibility"]
    assert "| Web | 微信小程序 | Android | iOS | HarmonyOS | HarmonyOS(Vapor) |" in compat
    assert "| 4.0 | - | 3.91 | x | 4.61 | 5.0 |" in compat
    assert "HarmonyOS(Vapor)" not in data["closeThing"]["compatibility"]


def test_empty_field_cells_are_x_where_the_api_is_unsupported(
    data: dict[str, dict[str, str]], root: Path
) -> None:
    param = data["openThing"]["param"]
    # no platforms of its own: '-' everywhere but iOS, where the API says x
    assert _cells(param, "@| mode ") == {
        "Web": "-", "微信小程序": "-", "Android": "-", "iOS": "x", "HarmonyOS": "-",
    }  # fmt: skip
    assert _cells(param, "@| data ")["Web"] == "4.1"
    assert _cells(param, "@| data ")["iOS"] == "x"
    # the seed-era set keeps '-' (and no table at all for a field without platforms)
    seed = build_data(load_spec([root]), "zh", columns=SEED)
    assert "@| mode | string | 否 | - | - |" in seed["openThing"]["param"]


def test_legal_values_and_deprecated_fields(data: dict[str, dict[str, str]]) -> None:
    param = data["openThing"]["param"]
    lines = param.splitlines()
    names = [x.split("|")[1].strip() for x in lines if x.startswith("@| ") and " | " in x]
    assert names == ["名称", ":-", "mode", "data", "~~old~~"]  # deprecated last
    assert "~~old~~" in names and names.index("~~old~~") > names.index("data")
    assert _cells(param, "@@| fast ")["Android"] == "4.0"
    assert _cells(param, "@@| fast ")["iOS"] == "x"
    assert "@@| slow | <CompatibilityTable" in param
    assert "| 慢。 |" in param


def test_any_or_null_returns_any_and_type_links_come_from_the_overlay(
    data: dict[str, dict[str, str]],
) -> None:
    assert "| any |" in data["openThing"]["returnValue"]
    assert "[UTSJSONObject](/uts/buildin-object-api/utsjsonobject.md)" in data["openThing"]["param"]


def test_see_also_list(data: dict[str, dict[str, str]]) -> None:
    links = re.findall(r"^- \[([^\]]+)\]\(([^)]+)\)$", data["openThing"]["tutorial"], re.M)
    assert links[:3] == [
        ("相关 Bug", "https://issues.dcloud.net.cn/?mid=api.demo.openThing"),
        ("参见uni-app相关文档", "https://uniapp.dcloud.net.cn/api/thing.html#openthing"),
        (
            "微信小程序文档",
            "https://developers.weixin.qq.com/doc/search.html?source=enter&query=openThing"
            "&doc_type=miniprogram",
        ),
    ]
    assert [url for _, url in links[3:]] == [u.format(name="openThing") for u in VENDOR_LINKS]
    assert links[3][0] == "支付宝小程序文档" and links[-1][0] == "360小程序文档"
    assert not any("doc.dcloud.net.cn/uni-app-x" in url for _, url in links)
    # mp: false: the declared WeChat link stays, no search link, no vendor links
    closing = re.findall(r"^- \[([^\]]+)\]\(([^)]+)\)$", data["closeThing"]["tutorial"], re.M)
    assert closing == [
        ("相关 Bug", "https://issues.dcloud.net.cn/?mid=api.demo.closeThing"),
        (
            "微信小程序文档",
            "https://developers.weixin.qq.com/miniprogram/dev/api/wx.closeThing.html",
        ),
    ]


def test_module_keys_come_from_the_overlay(data: dict[str, dict[str, str]]) -> None:
    assert "thingA" in data and "thingB" in data and "demo" not in data
    assert set(data["thingA"]) == {"example"}


def test_the_bundled_websocket_in_the_whole_surface_form() -> None:
    spec = load_bundled_spec()
    zh = build_data(spec, "zh", columns=WHOLE, overlay=load_overlay(None))
    assert zh["connectSocket"]["name"].startswith("::: sourceCode\n## uni.connectSocket(options)")
    assert "uni_modules/uni-websocket" in zh["connectSocket"]["name"]
    tutorial = zh["connectSocket"]["tutorial"]
    assert "(https://issues.dcloud.net.cn/?mid=api.network.websocket.connectSocket)" in tutorial
    assert tutorial.count("小程序文档") == 10  # WeChat and nine vendors; the tenth is 华为快应用
    assert "websocket" in zh and set(zh["websocket"]) == {"example"}
    # the default is the whole-surface set; the seed page's set keeps the seed era's form
    assert build_data(spec, "zh") == zh
    seed = build_data(spec, "zh", columns=SEED)
    assert "originName" not in seed["connectSocket"]
    assert seed["connectSocket"]["name"].startswith("## uni.connectSocket(options)")


def _twin(name: str, description: str) -> str:
    return (
        f"format: 1\nmodule: {name}\nversion: 1.0.0\ntitle: {{zh: {name}}}\n"
        f"description: {{zh: {name}}}\nlanguages: [zh]\napis:\n"
        f"  - name: makeTwin\n    description: {{zh: {description}}}\n"
        "    params: []\n    returns: void\ntypes: {}\n"
    )


@pytest.mark.parametrize(("page_module", "shown"), [("b_twin", "第二份"), (None, "第一份")])
def test_an_api_two_modules_declare_is_the_one_of_its_overlay_page(
    tmp_path: Path, page_module: str | None, shown: str
) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "a_twin.yaml").write_text(_twin("a_twin", "第一份"), "utf-8")
    (tmp_path / "modules" / "b_twin.yaml").write_text(_twin("b_twin", "第二份"), "utf-8")
    (tmp_path / "overlays").mkdir()
    pages = (
        ""
        if page_module is None
        else f"pages:\n  - path: api/twin\n    title: {{zh: t, en: t}}\n"
        f"    module: {page_module}\n    apis: [makeTwin]\n"
    )
    overlay = "format: 1\nmodules:\n  a_twin: {}\n  b_twin: {}\n" + pages
    (tmp_path / "overlays" / "twin.yaml").write_text(overlay, "utf-8")
    data = build_data(load_spec([tmp_path]), "zh", columns=WHOLE)
    assert data["makeTwin"]["description"] == shown


def test_a_module_key_never_replaces_an_api_of_that_name(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "a.yaml").write_text(
        _twin("makeTwin", "模块").replace("makeTwin\n    desc", "other\n    desc"), "utf-8"
    )
    (tmp_path / "modules" / "b.yaml").write_text(_twin("b_twin", "接口"), "utf-8")
    data = build_data(load_spec([tmp_path]), "zh", columns=WHOLE)
    assert data["makeTwin"]["description"] == "接口"


@pytest.mark.parametrize(("os_version", "header"), [("15.0", True), ("12.0", False), ("x", False)])
def test_an_os_version_column_shows_only_a_version_above_the_platforms_minimum(
    tmp_path: Path, os_version: str, header: bool
) -> None:
    module = _twin("osv", "系统").replace(
        "    returns: void\n",
        "    returns: void\n    platforms:\n      app:\n"
        f'        ios: {{osVer: "{os_version}", unixVer: "4.25"}}\n',
    )
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "osv.yaml").write_text(module, "utf-8")
    compatibility = build_data(load_spec([tmp_path]), "zh", columns=WHOLE)["makeTwin"][
        "compatibility"
    ]
    assert ("| iOS 系统版本 | iOS |" in compatibility) is header
    assert (f"| {os_version} | 4.25 |" in compatibility) is header
