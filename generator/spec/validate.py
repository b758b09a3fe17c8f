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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from generator.exceptions import Diagnostic, SpecError, SpecReadError
from generator.spec._fastschema import Check, compile_schema, ecma_schema
from generator.spec._yaml import LoadedYaml, PathKey, json_path, load_yaml, read_spec_text
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


def _outside(file: Path, roots: Sequence[Path]) -> bool:
    """Whether ``file``, found by walking a spec directory, resolves outside every directory
    named (a symbolic link out of the spec, itself or through its folder): it is not read, so
    its content never reaches a message."""
    if not roots:
        return False
    real = file.resolve()
    return not any(real.is_relative_to(root) for root in roots)


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
    roots = [p.resolve() for p in paths if p.is_dir()]
    named = {p.resolve() for p in paths if not p.is_dir()}
    for kind, file in [*collect_files(paths), *extra]:
        name = str(file)
        if file.resolve() not in named and _outside(file, roots) and (kind, file) not in extra:
            message = (
                "a symbolic link out of the spec directory: not followed (name the file itself "
                "to read it)"
            )
            result.read_errors.append(Diagnostic(name, 0, 0, "", message, "read"))
            continue
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
        root = validator.schema if isinstance(validator.schema, Mapping) else {}
        _schema_errors(doc, validator.iter_errors(doc.data), text, root)
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


@dataclass
class _Found:
    """One schema problem, before duplicates are merged: ``at`` is a position found for it
    (an unknown key's own position; ``path`` is then its mapping's), None: the position of
    ``path``'s value."""

    path: PathKey
    message: str
    check: str
    at: tuple[int, int] | None = None
    #: For an unknown key: the allowed key suggested; for a missing key: its name.
    key: str | None = None


def _schema_errors(
    doc: LoadedYaml,
    errors: Iterable[jsonschema.ValidationError],
    text: str,
    schema: Mapping[str, Any],
) -> None:
    """Report the schema errors of ``doc``, each problem once.

    A value written once and used in several places through YAML aliases (``&api-platforms``,
    repeated for every API and method) is one object in the data, so jsonschema reports a
    wrong value in it once per place that uses it (an unquoted ``3.91`` in the platform block
    of the bundled module: 14 times).  Problems are merged by the object they concern and
    reported at the place the value is written (the path whose own position is known: the
    anchor, not an alias), saying how many other places share it."""
    keys = _KeyFinder(text)
    groups: dict[tuple[object, str, str], list[_Found]] = {}
    for error in errors:
        for found in _schema_error(doc, error, keys, schema):
            ident = (_identity(doc.data, found.path), found.message, found.check)
            groups.setdefault(ident, []).append(found)
    # A misspelled required key is one mistake: "unknown key 'retruns'; did you mean
    # 'returns'?" says it, and "'returns' is a required property" at the same mapping goes.
    suggested = {
        (_identity(doc.data, f.path), f.key)
        for group in groups.values()
        for f in group
        if f.at is not None and f.key is not None
    }
    positions = doc.positions
    for group in groups.values():
        if group[0].check == "schema:required" and (
            (_identity(doc.data, group[0].path), group[0].key) in suggested
        ):
            continue
        found = next((f for f in group if _written_at(f, positions)), group[0])
        message = found.message
        if len(group) > 1:
            others = len(group) - 1
            message += (
                f" (reported once: YAML aliases repeat this value in {others} other "
                f"place{'s' if others > 1 else ''})"
            )
        if found.at is None:
            doc.error(found.path, message, found.check)
        else:
            line, column = found.at
            doc.diagnostics.append(
                Diagnostic(doc.file, line, column, json_path(found.path), message, found.check)
            )


def _identity(data: Any, path: PathKey) -> object:
    """What ``path`` designates, the same for every path an alias leads to: the identity of
    its parent collection and its last key (or of the document, for the root)."""
    if not path:
        return ("$",)
    parent = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return path
    return (id(parent), path[-1])


