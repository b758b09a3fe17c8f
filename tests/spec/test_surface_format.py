"""The spec format's additions for the imported surface (issue 10): what an imported module
(one with ``provenance``) may hold and a curated one may not, and the checks of each new form."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from generator.spec.model import AliasType, ObjectType, build_module
from generator.spec.typeexpr import Function, Generic, Named, TypeExprError, parse_type
from generator.spec.validate import validate_text

PROVENANCE = {"package": "@example/x", "version": "1.0.0", "file": "x.d.ts"}


def _checks(data: dict[str, Any]) -> list[tuple[str, str]]:
    doc = validate_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "m.yaml")
    return [(d.check, d.path) for d in doc.diagnostics]


def _imported(minimal: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(minimal)
    data["provenance"] = dict(PROVENANCE)
    return data


def _clash(data: dict[str, Any]) -> dict[str, Any]:
    """An API named like the method ``Thing.open``: one anchor for two items."""
    data["apis"].append(
        {
            "name": "open",
            "description": {"zh": "开。", "en": "Open."},
            "params": [],
            "returns": "void",
        }
    )
    return data


def test_a_curated_module_keeps_the_unique_anchor_rule(minimal: dict[str, Any]) -> None:
    assert ("semantic:duplicate-anchor", "$.types.Thing.methods[0].name") in _checks(
        _clash(copy.deepcopy(minimal))
    )


def test_an_imported_module_gets_unique_anchors_instead(minimal: dict[str, Any]) -> None:
    data = _clash(_imported(minimal))
    assert _checks(data) == []
    module = build_module(data)
    assert module.imported
    assert module.api("open") is not None and module.api("open").anchor == "open"  # type: ignore[union-attr]
    assert module.callable("Thing.open").anchor == "open-2"  # type: ignore[union-attr]


def test_a_curated_deprecation_needs_a_replacement(minimal: dict[str, Any]) -> None:
    data = copy.deepcopy(minimal)
    data["apis"][1]["deprecated"] = {"text": {"zh": "旧。", "en": "Old."}}
    assert ("schema:required", "$.apis[1].deprecated") in _checks(data)
    imported = _imported(minimal)
    imported["apis"][1]["deprecated"] = {"text": {"zh": "旧。", "en": "Old."}}
    assert _checks(imported) == []
    dep = build_module(imported).api("oldOpen").deprecated  # type: ignore[union-attr]
    assert dep is not None and dep.replacement is None and dep.text is not None


def test_literal_values_fit_their_base_type(minimal: dict[str, Any]) -> None:
    data = _imported(minimal)
    data["types"]["Mode"] = {
        "kind": "alias",
        "type": "string",
        "values": [
            {"value": "a", "description": {"zh": "甲", "en": "A"}},
            {"value": 1},
            {"value": "a"},
        ],
    }
    found = _checks(data)
    assert ("semantic:values", "$.types.Mode.values[1].value") in found
    assert ("semantic:values", "$.types.Mode.values[2].value") in found
    data["types"]["Mode"]["values"] = [
        {"value": "a"},
        {"value": "b", "platforms": {"web": {"uniVer": "x"}}},
    ]
    assert _checks(data) == []
    mode = build_module(data).types["Mode"]
    assert isinstance(mode, AliasType)
    assert [v.value for v in mode.values] == ["a", "b"]
    assert mode.values[1].platforms.get("web", "uniVer") == "x"


def test_generics_globals_externals_and_string_subtypes_resolve(minimal: dict[str, Any]) -> None:
    data = _imported(minimal)
    data["external"] = {"PeerEvent": "peer"}
    data["types"]["Box"] = {
        "kind": "object",
        "typeParams": ["T"],
        "extends": "PeerEvent",
        "platforms": {"web": {"uniVer": "√"}},
        "fields": [
            {"name": "value", "type": "T"},
            {"name": "page", "type": "string.PageURIString"},
            {"name": "later", "type": "Promise<T>"},
            {"name": "error", "type": "UniError"},
        ],
    }
    data["apis"][0]["typeParams"] = ["T"]
    data["apis"][0]["returns"] = "Box<T>"
    assert _checks(data) == []
    box = build_module(data).types["Box"]
    assert isinstance(box, ObjectType) and box.type_params == ("T",) and box.extends == "PeerEvent"
    data["apis"][0]["returns"] = "Box<T, T>"
    data["types"]["Box"]["fields"].append({"name": "bare", "type": "Box"})
    data["types"]["Box"]["fields"].append({"name": "other", "type": "U"})
    data["external"]["Box"] = "peer"
    found = _checks(data)
    assert ("semantic:type-args", "$.apis[0].returns") in found
    assert ("semantic:type-ref", "$.types.Box.fields[4].type") in found  # Box needs <T>
    assert ("semantic:type-ref", "$.types.Box.fields[5].type") in found  # U is not in scope
    assert ("semantic:external", "$.external.Box") in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string.PageURIString", Named("string.PageURIString")),
        ("Map<string, Foo>", Generic("Map", (Named("string"), Named("Foo")))),
        (
            "(a?: string, b: number) => void",
            Function((("a", Named("string")), ("b", Named("number"))), Named("void"), ("a",)),
        ),
    ],
)
def test_new_type_notation_round_trips(text: str, expected: object) -> None:
    assert parse_type(text) == expected
    assert str(parse_type(text)) == text


def test_a_string_subtype_takes_no_type_arguments() -> None:
    with pytest.raises(TypeExprError):
        parse_type("string.X<T>")
