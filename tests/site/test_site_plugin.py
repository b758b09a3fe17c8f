"""The ``utsapi`` MkDocs plugin, event by event, with fake pages (no MkDocs build)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.mkdocs_plugin import (
    RESULTS_MARKER,
    UtsApiPlugin,
    unique_heading_ids,
    vuepress_to_mkdocs,
)
from tests.site.support import ROOT, SITE, SPEC, sample_report

#: sha256 of the seed page (shared/seeds/websocket.md); the Chinese page is that file, unchanged.
SEED_SHA256 = "a03f98e2a967195fc6fe5bae337f0df2c3d63739ef5cb8a4561c499d931410c5"


def make_config(docs: Path) -> MkDocsConfig:
    config = MkDocsConfig(config_file_path=str(docs.parent / "mkdocs.yml"))
    config.load_dict(
        {"site_name": "test", "docs_dir": str(docs), "site_dir": str(docs.parent / "out")}
    )
    errors, _ = config.validate()
    assert not errors, errors
    return config


def make_plugin(config: MkDocsConfig, **options: Any) -> UtsApiPlugin:
    plugin = UtsApiPlugin()
    errors, _ = plugin.load_config({"spec": str(SPEC), **options})
    assert not errors, errors
    plugin.on_config(config)
    return plugin


def render(plugin: UtsApiPlugin, config: MkDocsConfig, src_uri: str, text: str,
           **attributes: str) -> tuple[str, Page]:  # fmt: skip
    file = File(src_uri, config.docs_dir, config.site_dir, use_directory_urls=True)
    for name, value in attributes.items():
        setattr(file, name, value)
    page = Page(None, file, config)
    page.meta = {}
    out = plugin.on_page_markdown(text, page=page, config=config, files=Files([file]))
    assert out is not None
    return out, page


@pytest.fixture
def config(tmp_path: Path) -> MkDocsConfig:
    (tmp_path / "docs" / "zh").mkdir(parents=True)
    (tmp_path / "docs" / "en").mkdir(parents=True)
    return make_config(tmp_path / "docs")


@pytest.fixture
def plugin(config: MkDocsConfig) -> UtsApiPlugin:
    return make_plugin(config)


def test_the_chinese_websocket_page_is_the_seed_unchanged() -> None:
    digest = hashlib.sha256((SITE / "docs" / "zh" / "websocket.md").read_bytes()).hexdigest()
    assert digest == SEED_SHA256


def test_fills_every_placeholder_of_the_seed_page(
    plugin: UtsApiPlugin, config: MkDocsConfig
) -> None:
    seed = (SITE / "docs" / "zh" / "websocket.md").read_text(encoding="utf-8")
    out, page = render(plugin, config, "zh/websocket.md", seed)
    assert "UTSAPIJSON" not in out
    assert "## uni.connectSocket(options) {#connectsocket}" in out
    assert "## ~~uni.onSocketOpen(options)~~ {#onsocketopen}" in out
    assert '!!! warning "注意事项"' in out
    assert '<span class="utsapi-platform">微信小程序</span>' in out
    # A parameter with nothing but its name, type and required flag is one line (issue 13);
    # the properties of its options object keep their table.
    assert (
        '<p class="utsapi-params" markdown><strong>参数</strong> <code>options</code>: '
        '**ConnectSocketOptions** <span class="utsapi-required">必填: 是</span></p>'
    ) in out
    assert "| 名称 | 类型 | 必备 | 默认值 | 兼容性 | 描述 |" in out
    returns = (
        '<p class="utsapi-returns" markdown><strong>返回值</strong> '
        "[SocketTask](#sockettask-values)</p>"
    )
    assert returns in out
    assert "{#sockettask-values}" in out and "{#generalcallbackresult-values}" in out
    assert page.meta["title"] == "WebSocket"


def test_english_page_gets_english_sections(plugin: UtsApiPlugin, config: MkDocsConfig) -> None:
    english = (SITE / "docs" / "en" / "websocket.md").read_text(encoding="utf-8")
    out, _ = render(plugin, config, "en/websocket.md", english)
    assert "UTSAPIJSON" not in out
    assert "| Name | Type | Required | Default | Compatibility | Description |" in out
    assert "参数" not in out
    assert '!!! warning "Notes"' in out


def test_language_comes_from_the_i18n_locale_first(
    plugin: UtsApiPlugin, config: MkDocsConfig
) -> None:
    out, _ = render(plugin, config, "api.md", "<!-- UTSAPIJSON.general_type.name -->", locale="en")
    assert out.strip() == "## General types {#general-types}"
    out, _ = render(plugin, config, "api.md", "<!-- UTSAPIJSON.general_type.name -->")
    assert out.strip() == "## 通用类型 {#general-types}"


def test_unknown_placeholder_fails_the_build_naming_file_line_and_nearest(
    plugin: UtsApiPlugin, config: MkDocsConfig, caplog: pytest.LogCaptureFixture
) -> None:
    text = "# T\n\nx <!-- UTSAPIJSON.connectSockt.param --> <!-- UTSAPIJSON.websocket.exampel -->\n"
    with caplog.at_level(logging.ERROR):
        out, _ = render(plugin, config, "zh/broken.md", text)
    assert "<!-- UTSAPIJSON.connectSockt.param -->" in out
    with pytest.raises(PluginError) as info:
        plugin.on_post_build(config=config)
    message = str(info.value)
    assert "2 placeholders could not be filled" in message
    assert "zh/broken.md:3:3" in message and "'connectSocket'" in message
    assert "'example'" in message
    assert "zh/broken.md:3" in caplog.text


def test_allow_missing_keeps_unknown_placeholders(config: MkDocsConfig) -> None:
    plugin = make_plugin(config, allow_missing=True)
    out, _ = render(plugin, config, "zh/x.md", "<!-- UTSAPIJSON.nope.param -->\n")
    assert out == "<!-- UTSAPIJSON.nope.param -->\n"
    plugin.on_post_build(config=config)


def test_invalid_spec_is_a_plugin_error_that_says_where(
    config: MkDocsConfig, tmp_path: Path
) -> None:
    spec = tmp_path / "bad-spec"
    (spec / "modules").mkdir(parents=True)
    (spec / "modules" / "websocket.yaml").write_text("format: 1\nmodule: [unclosed\n", "utf-8")
    plugin = UtsApiPlugin()
    plugin.load_config({"spec": str(spec)})
    with pytest.raises(PluginError) as info:
        plugin.on_config(config)
    assert f"{spec / 'modules' / 'websocket.yaml'}:" in str(info.value)


def test_missing_spec_dir_is_a_config_error(tmp_path: Path) -> None:
    errors, _ = UtsApiPlugin().load_config({"spec": str(tmp_path / "nowhere")})
    assert errors and "nowhere" in str(errors[0][1])


# ----------------------------------------------------------------------------------------------
# Conformance results


def test_results_page_without_a_report_says_so(plugin: UtsApiPlugin, config: MkDocsConfig) -> None:
    out, _ = render(plugin, config, "zh/conformance.md", f"# C\n\n{RESULTS_MARKER}\n")
    assert "还没有一致性测试结果" in out and RESULTS_MARKER not in out


def test_results_page_renders_the_report(config: MkDocsConfig, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(sample_report()), encoding="utf-8")
    plugin = make_plugin(config, report=str(report))
    out, _ = render(plugin, config, "en/conformance.md", f"# C\n\n{RESULTS_MARKER}\n")
    assert "- Implementation: reference&#95;impl:uni" in out or "reference_impl:uni" in out
    assert '<span class="utsapi-verdict utsapi-fail">FAIL</span> | 1 |' in out
    assert "<code>close.code&#91;1000&#93;</code>" in out or "<code>close.code[1000]</code>" in out
    assert "expected &lt;code&gt; &#124; 1000" in out
    assert "Close code" in out


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"format": "other"}'])
def test_a_file_that_is_not_a_report_is_a_note_not_an_error(
    config: MkDocsConfig, tmp_path: Path, content: str
) -> None:
    report = tmp_path / "report.json"
    report.write_text(content, encoding="utf-8")
    plugin = make_plugin(config, report=str(report))
    out, _ = render(plugin, config, "en/conformance.md", RESULTS_MARKER)
    assert "could not be read" in out


# ----------------------------------------------------------------------------------------------
# Files and serve


def test_type_pages_are_added_per_language_folder(
    plugin: UtsApiPlugin, config: MkDocsConfig
) -> None:
    config.plugins["utsapi"] = plugin
    files = config.plugins.on_files(Files([]), config=config)
    uris = {f.src_uri for f in files}
    assert {"zh/types/index.md", "en/types/sockettask.md", "zh/types/connectsocketfail.md"} <= uris
    page = next(f for f in files if f.src_uri == "en/types/sockettask.md")
    assert page.content_string.startswith("# SocketTask {#sockettask-values}")


def test_serve_watches_the_spec(plugin: UtsApiPlugin, config: MkDocsConfig) -> None:
    watched: list[str] = []

    class Server:
        def watch(self, path: str, recursive: bool = True) -> None:
            watched.append(path)

    plugin.on_serve(Server(), config=config, builder=lambda: None)
    assert str(SPEC) in watched


# ----------------------------------------------------------------------------------------------
# Helpers


def test_vuepress_containers_and_at_anchors_become_mkdocs_syntax() -> None:
    source = (
        "::: warning 注意\n\ntext [a](#b)\n\n:::\n\n## uni.x(options) @x\n\n"
        "```md\n::: warning kept\n## kept @kept\n```\n"
    )
    assert vuepress_to_mkdocs(source) == (
        '!!! warning "注意"\n\n\n    text [a](#b)\n\n\n\n## uni.x(options) {#x}\n\n'
        "```md\n::: warning kept\n## kept @kept\n```\n"
    )


def test_repeated_heading_ids_are_numbered_and_their_permalinks_follow() -> None:
    html = (
        '<h4 id="t-values">T<a class="headerlink" href="#t-values">¶</a></h4>'
        '<h4 id="t-values">T<a class="headerlink" href="#t-values">¶</a></h4>'
    )
    assert unique_heading_ids(html) == (
        '<h4 id="t-values">T<a class="headerlink" href="#t-values">¶</a></h4>'
        '<h4 id="t-values_2">T<a class="headerlink" href="#t-values_2">¶</a></h4>'
    )


def test_site_config_keeps_the_internet_out() -> None:
    text = (SITE / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  font: false\n" in text
    assert (ROOT / "site" / "docs" / "zh" / "websocket.md").is_file()


def test_a_module_title_reaches_the_page_title_escaped(
    config: MkDocsConfig, spec_copy: Path
) -> None:
    module = spec_copy / "modules" / "websocket.yaml"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("  en: WebSocket\n", "  en: Web<script>&Socket\n", 1), "utf-8")
    plugin = make_plugin(config, spec=str(spec_copy))
    _, page = render(plugin, config, "en/websocket.md", "Text with no heading.\n")
    assert page.meta["title"] == "Web&lt;script&gt;&amp;Socket"


def test_a_partly_struck_deprecated_heading_is_struck_through_as_a_whole() -> None:
    """The seed writes ``uni.~~closeSocket(options)~~``; the site strikes the whole name."""
    from generator.mkdocs_plugin import vuepress_to_mkdocs  # noqa: PLC0415

    out = vuepress_to_mkdocs("## uni.~~closeSocket(options)~~ @closesocket\n```\n## uni.~~x~~\n```")
    assert out.splitlines()[0] == "## ~~uni.closeSocket(options)~~ {#closesocket}"
    assert "## uni.~~x~~" in out  # fenced code is left alone


def test_an_unknown_placeholder_is_reported_on_its_own_line_after_a_container(
    plugin: UtsApiPlugin, config: MkDocsConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 13: the MkDocs plugin reported a placeholder one line off (a ``::: warning``
    becomes two lines, its body indented, before the placeholders are filled)."""
    text = (
        "# T\n\n::: warning Notes\n\ntext <!-- UTSAPIJSON.connectSockt.param -->\n\n:::\n\n"
        "<!-- UTSAPIJSON.connectSocket.parm -->\n"
    )
    with caplog.at_level(logging.ERROR):
        render(plugin, config, "zh/off.md", text)
    with pytest.raises(PluginError) as info:
        plugin.on_post_build(config=config)
    message = str(info.value)
    assert "zh/off.md:5:6" in message, message
    assert "zh/off.md:9:1" in message, message
