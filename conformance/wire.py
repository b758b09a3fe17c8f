"""The driver protocol on the wire (``docs/driver-protocol.md``): one JSON message per line.

The line codec (:func:`dump_line`, :func:`parse_line`) and the schema check
(:class:`ProtocolSchema`, against ``spec/schema/driver-protocol.schema.json``) live here, so that
every channel (in-process, stdio) and every driver written in Python frames and validates lines
alike.  The method and capability names are read from that schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any, Final, Literal

import jsonschema
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from conformance.channel import Message
from generator.spec.rules import (
    LISTENER_METHODS,
    TASK_METHODS,
    UNI_METHODS,
    driver_protocol_schema,
    protocol_names,
)

__all__ = [
    "ALL_CAPABILITIES",
    "CALLBACK_NAMES",
    "IMPLEMENTATION_TYPES",
    "LISTENER_METHODS",
    "MAX_BATCH",
    "PLATFORMS",
    "SOCKET_TASK_METHODS",
    "TASK_METHODS",
    "UNI_METHODS",
    "Direction",
    "ProtocolSchema",
    "dump_line",
    "parse_line",
    "protocol_schema",
    "quote",
]

HARNESS_TYPES: Final = {
    "hello": "harnessHello",
    "call": "call",
    "batch": "batch",
    "reset": "harnessReset",
    "bye": "bye",
}
#: Most calls one ``batch`` may hold (the schema's ``maxItems``).
MAX_BATCH: Final = 64
IMPLEMENTATION_TYPES: Final = {
    "hello": "implementationHello",
    "returned": "returned",
    "raised": "raised",
    "callback": "callback",
    "event": "event",
    "log": "log",
    "error": "error",
    "uncaught": "uncaught",
    "reset": "implementationReset",
}

Direction = Literal["harness", "implementation"]
#: How much of an offending line an error message quotes.
QUOTE_LIMIT: Final = 200


# --------------------------------------------------------------------------- line codec


def dump_line(message: Message) -> bytes:
    """One protocol line: compact JSON, ASCII only (lone surrogates become ``\\udXXX``), ``\\n``.

    Raises ``ValueError`` for a value JSON cannot carry (NaN, a non-string key, an object).
    """
    text = json.dumps(message, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.encode("ascii") + b"\n"


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def quote(line: bytes | str) -> str:
    """``line`` as a short quoted text for an error message."""
    text = line.decode("utf-8", "backslashreplace") if isinstance(line, bytes) else line
    text = text.rstrip("\r\n")
    if len(text) > QUOTE_LIMIT:
        return f"{text[:QUOTE_LIMIT]!r}... ({len(text)} characters)"
    return repr(text)


def parse_line(line: bytes) -> Message:
    """Parse one line into a message object.

    Raises ``ValueError`` saying what is wrong (not UTF-8, not JSON, NaN, duplicate key, not an
    object, no string ``type``); the caller adds where the line came from.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from exc
    except RecursionError as exc:  # the parser recurses per level of nesting
        raise ValueError("JSON nested too deeply to be a protocol message") from exc
    if not isinstance(value, dict):
        raise ValueError(f"a message must be a JSON object, got {type(value).__name__}")
    if not isinstance(value.get("type"), str):
        raise ValueError("a message needs a string 'type'")
    return value


# --------------------------------------------------------------------------- schema


#: Every capability protocol version 1 names (docs/driver-protocol.md, "Capabilities").
ALL_CAPABILITIES: Final = protocol_names("capability")
#: The platforms a 1.1 hello may name (docs/driver-protocol.md, "Platforms").
PLATFORMS: Final = protocol_names("platform")
#: The callbacks a call may pass, in the protocol's order.
CALLBACK_NAMES: Final = protocol_names("callbackName")
#: What a SocketTask must have (``returned.task`` of a connectSocket call).
SOCKET_TASK_METHODS: Final = protocol_names("taskMethod")


class ProtocolSchema:
    """Checks messages against ``spec/schema/driver-protocol.schema.json``.

    The schema's top level is a ``oneOf`` by ``type``, which gives poor messages when it fails;
    this class picks the definition by ``type`` itself and reports every error under it with its
    JSON path (``$.args.data.$bytes: ...``).
    """

    def __init__(self) -> None:
        schema = driver_protocol_schema()
        base = str(schema["$id"])
        jsonschema.Draft202012Validator.check_schema(schema)
        registry: Registry[bool | Mapping[str, Any]] = Registry().with_resource(
            base, Resource.from_contents(schema)
        )
        self._validators = {
            name: jsonschema.Draft202012Validator(
                {"$ref": f"{base}#/$defs/{name}"}, registry=registry
            )
            for name in {*HARNESS_TYPES.values(), *IMPLEMENTATION_TYPES.values()}
        }

    def errors(self, message: object, direction: Direction) -> list[str]:
        """Every problem of ``message`` as sent in ``direction``, each as ``$.path: message``."""
        kinds = HARNESS_TYPES if direction == "harness" else IMPLEMENTATION_TYPES
        if not isinstance(message, dict):
            return [f"$: a message must be an object, got {type(message).__name__}"]
        kind = message.get("type")
        if not isinstance(kind, str) or kind not in kinds:
            allowed = ", ".join(sorted(kinds))
            return [f"$.type: {kind!r} is not a {direction} message type (one of {allowed})"]
        validator = self._validators[kinds[kind]]
        found = sorted(validator.iter_errors(message), key=lambda e: list(e.absolute_path))
        return [_describe(error) for error in found]


def _leaves(error: ValidationError) -> list[ValidationError]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def _describe(error: ValidationError) -> str:
    """The most specific reason under ``error``.

    ``anyOf``/``oneOf`` failures hide their reasons in ``context``; among them, the deepest
    error that is not a plain type mismatch names the alternative the sender meant.
    """
    leaves = _leaves(error)
    deepest = max(
        leaves, key=lambda e: (e.validator != "type", len(e.absolute_path), -leaves.index(e))
    )
    return f"{deepest.json_path}: {deepest.message}"


@cache
def protocol_schema() -> ProtocolSchema:
    """The shared checker (the schema is read and compiled once)."""
    return ProtocolSchema()
