"""A fast yes/no check of a document against a JSON Schema, used before ``jsonschema``.

``jsonschema`` is exact and its errors are the ones the spec validator reports, but walking a
large spec with it is slow (every keyword is a call, every ``$ref`` a registry lookup).  Almost
every spec is valid, so :func:`compile_schema` turns a schema into nested Python closures that
only answer "valid?".  The contract is one-sided: **when the closure says valid, jsonschema
finds no error**; when it says invalid, the caller runs jsonschema to get the real errors.  So
the messages are always jsonschema's, and a keyword this module does not know makes
:func:`compile_schema` return None (the caller then always uses jsonschema).

Supported (draft 2020-12 semantics): ``$ref`` to ``#/$defs/...``, ``type``, ``const``,
``enum``, ``pattern``, ``minLength``, ``properties``, ``required``, ``additionalProperties``,
``minProperties``, ``propertyNames``, ``items``, ``minItems``, ``allOf``, ``not``,
``if``/``then``/``else``, and ``unevaluatedProperties: false`` when the evaluated names are
known statically (``properties`` reached through ``$ref`` and ``allOf``); annotations are ignored.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Check", "compile_schema", "ecma_pattern", "ecma_schema"]

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples", "deprecated",
     "readOnly", "writeOnly", "$anchor"}
)  # fmt: skip


_TYPES = frozenset({"object", "array", "string", "boolean", "null", "number", "integer"})


class _Unsupported(Exception):
    pass


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if name == "number":
        return isinstance(value, int | float)
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    raise _Unsupported(f"type {name!r}")


_TYPE_CHECKS: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: _is_type(v, "number"),
    "integer": lambda v: _is_type(v, "integer"),
}


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: ``True`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return False
    return bool(a == b)


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.defs: dict[str, Check] = {}
        #: (definition, id of a dict or list) that passed, during one top-level check: a YAML
        #: alias makes one object appear at many places, and it is checked once.
        self.passed: set[tuple[str, int]] = set()

    def ref(self, ref: str) -> Check:
        if not ref.startswith("#/$defs/") or "/" in ref[len("#/$defs/") :]:
            raise _Unsupported(f"$ref {ref!r}")
        name = ref[len("#/$defs/") :]
        if name not in self.defs:
            target = self.root.get("$defs", {}).get(name)
            if target is None:
                raise _Unsupported(f"$ref {ref!r}")
            slot: list[Check] = []

            def forward(value: Any) -> bool:  # a recursive $ref, resolved once compiled
                return slot[0](value)

            self.defs[name] = forward
            compiled = self.remembered(name, self.compile(target))
            slot.append(compiled)
            self.defs[name] = compiled
        return self.defs[name]

    def remembered(self, name: str, check: Check) -> Check:
        passed = self.passed

        def remembering(value: Any) -> bool:
            if not isinstance(value, dict | list):
                return check(value)
            key = (name, id(value))
            if key in passed:
                return True
            if check(value):
                passed.add(key)
                return True
            return False

        return remembering

    def static_names(self, schema: Any) -> set[str] | None:
        """Property names a schema always evaluates, or None if everything (or unknown)."""
        if not isinstance(schema, Mapping):
            raise _Unsupported("boolean schema under unevaluatedProperties")
        if "additionalProperties" in schema or "patternProperties" in schema:
            return None
        if any(k in schema for k in ("if", "anyOf", "oneOf", "dependentSchemas")):
            raise _Unsupported("conditional under unevaluatedProperties")
        names = set(schema.get("properties", {}))
        parts = list(schema.get("allOf", ()))
        if "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/$defs/"):
                raise _Unsupported(f"$ref {ref!r}")
            parts.append(self.root["$defs"][ref[len("#/$defs/") :]])
        for part in parts:
            more = self.static_names(part)
            if more is None:
                return None
            names |= more
        return names

    def object_check(self, schema: Mapping[str, Any]) -> Check:
        """``properties`` and ``additionalProperties`` of one schema, as one loop."""
        if "patternProperties" in schema:
            raise _Unsupported("patternProperties")
        props = {k: self.compile(s) for k, s in schema.get("properties", {}).items()}
        extra_schema = schema.get("additionalProperties", True)
        extra = None if extra_schema is True else self.compile(extra_schema)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for k, x in value.items():
                c = props.get(k, extra)
                if c is not None and not c(x):
                    return False
            return True

        return check

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, Mapping):
            raise _Unsupported("schema is not an object")
        checks: list[Check] = []
        for key, value in schema.items():
            if key in _ANNOTATIONS or key in ("$defs", "then", "else"):
                continue
            if key == "$ref":
                checks.append(self.ref(value))
            elif key == "properties" or (
                key == "additionalProperties" and "properties" not in schema
            ):
                checks.append(self.object_check(schema))
            elif key == "additionalProperties":
                continue  # folded into the "properties" check
            elif key == "if":
                checks.append(self.conditional(schema))
            elif key == "unevaluatedProperties":
                check = self.unevaluated(schema, value)
                if check is not None:
                    checks.append(check)
            elif key in _SIMPLE:
                checks.append(_SIMPLE[key](value))
            elif key in _NESTED:
                checks.append(_NESTED[key](self, value))
            else:
                raise _Unsupported(f"keyword {key!r}")
        return _all_of(tuple(checks))

    def conditional(self, schema: Mapping[str, Any]) -> Check:
        cond = self.compile(schema["if"])
        then = self.compile(schema.get("then", True))
        other = self.compile(schema.get("else", True))
        return lambda v: then(v) if cond(v) else other(v)

    def unevaluated(self, schema: Mapping[str, Any], value: Any) -> Check | None:
        if value is not False:
            raise _Unsupported("unevaluatedProperties other than false")
        names = self.static_names({k: v for k, v in schema.items() if k != "unevaluatedProperties"})
        if names is None:
            return None
        allowed = frozenset(names)
        return lambda v: not isinstance(v, dict) or allowed.issuperset(v)


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _all_of(checks: tuple[Check, ...]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    if len(checks) == 3:
        first, second, third = checks
        return lambda v: first(v) and second(v) and third(v)

    return lambda v: all(c(v) for c in checks)


def _type(value: Any) -> Check:
    names = [value] if isinstance(value, str) else list(value)
    if not set(names) <= _TYPES:
        raise _Unsupported(f"type {value!r}")
    if len(names) == 1:
        return _TYPE_CHECKS[names[0]]
    return lambda v: any(_is_type(v, n) for n in names)


def _const(value: Any) -> Check:
    return lambda v: _equal(v, value)


def _enum(value: Any) -> Check:
    options = list(value)
    return lambda v: any(_equal(v, x) for x in options)


def ecma_pattern(pattern: str) -> str:
    """``pattern`` with ECMA-262's ``$`` (JSON Schema's regex dialect): the end of the string.
    Python's ``$`` also matches before a final newline, so ``^[a-z]+$`` would accept ``"abc\\n"``;
    each ``$`` outside a character class becomes ``\\Z``."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            out.append("\\Z")
            continue
        out.append(char)
    return "".join(out)


