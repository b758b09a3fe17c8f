"""Validation of spec files: safe YAML loading, JSON Schema, then semantic checks.

Every problem is collected (never only the first) as a :class:`Diagnostic` that says where:
``file:line:col``, the JSON path, what is wrong, and which check found it.  Semantic checks are
small functions that each look at one thing and report through :meth:`LoadedYaml.error`; the
walkers around them supply the path.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from generator._fastschema import Check, compile_schema
from generator._yaml import LoadedYaml, PathKey, load_yaml
from generator.exceptions import Diagnostic, SpecError, SpecReadError
from generator.typeexpr import BUILTINS, Named, TypeExprError, parse_type

__all__ = ["ValidationResult", "collect_files", "schema_for", "validate_paths"]

#: Sub-folder of a spec directory → the schema its YAML files follow.
KINDS: dict[str, str] = {
    "modules": "module.schema.json",
    "rules": "rules.schema.json",
    "profiles": "profile.schema.json",
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


@dataclass
class ValidationResult:
    documents: list[tuple[str, LoadedYaml]] = field(default_factory=list)  # (kind, document)
    read_errors: list[Diagnostic] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = [d for _, doc in self.documents for d in doc.diagnostics]
        return sorted(self.read_errors + found)

    @property
    def modules(self) -> list[LoadedYaml]:
        return [doc for kind, doc in self.documents if kind == "modules"]

    def of_kind(self, kind: str) -> list[LoadedYaml]:
        return [doc for k, doc in self.documents if k == kind]

    def raise_for_errors(self) -> None:
        if self.read_errors:
            raise SpecReadError(self.diagnostics)
        if self.diagnostics:
            raise SpecError(self.diagnostics)


def _schema_dir() -> Path:
    from generator.model import bundled_spec_dir  # noqa: PLC0415 - avoid a cycle at import

    return bundled_spec_dir() / "schema"


@cache
def schema_for(kind: str) -> jsonschema.Draft202012Validator | None:
    """The validator for one kind of spec file, or None if that schema is not installed."""
    path = _schema_dir() / KINDS[kind]
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@cache
def _fast_check_for(kind: str) -> Check | None:
    """A quick "valid?" for ``kind`` that is never yes when jsonschema finds an error; the
    errors themselves always come from jsonschema (see :mod:`generator._fastschema`)."""
    validator = schema_for(kind)
    schema = None if validator is None else validator.schema
    return compile_schema(schema) if isinstance(schema, Mapping) else None


def collect_files(paths: Iterable[Path]) -> Iterator[tuple[str, Path]]:
    """``(kind, file)`` for each YAML file named or found under a spec directory."""
    for path in paths:
        if path.is_dir():
            subdirs = [path / kind for kind in KINDS if (path / kind).is_dir()]
            if subdirs:
                for sub in subdirs:
                    for file in sorted(sub.glob("*.y*ml")):
                        yield sub.name, file
            else:
                for file in sorted(path.glob("*.y*ml")):
                    yield _kind_of(file), file
        else:
            yield _kind_of(path), path


def _kind_of(file: Path) -> str:
    return file.parent.name if file.parent.name in KINDS else "modules"


def validate_paths(paths: Iterable[Path]) -> ValidationResult:
    """Load and check every spec file under ``paths``; the result lists every problem."""
    result = ValidationResult()
    for kind, file in collect_files(paths):
        name = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            result.read_errors.append(Diagnostic(name, 0, 0, "", "no such file", "read"))
            continue
        except UnicodeDecodeError as exc:
            result.read_errors.append(
                Diagnostic(name, 0, 0, "", f"not UTF-8 text (byte {exc.start})", "read")
            )
            continue
        except OSError as exc:
            result.read_errors.append(Diagnostic(name, 0, 0, "", exc.strerror or str(exc), "read"))
            continue
        result.documents.append((kind, validate_text(text, name, kind)))
    if not result.documents and not result.read_errors:
        where = ", ".join(str(p) for p in paths) or "(nothing)"
        result.read_errors.append(
            Diagnostic(where, 0, 0, "", "no spec files (*.yaml) found", "read")
        )
    _check_cross_file(result)
    return result


def validate_text(text: str, file: str, kind: str = "modules") -> LoadedYaml:
    """Check one document of ``kind``; problems are in the returned document's diagnostics."""
    doc = load_yaml(text, file)
    if doc.data is None:
        return doc
    if not isinstance(doc.data, dict):
        doc.error(
            (), f"expected a mapping at the top level, found {_kind_name(doc.data)}", "yaml:type"
        )
        return doc
    validator = schema_for(kind)
    fast = _fast_check_for(kind) if validator is not None else None
    if validator is not None and (fast is None or not fast(doc.data)):
        for error in validator.iter_errors(doc.data):
            _schema_error(doc, error)
    if not doc.diagnostics and kind == "modules":
        check_module(doc)
    return doc


def _kind_name(value: object) -> str:
    return {
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
    }.get(type(value), type(value).__name__)


def _schema_error(doc: LoadedYaml, error: jsonschema.ValidationError) -> None:
    """Report a schema error at the deepest path it concerns (descending into any/oneOf)."""
    if error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None and len(best.absolute_path) >= len(error.absolute_path):
            error = best
    path: PathKey = tuple(error.absolute_path)
    message = error.message
    if error.validator == "pattern" and isinstance(error.instance, str):
        message = (
            f"{error.instance!r} is not well formed (expected to match {error.validator_value})"
        )
    elif (
        error.validator == "type"
        and isinstance(error.instance, float)
        and "string" in str(error.validator_value)
    ):
        message += " (quote version numbers: YAML reads 4.10 as the number 4.1)"
    doc.error(path, message, f"schema:{error.validator}")


