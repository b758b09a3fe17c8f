"""The walk over two versions of a module: every change, located and classified.

Items are matched by name (an API, a type, a method, a field, a parameter), error codes by
number, literal values by value, platform cells by platform and key.  A name declared twice in
one place (overloads of an imported module) is matched by its occurrence: the second
``abort`` of the old version with the second of the new.  An added or removed item is one
change; what it holds is not listed again.  Each check says what changed; the functions that
descend say where (``path`` and ``detail``), and the direction of the values for
:func:`generator.diff.rules.classify`.
"""

from __future__ import annotations

import re
from collections.abc import Callable as Fn
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from generator.diff.rules import PLATFORM_KEY_ALIASES, RULES, ChangeClass, Direction, classify
from generator.spec.model import (
    AliasType,
    Callable,
    Deprecation,
    ErrorCodesType,
    Field,
    InterfaceType,
    LiteralValue,
    Module,
    NamedType,
    ObjectType,
    Platforms,
    Text,
)
from generator.spec.typeexpr import TypeExpr, Union, is_string_subtype
from generator.stubs import type_polarities

__all__ = ["Change", "cell_change", "diff_modules", "type_change"]


@dataclass(frozen=True)
class Change:
    """One change: in ``module``, to the item at ``path`` (``connectSocket``,
    ``SocketTask.send(options)``, ``ConnectSocketOptions.url``), ``detail`` naming the aspect
    when the item is not all of it (``return``, ``app.android unixVer``, ``code 600009``,
    ``value 'GET'``); ``old`` and ``new`` are the facts before and after, when short."""

    module: str
    path: str
    kind: str
    cls: ChangeClass
    direction: Direction
    detail: str = ""
    old: str | None = None
    new: str | None = None

    def reason(self, lang: str = "en") -> str:
        return RULES[self.kind].reason(self.direction, lang)


_T = TypeVar("_T")


def _keyed(items: Iterable[_T], name: Fn[[_T], str]) -> dict[str, _T]:
    """Items by name; the n-th item of a name declared again is ``name#n``."""
    out: dict[str, _T] = {}
    for item in items:
        key = name(item)
        n = 1
        while key in out:
            n += 1
            key = f"{name(item)}#{n}"
        out[key] = item
    return out


# ----------------------------------------------------------------------------------------------
# Directions of named types


def _directions(module: Module) -> dict[str, set[str]]:
    """Type name -> the directions its values flow in (given by the caller, received from the
    API): the typed package's own reading (:func:`generator.stubs.type_polarities`)."""
    ways = {"in": "given", "out": "received"}
    return {name: {ways[p] for p in found} for name, found in type_polarities(module).items()}


def _direction(ways: set[str]) -> Direction:
    if ways == {"given"}:
        return "given"
    if ways == {"received"}:
        return "received"
    return "both"  # both ways, or a type nothing uses: the stricter class


# ----------------------------------------------------------------------------------------------
# Small comparisons


def _text(text: Text | None) -> tuple[str, str] | None:
    return None if text is None else (text.zh, text.en)


def _deprecation(dep: Deprecation) -> tuple[object, ...]:
    return (dep.replacement, dep.since, _text(dep.text))


def _members(expr: TypeExpr) -> set[str]:
    return {str(m) for m in expr.members} if isinstance(expr, Union) else {str(expr)}


def _covered(members: set[str], by: set[str]) -> bool:
    """Every type of ``members`` is one of ``by``, or ``by`` holds ``any``, or a string
    subtype is covered by ``string``."""
    if "any" in by:
        return True
    return all(m in by or (is_string_subtype(m) and "string" in by) for m in members)


def type_change(old: TypeExpr, new: TypeExpr) -> str | None:
    """``type.widened``, ``type.narrowed``, ``type.changed``, or None if the same."""
    if old == new:
        return None
    before, after = _members(old), _members(new)
    if _covered(before, after):
        return "type.widened"
    if _covered(after, before):
        return "type.narrowed"
    return "type.changed"


