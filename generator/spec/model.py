"""The frozen model of an API module: what every renderer, the stub generator and the
conformance suite read.  Built by :func:`build_module` from a document that has already passed
:mod:`generator.spec.validate`; :func:`payload_schema` gives the JSON Schema of a result type,
for checking callback payloads.  Loading a whole spec is :mod:`generator.spec.loader`'s job.

Additions for the imported surface (issue 10); every one has a default, so a curated module
(``spec/modules/websocket.yaml``) builds exactly as before:

- :class:`LiteralValue`: one value of a literal union (``'game' | 'ui'``, ``1 | 2``) with its own
  description and platforms.  The type stays the base type (``string``, ``number``); the values
  are :attr:`Field.values` (a field or parameter) or :attr:`AliasType.values` (a named literal
  union).  DCloud renders them as the base type plus a ``合法值`` table (value, compatibility,
  description).
- ``string.PageURIString`` (a UTS string subtype) is a :class:`~.typeexpr.Named` kept as written;
  :func:`~.typeexpr.base_name` gives ``string``.
- Generics: :attr:`Callable.type_params`, and ``type_params`` on :class:`ObjectType`,
  :class:`InterfaceType`, :class:`AliasType` (``("T",)``); uses are :class:`~.typeexpr.Generic`
  (``RequestOptions<T>``, ``Promise<T>``) and the parameter itself a ``Named("T")``.
- External types: :attr:`Module.external` maps a type name declared in another module to that
  module's name; :data:`~.typeexpr.GLOBAL_TYPES` are the runtime's (``IUniError``, ``UniError``,
  ``AsyncApiSuccessResult``, ``UniElement``…).  Both may be referenced and extended without a
  declaration: :attr:`ObjectType.extends` may name one, or an interface type of the module
  (then :meth:`Module.fields` has only the own fields); :attr:`InterfaceType.extends` lists an
  interface's bases (the importer also copies a local base's members into the interface).
- :class:`Deprecation`: ``replacement`` is None when the declarations name none (imported
  modules only: a curated module must name one); ``text`` is the ``@deprecated`` text.
  :attr:`Field.deprecated` marks a deprecated field or parameter.
- :class:`Function` type parameters may be optional (:attr:`~.typeexpr.Function.optional`).
- Classes: ``class X`` of the declarations becomes an :class:`ObjectType` with ``is_class``
  (its properties as fields); ``*Impl`` classes that only implement an interface are not
  imported (see ``generator/importer/README.md``).
- ``platforms`` on every named type (the ``@uniPlatform`` of a type: its table's
  compatibility).
- Anchors: in an imported module (``Module.imported``) two items may share a slug (
  ``RequestTask.abort`` and ``UploadTask.abort``; ``GetUniVerifyManager`` and
  ``GetUniverifyManager``).  :func:`build_module` then gives each a unique ``slug``: the first in
  document order (APIs, then each type followed by its methods) keeps DCloud's slug
  (``name.lower()``, ``name.lower() + "-values"``), later ones get ``-2``, ``-3``…; the
  ``.anchor`` properties return it, so renderers need no change.  A curated module keeps the
  strict rule: a clash is a validation error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from generator.spec.typeexpr import (
    BUILTINS,
    Function,
    Generic,
    Named,
    TypeExpr,
    Union,
    base_name,
    parse_type,
)

__all__ = [
    "LANGS",
    "PLATFORM_IDS",
    "AliasType",
    "Callable",
    "Deprecation",
    "ErrorCode",
    "ErrorCodesType",
    "Example",
    "Field",
    "ImportDifference",
    "InterfaceType",
    "Lang",
    "Link",
    "LiteralValue",
    "Module",
    "ModuleExample",
    "NamedType",
    "Note",
    "ObjectType",
    "Platforms",
    "Text",
    "build_module",
    "payload_schema",
]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

#: Every platform the ``platforms`` blocks can name, as ``group.name`` (``web`` alone).
PLATFORM_IDS: tuple[str, ...] = (
    "web",
    "mp.weixin", "mp.alipay", "mp.baidu", "mp.toutiao", "mp.lark", "mp.qq", "mp.kuaishou", "mp.jd",
    "app.android", "app.ios", "app.harmony",
)  # fmt: skip


@dataclass(frozen=True)
class Text:
    """A human text.  In a module that says ``languages: [zh]`` (an imported module not yet
    translated) ``en`` may be missing from the file: then it holds the Chinese text and
    ``translated`` is False.  A description missing from an imported module is empty text."""

    zh: str
    en: str
    translated: bool = True

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Platforms:
    """Per-platform support, keyed ``"app.android"`` → ``{"unixVer": "3.91", ...}``."""

    entries: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def get(self, platform: str, key: str) -> str | None:
        """The value of ``key`` (``unixVer``, ``osVer``…) for ``platform``; None if absent."""
        return self.entries.get(platform, {}).get(key)

    def __bool__(self) -> bool:
        return bool(self.entries)


@dataclass(frozen=True)
class Link:
    label: Text
    url: str


@dataclass(frozen=True)
class Example:
    lang: str
    code: str
    title: Text | None = None


@dataclass(frozen=True)
class Deprecation:
    #: An API name or "Type.method"; None in an imported module whose ``@deprecated`` names none.
    replacement: str | None
    since: str | None = None
    #: The ``@deprecated`` text, when the declarations give one.
    text: Text | None = None


@dataclass(frozen=True)
class LiteralValue:
    """One value of a literal union: ``'game'`` of ``'game' | 'ui'``, ``1`` of ``1 | 2``."""

    value: str | int | float | bool
    description: Text | None = None
    platforms: Platforms = field(default_factory=Platforms)


_NO_DEFAULT: Any = object()


@dataclass(frozen=True)
class Field:
    """A parameter of a callable or a field of an object type."""

    name: str
    type: TypeExpr
    required: bool = False
    nullable: bool = False
    default: Any = _NO_DEFAULT
    description: Text | None = None
    requires: Text | None = None
    platforms: Platforms = field(default_factory=Platforms)
    docs_only: bool = False
    #: The legal values when the type is a literal union (``type`` is then its base type).
    values: tuple[LiteralValue, ...] = ()
    deprecated: Deprecation | None = None
    #: An imported field's ``@defaultValue`` as written (``'normal'``, ``none``, ``0`` on a
    #: required field), which the whole-surface docs show as written; None when not imported.
    default_text: str | None = None
    #: The type as the declarations write it, where a curated module states a narrower one
    #: (``declared: any`` beside ``type: string | ArrayBuffer``): the whole-surface docs show it.
    declared: TypeExpr | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT


@dataclass(frozen=True)
class Callable:
    """A module-level API (``owner`` None) or a method of an interface type."""

    name: str
    description: Text
    params: tuple[Field, ...]
    returns: TypeExpr
    platforms: Platforms
    owner: str | None = None
    deprecated: Deprecation | None = None
    tutorial: tuple[Link, ...] = ()
    examples: tuple[Example, ...] = ()
    #: Type parameters (``request<T>(…)``).
    type_params: tuple[str, ...] = ()
    #: The unique anchor :func:`build_module` gave it in an imported module ("" = the default).
    slug: str = field(default="", compare=False)

    @property
    def qualname(self) -> str:
        return f"{self.owner}.{self.name}" if self.owner else self.name

    @property
    def anchor(self) -> str:
        return self.slug or self.name.lower()


class _TypeAnchor:
    """Named types share one heading anchor rule: ``ConnectSocketSuccess`` →
    ``#connectsocketsuccess-values`` (the uni-app x docs' slug); ``slug`` when
    :func:`build_module` had to make it unique."""

    name: str
    slug: str

    @property
    def anchor(self) -> str:
        return self.slug or f"{self.name.lower()}-values"


@dataclass(frozen=True)
class ObjectType(_TypeAnchor):
    name: str
    description: Text
    fields: tuple[Field, ...]
    extends: str | None = None
    general: bool = False
    kind: Literal["object"] = "object"
    type_params: tuple[str, ...] = ()
    platforms: Platforms = field(default_factory=Platforms)
    #: Declared as a ``class`` (its properties are the fields).
    is_class: bool = False
    slug: str = field(default="", compare=False)


@dataclass(frozen=True)
class InterfaceType(_TypeAnchor):
    name: str
    description: Text
    methods: tuple[Callable, ...]
    kind: Literal["interface"] = "interface"
    fields: tuple[Field, ...] = ()
    #: The interfaces it extends (local, external or global names), in declaration order.
    extends: tuple[str, ...] = ()
    type_params: tuple[str, ...] = ()
    platforms: Platforms = field(default_factory=Platforms)
    slug: str = field(default="", compare=False)

    def method(self, name: str) -> Callable | None:
        return next((m for m in self.methods if m.name == name), None)


@dataclass(frozen=True)
class ErrorCode:
    code: int
    description: Text
    errMsg: str  # empty in an imported module: the declarations do not say it
    #: the code's own compatibility (an imported union member's ``@uniPlatform``)
    platforms: Platforms = field(default_factory=Platforms)
    deprecated: Deprecation | None = None


@dataclass(frozen=True)
class ErrorCodesType(_TypeAnchor):
    name: str
    subject: str  # empty in an imported module: the declarations do not say it
    description: Text
    codes: tuple[ErrorCode, ...]
    kind: Literal["error-codes"] = "error-codes"
    platforms: Platforms = field(default_factory=Platforms)
    slug: str = field(default="", compare=False)


@dataclass(frozen=True)
class AliasType(_TypeAnchor):
    name: str
    type: TypeExpr
    description: Text | None = None
    kind: Literal["alias"] = "alias"
    #: The legal values when the alias is a literal union (``type`` is then its base type).
    values: tuple[LiteralValue, ...] = ()
    type_params: tuple[str, ...] = ()
    platforms: Platforms = field(default_factory=Platforms)
    slug: str = field(default="", compare=False)


NamedType = ObjectType | InterfaceType | ErrorCodesType | AliasType
_Slugged = TypeVar("_Slugged", Callable, ObjectType, InterfaceType, ErrorCodesType, AliasType)


@dataclass(frozen=True)
class Note:
    id: str
    text: Text
    after: str | None = None
    before: str | None = None


@dataclass(frozen=True)
class ModuleExample:
    title: Text
    lang: str
    code: str
    repository: str | None = None
    preview: str | None = None
    app_redirect: str | None = None


@dataclass(frozen=True)
class ImportDifference:
    """A fact on which a curated module deliberately differs from its import, and why
    (``path`` as :mod:`generator.importer.crosscheck` names facts, or an ``fnmatch`` pattern)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Module:
    name: str
    version: str
    title: Text
    description: Text
    apis: tuple[Callable, ...]
    types: Mapping[str, NamedType]
    menu: str | None = None
    sources: tuple[Link, ...] = ()
    notes: tuple[Note, ...] = ()
    example: ModuleExample | None = None
    file: str = ""
    #: ``("zh",)`` for an imported module not yet translated.
    languages: tuple[Lang, ...] = LANGS
    #: Written by ``utsapi import`` (the document has ``provenance``).
    imported: bool = False
    #: Type name -> the module that declares it, for names used here but declared elsewhere.
    external: Mapping[str, str] = field(default_factory=dict)
    #: A curated module's accepted differences from its import (fact path or pattern, reason).
    import_differences: tuple[ImportDifference, ...] = ()

    def api(self, name: str) -> Callable | None:
        return next((a for a in self.apis if a.name == name), None)

    def callable(self, qualname: str) -> Callable | None:
        """``"connectSocket"`` or ``"SocketTask.send"``."""
        owner, _, name = qualname.rpartition(".")
        if not owner:
            return self.api(name)
        iface = self.types.get(owner)
        return iface.method(name) if isinstance(iface, InterfaceType) else None

    def callables(self) -> Iterator[Callable]:
        """Every API, then every method of every interface type."""
        yield from self.apis
        for named in self.types.values():
            if isinstance(named, InterfaceType):
                yield from named.methods

    def fields(self, type_name: str) -> tuple[Field, ...]:
        """An object type's fields, own first, then inherited ones it does not redefine."""
        named = self.types.get(type_name)
        if not isinstance(named, ObjectType):
            return ()
        own = named.fields
        if named.extends is None:
            return own
        seen = {f.name for f in own}
        return own + tuple(f for f in self.fields(named.extends) if f.name not in seen)

    @property
    def general_types(self) -> tuple[ObjectType, ...]:
        return tuple(t for t in self.types.values() if isinstance(t, ObjectType) and t.general)


