"""The fast pre-check never calls a document valid that jsonschema rejects (so every reported
error is still jsonschema's), and it does call the bundled spec valid (so it saves the walk)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from generator.spec import bundled_spec_dir
from generator.spec._fastschema import compile_schema
from generator.spec.validate import schema_for

REPLACEMENTS: list[Any] = [None, True, 1.5, "", "Has Space", [], {"x": 1}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _mutations(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for path in list(_paths(doc)):
        if not path:
            continue
        for replacement in [*REPLACEMENTS, "DELETE", "EXTRA"]:
            mutated = copy.deepcopy(doc)
            parent = mutated
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            if replacement == "DELETE":
                del parent[last]
            elif replacement == "EXTRA":
                if not isinstance(parent[last], dict):
                    continue
                parent[last]["unexpectedKey"] = 1
            else:
                parent[last] = copy.deepcopy(replacement)
            yield mutated


@pytest.fixture(scope="module")
def module_doc() -> dict[str, Any]:
    text = (bundled_spec_dir() / "modules" / "websocket.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    # a smaller document keeps the mutation count reasonable but covers every kind of node
    data["apis"] = data["apis"][1:2]
    data["types"] = {
        k: v
        for k, v in data["types"].items()
        if k in ("SocketTask", "ConnectSocketErrorCode", "ConnectSocketFail",
                 "OnSocketOpenCallback", "OnSocketOpenCallbackResult")
    }  # fmt: skip
    data["types"]["SocketTask"]["methods"] = data["types"]["SocketTask"]["methods"][:1]
    return data


def test_the_module_schema_compiles_and_accepts_the_bundled_spec(
    module_doc: dict[str, Any],
) -> None:
    validator = schema_for("modules")
    assert validator is not None
    check = compile_schema(validator.schema)
    assert check is not None
    full = yaml.safe_load(
        (bundled_spec_dir() / "modules" / "websocket.yaml").read_text(encoding="utf-8")
    )
    assert check(full)
    assert check(module_doc)


def test_valid_by_the_fast_check_means_valid_by_jsonschema(module_doc: dict[str, Any]) -> None:
    validator = schema_for("modules")
    assert validator is not None
    check = compile_schema(validator.schema)
    assert check is not None
    rejected = 0
    for mutated in _mutations(module_doc):
        fast = check(mutated)
        exact = validator.is_valid(mutated)
        assert not (fast and not exact), mutated
        rejected += not fast
    assert rejected > 50  # the mutations do reach the checks


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "patternProperties": {"^x": {}}},
        {"anyOf": [{"type": "string"}]},
        {"$ref": "https://example.com/other.json"},
        {"type": "decimal"},
    ],
)
def test_unsupported_keywords_fall_back_to_jsonschema(schema: dict[str, Any]) -> None:
    assert compile_schema(schema) is None


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"const": 1}, True, False),
        ({"const": 1}, 1.0, True),
        ({"enum": [False]}, 0, False),
        ({"type": "integer"}, 2.0, True),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"pattern": "^a"}, 5, True),
        ({"not": {"required": ["a", "b"]}}, {"a": 1, "b": 2}, False),
        ({"if": {"const": 1}, "then": {"type": "string"}, "else": {"type": "integer"}}, 2, True),
        ({"$defs": {"a": {"properties": {"x": {"type": "string"}}}},
          "$ref": "#/$defs/a", "unevaluatedProperties": False}, {"x": "1", "y": 2}, False),
        ({"$defs": {"a": {"properties": {"x": {"type": "string"}}}},
          "$ref": "#/$defs/a", "unevaluatedProperties": False}, {"x": "1"}, True),
    ],
)  # fmt: skip
def test_keyword_semantics(schema: dict[str, Any], value: Any, valid: bool) -> None:
    check = compile_schema(schema)
    assert check is not None
    assert check(value) is valid
