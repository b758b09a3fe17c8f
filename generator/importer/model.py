"""The neutral model of an imported declaration surface.

What the TypeScript declarations say, as typed frozen dataclasses, before any decision about the
spec format: declarations, members, type expressions, JSDoc blocks with their tags read, and
``@uniPlatform`` tables with their values normalised.  Every declaration, member, parameter and
union member carries its :class:`Provenance` (package, version, file, line, column).

Built by :func:`generator.importer.read_surface` from the extractor's JSON; the spec output reads
these types, never the JSON.

The module runs past 500 lines because it is the whole vocabulary of one neutral form, most of it
small frozen dataclasses; split by section, every part would import the others.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from generator.exceptions import Diagnostic

__all__ = [
    "Declaration",
    "DeclarationKind",
    "Doc",
    "Heritage",
    "Member",
    "MemberKind",
    "ModuleFile",
    "ModuleSource",
    "ParamDoc",
    "Parameter",
    "PlatformEntry",
    "PlatformTable",
    "PlatformValue",
    "PlatformValueKind",
    "Provenance",
    "Signature",
    "SkippedModule",
    "Source",
    "Surface",
    "SurfaceCounts",
    "Tag",
    "Tutorial",
    "TypeParameter",
    "UnionMember",
]


# --- where ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One declaration file of one package version.  ``path`` is relative to the package root
    (``types/uni/uts-plugin-api/lib/uni-websocket/utssdk/interface.d.ts``) for a package, or as
    given for a loose file; ``package`` and ``version`` are empty for a loose file."""

    package: str
    version: str
    path: str


@dataclass(frozen=True)
class Provenance:
    """Where an item is declared; ``line`` and ``column`` are 1-based."""

    source: Source
    line: int
    column: int

    @property
    def package(self) -> str:
        return self.source.package

    @property
    def version(self) -> str:
        return self.source.version

    @property
    def file(self) -> str:
        return self.source.path

    def __str__(self) -> str:
        return f"{self.source.path}:{self.line}:{self.column}"


# --- @uniPlatform ----------------------------------------------------------------------------


class PlatformValueKind(enum.Enum):
    """What a ``@uniPlatform`` cell says."""

    SUPPORTED = "supported"  # "√" (and its look-alikes, see generator.importer.platforms)
    UNSUPPORTED = "unsupported"  # "x"
    UNSPECIFIED = "unspecified"  # "-": nothing said
    VERSION = "version"  # supported since a version: "3.9", "3.9+", "5.0.0(11)", ">=2.10.0"
    UNKNOWN = "unknown"  # none of these; kept as written, with a warning


@dataclass(frozen=True)
class PlatformValue:
    """One cell.  ``raw`` is as written; ``version`` is the version with the ``+``/``>=`` marks and
    a ``(detail)`` suffix taken off and a decimal comma read as a point; ``detail`` is that suffix
    (``11`` in ``5.0.0(11)``, HarmonyOS's API level)."""

    raw: str
    kind: PlatformValueKind
    version: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class PlatformEntry:
    """The cells of one platform: ``group`` is ``app``, ``mp`` or ``web``; ``platform`` the name
    inside the group (``android``, ``weixin``), ``None`` for ``web``."""

    group: str
    platform: str | None
    values: dict[str, PlatformValue]

    @property
    def id(self) -> str:
        return self.group if self.platform is None else f"{self.group}.{self.platform}"


@dataclass(frozen=True)
class PlatformTable:
    """A parsed ``@uniPlatform`` block.  ``repairs`` names the repairs its JSON needed (empty when
    it parsed as strict JSON): ``comments``, ``trailing-commas``."""

    entries: tuple[PlatformEntry, ...]
    provenance: Provenance
    repairs: tuple[str, ...] = ()

    def entry(self, platform_id: str) -> PlatformEntry | None:
        return next((e for e in self.entries if e.id == platform_id), None)

    def value(self, platform_id: str, key: str) -> PlatformValue | None:
        entry = self.entry(platform_id)
        return None if entry is None else entry.values.get(key)