# ----------------------------------------------------------------------------------------------
# Building the model from validated data


def _text(data: Mapping[str, str] | None) -> Text | None:
    return None if data is None else _given_text(data)


def _given_text(data: Mapping[str, str]) -> Text:
    if "en" in data:
        return Text(zh=data["zh"], en=data["en"])
    return Text(zh=data["zh"], en=data["zh"], translated=False)


#: The description of an item an imported module leaves undocumented.
_NO_TEXT = Text("", "", translated=False)


def _description(data: Mapping[str, Any]) -> Text:
    text = data.get("description")
    return _NO_TEXT if text is None else _given_text(text)


#: id of a ``platforms`` mapping -> (the mapping, its Platforms), during one build_module: a
#: block shared through a YAML alias becomes one shared Platforms.
_Shared = dict[int, tuple[Any, Platforms]]


def _platforms(data: Mapping[str, Any] | None, shared: _Shared) -> Platforms:
    found = shared.get(id(data))
    if found is not None and found[0] is data:
        return found[1]
    platforms = _new_platforms(data)
    shared[id(data)] = (data, platforms)
    return platforms


def _new_platforms(data: Mapping[str, Any] | None) -> Platforms:
    entries: dict[str, dict[str, str]] = {}
    for group, value in (data or {}).items():
        if group in ("web", "quickapp"):  # cells directly, no platform names
            entries[group] = dict(value)
        else:
            for name, keys in value.items():
                entries[f"{group}.{name}"] = dict(keys)
    return Platforms(entries)


