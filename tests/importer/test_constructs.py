"""Each construct of the declarations, read from the fixtures by the real extractor (Node)."""

from __future__ import annotations

import pytest

from generator.importer.model import (
    Declaration,
    Member,
    PlatformValueKind,
    Surface,
    TypeNode,
)


def decl(surface: Surface, name: str, module: str = "constructs") -> Declaration:
    [found] = [d for d in surface.module(module).declarations if d.name == name]
    return found


def member(d: Declaration, name: str) -> Member:
    [found] = [m for m in d.members if m.name == name]
    return found


def field(node: TypeNode | None, name: str) -> Member:
    assert node is not None
    [found] = [f for f in node.fields if f.name == name]
    return found


def test_the_parse_is_clean_and_typescript_is_the_pinned_one(fixture_surface: Surface) -> None:
    assert fixture_surface.typescript.startswith("5.9.")
    assert not [w for w in fixture_surface.warnings if w.check == "typescript-parse"]


def test_uni_methods_with_generics_and_nullable_returns(fixture_surface: Surface) -> None:
    uni = decl(fixture_surface, "Uni")
    assert [m.name for m in uni.members] == [
        "openWidget",
        "fetchThing",
        "closeAllWidgets",
        "__widgetInternals",
        "widgetCount",
    ]
    fetch = member(uni, "fetchThing")
    assert fetch.kind == "method"
    assert fetch.signature is not None
    assert [p.name for p in fetch.signature.type_parameters] == ["T"]
    [options] = fetch.signature.parameters
    assert options.type is not None
    assert (options.type.kind, options.type.name) == ("reference", "FetchThingOptions")
    assert [a.text for a in options.type.arguments] == ["T"]
    returns = fetch.signature.returns
    assert returns is not None
    assert returns.kind == "union"
    assert [m.type.text for m in returns.members] == ["WidgetTask", "null"]
    assert member(uni, "widgetCount").kind == "property"


def test_provenance_on_members_and_declarations(fixture_surface: Surface) -> None:
    uni = decl(fixture_surface, "Uni")
    open_widget = member(uni, "openWidget")
    assert str(uni.provenance) == "constructs.d.ts:1:1"
    assert str(open_widget.provenance) == "constructs.d.ts:45:3"
    assert open_widget.doc is not None
    assert str(open_widget.doc.provenance) == "constructs.d.ts:2:3"


def test_api_doc_tags(fixture_surface: Surface) -> None:
    uni = decl(fixture_surface, "Uni")
    doc = member(uni, "openWidget").doc
    assert doc is not None
    assert doc.description == "Open a tiny widget."
    assert [t.kind for t in doc.tutorials] == [
        "tutorial",
        "tutorial_uni_app",
        "tutorial_uni_app_x",
        "tutorial_weixin",
    ]
    [example] = doc.examples
    assert "@Decorated" in example
    assert (doc.uni_version, doc.uni_vue_version) == ("3.9", "2,3")
    closing = member(uni, "closeAllWidgets").doc
    assert closing is not None
    assert (closing.description, closing.deprecated) == (
        "Old way to close every widget.",
        "Use WidgetTask.close instead.",
    )
    internal = member(uni, "__widgetInternals").doc
    assert internal is not None
    assert internal.internal


