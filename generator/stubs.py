"""The typed package (PEP 561, import name ``uniapi``) from the spec.

:func:`render_stubs` returns every file of the package as text, keyed by its path relative to the
package root; :func:`generate_stubs` writes them.  The bundled spec's package ships inside the kit
(``stubs/uniapi`` is the kit's ``uniapi``), so by default no ``pyproject.toml`` is written: an
import package ships in one distribution.  Asked for a distribution name (``utsapi stubs --dist``),
the package root also gets a ``pyproject.toml`` that builds it on its own, for another spec (the
imported whole surface) or for a project that wants the types without the kit.

Each spec module becomes one module, ``uniapi/<module>.py``: what runs (the reference
implementation imports its TypedDicts) and what type checkers read are the same file.  PEP 702's
``@deprecated`` comes from :mod:`warnings` from Python 3.13 and from ``typing_extensions`` before
(a dependency of the kit, and of a generated distribution, on those versions only).

The templates in ``templates/stubs/`` only format: every decision (how a spec type becomes a
Python annotation, what is required, the order of declarations, which names are imported, the
docstrings) is taken here, in the view model.

Types map as :data:`TYPE_TABLE` says (the package README renders the same table): each spec
type has one annotation for a value the caller gives (``in``: options, callback parameters of a
method) and one for a value the API gives (``out``: results, what callbacks receive).
The direction flips inside a function type's parameters: a callback the caller gives receives
values the API gives.  An object type takes the direction of the places that use it (an options
type is ``in``, a result type ``out``; a type used both ways is rendered ``in``, the wider form).

A callback the spec types ``(result: any) => void`` is typed with the result it receives where
the spec itself says what that is (:func:`_narrow_callbacks`): a method that replaces a deprecated
global takes the global's callback result (``SocketTask.onClose`` receives what
``uni.onSocketClose``'s callback receives, ``OnSocketCloseCallbackResult``), and an options type's
``complete`` receives what its ``success`` or ``fail`` receives.  The docstring says so.  A type
alias the spec leaves undescribed gets a docstring from its type and its users.

The module runs past 500 lines because that view model is one pass over a spec module (the
direction of each type, the order of declarations and the imports depend on each other); split,
each part would need the others' intermediate state.
"""

from __future__ import annotations

import keyword
import re
import textwrap
import unicodedata
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Literal

import jinja2

from generator.exceptions import UtsApiError
from generator.spec import Spec
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
    Text,
)
from generator.spec.typeexpr import Function, Generic, Named, TypeExpr, Union, base_name

__all__ = [
    "DEPRECATED_IMPORT",
    "DEPRECATED_REQUIREMENT",
    "DISTRIBUTION",
    "PACKAGE",
    "RESERVED_MODULES",
    "RESERVED_NAMES",
    "SCALAR_TYPES",
    "TYPE_TABLE",
    "MethodView",
    "ModuleView",
    "ParamView",
    "StubsError",
    "generate_stubs",
    "is_distribution_name",
    "module_names",
    "module_view",
    "python_name",
    "render_stubs",
    "requalify",
    "type_names",
    "type_polarities",
]

PACKAGE = "uniapi"
#: The distribution name ``utsapi stubs --dist`` suggests for a standalone package.
DISTRIBUTION = "uniapi-types"
#: The name of the module-surface Protocol (``uni`` itself, as a type); a spec type of that
#: name is renamed (``Uni_``, :data:`RESERVED_NAMES`).
MODULE_PROTOCOL = "Uni"
#: The module Protocol's key among the spec's type names while ordering (no identifier).
_UNI_KEY = " uni"

Polarity = Literal["in", "out"]

#: Spec builtin -> (annotation of a value the caller gives, of a value the API gives).
SCALAR_TYPES: Mapping[str, tuple[str, str]] = {
    "string": ("str", "str"),
    "number": ("int | float", "int | float"),
    "boolean": ("bool", "bool"),
    "ArrayBuffer": ("bytes | bytearray | memoryview", "bytes"),
    "UTSJSONObject": ("Mapping[str, object]", "dict[str, Any]"),
    "any": ("object", "Any"),
    "Error": ("BaseException", "BaseException"),
    "null": ("None", "None"),
    "void": ("None", "None"),
}
#: The whole mapping as documented: (spec type, given, received).
TYPE_TABLE: tuple[tuple[str, str, str], ...] = (
    *((name, given, received) for name, (given, received) in SCALAR_TYPES.items()),
    ("Array<T>", "Sequence[T]", "list[T]"),
    ("(result: T) => void", "Callable[[T], object]", "Callable[[T], None]"),
    ("A | B", "A | B", "A | B"),
    ("a field with nullable: true", "T | None", "T | None"),
    ("a field without required: true", "NotRequired[T]", "NotRequired[T]"),
)
_IMPORTED = {"Any": "typing", "Mapping": "collections.abc"}

_DOC_WIDTH = 92
#: PEP 702's decorator: in the standard library from Python 3.13, in ``typing_extensions`` before.
DEPRECATED_IMPORT: tuple[str, ...] = (
    "if sys.version_info >= (3, 13):",
    "    from warnings import deprecated",
    "else:",
    "    from typing_extensions import deprecated",
)
#: What a module using ``DEPRECATED_IMPORT`` needs installed (a standalone distribution says it).
DEPRECATED_REQUIREMENT = 'typing_extensions>=4.5; python_version < "3.13"'