# --- JSDoc -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A JSDoc tag: ``name`` without the ``@``; ``text`` the rest of its line and the lines up to
    the next tag, comment markers removed."""

    name: str
    text: str
    provenance: Provenance


@dataclass(frozen=True)
class Tutorial:
    """A ``@tutorial*`` link: ``kind`` is the tag name (``tutorial``, ``tutorial_uni_app``, …)."""

    kind: str
    url: str


@dataclass(frozen=True)
class ParamDoc:
    """A ``@param`` tag: ``@param name text`` or ``@param {Type} name text``; ``name`` is empty
    when the tag gives only a type."""

    name: str
    type: str | None
    text: str


@dataclass(frozen=True)
class Doc:
    """A JSDoc block, raw and read.

    ``summary`` is the text before the first tag; ``description`` is the ``@description`` text if
    there is one, else the summary.  ``deprecated`` is ``None`` when the block has no
    ``@deprecated``, else its text (possibly empty).  ``platforms`` is ``None`` when there is no
    ``@uniPlatform`` or it could not be read (then a warning says where).
    """

    raw: str
    provenance: Provenance
    summary: str
    tags: tuple[Tag, ...]
    description: str
    platforms: PlatformTable | None = None
    default_value: str | None = None
    tutorials: tuple[Tutorial, ...] = ()
    examples: tuple[str, ...] = ()
    deprecated: str | None = None
    internal: bool = False
    uni_version: str | None = None
    uni_vue_version: str | None = None
    type: str | None = None
    params: tuple[ParamDoc, ...] = ()
    ts_tag_names: tuple[str, ...] | None = None

    def tag(self, name: str) -> Tag | None:
        """The first tag of that name."""
        return next((t for t in self.tags if t.name == name), None)

    def tags_named(self, name: str) -> tuple[Tag, ...]:
        return tuple(t for t in self.tags if t.name == name)


# --- types -----------------------------------------------------------------------------------

TypeKind = Literal[
    "keyword",
    "literal",
    "reference",
    "array",
    "parenthesized",
    "union",
    "intersection",
    "function",
    "constructor",
    "object",
    "this",
    "tuple",
    "other",
]


@dataclass(frozen=True)
class TypeParameter:
    name: str
    constraint: TypeNode | None
    default: TypeNode | None


@dataclass(frozen=True)
class Parameter:
    name: str
    optional: bool
    rest: bool
    type: TypeNode | None
    provenance: Provenance


@dataclass(frozen=True)
class Signature:
    type_parameters: tuple[TypeParameter, ...]
    parameters: tuple[Parameter, ...]
    returns: TypeNode | None


@dataclass(frozen=True)
class UnionMember:
    """One member of a union, with the JSDoc block written before it (error codes and string
    values are documented this way; TypeScript's JSDoc API does not attach these)."""

    type: TypeNode
    doc: Doc | None
    provenance: Provenance


@dataclass(frozen=True)
class TypeNode:
    """A type expression.  ``text`` is its source text; the fields used depend on ``kind``:

    ``reference``: ``name`` (``Array``, ``string.PageURIString``) and ``arguments``;
    ``array``/``parenthesized``: ``element``; ``union``/``intersection``/``tuple``: ``members``;
    ``function``/``constructor``: ``signature``; ``object`` (a type literal): ``fields``;
    ``literal``: ``literal_kind`` (TypeScript's ``StringLiteral``, ``NumericLiteral``,
    ``TrueKeyword``, ``PrefixUnaryExpression`` for ``-1`` …); ``other``: ``literal_kind`` holds
    the syntax kind.
    """

    kind: TypeKind
    text: str
    line: int
    column: int
    name: str | None = None
    arguments: tuple[TypeNode, ...] = ()
    element: TypeNode | None = None
    members: tuple[UnionMember, ...] = ()
    signature: Signature | None = None
    fields: tuple[Member, ...] = ()
    literal_kind: str | None = None

    @property
    def literal_value(self) -> str | int | float | bool | None:
        """The value of a ``literal`` node: a string, a number (``-1`` included), a boolean, or
        ``None`` for ``null``.  :class:`ValueError` for any other node."""
        if self.kind != "literal":
            raise ValueError(f"{self.text!r} is a {self.kind} type, not a literal")
        match self.literal_kind:
            case "StringLiteral" | "NoSubstitutionTemplateLiteral":
                return _unquote(self.text)
            case "NumericLiteral" | "PrefixUnaryExpression":
                number = float(self.text.replace("_", ""))
                return int(number) if number.is_integer() and "." not in self.text else number
            case "TrueKeyword" | "FalseKeyword":
                return self.literal_kind == "TrueKeyword"
            case "NullKeyword":
                return None
        raise ValueError(f"{self.text!r}: a literal of kind {self.literal_kind}")

    def walk(self) -> Iterator[TypeNode]:
        """This node and every type node under it, depth first."""
        yield self
        for child in self.arguments:
            yield from child.walk()
        if self.element is not None:
            yield from self.element.walk()
        for member in self.members:
            yield from member.type.walk()
        if self.signature is not None:
            yield from _signature_types(self.signature)
        for f in self.fields:
            yield from f.types()


def _unquote(text: str) -> str:
    """A TypeScript string literal's value (its escapes are Python's for what these files use)."""
    quoted = text if text[0] in "'\"" else repr(text[1:-1])
    return str(ast.literal_eval(quoted))


def _signature_types(signature: Signature) -> Iterator[TypeNode]:
    for p in signature.parameters:
        if p.type is not None:
            yield from p.type.walk()
    if signature.returns is not None:
        yield from signature.returns.walk()


# --- declarations ----------------------------------------------------------------------------

MemberKind = Literal[
    "property",
    "method",
    "call",
    "construct",
    "constructor",
    "getter",
    "setter",
    "index",
    "other",
]
DeclarationKind = Literal[
    "interface",
    "type",
    "class",
    "function",
    "variable",
    "enum",
    "namespace",
    "import",
    "export",
    "other",
]


@dataclass(frozen=True)
class Member:
    """A member of an interface, class or type literal.  ``condition`` lists the ``// #ifdef``
    conditions it sits under, outermost first (``("APP-IOS",)``, ``("!APP-IOS",)``)."""

    kind: MemberKind
    name: str | None
    optional: bool
    modifiers: tuple[str, ...]
    type: TypeNode | None
    signature: Signature | None
    doc: Doc | None
    condition: tuple[str, ...]
    provenance: Provenance
    text: str | None = None

    def types(self) -> Iterator[TypeNode]:
        if self.type is not None:
            yield from self.type.walk()
        if self.signature is not None:
            yield from _signature_types(self.signature)


@dataclass(frozen=True)
class Heritage:
    """One name of an ``extends``/``implements`` clause; ``condition`` as for members."""

    token: str
    name: str
    text: str
    arguments: tuple[TypeNode, ...] = ()
    condition: tuple[str, ...] = ()


@dataclass(frozen=True)
class Declaration:
    """A top-level declaration.  ``kind`` ``type`` is a type alias (its ``type`` set);
    ``function`` has a ``signature``; ``interface``/``class`` have ``members`` and ``heritage``;
    ``namespace`` (``declare global``, ``declare module '…'``: ``name`` is ``global`` or the
    quoted module name) has its declarations in ``body``.  ``text`` is kept for
    ``import``/``export``/``other`` statements."""

    kind: DeclarationKind
    name: str | None
    modifiers: tuple[str, ...]
    type_parameters: tuple[TypeParameter, ...]
    heritage: tuple[Heritage, ...]
    members: tuple[Member, ...]
    type: TypeNode | None
    signature: Signature | None
    doc: Doc | None
    condition: tuple[str, ...]
    provenance: Provenance
    text: str | None = None
    body: tuple[Declaration, ...] = ()

    @property
    def exported(self) -> bool:
        return "export" in self.modifiers


# --- modules and the surface -----------------------------------------------------------------


@dataclass(frozen=True)
class ModuleSource:
    """A module's declaration file as found in the package.  ``key`` is ``<tree>/<folder>`` with
    the tree's short name (``api/uni-websocket``, ``biz/uni-camera``): unique, because two trees
    may hold different files under the same folder name.  ``path`` is the file on disk."""

    key: str
    name: str
    tree: str
    path: str
    relpath: str
    sha256: str
    size: int


@dataclass(frozen=True)
class SkippedModule:
    """A candidate file left out, and why: ``empty`` or ``duplicate`` (then ``duplicate_of`` is
    the key of the copy kept)."""

    source: ModuleSource
    reason: Literal["empty", "duplicate"]
    duplicate_of: str | None = None


@dataclass(frozen=True)
class ModuleFile:
    """One imported module file and its declarations, in source order.  ``crlf``: the file has
    CRLF line ends (positions are the same either way: a CRLF is one line break)."""

    source: ModuleSource
    declarations: tuple[Declaration, ...]
    crlf: bool = False

    def named(self, name: str) -> tuple[Declaration, ...]:
        """The declarations of that name (more than one when ``// #ifdef`` variants exist)."""
        return tuple(d for d in self.declarations if d.name == name)

    def uni_members(self) -> tuple[Member, ...]:
        """The members of this file's ``interface Uni`` declarations (the ``uni.*`` APIs)."""
        return tuple(
            m
            for d in self.declarations
            if d.kind == "interface" and d.name == "Uni"
            for m in d.members
        )


@dataclass(frozen=True)
class SurfaceCounts:
    """The size of a surface; see :meth:`Surface.counts` for what each figure counts."""

    modules: int
    skipped_empty: int
    skipped_duplicates: int
    uni_members: int
    uni_names: int
    uni_apis: int
    interfaces: int
    interfaces_with_methods: int
    methods: int
    type_aliases: int
    classes: int
    error_code_unions: int
    error_codes: int
    platform_blocks: int
    platform_blocks_on_union_members: int
    platform_blocks_repaired: int
    platform_blocks_broken: int
    crlf_files: int
    warnings: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Surface:
    """Everything imported from one package version (or a set of loose files)."""

    package: str
    version: str
    typescript: str
    modules: tuple[ModuleFile, ...]
    skipped: tuple[SkippedModule, ...] = ()
    warnings: tuple[Diagnostic, ...] = field(default=())

    def module(self, key: str) -> ModuleFile:
        for m in self.modules:
            if m.source.key == key:
                return m
        raise KeyError(key)

    def docs(self) -> Iterator[Doc]:
        """Every JSDoc block read, on declarations, members, parameters and union members."""
        for module in self.modules:
            for d in module.declarations:
                yield from _docs_of_declaration(d)

    def counts(self) -> SurfaceCounts:
        """The figures an import reports.

        - ``uni_members``: members of every ``interface Uni``; ``uni_names`` their distinct names;
          ``uni_apis`` the distinct names without the internal ones (a ``__`` prefix or
          ``@internal``).
        - ``interfaces``/``methods``: interfaces other than ``Uni`` and their method members
          (overloads counted one by one); ``interfaces_with_methods`` those with at least one.
        - ``error_code_unions``: type aliases named ``*ErrorCode``; ``error_codes``: the literal
          members of their unions (a single literal counts one).
        - ``platform_blocks``: ``@uniPlatform`` tags read, ``…_repaired`` those that needed a
          repair, ``…_broken`` those skipped with a warning.
        """
        uni = [m for module in self.modules for m in module.uni_members()]
        internal = {
            m.name
            for m in uni
            if m.name and (m.name.startswith("__") or (m.doc is not None and m.doc.internal))
        }
        names = {m.name for m in uni if m.name}
        interfaces = [
            d
            for module in self.modules
            for d in module.declarations
            if d.kind == "interface" and d.name != "Uni"
        ]
        methods = [m for d in interfaces for m in d.members if m.kind == "method"]
        aliases = [d for module in self.modules for d in module.declarations if d.kind == "type"]
        code_unions = [d for d in aliases if d.name and d.name.endswith("ErrorCode")]
        codes = 0
        for d in code_unions:
            node = d.type
            if node is not None:
                codes += (
                    sum(1 for m in node.members if m.type.kind == "literal")
                    if node.kind == "union"
                    else int(node.kind == "literal")
                )
        blocks = [doc for doc in self.docs() if doc.tag("uniPlatform") is not None]
        on_union = sum(1 for doc in self._union_member_docs() if doc.tag("uniPlatform"))
        broken = sum(1 for doc in blocks if doc.platforms is None)
        repaired = sum(1 for doc in blocks if doc.platforms is not None and doc.platforms.repairs)
        return SurfaceCounts(
            modules=len(self.modules),
            skipped_empty=sum(1 for s in self.skipped if s.reason == "empty"),
            skipped_duplicates=sum(1 for s in self.skipped if s.reason == "duplicate"),
            uni_members=len(uni),
            uni_names=len(names),
            uni_apis=len(names - internal),
            interfaces=len(interfaces),
            interfaces_with_methods=sum(
                1 for d in interfaces if any(m.kind == "method" for m in d.members)
            ),
            methods=len(methods),
            type_aliases=len(aliases),
            classes=sum(
                1 for module in self.modules for d in module.declarations if d.kind == "class"
            ),
            error_code_unions=len(code_unions),
            error_codes=codes,
            platform_blocks=len(blocks),
            platform_blocks_on_union_members=on_union,
            platform_blocks_repaired=repaired,
            platform_blocks_broken=broken,
            crlf_files=sum(1 for m in self.modules if m.crlf),
            warnings=len(self.warnings),
        )

    def _union_member_docs(self) -> Iterator[Doc]:
        for module in self.modules:
            for d in module.declarations:
                for node in _declaration_types(d):
                    for m in node.members:
                        if m.doc is not None:
                            yield m.doc


def _declaration_types(d: Declaration) -> Iterator[TypeNode]:
    """Every type node of ``d`` and of the declarations in its body."""
    for inner in d.body:
        yield from _declaration_types(inner)
    yield from _own_types(d)


def _own_types(d: Declaration) -> Iterator[TypeNode]:
    if d.type is not None:
        yield from d.type.walk()
    if d.signature is not None:
        yield from _signature_types(d.signature)
    for m in d.members:
        yield from m.types()


def _docs_of_declaration(d: Declaration) -> Iterator[Doc]:
    if d.doc is not None:
        yield d.doc
    for inner in d.body:
        yield from _docs_of_declaration(inner)
    for m in d.members:
        yield from _docs_of_member(m)
    for node in _own_types(d):
        for um in node.members:
            if um.doc is not None:
                yield um.doc
        for f in node.fields:
            if f.doc is not None:
                yield f.doc


def _docs_of_member(m: Member) -> Iterator[Doc]:
    if m.doc is not None:
        yield m.doc
