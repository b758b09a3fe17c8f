"""Semantic checks of one module document: what its JSON Schema cannot say.

Each check is small, looks at one thing, and reports through :meth:`LoadedYaml.error`; the
walkers around them supply the path (the habit of ``jsonschema``'s keywords).  Every type
reference resolves, heading anchors are unique, a deprecated API names a replacement that exists,
``extends`` chains resolve without cycles, notes point at real APIs, a ``null`` default belongs
to a nullable field, English text is not Chinese.

For the imported surface: a type reference may also name a type parameter in scope (the
callable's and its owner type's ``typeParams``), a global type
(:data:`~generator.spec.typeexpr.GLOBAL_TYPES`), a name the module lists under ``external``, or
a UTS string subtype (``string.PageURIString``); type arguments must fit (``Array`` one, a
declared type as many as its ``typeParams``).  Literal values fit their base type and are
unique.  Heading anchors must be unique only in a curated module (no ``provenance``): in an
imported one :func:`generator.spec.model.build_module` makes them unique.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from generator.spec._yaml import LoadedYaml, PathKey
from generator.spec.typeexpr import (
    BUILTINS,
    GLOBAL_GENERICS,
    GLOBAL_TYPES,
    Generic,
    Named,
    TypeExprError,
    is_string_subtype,
    parse_type,
)

__all__ = ["MODULE_CHECKS", "check_module"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


#: At most this many names are compared with an unknown one, and at most this many suggestions
#: are made per module: a suggestion is a courtesy, and on a hostile spec (thousands of unknown
#: names against thousands of types) it must stay cheap.
_SUGGESTION_POOL = 200
_SUGGESTIONS_PER_MODULE = 50
_suggestions_left: ContextVar[int] = ContextVar("suggestions_left", default=_SUGGESTIONS_PER_MODULE)


def _nearest(name: str, known: Iterable[str]) -> str:
    """``; did you mean …?`` with up to three close names, compared only with names of a similar
    length (a close match cannot differ much in length), at most :data:`_SUGGESTION_POOL` of
    them, and for the first :data:`_SUGGESTIONS_PER_MODULE` unknown names of a module."""
    left = _suggestions_left.get()
    if left <= 0:
        return ""
    _suggestions_left.set(left - 1)
    slack = max(2, len(name) // 3)
    pool = [k for k in known if abs(len(k) - len(name)) <= slack]
    if len(pool) > _SUGGESTION_POOL:
        first = name[:1].lower()
        pool = heapq.nsmallest(
            _SUGGESTION_POOL, pool, key=lambda k: (k[:1].lower() != first, abs(len(k) - len(name)))
        )
    close = difflib.get_close_matches(name, pool, n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


_TypeField = tuple[PathKey, str, frozenset[str]]


def _type_fields(data: Mapping[str, Any]) -> Iterator[_TypeField]:
    """Every type expression in a module, with its path and the type parameters in scope."""
    for i, api in enumerate(data["apis"]):
        yield from _callable_types(api, ("apis", i), frozenset())
    for name, named in data["types"].items():
        base: PathKey = ("types", name)
        params = frozenset(named.get("typeParams", ()))
        if named["kind"] == "object":
            for j, f in enumerate(named["fields"]):
                yield from _field_types(f, (*base, "fields", j), params)
        elif named["kind"] == "interface":
            for j, method in enumerate(named["methods"]):
                yield from _callable_types(method, (*base, "methods", j), params)
            for j, f in enumerate(named.get("fields", ())):
                yield from _field_types(f, (*base, "fields", j), params)
        elif named["kind"] == "alias":
            yield (*base, "type"), named["type"], params


def _field_types(
    data: Mapping[str, Any], base: PathKey, params: frozenset[str]
) -> Iterator[_TypeField]:
    yield (*base, "type"), data["type"], params
    if "declared" in data:
        yield (*base, "declared"), data["declared"], params


def _callable_types(
    data: Mapping[str, Any], base: PathKey, outer: frozenset[str]
) -> Iterator[_TypeField]:
    params = outer | frozenset(data.get("typeParams", ()))
    for j, p in enumerate(data["params"]):
        yield from _field_types(p, (*base, "params", j), params)
    yield (*base, "returns"), data["returns"], params


def _arity(name: str, types: Mapping[str, Any]) -> int | None:
    """How many type arguments ``name`` takes; None: not a known name."""
    if name in types:
        return len(types[name].get("typeParams", ()))
    return GLOBAL_GENERICS.get(name)


def check_type_references(doc: LoadedYaml) -> None:
    types = doc.data["types"]
    external = doc.data.get("external", {})
    for name in external:
        if name in types:
            doc.error(
                ("external", name),
                f"{name!r} is declared in this module; it cannot be external too",
                "semantic:external",
            )
    for path, text, params in _type_fields(doc.data):
        try:
            expr = parse_type(text)
        except TypeExprError as exc:
            doc.error(path, str(exc), "semantic:type-syntax")
            continue
        for node in expr.walk():
            if isinstance(node, Generic):
                arity = _arity(node.name, types)
                if arity is None and node.name in external:
                    continue
                if arity is None:
                    near = _nearest(node.name, [*types, *GLOBAL_GENERICS])
                    doc.error(
                        path,
                        f"unknown type {node.name!r}{near}",
                        "semantic:type-ref",
                    )
                elif arity != len(node.args):
                    doc.error(
                        path,
                        f"{node.name} takes {arity} type argument(s), found {len(node.args)}",
                        "semantic:type-args",
                    )
            elif isinstance(node, Named) and not _known(node.name, types, external, params):
                known = [*types, *BUILTINS, *external, *params]
                doc.error(
                    path,
                    f"unknown type {node.name!r}{_nearest(node.name, known)}",
                    "semantic:type-ref",
                )


def _known(
    name: str, types: Mapping[str, Any], external: Mapping[str, str], params: frozenset[str]
) -> bool:
    if name in BUILTINS or name in params or is_string_subtype(name):
        return True
    if name in types:
        return not types[name].get("typeParams")
    return name in external or (name in GLOBAL_TYPES and name not in GLOBAL_GENERICS)


def check_literal_values(doc: LoadedYaml) -> None:
    """``values`` belong to a ``string`` or ``number`` type (a string subtype counts as
    ``string``), each value of that kind, each once."""
    items: list[tuple[PathKey, Mapping[str, Any]]] = list(_fields_everywhere(doc.data))
    for name, named in doc.data["types"].items():
        if named["kind"] == "alias":
            items.append((("types", name), named))
    for path, item in items:
        values = item.get("values")
        if not values:
            continue
        base = "string" if is_string_subtype(item["type"]) else item["type"]
        if base not in ("string", "number", "boolean"):
            doc.error(
                (*path, "values"),
                f"literal values need the type string, number or boolean, found {item['type']!r}",
                "semantic:values",
            )
            continue
        seen: set[object] = set()
        for k, v in enumerate(values):
            value = v["value"]
            kind = (
                "boolean"
                if isinstance(value, bool)
                else "string"
                if isinstance(value, str)
                else "number"
            )
            if kind != base:
                doc.error(
                    (*path, "values", k, "value"),
                    f"{value!r} is not a {base}",
                    "semantic:values",
                )
            if (kind, value) in seen:
                doc.error(
                    (*path, "values", k, "value"), f"duplicate value {value!r}", "semantic:values"
                )
            seen.add((kind, value))


def check_unique_names(doc: LoadedYaml) -> None:
    data = doc.data
    anchors: dict[str, PathKey] = {}
    imported = "provenance" in data

    def anchor(slug: str, path: PathKey) -> None:
        if imported:
            return
        if slug in anchors:
            doc.error(
                path,
                f"anchor #{slug} is already used at {_jp(anchors[slug])}",
                "semantic:duplicate-anchor",
            )
        else:
            anchors[slug] = path

    def unique(items: list[Mapping[str, Any]], key: str, base: PathKey, what: str) -> None:
        seen: set[Any] = set()
        for i, item in enumerate(items):
            if item[key] in seen:
                doc.error((*base, i, key), f"duplicate {what} {item[key]!r}", "semantic:duplicate")
            seen.add(item[key])

    unique(data["apis"], "name", ("apis",), "API")
    for i, api in enumerate(data["apis"]):
        anchor(api["name"].lower(), ("apis", i, "name"))
        unique(api["params"], "name", ("apis", i, "params"), "parameter")
    for name, named in data["types"].items():
        base: PathKey = ("types", name)
        anchor(f"{name.lower()}-values", base)
        if named["kind"] == "object":
            unique(named["fields"], "name", (*base, "fields"), "field")
        elif named["kind"] == "interface":
            unique(named["methods"], "name", (*base, "methods"), "method")
            unique(named.get("fields", []), "name", (*base, "fields"), "field")
            for j, method in enumerate(named["methods"]):
                anchor(method["name"].lower(), (*base, "methods", j, "name"))
                unique(method["params"], "name", (*base, "methods", j, "params"), "parameter")
        elif named["kind"] == "error-codes":
            unique(named["codes"], "code", (*base, "codes"), "error code")


def _jp(path: PathKey) -> str:
    from generator.spec._yaml import json_path  # noqa: PLC0415

    return json_path(path)


def check_deprecations(doc: LoadedYaml) -> None:
    data = doc.data
    apis = {a["name"] for a in data["apis"]}
    methods = {
        f"{name}.{m['name']}"
        for name, named in data["types"].items()
        if named["kind"] == "interface"
        for m in named["methods"]
    }
    for i, api in enumerate(data["apis"]):
        dep = api.get("deprecated")
        if dep and "replacement" not in dep:
            continue
        if dep and dep["replacement"] not in apis | methods:
            doc.error(
                ("apis", i, "deprecated", "replacement"),
                f"the replacement {dep['replacement']!r} does not exist"
                f"{_nearest(dep['replacement'], apis | methods)}",
                "semantic:deprecation",
            )
        if dep and dep["replacement"] == api["name"]:
            doc.error(
                ("apis", i, "deprecated", "replacement"),
                "an API cannot replace itself",
                "semantic:deprecation",
            )


def check_inheritance(doc: LoadedYaml) -> None:
    types = doc.data["types"]
    outside = set(doc.data.get("external", {})) | GLOBAL_TYPES
    for name, named in types.items():
        if named["kind"] == "interface":
            for k, base in enumerate(named.get("extends", ())):
                if base not in outside and base not in types:
                    doc.error(
                        ("types", name, "extends", k),
                        f"{base!r} is not a type of this module, external or global"
                        f"{_nearest(base, types)}",
                        "semantic:extends",
                    )
                elif base == name:
                    doc.error(
                        ("types", name, "extends", k),
                        "a type cannot extend itself",
                        "semantic:extends",
                    )
            continue
        if named["kind"] != "object" or "extends" not in named:
            continue
        seen = {name}
        parent = named["extends"]
        while parent is not None:
            target = types.get(parent)
            if (target is None and parent in outside) or (
                target is not None and target["kind"] == "interface"
            ):
                break
            if target is None or target["kind"] != "object":
                doc.error(
                    ("types", name, "extends"),
                    f"{parent!r} is not an object type of this module{_nearest(parent, types)}",
                    "semantic:extends",
                )
                break
            if parent in seen:
                doc.error(
                    ("types", name, "extends"),
                    f"inheritance cycle through {parent!r}",
                    "semantic:extends",
                )
                break
            seen.add(parent)
            parent = target.get("extends")


def check_notes(doc: LoadedYaml) -> None:
    apis = [a["name"] for a in doc.data["apis"]]
    for i, note in enumerate(doc.data.get("notes", [])):
        for where in ("after", "before"):
            if where in note and note[where] not in apis:
                doc.error(
                    ("notes", i, where),
                    f"no API named {note[where]!r}{_nearest(note[where], apis)}",
                    "semantic:note",
                )


def _fields_everywhere(data: Mapping[str, Any]) -> Iterator[tuple[PathKey, Mapping[str, Any]]]:
    for i, api in enumerate(data["apis"]):
        for j, p in enumerate(api["params"]):
            yield ("apis", i, "params", j), p
    for name, named in data["types"].items():
        if named["kind"] == "object":
            for j, f in enumerate(named["fields"]):
                yield ("types", name, "fields", j), f
        elif named["kind"] == "interface":
            for j, f in enumerate(named.get("fields", ())):
                yield ("types", name, "fields", j), f
            for k, m in enumerate(named["methods"]):
                for j, p in enumerate(m["params"]):
                    yield ("types", name, "methods", k, "params", j), p


def check_defaults(doc: LoadedYaml) -> None:
    for path, f in _fields_everywhere(doc.data):
        if "default" in f and f["default"] is None and not f.get("nullable", False):
            doc.error(
                (*path, "default"),
                "default is null but the field is not nullable",
                "semantic:default",
            )
        if f.get("required") and "default" in f:
            doc.error(
                (*path, "default"), "a required field cannot have a default", "semantic:default"
            )


def _texts(value: Any, path: PathKey) -> Iterator[tuple[PathKey, Mapping[str, str]]]:
    if isinstance(value, dict):
        if set(value) == {"zh", "en"} and all(isinstance(v, str) for v in value.values()):
            yield path, value
            return
        for key, item in value.items():
            yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, (*path, i))


def _english_texts(value: Any, out: list[str], seen: set[int]) -> None:
    """The ``en`` of every text :func:`_texts` yields, without paths; a shared (aliased)
    container is looked at once."""
    if isinstance(value, dict):
        if id(value) in seen:
            return
        seen.add(id(value))
        if len(value) == 2 and "zh" in value and "en" in value:
            zh, en = value["zh"], value["en"]
            if isinstance(zh, str) and isinstance(en, str):
                out.append(en)
                return
        for item in value.values():
            if isinstance(item, dict | list):
                _english_texts(item, out, seen)
    elif isinstance(value, list):
        if id(value) in seen:
            return
        seen.add(id(value))
        for item in value:
            if isinstance(item, dict | list):
                _english_texts(item, out, seen)


def check_languages(doc: LoadedYaml) -> None:
    english: list[str] = []
    _english_texts(doc.data, english, set())
    if not _CJK.search("\n".join(english)):
        return
    for path, text in _texts(doc.data, ()):
        if _CJK.search(text["en"]):
            doc.error(
                (*path, "en"), "the English text contains Chinese characters", "semantic:language"
            )


MODULE_CHECKS = (
    check_type_references,
    check_literal_values,
    check_unique_names,
    check_deprecations,
    check_inheritance,
    check_notes,
    check_defaults,
    check_languages,
)


def check_module(doc: LoadedYaml) -> None:
    token = _suggestions_left.set(_SUGGESTIONS_PER_MODULE)
    try:
        for check in MODULE_CHECKS:
            check(doc)
    finally:
        _suggestions_left.reset(token)
