"""The module JSON Schema, tested: valid fixtures pass, each rule has a fixture that breaks it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.spec import bundled_spec_dir
from generator.spec.validate import validate_text

SCHEMA_DIR = bundled_spec_dir() / "schema"


def _check(data: dict[str, Any]) -> list[tuple[str, str]]:
    doc = validate_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "m.yaml")
    return [(d.check, d.path) for d in doc.diagnostics]


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_schema_is_a_valid_draft_2020_12_schema(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_minimal_fixture_is_valid(minimal: dict[str, Any]) -> None:
    assert _check(minimal) == []


def test_bundled_websocket_module_is_valid() -> None:
    text = (bundled_spec_dir() / "modules" / "websocket.yaml").read_text(encoding="utf-8")
    assert validate_text(text, "websocket.yaml").diagnostics == []


Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[str | int, ...], value: Any) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return apply


def _delete(path: tuple[str | int, ...]) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return apply


# (id, mutation, expected check, expected JSON path)
SCHEMA_CASES: list[tuple[str, Mutation, str, str]] = [
    ("format-version", _set(("format",), 2), "schema:const", "$.format"),
    ("module-required", _delete(("module",)), "schema:required", "$"),
    ("unknown-top-level-key", _set(("colour",), "red"), "schema:additionalProperties", "$"),
    ("version-semver", _set(("version",), "1.0"), "schema:pattern", "$.version"),
    ("text-needs-en", _set(("title",), {"zh": "演示"}), "schema:required", "$.title"),
    (
        "text-not-empty",
        _set(("title",), {"zh": "", "en": "Demo"}),
        "schema:minLength",
        "$.title.zh",
    ),
    (
        "text-no-third-language",
        _set(("title",), {"zh": "a", "en": "b", "fr": "c"}),
        "schema:additionalProperties",
        "$.title",
    ),
    ("apis-not-empty", _set(("apis",), []), "schema:minItems", "$.apis"),
    ("api-needs-returns", _delete(("apis", 0, "returns")), "schema:required", "$.apis[0]"),
    (
        "api-unknown-key",
        _set(("apis", 0, "colour"), 1),
        "schema:unevaluatedProperties",
        "$.apis[0]",
    ),
    (
        "api-name-identifier",
        _set(("apis", 0, "name"), "open thing"),
        "schema:pattern",
        "$.apis[0].name",
    ),
    (
        "support-value",
        _set(("apis", 0, "platforms", "web", "unixVer"), "4.0+"),
        "schema:pattern",
        "$.apis[0].platforms.web.unixVer",
    ),
    (
        "support-is-string",
        _set(("apis", 0, "platforms", "web", "unixVer"), 4.1),
        "schema:type",
        "$.apis[0].platforms.web.unixVer",
    ),
    (
        "platform-unknown",
        _set(("apis", 0, "platforms", "app", "symbian"), {"unixVer": "1"}),
        "schema:additionalProperties",
        "$.apis[0].platforms.app",
    ),
    (
        "platform-key-unknown",
        _set(("apis", 0, "platforms", "web", "osVer"), "1"),
        "schema:additionalProperties",
        "$.apis[0].platforms.web",
    ),
    (
        "field-needs-type",
        _delete(("types", "OpenThingOptions", "fields", 0, "type")),
        "schema:required",
        "$.types.OpenThingOptions.fields[0]",
    ),
    (
        "field-required-bool",
        _set(("types", "OpenThingOptions", "fields", 0, "required"), "yes"),
        "schema:type",
        "$.types.OpenThingOptions.fields[0].required",
    ),
    (
        "type-name-capitalised",
        _set(("types", "lower"), {"kind": "alias", "type": "string"}),
        "schema:pattern",
        "$.types",
    ),
    (
        "type-kind-known",
        _set(("types", "OpenResult", "kind"), "struct"),
        "schema:enum",
        "$.types.OpenResult.kind",
    ),
    (
        "object-needs-fields",
        _delete(("types", "OpenResult", "fields")),
        "schema:required",
        "$.types.OpenResult",
    ),
    (
        "interface-needs-methods",
        _set(("types", "Thing", "methods"), []),
        "schema:minItems",
        "$.types.Thing.methods",
    ),
    (
        "error-code-integer",
        _set(("types", "OpenCode", "codes", 0, "code"), "1"),
        "schema:type",
        "$.types.OpenCode.codes[0].code",
    ),
    (
        "error-code-errmsg",
        _delete(("types", "OpenCode", "codes", 0, "errMsg")),
        "schema:required",
        "$.types.OpenCode.codes[0]",
    ),
    (
        "deprecation-replacement",
        _set(("apis", 1, "deprecated"), {}),
        "schema:required",
        "$.apis[1].deprecated",
    ),
    (
        "url-scheme",
        _set(("apis", 0, "tutorial"), [{"label": {"zh": "a", "en": "b"}, "url": "ftp://x"}]),
        "schema:pattern",
        "$.apis[0].tutorial[0].url",
    ),
    (
        "note-before-and-after",
        _set(("notes", 0, "before"), "openThing"),
        "schema:not",
        "$.notes[0]",
    ),
    (
        "type-expression-charset",
        _set(("types", "OpenResult", "fields", 0, "type"), "string;"),
        "schema:pattern",
        "$.types.OpenResult.fields[0].type",
    ),
]


SEMANTIC_CASES: list[tuple[str, Mutation, str, str]] = [
    ("type-ref", _set(("apis", 0, "returns"), "Thingy"), "semantic:type-ref", "$.apis[0].returns"),
    (
        "type-syntax",
        _set(("apis", 0, "returns"), "Array<>"),
        "semantic:type-syntax",
        "$.apis[0].returns",
    ),
    (
        "deprecation-target",
        _set(("apis", 1, "deprecated"), {"replacement": "Thing.close"}),
        "semantic:deprecation",
        "$.apis[1].deprecated.replacement",
    ),
    (
        "duplicate-anchor",
        _set(("apis", 1, "name"), "OpenThing"),
        "semantic:duplicate-anchor",
        "$.apis[1].name",
    ),
    (
        "duplicate-field",
        _set(("types", "OpenThingOptions", "fields", 1, "name"), "url"),
        "semantic:duplicate",
        "$.types.OpenThingOptions.fields[1].name",
    ),
    (
        "extends-missing",
        _set(("types", "OpenFail", "extends"), "Bsae"),
        "semantic:extends",
        "$.types.OpenFail.extends",
    ),
    (
        "extends-cycle",
        _set(("types", "Base", "extends"), "OpenFail"),
        "semantic:extends",
        "$.types.Base.extends",
    ),
    ("note-target", _set(("notes", 0, "after"), "closeThing"), "semantic:note", "$.notes[0].after"),
    (
        "null-default-not-nullable",
        _set(("types", "OpenThingOptions", "fields", 1, "nullable"), False),
        "semantic:default",
        "$.types.OpenThingOptions.fields[1].default",
    ),
    (
        "english-is-english",
        _set(("title",), {"zh": "演示", "en": "演示"}),
        "semantic:language",
        "$.title.en",
    ),
    (
        "duplicate-error-code",
        lambda d: d["types"]["OpenCode"]["codes"].append(
            {"code": 1, "description": {"zh": "重复", "en": "dup"}, "errMsg": "dup"}
        ),
        "semantic:duplicate",
        "$.types.OpenCode.codes[1].code",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "check", "path"),
    [pytest.param(m, c, p, id=i) for i, m, c, p in [*SCHEMA_CASES, *SEMANTIC_CASES]],
)
def test_each_check_rejects_its_fixture(
    minimal: dict[str, Any], mutation: Mutation, check: str, path: str
) -> None:
    """Every schema rule and semantic check has a fixture it rejects, at the right path."""
    mutation(minimal)
    assert (check, path) in _check(minimal)


def test_all_errors_are_reported_at_once(minimal: dict[str, Any]) -> None:
    minimal["apis"][0]["returns"] = "Nope"
    minimal["types"]["OpenFail"]["extends"] = "Missing"
    minimal["title"] = {"zh": "中", "en": "中"}
    checks = {c for c, _ in _check(minimal)}
    assert {"semantic:type-ref", "semantic:extends", "semantic:language"} <= checks
