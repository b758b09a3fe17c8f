"""``<!-- UTSAPIJSON.key.section -->`` filling: any number per line, every unknown one reported."""

from __future__ import annotations

import pytest

from generator.exceptions import PageError
from generator.placeholders import fill_page, find_placeholders

DATA = {
    "connectSocket": {
        "description": "创建一个 WebSocket 连接。",
        "param": "### 参数\n",
        "tutorial": "",
    },
    "closeSocket": {"description": "关闭。"},
    "general_type": {"name": "## 通用类型\n", "param": "GCR"},
}


def test_fills_several_placeholders_on_one_line() -> None:
    text = (
        "a <!-- UTSAPIJSON.connectSocket.description --> "
        "b <!-- UTSAPIJSON.closeSocket.description -->\n"
    )
    assert fill_page(text, "p.md", DATA) == "a 创建一个 WebSocket 连接。 b 关闭。\n"


def test_empty_value_replaces_the_comment_with_nothing() -> None:
    assert fill_page("x<!-- UTSAPIJSON.connectSocket.tutorial -->y", "p.md", DATA) == "xy"


def test_whitespace_inside_the_comment_is_tolerated() -> None:
    assert fill_page("<!--UTSAPIJSON.general_type.param-->", "p.md", DATA) == "GCR"


def test_text_without_placeholders_is_unchanged() -> None:
    text = "<!-- a comment -->\n<!-- UTSJSON.other.thing -->\n"
    assert fill_page(text, "p.md", DATA) == text


def test_value_is_inserted_literally() -> None:
    data = {"k": {"s": r"$& $1 \1 \g<0>"}}
    assert fill_page("<!-- UTSAPIJSON.k.s -->", "p.md", data) == r"$& $1 \1 \g<0>"


def test_positions_are_one_based() -> None:
    found = list(find_placeholders("ab\n  <!-- UTSAPIJSON.a.b --> <!-- UTSAPIJSON.c.d -->"))
    assert [(p.line, p.column, p.key, p.section) for p in found] == [
        (2, 3, "a", "b"),
        (2, 27, "c", "d"),
    ]


def test_unknown_key_and_section_are_all_reported_with_file_line_and_nearest_names() -> None:
    text = (
        "# t\n"
        "<!-- UTSAPIJSON.connectSockt.param -->\n"
        "ok <!-- UTSAPIJSON.connectSocket.params --> <!-- UTSAPIJSON.general_type.nam -->\n"
    )
    with pytest.raises(PageError) as info:
        fill_page(text, "docs/ws.md", DATA)
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("docs/ws.md:2:1: UTSAPIJSON.connectSockt.param: unknown key")
    assert "'connectSocket'" in lines[0]
    assert lines[1].startswith("docs/ws.md:3:4: UTSAPIJSON.connectSocket.params: unknown section")
    assert "'param'" in lines[1]
    assert lines[2].startswith("docs/ws.md:3:45:")
    assert "'name'" in lines[2]
    assert [d.check for d in info.value.diagnostics] == ["placeholder"] * 3


def test_key_without_section_is_an_error() -> None:
    with pytest.raises(PageError, match=r"p\.md:1:1: .*no section"):
        fill_page("<!-- UTSAPIJSON.closeSocket -->", "p.md", DATA)


def test_allow_missing_keeps_unknown_placeholders_verbatim() -> None:
    text = "<!-- UTSAPIJSON.nope.param --> <!-- UTSAPIJSON.closeSocket.description -->"
    out = fill_page(text, "p.md", DATA, allow_missing=True)
    assert out == "<!-- UTSAPIJSON.nope.param --> 关闭。"


def test_a_diagnostic_names_the_line_and_column_of_the_page_as_written() -> None:
    """Issue 13: the plugin rewrites ``::: warning`` into two lines and indents the container's
    body; an unknown placeholder is reported where the page as written has it."""
    origin = "# T\n\n::: warning\n<!-- UTSAPIJSON.a.x -->\n:::\n\n<!-- UTSAPIJSON.b.y -->\n"
    text = "# T\n\n!!! warning\n\n    <!-- UTSAPIJSON.a.x -->\n\n\n<!-- UTSAPIJSON.b.y -->\n"
    with pytest.raises(PageError) as info:
        fill_page(text, "p.md", {"a": {"s": ""}, "b": {"s": ""}}, origin=origin)
    assert [(d.line, d.column) for d in info.value.diagnostics] == [(4, 1), (7, 1)]
    with pytest.raises(PageError) as info:  # without origin: the rewritten text's positions
        fill_page(text, "p.md", {"a": {"s": ""}, "b": {"s": ""}})
    assert [(d.line, d.column) for d in info.value.diagnostics] == [(5, 5), (8, 1)]


def test_an_origin_with_other_placeholders_falls_back_to_the_text() -> None:
    origin = "<!-- UTSAPIJSON.a.x -->\n"
    text = "\n<!-- UTSAPIJSON.b.y -->\n"
    with pytest.raises(PageError) as info:
        fill_page(text, "p.md", {"a": {"s": ""}}, origin=origin)
    assert [(d.line, d.column) for d in info.value.diagnostics] == [(2, 1)]