def _written_at(found: _Found, positions: Mapping[PathKey, tuple[int, int]]) -> bool:
    """Whether ``found`` concerns a value at its own place in the text (not through an alias):
    its path (for an unknown key, its mapping's) has a recorded position."""
    return found.path in positions


def _schema_error(
    doc: LoadedYaml,
    error: jsonschema.ValidationError,
    keys: _KeyFinder,
    schema: Mapping[str, Any],
) -> list[_Found]:
    """The problems one schema error stands for, at the deepest path it concerns (descending
    into any/oneOf); an unknown key is reported at the key itself, with the nearest allowed
    key."""
    if error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None and len(best.absolute_path) >= len(error.absolute_path):
            error = best
    path: PathKey = tuple(error.absolute_path)
    message = error.message
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        unknown, allowed = _unknown_keys(error, schema)
        if unknown:
            check = f"schema:{error.validator}"
            found = []
            for key in unknown[:_UNKNOWN_REPORTED]:
                close = _close_or_allowed(key, allowed)
                message = _unknown_key_message(key, close)
                suggested = close[0] if len(close) == 1 else None
                found.append(_Found(path, message, check, keys.position(path, key), suggested))
            if len(unknown) > _UNKNOWN_REPORTED:
                more = len(unknown) - _UNKNOWN_REPORTED
                found.append(_Found(path, f"and {more:,} more unknown keys here", check))
            return found
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
        message = (
            f"{error.instance!r} is a number, expected a string: quote version numbers "
            f'("{error.instance!r}"), YAML reads 4.10 as the number 4.1'
        )
    missing = None
    required = error.validator_value
    if error.validator == "required" and isinstance(required, list):
        missing = next(
            (
                str(name)
                for name in required
                if isinstance(error.instance, dict)
                and name not in error.instance
                and repr(name) in message
            ),
            None,
        )
    return [_Found(path, message, f"schema:{error.validator}", key=missing)]


#: Unknown keys longer than this are shown cut, and compared with the allowed ones by their start.
_KEY_SHOWN = 80
#: Unknown keys reported one by one per mapping; the rest are counted in one more diagnostic.
_UNKNOWN_REPORTED = 10
#: With no close match, the allowed keys are listed when there are at most this many.
_ALLOWED_LISTED = 16