class StubsError(UtsApiError):
    """The spec cannot be rendered as Python (a name clash, a cycle between declarations)."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message
        super().__init__(file, message)

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


# ----------------------------------------------------------------------------------------------
# View model


@dataclass(frozen=True)
class FieldView:
    name: str
    annotation: str
    doc: str | None


@dataclass(frozen=True)
class ParamView:
    name: str
    annotation: str
    default: str = ""  # " = ..." for a parameter the spec does not require


@dataclass(frozen=True)
class MethodView:
    """A method of a Protocol: the spec's name and parameters, Python annotations."""

    name: str
    qualname: str
    params: tuple[ParamView, ...]
    returns: str
    doc: str
    decorators: tuple[str, ...]
    #: The spec's name, when ``name`` had to differ (a keyword: ``class`` -> ``class_``).
    spec_name: str = ""


@dataclass(frozen=True)
class Declaration:
    """One top-level statement group of the module; ``kind`` picks the template block."""

    kind: Literal["typeddict", "alias", "protocol"]
    name: str
    doc: str | None
    value: str = ""
    fields: tuple[FieldView, ...] = ()
    methods: tuple[MethodView, ...] = ()
    #: A TypedDict in the functional form (field names are then string literals).
    functional: bool = False


@dataclass(frozen=True)
class ModuleView:
    name: str
    spec_file: str
    version: str
    doc: str
    imports: tuple[str, ...]
    #: Statements after the imports that pick an import by Python version (``@deprecated``'s).
    versioned_imports: tuple[str, ...]
    declarations: tuple[Declaration, ...]
    exports: tuple[str, ...]

    def method(self, protocol: str, name: str) -> MethodView | None:
        """The method the spec names ``name`` of the Protocol named ``protocol``."""
        decl = next((d for d in self.declarations if d.name == protocol), None)
        if decl is None:
            return None
        return next((m for m in decl.methods if (m.spec_name or m.name) == name), None)


@dataclass
class _Imports:
    """Names the rendered annotations use, grouped by the module they come from."""

    by_module: dict[str, set[str]] = field(default_factory=dict)

    def add(self, module: str, name: str) -> str:
        self.by_module.setdefault(module, set()).add(name)
        return name

    plain: set[str] = field(default_factory=set)

    def lines(self) -> tuple[str, ...]:
        # ruff's isort order: ``import x`` before ``from x import``, each sorted by module.
        return (
            *(f"import {module}" for module in sorted(self.plain)),
            *(
                f"from {module} import {', '.join(sorted(names, key=_isort_key))}"
                for module, names in sorted(self.by_module.items())
            ),
        )


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's isort order inside one ``from`` import: CONSTANTS, Classes, functions.
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


# ----------------------------------------------------------------------------------------------
# Names and text that reach Python source

