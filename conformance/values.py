"""Values in rule data: generators that build arguments, matchers that check payloads.

Everything is in the driver protocol's JSON form (binary is ``{"$bytes": "<base64>"}``), so the
same rule data drives a Python object in-process and a Node.js process over stdio.

Generators (expanded by :func:`expand` before a value is sent or compared)::

    {"$param": "code"}               the case parameter ``code``
    {"$repeat": ["é", 61]}           a string repeated: "éé…" (61 times)
    {"$concat": ["a", {"$chr": 55296}, "b"]}
    {"$chr": 55296}                  one code point (lone surrogates allowed)
    {"$bytes_repeat": ["00ff", 3]}   {"$bytes": base64 of 00ff00ff00ff}
    "${peer}/echo", "${code}"        text substitution of peer URLs and case parameters

Matchers (used by :func:`match`; a literal dict matches the keys it names, a list element-wise,
anything else by equality)::

    {"$startswith": "closeSocket:fail"}   {"$contains": "x"}      {"$in": [1000, 1005]}
    {"$type": "string|number|integer|boolean|null|object|array|bytes"}
    {"$absent": true}  {"$present": true}  {"$nonempty": true}  {"$not": <matcher>}
    {"$range": [3000, 4999]}   {"$len": 65536}   {"$any": true}
    {"$header": ["x-name", "value"]}      an object with that key (any case) and value
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Final

from conformance.channel import BYTES_TAG

__all__ = ["GENERATORS", "MATCHERS", "MISSING", "describe", "expand", "match"]

GENERATORS: Final = frozenset({"$param", "$repeat", "$concat", "$chr", "$bytes_repeat"})
_SUBST = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


#: Stands for "the key is not there" when matching.
MISSING: Final = _Missing()


def _single_key(value: Mapping[str, object]) -> str | None:
    if len(value) == 1:
        (key,) = value
        return key
    return None


def expand(value: object, params: Mapping[str, object]) -> object:
    """Expand generators and ``${name}`` substitutions; raise ``ValueError`` saying what failed."""
    if isinstance(value, str):
        return _SUBST.sub(lambda m: _subst(m.group(1), params), value)
    if isinstance(value, list):
        return [expand(v, params) for v in value]
    if isinstance(value, dict):
        key = _single_key(value)
        if key in GENERATORS:
            return _generate(key, value[key], params)
        return {k: expand(v, params) for k, v in value.items()}
    return value


def _subst(name: str, params: Mapping[str, object]) -> str:
    if name not in params:
        raise ValueError(
            f"${{{name}}} is not a known parameter (known: {', '.join(sorted(params))})"
        )
    return str(params[name])


def _generate(kind: str, arg: object, params: Mapping[str, object]) -> object:
    arg = expand(arg, params)
    if kind == "$param":
        if not isinstance(arg, str) or arg not in params:
            raise ValueError(f"$param {arg!r} is not a known parameter")
        return params[arg]
    if kind == "$chr":
        if not isinstance(arg, int) or not 0 <= arg <= 0x10FFFF:
            raise ValueError(f"$chr needs a code point, got {arg!r}")
        return chr(arg)
    if kind == "$concat":
        if not isinstance(arg, list) or not all(isinstance(a, str) for a in arg):
            raise ValueError(f"$concat needs a list of strings, got {arg!r}")
        return "".join(str(a) for a in arg)
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], int) and arg[1] >= 0):
        raise ValueError(f"{kind} needs [value, times], got {arg!r}")
    unit, times = arg
    if kind == "$repeat":
        if not isinstance(unit, str):
            raise ValueError(f"$repeat repeats a string, got {unit!r}")
        return unit * times
    if not isinstance(unit, str):
        raise ValueError(f"$bytes_repeat repeats hex digits, got {unit!r}")
    try:
        raw = bytes.fromhex(unit) * times
    except ValueError as exc:
        raise ValueError(f"$bytes_repeat: {unit!r} is not hex: {exc}") from exc
    return {BYTES_TAG: base64.b64encode(raw).decode("ascii")}


def _type_name(value: object) -> str:
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        if _single_key(value) == BYTES_TAG:
            return "bytes"
        return "object"
    return type(value).__name__


def describe(value: object, limit: int = 80) -> str:
    """A short printable form of a value for failure messages."""
    if isinstance(value, dict) and _single_key(value) == BYTES_TAG:
        raw = value[BYTES_TAG]
        size = len(base64.b64decode(raw)) if isinstance(raw, str) else "?"
        text = f"<{size} bytes>"
    elif isinstance(value, str) and len(value) > limit:
        text = f"{value[:limit]!r}… ({len(value)} chars)"
    else:
        text = repr(value)
    return text if len(text) <= limit * 2 else text[: limit * 2] + "…"


def match(expected: object, actual: object, path: str = "$") -> list[str]:
    """Problems (``"$.code: expected 1000, found 1006"``) found matching ``actual``; [] if none."""
    if isinstance(expected, dict):
        key = _single_key(expected)
        if key in MATCHERS:
            problem = _operator(key, expected[key], actual, path)
            return [problem] if problem else []
        if key == BYTES_TAG:
            return [] if actual == expected else [_mismatch(path, expected, actual)]
        if not isinstance(actual, dict) or _single_key(actual) == BYTES_TAG:
            return [f"{path}: expected an object, found {_type_name(actual)} {describe(actual)}"]
        problems: list[str] = []
        for name, sub in expected.items():
            problems += match(sub, actual.get(name, MISSING), f"{path}.{name}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected an array, found {_type_name(actual)} {describe(actual)}"]
        if len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, found {len(actual)}"]
        out: list[str] = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out += match(e, a, f"{path}[{i}]")
        return out
    if _same(expected, actual):
        return []
    return [_mismatch(path, expected, actual)]


def _same(expected: object, actual: object) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def _mismatch(path: str, expected: object, actual: object) -> str:
    return f"{path}: expected {describe(expected)}, found {describe(actual)}"


# ----------------------------------------------------------------------------------------------
# Matchers: one small function each, ``(arg, actual, path) -> problem or None``; ``actual`` is
# never MISSING here except for the matchers in _ABSENCE_OK, which decide about absence themselves.

Matcher = Callable[[object, object, str], str | None]


def _found(actual: object) -> str:
    return f"found {describe(actual)}"


def _m_any(arg: object, actual: object, path: str) -> str | None:
    return None


def _m_absent(arg: object, actual: object, path: str) -> str | None:
    return None if actual is MISSING else f"{path}: expected no such key, {_found(actual)}"


def _m_not(arg: object, actual: object, path: str) -> str | None:
    if actual is MISSING or match(arg, actual, path):
        return None
    return f"{path}: expected not {describe(arg)}, {_found(actual)}"


def _m_present(arg: object, actual: object, path: str) -> str | None:
    return None


def _string_test(test: Callable[[str, str], bool], what: str) -> Matcher:
    """A matcher for strings: ``test(actual, arg)``, named ``what`` in its message."""

    def check(arg: object, actual: object, path: str) -> str | None:
        ok = isinstance(actual, str) and isinstance(arg, str) and test(actual, arg)
        return None if ok else f"{path}: expected a string {what} {arg!r}, {_found(actual)}"

    return check


_m_startswith = _string_test(str.startswith, "starting with")
_m_contains = _string_test(lambda actual, arg: arg in actual, "containing")


def _m_in(arg: object, actual: object, path: str) -> str | None:
    ok = isinstance(arg, list) and any(_same(a, actual) for a in arg)
    return None if ok else f"{path}: expected one of {describe(arg)}, {_found(actual)}"


def _m_type(arg: object, actual: object, path: str) -> str | None:
    name = _type_name(actual)
    ok = name == arg or (arg == "number" and name == "integer")
    return None if ok else f"{path}: expected type {arg}, found {name} {describe(actual)}"


def _m_nonempty(arg: object, actual: object, path: str) -> str | None:
    ok = isinstance(actual, str | list | dict) and len(actual) > 0
    return None if ok else f"{path}: expected something non-empty, {_found(actual)}"


def _m_header(arg: object, actual: object, path: str) -> str | None:
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(actual, dict)):
        return f"{path}: expected headers containing {describe(arg)}, {_found(actual)}"
    name, value = str(arg[0]).lower(), arg[1]
    values = [v for k, v in actual.items() if str(k).lower() == name]
    ok = any(v == value or (isinstance(v, list) and value in v) for v in values)
    return None if ok else f"{path}: expected header {name}: {value!r}, {_found(actual)}"


def _m_range(arg: object, actual: object, path: str) -> str | None:
    ok = (
        isinstance(arg, list)
        and isinstance(actual, int | float)
        and not isinstance(actual, bool)
        and arg[0] <= actual <= arg[1]
    )
    return None if ok else f"{path}: expected a number in {arg}, {_found(actual)}"


def _m_len(arg: object, actual: object, path: str) -> str | None:
    if isinstance(actual, dict) and _single_key(actual) == BYTES_TAG:
        raw = actual[BYTES_TAG]
        size = len(base64.b64decode(raw)) if isinstance(raw, str) else -1
    elif isinstance(actual, str | list):
        size = len(actual)
    else:
        return f"{path}: expected something with a length, {_found(actual)}"
    return None if size == arg else f"{path}: expected length {arg}, found length {size}"


_MATCHERS: Final[dict[str, Matcher]] = {
    "$any": _m_any,
    "$absent": _m_absent,
    "$not": _m_not,
    "$present": _m_present,
    "$startswith": _m_startswith,
    "$contains": _m_contains,
    "$in": _m_in,
    "$type": _m_type,
    "$nonempty": _m_nonempty,
    "$header": _m_header,
    "$range": _m_range,
    "$len": _m_len,
}
#: Matchers that hold (or not) for a missing key by themselves.
_ABSENCE_OK: Final = frozenset({"$any", "$absent", "$not"})
MATCHERS: Final = frozenset(_MATCHERS)


def _operator(op: str, arg: object, actual: object, path: str) -> str | None:
    matcher = _MATCHERS.get(op)
    if matcher is None:
        return f"{path}: unknown matcher {op}"
    if actual is MISSING and op not in _ABSENCE_OK:
        return f"{path}: missing (expected {op} {describe(arg)})"
    return matcher(arg, actual, path)
