"""Schema patterns follow JSON Schema's regex dialect (ECMA-262): ``$`` is the end of the string,
so ``module: "x\\n"`` does not pass ``^[A-Za-z_][A-Za-z0-9_]*$`` as Python's ``$`` would let it."""

from __future__ import annotations

import re

import pytest

from generator.spec._fastschema import ecma_pattern
from generator.spec.validate import validate_paths


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^[a-z]+$", "abc", True),
        ("^[a-z]+$", "abc\n", False),
        ("^[A-Za-z_$][A-Za-z0-9_$]*$", "$x", True),  # $ inside a class stays a character
        ("^[A-Za-z_$][A-Za-z0-9_$]*$", "$x\n", False),
        ("^\\$", "$", True),  # an escaped $ stays a character
        ("a$|^b", "b\n", True),
        ("a$|^b", "a\n", False),
    ],
)
def test_dollar_is_the_end_of_the_string(pattern: str, text: str, matches: bool) -> None:
    assert (re.search(ecma_pattern(pattern), text) is not None) is matches


def test_a_trailing_newline_in_an_identifier_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "m.yaml"
    spec.write_text(
        'format: 1\nmodule: "m\\n"\nversion: "1.0.0\\n"\n'
        "title: {zh: m, en: m}\ndescription: {zh: m, en: m}\ntypes: {}\n"
        "apis:\n- name: f\n  description: {zh: f, en: f}\n  params: []\n  returns: void\n"
        "  platforms: {web: {uniVer: x}}\n",
        encoding="utf-8",
    )
    result = validate_paths([spec])
    messages = [str(d) for d in result.diagnostics]
    assert any("$.module" in m for m in messages), messages
    assert any("$.version" in m for m in messages), messages
