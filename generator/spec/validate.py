"""Validation of spec files: safe YAML loading, JSON Schema, then semantic checks.

Every problem is collected (never only the first) as a :class:`Diagnostic` that says where:
``file:line:col``, the JSON path, what is wrong, and which check found it.  Semantic checks are
small functions that each look at one thing and report through :meth:`LoadedYaml.error`; the
walkers around them supply the path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from generator.exceptions import Diagnostic, SpecError, SpecReadError
from generator.spec._fastschema import Check, compile_schema, ecma_schema
from generator.spec._yaml import LoadedYaml, PathKey, load_yaml, read_spec_text
from generator.spec.bundled import bundled_spec_dir
from generator.spec.checks import check_module
from generator.spec.expectations import Expectation, parse_expectations
from generator.spec.model import Module, build_module
from generator.spec.overlay import Overlay
from generator.spec.overlay import _build as build_overlay
from generator.spec.overlay import _check_pages as check_overlay_pages
from generator.spec.profiles import Profile, parse_profile
from generator.spec.rules import Rule, RuleSet, parse_rules
from generator.spec.typeexpr import BUILTINS

__all__ = [
    "ValidationResult",
    "collect_files",
    "expectations_from_data",
    "schema_for",
    "validate_paths",
    "validate_text",
]

#: Sub-folder of a spec directory → the schema its YAML files follow.
KINDS: dict[str, str] = {
    "modules": "module.schema.json",
    "rules": "rules.schema.json",
    "profiles": "profile.schema.json",
    "overlays": "overlay.schema.json",
}


@dataclass
class ValidationResult:
    """Every document read, every problem found, and the typed parts of the spec they make."""

    documents: list[tuple[str, LoadedYaml]] = field(default_factory=list)  # (kind, document)
    read_errors: list[Diagnostic] = field(default_factory=list)
    built_modules: list[Module] = field(default_factory=list)
    rules: RuleSet = field(default_factory=lambda: RuleSet("", ()))
    #: The module the rules were checked against (the bundled one when none was given).
    rule_module: Module | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    #: The overlay files given, merged (None: none was given; consumers use the bundled one).
    overlay: Overlay | None = None

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
    return bundled_spec_dir() / "schema"


@cache
def schema_for(kind: str) -> jsonschema.Draft202012Validator | None:
    """The validator for one kind of spec file, or None if that schema is not installed."""
    path = _schema_dir() / KINDS[kind]
    if not path.is_file():
        return None
    schema = ecma_schema(json.loads(path.read_text(encoding="utf-8")))
    return jsonschema.Draft202012Validator(schema)


@cache
def _fast_check_for(kind: str) -> Check | None:
    """A quick "valid?" for ``kind`` that is never yes when jsonschema finds an error; the
    errors themselves always come from jsonschema (see :mod:`generator._fastschema`)."""
    validator = schema_for(kind)
    schema = None if validator is None else validator.schema
    return compile_schema(schema) if isinstance(schema, Mapping) else None


def collect_files(paths: Iterable[Path]) -> Iterator[tuple[str | None, Path]]:
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


def _kind_of(file: Path) -> str | None:
    """The kind a file's folder says (``modules/``, ``rules/``, ``profiles/``, ``overlays/``);
    None: read it."""
    return file.parent.name if file.parent.name in KINDS else None


def _kind_of_data(data: Mapping[str, Any]) -> str:
    """The kind of a document outside a kind folder, by its top-level keys."""
    if "allowances" in data:
        return "profiles"
    if "rules" in data and "apis" not in data:
        return "rules"
    if isinstance(data.get("apis"), dict) or (
        "module" not in data and ("pages" in data or "type-links" in data or "modules" in data)
    ):
        return "overlays"
    return "modules"


def validate_paths(
    paths: Iterable[Path], *, extra: Iterable[tuple[str | None, Path]] = ()
) -> ValidationResult:
    """Load and check every spec file under ``paths`` (and the ``(kind, file)`` pairs of
    ``extra``); the result lists every problem and holds the typed modules, rules and profiles."""
    paths = list(paths)
    result = ValidationResult()
    for kind, file in [*collect_files(paths), *extra]:
        name = str(file)
        try:
            text = read_spec_text(file)
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
        doc = validate_text(text, name, kind)
        read_as = kind or (_kind_of_data(doc.data) if isinstance(doc.data, dict) else "modules")
        result.documents.append((read_as, doc))
    if not result.documents and not result.read_errors:
        where = ", ".join(str(p) for p in paths) or "(nothing)"
        result.read_errors.append(
            Diagnostic(where, 0, 0, "", "no spec files (*.yaml) found", "read")
        )
    _check_cross_file(result)
    return result


def validate_text(text: str, file: str, kind: str | None = "modules") -> LoadedYaml:
    """Check one document of ``kind`` (None: the kind its top-level keys say); problems are in
    the returned document's diagnostics."""
    doc = load_yaml(text, file)
    if doc.data is None:
        return doc
    if not isinstance(doc.data, dict):
        doc.error(
            (), f"expected a mapping at the top level, found {_kind_name(doc.data)}", "yaml:type"
        )
        return doc
    if kind is None:
        kind = _kind_of_data(doc.data)
    validator = schema_for(kind)
    fast = _fast_check_for(kind) if validator is not None else None
    if validator is not None and (fast is None or not fast(doc.data)):
        for error in validator.iter_errors(doc.data):
            _schema_error(doc, error)
    if not doc.diagnostics and kind == "modules":
        check_module(doc)
    if not doc.diagnostics and kind == "overlays":
        check_overlay_pages(doc)
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
            f"{error.instance!r} is not well formed (expected to match "
            f"{str(error.validator_value).replace(chr(92) + 'Z', '$')})"
        )
    elif (
        error.validator == "type"
        and isinstance(error.instance, float)
        and "string" in str(error.validator_value)
    ):
        message += " (quote version numbers: YAML reads 4.10 as the number 4.1)"
    doc.error(path, message, f"schema:{error.validator}")


