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

The module runs past 500 lines because that view model is one pass over a spec module (the
direction of each type, the order of declarations and the imports depend on each other); split,
each part would need the others' intermediate state.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import jinja2

from generator.exceptions import UtsApiError
from generator.spec import Spec
from generator.spec.model import (
    AliasType,
    Callable,
    ErrorCodesType,
    Field,
    InterfaceType,
    Module,
    ObjectType,
)
from generator.spec.typeexpr import Function, Generic, Named, TypeExpr, Union

__all__ = [
    "DEPRECATED_IMPORT",
    "DEPRECATED_REQUIREMENT",
    "DISTRIBUTION",
    "PACKAGE",
    "SCALAR_TYPES",
    "TYPE_TABLE",
    "MethodView",
    "ModuleView",
    "ParamView",
    "StubsError",
    "generate_stubs",
    "is_distribution_name",
    "module_view",
    "render_stubs",
]

PACKAGE = "uniapi"
#: The distribution name ``utsapi stubs --dist`` suggests for a standalone package.
DISTRIBUTION = "uniapi-types"
#: The name of the module-surface Protocol (``uni`` itself, as a type).
MODULE_PROTOCOL = "Uni"

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


@dataclass(frozen=True)
class Declaration:
    """One top-level statement group of the module; ``kind`` picks the template block."""

    kind: Literal["typeddict", "alias", "protocol"]
    name: str
    doc: str | None
    value: str = ""
    fields: tuple[FieldView, ...] = ()
    methods: tuple[MethodView, ...] = ()


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
        decl = next((d for d in self.declarations if d.name == protocol), None)
        if decl is None:
            return None
        return next((m for m in decl.methods if m.name == name), None)


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


def _wrap(text: str, width: int, subsequent_indent: str = "") -> list[str]:
    """``textwrap.wrap(text, width, subsequent_indent=...)``, without textwrap for the common
    case it leaves alone: one line that fits, with single spaces and no space at either end."""
    if 0 < len(text) <= width and text == " ".join(text.split()):
        return [text]
    return textwrap.wrap(text, width, subsequent_indent=subsequent_indent)


def _docstring(text: str, indent: int) -> str:
    """A triple-quoted literal of ``text``, wrapped to the line width at ``indent``."""
    width = max(_DOC_WIDTH - indent, 40)
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    lines: list[str] = []
    for i, para in enumerate(paragraphs):
        if i:
            lines.append("")
        if para.startswith("- ") or "\n- " in para:
            for item in para.splitlines():
                lines.extend(_wrap(item, width, subsequent_indent="  ") or [""])
        else:
            lines.extend(_wrap(" ".join(para.split()), width) or [""])
    body = "\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
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

    def __init__(self, module: Module, imports: _Imports) -> None:
        self.module = module
        self.imports = imports

    def annotation(self, expr: TypeExpr, polarity: Polarity) -> str:
        if isinstance(expr, Union):
            return _join(self.annotation(m, polarity) for m in expr.members)
        if isinstance(expr, Generic):  # Array<T>, the only generic of the notation
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

    def named(self, expr: Named, polarity: Polarity) -> str:
        if expr.name not in SCALAR_TYPES:
            return expr.name
        given, received = SCALAR_TYPES[expr.name]
        text = given if polarity == "in" else received
        for ident in re.findall(r"[A-Za-z_]+", text):
            if ident in _IMPORTED:
                self.imports.add(_IMPORTED[ident], ident)
        return text

    def field(self, f: Field, polarity: Polarity) -> str:
        annotation = self.annotation(f.type, polarity)
        if f.nullable and not (annotation == "None" or annotation.endswith(" | None")):
            annotation += " | None"
        if f.required:
            return annotation
        return f"{self.imports.add('typing', 'NotRequired')}[{annotation}]"


def _join(parts: Iterable[str]) -> str:
    seen: list[str] = []
    for part in parts:
        if part not in seen:
            seen.append(part)
    return " | ".join(seen)