# ----------------------------------------------------------------------------------------------
# Semantic checks of one module document


def _nearest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _type_fields(data: Mapping[str, Any]) -> Iterator[tuple[PathKey, str]]:
    """Every type expression in a module, with its path."""
    for i, api in enumerate(data["apis"]):
        yield from _callable_types(api, ("apis", i))
    for name, named in data["types"].items():
        base: PathKey = ("types", name)
        if named["kind"] == "object":
            for j, f in enumerate(named["fields"]):
                yield (*base, "fields", j, "type"), f["type"]
        elif named["kind"] == "interface":
            for j, method in enumerate(named["methods"]):
                yield from _callable_types(method, (*base, "methods", j))
        elif named["kind"] == "alias":
            yield (*base, "type"), named["type"]


def _callable_types(data: Mapping[str, Any], base: PathKey) -> Iterator[tuple[PathKey, str]]:
    for j, p in enumerate(data["params"]):
        yield (*base, "params", j, "type"), p["type"]
    yield (*base, "returns"), data["returns"]


def check_type_references(doc: LoadedYaml) -> None:
    types = doc.data["types"]
    for path, text in _type_fields(doc.data):
        try:
            expr = parse_type(text)
        except TypeExprError as exc:
            doc.error(path, str(exc), "semantic:type-syntax")
            continue
        for node in expr.walk():
            if isinstance(node, Named) and node.name not in BUILTINS and node.name not in types:
                doc.error(
                    path,
                    f"unknown type {node.name!r}{_nearest(node.name, [*types, *BUILTINS])}",
                    "semantic:type-ref",
                )


def check_unique_names(doc: LoadedYaml) -> None:
    data = doc.data
    anchors: dict[str, PathKey] = {}

    def anchor(slug: str, path: PathKey) -> None:
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
            for j, method in enumerate(named["methods"]):
                anchor(method["name"].lower(), (*base, "methods", j, "name"))
                unique(method["params"], "name", (*base, "methods", j, "params"), "parameter")
        elif named["kind"] == "error-codes":
            unique(named["codes"], "code", (*base, "codes"), "error code")


def _jp(path: PathKey) -> str:
    from generator._yaml import json_path  # noqa: PLC0415

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
    for name, named in types.items():
        if named["kind"] != "object" or "extends" not in named:
            continue
        seen = {name}
        parent = named["extends"]
        while parent is not None:
            target = types.get(parent)
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
    check_unique_names,
    check_deprecations,
    check_inheritance,
    check_notes,
    check_defaults,
    check_languages,
)


def check_module(doc: LoadedYaml) -> None:
    for check in MODULE_CHECKS:
        check(doc)


def _check_cross_file(result: ValidationResult) -> None:
    names: dict[str, LoadedYaml] = {}
    for doc in result.modules:
        if isinstance(doc.data, dict) and isinstance(doc.data.get("module"), str):
            name = doc.data["module"]
            if name in names:
                doc.error(
                    ("module",),
                    f"module {name!r} is also defined in {names[name].file}",
                    "semantic:duplicate",
                )
            names[name] = doc
    rule_ids: dict[str, str] = {}
    for doc in result.of_kind("rules"):
        if not doc.diagnostics and isinstance(doc.data, dict):
            check_rules(doc, names.get(doc.data["module"]), rule_ids)


def _module_names(module: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(callable qualnames, type names) of a valid module document."""
    callables = {a["name"] for a in module["apis"]}
    for name, named in module["types"].items():
        if named["kind"] == "interface":
            callables.update(f"{name}.{m['name']}" for m in named["methods"])
    return callables, set(module["types"]) | set(BUILTINS)


def _shapes(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, dict):
        shape = value.get("shape")
        if isinstance(shape, dict) and isinstance(shape.get("type"), str):
            yield (*path, "shape", "type"), shape["type"]
        for key, item in value.items():
            yield from _shapes(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _shapes(item, (*path, i))


def check_rules(doc: LoadedYaml, module: LoadedYaml | None, seen_ids: dict[str, str]) -> None:
    """Rule ids are unique across files; APIs and payload types exist in the module."""
    if module is None or module.diagnostics:
        doc.error(
            ("module",),
            f"no valid module {doc.data['module']!r} to check the rules against",
            "semantic:rules",
        )
        return
    callables, types = _module_names(module.data)
    for i, rule in enumerate(doc.data["rules"]):
        where = f"{doc.file}:{doc.position(('rules', i, 'id'))[0]}"
        if rule["id"] in seen_ids:
            doc.error(
                ("rules", i, "id"),
                f"duplicate rule id {rule['id']!r} (first at {seen_ids[rule['id']]})",
                "semantic:duplicate",
            )
        else:
            seen_ids[rule["id"]] = where
        for j, api in enumerate(rule["apis"]):
            if api not in callables:
                doc.error(
                    ("rules", i, "apis", j),
                    f"no API or method {api!r} in module {doc.data['module']!r}"
                    f"{_nearest(api, callables)}",
                    "semantic:rules",
                )
        for path, type_name in _shapes(rule.get("expect", []), ("rules", i, "expect")):
            if type_name not in types:
                doc.error(
                    path,
                    f"unknown type {type_name!r}{_nearest(type_name, types)}",
                    "semantic:type-ref",
                )
