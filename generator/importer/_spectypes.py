"""Type expressions of the declarations in the spec's notation (:mod:`generator.spec.typeexpr`),
for :mod:`generator.importer.tospec`: what maps, what is approximated (with a warning), and
:class:`Unmappable` for what has no form yet.

Kept as written: ``string.PageURIString``; a type parameter in scope (``T``); ``Foo<T>`` of a
generic local type and ``Promise<T>``/``Map<K, V>``; a global type
(:data:`generator.spec.typeexpr.GLOBAL_TYPES`); a type another module declares (recorded in
:attr:`Context.used_external`, written to the module's ``external``); ``(a?: T) => R``.  A
literal union on a field, parameter or alias becomes its base type with ``values``
(:func:`literal_values`); elsewhere (inside a function type or a return type) its base type,
silently (the values stay with the declaration that names them).  ``object`` is written
``any`` (it says nothing more)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.exceptions import Diagnostic
from generator.importer.model import Declaration, Provenance, Signature, TypeNode
from generator.spec.typeexpr import GLOBAL_GENERICS, GLOBAL_TYPES

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: Names the spec knows without a declaration (generator.spec.typeexpr.BUILTINS).
_BUILTINS = frozenset(
    {"string", "number", "boolean", "any", "void", "null", "ArrayBuffer", "UTSJSONObject", "Error"}
)
_KEYWORDS = {"string", "number", "boolean", "any", "void", "null"}
LITERAL_BASE = {
    "StringLiteral": "string",
    "NoSubstitutionTemplateLiteral": "string",
    "NumericLiteral": "number",
    "PrefixUnaryExpression": "number",
    "TrueKeyword": "boolean",
    "FalseKeyword": "boolean",
}


@dataclass
class Context:
    """What converting one module needs and finds."""

    file: str
    types: set[str]
    objects: set[str] = field(default_factory=set)
    aliases: dict[str, Declaration] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    type_params: frozenset[str] = frozenset()
    owner: str | None = None
    #: Type names declared by other modules -> the module's spec name.
    external: dict[str, str] = field(default_factory=dict)
    #: The external names this module used.
    used_external: dict[str, str] = field(default_factory=dict)
    #: Local generic types -> how many type parameters.
    generics: dict[str, int] = field(default_factory=dict)
    #: The module's interface declarations by name (their members are inherited).
    interfaces: dict[str, Declaration] = field(default_factory=dict)
    #: Repaired ``@uniPlatform`` blocks of this file, by declaration path.
    overrides: dict[str, Any] = field(default_factory=dict)
    #: The paths whose override was applied, and the lines of the blocks they replaced.
    used_overrides: set[str] = field(default_factory=set)
    covered_lines: set[int] = field(default_factory=set)
    #: Set by tospec: turns a union member's doc into its spec ``platforms`` (or None).
    member_platforms: Any = None

    def warn(self, line: int, column: int, where: str, message: str, check: str) -> None:
        self.warnings.append(Diagnostic(self.file, line, column, where, message, check))

    def warn_at(self, prov: Provenance, where: str, message: str, check: str) -> None:
        self.warn(prov.line, prov.column, where, message, check)

    def skip(self, prov: Provenance, where: str, message: str) -> None:
        """Something left out of the spec."""
        self.warn_at(prov, where, message, "import:skipped")


class Unmappable(Exception):
    """A type the spec notation cannot hold yet; ``node`` says where."""

    def __init__(self, node: TypeNode, why: str) -> None:
        self.node = node
        self.why = why
        super().__init__(why)


def type_text(node: TypeNode, ctx: Context, where: str) -> str:
    """``node`` in the spec's notation; approximations warned about; :class:`Unmappable` for
    what has none."""
    match node.kind:
        case "keyword":
            if node.text in _KEYWORDS:
                return node.text
            if node.text == "undefined":
                return "null"
            if node.text == "object":
                return "any"
            raise Unmappable(node, f"the type {node.text!r} has no spec form")
        case "this":
            if ctx.owner is None:
                raise Unmappable(node, "'this' outside an interface")
            return ctx.owner
        case "parenthesized":
            assert node.element is not None
            return type_text(node.element, ctx, where)
        case "array":
            assert node.element is not None
            return f"Array<{type_text(node.element, ctx, where)}>"
        case "literal":
            base = LITERAL_BASE.get(node.literal_kind or "")
            if base is None:
                return "null" if node.literal_kind == "NullKeyword" else _unmappable_literal(node)
            return base
        case "reference":
            return _reference(node, ctx, where)
        case "union":
            return union_text(node, ctx, where)
        case "function":
            assert node.signature is not None
            return _function(node.signature, ctx, where, node)
    raise Unmappable(node, f"a {node.kind} type ({node.text}) has no spec form yet")


def _unmappable_literal(node: TypeNode) -> str:
    raise Unmappable(node, f"the literal {node.text} has no spec form")


def approx(ctx: Context, node: TypeNode, where: str, message: str) -> None:
    ctx.warn(node.line, node.column, where, message, "import:approximated")


def _reference(node: TypeNode, ctx: Context, where: str) -> str:
    name = node.name or node.text
    if name == "Array" and len(node.arguments) == 1:
        return f"Array<{type_text(node.arguments[0], ctx, where)}>"
    if name.startswith("string.") and IDENTIFIER.fullmatch(name[7:]):
        return name
    if name in ctx.type_params:
        return name
    arity = ctx.generics.get(name) if name in ctx.types else GLOBAL_GENERICS.get(name)
    if node.arguments or arity:
        if arity != len(node.arguments):
            raise Unmappable(node, f"{node.text}: {name} takes {arity or 0} type argument(s)")
        args = ", ".join(type_text(a, ctx, where) for a in node.arguments)
        return f"{name}<{args}>"
    if name in _BUILTINS or name in ctx.types or name in GLOBAL_TYPES:
        return name
    if name in ctx.external:
        ctx.used_external[name] = ctx.external[name]
        return name
    approx(ctx, node, where, f"{name} is not declared in this module; written any")
    return "any"


def union_text(node: TypeNode, ctx: Context, where: str) -> str:
    members = [m.type for m in node.members]
    written = [type_text(m, ctx, where) for m in members]
    out: list[str] = []
    for text in written:
        if text not in out:
            out.append(text)
    if len(out) > 1 and any(" => " in t for t in out):
        raise Unmappable(node, f"a function type inside a union ({node.text}) has no spec form")
    return " | ".join(out)


def _function(signature: Signature, ctx: Context, where: str, node: TypeNode) -> str:
    if signature.type_parameters:
        raise Unmappable(node, "a generic function type has no spec form yet")
    params: list[str] = []
    for p in signature.parameters:
        if p.rest:
            raise Unmappable(node, f"the rest parameter ...{p.name} has no spec form")
        if p.type is None:
            raise Unmappable(node, f"the parameter {p.name} has no type")
        if not IDENTIFIER.fullmatch(p.name):
            raise Unmappable(node, f"the parameter name {p.name!r} is not an identifier")
        mark = "?" if p.optional else ""
        params.append(f"{p.name}{mark}: {field_type(p.type, ctx, where)[0]}")
    returns = "void" if signature.returns is None else type_text(signature.returns, ctx, where)
    if returns in ("void | null", "null | void"):
        returns = "void"  # Rule: null adds nothing to void (``(r: T) => void | null``).
    if " => " in returns or " | " in returns:
        raise Unmappable(node, "a function returning a function or a union has no spec form")
    return f"({', '.join(params)}) => {returns}"


def zh(text: str | None) -> dict[str, str] | None:
    """A description in the spec's form (Chinese only), or None for no text."""
    text = (text or "").strip()
    return {"zh": text} if text else None


