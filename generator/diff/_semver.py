"""The version bump of the typed package: its own surface compared, version against version.

The surface is what :mod:`generator.stubs` renders (:func:`~generator.stubs.module_view`):
``uniapi.<module>`` modules, their TypedDicts, aliases and Protocols, each key, attribute,
method, parameter and annotation.  A user program calls the API: it builds option dicts, calls
methods, reads results, names types.  So:

- **major**: a module, declaration, key, attribute, method or parameter is removed; a key or a
  parameter becomes required or a required one is added; a parameter is renamed or moved; an
  annotation changes, except a parameter's union that gains members or a return value's that
  loses some; an error-code ``Literal`` loses a code; a declaration changes kind.
- **minor**: something is added that no existing program must use (an optional key or
  parameter, a method, a declaration, a module, a code), a parameter accepts more, or
  ``@deprecated`` is added.
- **patch**: anything else (docstrings, facts the package does not carry: platforms, links).

Adding a method to a Protocol is minor: the package's users call the API; an implementation of
it is checked against the spec by ``utsapi check-surface``, not by these types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from generator.spec import Spec
from generator.stubs import Declaration, MethodView, ModuleView, module_names, module_view

__all__ = ["Bump", "SemverResult", "StubChange", "semver"]

Bump = Literal["major", "minor", "patch"]
_ORDER: dict[Bump, int] = {"patch": 0, "minor": 1, "major": 2}


@dataclass(frozen=True)
class StubChange:
    """One change of the typed package: ``where`` (``uniapi.websocket.SocketTask.send``)."""

    bump: Bump
    where: str
    what: str


@dataclass(frozen=True)
class SemverResult:
    bump: Bump
    changes: tuple[StubChange, ...]


def _unquote(annotation: str) -> str:
    if len(annotation) >= 2 and annotation[0] == annotation[-1] and annotation[0] in "\"'":
        return annotation[1:-1]
    return annotation


def _parts(annotation: str) -> set[str]:
    """The members of a top-level union (``A | B[C | D]`` -> ``{"A", "B[C | D]"}``)."""
    parts: list[str] = []
    depth, start = 0, 0
    text = _unquote(annotation)
    for i, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return set(parts)


_LITERAL = re.compile(r"Literal\[(.*)\]")


class _Compare:
    def __init__(self) -> None:
        self.changes: list[StubChange] = []

    def add(self, bump: Bump, where: str, what: str) -> None:
        self.changes.append(StubChange(bump, where, what))

    def annotation(self, where: str, old: str, new: str, role: str) -> None:
        """``role``: ``given`` (a parameter: widening is minor), ``received`` (a return
        value: narrowing is minor) or ``both`` (keys and attributes: any change is major)."""
        old, new = _unquote(old), _unquote(new)
        if old == new:
            return
        before, after = _parts(old), _parts(new)
        if role == "given" and before < after:
            self.add("minor", where, f"accepts more: {old} -> {new}")
        elif role == "received" and after < before:
            self.add("minor", where, f"returns less: {old} -> {new}")
        else:
            self.add("major", where, f"annotation {old} -> {new}")

    def alias(self, where: str, old: Declaration, new: Declaration) -> None:
        lit_old, lit_new = _LITERAL.fullmatch(old.value), _LITERAL.fullmatch(new.value)
        if lit_old and lit_new:
            before = {v.strip() for v in lit_old.group(1).split(",")}
            after = {v.strip() for v in lit_new.group(1).split(",")}
            for value in sorted(before - after):
                self.add("major", where, f"literal {value} removed")
            for value in sorted(after - before):
                self.add("minor", where, f"literal {value} added")
        else:
            self.annotation(where, old.value, new.value, "both")

    def keys(self, where: str, old: Declaration, new: Declaration) -> None:
        after = {f.name: f for f in new.fields}
        for f in old.fields:
            if f.name not in after:
                self.add("major", f"{where}.{f.name}", "removed")
                continue
            self.annotation(f"{where}.{f.name}", f.annotation, after[f.name].annotation, "both")
        before = {f.name for f in old.fields}
        for f in new.fields:
            if f.name not in before:
                optional = f.annotation.startswith("NotRequired[") or new.kind == "protocol"
                self.add("minor" if optional else "major", f"{where}.{f.name}", "added")

    def method(self, where: str, old: MethodView, new: MethodView) -> None:
        after = {p.name: (i, p) for i, p in enumerate(new.params)}
        for i, p in enumerate(old.params):
            at = f"{where}({p.name})"
            if p.name not in after:
                self.add("major", at, "parameter removed")
                continue
            j, q = after[p.name]
            if i != j:
                self.add("major", at, f"parameter moved from position {i + 1} to {j + 1}")
            if p.default and not q.default:
                self.add("major", at, "parameter now required")
            elif q.default and not p.default:
                self.add("minor", at, "parameter now optional")
            self.annotation(at, p.annotation, q.annotation, "given")
        before = {p.name for p in old.params}
        for p in new.params:
            if p.name not in before:
                required = not p.default
                self.add(
                    "major" if required else "minor",
                    f"{where}({p.name})",
                    "required parameter added" if required else "optional parameter added",
                )
        self.annotation(f"{where}()", old.returns, new.returns, "received")
        if old.decorators != new.decorators:
            self.add("minor" if new.decorators else "patch", where, "@deprecated changed")
        if old.doc != new.doc:
            self.add("patch", where, "docstring changed")

    def protocol(self, where: str, old: Declaration, new: Declaration) -> None:
        self.keys(where, old, new)
        after = {m.name: m for m in new.methods}
        for m in old.methods:
            if m.name not in after:
                self.add("major", f"{where}.{m.name}", "method removed")
            else:
                self.method(f"{where}.{m.name}", m, after[m.name])
        before = {m.name for m in old.methods}
        for m in new.methods:
            if m.name not in before:
                self.add("minor", f"{where}.{m.name}", "method added")

    def module(self, where: str, old: ModuleView, new: ModuleView) -> None:
        after = {d.name: d for d in new.declarations}
        for decl in old.declarations:
            at = f"{where}.{decl.name}"
            other = after.get(decl.name)
            if other is None:
                self.add("major", at, "removed")
            elif other.kind != decl.kind:
                self.add("major", at, f"was a {decl.kind}, now a {other.kind}")
            else:
                if decl.kind == "alias":
                    self.alias(at, decl, other)
                elif decl.kind == "typeddict":
                    self.keys(at, decl, other)
                else:
                    self.protocol(at, decl, other)
                if decl.doc != other.doc:
                    self.add("patch", at, "docstring changed")
        before = {d.name for d in old.declarations}
        for decl in new.declarations:
            if decl.name not in before:
                self.add("minor", f"{where}.{decl.name}", "added")
        if old.doc != new.doc or old.version != new.version:
            self.add("patch", where, "module docstring or version changed")


def _views(spec: Spec) -> dict[str, ModuleView]:
    names = module_names(spec)
    return {names[m.name]: module_view(m, names[m.name]) for m in spec.modules}


def semver(old: Spec, new: Spec) -> SemverResult:
    """The bump the typed package of ``new`` needs over that of ``old``, with its reasons.
    Raises :class:`~generator.stubs.StubsError` when a spec cannot be rendered as Python."""
    before, after = _views(old), _views(new)
    compare = _Compare()
    for name, view in before.items():
        if name not in after:
            compare.add("major", f"uniapi.{name}", "module removed")
        else:
            compare.module(f"uniapi.{name}", view, after[name])
    for name in after:
        if name not in before:
            compare.add("minor", f"uniapi.{name}", "module added")
    bump: Bump = max((c.bump for c in compare.changes), key=_ORDER.__getitem__, default="patch")
    return SemverResult(bump, tuple(compare.changes))
