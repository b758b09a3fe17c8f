"""spec/schema/driver-protocol.schema.json: the documented example passes, each rule rejects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from conformance.wire import Direction, ProtocolSchema, parse_line

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT / "spec" / "schema" / "driver-protocol.schema.json"
DOC = ROOT / "docs" / "driver-protocol.md"
HARNESS: Direction = "harness"
IMPLEMENTATION: Direction = "implementation"


def documented_example() -> list[tuple[Direction, str]]:
    """The ``> ``/``< `` lines of the doc's Example block, as (direction, line)."""
    text = DOC.read_text("utf-8")
    block = text.split("## Example", 1)[1].split("```")[1]
    lines = re.findall(r"^([<>]) (.*)$", block, flags=re.MULTILINE)
    return [(HARNESS if arrow == ">" else IMPLEMENTATION, line) for arrow, line in lines]


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_documented_example_is_valid_both_ways() -> None:
    example = documented_example()
    assert len(example) >= 10
    checker = ProtocolSchema()
    for direction, line in example:
        message = parse_line(line.encode())
        assert checker.errors(message, direction) == [], line
        assert direction_validator(direction).is_valid(message), line


def test_every_message_type_is_documented_and_defined() -> None:
    text = DOC.read_text("utf-8")
    schema = json.loads(SCHEMA.read_text("utf-8"))
    harness = schema["$defs"]["harnessMessage"]["properties"]["type"]["enum"]
    implementation = schema["$defs"]["implementationMessage"]["properties"]["type"]["enum"]
    for kind in {*harness, *implementation}:
        assert f"| `{kind}` |" in text, kind


VALID_CALL = {"type": "call", "id": 1, "target": "t1", "method": "send", "args": {"data": "x"}}