def provenance_of(prov: Provenance) -> dict[str, int]:
    """Where an item was declared, as the spec writes it (the file is the module's)."""
    return {"line": prov.line, "column": prov.column}


def literal_values(node: TypeNode, ctx: Context) -> list[dict[str, Any]]:
    """The ``values`` of a literal union (or of one literal) with one base type: each value with
    its member's description and platforms; [] when ``node`` is not one (``null`` members and
    the base keyword itself, ``'a' | 'b' | string``, are allowed beside the literals)."""
    inner = node
    while inner.kind == "parenthesized" and inner.element is not None:
        inner = inner.element
    members = inner.members if inner.kind == "union" else ()
    if inner.kind == "literal":
        return literal_values(
            TypeNode("union", inner.text, inner.line, inner.column, members=(_member(inner),)),
            ctx,
        )
    literals = [m for m in members if m.type.kind == "literal" and not is_null(m.type)]
    bases = {LITERAL_BASE.get(m.type.literal_kind or "") for m in literals}
    if not literals or len(bases) != 1 or None in bases:
        return []
    base = next(iter(bases))
    others = [m for m in members if m not in literals and not is_null(m.type)]
    if any(not (m.type.kind == "keyword" and m.type.text == base) for m in others):
        return []
    out: list[dict[str, Any]] = []
    seen: set[object] = set()
    for m in literals:
        value = m.type.literal_value
        if value is None or not isinstance(value, str | int | float | bool) or value in seen:
            continue
        seen.add(value)
        item: dict[str, Any] = {"value": value}
        text = zh(m.doc.description if m.doc else None)
        if text:
            item["description"] = text
        if ctx.member_platforms is not None and m.doc is not None:
            platforms = ctx.member_platforms(m.doc, f"{ctx.owner or ''}.{value}")
            if platforms:
                item["platforms"] = platforms
        item["provenance"] = provenance_of(m.provenance)
        out.append(item)
    return out


def _member(node: TypeNode) -> Any:
    from generator.importer.model import Source, UnionMember  # noqa: PLC0415

    return UnionMember(node, None, Provenance(Source("", "", ""), node.line, node.column))


def field_type(node: TypeNode, ctx: Context, where: str) -> tuple[str, bool]:
    """A field's or parameter's type and whether it is nullable (``X | null``)."""
    inner = node
    while inner.kind == "parenthesized" and inner.element is not None:
        inner = inner.element
    if inner.kind == "union":
        rest = [m for m in inner.members if not is_null(m.type)]
        if len(rest) < len(inner.members) and rest:
            if len(rest) == 1:
                return type_text(rest[0].type, ctx, where), True
            stripped = TypeNode("union", inner.text, inner.line, inner.column, members=tuple(rest))
            return union_text(stripped, ctx, where), True
    return type_text(node, ctx, where), False


def is_null(node: TypeNode) -> bool:
    return (node.kind == "literal" and node.literal_kind == "NullKeyword") or (
        node.kind == "keyword" and node.text in ("null", "undefined")
    )