def _check_cross_file(result: ValidationResult) -> None:
    """Checks across files: one definition per module, rules against the module they describe,
    profiles against the rules; builds the typed parts of the spec from the valid documents."""
    modules: dict[str, LoadedYaml] = {}
    for doc in result.modules:
        if isinstance(doc.data, dict) and isinstance(doc.data.get("module"), str):
            name = doc.data["module"]
            if name in modules:
                doc.error(
                    ("module",),
                    f"module {name!r} is also defined in {modules[name].file}",
                    "semantic:duplicate",
                )
            modules[name] = doc
            if not doc.diagnostics:
                result.built_modules.append(build_module(doc.data, doc.file))
    overlays = result.of_kind("overlays")
    if overlays and not any(d.diagnostics for d in overlays):
        result.overlay = build_overlay(overlays)
    rule_docs = [d for d in result.of_kind("rules") if not d.diagnostics]
    given_rules = bool(result.of_kind("rules"))
    if not given_rules and result.of_kind("profiles"):
        # A profile alone is checked against the bundled rules, as a run would use them.
        rule_docs = [
            validate_text(f.read_text("utf-8"), str(f), "rules") for f in _bundled("rules")
        ]
        rule_docs = [d for d in rule_docs if not d.diagnostics]
    seen_ids: dict[str, str] = {}
    merged: list[Rule] = []
    types: set[str] | None = None
    for doc in rule_docs:
        module_doc = modules.get(doc.data["module"]) or _bundled_module(doc.data["module"])
        if module_doc is None or module_doc.diagnostics:
            doc.error(
                ("module",),
                f"no valid module {doc.data['module']!r} to check the rules against",
                "semantic:rules",
            )
            continue
        callables, types = _module_names(module_doc.data)
        rule_set = parse_rules(doc, apis=callables, types=types, seen_ids=seen_ids)
        if result.rule_module is None:
            result.rule_module = build_module(module_doc.data, module_doc.file)
            result.rules = RuleSet(rule_set.module, ())
        merged += rule_set.rules
    result.rules = RuleSet(result.rules.module, tuple(merged))
    checked_rules = result.rules if rule_docs else None
    for doc in result.of_kind("profiles"):
        if doc.diagnostics:
            continue
        _check_instead(doc)
        if doc.diagnostics:
            continue
        profile = parse_profile(doc, checked_rules, types)
        if profile.name in result.profiles:
            doc.error(
                ("name",),
                f"profile {profile.name!r} is also defined in {result.profiles[profile.name].file}",
                "semantic:duplicate",
            )
        result.profiles[profile.name] = profile


def _bundled(kind: str) -> list[Path]:
    return sorted((bundled_spec_dir() / kind).glob("*.yaml"))


@cache
def _bundled_module(name: str) -> LoadedYaml | None:
    """The bundled module document ``name`` (for rule files given without their module)."""
    path = bundled_spec_dir() / "modules" / f"{name}.yaml"
    if not path.is_file():
        return None
    return validate_text(path.read_text(encoding="utf-8"), str(path), "modules")


def _module_names(module: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(callable qualnames, type names) of a valid module document."""
    callables = {a["name"] for a in module["apis"]}
    for name, named in module["types"].items():
        if named["kind"] == "interface":
            callables.update(f"{name}.{m['name']}" for m in named["methods"])
    return callables, set(module["types"]) | set(BUILTINS)


@cache
def _expectation_validator() -> jsonschema.Draft202012Validator | None:
    rules = schema_for("rules")
    if rules is None:
        return None
    schema = rules.schema
    assert isinstance(schema, Mapping)
    only = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/expectation"}
    return jsonschema.Draft202012Validator(only)


def _check_instead(doc: LoadedYaml) -> None:
    """An allowance's ``instead`` holds expectations of the rules' own form."""
    validator = _expectation_validator()
    if validator is None:
        return
    for i, allowance in enumerate(doc.data.get("allowances", [])):
        for j, expectation in enumerate(allowance.get("instead", [])):
            for error in validator.iter_errors(expectation):
                path: PathKey = ("allowances", i, "instead", j, *error.absolute_path)
                doc.error(path, error.message, f"schema:{error.validator}")


def expectations_from_data(
    items: Sequence[Mapping[str, Any]], where: str = "<expectations>"
) -> tuple[Expectation, ...]:
    """Typed expectations from plain data (as a rule's ``expect`` would hold them), for callers
    that build them in code.  Raises :class:`SpecError` with every problem."""
    doc = LoadedYaml(where, {"allowances": [{"instead": list(items)}]})
    _check_instead(doc)
    if doc.diagnostics:
        raise SpecError(doc.diagnostics)
    return parse_expectations(doc, items, (), None, None)