#: A platform cell's value read as a version: ``4.41``, ``5.0.0``, ``1.9.6``.
_VERSION = re.compile(r"\d+(?:\.\d+)*")
_SUPPORTED_UNSTATED, _UNSUPPORTED, _UNKNOWN = "√", "x", "-"


def _version(value: str) -> tuple[int, ...] | None:
    if _VERSION.fullmatch(value) is None:
        return None
    parts = [int(p) for p in value.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _cells(cells: Mapping[str, str]) -> Mapping[str, str]:
    """A platform's cells, keys spelled as :data:`~generator.diff.rules.PLATFORM_KEY_ALIASES`
    says."""
    if not any(key in PLATFORM_KEY_ALIASES for key in cells):
        return cells
    return {PLATFORM_KEY_ALIASES.get(key, key): value for key, value in cells.items()}


def _cell_state(value: str | None) -> str:
    """``supported``, ``unsupported``, ``unknown`` or ``other`` (a value no rule reads)."""
    if value is None or value == _UNKNOWN:
        return "unknown"
    if value == _UNSUPPORTED:
        return "unsupported"
    if value == _SUPPORTED_UNSTATED or _version(value) is not None:
        return "supported"
    return "other"


def cell_change(old: str | None, new: str | None) -> str | None:
    """The kind of change of one platform cell, or None when it says the same."""
    if old == new:
        return None
    before, after = _cell_state(old), _cell_state(new)
    if before == after == "supported":
        v_old, v_new = _version(old or ""), _version(new or "")
        if v_old is None or v_new is None:
            return "platform.restated"  # √ <-> a version
        if v_old == v_new:
            return None  # 5.0 and 5.0.0
        return "platform.min-raised" if v_new > v_old else "platform.min-lowered"
    if after == "supported":
        return "platform.added"
    if before == "supported":
        return "platform.removed" if after == "unsupported" else "platform.unstated"
    return "platform.restated"


# ----------------------------------------------------------------------------------------------
# The walk


class _Walk:
    def __init__(self, old: Module, new: Module) -> None:
        self.module = new.name
        self.old, self.new = old, new
        self.ways_old, self.ways_new = _directions(old), _directions(new)
        self.changes: list[Change] = []

    def add(
        self,
        path: str,
        kind: str,
        direction: Direction = "both",
        *,
        detail: str = "",
        old: object = None,
        new: object = None,
    ) -> None:
        self.changes.append(
            Change(
                self.module,
                path,
                kind,
                classify(kind, direction),
                direction,
                detail,
                None if old is None else str(old),
                None if new is None else str(new),
            )
        )

    def type_direction(self, name: str) -> Direction:
        return _direction(self.ways_old.get(name, set()) | self.ways_new.get(name, set()))

    # -- shared aspects

    def text(
        self, path: str, old: Text | None, new: Text | None, kind: str, detail: str = ""
    ) -> None:
        if _text(old) != _text(new):
            self.add(path, kind, detail=detail)

    def deprecation(
        self, path: str, old: Deprecation | None, new: Deprecation | None, detail: str = ""
    ) -> None:
        if old is None and new is not None:
            self.add(path, "deprecated.added", detail=detail, new=new.replacement)
        elif old is not None and new is None:
            self.add(path, "deprecated.removed", detail=detail, old=old.replacement)
        elif old is not None and new is not None and _deprecation(old) != _deprecation(new):
            self.add(
                path, "deprecated.changed", detail=detail, old=old.replacement,
                new=new.replacement,
            )  # fmt: skip

    def platforms(self, path: str, old: Platforms, new: Platforms, detail: str = "") -> None:
        if old == new:
            return
        for platform in dict.fromkeys([*old.entries, *new.entries]):
            before = _cells(old.entries.get(platform, {}))
            after = _cells(new.entries.get(platform, {}))
            for key in dict.fromkeys([*before, *after]):
                kind = cell_change(before.get(key), after.get(key))
                if kind is not None:
                    cell = f"{platform} {key}"
                    self.add(
                        path, kind, detail=f"{detail} {cell}".strip(), old=before.get(key),
                        new=after.get(key),
                    )  # fmt: skip

    def type_params(self, path: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
        if old != new:
            self.add(path, "type-params.changed", old=", ".join(old), new=", ".join(new))

    def values(
        self,
        path: str,
        old: tuple[LiteralValue, ...],
        new: tuple[LiteralValue, ...],
        direction: Direction,
        *,
        types: tuple[TypeExpr, TypeExpr],
    ) -> None:
        """The type of a field or alias with its literal values: values matter only when the
        base type stays the same."""
        type_old, type_new = types
        kind = type_change(type_old, type_new)
        if kind is not None:
            self.add(path, kind, direction, detail="type", old=type_old, new=type_new)
            return
        if bool(old) != bool(new):  # any value of the type <-> a literal union of it
            kind = "type.narrowed" if new else "type.widened"
            shown = " | ".join(repr(v.value) for v in (new or old))
            self.add(
                path, kind, direction, detail="type", old=type_old if not old else shown,
                new=type_new if not new else shown,
            )  # fmt: skip
            return
        before = {(type(v.value).__name__, v.value): v for v in old}
        after = {(type(v.value).__name__, v.value): v for v in new}
        for key, value in before.items():
            detail = f"value {value.value!r}"
            if key not in after:
                self.add(path, "value.removed", direction, detail=detail, old=repr(value.value))
                continue
            other = after[key]
            self.text(path, value.description, other.description, "description.changed", detail)
            self.platforms(path, value.platforms, other.platforms, detail)
        for key, value in after.items():
            if key not in before:
                self.add(
                    path, "value.added", direction, detail=f"value {value.value!r}",
                    new=repr(value.value),
                )  # fmt: skip

    # -- items

    def field(self, path: str, old: Field, new: Field, direction: Direction) -> None:
        self.values(path, old.values, new.values, direction, types=(old.type, new.type))
        if old.required != new.required:
            kind = "optional.to-required" if new.required else "required.to-optional"
            self.add(path, kind, direction)
        if old.nullable != new.nullable:
            self.add(path, "nullable.added" if new.nullable else "nullable.removed", direction)
        if (old.has_default, old.default) != (new.has_default, new.default):
            self.add(
                path, "default.changed", direction,
                old=repr(old.default) if old.has_default else None,
                new=repr(new.default) if new.has_default else None,
            )  # fmt: skip
        self.text(path, old.description, new.description, "description.changed")
        self.text(path, old.requires, new.requires, "requires.changed")
        if old.docs_only != new.docs_only:
            self.add(path, "docs-only.changed", old=old.docs_only, new=new.docs_only)
        self.deprecation(path, old.deprecated, new.deprecated)
        self.platforms(path, old.platforms, new.platforms)

    def fields(
        self, owner: str, old: Iterable[Field], new: Iterable[Field], direction: Direction
    ) -> None:
        before, after = _keyed(old, lambda f: f.name), _keyed(new, lambda f: f.name)
        for key, f in before.items():
            if key not in after:
                self.add(f"{owner}.{f.name}", "field.removed", direction)
            else:
                self.field(f"{owner}.{f.name}", f, after[key], direction)
        for key, f in after.items():
            if key not in before:
                kind = "field.added-required" if f.required else "field.added-optional"
                self.add(f"{owner}.{f.name}", kind, direction, new=f.type)

    def callable(self, path: str, old: Callable, new: Callable) -> None:
        self.type_params(path, old.type_params, new.type_params)
        before = _keyed(old.params, lambda p: p.name)
        after = _keyed(new.params, lambda p: p.name)
        positions = {key: i for i, key in enumerate(after)}
        for i, (key, p) in enumerate(before.items()):
            where = f"{path}({p.name})"
            if key not in after:
                self.add(where, "param.removed", "given")
                continue
            if positions[key] != i:
                self.add(where, "param.moved", "given", old=i + 1, new=positions[key] + 1)
            self.field(where, p, after[key], "given")
        for key, p in after.items():
            if key not in before:
                kind = "param.added-required" if p.required else "param.added-optional"
                self.add(f"{path}({p.name})", kind, "given", new=p.type)
        returns = type_change(old.returns, new.returns)
        if returns is not None:
            self.add(path, returns, "received", detail="return", old=old.returns, new=new.returns)
        self.deprecation(path, old.deprecated, new.deprecated)
        self.text(path, old.description, new.description, "description.changed")
        if old.tutorial != new.tutorial:
            self.add(path, "tutorial.changed")
        if old.examples != new.examples:
            self.add(path, "examples.changed")
        self.platforms(path, old.platforms, new.platforms)

    def callables(
        self, owner: str, old: Iterable[Callable], new: Iterable[Callable], what: str
    ) -> None:
        prefix = f"{owner}." if owner else ""
        before, after = _keyed(old, lambda c: c.name), _keyed(new, lambda c: c.name)
        for key, c in before.items():
            if key not in after:
                self.add(prefix + c.name, f"{what}.removed")
            else:
                self.callable(prefix + c.name, c, after[key])
        for key, c in after.items():
            if key not in before:
                self.add(prefix + c.name, f"{what}.added")

    def named(self, name: str, old: NamedType, new: NamedType) -> None:
        if old.kind != new.kind:
            self.add(name, "type.kind-changed", old=old.kind, new=new.kind)
            return
        self.platforms(name, old.platforms, new.platforms)
        self.text(name, old.description, new.description, "description.changed")
        direction = self.type_direction(name)
        if isinstance(old, ObjectType) and isinstance(new, ObjectType):
            if old.extends != new.extends:
                self.add(name, "type.base-changed", old=old.extends, new=new.extends)
            self.type_params(name, old.type_params, new.type_params)
            self.fields(name, old.fields, new.fields, direction)
        elif isinstance(old, InterfaceType) and isinstance(new, InterfaceType):
            if old.extends != new.extends:
                self.add(
                    name, "type.base-changed", old=", ".join(old.extends),
                    new=", ".join(new.extends),
                )  # fmt: skip
            self.type_params(name, old.type_params, new.type_params)
            self.fields(name, old.fields, new.fields, "received")
            self.callables(name, old.methods, new.methods, "method")
        elif isinstance(old, ErrorCodesType) and isinstance(new, ErrorCodesType):
            if old.subject != new.subject:
                self.add(name, "subject.changed", old=old.subject, new=new.subject)
            self.codes(name, old, new)
        elif isinstance(old, AliasType) and isinstance(new, AliasType):
            self.type_params(name, old.type_params, new.type_params)
            self.values(name, old.values, new.values, direction, types=(old.type, new.type))

    def codes(self, name: str, old: ErrorCodesType, new: ErrorCodesType) -> None:
        before = {c.code: c for c in old.codes}
        after = {c.code: c for c in new.codes}
        for code, c in before.items():
            detail = f"code {code}"
            if code not in after:
                self.add(name, "code.removed", detail=detail, old=code)
                continue
            other = after[code]
            self.text(name, c.description, other.description, "description.changed", detail)
            if c.errMsg != other.errMsg:
                self.add(name, "errmsg.changed", detail=detail, old=c.errMsg, new=other.errMsg)
        for code in after:
            if code not in before:
                self.add(name, "code.added", detail=f"code {code}", new=code)

    def run(self) -> list[Change]:
        old, new = self.old, self.new
        self.text("", old.title, new.title, "title.changed")
        self.text("", old.description, new.description, "description.changed")
        self.callables("", old.apis, new.apis, "api")
        for name, named in old.types.items():
            if name not in new.types:
                self.add(name, "type.removed", self.type_direction(name))
            else:
                self.named(name, named, new.types[name])
        for name in new.types:
            if name not in old.types:
                self.add(name, "type.added", self.type_direction(name))
        return self.changes


def diff_modules(old: Module | None, new: Module | None) -> list[Change]:
    """Every change from ``old`` to ``new`` (one of them None: the module was added or
    removed, one change)."""
    if old is None and new is None:
        return []
    if old is None or new is None:
        kept = new or old
        assert kept is not None
        kind = "module.added" if old is None else "module.removed"
        return [Change(kept.name, "", kind, classify(kind, "both"), "both")]
    return _Walk(old, new).run()