def _polarities(module: Module) -> dict[str, set[Polarity]]:
    """Which directions each named type is used in, walking from the callables' signatures."""
    found: dict[str, set[Polarity]] = {}

    def visit(expr: TypeExpr, polarity: Polarity) -> None:
        if isinstance(expr, Union):
            for member in expr.members:
                visit(member, polarity)
        elif isinstance(expr, Generic):
            for arg in expr.args:
                visit(arg, polarity)
        elif isinstance(expr, Function):
            flipped: Polarity = "out" if polarity == "in" else "in"
            for _, param in expr.params:
                visit(param, flipped)
            visit(expr.returns, "out")
        else:
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
    return found


def _field_doc(f: Field) -> str | None:
    parts: list[str] = []
    if f.description is not None:
        parts.append(f.description.en.rstrip(".") + ".")
    if f.requires is not None:
        parts.append(f.requires.en.rstrip(".") + ".")
    if f.docs_only:
        parts.append("Documented for the WeChat mini program only; not in the UTS interface.")
    if f.has_default:
        parts.append(f"Default: ``{_py_literal(f.default)}``.")
    return " ".join(parts) or None


def _field_view(mapper: _Mapper, f: Field, polarity: Polarity) -> FieldView:
    doc = _field_doc(f)
    return FieldView(f.name, mapper.field(f, polarity), None if doc is None else _docstring(doc, 4))


def _callable_doc(c: Callable) -> str:
    parts = [c.description.en]
    args = [f"- {p.name}: {p.description.en}" for p in c.params if p.description is not None]
    if args:
        parts.append("Args:\n" + "\n".join(args))
    if c.deprecated is not None:
        parts.append(f"Deprecated: use ``{c.deprecated.replacement}`` instead.")
    return "\n\n".join(parts)


def _deprecation_message(c: Callable) -> str:
    assert c.deprecated is not None
    owner = f"{c.owner}." if c.owner else "uni."
    return f"{owner}{c.name} is deprecated; use {c.deprecated.replacement} instead."


def _methods(
    mapper: _Mapper, callables: Iterable[Callable], *, indent: int
) -> tuple[MethodView, ...]:
    views: list[MethodView] = []
    for c in callables:
        params = tuple(
            ParamView(
                p.name,
                mapper.annotation(p.type, "in") + (" | None" if p.nullable else ""),
                "" if p.required else " = ...",
            )
            for p in c.params
        )
        decorators: tuple[str, ...] = ()
        if c.deprecated is not None:
            mapper.imports.plain.add("sys")  # DEPRECATED_IMPORT's version check
            decorators = (
                f"@deprecated({json.dumps(_deprecation_message(c), ensure_ascii=False)})",
            )
        views.append(
            MethodView(
                name=c.name,
                qualname=c.qualname,
                params=params,
                returns=mapper.annotation(c.returns, "out"),
                doc=_docstring(_callable_doc(c), indent),
                decorators=decorators,
            )
        )
    return tuple(views)


def _references(expr: TypeExpr) -> set[str]:
    return {e.name for e in expr.walk() if isinstance(e, Named | Generic)}


def _error_codes_doc(t: ErrorCodesType) -> str:
    lines = [
        f"- ``{c.code}``: {c.description.en.rstrip('.')} (errMsg {c.errMsg!r})" for c in t.codes
    ]
    return f"{t.description.en}\n\nErrors have errSubject {t.subject!r}.\n\n" + "\n".join(lines)