def _field(data: Mapping[str, Any], shared: _Shared) -> Field:
    return Field(
        name=data["name"],
        type=parse_type(data["type"]),
        required=bool(data.get("required", False)),
        nullable=bool(data.get("nullable", False)),
        default=data.get("default", _NO_DEFAULT),
        description=_text(data.get("description")),
        requires=_text(data.get("requires")),
        platforms=_platforms(data.get("platforms"), shared),
        docs_only=data.get("source") == "docs-only",
        values=_values(data.get("values", ()), shared),
        deprecated=_deprecation(data.get("deprecated")),
        default_text=data.get("default_text"),
        declared=parse_type(data["declared"]) if "declared" in data else None,
    )


def _values(data: Any, shared: _Shared) -> tuple[LiteralValue, ...]:
    return tuple(
        LiteralValue(
            v["value"], _text(v.get("description")), _platforms(v.get("platforms"), shared)
        )
        for v in data
    )


def _deprecation(dep: Mapping[str, Any] | None) -> Deprecation | None:
    if dep is None:
        return None
    return Deprecation(dep.get("replacement"), dep.get("since"), _text(dep.get("text")))


def _callable(data: Mapping[str, Any], owner: str | None, shared: _Shared) -> Callable:
    return Callable(
        name=data["name"],
        description=_description(data),
        params=tuple(_field(p, shared) for p in data["params"]),
        returns=parse_type(data["returns"]),
        platforms=_platforms(data.get("platforms"), shared),
        owner=owner,
        deprecated=_deprecation(data.get("deprecated")),
        tutorial=tuple(Link(_given_text(t["label"]), t["url"]) for t in data.get("tutorial", ())),
        examples=tuple(
            Example(e["lang"], e["code"], _text(e.get("title"))) for e in data.get("examples", ())
        ),
        type_params=tuple(data.get("typeParams", ())),
    )


