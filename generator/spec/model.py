"""The frozen model of an API module: what every renderer, the stub generator and the
conformance suite read.  Built by :func:`build_module` from a document that has already passed
:mod:`generator.spec.validate`; :func:`payload_schema` gives the JSON Schema of a result type,
for checking callback payloads.  Loading a whole spec is :mod:`generator.spec.loader`'s job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from generator.spec.typeexpr import BUILTINS, Function, Generic, Named, TypeExpr, Union, parse_type

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
    "InterfaceType",
    "Lang",
    "Link",
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
    replacement: str  # an API name or "Type.method"
    since: str | None = None


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

    @property
    def qualname(self) -> str:
        return f"{self.owner}.{self.name}" if self.owner else self.name

    @property
    def anchor(self) -> str:
        return self.name.lower()


class _TypeAnchor:
    """Named types share one heading anchor rule: ``ConnectSocketSuccess`` →
    ``#connectsocketsuccess-values`` (the uni-app x docs' slug)."""

    name: str

    @property
    def anchor(self) -> str:
        return f"{self.name.lower()}-values"


@dataclass(frozen=True)
class ObjectType(_TypeAnchor):
    name: str
    description: Text
    fields: tuple[Field, ...]
    extends: str | None = None
    general: bool = False
    kind: Literal["object"] = "object"


@dataclass(frozen=True)
class InterfaceType(_TypeAnchor):
    name: str
    description: Text
    methods: tuple[Callable, ...]
    kind: Literal["interface"] = "interface"
    fields: tuple[Field, ...] = ()

    def method(self, name: str) -> Callable | None:
        return next((m for m in self.methods if m.name == name), None)


@dataclass(frozen=True)
class ErrorCode:
    code: int
    description: Text
    errMsg: str  # empty in an imported module: the declarations do not say it


@dataclass(frozen=True)
class ErrorCodesType(_TypeAnchor):
    name: str
    subject: str  # empty in an imported module: the declarations do not say it
    description: Text
    codes: tuple[ErrorCode, ...]
    kind: Literal["error-codes"] = "error-codes"


@dataclass(frozen=True)
class AliasType(_TypeAnchor):
    name: str
    type: TypeExpr
    description: Text | None = None
    kind: Literal["alias"] = "alias"


NamedType = ObjectType | InterfaceType | ErrorCodesType | AliasType


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
    )


def _callable(data: Mapping[str, Any], owner: str | None, shared: _Shared) -> Callable:
    dep = data.get("deprecated")
    return Callable(
        name=data["name"],
        description=_description(data),
        params=tuple(_field(p, shared) for p in data["params"]),
        returns=parse_type(data["returns"]),
        platforms=_platforms(data.get("platforms"), shared),
        owner=owner,
        deprecated=Deprecation(dep["replacement"], dep.get("since")) if dep else None,
        tutorial=tuple(Link(_given_text(t["label"]), t["url"]) for t in data.get("tutorial", ())),
        examples=tuple(
            Example(e["lang"], e["code"], _text(e.get("title"))) for e in data.get("examples", ())
        ),
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
        )
    if kind == "interface":
        return InterfaceType(
            name=name,
            description=_description(data),
            methods=tuple(_callable(m, name, shared) for m in data["methods"]),
            fields=tuple(_field(f, shared) for f in data.get("fields", ())),
        )
    if kind == "error-codes":
        return ErrorCodesType(
            name=name,
            subject=data.get("subject", ""),
            description=_description(data),
            codes=tuple(
                ErrorCode(c["code"], _description(c), c.get("errMsg", "")) for c in data["codes"]
            ),
        )
    return AliasType(
        name=name, type=parse_type(data["type"]), description=_text(data.get("description"))
    )


def build_module(data: Mapping[str, Any], file: str = "") -> Module:
    """Turn one validated module document into a :class:`Module`."""
    example = data.get("example")
    shared: _Shared = {}
    return Module(
        name=data["module"],
        version=data["version"],
        title=_given_text(data["title"]),
        description=_given_text(data["description"]),
        apis=tuple(_callable(a, None, shared) for a in data["apis"]),
        types={name: _named(name, t, shared) for name, t in data["types"].items()},
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
        return {"type": "array", "items": _expr_schema(module, expr.args[0], defs)}
    if isinstance(expr, Function):
        return {}
    if expr.name in _PRIMITIVE_SCHEMAS:
        return dict(_PRIMITIVE_SCHEMAS[expr.name])
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
