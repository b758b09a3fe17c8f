"""The mkdocs flavour: same keys and anchors as the dcloud flavour, self-contained sections,
English in English, rules under their APIs, and escaping that holds for any text."""

from __future__ import annotations

import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.flavors import dcloud
from generator.flavors.mkdocs import (
    build_data,
    build_page_data,
    build_type_pages,
    escape_md,
    safe_url,
    type_page_name,
)
from generator.spec import Spec, load_bundled_spec
from generator.spec.model import Lang

LINK = re.compile(r"\]\(#([A-Za-z0-9_-]+)\)")
HEADING_ID = re.compile(r"\{#([A-Za-z0-9_-]+)\}")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "pymdownx.tilde"]


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_bundled_spec()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_same_keys_sections_and_anchor_links_as_the_dcloud_flavour(spec: Spec, lang: Lang) -> None:
    """The sections a page can use; the whole-surface column sets' ``originName`` is a key of
    the data file only (no page of the docs names it), so the seed's set is compared."""
    ours = build_data(spec, lang)
    theirs = dcloud.build_data(spec, lang, columns=dcloud.column_set("2025"))
    assert {k: sorted(v) for k, v in ours.items()} == {k: sorted(v) for k, v in theirs.items()}

    def links(data: dict[str, dict[str, str]]) -> set[str]:
        return {a for sections in data.values() for v in sections.values() for a in LINK.findall(v)}

    assert links(ours) == links(theirs)
    assert {"sockettask-values", "connectsocketsuccess-values", "generalcallbackresult-values"} <= (
        links(ours)
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_api_links_only_to_anchors_its_own_sections_or_general_type_define(
    spec: Spec, lang: Lang
) -> None:
    data = build_data(spec, lang)
    general = set(HEADING_ID.findall(data["general_type"]["param"]))
    assert "generalcallbackresult-values" in general
    for api in spec.modules[0].apis:
        text = "\n".join(data[api.name].values())
        defined = set(HEADING_ID.findall(text)) | general
        assert set(LINK.findall(text)) <= defined, api.name
        assert f"{{#{api.name.lower()}}}" in data[api.name]["name"]


def test_connectsocket_sections_show_what_the_seed_page_needs(spec: Spec) -> None:
    data = build_data(spec, "zh")["connectSocket"]
    assert data["name"].strip() == "## uni.connectSocket(options) {#connectsocket}"
    # Compatibility: one line of badges, each naming its platform.
    platforms = re.findall(r'utsapi-platform">([^<]+)<', data["compatibility"])
    assert platforms == ["Web", "微信小程序", "Android", "iOS", "HarmonyOS"]
    assert "✓ 3.91" in data["compatibility"]
    assert "**options 的属性（ConnectSocketOptions）**" in data["param"]
    assert "#### ConnectSocketFail 的属性值 {#connectsocketfail-values}" in data["param"]
    assert "| 600009 | invalid URL | URL格式不合法 |" in data["param"]
    assert "#### SocketTask 的方法 {#sockettask-values}" in data["returnValue"]
    for method in ("send", "close", "onopen", "onclose", "onerror", "onmessage"):
        assert f"{{#{method}}}" in data["returnValue"]
    assert (
        "[相关 Bug](https://issues.dcloud.net.cn/?mid=api.network.websocket.connectSocket)"
        in (data["tutorial"])
    )
    # The spec's own example of connectSocket, under a tab named after its language.
    example = spec.modules[0].api("connectSocket").examples[0]  # type: ignore[union-attr]
    assert '=== "UTS"\n\n    ```ts\n' in data["tutorial"]
    assert "\n".join("    " + line for line in example.code.splitlines()) in data["tutorial"]


def test_the_module_example_is_under_a_language_tab(spec: Spec) -> None:
    example = build_data(spec, "en")["websocket"]["example"]
    assert "## Example {#example}\n" in example
    assert '=== "UTS"\n\n    ```ts\n    let task' in example


def test_deprecated_global_is_struck_through_and_names_its_replacement(spec: Spec) -> None:
    data = build_data(spec, "en")["onSocketOpen"]
    # The whole name is struck through, uni. included (issue 13).
    assert data["name"].strip() == "## ~~uni.onSocketOpen(options)~~ {#onsocketopen}"
    assert (
        '<p class="utsapi-deprecated" markdown><strong>Deprecated</strong>' in data["description"]
    )
    # The replacement is a link to its heading on its interface's page.
    assert "Use [SocketTask.onOpen](types/sockettask.md#onopen) instead." in data["description"]
    assert data["returnValue"] == ""
    nested = build_data(spec, "en", root="../")["closeSocket"]["description"]
    assert "[SocketTask.close](../types/sockettask.md#close)" in nested


def test_english_data_has_no_chinese(spec: Spec) -> None:
    data = build_data(spec, "en")
    for key, sections in data.items():
        for section, text in sections.items():
            assert not CJK.search(text), (key, section, CJK.findall(text)[:5])


def test_each_rule_is_listed_once_per_api_section_with_a_link_to_its_text(spec: Spec) -> None:
    """An API section (the API and the methods of what it returns) lists each of its rules
    once, linking to the rule's full text on the conformance page (issue 13: the WebSocket
    page had 91 rule rows for 51 rules)."""
    rules = spec.rules.rules
    if not rules:
        pytest.skip("the spec has no rules/*.yaml yet")
    data = build_data(spec, "en")
    listed: dict[str, list[str]] = {}
    for api in spec.modules[0].apis:
        text = "\n".join(data[api.name].values())
        ids = re.findall(r"\[<code>([^<]+)</code>\]\(conformance\.md#rule-([^ )]+)", text)
        assert all(a == b for a, b in ids), ids
        assert len({a for a, _ in ids}) == len(ids), (api.name, ids)  # once per section
        listed[api.name] = [a for a, _ in ids]
    for rule in rules:
        for api in rule.apis:
            owner, _, _ = api.rpartition(".")
            assert rule.id in listed["connectSocket" if owner else api], (rule.id, api)
    # No rule's full text on an API page: it is on the conformance page.
    assert rules[0].text.en not in "\n".join(data["connectSocket"].values())


def test_no_rules_directory_means_no_rules_table(spec: Spec) -> None:
    data = build_data(spec, "zh", rules=())
    assert "行为规则" not in "".join(s for v in data.values() for s in v.values())


def test_type_pages_cover_every_type_and_link_to_existing_pages(spec: Spec) -> None:
    pages = build_type_pages(spec, "zh", api_pages={"websocket": "../websocket.md"})
    names = {p.name for p in pages}
    assert names == {"index.md"} | {type_page_name(t) for t in spec.modules[0].types}
    for page in pages:
        for target in re.findall(r"\]\(([a-z0-9]+\.md)(?:#[a-z0-9-]+)?\)", page.markdown):
            assert target in names, (page.name, target)
    task = next(p for p in pages if p.name == "sockettask.md")
    assert task.markdown.startswith("# SocketTask {#sockettask-values}")
    assert "[connectSocket](../websocket.md#connectsocket)" in task.markdown


# ----------------------------------------------------------------------------------------------
# Escaping, for any text


def _html(md: str) -> str:
    return markdown.markdown(md, extensions=EXTENSIONS)


NASTY = [
    "a | b",
    "line one\nline two\r\nthree",
    "<script>alert(1)</script>",
    "{{ jinja }} {% if x %}",
    "# not a heading",
    "!!! warning",
    "1. not a list",
    "[x](javascript:alert(1))",
    "`code | with pipe` and `<b>`",
    "back\\slash\\|",
    "trailing {#id}",
    "<!-- UTSAPIJSON.connectSocket.param -->",
]


@pytest.mark.parametrize("text", NASTY)
def test_escaped_text_stays_in_its_table_cell(text: str) -> None:
    html = _html(f"| a | b | c |\n| - | - | - |\n| x | {escape_md(text)} | y |\n")
    assert html.count("<td>") == 3
    assert "<script" not in html and "<a " not in html and "<h" not in html.replace("<hr", "")
    assert "UTSAPIJSON" not in html or "&lt;!--" in html


@pytest.mark.parametrize("text", NASTY)
def test_escaped_text_stays_one_paragraph(text: str) -> None:
    html = _html(escape_md(text))
    assert html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1
    assert "<script" not in html and "<a " not in html and 'class="admonition' not in html


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab |\n\\`[](){}<>#!-*_=:1.&;/'\"")), max_size=40))
def test_any_text_stays_in_one_cell_without_markup(text: str) -> None:
    html = _html(f"| a | b | c |\n| - | - | - |\n| x | {escape_md(text)} | y |\n")
    assert html.count("<td") == 3
    for tag in ("<script", "<a ", "<img", "<h1", "<h2", "<ul", "<ol", "<blockquote"):
        assert tag not in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a b(c)", "https://example.com/a%20b%28c%29"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
    ],
)
def test_only_http_urls_become_link_targets(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_a_page_shows_each_type_table_once_and_links_to_it_later(spec: Spec) -> None:
    """The deprecated globals repeated the tables of the SocketTask methods that replace them;
    rendered as one page, a later section links to the table shown earlier."""
    order = [(a.name, s) for a in spec.modules[0].apis for s in ("param", "returnValue")]
    base = build_data(spec, "en")
    page = build_page_data(spec, "en", order, base)
    send = page["connectSocket"]["returnValue"]
    assert 'id="sendsocketmessageoptions-values"' in send  # shown once, under SocketTask.send
    assert "Properties of options (SendSocketMessageOptions)" in send
    later = page["sendSocketMessage"]["param"]
    assert "Properties of options" not in later
    assert "[SendSocketMessageOptions](#sendsocketmessageoptions-values)" in later
    # Nothing lost: every field of the type is on the page.
    fields = spec.modules[0].fields("SendSocketMessageOptions")
    whole = "\n".join(v for sections in page.values() for v in sections.values())
    assert all(f"| {f.name} |" in whole for f in fields)
    # Unrelated data is left as it was; without a page, each section shows its own tables.
    assert page["general_type"] == base["general_type"]
    assert "Properties of options (SendSocketMessageOptions)" in base["sendSocketMessage"]["param"]


def test_a_section_the_page_does_not_show_does_not_hide_a_later_table(spec: Spec) -> None:
    order = [("connectSocket", "param"), ("sendSocketMessage", "param")]  # no returnValue
    page = build_page_data(spec, "en", order, build_data(spec, "en"))
    assert "Properties of options (SendSocketMessageOptions)" in page["sendSocketMessage"]["param"]


def test_a_parameter_with_more_than_name_type_and_required_keeps_its_table(spec: Spec) -> None:
    """Issue 13: a bare parameter is one line; one with a description (or a default, a
    compatibility, values) needs the table's columns, so nothing it says is dropped."""
    from dataclasses import replace  # noqa: PLC0415

    from generator.spec.model import Text  # noqa: PLC0415

    params_table = "| 名称 | 类型 | 必填 | 默认值 | 兼容性 | 描述 |"  # "必备": a type's table
    bare = build_data(spec, "zh")["onSocketOpen"]["param"]
    assert 'class="utsapi-params"' in bare and params_table not in bare
    module = spec.modules[0]
    api = module.api("onSocketOpen")
    assert api is not None
    described = replace(api.params[0], description=Text("当打开时。", "When it opens."))
    apis = tuple(replace(a, params=(described,)) if a is api else a for a in module.apis)
    changed = Spec(modules=(replace(module, apis=apis),), rules=spec.rules)
    table = build_data(changed, "zh")["onSocketOpen"]["param"]
    assert 'class="utsapi-params"' not in table
    assert params_table in table and "当打开时。" in table
