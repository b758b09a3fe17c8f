"""Reading one JSDoc block, without Node: the rules of generator.importer.jsdoc."""

from __future__ import annotations

from generator.exceptions import Diagnostic
from generator.importer.jsdoc import is_jsdoc, parse_doc
from generator.importer.model import Doc, ParamDoc, PlatformValueKind, Provenance, Source

SOURCE = Source("@example/pkg", "1.0.0", "types/a.d.ts")


def read(raw: str, line: int = 10, column: int = 3) -> tuple[Doc, list[Diagnostic]]:
    warnings: list[Diagnostic] = []
    return parse_doc(raw, Provenance(SOURCE, line, column), warnings), warnings


def test_only_double_star_blocks_are_jsdoc() -> None:
    assert is_jsdoc("/** a */")
    assert not is_jsdoc("/* a */")
    assert not is_jsdoc("/**/")


def test_summary_tags_and_their_positions() -> None:
    doc, warnings = read(
        "/**\n"
        "   * First line.\n"
        "   * Second line.\n"
        "   * @defaultValue 5\n"
        "   * @tutorial_uni_app https://example.invalid/a\n"
        "   *   continued\n"
        "   */"
    )
    assert warnings == []
    assert doc.summary == "First line.\nSecond line."
    assert doc.description == doc.summary
    assert [(t.name, t.text) for t in doc.tags] == [
        ("defaultValue", "5"),
        ("tutorial_uni_app", "https://example.invalid/a\n  continued"),
    ]
    tag = doc.tags[0]
    assert (tag.provenance.line, tag.provenance.column) == (13, 6)
    assert str(tag.provenance) == "types/a.d.ts:13:6"
    assert (tag.provenance.package, tag.provenance.version) == ("@example/pkg", "1.0.0")
    assert doc.default_value == "5"


def test_one_line_block() -> None:
    doc, _ = read("/** Just this. */")
    assert doc.summary == "Just this."
    assert doc.tags == ()


def test_crlf_lines_read_like_lf_lines() -> None:
    lf, _ = read("/**\n * Text.\n * @deprecated Use b.\n */")
    crlf, _ = read("/**\r\n * Text.\r\n * @deprecated Use b.\r\n */")
    assert (crlf.summary, crlf.deprecated, crlf.tags[0].provenance) == (
        lf.summary,
        lf.deprecated,
        lf.tags[0].provenance,
    )


def test_description_tag_wins_over_the_summary() -> None:
    doc, _ = read("/**\n * @description The real text.\n * @internal\n */")
    assert doc.summary == ""
    assert doc.description == "The real text."
    assert doc.internal


def test_deprecated_without_text_is_still_deprecated() -> None:
    doc, _ = read("/**\n * @deprecated\n */")
    assert doc.deprecated == ""
    plain, _ = read("/** Nothing. */")
    assert plain.deprecated is None


def test_an_at_sign_inside_a_code_fence_or_a_line_is_not_a_tag() -> None:
    doc, _ = read(
        "/**\n"
        " * Mention someone as @name in prose.\n"
        " * @example\n"
        " ```ts\n"
        " @Component\n"
        " const a = 1\n"
        " ```\n"
        " * @uniVersion 4.0\n"
        " */"
    )
    assert [t.name for t in doc.tags] == ["example", "uniVersion"]
    assert doc.examples == ("```ts\n @Component\n const a = 1\n ```",)
    assert doc.uni_version == "4.0"


def test_a_stray_second_star_before_a_tag() -> None:
    doc, _ = read("/**\n * Text.\n *   * @type {string}\n */")
    assert [t.name for t in doc.tags] == ["type"]
    assert doc.type == "{string}"


def test_tag_names_with_hyphens_and_every_tutorial_kind() -> None:
    doc, _ = read(
        "/**\n"
        " * @tutorial https://example.invalid/1\n"
        " * @tutorial-uni-app https://example.invalid/2\n"
        " * @tutorial_weixin https://example.invalid/3\n"
        " * @uniVueVersion 2,3\n"
        " * @param options what to do\n"
        " * @param {Callback} callback called once\n"
        " * @param {void}\n"
        " * @param [size=2] optional size\n"
        " */"
    )
    assert [(t.kind, t.url) for t in doc.tutorials] == [
        ("tutorial", "https://example.invalid/1"),
        ("tutorial-uni-app", "https://example.invalid/2"),
        ("tutorial_weixin", "https://example.invalid/3"),
    ]
    assert doc.uni_vue_version == "2,3"
    assert doc.params == (
        ParamDoc("options", None, "what to do"),
        ParamDoc("callback", "Callback", "called once"),
        ParamDoc("", "void", ""),
        ParamDoc("size", None, "optional size"),
    )


def test_platform_block_with_and_without_stars() -> None:
    starred, w1 = read(
        '/**\n * @uniPlatform {\n *   "web": {"uniVer": "√", "unixVer": "4.0"}\n * }\n */'
    )
    bare, w2 = read('/**\n * @uniPlatform\n  {\n    "web": {"uniVer": "x"}\n  }\n */')
    assert w1 == w2 == []
    assert starred.platforms is not None
    assert starred.platforms.value("web", "unixVer") is not None
    assert starred.platforms.value("web", "uniVer").kind is PlatformValueKind.SUPPORTED  # type: ignore[union-attr]
    assert bare.platforms is not None
    assert bare.platforms.entry("web") is not None
    assert (bare.platforms.provenance.line, bare.platforms.provenance.column) == (11, 4)


def test_a_broken_block_is_a_warning_at_its_file_line_col() -> None:
    doc, warnings = read('/**\n * @uniPlatform {\n *   "web": {"uniVer": "√}\n * }\n */', line=7)
    assert doc.platforms is None
    assert doc.tag("uniPlatform") is not None
    [warning] = warnings  # the string runs into the line break: JSON stops there
    assert (warning.file, warning.line, warning.column) == ("types/a.d.ts", 9, 27)
    assert warning.check == "uniPlatform-json"
    assert str(warning).startswith("types/a.d.ts:9:27: @uniPlatform: block skipped")
