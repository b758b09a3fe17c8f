"""The **dcloud** flavour: ``utsApiJson.json`` as the uni-app x docs render it.

:func:`build_data` turns a spec (or one module) into the flat ``key -> section -> Markdown``
mapping that the docs' injector (``inject-json-to-md.js``) reads: one entry per API with
``name``, ``description``, ``compatibility``, ``param``, ``returnValue`` and ``tutorial``; one
entry per module with ``example``; and the global ``general_type`` with ``name`` and ``param``.

The Markdown is the docs' own (see ``shared/reference/uni-websocket-facts.md`` §1.3-§1.5):
Chinese headings (English ones for ``lang="en"``), ``@|`` nested rows for object properties with
a trailing ``| `` on the last one, ``<CompatibilityTable table='…' />`` cells, ``### T 的属性值
@t-values`` type tables at a heading depth that follows the nesting, error-code valid-values
tables, ``~~strikethrough~~`` names for deprecated globals and the ``参见`` link list.

This module is the view model: it decides what goes in each table (which columns, which rows,
which types get their own table, which heading depth, what a compatibility cell holds).  The
templates in ``generator/templates/dcloud/`` only format, and the filters of
:mod:`generator.flavors._markdown` escape every spec text for the context it lands in.

The compatibility columns are data (:mod:`generator.flavors.columns`): a :class:`ColumnSet` per
era of the docs (§1.5), selectable by name through :data:`COLUMN_SETS`; :data:`DEFAULT_COLUMNS` is
``2026-04``, the set of DCloud's data for the pinned npm version (``2025`` is the seed page's).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2

from generator.flavors import labels
from generator.flavors._markdown import make_environment
from generator.flavors.columns import COLUMN_SETS, Column, ColumnSet, column_set
from generator.flavors.columns import DCLOUD_DEFAULT as DEFAULT_COLUMNS
from generator.flavors.views import (
    CompatTable,
    Method,
    Params,
    ReturnValue,
    Row,
    Status,
    TypeRef,
    TypeTable,
    ValueRow,
    fence,
)
from generator.spec import Spec
from generator.spec.model import (
    AliasType,
    Callable,
    ErrorCodesType,
    Field,
    InterfaceType,
    Lang,
    LiteralValue,
    Module,
    ObjectType,
    Text,
)
from generator.spec.overlay import Overlay, load_overlay
from generator.spec.typeexpr import Function, Generic, Named, TypeExpr, Union

__all__ = [
    "COLUMN_SETS",
    "DEFAULT_COLUMNS",
    "Column",
    "ColumnSet",
    "TypeRef",
    "build_data",
    "column_set",
]

# ----------------------------------------------------------------------------------------------
# Compatibility cells (§1.4)

_BLANK = frozenset({"", "-", " "})


def _cell_value(raw: str | None) -> str:
    """A version cell: ``-`` when absent; a trailing ``+`` dropped (``4.25+`` → ``4.25``)."""
    if raw is None or raw.strip() == "":
        return "-"
    return raw[:-1] if raw.endswith("+") else raw


def _version(text: str) -> tuple[int, ...] | None:
    """``5.0.0(11)`` -> (5, 0, 0, 11); None for anything but a plain version."""
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*(\([0-9]+\))?", text):
        return None
    return tuple(int(n) for n in re.findall(r"[0-9]+", text))


def _floored(value: str, column: Column) -> str:
    """``-`` for an OS-version cell that says no more than its platform column
    (:attr:`Column.floor`)."""
    if column.floor is None or value == "-":
        return value
    if value in ("x", "√"):
        return "-"
    version, floor = _version(value), _version(column.floor)
    return "-" if version is not None and floor is not None and version <= floor else value


def compute_status(values: Iterable[str]) -> Status:
    """§1.4: all supported → SUPPORTED, all ``x`` → NOT_SUPPORTED, anything else → partial."""
    cells = list(values)
    if all(v == "x" for v in cells):
        return "NOT_SUPPORTED"
    if all(v not in _BLANK and v != "x" for v in cells):
        return "SUPPORTED"
    return "PARTIALLY_SUPPORTED"


#: Links of the built-in types the docs link (§1.3).
BUILTIN_LINKS: Mapping[str, str] = {
    "UTSJSONObject": "/uts/buildin-object-api/utsjsonobject.md",
    "Error": "https://uniapp.dcloud.net.cn/tutorial/err-spec.html#unierror",
}

_MAX_DEPTH = 6

#: The fields of the runtime's base types that an imported type may extend without declaring
#: them (:data:`generator.spec.typeexpr.GLOBAL_TYPES`): facts of ``types/native/IUniError.d.ts``
#: and ``AsyncApiResult.d.ts`` of npm ``@dcloudio/uni-app-x`` (name, type, required; ``T | null``
#: shown as ``T``, not required), each base followed by its own base.  The whole-surface docs
#: list them under every type that extends one (an ``IUniError``'s ``errSubject``…).
RUNTIME_BASES: Mapping[str, tuple[tuple[tuple[str, str, bool], ...], str | None]] = {
    "IUniError": (
        (("errCode", "number", True), ("errSubject", "string", True)),
        "_IUniErrorTail",
    ),
    "_IUniErrorTail": ((("data", "any", False), ("cause", "Error", False)), "AsyncApiResult"),
    "UniError": ((), "IUniError"),
    "AsyncApiResult": ((("errMsg", "string", True),), None),
    "AsyncApiSuccessResult": ((), "AsyncApiResult"),
}

#: The ten mini-program "see also" links the docs list for every API (Alipay, Baidu, Douyin,
#: Feishu, DingTalk, QQ, Kuaishou, JD, Huawei quick app, 360), ``{name}`` the API's name; their
#: labels are :attr:`generator.flavors.labels.Labels.vendors`, in this order.
VENDOR_LINKS: tuple[str, ...] = (
    "https://open.alipay.com/portal/zhichi/search?keyword={name}&pageIndex=1&pageSize=10"
    "&source=doc_top&type=all",
    "https://smartprogram.baidu.com/forum/search?query={name}&scope=devdocs&source=docs",
    "https://developer.open-douyin.com/search-page?keyword={name}&secondType=all&type=1",
    "https://open.feishu.cn/search?from=header&page=1&pageSize=10&q={name}&topicFilter=",
    "https://open.dingtalk.com/search?keyword={name}",
    "https://q.qq.com/wiki/develop/miniprogram/frame/",
    "https://developers.kuaishou.com/page?keyword={name}&from=docs",
    "https://mp-docs.jd.com/doc/dev/framework/-1",
    "https://developer.huawei.com/consumer/cn/doc/quickApp-References/"
    "webview-frame-overview-0000001124793625",
    "https://mp.360.cn/doc/miniprogram/dev/#/b770a184ff1f06c6b3393a0fd1132380",
)

#: The WeChat link of an API without ``@tutorial_weixin``.
WEIXIN_SEARCH = (
    "https://developers.weixin.qq.com/doc/search.html?source=enter&query={name}"
    "&doc_type=miniprogram"
)

_UNI_APP_HOSTS = re.compile(r"^https?://uniapp\.dcloud\.(net\.cn|io)/")
_WEIXIN_HOST = re.compile(r"^https?://developers\.weixin\.qq\.com/")
_ISSUES_HOST = re.compile(r"^https?://issues\.dcloud\.net\.cn/")
_UNI_APP_X_HOST = re.compile(r"^https?://doc\.dcloud\.net\.cn/uni-app-x/")

_Row = Row[CompatTable | None]
_Table = TypeTable[CompatTable | None]


@dataclass(frozen=True)
class MethodView(Method):
    """A method of an interface, with its return value (the whole-surface docs print a
    method's ``返回值`` table)."""

    returns: ReturnValue | None = None
    #: ``否`` in the return table's ``必备`` column: the method returns ``T | null``
    returns_optional: bool = False


@dataclass(frozen=True)
class InterfaceSection:
    """``#### X 的方法``: an interface named in a type cell of a section, and its methods.

    The whole-surface docs print it after the table that names it (``success(context:
    EditorContext)``, a method returning ``NodesRef``); this flavour prints every one a section
    names once, in order of first mention, after the section's own tables."""

    name: str
    anchor: str
    depth: int
    methods: tuple[MethodView, ...]


# ----------------------------------------------------------------------------------------------
# Building the view model


class _Columns:
    """Compatibility tables of one column set and language, cached by their values."""

    def __init__(self, columns: ColumnSet, lang: Lang) -> None:
        self.set = columns
        self.fill = columns.whole_surface
        self.titles = tuple(c.title.get(lang) for c in columns.columns)
        self._cache: dict[tuple[str, ...], CompatTable] = {}
        #: id of a Platforms -> (it, its table): the model shares the Platforms of a block that
        #: the spec writes once (a YAML alias), so most lookups end here
        self._seen: dict[int, tuple[Any, CompatTable | None]] = {}

    def table(self, platforms: Any) -> CompatTable | None:
        """The table for a :class:`~generator.spec.model.Platforms`, None when it holds nothing."""
        seen = self._seen.get(id(platforms))
        if seen is not None and seen[0] is platforms:
            return seen[1]
        table = self._table(platforms)
        self._seen[id(platforms)] = (platforms, table)
        return table

    def values(self, platforms: Any) -> tuple[str, ...]:
        """Every column's cell of ``platforms`` (``-`` where it says nothing)."""
        return tuple(
            _floored(_cell_value(platforms.get(c.platform, c.key) if platforms else None), c)
            for c in self.set.columns
        )

    def filled(self, platforms: Any, owner: tuple[str, ...]) -> CompatTable | None:
        """A field's table inside an API or method whose cells are ``owner``: a cell the field
        leaves empty is ``x`` where the owner is unsupported (the whole-surface docs)."""
        if not self.fill:
            return self.table(platforms)
        values = tuple(
            "x" if v == "-" and o == "x" else v
            for v, o in zip(self.values(platforms), owner, strict=True)
        )
        return self.of_values(values)

    def _table(self, platforms: Any) -> CompatTable | None:
        if not platforms:
            return None
        return self.of_values(self.values(platforms))

    def of_values(self, values: tuple[str, ...]) -> CompatTable:
        found = self._cache.get(values)
        if found is None:
            status = compute_status(values) if self.set.status else None
            keep = [
                i for i, c in enumerate(self.set.columns) if not (c.optional and values[i] == "-")
            ]
            found = CompatTable(
                tuple(self.titles[i] for i in keep), tuple(values[i] for i in keep), status
            )
            self._cache[values] = found
        return found


def _default(f: Field, *, as_written: bool = False) -> str:
    """A default cell; ``as_written``: the declarations' text where the field has one."""
    if as_written and f.default_text is not None:
        return f.default_text
    if not f.has_default:
        return "-"
    value = f.default
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class _ModuleView:
    """Builds the view model of one module in one language."""

    def __init__(
        self, module: Module, lang: Lang, columns: _Columns, overlay: Overlay | None = None
    ) -> None:
        self.module = module
        self.lang = lang
        self.labels = labels.DCLOUD[lang]
        self.columns = columns
        self.overlay = overlay or Overlay()
        #: the cells of the API or method being rendered (for :meth:`_Columns.filled`)
        self.owner: tuple[str, ...] | None = None
        #: the @-rows of the returned interface's properties (whole-surface docs)
        self.return_fields: tuple[_Row, ...] = ()
        #: interfaces with methods named in the type cells of the section being built, in
        #: order (whole-surface docs: each gets an "X 的方法" section); None: not collected
        self.interfaces: dict[str, None] | None = None

    def compat(self, platforms: Any) -> CompatTable | None:
        if self.owner is None:
            return self.columns.table(platforms)
        return self.columns.filled(platforms, self.owner)

    def link_of(self, name: str) -> str | None:
        found = BUILTIN_LINKS.get(name)
        if found is None and self.columns.fill:
            found = self.overlay.type_link(name)
        return found

    def anchor_of(self, c: Callable) -> str:
        """An API's or method's heading anchor; the whole-surface docs use the plain lower-case
        name (each section lands on its own page: DCloud's data has no ``-2`` anchors), not the
        one the module made unique (``EditorContext.clear`` besides ``uni.clear…``)."""
        return c.name.lower() if self.columns.fill else c.anchor

    def text(self, value: Text | None) -> str:
        return value.get(self.lang) if value is not None else ""

    # -- types ---------------------------------------------------------------------------------

    def fields_of(self, name: str) -> tuple[Field, ...]:
        """An object type's fields (:meth:`Module.fields`); in the whole-surface docs followed
        by those of a runtime base type it extends (:data:`RUNTIME_BASES`)."""
        own = self.module.fields(name)
        if not self.columns.fill:
            return own
        base: str | None = None
        seen: set[str] = set()
        current: str | None = name
        while current is not None and current not in seen:
            seen.add(current)
            named = self.module.types.get(current)
            if not isinstance(named, ObjectType):
                base = current if current in RUNTIME_BASES else None
                break
            current = named.extends
        names = {f.name for f in own}
        extra: list[Field] = []
        while base is not None:
            rows, base = RUNTIME_BASES[base]
            for field_name, type_name, required in rows:
                if field_name not in names:
                    names.add(field_name)
                    extra.append(Field(field_name, Named(type_name), required=required))
        return own + tuple(extra)

    def object_of(self, expr: TypeExpr) -> tuple[str, ObjectType] | None:
        """``(shown name, object type)`` when ``expr`` names a non-general object type, through
        aliases; the whole-surface docs show the name as written (``GetLocationFail``, an alias
        of ``IGetLocationFail``), the others the aliased type's."""
        if isinstance(expr, Generic) and self.columns.fill and expr.name != "Array":
            generic = self.module.types.get(expr.name)
            if isinstance(generic, ObjectType) and not generic.general:
                return str(expr), generic
            return None
        if not isinstance(expr, Named):
            return None
        shown = self.module.types.get(expr.name)
        resolved = self.resolve(expr)
        target = self.module.types.get(resolved.name) if isinstance(resolved, Named) else None
        if (
            self.columns.fill
            and target is None
            and isinstance(shown, AliasType)
            and isinstance(resolved, Named)
            and resolved.name in RUNTIME_BASES
        ):
            # an alias of a runtime base (NavigateToComplete = AsyncApiResult): the docs give
            # it a table of the base's fields under its own name
            return shown.name, ObjectType(resolved.name, Text("", ""), ())
        if not isinstance(target, ObjectType) or target.general or shown is None:
            return None
        if not self.columns.fill or (target.extends is None and not target.is_class):
            # the whole-surface docs show an alias of a type literal by the literal's name
            # (OnLocationChangeResult = GetLocationSuccess: GetLocationSuccess), an alias of an
            # interface extending a base by the alias (GetLocationFail = IGetLocationFail)
            return target.name, target
        return shown.name, target

    def resolve(self, expr: TypeExpr) -> TypeExpr:
        """Aliases expanded (the docs show the aliased type)."""
        seen: set[str] = set()
        while isinstance(expr, Named) and expr.name not in seen:
            named = self.module.types.get(expr.name)
            if not isinstance(named, AliasType):
                break
            seen.add(expr.name)
            expr = named.type
        return expr

    def ref(self, expr: TypeExpr, wanted: dict[str, int], depth: int) -> TypeRef:
        """The cell form of ``expr``.

        Object types that need a table of their own are added to ``wanted`` (name -> heading
        depth, in order of first reference); general types are only linked, their table is the
        ``general_type`` entry.
        """
        shown = self.object_of(expr)
        if shown is not None and not isinstance(expr, Generic):
            name = shown[0]
            wanted.setdefault(name, min(depth, _MAX_DEPTH))
            return TypeRef("name", text=name, url=f"#{self.module.types[name].anchor}")
        expr = self.resolve(expr)
        if isinstance(expr, Union):
            return TypeRef("union", args=tuple(self.ref(m, wanted, depth) for m in expr.members))
        if isinstance(expr, Generic):
            args = tuple(self.ref(a, wanted, depth) for a in expr.args)
            return TypeRef("array", text=expr.name, args=args)
        if isinstance(expr, Function):
            return TypeRef(
                "function",
                params=tuple((n, self.ref(t, wanted, depth)) for n, t in expr.params),
                returns=self.ref(expr.returns, wanted, depth),
            )
        named = self.module.types.get(expr.name)
        if named is None:
            return TypeRef("name", text=expr.name, url=self.link_of(expr.name))
        if isinstance(named, ErrorCodesType):
            return TypeRef("name", text="number")
        if isinstance(named, ObjectType) and not named.general:
            wanted.setdefault(named.name, min(depth, _MAX_DEPTH))
        if isinstance(named, InterfaceType) and named.methods and self.interfaces is not None:
            self.interfaces.setdefault(named.name, None)
        return TypeRef("name", text=named.name, url=f"#{named.anchor}")

    def error_codes(self, expr: TypeExpr) -> ErrorCodesType | None:
        expr = self.resolve(expr)
        named = self.module.types.get(expr.name) if isinstance(expr, Named) else None
        return named if isinstance(named, ErrorCodesType) else None

    # -- rows and tables -----------------------------------------------------------------------

    def row(
        self, f: Field, wanted: dict[str, int], depth: int, *, nested: bool, expand: bool = False
    ) -> _Row:
        """A table row for ``f``; types it references get tables at ``depth``.

        With ``expand``, an object-typed field shows its type in bold and its properties as
        ``@|`` rows, whose referenced types get tables one level deeper.
        """
        codes = self.error_codes(f.type)
        values: tuple[ValueRow, ...] = self.legal_values(f)
        description = self.text(f.description)
        if codes is not None:
            listed = self.code_rows(codes)
            if nested and not self.columns.fill:
                # no third level of rows: list the codes in the description (seed style)
                description = "\n".join(
                    [description, *(f"- {v.value} {v.description}" for v in listed)]
                )
            else:
                values = listed
        shown = self.object_of(f.type) if expand else None
        children: tuple[_Row, ...] = ()
        if shown is not None:
            type_ref = TypeRef("bold", text=shown[0])
            children = self.field_rows(
                self.fields_of(shown[1].name), wanted, depth + 1, nested=True
            )
        else:
            declared = f.declared if self.columns.fill and f.declared is not None else None
            type_ref = self.ref(declared or f.type, wanted, depth)
        return Row(
            name=f.name,
            type=type_ref,
            required=f.required,
            default=_default(f, as_written=self.columns.fill),
            compat=self.compat(f.platforms),
            description=self.deprecated_field(f, description),
            requires=self.text(f.requires) or None,
            values=values,
            nested=children,
            deprecated=f.deprecated is not None,
        )

    def code_rows(self, codes: ErrorCodesType) -> tuple[ValueRow, ...]:
        """The 合法值 rows of an error-code type; the whole-surface docs give each code its
        own compatibility cell (unfilled: a code's cells are its own) and strike deprecated ones."""
        if not self.columns.fill:
            return tuple(ValueRow(str(c.code), self.text(c.description)) for c in codes.codes)
        return tuple(
            ValueRow(
                str(c.code),
                self.text(c.description),
                compat=self.columns.table(c.platforms),
                deprecated=c.deprecated is not None,
            )
            for c in codes.codes
        )

    def deprecated_field(self, f: Field, description: str) -> str:
        if f.deprecated is None or f.deprecated.text is None:
            return description
        note = self.text(f.deprecated.text)
        return f"{description}\n{note}" if description and note else description or note

    def legal_values(self, f: Field) -> tuple[ValueRow, ...]:
        """The 合法值 rows of a literal-union field (its own values, or its alias's)."""
        found: tuple[LiteralValue, ...] = f.values
        expr = f.type
        seen: set[str] = set()
        while not found and isinstance(expr, Named) and expr.name not in seen:
            seen.add(expr.name)
            named = self.module.types.get(expr.name)
            if not isinstance(named, AliasType):
                break
            found, expr = named.values, named.type
        return tuple(
            ValueRow(
                _literal(v.value),
                self.text(v.description),
                compat=self.compat(v.platforms),
            )
            for v in found
        )

    def field_rows(
        self,
        fields: Iterable[Field],
        wanted: dict[str, int],
        depth: int,
        *,
        nested: bool,
        expand: bool = False,
    ) -> tuple[_Row, ...]:
        """Rows of ``fields``, deprecated ones last (the docs' order)."""
        rows = [self.row(f, wanted, depth, nested=nested, expand=expand) for f in fields]
        return tuple([r for r in rows if not r.deprecated] + [r for r in rows if r.deprecated])

    def tables(self, wanted: dict[str, int]) -> tuple[_Table, ...]:
        """A table for every type in ``wanted``, which grows as tables reference more types."""
        out: list[_Table] = []
        done = 0
        while done < len(wanted):
            name, depth = list(wanted.items())[done]
            named = self.module.types[name]
            shown = self.object_of(Named(name))
            assert shown is not None
            rows = self.field_rows(self.fields_of(shown[1].name), wanted, depth, nested=False)
            out.append(TypeTable(name, named.anchor, depth, rows))
            done += 1
        return tuple(out)

    def params(self, c: Callable, depth: int) -> Params | None:
        if not c.params:
            return None
        wanted: dict[str, int] = {}
        rows = self.field_rows(c.params, wanted, depth, nested=False, expand=True)
        return Params(depth, rows, self.tables(wanted))

    # -- sections ------------------------------------------------------------------------------

    def deprecation_note(self, c: Callable) -> str | None:
        if c.deprecated is None:
            return None
        if c.deprecated.replacement is None:  # an imported @deprecated that names none
            return self.text(c.deprecated.text) or None
        owner, _, method = c.deprecated.replacement.rpartition(".")
        replacement = self.labels.method_of.format(owner=owner, method=method) if owner else method
        return self.labels.deprecated.format(replacement=replacement)

    def signature(self, c: Callable) -> str:
        """``name(p: T): R;``; the whole-surface docs write the declaration: ``p?: T | null``."""
        if not self.columns.fill:
            inner = ", ".join(f"{p.name}: {p.type}" for p in c.params)
            return f"{c.name}({inner}): {c.returns};"
        inner = ", ".join(
            f"{p.name}{'' if p.required else '?'}: {p.type}{' | null' if p.nullable else ''}"
            for p in c.params
        )
        return f"{c.name}({inner}): {c.returns};"

    def optional(self, expr: TypeExpr) -> tuple[TypeExpr, bool]:
        """``T | null`` is ``T`` with ``必备 否`` in the whole-surface docs' return tables
        (``any | null`` is ``any``, with no such column)."""
        if self.columns.fill and isinstance(expr, Union):
            kept = [m for m in expr.members if not (isinstance(m, Named) and m.name == "null")]
            if len(kept) == 1 and len(kept) < len(expr.members):
                only = kept[0]
                return only, not (isinstance(only, Named) and only.name == "any")
        return expr, False

    def promise(self, expr: TypeExpr, wanted: dict[str, int]) -> TypeRef | None:
        """``Promise<X>`` of an object type or of an alias of a runtime base type
        (``NavigateToSuccess`` = ``AsyncApiSuccessResult``): the whole-surface docs show the
        name as written, in bold, and X's fields as @-rows of the return row."""
        if not (
            self.columns.fill
            and isinstance(expr, Generic)
            and expr.name == "Promise"
            and len(expr.args) == 1
            and isinstance(expr.args[0], Named)
        ):
            return None
        arg = expr.args[0]
        target = self.resolve(arg)
        if not isinstance(target, Named):
            return None
        named = self.module.types.get(target.name)
        if isinstance(named, ObjectType) and not named.general:
            fields = self.fields_of(named.name)
        elif named is None and target.name in RUNTIME_BASES:
            fields = self.fields_of(target.name)
        else:
            return None
        self.return_fields = self.field_rows(fields, wanted, 4, nested=True)
        return TypeRef("array", text="Promise", args=(TypeRef("bold", text=arg.name),))

    def method_view(self, m: Callable, depth: int) -> MethodView:
        """A method at heading ``depth``; its parameters' cells are filled from its own."""
        outer = self.owner
        compat = self.columns.table(m.platforms)
        self.owner = self.columns.values(m.platforms) if self.columns.fill else None
        if self.owner is not None and outer is not None:
            # a cell the method leaves empty is x where the API returning its interface is
            # unsupported (getUniVerifyManager: Web x, so is every method's and field's)
            self.owner = tuple(
                "x" if v == "-" and o == "x" else v for v, o in zip(self.owner, outer, strict=True)
            )
            compat = self.columns.of_values(self.owner)
        returns: ReturnValue | None = None
        optional = False
        if self.columns.fill:
            expr, optional = self.optional(self.resolve(m.returns))
            if not (isinstance(expr, Named) and expr.name == "void"):
                wanted: dict[str, int] = {}
                type_ref = self.ref(expr, wanted, depth + 1)
                returns = ReturnValue(type_ref, depth=depth + 1, tables=self.tables(wanted))
        view = MethodView(
            name=m.name,
            signature=self.signature(m),
            anchor=self.anchor_of(m),
            description=self.text(m.description),
            depth=depth,
            compat=compat,
            params=self.params(m, depth + 1),
            returns=returns,
            returns_optional=optional,
        )
        self.owner = outer
        return view

    def interface_sections(self, seen: set[str]) -> tuple[InterfaceSection, ...]:
        """An "X 的方法" section for every interface the section's type cells named
        (:attr:`interfaces`, which grows as their methods name more), but those in ``seen``."""
        if self.interfaces is None:
            return ()
        out: list[InterfaceSection] = []
        done = 0
        while done < len(self.interfaces):
            name = list(self.interfaces)[done]
            done += 1
            named = self.module.types.get(name)
            if name in seen or not isinstance(named, InterfaceType):
                continue
            seen.add(name)
            methods = tuple(self.method_view(m, 4) for m in named.methods)
            out.append(InterfaceSection(name, named.anchor, 4, methods))
        return tuple(out)

    def return_value(self, c: Callable) -> tuple[ReturnValue | None, bool]:
        """The API's return value, and whether the table says ``必备 否`` (``T | null``)."""
        expr = self.resolve(c.returns)
        if isinstance(expr, Named) and expr.name == "void":
            return None, False
        expr, optional = self.optional(expr)
        shown_type: TypeRef | None = None
        if self.columns.fill and isinstance(expr, Function) and not expr.params:
            # `() => X` of an interface (getVirtualPaymentManager): the docs keep the cell as
            # written and list X's methods
            inner = self.resolve(expr.returns)
            if isinstance(inner, Named) and isinstance(
                self.module.types.get(inner.name), InterfaceType
            ):
                shown_type = self.ref(expr, {}, 4)
                expr = inner
        named = self.module.types.get(expr.name) if isinstance(expr, Named) else None
        wanted: dict[str, int] = {}
        if isinstance(named, InterfaceType):
            if self.columns.fill and named.fields:
                # the whole-surface docs list an interface's properties as @-rows of the
                # return row, before its methods
                self.return_fields = self.field_rows(named.fields, wanted, 4, nested=True)
            methods = tuple(self.method_view(m, 4) for m in named.methods)
            return ReturnValue(
                shown_type or TypeRef("name", text=named.name, url=f"#{named.anchor}"),
                depth=3,
                interface=named.name,
                anchor=named.anchor,
                methods=methods,
                tables=self.tables(wanted),
            ), optional
        type_ref = self.promise(expr, wanted) or self.ref(expr, wanted, 4)
        return ReturnValue(type_ref, depth=3, tables=self.tables(wanted)), optional

    def api_context(self, c: Callable) -> dict[str, Any]:
        whole = self.columns.fill
        self.owner = self.columns.values(c.platforms) if whole else None
        context = self._api_context(c)
        self.owner = None
        return context

    def param_names(self, c: Callable) -> str:
        if not self.columns.fill:
            return ", ".join(p.name for p in c.params)
        return ", ".join(p.name if p.required else f"{p.name}?" for p in c.params)

    def sources(self, c: Callable) -> tuple[str, str] | None:
        found = self.overlay.source_links(self.module.name, c.name)
        if found is None and len(self.module.sources) >= 2:
            return (self.module.sources[0].url, self.module.sources[1].url)
        return found

    def tutorial(self, c: Callable) -> list[tuple[str, str]]:
        """The 参见 list: as the spec has it, or in the whole-surface docs' form."""
        if not self.columns.fill:
            return [(self.text(link.label), link.url) for link in c.tutorial]
        words = self.labels
        out: list[tuple[str, str]] = []
        menu = self.overlay.menu_url(c.name)
        if menu is None and self.module.menu:
            menu = f"https://issues.dcloud.net.cn/?mid={self.module.menu}.{c.name}"
        if menu is None:
            menu = next((lk.url for lk in c.tutorial if _ISSUES_HOST.match(lk.url)), None)
        if menu is not None:
            out.append((words.bugs, menu))
        out.extend(
            (words.uni_app_docs, lk.url) for lk in c.tutorial if _UNI_APP_HOSTS.match(lk.url)
        )
        weixin = [lk.url for lk in c.tutorial if _WEIXIN_HOST.match(lk.url)]
        entry = self.overlay.apis.get(c.name)
        mp = entry.mp if entry is not None else True
        if weixin:
            out.extend((words.weixin_docs, url) for url in weixin)
        elif mp:
            out.append((words.weixin_docs, WEIXIN_SEARCH.format(name=c.name)))
        if mp:
            out.extend(
                (label, url.format(name=c.name))
                for label, url in zip(words.vendors, VENDOR_LINKS, strict=True)
            )
        known = (_UNI_APP_HOSTS, _WEIXIN_HOST, _ISSUES_HOST, _UNI_APP_X_HOST)
        out.extend(
            (self.text(lk.label), lk.url)
            for lk in c.tutorial
            if not any(p.match(lk.url) for p in known)
        )
        return out

    def _api_context(self, c: Callable) -> dict[str, Any]:
        self.return_fields = ()
        whole = self.columns.fill
        self.interfaces = {} if whole else None
        params = self.params(c, 3)
        param_interfaces = self.interface_sections(set())
        self.interfaces = {} if whole else None
        returns, optional = self.return_value(c)
        shown = {returns.interface} if returns is not None and returns.interface else set()
        return_interfaces = self.interface_sections(shown)
        self.interfaces = None
        return {
            "api": c,
            "name": c.name,
            "anchor": self.anchor_of(c),
            "param_names": self.param_names(c),
            "whole_surface": self.columns.fill,
            "sources": self.sources(c) if self.columns.fill else None,
            "deprecated": c.deprecated is not None,
            "description": self.text(c.description),
            "deprecation": self.deprecation_note(c),
            "compat": self.columns.table(c.platforms),
            "params": params,
            "param_interfaces": param_interfaces,
            "returns": returns,
            "returns_optional": optional,
            "return_interfaces": return_interfaces,
            "return_fields": self.return_fields,
            "tutorial": self.tutorial(c),
        }

    def general_rows(self, t: ObjectType) -> tuple[_Row, ...]:
        return self.field_rows(self.module.fields(t.name), {}, 3, nested=False)


# ----------------------------------------------------------------------------------------------
# Rendering


@dataclass
class _Templates:
    env: jinja2.Environment
    sections: dict[str, jinja2.Template] = field(default_factory=dict)

    def get(self, name: str) -> jinja2.Template:
        template = self.sections.get(name)
        if template is None:
            template = self.sections[name] = self.env.get_template(f"{name}.md.j2")
        return template


@cache
def _templates() -> _Templates:
    return _Templates(make_environment())


API_SECTIONS = ("name", "description", "compatibility", "param", "returnValue", "tutorial")
#: The whole-surface docs add the API's name as ``originName``.
WHOLE_SURFACE_SECTIONS = ("name", "originName", *API_SECTIONS[1:])
_TEMPLATE_OF = {"returnValue": "return_value", "originName": "origin_name"}


def _modules(spec_or_module: Spec | Module) -> tuple[Module, ...]:
    return (spec_or_module,) if isinstance(spec_or_module, Module) else spec_or_module.modules


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shows(module: str, declaring: set[str], overlay: Overlay, api: str) -> bool:
    """Whether ``module``'s declaration of ``api`` is the one shown: the only one, or the one of
    the module of the overlay page listing ``api`` (the docs show one copy of an API several
    modules declare: api/uni-camera's createCameraContext, not biz/uni-camera's), else the
    first module's."""
    if len(declaring) == 1:
        return True
    chosen = overlay.page_module(api)
    return chosen not in declaring or chosen == module


def build_data(
    spec_or_module: Spec | Module,
    lang: Lang,
    *,
    columns: ColumnSet = DEFAULT_COLUMNS,
    overlay: Overlay | None = None,
) -> dict[str, dict[str, str]]:
    """The ``utsApiJson`` mapping of ``spec_or_module`` in ``lang``, in the dcloud flavour.

    Keys: every API name; every module key (section ``example``: the overlay's keys of the
    module, else its name); ``general_type`` (``name`` and ``param``, every general type of
    every module).  If two modules define the same API name, the module of the overlay page
    listing it wins (:func:`_shows`), else the first one.

    ``overlay`` supplies what the declarations cannot (menu ids, source folders, type links,
    module keys); with a ``whole_surface`` column set and no overlay given, the spec
    directory's overlay (or the bundled one) is read.
    """
    templates = _templates()
    words = labels.DCLOUD[lang]
    cols = _Columns(columns, lang)
    if overlay is None:
        root = spec_or_module.root if isinstance(spec_or_module, Spec) else None
        overlay = load_overlay(root) if columns.whole_surface else Overlay()
    common = {"t": words, "columns": columns}
    sections = WHOLE_SURFACE_SECTIONS if columns.whole_surface else API_SECTIONS
    section_templates = {s: templates.get(_TEMPLATE_OF.get(s, s)) for s in sections}
    data: dict[str, dict[str, str]] = {}
    general: list[tuple[ObjectType, tuple[_Row, ...]]] = []
    seen_general: set[str] = set()
    modules = _modules(spec_or_module)
    declared_by: dict[str, set[str]] = {}
    for module in modules:
        for api in module.apis:
            declared_by.setdefault(api.name, set()).add(module.name)
    for module in modules:
        view = _ModuleView(module, lang, cols, overlay)
        for api in module.apis:
            if api.name in data or not _shows(
                module.name, declared_by[api.name], overlay, api.name
            ):
                continue
            context = {**common, **view.api_context(api)}
            data[api.name] = {s: t.render(context) for s, t in section_templates.items()}
        keys = overlay.module_keys(module.name) if columns.whole_surface else None
        for key in (module.name,) if keys is None else keys:
            if key in data or key in declared_by:  # an API's key is never a module's
                continue
            example = module.example
            data[key] = {
                "example": ""
                if example is None
                else templates.get("example").render(
                    t=words,
                    title=example.title.get(lang),
                    example=example,
                    code=example.code if example.code.endswith("\n") else example.code + "\n",
                    fence=fence(example.code),
                )
            }
        for t in module.general_types:
            if t.name not in seen_general:
                seen_general.add(t.name)
                general.append((t, view.general_rows(t)))
    data["general_type"] = {
        "name": templates.get("general_type_name").render(t=words),
        "param": templates.get("general_type_param").render(
            t=words,
            columns=columns,
            types=[{"name": t.name, "anchor": t.anchor, "rows": rows} for t, rows in general],
        ),
    }
    return data