# (rule, direction, message, the JSON path the error must name)
BROKEN: list[tuple[str, Direction, object, str]] = [
    ("message-is-object", "harness", [1, 2], "$"),
    ("type-known-harness", "harness", {"type": "returned", "id": 1}, "$.type"),
    ("type-known-implementation", "implementation", {"type": "call"}, "$.type"),
    ("hello-protocol-1", "harness", {"type": "hello", "protocol": 2}, "$.protocol"),
    ("hello-no-extra", "harness", {"type": "hello", "protocol": 1, "x": 1}, "$"),
    ("impl-hello-fields", "implementation", {"type": "hello", "protocol": 1, "name": "x"}, "$"),
    (
        "impl-hello-capability-known",
        "implementation",
        {
            "type": "hello",
            "protocol": 1,
            "name": "x",
            "version": "1",
            "language": "js",
            "capabilities": ["binary", "telepathy"],
        },
        "$.capabilities[1]",
    ),
    ("call-id-integer", "harness", {**VALID_CALL, "id": "1"}, "$.id"),
    ("call-id-positive", "harness", {**VALID_CALL, "id": 0}, "$.id"),
    ("call-method-known", "harness", {**VALID_CALL, "method": "ping"}, "$.method"),
    (
        "call-target-uni-for-uni-methods",
        "harness",
        {**VALID_CALL, "method": "closeSocket"},
        "$.target",
    ),
    ("call-target-task-for-task-methods", "harness", {**VALID_CALL, "target": "uni"}, "$.target"),
    ("call-task-id-pattern", "harness", {**VALID_CALL, "target": "t 1"}, "$.target"),
    ("call-args-object", "harness", {**VALID_CALL, "args": ["x"]}, "$.args"),
    (
        "call-args-no-callbacks",
        "harness",
        {**VALID_CALL, "args": {"data": "x", "success": 1}},
        "$.args",
    ),
    (
        "call-bytes-base64",
        "harness",
        {**VALID_CALL, "args": {"data": {"$bytes": "AAE"}}},
        "$.args.data['$bytes']",
    ),
    (
        "call-bytes-only-key",
        "harness",
        {**VALID_CALL, "args": {"data": {"$bytes": "AA==", "x": 1}}},
        "$.args.data",
    ),
    (
        "call-args-no-repr",
        "harness",
        {**VALID_CALL, "args": {"data": {"$repr": "x"}}},
        "$.args.data",
    ),
    ("call-callbacks-names", "harness", {**VALID_CALL, "callbacks": ["done"]}, "$.callbacks[0]"),
    (
        "call-callbacks-unique",
        "harness",
        {**VALID_CALL, "callbacks": ["fail", "fail"]},
        "$.callbacks",
    ),
    (
        "call-listener-required",
        "harness",
        {"type": "call", "id": 1, "target": "t1", "method": "onOpen"},
        "$",
    ),
    (
        "call-listener-no-args",
        "harness",
        {"type": "call", "id": 1, "target": "t1", "method": "onOpen", "listener": "l", "args": {}},
        "$",
    ),
    ("call-no-listener-on-send", "harness", {**VALID_CALL, "listener": "l1"}, "$"),
    ("call-assign-connect-only", "harness", {**VALID_CALL, "assign": "t2"}, "$.method"),
    ("call-throw-boolean", "harness", {**VALID_CALL, "throw": 1}, "$.throw"),
    ("bye-no-fields", "harness", {"type": "bye", "now": True}, "$"),
    ("batch-not-empty", "harness", {"type": "batch", "calls": []}, "$.calls"),
    ("batch-only-calls", "harness", {"type": "batch", "calls": [{"type": "bye"}]}, "$.calls[0]"),
    (
        "batch-calls-valid",
        "harness",
        {"type": "batch", "calls": [VALID_CALL, {**VALID_CALL, "id": -1}]},
        "$.calls[1].id",
    ),
    ("returned-id", "implementation", {"type": "returned"}, "$"),
    ("returned-task-boolean", "implementation", {"type": "returned", "id": 1, "task": 1}, "$.task"),
    (
        "raised-error-string",
        "implementation",
        {"type": "raised", "id": 1, "error": None},
        "$.error",
    ),
    (
        "callback-name",
        "implementation",
        {"type": "callback", "id": 1, "name": "done", "payload": {}},
        "$.name",
    ),
    (
        "callback-payload-bytes",
        "implementation",
        {"type": "callback", "id": 1, "name": "success", "payload": {"data": {"$bytes": "%%%%"}}},
        "$.payload.data['$bytes']",
    ),
    ("event-listener", "implementation", {"type": "event", "payload": {}}, "$"),
    (
        "event-unknown-tag",
        "implementation",
        {"type": "event", "listener": "l1", "payload": {"$date": "2020"}},
        "$.payload",
    ),
    ("log-message", "implementation", {"type": "log", "message": 3}, "$.message"),
    ("error-message", "implementation", {"type": "error"}, "$"),
]


@pytest.mark.parametrize(
    ("direction", "message", "path"),
    [pytest.param(d, m, p, id=rule) for rule, d, m, p in BROKEN],
)
def test_schema_rejects(direction: Direction, message: object, path: str) -> None:
    errors = ProtocolSchema().errors(message, direction)
    assert errors, f"accepted {message!r}"
    assert any(e.startswith(f"{path}:") for e in errors), errors
    assert not direction_validator(direction).is_valid(message)


def direction_validator(direction: str) -> jsonschema.Draft202012Validator:
    """The schema itself (not ProtocolSchema's dispatch) restricted to one direction."""
    schema = json.loads(SCHEMA.read_text("utf-8"))
    schema["oneOf"] = [{"$ref": f"#/$defs/{direction}Message"}]
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"hello\n", "not JSON"),
        (b'{"type": "log", "message": NaN}', "NaN"),
        (b'{"type": "log", "type": "log"}', "duplicate key"),
        (b"[1]", "JSON object"),
        (b'{"id": 1}', "type"),
        (b'{"type": "log", "message": "\xff"}', "not UTF-8"),
        (b'{"type": "log", "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too deeply"),
    ],
)
def test_parse_line_rejects_non_messages(line: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_line(line)