def test_platform_values_and_keys(fixture_surface: Surface) -> None:
    doc = member(decl(fixture_surface, "Uni"), "openWidget").doc
    assert doc is not None
    table = doc.platforms
    assert table is not None
    assert table.repairs == ()
    assert [e.id for e in table.entries] == ["app.android", "app.harmony", "mp.weixin", "web"]

    def cell(platform: str, key: str) -> tuple[PlatformValueKind, str | None, str | None]:
        value = table.value(platform, key)
        assert value is not None
        return value.kind, value.version, value.detail

    assert cell("app.android", "uniVer") == (PlatformValueKind.SUPPORTED, None, None)
    assert cell("app.android", "uniUtsPlugin") == (PlatformValueKind.VERSION, "3.9", None)
    assert cell("app.android", "unixUtsPlugin") == (PlatformValueKind.UNSUPPORTED, None, None)
    assert cell("app.harmony", "osVer") == (PlatformValueKind.VERSION, "5.0.0", "11")
    assert cell("app.harmony", "uniVer") == (PlatformValueKind.UNSPECIFIED, None, None)
    assert cell("app.harmony", "unixVaporVer") == (PlatformValueKind.VERSION, "5.0", None)
    assert cell("app.harmony", "unixvVer") == (PlatformValueKind.VERSION, "3.0", None)
    assert cell("mp.weixin", "hostVer") == (PlatformValueKind.VERSION, "2.10.0", None)
    assert cell("mp.weixin", "uniVer") == (PlatformValueKind.SUPPORTED, None, None)
    assert cell("web", "unixVer") == (PlatformValueKind.VERSION, "4.0", None)


def test_type_literal_fields_optional_nullable_arrays_and_subtypes(
    fixture_surface: Surface,
) -> None:
    options = decl(fixture_surface, "OpenWidgetOptions")
    assert options.kind == "type"
    assert options.type is not None
    assert options.type.kind == "object"
    assert [f.name for f in options.type.fields] == [
        "page",
        "size",
        "tags",
        "mixed",
        "success",
        "mode",
    ]
    page = field(options.type, "page")
    assert (page.optional, page.type and page.type.kind, page.type and page.type.name) == (
        False,
        "reference",
        "string.PageURIString",
    )
    assert page.doc is not None
    assert page.doc.default_value == '"/pages/index"'
    size = field(options.type, "size")
    assert size.optional
    assert size.doc is not None
    assert size.doc.type == "{number}"
    tags = field(options.type, "tags").type
    assert tags is not None
    array = tags.members[0].type
    assert (array.kind, array.element and array.element.text) == ("array", "string")
    mixed = field(options.type, "mixed").type
    assert mixed is not None
    assert mixed.kind == "array"
    assert mixed.element is not None
    assert mixed.element.kind == "parenthesized"
    assert mixed.element.element is not None
    assert mixed.element.element.kind == "union"


def test_function_type_aliases(fixture_surface: Surface) -> None:
    callback = decl(fixture_surface, "OpenWidgetSuccessCallback")
    assert callback.type is not None
    assert callback.type.kind == "function"
    signature = callback.type.signature
    assert signature is not None
    assert [(p.name, p.type and p.type.text) for p in signature.parameters] == [
        ("result", "WidgetResult")
    ]
    assert signature.returns is not None
    assert signature.returns.kind == "keyword"
    generic = decl(fixture_surface, "FetchThingOptions")
    assert [p.name for p in generic.type_parameters] == ["T"]


def test_union_members_keep_their_leading_docs(fixture_surface: Surface) -> None:
    mode = decl(fixture_surface, "WidgetMode")
    assert mode.type is not None
    assert mode.type.kind == "union"
    values = mode.type.members
    assert [(m.type.kind, m.type.literal_kind, m.type.text) for m in values] == [
        ("literal", "StringLiteral", "'inline'"),
        ("literal", "StringLiteral", "'layer'"),
    ]
    assert [m.type.literal_value for m in values] == ["inline", "layer"]
    first, second = values
    assert first.doc is not None
    assert first.doc.description == "Inline in the page."
    assert first.doc.platforms is not None
    assert first.doc.platforms.entry("web") is not None
    assert first.doc.ts_tag_names is None  # TypeScript's JSDoc API does not attach it
    assert second.doc is not None
    assert second.doc.description == "In its own layer."
    assert str(second.provenance) == "constructs.d.ts:105:3"