def _named(name: str, data: Mapping[str, Any], shared: _Shared) -> NamedType:
    kind = data["kind"]
    if kind == "object":
        return ObjectType(
            name=name,
            description=_description(data),
            fields=tuple(_field(f, shared) for f in data["fields"]),
            extends=data.get("extends"),
            general=bool(data.get("general", False)),
            type_params=tuple(data.get("typeParams", ())),
            platforms=_platforms(data.get("platforms"), shared),
            is_class=bool(data.get("class", False)),
        )
    if kind == "interface":
        return InterfaceType(
            name=name,
            description=_description(data),
            methods=tuple(_callable(m, name, shared) for m in data["methods"]),
            fields=tuple(_field(f, shared) for f in data.get("fields", ())),
            extends=tuple(data.get("extends", ())),
            type_params=tuple(data.get("typeParams", ())),
            platforms=_platforms(data.get("platforms"), shared),
        )
    if kind == "error-codes":
        return ErrorCodesType(
            name=name,
            subject=data.get("subject", ""),
            description=_description(data),
            codes=tuple(
                ErrorCode(
                    c["code"],
                    _description(c),
                    c.get("errMsg", ""),
                    _platforms(c.get("platforms"), shared),
                    _deprecation(c.get("deprecated")),
                )
                for c in data["codes"]
            ),
            platforms=_platforms(data.get("platforms"), shared),
        )
    return AliasType(
        name=name,
        type=parse_type(data["type"]),
        description=_text(data.get("description")),
        values=_values(data.get("values", ()), shared),
        type_params=tuple(data.get("typeParams", ())),
        platforms=_platforms(data.get("platforms"), shared),
    )


