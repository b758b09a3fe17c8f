"""Overlay files: loaded, validated like the spec (file:line:col), merged, queried."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.exceptions import SpecError, SpecReadError
from generator.spec.overlay import Overlay, check_overlay_text, load_overlay, load_overlay_files

GOOD = """\
format: 1
modules:
  websocket:
    title: {zh: 网络, en: Network}
    key: websocket
    source: uni-websocket
  prompt:
    key: [toast, modal]
    source: uni-prompt
  camera:
    source: uni-camera
    repository: uni-component
pages:
  - path: api/websocket-global
    title: {zh: websocket, en: websocket}
    module: websocket
    apis: [connectSocket, onSocketOpen]
apis:
  connectSocket: {menu: api.network.websocket.connectSocket}
  hideModal: {menu: api.ui.modal, mp: false, source: uni-modal}
type-links:
  UTSJSONObject: /uts/buildin-object-api/utsjsonobject.md
  string.*: /uts/data-type.md#ide-string
"""


def _write(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    folder = tmp_path / "overlays"
    folder.mkdir(exist_ok=True)
    file = folder / name
    file.write_text(text, encoding="utf-8")
    return file


def test_a_spec_folder_overlay_is_read_and_queried(tmp_path: Path) -> None:
    _write(tmp_path, GOOD)
    overlay = load_overlay(tmp_path)
    assert overlay.pages[0].path == "api/websocket-global"
    assert overlay.pages[0].apis == ("connectSocket", "onSocketOpen")
    assert overlay.pages[0].title.en == "websocket"
    assert overlay.modules["websocket"].title is not None
    assert overlay.module_keys("websocket") == ("websocket",)
    assert overlay.module_keys("prompt") == ("toast", "modal")
    assert overlay.module_keys("camera") == ()  # known, no key
    assert overlay.module_keys("storage") is None  # unknown module
    assert overlay.menu_url("connectSocket") == (
        "https://issues.dcloud.net.cn/?mid=api.network.websocket.connectSocket"
    )
    assert overlay.menu_url("closeSocket") is None
    assert overlay.apis["hideModal"].mp is False
    assert overlay.apis["connectSocket"].mp is True
    assert overlay.source_links("websocket") == (
        "https://gitcode.com/dcloud/uni-api/tree/alpha/uni_modules/uni-websocket",
        "https://github.com/dcloudio/uni-api/tree/alpha/uni_modules/uni-websocket",
    )
    assert overlay.source_links("prompt", "hideModal") == (
        "https://gitcode.com/dcloud/uni-api/tree/alpha/uni_modules/uni-modal",
        "https://github.com/dcloudio/uni-api/tree/alpha/uni_modules/uni-modal",
    )
    camera = overlay.source_links("camera")
    assert camera is not None and "/uni-component/" in camera[1]
    assert overlay.source_links("storage") is None
    assert overlay.type_link("UTSJSONObject") == "/uts/buildin-object-api/utsjsonobject.md"
    assert overlay.type_link("string.PageURIString") == "/uts/data-type.md#ide-string"
    assert overlay.type_link("string") is None
    assert overlay.type_link("UniError") is None


def test_without_a_folder_the_bundled_overlay_is_read(tmp_path: Path) -> None:
    bundled = load_overlay(None)
    assert load_overlay(tmp_path) == bundled
    assert bundled.menu_url("connectSocket") is not None
    assert any(p.module == "websocket" for p in bundled.pages)
    names = {p.path for p in bundled.pages}
    assert len(names) == len(bundled.pages)


def test_later_files_win_and_pages_add_up(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, "apis:\n  connectSocket: {menu: other}\n", "b.yaml")
    overlay = load_overlay(tmp_path)
    assert overlay.menu_url("connectSocket") == "https://issues.dcloud.net.cn/?mid=other"
    assert len(overlay.pages) == 1
    assert [Path(f).name for f in overlay.files] == ["a.yaml", "b.yaml"]


@pytest.mark.parametrize(
    ("text", "where", "check"),
    [
        ("apis:\n  connectSocket: {menu: 'a b'}\n", "2:", "schema:pattern"),
        ("apis:\n  connectSocket: {menus: x}\n", "2:", "schema:additionalProperties"),
        ("type-links:\n  Foo: 'javascript:alert(1)'\n", "2:", "schema:pattern"),
        ("type-links:\n  Foo: 'https://x/a) [b](c'\n", "2:", "schema:pattern"),
        ("modules:\n  m: {repository: elsewhere}\n", "2:", "schema:enum"),
        (
            "pages:\n  - {path: api/a, title: {zh: a, en: a}, module: m, apis: []}\n"
            "  - {path: api/a, title: {zh: a, en: a}, module: m, apis: []}\n",
            "3:",
            "overlay:duplicate-page",
        ),
        (
            "modules:\n  m: {}\npages:\n  - {path: api/a, title: {zh: a, en: a}, module: n, "
            "apis: []}\n",
            "4:",
            "overlay:unknown-module",
        ),
        ("pages:\n  - {path: '../x', title: {zh: a, en: a}, module: m, apis: []}\n", "2:",
         "schema:pattern"),
        ("- a\n", "1:", "yaml:type"),
    ],
)  # fmt: skip
def test_bad_overlays_are_located(tmp_path: Path, text: str, where: str, check: str) -> None:
    doc = check_overlay_text(text, "o.yaml")
    assert [d.check for d in doc.diagnostics] == [check]
    assert f"{doc.diagnostics[0].line}:".startswith(where)
    _write(tmp_path, text)
    with pytest.raises(SpecError) as raised:
        load_overlay(tmp_path)
    assert f"a.yaml:{where}" in str(raised.value)


def test_an_unreadable_file_is_a_read_error(tmp_path: Path) -> None:
    file = _write(tmp_path, "")
    file.write_bytes(b"\xff\xfe")
    with pytest.raises(SpecReadError):
        load_overlay_files([file])


def test_an_empty_folder_is_an_empty_overlay(tmp_path: Path) -> None:
    (tmp_path / "overlays").mkdir()
    assert load_overlay(tmp_path) == Overlay()