def _unknown_keys(
    error: jsonschema.ValidationError, schema: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The keys of the mapping ``error`` refuses (an ``additionalProperties: false`` or
    ``unevaluatedProperties: false`` error), and the keys allowed there."""
    if error.validator_value is not False or not isinstance(error.instance, dict):
        return [], []
    names: set[str] = set()
    patterns: list[str] = []
    evaluated = error.validator != "additionalProperties"
    _declared(error.schema, schema, names, patterns, evaluated=evaluated)
    unknown = [
        key
        for key in error.instance
        if key not in names and not any(_matches(p, key) for p in patterns)
    ]
    return unknown, sorted(names)


def _close_or_allowed(key: str, allowed: list[str]) -> list[str]:
    """The allowed key nearest ``key`` (a list of one), else every allowed key when they are
    few, else nothing."""
    close = difflib.get_close_matches(key[: 2 * _KEY_SHOWN], allowed, n=1, cutoff=0.6)
    if close:
        return close
    return allowed if len(allowed) <= _ALLOWED_LISTED else []


def _declared(
    node: object,
    root: Mapping[str, Any],
    names: set[str],
    patterns: list[str],
    *,
    evaluated: bool,
    depth: int = 0,
) -> None:
    """Collect the property names and patterns ``node`` declares; with ``evaluated``, also
    those of the subschemas it applies (``$ref``, ``allOf``, if/then/else…), as
    ``unevaluatedProperties`` counts them."""
    if not isinstance(node, Mapping) or depth > 20:
        return
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        names.update(str(k) for k in properties)
    pattern_properties = node.get("patternProperties")
    if isinstance(pattern_properties, Mapping):
        patterns.extend(str(k) for k in pattern_properties)
    if not evaluated:
        return
    subschemas: list[object] = []
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: object = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        subschemas.append(target)
    for word in ("allOf", "anyOf", "oneOf"):
        branches = node.get(word)
        if isinstance(branches, list):
            subschemas.extend(branches)
    subschemas.extend(node.get(word) for word in ("then", "else", "dependentSchemas"))
    for sub in subschemas:
        _declared(sub, root, names, patterns, evaluated=True, depth=depth + 1)


def _matches(pattern: str, key: str) -> bool:
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return False


def _unknown_key_message(key: str, close: Sequence[str]) -> str:
    """``close``: the nearest allowed key (one), or the allowed keys to list (several)."""
    shown = key if len(key) <= _KEY_SHOWN else key[:_KEY_SHOWN] + "…"
    message = f"unknown key: {shown!r} was unexpected here"
    if len(close) == 1:
        return f"{message}; did you mean {close[0]!r}?"
    if close:
        return f"{message} (allowed: {', '.join(close)})"
    return message


class _KeyFinder:
    """Where a mapping key is written: the text is composed again (once, on the first
    question; only a document with an unknown key asks) and the node graph followed along the
    path, through aliases and merge keys; each mapping's keys are indexed on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.root: yaml.Node | None = None
        self.composed = False
        self.index: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def position(self, path: PathKey, key: str) -> tuple[int, int] | None:
        if not self.composed:
            self.composed = True
            try:
                self.root = yaml.compose(self.text, Loader=_SAFE_LOADER)
            except yaml.YAMLError:
                self.root = None
        node = self.root
        for part in path:
            node = self.child(node, part)
        found = self.pair(node, key)
        if found is None:
            return None
        mark = found[0].start_mark
        return (mark.line + 1, mark.column + 1)

    def child(self, node: yaml.Node | None, part: str | int) -> yaml.Node | None:
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            return node.value[part] if 0 <= part < len(node.value) else None
        found = self.pair(node, part) if isinstance(part, str) else None
        return None if found is None else found[1]

    def pair(self, node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        """The (key node, value node) of ``key`` in the mapping ``node``: its own pair, else
        the first merged in with ``<<`` (as the loader reads it)."""
        if not isinstance(node, yaml.MappingNode):
            return None
        keys = self.index.get(id(node))
        if keys is None:
            keys = {}
            for k, v in _pairs(node):
                if isinstance(k, yaml.ScalarNode):
                    keys.setdefault(str(k.value), (k, v))
            self.index[id(node)] = keys
        return keys.get(key)


_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pairs(node: yaml.MappingNode, depth: int = 0) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """The key/value pairs of a mapping, its own first, then those merged in with ``<<``."""
    merges: list[yaml.Node] = []
    for key, value in node.value:
        if key.tag == "tag:yaml.org,2002:merge":
            merges.append(value)
        else:
            yield key, value
    if depth > 20:
        return
    for merge in merges:
        sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
        for source in sources:
            if isinstance(source, yaml.MappingNode):
                yield from _pairs(source, depth + 1)


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
    # Profiles are checked against the rules only when some rule file could be checked: with
    # its module invalid, every allowance would "name no rule", one error repeated per allowance.
    checked_any = False
    for doc in rule_docs:
        module_doc = modules.get(doc.data["module"]) or _bundled_module(doc.data["module"])
        if module_doc is not None and module_doc.diagnostics:
            continue  # checked once the module's own errors (reported) are fixed
        if module_doc is None:
            doc.error(
                ("module",),
                f"no valid module {doc.data['module']!r} to check the rules against",
                "semantic:rules",
            )
            continue
        checked_any = True
        callables, types = _module_names(module_doc.data)
        rule_set = parse_rules(doc, apis=callables, types=types, seen_ids=seen_ids)
        if result.rule_module is None:
            result.rule_module = build_module(module_doc.data, module_doc.file)
            result.rules = RuleSet(rule_set.module, ())
        merged += rule_set.rules
    result.rules = RuleSet(result.rules.module, tuple(merged))
    checked_rules = result.rules if checked_any else None
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
