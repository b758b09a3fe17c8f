"""The broken-block paths, on a fixture read by the real extractor (Node): each repair named,
each unreadable block a warning at the ``file:line:col`` where its JSON stops."""

from __future__ import annotations

from generator.importer import import_files
from generator.importer.model import Doc, PlatformValueKind, Surface
from tests.importer.support import FIXTURES, needs_node


def doc_of(surface: Surface, name: str) -> Doc:
    [samples] = surface.module("blocks").declarations
    assert samples.type is not None
    [found] = [f for f in samples.type.fields if f.name == name]
    assert found.doc is not None
    return found.doc


def test_repaired_blocks_name_their_repairs(fixture_surface: Surface) -> None:
    repairs = {
        name: (table.repairs if (table := doc_of(fixture_surface, name).platforms) else None)
        for name in ("repairedCommas", "repairedKeys", "repairedStar")
    }
    assert repairs == {
        "repairedCommas": ("comments", "trailing-commas"),
        "repairedKeys": ("double-commas", "trailing-commas", "missing-commas", "key-quotes"),
        "repairedStar": ("stray-stars",),
    }
    keys = doc_of(fixture_surface, "repairedKeys").platforms
    assert keys is not None
    ios = keys.value("app.ios", "uniVer")
    assert ios is not None
    assert ios.kind is PlatformValueKind.UNSUPPORTED


def test_unreadable_blocks_are_skipped_with_a_located_warning(fixture_surface: Surface) -> None:
    assert doc_of(fixture_surface, "brokenString").platforms is None
    assert doc_of(fixture_surface, "brokenBrace").platforms is None
    json_warnings = [
        (w.file, w.line, w.column, w.path)
        for w in fixture_surface.warnings
        if w.check == "uniPlatform-json"
    ]
    assert json_warnings == [
        ("blocks.d.ts", 40, 23, "@uniPlatform"),  # the line break inside "√,
        ("blocks.d.ts", 52, 4, "@uniPlatform"),  # the end of the block: a brace is missing
    ]


def test_unknown_values_and_keys_are_kept_and_warned_about(fixture_surface: Surface) -> None:
    table = doc_of(fixture_surface, "oddValue").platforms
    assert table is not None
    value = table.value("web", "uniVer")
    assert value is not None
    assert (value.kind, value.raw) == (PlatformValueKind.UNKNOWN, "soon")
    located = sorted(
        (str(w), w.check) for w in fixture_surface.warnings if w.check == "uniPlatform-value"
    )
    assert located == [
        ("blocks.d.ts:56:6: $.web.nextVer: unknown platform key", "uniPlatform-value"),
        ("blocks.d.ts:56:6: $.web.uniVer: unreadable value 'soon'", "uniPlatform-value"),
    ]


def test_counts_of_blocks(fixture_surface: Surface) -> None:
    counts = fixture_surface.counts()
    assert counts.platform_blocks == 9  # one on the error code 710002 of constructs.d.ts
    assert (counts.platform_blocks_repaired, counts.platform_blocks_broken) == (3, 2)
    assert counts.warnings == 4


def test_an_override_replaces_a_block_and_a_stale_one_is_reported() -> None:
    needs_node()
    surface = import_files(
        [FIXTURES / "blocks.d.ts"],
        root=FIXTURES,
        platform_overrides={
            "blocks.d.ts": {38: {"web": {"uniVer": "√", "unixVer": "4.0"}}, 3: {"web": {}}},
            "elsewhere.d.ts": {7: {}},
        },
    )
    table = doc_of(surface, "brokenString").platforms
    assert table is not None
    assert table.repairs == ("override",)
    value = table.value("web", "unixVer")
    assert value is not None
    assert value.version == "4.0"
    assert [(w.file, w.line, w.check) for w in surface.warnings if w.line in (3, 7, 40)] == [
        ("blocks.d.ts", 3, "override-unused"),
        ("elsewhere.d.ts", 7, "override-unused"),
    ]
    assert surface.counts().platform_blocks_broken == 1
