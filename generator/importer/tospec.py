"""The imported surface as spec modules: one module document per declaration file.  No I/O.

The second layer of ``utsapi import`` (issue 10).  Each
:class:`~generator.importer.model.ModuleFile` becomes the data of one ``modules/<name>.yaml``
of ``spec/schema/module.schema.json``, marked as imported (``provenance``: package, version,
file; ``languages: [zh]``: the declarations' prose is Chinese, English comes later) and with
``provenance`` (line, column) on every item.

What maps (the rest is a warning at the ``.d.ts`` ``file:line:col`` and is left out):

=====================================================  =====================================
declaration                                            spec
=====================================================  =====================================
methods of ``interface Uni``                           ``apis``
an interface with at least one method                  ``interface`` type (its methods)
an interface of properties only, ``type X = { … }``    ``object`` type (``extends`` a local
                                                       object type is kept)
``type XErrorCode = 1 | 2`` (numeric literals)         ``error-codes``: a code per member,
                                                       its description from the member's doc
any other ``type X = …``                               ``alias``
=====================================================  =====================================

Types are written in the spec's notation (:mod:`generator.spec.typeexpr`): ``T[]`` becomes
``Array<T>``, ``X | null`` on a field or parameter becomes ``nullable``, ``this`` the owning
interface.  Approximations, each warned about once where it happens (``import:approximated``):
``string.PageURIString`` is written ``string``; a union of string (number, boolean) literals is
written ``string`` (``number``, ``boolean``): its values are not kept yet; a type parameter
(``T``) and a name this module does not declare (``IUniError``, ``UniError``) are written
``any``; ``Foo<T>`` is written ``Foo``.  Platform cells: ``√``, ``x``, ``-`` as written; a version
without its ``+``/``>=`` mark (every version cell means "since"; DCloud's pages drop the ``+``
too), with its HarmonyOS API level (``5.0.0(11)``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from generator.exceptions import Diagnostic
from generator.importer.merge import merge_interfaces
from generator.importer.model import (
    Declaration,
    Doc,
    Member,
    ModuleFile,
    PlatformTable,
    PlatformValueKind,
    Provenance,
    Signature,
    Surface,
    TypeNode,
    UnionMember,
)

__all__ = ["ModuleSpec", "module_names", "surface_to_specs"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")
_URL = re.compile(r"https?://\S+")
_SPEC_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")

#: Names the spec knows without a declaration (generator.spec.typeexpr.BUILTINS).
_BUILTINS = frozenset(
    {"string", "number", "boolean", "any", "void", "null", "ArrayBuffer", "UTSJSONObject", "Error"}
)
_KEYWORDS = {"string", "number", "boolean", "any", "void", "null"}
_LITERAL_BASE = {
    "StringLiteral": "string",
    "NoSubstitutionTemplateLiteral": "string",
    "NumericLiteral": "number",
    "PrefixUnaryExpression": "number",
    "TrueKeyword": "boolean",
    "FalseKeyword": "boolean",
}

#: Labels of the tutorial links, by tag (the project's words).
_TUTORIAL_LABELS: dict[str, dict[str, str]] = {
    "tutorial": {"zh": "参见uni-app x相关文档", "en": "See the uni-app x docs"},
    "tutorial_uni_app_x": {"zh": "参见uni-app x相关文档", "en": "See the uni-app x docs"},
    "tutorial_uni_app": {"zh": "uni-app 文档", "en": "uni-app docs"},
    "tutorial_weixin": {"zh": "微信小程序文档", "en": "WeChat mini program docs"},
}
_TUTORIAL_LABELS["tutorial-uni-app"] = _TUTORIAL_LABELS["tutorial_uni_app"]  # a stray spelling
_TUTORIAL_LABELS["tutorial_mp_weixin"] = _TUTORIAL_LABELS["tutorial_weixin"]
_FENCE_LANGS = {"uts": "uts", "ts": "ts", "typescript": "ts", "js": "js", "javascript": "js"}
_FENCE_LANGS |= {"vue": "vue"}


@dataclass(frozen=True)
class ModuleSpec:
    """One module's spec document (``data``), the key of the file it comes from, and what could
    not be mapped (``warnings``, each at the ``.d.ts`` ``file:line:col``)."""

    key: str
    name: str
    data: dict[str, Any]
    warnings: tuple[Diagnostic, ...]

    def counts(self) -> dict[str, int]:
        types = self.data["types"].values()
        return {
            "apis": len(self.data["apis"]),
            "methods": sum(len(t.get("methods", ())) for t in types),
            "types": len(self.data["types"]),
            "codes": sum(len(t.get("codes", ())) for t in types),
            "warnings": len(self.warnings),
        }


# --- names -----------------------------------------------------------------------------------


def _bare_name(folder: str) -> str:
    name = folder.removeprefix("uni-")
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return name if _IDENTIFIER.fullmatch(name) else f"m_{name}"


def module_names(surface: Surface) -> dict[str, str]:
    """Module key -> spec module name: the folder without ``uni-`` (``api/uni-websocket`` ->
    ``websocket``, ``-`` becomes ``_``); where two trees hold the same folder, the modules
    outside the api tree get their tree as a prefix (``biz/uni-camera`` -> ``biz_camera``).
    Decided on the whole surface, so ``--module`` does not change a name."""
    bare = {m.source.key: _bare_name(m.source.name) for m in surface.modules}
    taken: dict[str, int] = {}
    for name in bare.values():
        taken[name] = taken.get(name, 0) + 1
    out: dict[str, str] = {}
    for module in surface.modules:
        key = module.source.key
        tree = key.split("/")[0] if "/" in key else ""
        name = bare[key]
        if taken[name] > 1 and tree not in ("api", ""):
            name = f"{tree}_{name}"
        out[key] = name
    return out


# --- one module ------------------------------------------------------------------------------


@dataclass
class _Context:
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


class _Unmappable(Exception):
    """A type the spec notation cannot hold yet; ``node`` says where."""

    def __init__(self, node: TypeNode, why: str) -> None:
        self.node = node
        self.why = why
        super().__init__(why)


def _type(node: TypeNode, ctx: _Context, where: str) -> str:
    """``node`` in the spec's notation; approximations warned about; :class:`_Unmappable` for
    what has none."""
    match node.kind:
        case "keyword":
            if node.text in _KEYWORDS:
                return node.text
            if node.text == "undefined":
                return "null"
            raise _Unmappable(node, f"the type {node.text!r} has no spec form")
        case "this":
            if ctx.owner is None:
                raise _Unmappable(node, "'this' outside an interface")
            return ctx.owner
        case "parenthesized":
            assert node.element is not None
            return _type(node.element, ctx, where)
        case "array":
            assert node.element is not None
            return f"Array<{_type(node.element, ctx, where)}>"
        case "literal":
            base = _LITERAL_BASE.get(node.literal_kind or "")
            if base is None:
                return "null" if node.literal_kind == "NullKeyword" else _unmappable_literal(node)
            _approx(ctx, node, where, f"the literal {node.text} is written {base}")
            return base
        case "reference":
            return _reference(node, ctx, where)
        case "union":
            return _union(node, ctx, where)
        case "function":
            assert node.signature is not None
            return _function(node.signature, ctx, where, node)
    raise _Unmappable(node, f"a {node.kind} type ({node.text}) has no spec form yet")


def _unmappable_literal(node: TypeNode) -> str:
    raise _Unmappable(node, f"the literal {node.text} has no spec form")


def _approx(ctx: _Context, node: TypeNode, where: str, message: str) -> None:
    ctx.warn(node.line, node.column, where, message, "import:approximated")


def _reference(node: TypeNode, ctx: _Context, where: str) -> str:
    name = node.name or node.text
    if name == "Array" and len(node.arguments) == 1:
        return f"Array<{_type(node.arguments[0], ctx, where)}>"
    if name.startswith("string."):
        _approx(ctx, node, where, f"{name} is written string (string subtypes are not kept yet)")
        return "string"
    if name in ctx.type_params:
        _approx(ctx, node, where, f"the type parameter {name} is written any (no generics yet)")
        return "any"
    if node.arguments:
        _approx(ctx, node, where, f"{node.text} is written {name} (no generics yet)")
    if name in _BUILTINS or name in ctx.types:
        return name
    _approx(ctx, node, where, f"{name} is not declared in this module; written any")
    return "any"


def _union(node: TypeNode, ctx: _Context, where: str) -> str:
    members = [m.type for m in node.members]
    literal_bases = {
        _LITERAL_BASE.get(m.literal_kind or "") for m in members if m.kind == "literal"
    }
    literals = [m for m in members if m.kind == "literal" and m.literal_kind != "NullKeyword"]
    if literals and len(literal_bases - {None}) == 1 and len(literals) > 1:
        base = next(iter(literal_bases - {None}))
        _approx(
            ctx,
            node,
            where,
            f"a union of {len(literals)} literals is written {base} (values not kept yet)",
        )
        written = [str(base)] + [_type(m, ctx, where) for m in members if m not in literals]
    else:
        written = [_type(m, ctx, where) for m in members]
    out: list[str] = []
    for text in written:
        if text not in out:
            out.append(text)
    if len(out) > 1 and any(" => " in t for t in out):
        raise _Unmappable(node, f"a function type inside a union ({node.text}) has no spec form")
    return " | ".join(out)


def _function(signature: Signature, ctx: _Context, where: str, node: TypeNode) -> str:
    if signature.type_parameters:
        raise _Unmappable(node, "a generic function type has no spec form yet")
    params: list[str] = []
    for p in signature.parameters:
        if p.rest:
            raise _Unmappable(node, f"the rest parameter ...{p.name} has no spec form")
        if p.type is None:
            raise _Unmappable(node, f"the parameter {p.name} has no type")
        if not _IDENTIFIER.fullmatch(p.name):
            raise _Unmappable(node, f"the parameter name {p.name!r} is not an identifier")
        if p.optional:
            _approx(ctx, node, where, f"the optional parameter {p.name}? is written required")
        params.append(f"{p.name}: {_field_type(p.type, ctx, where)[0]}")
    returns = "void" if signature.returns is None else _type(signature.returns, ctx, where)
    if " => " in returns or " | " in returns:
        raise _Unmappable(node, "a function returning a function or a union has no spec form")
    return f"({', '.join(params)}) => {returns}"


def _field_type(node: TypeNode, ctx: _Context, where: str) -> tuple[str, bool]:
    """A field's or parameter's type and whether it is nullable (``X | null``)."""
    inner = node
    while inner.kind == "parenthesized" and inner.element is not None:
        inner = inner.element
    if inner.kind == "union":
        rest = [m for m in inner.members if not _is_null(m.type)]
        if len(rest) < len(inner.members) and rest:
            if len(rest) == 1:
                return _type(rest[0].type, ctx, where), True
            stripped = TypeNode("union", inner.text, inner.line, inner.column, members=tuple(rest))
            return _union(stripped, ctx, where), True
    return _type(node, ctx, where), False


def _is_null(node: TypeNode) -> bool:
    return (node.kind == "literal" and node.literal_kind == "NullKeyword") or (
        node.kind == "keyword" and node.text in ("null", "undefined")
    )


# --- docs ------------------------------------------------------------------------------------


def _zh(text: str | None) -> dict[str, str] | None:
    text = (text or "").strip()
    return {"zh": text} if text else None


def _provenance(prov: Provenance) -> dict[str, int]:
    return {"line": prov.line, "column": prov.column}


@cache
def _schema_platforms() -> dict[str, Any]:
    """group -> (platform -> allowed keys) or allowed keys (``web``, ``quickapp``), read from
    the module schema: the one owner of what a platform block may hold."""
    from generator.spec.validate import schema_for  # noqa: PLC0415

    validator = schema_for("modules")
    assert validator is not None
    schema: Mapping[str, Any] = validator.schema  # type: ignore[assignment]
    defs = schema["$defs"]

    def keys(ref: Mapping[str, Any]) -> frozenset[str]:
        target = defs[ref["$ref"].rsplit("/", 1)[1]]
        return frozenset(target["properties"])

    out: dict[str, Any] = {}
    for group, body in defs["platforms"]["properties"].items():
        if "$ref" in body:
            out[group] = keys(body)
        else:
            out[group] = {name: keys(ref) for name, ref in body["properties"].items()}
    return out


def _cell(kind: PlatformValueKind, version: str | None, detail: str | None) -> str | None:
    match kind:
        case PlatformValueKind.SUPPORTED:
            return "√"
        case PlatformValueKind.UNSUPPORTED:
            return "x"
        case PlatformValueKind.UNSPECIFIED:
            return "-"
        case PlatformValueKind.VERSION if version and _VERSION.fullmatch(version):
            return f"{version}({detail})" if detail and detail.isdigit() else version
    return None


def _platforms(table: PlatformTable, ctx: _Context, where: str) -> dict[str, Any]:
    known = _schema_platforms()
    out: dict[str, Any] = {}
    for entry in table.entries:
        allowed = known.get(entry.group)
        if isinstance(allowed, dict):
            allowed = allowed.get(entry.platform or "")
        if allowed is None:
            ctx.warn_at(
                table.provenance,
                where,
                f"platform {entry.id} is not in the schema",
                "import:platform",
            )
            continue
        cells: dict[str, str] = {}
        for key, value in entry.values.items():
            cell = _cell(value.kind, value.version, value.detail)
            if key not in allowed or cell is None:
                ctx.warn_at(
                    table.provenance,
                    where,
                    f"{entry.id}.{key} = {value.raw!r} has no spec form",
                    "import:platform",
                )
                continue
            cells[key] = cell
        if not cells:
            continue
        if entry.platform is None:
            out[entry.group] = cells
        else:
            out.setdefault(entry.group, {})[entry.platform] = cells
    return out


def _documented(item: dict[str, Any], doc: Doc | None, ctx: _Context, where: str) -> None:
    """Description, platforms, tutorials and examples of ``doc`` into ``item``."""
    if doc is None:
        return
    text = _zh(doc.description)
    if text:
        item["description"] = text
    if doc.platforms is not None:
        platforms = _platforms(doc.platforms, ctx, where)
        if platforms:
            item["platforms"] = platforms


def _links(doc: Doc | None, ctx: _Context, where: str) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    for tutorial in doc.tutorials if doc else ():
        label = _TUTORIAL_LABELS.get(tutorial.kind)
        if label is None or not _URL.fullmatch(tutorial.url):
            assert doc is not None
            ctx.warn_at(
                doc.provenance,
                where,
                f"@{tutorial.kind} {tutorial.url!r} not mapped",
                "import:skipped",
            )
            continue
        links.append({"label": dict(label), "url": tutorial.url})
    return links


def _examples(doc: Doc | None) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for text in doc.examples if doc else ():
        lines = text.strip("\n").splitlines()
        lang = "uts"
        if lines and lines[0].strip().startswith("```"):
            lang = _FENCE_LANGS.get(lines[0].strip()[3:].strip().lower(), "uts")
            lines = lines[1:]
            if lines and lines[-1].strip().startswith("```"):
                lines = lines[:-1]
        code = "\n".join(lines).strip("\n")
        if code.strip():
            out.append({"lang": lang, "code": code + "\n"})
    return out


def _default(text: str) -> object:
    text = text.strip()
    if text in ("null", "undefined"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text.strip("'") if len(text) > 1 and text[0] == text[-1] == "'" else text
    return value if isinstance(value, str | int | float | bool) else text


# --- items -----------------------------------------------------------------------------------


def _field(
    name: str | None,
    optional: bool,
    node: TypeNode | None,
    *,
    doc: Doc | None,
    prov: Provenance,
    ctx: _Context,
    where: str,
) -> dict[str, Any] | None:
    if name is None or not _IDENTIFIER.fullmatch(name):
        ctx.skip(prov, where, f"the name {name!r} is not an identifier; skipped")
        return None
    if node is None:
        ctx.skip(prov, where, f"{name} has no type; skipped")
        return None
    try:
        written, nullable = _field_type(node, ctx, where)
    except _Unmappable as error:
        ctx.warn(
            error.node.line,
            error.node.column,
            where,
            f"{error.why}; {name} skipped",
            "import:skipped",
        )
        return None
    item: dict[str, Any] = {"name": name, "type": written}
    if not optional:
        item["required"] = True
    if nullable:
        item["nullable"] = True
    if doc is not None and doc.default_value is not None and optional:
        value = _default(doc.default_value)
        if value is None and not nullable:
            ctx.skip(
                doc.provenance, where, "default null on a field that is not nullable; not kept"
            )
        else:
            item["default"] = value
    _documented(item, doc, ctx, where)
    item["provenance"] = _provenance(prov)
    return item


def _callable(member: Member, ctx: _Context, where: str) -> dict[str, Any] | None:
    signature = member.signature
    assert signature is not None and member.name is not None
    if not _IDENTIFIER.fullmatch(member.name):
        ctx.skip(member.provenance, where, "the name is not an identifier; skipped")
        return None
    ctx.type_params = frozenset(p.name for p in signature.type_parameters)
    if ctx.type_params:
        ctx.warn_at(
            member.provenance,
            where,
            f"type parameters <{', '.join(sorted(ctx.type_params))}> not kept (no generics yet)",
            "import:approximated",
        )
    try:
        params: list[dict[str, Any]] = []
        for p in signature.parameters:
            if p.rest:
                raise _Unmappable(
                    p.type or TypeNode("other", p.name, p.provenance.line, p.provenance.column),
                    f"the rest parameter ...{p.name} has no spec form",
                )
            param = _field(
                p.name,
                p.optional,
                p.type,
                doc=None,
                prov=p.provenance,
                ctx=ctx,
                where=f"{where}({p.name})",
            )
            if param is None:
                return None
            params.append(param)
        returns = "void" if signature.returns is None else _type(signature.returns, ctx, where)
    except _Unmappable as error:
        ctx.warn(
            error.node.line, error.node.column, where, f"{error.why}; skipped", "import:skipped"
        )
        return None
    finally:
        ctx.type_params = frozenset()
    item: dict[str, Any] = {"name": member.name}
    doc = member.doc
    _documented(item, doc, ctx, where)
    item["params"] = params
    item["returns"] = returns
    if doc is not None and doc.deprecated is not None:
        ctx.warn_at(
            member.provenance,
            where,
            "@deprecated not kept (the spec needs the replacement's name)",
            "import:skipped",
        )
    links = _links(doc, ctx, where)
    if links:
        item["tutorial"] = links
    examples = _examples(doc)
    if examples:
        item["examples"] = examples
    item["provenance"] = _provenance(member.provenance)
    return item


def _callables(
    members: Iterable[Member], ctx: _Context, owner: str, *, apis: bool
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for member in members:
        m = _as_method(member, ctx) if apis and member.kind == "property" else member
        where = f"{owner}.{m.name}"
        if apis and m.name and (m.name.startswith("__") or (m.doc is not None and m.doc.internal)):
            ctx.warn_at(m.provenance, where, "internal; not an API of the spec", "import:internal")
            continue
        if m.kind != "method" or m.signature is None:
            ctx.skip(m.provenance, where, f"a {m.kind} member is not mapped yet; skipped")
            continue
        if m.name in seen:
            ctx.skip(m.provenance, where, "a second declaration (overload); skipped")
            continue
        item = _callable(m, ctx, where)
        if item is not None:
            seen.add(m.name or "")
            out.append(item)
    return out


def _as_method(m: Member, ctx: _Context) -> Member:
    """A ``uni`` property of a function type (``createWorker: CreateWorker``, with
    ``type CreateWorker = (url: string) => Worker`` in the module) as the method it is."""
    node = m.type
    if node is not None and node.kind == "reference" and node.name in ctx.aliases:
        node = ctx.aliases[node.name].type
    while node is not None and node.kind == "parenthesized":
        node = node.element
    if node is None or node.kind != "function" or node.signature is None:
        return m
    return dataclasses.replace(m, kind="method", type=None, signature=node.signature)


def _fields(members: Iterable[Member], ctx: _Context, owner: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for m in members:
        where = f"{owner}.{m.name}"
        if m.kind != "property":
            ctx.skip(
                m.provenance, where, f"a {m.kind} member of an object type is not mapped; skipped"
            )
            continue
        if m.name in seen:
            ctx.skip(m.provenance, where, "a second declaration; skipped")
            continue
        item = _field(
            m.name, m.optional, m.type, doc=m.doc, prov=m.provenance, ctx=ctx, where=where
        )
        if item is not None:
            seen.add(item["name"])
            out.append(item)
    return out


def _error_codes(d: Declaration, ctx: _Context) -> dict[str, Any] | None:
    """``type XErrorCode = 1 | 2``: None when it is not a union of numeric literals."""
    node = d.type
    assert node is not None and d.name is not None
    if node.kind == "literal":
        members: tuple[UnionMember, ...] = (UnionMember(node, None, d.provenance),)
    else:
        members = node.members if node.kind == "union" else ()
    if not members or any(m.type.literal_kind != "NumericLiteral" for m in members):
        return None
    codes: list[dict[str, Any]] = []
    seen: set[object] = set()
    for m in members:
        code = m.type.literal_value
        where = f"{d.name}.{m.type.text}"
        if not isinstance(code, int) or code in seen:
            ctx.skip(m.provenance, where, "not a new integer code; skipped")
            continue
        seen.add(code)
        item: dict[str, Any] = {"code": code}
        description = _zh(m.doc.description if m.doc else None)
        if description is not None:
            item["description"] = description
        item["provenance"] = _provenance(m.provenance)
        codes.append(item)
    if not codes:
        return None
    out: dict[str, Any] = {"kind": "error-codes"}
    _type_doc(out, d, ctx)
    out["codes"] = codes
    out["provenance"] = _provenance(d.provenance)
    return out


def _named(d: Declaration, ctx: _Context) -> dict[str, Any] | None:
    """The named type of a declaration, or None (a warning says why)."""
    assert d.name is not None
    ctx.owner = d.name
    where = d.name
    if d.type_parameters:
        ctx.warn_at(
            d.provenance,
            where,
            "type parameters are not kept (no generics yet)",
            "import:approximated",
        )
    ctx.type_params = frozenset(p.name for p in d.type_parameters)
    try:
        if d.kind == "interface":
            if any(m.kind == "method" for m in d.members):
                others = [m for m in d.members if m.kind != "method"]
                for m in others:
                    ctx.skip(
                        m.provenance,
                        f"{where}.{m.name}",
                        f"a {m.kind} of an interface with methods is not mapped yet; skipped",
                    )
                methods = _callables(
                    [m for m in d.members if m.kind == "method"], ctx, d.name, apis=False
                )
                if not methods:
                    ctx.skip(d.provenance, where, "no method could be mapped; skipped")
                    return None
                item: dict[str, Any] = {"kind": "interface"}
                _type_doc(item, d, ctx)
                item["methods"] = methods
                _heritage(d, ctx, item, keep=False)
            else:
                item = {"kind": "object"}
                _type_doc(item, d, ctx)
                _heritage(d, ctx, item, keep=True)
                item["fields"] = _fields(d.members, ctx, d.name)
        else:
            node = d.type
            assert node is not None
            if node.kind == "object":
                item = {"kind": "object"}
                _type_doc(item, d, ctx)
                item["fields"] = _fields(node.fields, ctx, d.name)
            else:
                codes = _error_codes(d, ctx) if d.name.endswith("ErrorCode") else None
                if codes is not None:
                    item = codes
                else:
                    try:
                        written = _type(node, ctx, where)
                    except _Unmappable as error:
                        ctx.warn(
                            error.node.line,
                            error.node.column,
                            where,
                            f"{error.why}; skipped",
                            "import:skipped",
                        )
                        return None
                    item = {"kind": "alias", "type": written}
                    text = _zh(d.doc.description if d.doc else None)
                    if text:
                        item["description"] = text
    finally:
        ctx.owner = None
        ctx.type_params = frozenset()
    item["provenance"] = _provenance(d.provenance)
    return item


def _type_doc(item: dict[str, Any], d: Declaration, ctx: _Context) -> None:
    """A named type's description; the schema gives types no platforms, so a ``@uniPlatform``
    on one is reported, not kept."""
    _documented(item, d.doc, ctx, d.name or "")
    if item.pop("platforms", None) is not None and d.doc is not None:
        ctx.skip(
            d.doc.provenance, d.name or "", "@uniPlatform of a type is not kept (the spec has none)"
        )


def _heritage(d: Declaration, ctx: _Context, item: dict[str, Any], *, keep: bool) -> None:
    for h in d.heritage:
        local = keep and "extends" not in item and h.name in ctx.objects and not h.arguments
        if local:
            item["extends"] = h.name
        else:
            ctx.skip(d.provenance, d.name or "", f"{h.token} {h.text} is not kept")


def _candidates(declarations: Sequence[Declaration], ctx: _Context) -> list[Declaration]:
    """The declarations that may become named types (first of each name), warning about the
    others."""
    out: list[Declaration] = []
    seen: set[str] = set()
    for d in declarations:
        where = d.name or d.kind
        if d.kind in ("import", "export") or (d.kind == "interface" and d.name == "Uni"):
            continue
        if d.kind not in ("interface", "type") or d.name is None:
            ctx.skip(d.provenance, where, f"a {d.kind} declaration is not mapped yet; skipped")
            continue
        if not _TYPE_NAME.fullmatch(d.name):
            ctx.skip(
                d.provenance, where, "a type name the spec cannot hold (not capitalised); skipped"
            )
            continue
        if d.name in seen:
            ctx.skip(d.provenance, where, "a second declaration of this name; skipped")
            continue
        seen.add(d.name)
        out.append(d)
    return out


def _is_object(d: Declaration) -> bool:
    if d.kind == "interface":
        return not any(m.kind == "method" for m in d.members)
    return d.type is not None and d.type.kind == "object"


def module_to_spec(
    module: ModuleFile,
    name: str,
    *,
    package: str,
    version: str,
    found: Iterable[Diagnostic] = (),
) -> ModuleSpec:
    """The spec document of one module file; ``found``: the surface's warnings about this file
    (unreadable ``@uniPlatform`` blocks…), listed with the module's own."""
    file = module.source.relpath
    ctx = _Context(file, set())
    declarations = merge_interfaces(module.declarations)
    candidates = _candidates(declarations, ctx)
    first_warnings = list(ctx.warnings)
    names = {d.name for d in candidates if d.name}
    objects = {d.name for d in candidates if d.name and _is_object(d)}
    aliases = {d.name: d for d in candidates if d.name and d.kind == "type"}
    while True:
        ctx = _Context(
            file,
            set(names),
            objects=set(objects),
            aliases=aliases,
            warnings=list(first_warnings),
        )
        types: dict[str, Any] = {}
        for d in candidates:
            assert d.name is not None
            if d.name in names:
                named = _named(d, ctx)
                if named is not None:
                    types[d.name] = named
        found_objects = {n for n, t in types.items() if t["kind"] == "object"}
        if set(types) == names and found_objects == objects:
            break
        # A type left out: references to it are written any, and extends of it dropped.
        names, objects = set(types), found_objects
    uni = [m for d in declarations if d.kind == "interface" and d.name == "Uni" for m in d.members]
    apis = _callables(uni, ctx, "Uni", apis=True)
    title = module.source.name
    data: dict[str, Any] = {
        "format": 1,
        "module": name,
        "version": version if _SPEC_VERSION.fullmatch(version) else "0.0.0",
        "title": {"zh": title},
        "description": {"zh": title},
        "languages": ["zh"],
        "provenance": {"package": package, "version": version, "file": file},
        "apis": apis,
        "types": types,
    }
    return ModuleSpec(module.source.key, name, data, tuple(sorted({*ctx.warnings, *found})))


def surface_to_specs(surface: Surface, keys: Sequence[str] = ()) -> list[ModuleSpec]:
    """The spec of every module of ``surface`` (or of those keyed ``keys``), in surface order."""
    names = module_names(surface)
    return [
        module_to_spec(
            m,
            names[m.source.key],
            package=surface.package,
            version=surface.version,
            found=[w for w in surface.warnings if w.file == m.source.relpath],
        )
        for m in surface.modules
        if not keys or m.source.key in keys
    ]