def module_view(module: Module) -> ModuleView:
    """The view of one spec module, rendered as ``uniapi/<module>.py``."""
    imports = _Imports()
    mapper = _Mapper(module, imports)
    polarity = _polarities(module)
    decls: dict[str, Declaration] = {}
    deps: dict[str, set[str]] = {}

    for name, named in module.types.items():
        if isinstance(named, ErrorCodesType):
            literal = imports.add("typing", "Literal")
            imports.add("typing", "TypeAlias")
            codes = ", ".join(str(c.code) for c in named.codes)
            decls[name] = Declaration(
                "alias", name, _docstring(_error_codes_doc(named), 0), value=f"{literal}[{codes}]"
            )
            deps[name] = set()
        elif isinstance(named, AliasType):
            imports.add("typing", "TypeAlias")
            direction: Polarity = "in" if "in" in polarity.get(name, {"out"}) else "out"
            doc = named.description.en if named.description else None
            decls[name] = Declaration(
                "alias",
                name,
                _docstring(doc, 0) if doc else None,
                value=mapper.annotation(named.type, direction),
            )
            deps[name] = _references(named.type)
        elif isinstance(named, ObjectType):
            imports.add("typing", "TypedDict")
            direction = "in" if "in" in polarity.get(name, {"out"}) else "out"
            fields = module.fields(name)
            doc = named.description.en
            if named.extends:
                doc += f"\n\nExtends ``{named.extends}`` (its keys are repeated here)."
            decls[name] = Declaration(
                "typeddict",
                name,
                _docstring(doc, 4),
                fields=tuple(_field_view(mapper, f, direction) for f in fields),
            )
            deps[name] = set().union(*(_references(f.type) for f in fields)) if fields else set()
        elif isinstance(named, InterfaceType):
            imports.add("typing", "Protocol")
            decls[name] = Declaration(
                "protocol",
                name,
                _docstring(named.description.en, 4),
                methods=_methods(mapper, named.methods, indent=8),
            )
            deps[name] = set().union(
                *(_references(p.type) for m in named.methods for p in m.params),
                *(_references(m.returns) for m in named.methods),
            )

    if MODULE_PROTOCOL in decls:
        raise StubsError(
            module.file, f"a type is named {MODULE_PROTOCOL!r}, the module Protocol's name"
        )
    imports.add("typing", "Protocol")
    decls[MODULE_PROTOCOL] = Declaration(
        "protocol",
        MODULE_PROTOCOL,
        _docstring(
            f"The ``uni`` object, its {module.title.en} APIs.\n\n{module.description.en}", 4
        ),
        methods=_methods(mapper, module.apis, indent=8),
    )
    deps[MODULE_PROTOCOL] = set().union(
        *(_references(p.type) for a in module.apis for p in a.params),
        *(_references(a.returns) for a in module.apis),
    )

    ordered = _topological(module, decls, deps)
    deprecates = any(m.decorators for d in decls.values() for m in d.methods)
    return ModuleView(
        name=module.name,
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
        declarations=tuple(decls[n] for n in ordered),
        exports=tuple(sorted(decls)),
    )


def _spec_label(module: Module) -> str:
    """The spec file as the generated files name it: no absolute path, so output is stable."""
    path = Path(module.file or f"{module.name}.yaml")
    return f"spec/modules/{path.name}" if path.parent.name == "modules" else path.name


# Declaration order: error-code literals, object types, callback aliases, Protocols, each in spec
# order and each after what it refers to (the module evaluates its annotations at import, so a
# name must exist before it is used).
def _topological(
    module: Module, decls: Mapping[str, Declaration], deps: Mapping[str, set[str]]
) -> list[str]:
    spec_order = list(decls)

    def rank(name: str) -> tuple[int, int]:
        kind = decls[name].kind
        group = {"typeddict": 1, "protocol": 3}.get(kind, 0 if not deps[name] else 2)
        return (group, spec_order.index(name))

    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join((*chain, name))
            raise StubsError(module.file, f"declarations refer to each other in a cycle: {cycle}")
        state[name] = "visiting"
        for dep in sorted((deps[name] & decls.keys()) - {name}, key=rank):
            visit(dep, (*chain, name))
        state[name] = "done"
        ordered.append(name)

    for name in sorted(spec_order, key=rank):
        visit(name, ())
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
    modules = tuple(module_view(m) for m in spec.modules)
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