def test_error_code_unions(fixture_surface: Surface) -> None:
    codes = decl(fixture_surface, "WidgetErrorCode")
    assert codes.type is not None
    members = codes.type.members
    assert [m.type.text for m in members] == ["710001", "710002", "710003"]
    assert [m.type.literal_value for m in members] == [710001, 710002, 710003]
    assert [m.doc.description if m.doc else None for m in members] == [
        "The widget is busy.",
        "The widget is gone.",
        None,
    ]


def test_extends_this_classes_and_functions(fixture_surface: Surface) -> None:
    fail = decl(fixture_surface, "WidgetFail")
    assert [(h.token, h.name) for h in fail.heritage] == [("extends", "IUniError")]
    task = decl(fixture_surface, "WidgetTask")
    on_close = member(task, "onClose")
    assert on_close.signature is not None
    assert on_close.signature.returns is not None
    assert on_close.signature.returns.kind == "this"
    close = member(task, "close")
    assert close.signature is not None
    assert [(p.name, p.optional) for p in close.signature.parameters] == [("code", True)]
    impl = decl(fixture_surface, "WidgetFailImpl")
    assert impl.kind == "class"
    assert [(h.token, h.name) for h in impl.heritage] == [
        ("extends", "UniError"),
        ("implements", "WidgetFail"),
    ]
    assert [m.kind for m in impl.members] == ["property", "constructor"]
    assert member(impl, "errCode").modifiers == ("override",)
    make = decl(fixture_surface, "makeWidget")
    assert make.kind == "function"
    assert make.signature is not None
    assert [(p.name, p.rest) for p in make.signature.parameters] == [
        ("name", False),
        ("rest", True),
    ]


def test_declarations_twice_under_ifdef_carry_their_conditions(fixture_surface: Surface) -> None:
    variants = fixture_surface.module("constructs").named("WidgetProvider")
    assert [v.condition for v in variants] == [("APP-IOS",), ("!APP-IOS",)]
    ios, other = variants
    assert [h.name for h in ios.heritage] == ["BaseProvider", "JSExport"]
    assert [(m.name, m.condition) for m in ios.members] == [("describe", ("APP-IOS",))]
    assert [h.name for h in other.heritage] == ["BaseProvider"]
    assert decl(fixture_surface, "WidgetTask").condition == ()


def test_typescript_and_the_importer_read_the_same_tags(fixture_surface: Surface) -> None:
    """The one documented difference: an ``@`` line inside a code fence is not a tag."""
    compared = [d for d in fixture_surface.docs() if d.ts_tag_names is not None]
    assert len(compared) > 10
    differ = [d for d in compared if tuple(t.name for t in d.tags) != d.ts_tag_names]
    [fenced] = differ
    assert fenced.ts_tag_names is not None
    assert [n for n in fenced.ts_tag_names if n not in {t.name for t in fenced.tags}] == [
        "Decorated"
    ]


def test_counts_of_the_fixtures(fixture_surface: Surface) -> None:
    counts = fixture_surface.counts()
    assert counts.modules == 2
    assert (counts.uni_members, counts.uni_names, counts.uni_apis) == (5, 5, 4)
    assert (counts.methods, counts.interfaces_with_methods) == (3, 2)
    assert (counts.error_code_unions, counts.error_codes) == (1, 3)
    assert counts.classes == 1
    assert counts.platform_blocks_on_union_members == 2  # one of them on the code 710002


def test_stray_semicolons_are_not_declarations(fixture_surface: Surface) -> None:
    kinds = {d.kind for d in fixture_surface.module("constructs").declarations}
    assert kinds == {"interface", "type", "class", "function"}


def test_null_in_a_union_is_a_literal_of_value_none(fixture_surface: Surface) -> None:
    size = field(decl(fixture_surface, "OpenWidgetOptions").type, "size").type
    assert size is not None
    number, null = (m.type for m in size.members)
    assert (null.kind, null.literal_kind, null.literal_value) == ("literal", "NullKeyword", None)
    with pytest.raises(ValueError, match="keyword type, not a literal"):
        _ = number.literal_value
