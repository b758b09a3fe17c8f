"""Type expressions of the declarations in the spec's notation (:mod:`generator.spec.typeexpr`),
for :mod:`generator.importer.tospec`: what maps, what is approximated (with a warning), and
:class:`Unmappable` for what has no form yet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.exceptions import Diagnostic
from generator.importer.model import Declaration, Provenance, Signature, TypeNode

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
            approx(ctx, node, where, f"the literal {node.text} is written {base}")
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
    if name.startswith("string."):
        approx(ctx, node, where, f"{name} is written string (string subtypes are not kept yet)")
        return "string"
    if name in ctx.type_params:
        approx(ctx, node, where, f"the type parameter {name} is written any (no generics yet)")
        return "any"
    if node.arguments:
        approx(ctx, node, where, f"{node.text} is written {name} (no generics yet)")
    if name in _BUILTINS or name in ctx.types:
        return name
    approx(ctx, node, where, f"{name} is not declared in this module; written any")
    return "any"


def union_text(node: TypeNode, ctx: Context, where: str) -> str:
    members = [m.type for m in node.members]
    literal_bases = {LITERAL_BASE.get(m.literal_kind or "") for m in members if m.kind == "literal"}
    literals = [m for m in members if m.kind == "literal" and m.literal_kind != "NullKeyword"]
    if literals and len(literal_bases - {None}) == 1 and len(literals) > 1:
        base = next(iter(literal_bases - {None}))
        approx(
            ctx,
            node,
            where,
            f"a union of {len(literals)} literals is written {base} (values not kept yet)",
        )
        written = [str(base)] + [type_text(m, ctx, where) for m in members if m not in literals]
    else:
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
        if p.optional:
            approx(ctx, node, where, f"the optional parameter {p.name}? is written required")
        params.append(f"{p.name}: {field_type(p.type, ctx, where)[0]}")
    returns = "void" if signature.returns is None else type_text(signature.returns, ctx, where)
    if " => " in returns or " | " in returns:
        raise Unmappable(node, "a function returning a function or a union has no spec form")
    return f"({', '.join(params)}) => {returns}"


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
