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
an interface with at least one method                  ``interface`` type (its methods and
                                                       properties)
an interface of properties only, ``type X = { … }``    ``object`` type (``extends`` a local
                                                       object type is kept)
``type XErrorCode = 1 | 2`` (numeric literals)         ``error-codes``: a code per member,
                                                       its description from the member's doc
                                                       (else a ``- 1 text`` line of the
                                                       alias's doc)
any other ``type X = …``                               ``alias``
=====================================================  =====================================

Types are written in the spec's notation (:mod:`generator.spec.typeexpr`): ``T[]`` becomes
``Array<T>``, ``X | null`` on a field or parameter becomes ``nullable``, ``this`` the owning
interface; ``string.PageURIString``, type parameters, ``Foo<T>``, global types and other
modules' types (``external``) are kept as written; a literal union on a field or alias becomes
its base type with ``values``.  What is dropped silently, by rule, and what is still warned
about is listed in ``generator/importer/README.md``; ``@uniPlatform`` blocks can be replaced by
an overrides file (:func:`generator.importer.platforms.load_overrides`).  Platform cells:
``√``, ``x``, ``-`` as written; a version without its ``+``/``>=`` mark (every version cell
means "since"; DCloud's pages drop the ``+`` too), with its HarmonyOS API level
(``5.0.0(11)``).

Type expressions are :mod:`._spectypes`' job, JSDoc facts :mod:`._specdocs`'; this module (a
little over 500 lines) is the mapping of declarations, one small function per kind of item.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.exceptions import Diagnostic
from generator.importer._specdocs import (
    default_value,
    documented,
    example_items,
    tutorial_links,
)
from generator.importer._spectypes import (
    IDENTIFIER,
    Context,
    Unmappable,
    field_type,
    literal_values,
    provenance_of,
    type_text,
    zh,
)
from generator.importer.merge import merge_interfaces
from generator.importer.model import (
    Declaration,
    Doc,
    Heritage,
    Member,
    ModuleFile,
    Provenance,
    Surface,
    TypeNode,
    UnionMember,
)
from generator.importer.platforms import PlatformOverride
from generator.spec.typeexpr import GLOBAL_TYPES

__all__ = ["ModuleSpec", "module_names", "surface_to_specs"]

_TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")
#: Rule: names the spec's notation cannot hold, dropped silently (README, "Dropped by rule"):
#: the ``$`` event-bus API (``uni.$on``, ``$off``, ``$once``, ``$emit`` and their ``$On…``
#: types) and CSS media-feature keys (``min-width``…).
_DROPPED_NAME = re.compile(r"\$[A-Za-z0-9_]*|[a-z]+(-[a-z]+)+")
#: Rule: lower-case type aliases (``initAndroidScanner``, ``getAndroidScanner``) are function
#: hooks of a platform, not types of the surface; dropped silently.
_LOWER_FUNCTION = re.compile(r"[a-z][A-Za-z0-9_]*")
_SPEC_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


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
    return name if IDENTIFIER.fullmatch(name) else f"m_{name}"


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


# --- items -----------------------------------------------------------------------------------


def _field(
    name: str | None,
    optional: bool,
    node: TypeNode | None,
    *,
    doc: Doc | None,
    prov: Provenance,
    ctx: Context,
    where: str,
) -> dict[str, Any] | None:
    if name is not None and _DROPPED_NAME.fullmatch(name):
        return None  # Rule: see _DROPPED_NAME.
    if name is None or not IDENTIFIER.fullmatch(name):
        ctx.skip(prov, where, f"the name {name!r} is not an identifier; skipped")
        return None
    if node is None:
        ctx.skip(prov, where, f"{name} has no type; skipped")
        return None
    try:
        written, nullable = field_type(node, ctx, where)
    except Unmappable as error:
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
        value = default_value(doc.default_value)
        # Rule: ``@defaultValue null`` on an optional field not declared ``| null`` says what
        # an absent field means; the spec's optional field says it already.  Dropped.
        if value is not None or nullable:
            item["default"] = value
    if doc is not None and doc.default_value is not None and doc.default_value.strip():
        # as written, for the docs that show it so (on a required field too)
        item["default_text"] = " ".join(doc.default_value.split())
    documented(item, doc, ctx, where)
    values = _values(node, written, ctx, where)
    if values:
        item["values"] = values
    deprecation = _deprecation(doc)
    if deprecation is not None:
        item["deprecated"] = deprecation
    item["provenance"] = provenance_of(prov)
    return item


def _values(node: TypeNode, written: str, ctx: Context, where: str) -> list[dict[str, Any]]:
    """The literal values of a field's or alias's type written as its base type."""
    if written not in ("string", "number", "boolean"):
        return []
    values = literal_values(node, ctx)
    if not values and _has_literal(node):
        ctx.warn(
            node.line,
            node.column,
            where,
            f"the literals of {node.text} are not kept (no single base type)",
            "import:approximated",
        )
    return values


def _has_literal(node: TypeNode) -> bool:
    while node.kind == "parenthesized" and node.element is not None:
        node = node.element
    members = [m.type for m in node.members] if node.kind == "union" else [node]
    return any(m.kind == "literal" and m.literal_kind != "NullKeyword" for m in members)


def _deprecation(doc: Doc | None) -> dict[str, Any] | None:
    """``@deprecated`` (with or without text): the declarations name no replacement in a form
    the spec can check, so none is given; the text is kept."""
    if doc is None or doc.deprecated is None:
        return None
    text = zh(doc.deprecated)
    return {"text": text} if text else {}


def _callable(member: Member, ctx: Context, where: str) -> dict[str, Any] | None:
    signature = member.signature
    assert signature is not None and member.name is not None
    if _DROPPED_NAME.fullmatch(member.name):
        return None  # Rule: see _DROPPED_NAME.
    if not IDENTIFIER.fullmatch(member.name):
        ctx.skip(member.provenance, where, "the name is not an identifier; skipped")
        return None
    outer = ctx.type_params
    own = [p.name for p in signature.type_parameters]
    ctx.type_params = outer | frozenset(own)
    try:
        params: list[dict[str, Any]] = []
        for p in signature.parameters:
            if p.rest:
                raise Unmappable(
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
        returns = "void" if signature.returns is None else type_text(signature.returns, ctx, where)
    except Unmappable as error:
        ctx.warn(
            error.node.line, error.node.column, where, f"{error.why}; skipped", "import:skipped"
        )
        return None
    finally:
        ctx.type_params = outer
    item: dict[str, Any] = {"name": member.name}
    doc = member.doc
    documented(item, doc, ctx, where)
    item["params"] = params
    item["returns"] = returns
    deprecation = _deprecation(doc)
    if deprecation is not None:
        item["deprecated"] = deprecation
    links = tutorial_links(doc, ctx, where)
    if links:
        item["tutorial"] = links
    examples = example_items(doc)
    if examples:
        item["examples"] = examples
    if own:
        item["typeParams"] = own
    item["provenance"] = provenance_of(member.provenance)
    return item


def _callables(
    members: Iterable[Member], ctx: Context, owner: str, *, apis: bool
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for member in members:
        m = _as_method(member, ctx) if apis and member.kind == "property" else member
        where = f"{owner}.{m.name}"
        if apis and m.name and (m.name.startswith("__") or (m.doc is not None and m.doc.internal)):
            continue  # Rule: internal APIs (``__`` prefix, ``@internal``) are not the surface.
        if m.kind != "method" or m.signature is None:
            ctx.skip(m.provenance, where, f"a {m.kind} member is not mapped yet; skipped")
            continue
        if m.name in seen:
            continue  # Rule: of overloads, the first declaration is kept.
        item = _callable(m, ctx, where)
        if item is not None:
            seen.add(m.name or "")
            out.append(item)
    return out


def _as_method(m: Member, ctx: Context) -> Member:
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


def _fields(members: Iterable[Member], ctx: Context, owner: str) -> list[dict[str, Any]]:
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


_LISTED_CODE = re.compile(r"^\s*-\s*(-?[0-9]+)\s*[:：]?\s*(\S.*)$", re.M)


def _listed_codes(text: str) -> dict[int, str]:
    """Codes described in the alias's own doc, one per line: ``- 600009 URL格式不合法``."""
    return {int(m[1]): m[2].strip() for m in _LISTED_CODE.finditer(text)}


def _error_codes(d: Declaration, ctx: Context) -> dict[str, Any] | None:
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
    listed = _listed_codes(d.doc.description if d.doc else "")
    for m in members:
        code = m.type.literal_value
        where = f"{d.name}.{m.type.text}"
        if not isinstance(code, int) or code in seen:
            ctx.skip(m.provenance, where, "not a new integer code; skipped")
            continue
        seen.add(code)
        item: dict[str, Any] = {"code": code}
        description = zh(m.doc.description if m.doc else listed.get(code))
        if description is not None:
            item["description"] = description
        if m.doc is not None:
            # the code's own compatibility: DCloud's code tables (2026-04) have a cell per code
            scratch: dict[str, Any] = {}
            documented(scratch, m.doc, ctx, where)
            if "platforms" in scratch:
                item["platforms"] = scratch["platforms"]
            deprecation = _deprecation(m.doc)
            if deprecation is not None:
                item["deprecated"] = deprecation
        item["provenance"] = provenance_of(m.provenance)
        codes.append(item)
    if not codes:
        return None
    out: dict[str, Any] = {"kind": "error-codes"}
    _type_doc(out, d, ctx)
    out["codes"] = codes
    out["provenance"] = provenance_of(d.provenance)
    return out


def _named(d: Declaration, ctx: Context) -> dict[str, Any] | None:
    """The named type of a declaration, or None (a warning says why)."""
    assert d.name is not None
    ctx.owner = d.name
    where = d.name
    ctx.type_params = frozenset(p.name for p in d.type_parameters)
    try:
        item: dict[str, Any]
        if d.kind == "class":
            item = {"kind": "object"}
            _type_doc(item, d, ctx)
            _heritage(d, ctx, item, keep=True)
            item["class"] = True
            item["fields"] = _fields([m for m in d.members if m.kind != "constructor"], ctx, d.name)
        elif d.kind == "interface" or _is_method_literal(d):
            members = _with_inherited(d, ctx)
            if any(m.kind == "method" for m in members):
                methods = _callables(
                    [m for m in members if m.kind == "method"], ctx, d.name, apis=False
                )
                if not methods:
                    ctx.skip(d.provenance, where, "no method could be mapped; skipped")
                    return None
                item = {"kind": "interface"}
                _type_doc(item, d, ctx)
                item["methods"] = methods
                fields = _fields([m for m in members if m.kind != "method"], ctx, d.name)
                if fields:
                    item["fields"] = fields
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
                        written = type_text(node, ctx, where)
                    except Unmappable as error:
                        ctx.warn(
                            error.node.line,
                            error.node.column,
                            where,
                            f"{error.why}; skipped",
                            "import:skipped",
                        )
                        return None
                    item = {"kind": "alias", "type": written}
                    text = zh(d.doc.description if d.doc else None)
                    if text:
                        item["description"] = text
                    _type_platforms(item, d, ctx)
                    values = _values(node, written, ctx, where)
                    if values:
                        item["values"] = values
    finally:
        ctx.owner = None
        ctx.type_params = frozenset()
    if d.type_parameters:
        item["typeParams"] = [p.name for p in d.type_parameters]
    item["provenance"] = provenance_of(d.provenance)
    return item


def _type_doc(item: dict[str, Any], d: Declaration, ctx: Context) -> None:
    """A named type's description and platforms (its ``@uniPlatform``: the compatibility of its
    table)."""
    documented(item, d.doc, ctx, d.name or "")


def _type_platforms(item: dict[str, Any], d: Declaration, ctx: Context) -> None:
    scratch: dict[str, Any] = {}
    documented(scratch, d.doc, ctx, d.name or "")
    if "platforms" in scratch:
        item["platforms"] = scratch["platforms"]


def _base(h: Heritage, ctx: Context) -> str | None:
    """The name of a heritage clause the spec can keep: a type of this module, a global one
    or one another module declares; None for any other."""
    if h.name in ctx.types or h.name in GLOBAL_TYPES:
        return h.name
    if h.name in ctx.external:
        ctx.used_external[h.name] = ctx.external[h.name]
        return h.name
    return None


def _heritage(d: Declaration, ctx: Context, item: dict[str, Any], *, keep: bool) -> None:
    """``extends``: an object type keeps its first base (a type of this module, or an
    external or global type); an interface keeps every base.  Rules, silent: ``extends Uni``
    (the API namespace, whose members are the module's ``apis``), ``JSExport`` (UTS's marker
    for a type exported to JS: no members) and a class's ``implements`` (the fields are the
    class's own) are dropped."""
    bases: list[str] = []
    for h in d.heritage:
        if h.name == "Uni" or h.token == "implements":
            continue
        name = _base(h, ctx)
        if h.name == "JSExport":
            continue
        if name is None or h.arguments or (keep and bases):
            ctx.skip(d.provenance, d.name or "", f"{h.token} {h.text} is not kept")
            continue
        bases.append(name)
    if bases:
        item["extends"] = bases[0] if keep else bases


def _candidates(declarations: Sequence[Declaration], ctx: Context) -> list[Declaration]:
    """The declarations that may become named types (first of each name), warning about the
    others."""
    out: list[Declaration] = []
    seen: set[str] = set()
    for d in declarations:
        where = d.name or d.kind
        if d.kind in ("import", "export") or (d.kind == "interface" and d.name == "Uni"):
            continue
        if _implements_only(d):
            continue
        if d.kind not in ("interface", "type", "class") or d.name is None:
            ctx.skip(d.provenance, where, f"a {d.kind} declaration is not mapped yet; skipped")
            continue
        if _DROPPED_NAME.fullmatch(d.name) or _LOWER_FUNCTION.fullmatch(d.name):
            continue  # Rule: see _DROPPED_NAME and _LOWER_FUNCTION.
        if not _TYPE_NAME.fullmatch(d.name):
            ctx.skip(
                d.provenance, where, "a type name the spec cannot hold (not capitalised); skipped"
            )
            continue
        if d.name in seen:
            if not _restates(d, out):
                ctx.skip(d.provenance, where, "a second declaration of this name; skipped")
            continue
        seen.add(d.name)
        out.append(d)
    return out


def _is_method_literal(d: Declaration) -> bool:
    """``type X = { m(): void }``: a type literal with methods, mapped like an interface."""
    node = d.type
    return (
        d.kind == "type"
        and node is not None
        and node.kind == "object"
        and any(m.kind == "method" for m in node.fields)
    )


def _with_inherited(d: Declaration, ctx: Context) -> list[Member]:
    """The members of an interface, then those its local bases declare that it does not
    (recursively): ``interface RewardedVideoAd extends IVideoAd, IRewardedVideoAd {}`` has the
    methods of both; its ``extends`` still names them."""
    own = list(d.type.fields if d.kind == "type" and d.type is not None else d.members)
    names = {m.name for m in own}
    seen = {d.name}
    queue = [h.name for h in d.heritage if h.token == "extends"]
    while queue:
        base = ctx.interfaces.get(queue.pop(0))
        if base is None or base.name in seen:
            continue
        seen.add(base.name)
        for m in base.members:
            if m.name not in names:
                own.append(m)
                names.add(m.name)
        queue += [h.name for h in base.heritage if h.token == "extends"]
    return own


def _implements_only(d: Declaration) -> bool:
    """Rule: a class that implements an interface (``ShowModalSuccessImpl implements
    ShowModalSuccess``, possibly ``extends UniError`` too), and an ``…Impl`` alias of an
    imported implementation (``type GetLocationFailImpl = GetLocationFailImplement``, imported
    from ``./unierror.uts``), are the runtime's implementation of a type the module declares;
    they are not imported, silently."""
    if d.kind == "type" and d.name and d.name.endswith("Impl"):
        return d.type is not None and d.type.kind == "reference"
    return d.kind == "class" and any(h.token == "implements" for h in d.heritage)


def _restates(d: Declaration, kept: Sequence[Declaration]) -> bool:
    """Rule: ``type X = Y`` after ``interface X extends Y {}`` says the same; dropped silently."""
    first = next((k for k in kept if k.name == d.name), None)
    node = d.type
    return (
        first is not None
        and d.kind == "type"
        and node is not None
        and node.kind == "reference"
        and not node.arguments
        and any(h.name == node.name for h in first.heritage)
    )


def _is_object(d: Declaration) -> bool:
    if d.kind == "class":
        return True
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
    external: Mapping[str, str] | None = None,
    overrides: Sequence[PlatformOverride] = (),
) -> ModuleSpec:
    """The spec document of one module file; ``found``: the surface's warnings about this file
    (unreadable ``@uniPlatform`` blocks…), listed with the module's own; ``external``: type
    names other modules declare -> their spec names (:func:`declared_types`)."""
    file = module.source.relpath
    ctx = Context(file, set())
    declarations = merge_interfaces(module.declarations)
    candidates = _candidates(declarations, ctx)
    first_warnings = list(ctx.warnings)
    names = {d.name for d in candidates if d.name}
    objects = {d.name for d in candidates if d.name and _is_object(d)}
    aliases = {d.name: d for d in candidates if d.name and d.kind == "type"}
    generics = {d.name: len(d.type_parameters) for d in candidates if d.name}
    interfaces = {d.name: d for d in candidates if d.name and d.kind == "interface"}
    outside = {k: v for k, v in (external or {}).items() if k not in names and v != name}
    while True:
        ctx = Context(
            file,
            set(names),
            objects=set(objects),
            aliases=aliases,
            warnings=list(first_warnings),
            external=outside,
            generics=generics,
            member_platforms=None,
            interfaces=interfaces,
            overrides={o.path: o for o in overrides if o.file == file},
        )
        ctx.member_platforms = _member_platforms(ctx)
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
    if ctx.used_external:
        data["external"] = dict(sorted(ctx.used_external.items()))
    kept = [w for w in found if w.line not in ctx.covered_lines]
    for o in overrides:
        if o.file == file and o.path not in ctx.used_overrides:
            kept.append(_unused(o, f"no declaration {o.path} with a doc comment in {file}"))
    return ModuleSpec(module.source.key, name, data, tuple(sorted({*ctx.warnings, *kept})))


def _unused(o: PlatformOverride, why: str) -> Diagnostic:
    """An override that matched nothing: it has gone stale and says so."""
    message = f"unused @uniPlatform override: {why}"
    return Diagnostic(o.source, o.line, o.column, o.path, message, "import:override-unused")


def _member_platforms(ctx: Context) -> Any:
    def platforms(doc: Doc, where: str) -> dict[str, Any] | None:
        scratch: dict[str, Any] = {}
        documented(scratch, doc, ctx, where)
        return scratch.get("platforms")

    return platforms


def declared_types(surface: Surface) -> dict[str, str]:
    """Every type name a module of ``surface`` declares -> the spec name of the first module
    (in surface order) that declares it: where a reference from another module points."""
    names = module_names(surface)
    out: dict[str, str] = {}
    for m in surface.modules:
        for d in m.declarations:
            keep = d.kind in ("interface", "type", "class") and d.name not in (None, "Uni")
            if keep and _TYPE_NAME.fullmatch(d.name or "") and not _implements_only(d):
                out.setdefault(d.name or "", names[m.source.key])
    return out


def surface_to_specs(
    surface: Surface, keys: Sequence[str] = (), *, overrides: Sequence[PlatformOverride] = ()
) -> list[ModuleSpec]:
    """The spec of every module of ``surface`` (or of those keyed ``keys``), in surface order;
    ``overrides`` replace ``@uniPlatform`` blocks (one that matches nothing is a warning, on
    the first module written when its file is not a module of ``surface``)."""
    names = module_names(surface)
    external = declared_types(surface)
    specs = [
        module_to_spec(
            m,
            names[m.source.key],
            package=surface.package,
            version=surface.version,
            found=[w for w in surface.warnings if w.file == m.source.relpath],
            external=external,
            overrides=overrides,
        )
        for m in surface.modules
        if not keys or m.source.key in keys
    ]
    files = {m.source.relpath for m in surface.modules}
    stale = [_unused(o, f"{o.file} is not a module file") for o in overrides if o.file not in files]
    if stale and specs:
        first = specs[0]
        specs[0] = dataclasses.replace(first, warnings=tuple(sorted({*first.warnings, *stale})))
    return specs
