"""@uniPlatform cells and blocks, without Node: the rules of generator.importer.platforms."""

from __future__ import annotations

import pytest

from generator.importer.model import PlatformValueKind as K
from generator.importer.platforms import (
    BlockError,
    ParsedBlock,
    normalize_value,
    parse_block,
    read_table,
)


@pytest.mark.parametrize(
    ("raw", "kind", "version", "detail"),
    [
        ("√", K.SUPPORTED, None, None),
        ("v", K.SUPPORTED, None, None),
        ("x", K.UNSUPPORTED, None, None),
        ("-", K.UNSPECIFIED, None, None),
        ("", K.UNSPECIFIED, None, None),
        ("4.11", K.VERSION, "4.11", None),
        ("5.00", K.VERSION, "5.00", None),
        ("3.9+", K.VERSION, "3.9", None),
        ("4.0+", K.VERSION, "4.0", None),
        (">=2.10.0", K.VERSION, "2.10.0", None),
        ("5.0.0(11)", K.VERSION, "5.0.0", "11"),
        ("5.0.0 (12)", K.VERSION, "5.0.0", "12"),
        ("3,0", K.VERSION, "3.0", None),
        ("3，0", K.VERSION, "3.0", None),
        ("soon", K.UNKNOWN, None, None),
    ],
)
def test_cells_normalise_by_the_documented_table(
    raw: str, kind: K, version: str | None, detail: str | None
) -> None:
    value = normalize_value(raw)
    assert (value.raw, value.kind, value.version, value.detail) == (raw, kind, version, detail)


def test_strict_json_needs_no_repair() -> None:
    parsed = parse_block('{"web": {"uniVer": "√"}}')
    assert parsed == ParsedBlock({"web": {"uniVer": "√"}}, ())


@pytest.mark.parametrize(
    ("text", "repairs"),
    [
        ('{"web": {"uniVer": "√",},}', ("trailing-commas",)),
        ('{"web": {"uniVer": "√" // why\n}}', ("comments",)),
        ('{"web": {"uniVer": "√" /* a, b */}}', ("comments",)),
        ('{"web": {"uniVer": "√",, "unixVer": "x"}}', ("double-commas",)),
        ('{"web": {"uniVer": "√"\n  "unixVer": "x"}}', ("missing-commas",)),
        ('{"web": { uniVer": "√"}}', ("key-quotes",)),
        ('{"web":\n * {"uniVer": "√"}}', ("stray-stars",)),
    ],
)
def test_each_repair_is_named_and_keeps_positions(text: str, repairs: tuple[str, ...]) -> None:
    parsed = parse_block(text)
    assert isinstance(parsed, ParsedBlock)
    assert parsed.repairs == repairs
    assert isinstance(parsed.value, dict)
    assert parsed.value["web"]["uniVer"] == "√"


def test_a_comment_marker_inside_a_string_is_not_a_comment() -> None:
    parsed = parse_block('{"web": {"uniVer": "http://x"},}')
    assert isinstance(parsed, ParsedBlock)
    assert parsed.value == {"web": {"uniVer": "http://x"}}


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ('{"web": {"uniVer": "√}}', 19),  # unterminated string: where the string starts
        ('{"web": {"uniVer": "√"},', 24),  # the closing brace missing: the end
        ('{"web": {}} }', 12),  # text after the value
    ],
)
def test_an_unreadable_block_says_where_it_stops(text: str, offset: int) -> None:
    parsed = parse_block(text)
    assert isinstance(parsed, BlockError)
    assert parsed.offset == offset
    assert parsed.message


def test_unknown_groups_keys_and_values_are_kept_and_reported() -> None:
    entries, problems = read_table(
        {
            "app": {"android": {"uniVer": "√", "newVer": "1.0"}},
            "tv": {"uniVer": "x"},
            "web": {"uniVer": {"vue": "√"}},
            "quickapp": {"uniVer": "x"},
        }
    )
    assert [e.id for e in entries] == ["app.android", "tv", "web", "quickapp"]
    assert entries[0].values["newVer"].version == "1.0"
    assert problems == [
        "$.app.android.newVer: unknown platform key",
        "$.tv: unknown platform group",
        '$.web.uniVer: unreadable value \'{"vue": "√"}\'',
    ]


def test_a_block_that_is_not_an_object_is_a_problem() -> None:
    entries, problems = read_table(["app"])
    assert entries == []
    assert problems == ["$: expected an object of platform groups, found list"]