def ecma_schema(schema: Any) -> Any:
    """A copy of ``schema`` whose every ``pattern`` is :func:`ecma_pattern`'s, for validators
    (jsonschema's among them) that match with Python's ``re``."""
    if isinstance(schema, dict):
        return {
            key: ecma_pattern(value)
            if key == "pattern" and isinstance(value, str)
            else ecma_schema(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [ecma_schema(item) for item in schema]
    return schema


def _pattern(value: Any) -> Check:
    search = re.compile(ecma_pattern(value)).search
    return lambda v: not isinstance(v, str) or search(v) is not None


def _min_length(value: Any) -> Check:
    return lambda v: not isinstance(v, str) or len(v) >= value


def _min_items(value: Any) -> Check:
    return lambda v: not isinstance(v, list) or len(v) >= value


def _min_properties(value: Any) -> Check:
    return lambda v: not isinstance(v, dict) or len(v) >= value


def _required(value: Any) -> Check:
    names = frozenset(value)
    return lambda v: not isinstance(v, dict) or names <= v.keys()


def _property_names(compiler: _Compiler, value: Any) -> Check:
    check = compiler.compile(value)
    return lambda v: not isinstance(v, dict) or all(map(check, v))


def _items(compiler: _Compiler, value: Any) -> Check:
    check = compiler.compile(value)
    return lambda v: not isinstance(v, list) or all(map(check, v))


def _all_of_keyword(compiler: _Compiler, value: Any) -> Check:
    return _all_of(tuple(compiler.compile(s) for s in value))


def _not(compiler: _Compiler, value: Any) -> Check:
    check = compiler.compile(value)
    return lambda v: not check(v)


_SIMPLE: dict[str, Callable[[Any], Check]] = {
    "type": _type,
    "const": _const,
    "enum": _enum,
    "pattern": _pattern,
    "minLength": _min_length,
    "minItems": _min_items,
    "minProperties": _min_properties,
    "required": _required,
}
_NESTED: dict[str, Callable[[_Compiler, Any], Check]] = {
    "propertyNames": _property_names,
    "items": _items,
    "allOf": _all_of_keyword,
    "not": _not,
}


def compile_schema(schema: Mapping[str, Any]) -> Check | None:
    """A closure answering "is this valid?" (never yes when jsonschema says no), or None if the
    schema uses a keyword this module does not support."""
    try:
        compiler = _Compiler(schema)
        root = compiler.compile(schema)
    except (_Unsupported, re.error, KeyError, TypeError):
        return None
    passed = compiler.passed
    lock = threading.Lock()

    def check(value: Any) -> bool:
        with lock:  # the memo of passed objects holds ids, valid only during this call
            try:
                return root(value)
            finally:
                passed.clear()

    return check