#: An identifier as the schema spells one (ASCII); checked again here, whole-string, before
#: anything is written (a pattern search would let ``"name\n"`` through).
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A spec version, as the schema spells it.
_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
#: Module names Python's package layout gives a meaning of its own.
RESERVED_MODULES = frozenset({"__init__", "__main__"})
#: Builtins the rendered annotations read.
_BUILTINS_READ = frozenset(
    {"str", "int", "float", "bool", "bytes", "bytearray", "memoryview", "list", "dict", "object",
     "BaseException"}
)  # fmt: skip
#: Names a generated module imports -> the module that holds them.
_IMPORTED_FROM = {
    "Any": "typing", "Literal": "typing", "NotRequired": "typing", "Protocol": "typing",
    "TypeAlias": "typing", "TypedDict": "typing",
    "Callable": "collections.abc", "Mapping": "collections.abc", "Sequence": "collections.abc",
}  # fmt: skip
#: Every module-level name a generated module binds or reads besides its declarations: a type
#: with one of these names is renamed by :func:`python_name`'s rule.
RESERVED_NAMES = frozenset(
    {*_BUILTINS_READ, *_IMPORTED_FROM, "sys", "deprecated", "builtins", "typing", "collections",
     MODULE_PROTOCOL}
)  # fmt: skip
#: A string literal or a (dotted) name, in an annotation.
_ANNOTATION_TOKEN = re.compile(
    r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"""
)
#: Unicode categories never written raw into a generated file: controls (NUL, ESC…), format
#: characters (the bidirectional overrides among them), surrogates, private use, unassigned,
#: line and paragraph separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def python_name(name: str, taken: Container[str] = frozenset()) -> str:
    """The Python identifier of a spec name: the name itself, or, when it is a Python keyword
    (``class``, ``None``, ``in``) or already ``taken``, the name with a trailing underscore,
    repeated until it is neither (``class`` -> ``class_``).  Soft keywords (``match``, ``case``,
    ``type``, ``_``) are valid identifiers and stay as they are."""
    ident = name
    while keyword.iskeyword(ident) or ident in taken:
        ident += "_"
    return ident


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _source_safe(text: str, keep: str = "\n") -> str:
    """``text`` with every unsafe character but those in ``keep`` as an escape sequence; for the
    inside of a string literal whose backslashes are already doubled."""
    if text.isprintable():
        return text
    return "".join(
        _escape_char(c) if c not in keep and unicodedata.category(c) in _UNSAFE_CATEGORIES else c
        for c in text
    )


def _string_literal(text: str) -> str:
    """A double-quoted Python literal of ``text`` on one line."""
    return '"' + _source_safe(text.replace("\\", "\\\\").replace('"', '\\"'), keep="") + '"'


#: What a provenance label keeps as it is; anything else is written as an escape sequence.
_LABEL_SAFE = re.compile(r"[A-Za-z0-9._/ +-]")


def _label(text: str) -> str:
    """A name for a comment line (``# Generated from …``, ``<!-- … -->``): one line, no
    character that could end the comment or reorder the text."""
    return "".join(c if _LABEL_SAFE.fullmatch(c) else _escape_char(c) for c in text)


def _annotation_names(annotation: str) -> set[str]:
    """The names an annotation reads (dotted names whole; string literals skipped)."""
    return {t for t in _ANNOTATION_TOKEN.findall(annotation) if t[0] not in "\"'"}


def requalify(annotation: str, names: Mapping[str, str]) -> str:
    """``annotation`` with each name in ``names`` replaced, string literals left alone."""
    return _ANNOTATION_TOKEN.sub(lambda m: names.get(m[0], m[0]), annotation)


def _wrap(text: str, width: int, subsequent_indent: str = "") -> list[str]:
    """``textwrap.wrap(text, width, subsequent_indent=...)``, without textwrap for the common
    case it leaves alone: one line that fits, with single spaces and no space at either end."""
    if 0 < len(text) <= width and text == " ".join(text.split()):
        return [text]
    return textwrap.wrap(text, width, subsequent_indent=subsequent_indent)


def _docstring(text: str, indent: int) -> str:
    """A triple-quoted literal of ``text``, wrapped to the line width at ``indent``.

    Backslashes and ``\"\"\"`` are escaped, and so is every character of
    :data:`_UNSAFE_CATEGORIES` (a NUL, an ANSI escape, a bidirectional override), so the literal
    holds exactly the text's words and nothing else reaches the source."""
    width = max(_DOC_WIDTH - indent, 40)
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    lines: list[str] = []
    for i, para in enumerate(paragraphs):
        if i:
            lines.append("")
        if para.startswith("- ") or "\n- " in para:
            for item in para.split("\n"):
                lines.extend(_wrap(item, width, subsequent_indent="  ") or [""])
        else:
            lines.extend(_wrap(" ".join(para.split()), width) or [""])
    body = _source_safe("\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"'))
    if body.endswith('"'):
        body += " "
    pad = " " * indent
    if "\n" not in body:
        return f'"""{body}"""'
    return (
        '"""'
        + "\n".join(pad + ln if ln else "" for ln in body.split("\n")).lstrip()
        + f'\n{pad}"""'
    )


def _py_literal(value: object) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return '""' if value == "" else repr(value)
    return repr(value)


class _Mapper:
    """Turns spec type expressions into annotations, recording the imports they need."""

    def __init__(self, module: Module, imports: _Imports, names: Mapping[str, str]) -> None:
        self.module = module
        self.imports = imports
        self.names = names  # spec type name -> its Python name

    def annotation(self, expr: TypeExpr, polarity: Polarity) -> str:
        if isinstance(expr, Union):
            return _join(self.annotation(m, polarity) for m in expr.members)
        if isinstance(expr, Generic) and expr.name != "Array":
            # A declared generic (RequestOptions<T>) is written unparametrised; a global one
            # (Promise<T>, Map<K, V>) is opaque, as an external type is.
            if expr.name in self.module.types:
                return self.names.get(expr.name, expr.name)
            return self.opaque(polarity)
        if isinstance(expr, Generic):
            item = self.annotation(expr.args[0], polarity)
            if polarity == "in":
                return f"{self.imports.add('collections.abc', 'Sequence')}[{item}]"
            return f"list[{item}]"
        if isinstance(expr, Function):
            flipped: Polarity = "out" if polarity == "in" else "in"
            params = ", ".join(self.annotation(t, flipped) for _, t in expr.params)
            returns = self.annotation(expr.returns, "out")
            if returns == "None" and polarity == "in":
                returns = "object"  # a callback's return value is ignored, as TS `=> void`
            return f"{self.imports.add('collections.abc', 'Callable')}[[{params}], {returns}]"
        return self.named(expr, polarity)

    def opaque(self, polarity: Polarity) -> str:
        """A type the module does not declare: a type parameter (``T``), a type of another
        module or of the runtime (``IUniError``): ``object`` given, ``Any`` received."""
        return "object" if polarity == "in" else self.imports.add("typing", "Any")

    def named(self, expr: Named, polarity: Polarity) -> str:
        name = base_name(expr.name)  # string.PageURIString is a string
        if name not in SCALAR_TYPES:
            if name in self.names:
                return self.names[name]
            return self.opaque(polarity)
        given, received = SCALAR_TYPES[name]
        text = given if polarity == "in" else received
        for ident in re.findall(r"[A-Za-z_]+", text):
            if ident in _IMPORTED:
                self.imports.add(_IMPORTED[ident], ident)
        return text

    def literal(self, values: Sequence[LiteralValue]) -> str | None:
        """``Literal["game", "ui"]`` of a literal union; None when a value cannot be a Literal
        (a float): the base type is used then."""
        parts: list[str] = []
        for v in values:
            if isinstance(v.value, bool):
                parts.append("True" if v.value else "False")
            elif isinstance(v.value, int):
                parts.append(str(v.value))
            elif isinstance(v.value, str):
                parts.append(_string_literal(v.value))
            else:
                return None
        return f"{self.imports.add('typing', 'Literal')}[{', '.join(dict.fromkeys(parts))}]"

    def typed(self, expr: TypeExpr, values: Sequence[LiteralValue], polarity: Polarity) -> str:
        """The annotation of a type with legal values: their Literal, else the type's own."""
        if values:
            literal = self.literal(values)
            if literal is not None:
                return literal
        return self.annotation(expr, polarity)

    def field(self, f: Field, polarity: Polarity) -> str:
        """The value annotation of a field, ``None`` added when nullable (no ``NotRequired``)."""
        annotation = self.typed(f.type, f.values, polarity)
        if f.nullable and not (annotation == "None" or annotation.endswith(" | None")):
            annotation += " | None"
        return annotation


def _join(parts: Iterable[str]) -> str:
    seen: list[str] = []
    for part in parts:
        if part not in seen:
            seen.append(part)
    return " | ".join(seen)


def type_polarities(module: Module) -> dict[str, set[Polarity]]:
    """Which directions each named type of ``module`` is used in: ``in`` (a value the caller
    gives: a parameter) or ``out`` (a value the API gives: a return value, an interface
    property), walking from the callables' signatures; a function type's parameters flip the
    direction, a generic's type arguments keep it.  ``utsapi diff`` classifies changes with it
    too."""
    found: dict[str, set[Polarity]] = {}

    def visit(expr: TypeExpr, polarity: Polarity) -> None:
        if isinstance(expr, Union):
            for member in expr.members:
                visit(member, polarity)
        elif isinstance(expr, Function):
            flipped: Polarity = "out" if polarity == "in" else "in"
            for _, param in expr.params:
                visit(param, flipped)
            visit(expr.returns, polarity)
        else:
            if isinstance(expr, Generic):
                for arg in expr.args:
                    visit(arg, polarity)
            named = module.types.get(expr.name)
            if named is None or polarity in found.setdefault(expr.name, set()):
                return
            found[expr.name].add(polarity)
            if isinstance(named, ObjectType):
                for f in module.fields(named.name):
                    visit(f.type, polarity)
            elif isinstance(named, AliasType):
                visit(named.type, polarity)

    for callable_ in module.callables():
        for param in callable_.params:
            visit(param.type, "in")
        visit(callable_.returns, "out")
    for named in module.types.values():
        if isinstance(named, InterfaceType):
            for f in named.fields:
                visit(f.type, "out")
    return found


def _sentence(text: str) -> str | None:
    text = text.strip()
    return text.rstrip(".") + "." if text else None


def _field_doc(f: Field) -> str | None:
    parts: list[str | None] = []
    if f.description is not None:
        parts.append(_sentence(f.description.en))
    if f.requires is not None:
        parts.append(_sentence(f.requires.en))
    if f.docs_only:
        parts.append("Documented for the WeChat mini program only; not in the UTS interface.")
    if f.has_default:
        parts.append(f"Default: ``{_py_literal(f.default)}``.")
    return " ".join(p for p in parts if p) or None


def _callable_doc(c: Callable) -> str:
    parts = [c.description.en]
    args = [
        f"- {p.name}: {p.description.en}"
        for p in c.params
        if p.description is not None and p.description.en.strip()
    ]
    if args:
        parts.append("Args:\n" + "\n".join(args))
    if c.deprecated is not None:
        parts.append(_deprecation_note(c.deprecated))
    return "\n\n".join(parts)


def _deprecation_note(dep: Deprecation) -> str:
    if dep.replacement is not None:
        return f"Deprecated: use ``{dep.replacement}`` instead."
    return f"Deprecated: {dep.text.en}" if dep.text is not None else "Deprecated."


def _deprecation_message(c: Callable) -> str:
    assert c.deprecated is not None
    owner = f"{c.owner}." if c.owner else "uni."
    if c.deprecated.replacement is None:
        return f"{owner}{c.name} is deprecated."
    return f"{owner}{c.name} is deprecated; use {c.deprecated.replacement} instead."


def _assign(names: Iterable[str], reserved: Container[str] = frozenset()) -> dict[str, str]:
    """Spec name -> Python name by :func:`python_name`'s rule, every result distinct: names that
    need no change keep theirs first, then the others take the next free underscored form."""
    ordered = list(dict.fromkeys(names))
    kept = {n: n for n in ordered if not keyword.iskeyword(n) and n not in reserved}
    taken = set(kept.values()) | set(ordered)
    assigned = dict(kept)
    for name in ordered:
        if name not in assigned:
            assigned[name] = python_name(name + "_" if name in taken else name, taken)
            taken.add(assigned[name])
    return {n: assigned[n] for n in ordered}


def _check_identifier(file: str, what: str, name: str) -> None:
    if _IDENTIFIER.fullmatch(name) is None:
        raise StubsError(
            file, f"{what} {name!r} is not a Python identifier (ASCII letters, digits, _)"
        )


class _Scope:
    """The names one declaration's annotations may read: what is defined before it at run time
    (a later or cyclic reference becomes a string, a forward reference) and, inside a class
    body, the members that shadow a module-level name (read qualified, ``builtins.list``)."""

    def __init__(self, file: str, imports: _Imports, declared: set[str]) -> None:
        self.file = file
        self.imports = imports
        self.declared = declared
        self.defined: set[str] = set()

    def value(self, annotation: str, members: Container[str] = frozenset(), owner: str = "") -> str:
        """An annotation as it can be written at its place; ``members`` shadow in a class body."""
        names = _annotation_names(annotation)
        shadowed = {n: self._qualified(n, owner) for n in names if n in members}
        if shadowed:
            annotation = requalify(annotation, shadowed)
        if (names & self.declared) - self.defined:
            return _string_literal(annotation)
        return annotation

    def _qualified(self, name: str, owner: str) -> str:
        if name in _BUILTINS_READ:
            self.imports.plain.add("builtins")
            return f"builtins.{name}"
        if name in _IMPORTED_FROM:
            self.imports.plain.add(_IMPORTED_FROM[name])
            return f"{_IMPORTED_FROM[name]}.{name}"
        raise StubsError(
            self.file,
            f"{owner} has a member named {name!r}, which hides the type {name} it refers to",
        )


def _methods(
    mapper: _Mapper,
    scope: _Scope,
    callables: Sequence[Callable],
    members: Mapping[str, str],
    *,
    owner: str,
    indent: int,
) -> tuple[MethodView, ...]:
    views: list[MethodView] = []
    shadowing = set(members.values())
    for c in callables:
        param_names = _assign((p.name for p in c.params), reserved={"self"})
        params = tuple(
            ParamView(
                param_names[p.name],
                scope.value(
                    mapper.typed(p.type, p.values, "in") + (" | None" if p.nullable else ""),
                    shadowing,
                    owner,
                ),
                "" if p.required else " = ...",
            )
            for p in c.params
        )
        decorators: tuple[str, ...] = ()
        if c.deprecated is not None:
            mapper.imports.plain.add("sys")  # DEPRECATED_IMPORT's version check
            decorators = (f"@deprecated({_string_literal(_deprecation_message(c))})",)
        views.append(
            MethodView(
                name=members[c.name],
                qualname=c.qualname,
                params=params,
                returns=scope.value(mapper.annotation(c.returns, "out"), shadowing, owner),
                doc=_docstring(_callable_doc(c), indent),
                decorators=decorators,
                spec_name=c.name,
            )
        )
    return tuple(views)


def _references(expr: TypeExpr) -> set[str]:
    return {e.name for e in expr.walk() if isinstance(e, Named | Generic)}


def _error_codes_doc(t: ErrorCodesType) -> str:
    lines = []
    for c in t.codes:
        text = c.description.en.strip().rstrip(".")
        msg = f"errMsg {c.errMsg!r}" if c.errMsg else ""
        detail = f"{text} ({msg})" if text and msg else text or msg
        lines.append(f"- ``{c.code}``" + (f": {detail}" if detail else ""))
    subject = f"Errors have errSubject {t.subject!r}.\n\n" if t.subject else ""
    return f"{t.description.en}\n\n{subject}" + "\n".join(lines)


def type_names(module: Module) -> dict[str, str]:
    """Spec type name -> its Python name in ``uniapi.<module>`` (:func:`python_name`'s rule,
    with the names the module itself uses, :data:`RESERVED_NAMES`, taken)."""
    for name in module.types:
        _check_identifier(module.file, "type name", name)
    return _assign(module.types, RESERVED_NAMES)


def module_names(spec: Spec) -> dict[str, str]:
    """Spec module name -> the name of its module in the package (``uniapi.<name>``)."""
    seen: set[str] = set()
    for module in spec.modules:
        _check_identifier(module.file, "module name", module.name)
        if module.name in RESERVED_MODULES:
            raise StubsError(
                module.file,
                f"module name {module.name!r} is reserved in a Python package "
                f"({', '.join(sorted(RESERVED_MODULES))}); rename the module",
            )
        if module.name in seen:
            raise StubsError(module.file, f"a second module named {module.name!r}")
        seen.add(module.name)
    return _assign(m.name for m in spec.modules)


def _class_members(named: InterfaceType) -> dict[str, str]:
    """Spec member name -> Python name, for an interface's properties and methods."""
    return _assign([*(f.name for f in named.fields), *(m.name for m in named.methods)])


def _interface_deps(named: InterfaceType) -> set[str]:
    return set().union(
        *(_references(f.type) for f in named.fields),
        *(_references(p.type) for m in named.methods for p in m.params),
        *(_references(m.returns) for m in named.methods),
    )


def module_view(module: Module, python_module: str | None = None) -> ModuleView:
    """The view of one spec module, rendered as ``uniapi/<python_module>.py`` (by default the
    module's own name)."""
    if _VERSION.fullmatch(module.version) is None:
        raise StubsError(module.file, f"version {module.version!r} is not MAJOR.MINOR.PATCH")
    _check_identifier(module.file, "module name", module.name)
    module = _narrow_callbacks(module)
    imports = _Imports()
    names = type_names(module)
    mapper = _Mapper(module, imports, names)
    polarity = type_polarities(module)
    deps: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for name, named in module.types.items():
        if isinstance(named, ErrorCodesType):
            deps[name], kinds[name] = set(), "alias"
        elif isinstance(named, AliasType):
            deps[name], kinds[name] = _references(named.type), "alias"
        elif isinstance(named, ObjectType):
            deps[name] = set().union(*(_references(f.type) for f in module.fields(name)))
            kinds[name] = "typeddict"
        else:
            deps[name], kinds[name] = _interface_deps(named), "protocol"
    deps[_UNI_KEY] = set().union(
        *(_references(p.type) for a in module.apis for p in a.params),
        *(_references(a.returns) for a in module.apis),
    )
    kinds[_UNI_KEY] = "protocol"
    order = _topological(kinds, {n: (d & module.types.keys()) - {n} for n, d in deps.items()})

    scope = _Scope(module.file, imports, {*names.values(), MODULE_PROTOCOL})
    decls: list[Declaration] = []
    for name in order:
        if name == _UNI_KEY:
            decls.append(_uni_protocol(module, mapper, scope))
        else:
            direction: Polarity = "in" if "in" in polarity.get(name, {"out"}) else "out"
            decls.append(
                _declaration(module.types[name], names[name], mapper, scope, direction=direction)
            )
            if decls[-1].kind == "alias" and decls[-1].doc is None:
                decls[-1] = replace(decls[-1], doc=_docstring(_alias_doc(module, name), 0))
        scope.defined.add(decls[-1].name)

    deprecates = any(m.decorators for d in decls for m in d.methods)
    return ModuleView(
        name=python_module or module.name,
        spec_file=_spec_label(module),
        version=module.version,
        doc=_docstring(
            f"{module.title.en}: {module.description.en}\n\n"
            f"Generated from the utsapi spec (module {module.name!r}, version {module.version}). "
            "Keys are spelled as the API spells them (``errMsg``, ``errCode``).",
            0,
        ),
        imports=imports.lines(),
        versioned_imports=DEPRECATED_IMPORT if deprecates else (),
        declarations=tuple(decls),
        exports=tuple(sorted(d.name for d in decls)),
    )


def _declaration(
    named: NamedType, name: str, mapper: _Mapper, scope: _Scope, *, direction: Polarity
) -> Declaration:
    imports = mapper.imports
    if isinstance(named, ErrorCodesType):
        imports.add("typing", "TypeAlias")
        literal = imports.add("typing", "Literal")
        codes = ", ".join(str(c.code) for c in named.codes)
        return Declaration(
            "alias", name, _docstring(_error_codes_doc(named), 0), value=f"{literal}[{codes}]"
        )
    if isinstance(named, AliasType):
        imports.add("typing", "TypeAlias")
        doc = named.description.en if named.description else ""
        return Declaration(
            "alias",
            name,
            _docstring(doc, 0) if doc.strip() else None,
            value=scope.value(mapper.typed(named.type, named.values, direction)),
        )
    if isinstance(named, ObjectType):
        return _typeddict(named, name, mapper, scope, direction=direction)
    imports.add("typing", "Protocol")
    members = _class_members(named)
    shadowing = set(members.values())
    attributes = tuple(
        FieldView(
            members[f.name],
            scope.value(_attribute(mapper, f), shadowing, name),
            _field_docstring(f, 4),
        )
        for f in named.fields
    )
    return Declaration(
        "protocol",
        name,
        _docstring(named.description.en, 4),
        fields=attributes,
        methods=_methods(mapper, scope, named.methods, members, owner=name, indent=8),
    )


def _attribute(mapper: _Mapper, f: Field) -> str:
    """A Protocol attribute: a property the declarations mark optional may be absent (None)."""
    annotation = mapper.field(f, "out")
    if not f.required and not (annotation == "None" or annotation.endswith(" | None")):
        annotation += " | None"
    return annotation


def _field_docstring(f: Field, indent: int) -> str | None:
    doc = _field_doc(f)
    return None if doc is None else _docstring(doc, indent)


def _typeddict(
    named: ObjectType, name: str, mapper: _Mapper, scope: _Scope, *, direction: Polarity
) -> Declaration:
    """A class-syntax TypedDict; the functional form (``TypedDict("T", {"class": str})``) when a
    key cannot be a class attribute: a keyword, or a name its annotations read."""
    mapper.imports.add("typing", "TypedDict")
    fields = mapper.module.fields(named.name)
    values = [mapper.field(f, direction) for f in fields]
    keys = {f.name for f in fields}
    read = set().union(*(_annotation_names(v) for v in values))
    functional = any(
        keyword.iskeyword(k) or _IDENTIFIER.fullmatch(k) is None for k in keys
    ) or bool(keys & read)
    views: list[FieldView] = []
    for f, raw in zip(fields, values, strict=True):
        value = scope.value(raw)
        if not f.required:
            value = f"{mapper.imports.add('typing', 'NotRequired')}[{value}]"
        key = _string_literal(f.name) if functional else f.name
        views.append(FieldView(key, value, None if functional else _field_docstring(f, 4)))
    doc = named.description.en
    if named.extends in mapper.module.types:
        doc += f"\n\nExtends ``{named.extends}`` (its keys are repeated here)."
    elif named.extends:
        doc += f"\n\nExtends ``{named.extends}``, a type this module does not declare."
    if functional:
        key_docs = [f"- ``{f.name}``: {_field_doc(f)}" for f in fields if _field_doc(f)]
        if key_docs:
            doc += "\n\nKeys:\n" + "\n".join(key_docs)
    return Declaration(
        "typeddict", name, _docstring(doc, 0 if functional else 4), fields=tuple(views),
        functional=functional,
    )  # fmt: skip


def _uni_protocol(module: Module, mapper: _Mapper, scope: _Scope) -> Declaration:
    mapper.imports.add("typing", "Protocol")
    members = _assign(a.name for a in module.apis)
    return Declaration(
        "protocol",
        MODULE_PROTOCOL,
        _docstring(
            f"The ``uni`` object, its {module.title.en} APIs.\n\n{module.description.en}", 4
        ),
        methods=_methods(mapper, scope, module.apis, members, owner=MODULE_PROTOCOL, indent=8),
    )


def _spec_label(module: Module) -> str:
    """The spec file as the generated files name it: no absolute path, so output is stable, and
    no character that could leave the comment it is written in (:func:`_label`)."""
    path = Path(module.file or f"{module.name}.yaml")
    label = f"spec/modules/{path.name}" if path.parent.name == "modules" else path.name
    return _label(label)


# ----------------------------------------------------------------------------------------------
# Callbacks the spec types ``any`` where it says elsewhere what they receive

#: The spec's "any": a callback receiving it is a candidate for narrowing.
_ANY = Named("any")
#: How many users an alias's generated docstring names before "and N more".
_USERS_SHOWN = 5


def _callback(module: Module, expr: TypeExpr, depth: int = 0) -> Function | None:
    """The function type of a callback-typed field or parameter: the function itself, the one
    function of a union with null, or the type of an alias to either; else None."""
    if isinstance(expr, Function):
        return expr
    if isinstance(expr, Union):
        functions = [m for m in expr.members if isinstance(m, Function)]
        others = [m for m in expr.members if not isinstance(m, Function)]
        if len(functions) == 1 and all(m == Named("null") for m in others):
            return functions[0]
        return None
    named = module.types.get(expr.name) if isinstance(expr, Named) else None
    if isinstance(named, AliasType) and depth < 8:
        return _callback(module, named.type, depth + 1)
    return None


def _receives_any(module: Module, expr: TypeExpr) -> bool:
    """Whether ``expr`` is written inline as a callback of one ``any`` parameter."""
    function = _callback(module, expr) if not isinstance(expr, Named) else None
    return function is not None and len(function.params) == 1 and function.params[0][1] == _ANY


def _declared_result(module: Module, expr: TypeExpr) -> TypeExpr | None:
    """The result type a callback declares: its one parameter's type when that is a type the
    module declares (a result object, not ``any``, not another module's)."""
    function = _callback(module, expr)
    if function is None or len(function.params) != 1:
        return None
    result = function.params[0][1]
    return result if isinstance(result, Named) and result.name in module.types else None


def _with_result(expr: TypeExpr, result: TypeExpr) -> TypeExpr:
    """``expr`` (an inline callback, maybe ``| null``) with its one parameter typed ``result``."""
    if isinstance(expr, Function):
        return Function(((expr.params[0][0], result),), expr.returns, expr.optional)
    assert isinstance(expr, Union)
    return Union(tuple(_with_result(m, result) if isinstance(m, Function) else m
                       for m in expr.members))  # fmt: skip


def _noted(text: Text | None, note: str) -> Text:
    if text is None:
        return Text(zh="", en=note)
    return replace(text, en=f"{_sentence(text.en) or ''} {note}".strip())


def _narrow_callbacks(module: Module) -> Module:
    """``module`` with each callback the spec types ``(result: any) => void`` typed with the
    result the spec declares for it elsewhere:

    - a parameter of a callable that a deprecated API names as its replacement takes the result
      of that API's callback in the same place (``SocketTask.onClose`` <- ``uni.onSocketClose``);
    - a ``complete`` field of an object type with ``success`` and ``fail`` fields receives what
      they receive ("called when the API call ends, after success or fail", with their result).

    Where the spec says nothing more, ``any`` stays (``Any`` in the package)."""
    replaced_by = {
        (a.deprecated.replacement.removeprefix("uni.")): a
        for a in module.apis
        if a.deprecated is not None and a.deprecated.replacement
    }

    def narrow_callable(c: Callable) -> Callable:
        old = replaced_by.get(c.qualname)
        if old is None:
            return c
        params = list(c.params)
        notes = []
        for i, p in enumerate(params):
            if i >= len(old.params) or not _receives_any(module, p.type):
                continue
            result = _declared_result(module, old.params[i].type)
            if result is None:
                continue
            params[i] = replace(p, type=_with_result(p.type, result))
            notes.append(
                f"The callback receives ``{result}``, the result ``uni.{old.name}`` declares for "
                "it (the spec types it ``any`` here)."
            )
        if not notes:
            return c
        return replace(c, params=tuple(params), description=_noted(c.description, " ".join(notes)))

    def narrow_fields(named: ObjectType) -> ObjectType:
        siblings = {f.name: f for f in module.fields(named.name)}
        fields = list(named.fields)
        for i, f in enumerate(fields):
            if f.name != "complete" or not _receives_any(module, f.type):
                continue
            results = [
                _declared_result(module, siblings[k].type) if k in siblings else None
                for k in ("success", "fail")
            ]
            if any(r is None for r in results):
                continue
            members = tuple(dict.fromkeys(r for r in results if r is not None))
            result = members[0] if len(members) == 1 else Union(members)
            fields[i] = replace(
                f,
                type=_with_result(f.type, result),
                description=_noted(
                    f.description, "Receives what ``success`` or ``fail`` receives."
                ),
            )
        return replace(named, fields=tuple(fields)) if fields != list(named.fields) else named

    types: dict[str, NamedType] = {}
    for name, named in module.types.items():
        if isinstance(named, ObjectType):
            types[name] = narrow_fields(named)
        elif isinstance(named, InterfaceType):
            types[name] = replace(named, methods=tuple(narrow_callable(m) for m in named.methods))
        else:
            types[name] = named
    return replace(module, apis=tuple(narrow_callable(a) for a in module.apis), types=types)


def _alias_doc(module: Module, name: str) -> str:
    """A docstring for an alias the spec does not describe: what it is, and who uses it."""
    alias = module.types[name]
    assert isinstance(alias, AliasType)
    function = _callback(module, alias.type)
    if function is not None:
        received = ", ".join(f"``{t}``" for _, t in function.params) or "nothing"
        text = f"A callback: receives {received}; what it returns is ignored."
    else:
        text = f"The spec type ``{alias.type}``."
    users = [
        f"``{'uni.' if c.owner is None else ''}{c.qualname}``"
        for c in module.callables()
        if any(name in _references(p.type) for p in c.params)
    ]
    users += [
        f"``{t.name}.{f.name}``"
        for t in module.types.values()
        if isinstance(t, ObjectType)
        for f in t.fields
        if name in _references(f.type)
    ]
    if users:
        more = len(users) - _USERS_SHOWN
        shown = ", ".join(users[:_USERS_SHOWN]) + (f" and {more} more" if more > 0 else "")
        text += f"\n\nUsed by {shown}."
    return text


# Declaration order: error-code literals, object types, callback aliases, Protocols, each in spec
# order and each after what it refers to where it can be (the module evaluates its annotations
# at import, so a name must exist before it is read).  Types that refer to each other in a cycle
# cannot all come after each other: the reference that closes the cycle is written as a string,
# a forward reference (``_Scope.value``).
def _topological(kinds: Mapping[str, str], deps: Mapping[str, set[str]]) -> list[str]:
    spec_order = {name: i for i, name in enumerate(kinds)}

    def rank(name: str) -> tuple[int, int]:
        kind = kinds[name]
        group = {"typeddict": 1, "protocol": 3}.get(kind, 0 if not deps[name] else 2)
        return (group, spec_order[name])

    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str) -> None:
        if name in state:  # done, or on the current path: a cycle, closed by a forward reference
            return
        state[name] = "visiting"
        for dep in sorted(deps[name], key=rank):
            visit(dep)
        state[name] = "done"
        ordered.append(name)

    for name in sorted(kinds, key=rank):
        visit(name)
    return ordered


# ----------------------------------------------------------------------------------------------
# Rendering


@dataclass(frozen=True)
class PackageView:
    package: str
    #: None: the package ships inside another distribution (the kit), no ``pyproject.toml``.
    distribution: str | None
    version: str
    python_requires: str
    dependencies: tuple[str, ...]
    modules: tuple[ModuleView, ...]
    sources: tuple[str, ...]
    type_table: tuple[tuple[str, str, str], ...] = TYPE_TABLE

    @property
    def example(self) -> bool:
        """Whether the README's example (the WebSocket module's names) applies."""
        return any(
            m.name == "websocket" and {"ConnectSocketOptions", "SocketTask"} <= set(m.exports)
            for m in self.modules
        )


def _package_version(spec: Spec) -> str:
    def key(version: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))

    return max((m.version for m in spec.modules), key=key)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates/stubs"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


#: PEP 508's rule for a distribution name.
_DISTRIBUTION_NAME = re.compile(r"[A-Z0-9]([A-Z0-9._-]*[A-Z0-9])?", re.IGNORECASE)


def is_distribution_name(name: str) -> bool:
    """Whether ``name`` is a valid distribution name (PEP 508)."""
    return _DISTRIBUTION_NAME.fullmatch(name) is not None


def render_stubs(spec: Spec, *, distribution: str | None = None) -> dict[PurePosixPath, str]:
    """Every file of the typed package, keyed by its path relative to the package root.

    ``distribution`` names a standalone distribution to describe in a ``pyproject.toml``; without
    it the package root holds the package and its README only.
    """
    if not spec.modules:
        raise StubsError(str(spec.root or "spec"), "the spec has no modules to render")
    if distribution is not None and not is_distribution_name(distribution):
        raise StubsError(distribution, "not a valid distribution name (PEP 508)")
    env = _environment()
    python_modules = module_names(spec)
    modules = tuple(module_view(m, python_modules[m.name]) for m in spec.modules)
    package = PackageView(
        package=PACKAGE,
        distribution=distribution,
        version=_package_version(spec),
        python_requires=">=3.11",
        dependencies=(DEPRECATED_REQUIREMENT,) if any(m.versioned_imports for m in modules) else (),
        modules=modules,
        sources=tuple(_spec_label(m) for m in spec.modules),
    )
    files: dict[PurePosixPath, str] = {
        PurePosixPath("README.md"): env.get_template("README.md.j2").render(pkg=package),
        PurePosixPath(PACKAGE, "__init__.py"): env.get_template("__init__.py.j2").render(
            pkg=package
        ),
        PurePosixPath(PACKAGE, "py.typed"): "",
    }
    if distribution is not None:
        files[PurePosixPath("pyproject.toml")] = env.get_template("pyproject.toml.j2").render(
            pkg=package
        )
    module_template = env.get_template("module.py.j2")
    for mod in modules:
        files[PurePosixPath(PACKAGE, f"{mod.name}.py")] = module_template.render(
            mod=mod, pkg=package
        )
    return files


def generate_stubs(spec: Spec, out_dir: Path, *, distribution: str | None = None) -> list[Path]:
    """Write the typed package into ``out_dir`` (its root: README, ``uniapi/``, and with
    ``distribution`` a ``pyproject.toml``).

    Returns the files written, sorted.  Files already in ``out_dir`` that the spec no longer
    produces are left alone; the drift check (``utsapi stubs --check``) reports them.
    """
    written: list[Path] = []
    for rel, text in sorted(render_stubs(spec, distribution=distribution).items()):
        path = out_dir.joinpath(*rel.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        written.append(path)
    return written
