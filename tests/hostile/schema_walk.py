"""Walks ``spec/schema/module.schema.json`` for the strings a spec author may fill freely.

A *free-text* string is one the schema types as a string with no ``pattern``, ``enum``,
``const`` or ``format``: whatever it holds passes the schema, so only escaping stands between it
and a page.  :func:`free_text_paths` lists them from the schema alone; :func:`fill` replaces
each of them in a document (its path resolved against the schema, ``if``/``then`` evaluated on
the document) with a payload.  Paths name object keys, ``[]`` for array items and ``*`` for
``additionalProperties`` (``types.*.fields[].description.zh``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "spec" / "schema" / "module.schema.json"
_CONSTRAINTS = ("pattern", "enum", "const", "format")
Schema = dict[str, Any]


@cache
def module_schema() -> Schema:
    data: Schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def _resolve(ref: str) -> Schema:
    node: Any = module_schema()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    assert isinstance(node, dict), ref
    return node


def _holds(condition: Schema, instance: Any) -> bool:
    root = module_schema()
    return bool(
        jsonschema.Draft202012Validator({**condition, "$defs": root["$defs"]}).is_valid(instance)
    )


def branches(node: Schema, instance: Any = None, *, known: bool = False) -> Iterator[Schema]:
    """``node`` and every subschema that applies with it (``$ref``, ``allOf``, ``anyOf``,
    ``oneOf``, and ``then``/``else`` as ``if`` decides on ``instance`` when ``known``, else
    both)."""
    yield node
    if "$ref" in node:
        yield from branches(_resolve(node["$ref"]), instance, known=known)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(key, ()):
            yield from branches(sub, instance, known=known)
    if "if" in node:
        holds = _holds(node["if"], instance) if known else None
        for key, taken in (("then", holds in (True, None)), ("else", holds in (False, None))):
            if key in node and taken:
                yield from branches(node[key], instance, known=known)


def _children(nodes: list[Schema], key: str | None) -> list[Schema]:
    """The subschemas of an object property ``key`` (None: of an array's items)."""
    found: list[Schema] = []
    for node in nodes:
        if key is None:
            if isinstance(node.get("items"), dict):
                found.append(node["items"])
        elif key in node.get("properties", {}):
            found.append(node["properties"][key])
        elif isinstance(node.get("additionalProperties"), dict):
            found.append(node["additionalProperties"])
    return found


def _is_free_text(nodes: list[Schema]) -> bool:
    types = [n["type"] for n in nodes if "type" in n]
    strings = any(t == "string" or (isinstance(t, list) and "string" in t) for t in types)
    return strings and not any(c in n for n in nodes for c in _CONSTRAINTS)


def _step(nodes: list[Schema], key: str) -> str:
    named = any(key in n.get("properties", {}) for n in nodes)
    return key if named else "*"


def free_text_paths() -> set[str]:
    """Every free-text string path of the module schema."""
    found: set[str] = set()

    def walk(schemas: list[Schema], path: str, depth: int) -> None:
        assert depth < 30, path  # the schema is not recursive; a cycle would be a new shape
        nodes = [b for s in schemas for b in branches(s)]
        if _is_free_text(nodes):
            found.add(path)
        names = {k for n in nodes for k in n.get("properties", {})}
        for name in sorted(names):
            walk(_children(nodes, name), f"{path}.{name}".lstrip("."), depth + 1)
        extra = [
            n["additionalProperties"]
            for n in nodes
            if isinstance(n.get("additionalProperties"), dict)
        ]
        if extra:
            walk(extra, f"{path}.*".lstrip("."), depth + 1)
        items = _children(nodes, None)
        if items:
            walk(items, f"{path}[]", depth + 1)

    walk([module_schema()], "", 0)
    return found


def fill(
    document: Any, payload: Callable[[int], str], located: dict[int, str] | None = None
) -> tuple[Any, dict[int, str]]:
    """``document`` with each free-text string replaced by ``payload(n)``, n = 1, 2, ...;
    and n -> the string's schema path.  ``located``, if given, gets n -> the string's place in
    ``document`` (``types.CarryTask.fields[0].description.en``)."""
    where: dict[int, str] = {}

    def walk(value: Any, schemas: list[Schema], path: str, place: str) -> Any:
        nodes = [b for s in schemas for b in branches(s, value, known=True)]
        if isinstance(value, dict):
            return {
                key: walk(
                    item,
                    _children(nodes, key),
                    f"{path}.{_step(nodes, key)}".lstrip("."),
                    f"{place}.{key}".lstrip("."),
                )
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [
                walk(item, _children(nodes, None), f"{path}[]", f"{place}[{i}]")
                for i, item in enumerate(value)
            ]
        if isinstance(value, str) and _is_free_text(nodes):
            where[len(where) + 1] = path
            if located is not None:
                located[len(where)] = place
            return payload(len(where))
        return value

    return walk(document, [module_schema()], "", ""), where


Place = tuple[str | int, ...]


def string_places(document: Any) -> tuple[list[Place], list[Place]]:
    """The places of ``document``'s strings: (free-text ones, constrained ones), in order."""
    free: list[Place] = []
    constrained: list[Place] = []

    def walk(value: Any, schemas: list[Schema], place: Place) -> None:
        nodes = [b for s in schemas for b in branches(s, value, known=True)]
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, _children(nodes, key), (*place, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, _children(nodes, None), (*place, i))
        elif isinstance(value, str):
            (free if _is_free_text(nodes) else constrained).append(place)

    walk(document, [module_schema()], ())
    return free, constrained


def set_at(document: Any, place: Place, value: Any) -> None:
    """Set the value at ``place`` (keys and list indices) of ``document`` in place."""
    target = document
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = value