def _unique_anchors(
    apis: tuple[Callable, ...], types: dict[str, NamedType]
) -> tuple[tuple[Callable, ...], dict[str, NamedType]]:
    """Every API, type and method with an anchor no other item of the module has: the first
    in document order (APIs, then each type followed by its methods) keeps its slug, later ones
    get ``-2``, ``-3``… (a suffixed slug that is taken moves on to the next number)."""
    taken: set[str] = set()

    def claim(slug: str) -> str:
        if slug not in taken:
            taken.add(slug)
            return ""
        n = 2
        while f"{slug}-{n}" in taken:
            n += 1
        taken.add(f"{slug}-{n}")
        return f"{slug}-{n}"

    new_apis = tuple(_with_slug(a, claim(a.anchor)) for a in apis)
    new_types: dict[str, NamedType] = {}
    for name, named in types.items():
        slug = claim(named.anchor)
        if isinstance(named, InterfaceType):
            methods = tuple(_with_slug(m, claim(m.anchor)) for m in named.methods)
            new_types[name] = replace(named, methods=methods, slug=slug)
        else:
            new_types[name] = replace(named, slug=slug)
    return new_apis, new_types


def _with_slug(item: _Slugged, slug: str) -> _Slugged:
    return replace(item, slug=slug) if slug else item


def build_module(data: Mapping[str, Any], file: str = "") -> Module:
    """Turn one validated module document into a :class:`Module`."""
    example = data.get("example")
    shared: _Shared = {}
    imported = "provenance" in data
    apis = tuple(_callable(a, None, shared) for a in data["apis"])
    types = {name: _named(name, t, shared) for name, t in data["types"].items()}
    if imported:
        apis, types = _unique_anchors(apis, types)
    return Module(
        name=data["module"],
        version=data["version"],
        title=_given_text(data["title"]),
        description=_given_text(data["description"]),
        apis=apis,
        types=types,
        menu=data.get("menu"),
        sources=tuple(
            Link(Text(s["label"], s["label"]), s["url"]) for s in data.get("sources", ())
        ),
        notes=tuple(
            Note(n["id"], _given_text(n["text"]), n.get("after"), n.get("before"))
            for n in data.get("notes", ())
        ),
        example=None
        if example is None
        else ModuleExample(
            title=_given_text(example["title"]),
            lang=example["lang"],
            code=example["code"],
            repository=example.get("repository"),
            preview=example.get("preview"),
            app_redirect=example.get("appRedirect"),
        ),
        file=file,
        languages=tuple(data.get("languages", LANGS)),
        imported=imported,
        external=dict(data.get("external", {})),
        import_differences=tuple(
            ImportDifference(d["path"], d["reason"]) for d in data.get("import-differences", ())
        ),
    )


# ----------------------------------------------------------------------------------------------
# JSON Schema of callback payloads


_PRIMITIVE_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "any": {},
    "null": {"type": "null"},
    "UTSJSONObject": {"type": "object"},
    "Error": {},
    # Binary values travel as the driver protocol's tagged form.
    "ArrayBuffer": {
        "type": "object",
        "required": ["$bytes"],
        "properties": {"$bytes": {"type": "string"}},
        "additionalProperties": False,
    },
}


def _expr_schema(module: Module, expr: TypeExpr, defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(expr, Union):
        return {"anyOf": [_expr_schema(module, m, defs) for m in expr.members]}
    if isinstance(expr, Generic):
        if expr.name != "Array":
            return {}
        return {"type": "array", "items": _expr_schema(module, expr.args[0], defs)}
    if isinstance(expr, Function):
        return {}
    if base_name(expr.name) in _PRIMITIVE_SCHEMAS:
        return dict(_PRIMITIVE_SCHEMAS[base_name(expr.name)])
    named = module.types.get(expr.name)
    if isinstance(named, ErrorCodesType):
        return {"enum": [c.code for c in named.codes]}
    if isinstance(named, AliasType):
        return _expr_schema(module, named.type, defs)
    if isinstance(named, ObjectType):
        if named.name not in defs:
            defs[named.name] = {}
            defs[named.name] = _object_schema(module, named.name, defs)
        return {"$ref": f"#/$defs/{named.name}"}
    return {}


def _object_schema(module: Module, type_name: str, defs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required: list[str] = []
    for f in module.fields(type_name):
        schema = _expr_schema(module, f.type, defs)
        props[f.name] = {"anyOf": [schema, {"type": "null"}]} if f.nullable else schema
        if f.required:
            required.append(f.name)
    return {"type": "object", "properties": props, "required": required}


def payload_schema(module: Module, type_name: str) -> dict[str, Any]:
    """JSON Schema (2020-12) that a callback payload of ``type_name`` must satisfy.

    Payloads are in the driver protocol's JSON form: binary data is ``{"$bytes": base64}``.
    Extra keys are allowed (implementations may add fields, as WeChat adds ``socketTaskId``).
    """
    if type_name in BUILTINS:
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **_expr_schema(module, Named(type_name), {}),
        }
    defs: dict[str, Any] = {}
    root = _expr_schema(module, Named(type_name), defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **root, "$defs": defs}
