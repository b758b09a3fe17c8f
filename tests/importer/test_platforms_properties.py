"""Properties of the @uniPlatform repairs: they keep every position (so a warning's line and
column are the ``.d.ts``'s), and they give back what was written before the damage."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from generator.importer import platforms
from generator.importer.platforms import ParsedBlock, parse_block

CELLS = st.sampled_from(["√", "x", "-", "3.9+", "4.11", "5.0.0(11)", ">=2.10.0", "3,0"])
KEYS = st.sampled_from(sorted(platforms.PLATFORM_KEYS))
PLATFORM = st.dictionaries(KEYS, CELLS, min_size=1, max_size=4)
TABLE = st.fixed_dictionaries(
    {},
    optional={
        "app": st.dictionaries(
            st.sampled_from(["android", "ios", "harmony"]), PLATFORM, min_size=1
        ),
        "mp": st.dictionaries(st.sampled_from(["weixin", "alipay"]), PLATFORM, min_size=1),
        "web": PLATFORM,
    },
)


@given(st.text(alphabet=st.sampled_from('{}[],:"/* \n\tab1√x'), max_size=80))
def test_every_repair_keeps_length_and_line_breaks(text: str) -> None:
    for _, repair in platforms._REPAIRS:
        repaired = repair(text)
        assert len(repaired) == len(text)
        assert [i for i, c in enumerate(repaired) if c == "\n"] == [
            i for i, c in enumerate(text) if c == "\n"
        ]


@given(TABLE)
def test_strict_json_is_read_as_written(table: dict[str, object]) -> None:
    assert parse_block(json.dumps(table, ensure_ascii=False, indent=2)) == ParsedBlock(table, ())


@given(TABLE)
def test_trailing_commas_everywhere_are_repaired_to_the_same_value(
    table: dict[str, object],
) -> None:
    text = json.dumps(table, ensure_ascii=False, indent=2)
    damaged = re.sub(r'(["}])(\n\s*})', r"\1,\2", text)
    parsed = parse_block(damaged)
    assert isinstance(parsed, ParsedBlock)
    assert parsed.value == table
    assert parsed.repairs == (("trailing-commas",) if damaged != text else ())


@given(TABLE)
def test_missing_commas_between_lines_are_repaired_to_the_same_value(
    table: dict[str, object],
) -> None:
    text = json.dumps(table, ensure_ascii=False, indent=2)
    damaged = re.sub(r'",\n', '"\n', text)
    parsed = parse_block(damaged)
    assert isinstance(parsed, ParsedBlock)
    assert parsed.value == table
