"""The view model of the mkdocs flavour: what each section and type page of one module shows.

:class:`ModuleView` decides which rows, which tables, which links and which badges; the
templates in ``generator/templates/mkdocs/`` lay them out (:mod:`generator.flavors.mkdocs`
renders them).  Type links inside a placeholder section point at the tables that section itself
shows (or at the general types); on a type page (``section`` None) they point at the other type
pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from markupsafe import Markup

from generator.flavors import labels
from generator.flavors._mkdocs_md import escape_md, safe_url
from generator.flavors.columns import Column
from generator.flavors.results import Matrix, section_results
from generator.flavors.views import (
    Badge,
    Badges,
    CallableView,
    ExampleView,
    InterfaceView,
    ReturnView,
    Row,
    RuleRow,
    TypePageView,
    TypeRef,
    TypeTable,
    ValueRow,
)
from generator.spec.model import (
    AliasType,
    Callable,
    ErrorCodesType,
    Field,
    InterfaceType,
    Lang,
    Module,
    NamedType,
    ObjectType,
    Platforms,
    Text,
)
from generator.spec.rules import Rule
from generator.spec.typeexpr import Function, Generic, Named, TypeExpr, Union

__all__ = ["KIND_LABELS", "RULES_PAGE", "ModuleView", "expr_names", "type_page_name"]

_Row = Row[Badges]
_Table = TypeTable[Badges]

#: The label of each kind of named type.
KIND_LABELS = {
    "object": "object_type",
    "interface": "interface_type",
    "error-codes": "error_codes_type",
    "alias": "alias_of",
}

_EXTERNAL_TYPES = {
    "UTSJSONObject": "https://doc.dcloud.net.cn/uni-app-x/uts/buildin-object-api/utsjsonobject.html",
    "Error": "https://uniapp.dcloud.net.cn/tutorial/err-spec.html#unierror",
}

_CODE_LANGS = {"uts": "ts", "uvue": "vue"}
#: The tab label of an example's language (else the language as the spec names it).
_TAB_LABELS = {"uts": "UTS", "ts": "TypeScript", "js": "JavaScript", "uvue": "uvue", "vue": "Vue"}
#: The page, relative to a language folder, that holds each rule's full text (``#rule-<id>``).
RULES_PAGE = "conformance.md"
_LANG_NAME = re.compile(r"[^A-Za-z0-9_+-]")


def type_page_name(type_name: str) -> str:
    """The file name of a type's page, relative to the ``types/`` folder."""
    return f"{type_name.lower()}.md"


def _code_lang(lang: str) -> str:
    """A fenced block's language: Pygments knows UTS as TypeScript; nothing but a name passes."""
    return _LANG_NAME.sub("", _CODE_LANGS.get(lang, lang))


def _tab_label(lang: str) -> str:
    return _TAB_LABELS.get(lang, _LANG_NAME.sub("", lang) or "code")


def _code_text(code: str) -> str:
    return code if code.endswith("\n") else code + "\n"


def expr_names(expr: TypeExpr) -> Iterator[str]:
    """The names ``expr`` mentions, in order."""
    for node in expr.walk():
        if isinstance(node, Named):
            yield node.name


def _badge(value: str | None, platforms: Platforms, column: Column, lang: Lang) -> Badge:
    details = [
        f"{labels.PLATFORM_KEYS[key].get(lang) if key in labels.PLATFORM_KEYS else key} {val}"
        for key, val in sorted(platforms.entries.get(column.platform, {}).items())
    ]
    title = f"{column.title.get(lang)}: " + ", ".join(details) if details else ""
    if value is None or value in ("", "-"):
        return Badge("none", "-", title)
    if value.lower() == "x":
        return Badge("no", "✗", title)
    if value == "√":
        return Badge("yes", "✓", title)
    return Badge("yes", f"✓ {value}", title)


def _bare(row: _Row) -> bool:
    """A parameter that says no more than its name, type and whether it is required: one line
    shows it as well as a table row (issue 13: a one-row table with three empty cells)."""
    return (
        row.default == "-"
        and not row.compat
        and row.description == "-"
        and not row.values
        and not row.deprecated
    )


@dataclass
class _Section:
    """The types one placeholder section tabulates, so its links resolve inside it."""

    tabulated: list[ObjectType] = field(default_factory=list)
    nested: set[str] = field(default_factory=set)
    returned: set[str] = field(default_factory=set)


class ModuleView:
    """Builds the views of one module in one language."""

    def __init__(
        self,
        module: Module,
        lang: Lang,
        columns: Sequence[Column],
        rules: Sequence[Rule],
        type_pages: Mapping[str, str] | None = None,
        *,
        root: str = "",
        shown: dict[str, str] | None = None,
        results: Matrix | None = None,
    ) -> None:
        self.module = module
        #: The conformance results shown with each rule list (None: no report).
        self.results = results
        #: For a page rendered as a whole: type name -> the id of its table on the page, once
        #: shown; a later section links there instead of showing the table again.  None: every
        #: section shows its own tables (the sections may land on different pages).
        self.shown = shown
        #: Whether the tables of what is rendered now are on the page (``shown`` records them).
        self.record = True
        #: The language folder's root relative to the page shown ("" or "../"): the rules' and
        #: the type pages' links start with it.
        self.root = root
        #: Type name -> its page under ``types/`` (names shared by several modules get the
        #: module's name in theirs); default :func:`type_page_name`.
        self.type_pages = type_pages or {}
        self.lang = lang
        self.columns = tuple(columns)
        self.labels = labels.table(labels.MKDOCS, lang)
        self.rules: dict[str, list[Rule]] = {}
        for rule in rules:
            for api in rule.apis:
                self.rules.setdefault(api, []).append(rule)

    # -- small pieces ------------------------------------------------------------------------

    def page_of(self, type_name: str) -> str:
        """The page of one of the module's types, relative to ``types/``."""
        return self.type_pages.get(type_name) or type_page_name(type_name)

    def label(self, key: str, **values: str) -> str:
        return self.labels[key].format(**values)

    def text(self, text: Text | None) -> str:
        return "" if text is None else text.get(self.lang)

    def compat(self, platforms: Platforms) -> Badges:
        return tuple(
            _badge(platforms.get(c.platform, c.key), platforms, c, self.lang) for c in self.columns
        )

    def field_compat(self, platforms: Platforms) -> Badges:
        badges = []
        for column in self.columns:
            value = platforms.get(column.platform, column.key)
            if value is None:
                continue
            badge = _badge(value, platforms, column, self.lang)
            mark = badge.text.removeprefix("✓ ")
            badges.append(
                Badge(
                    badge.kind,
                    f"{column.short_title(self.lang)} {mark}",
                    f"{column.title.get(self.lang)} {mark}",
                )
            )
        return tuple(badges)

    def type_ref(self, expr: TypeExpr, section: _Section | None) -> TypeRef:
        """A type expression, linking the named types that ``section`` shows."""
        if isinstance(expr, Union):
            return TypeRef("union", args=tuple(self.type_ref(m, section) for m in expr.members))
        if isinstance(expr, Generic):
            args = tuple(self.type_ref(a, section) for a in expr.args)
            return TypeRef("array", text=expr.name, args=args)
        if isinstance(expr, Function):
            params = tuple((name, self.type_ref(t, section)) for name, t in expr.params)
            return TypeRef("function", params=params, returns=self.type_ref(expr.returns, section))
        return self.named_ref(expr.name, section)

    def named_ref(self, name: str, section: _Section | None) -> TypeRef:
        if name in _EXTERNAL_TYPES:
            return TypeRef("name", text=name, url=_EXTERNAL_TYPES[name])
        named = self.module.types.get(name)
        if named is None:
            return TypeRef("name", text=name)
        if section is None:  # a type page: every named type has a page of its own
            return TypeRef("name", text=name, url=self.page_of(name))
        if isinstance(named, AliasType):
            return self.type_ref(named.type, section)
        if isinstance(named, ErrorCodesType):
            return TypeRef("name", text="number")
        if isinstance(named, ObjectType) and (
            named.general or any(t.name == name for t in section.tabulated)
        ):
            return TypeRef("name", text=name, url=f"#{named.anchor}")
        if isinstance(named, InterfaceType) and name in section.returned:
            return TypeRef("name", text=name, url=f"#{named.anchor}")
        if self.shown is not None and name in self.shown:  # its table is elsewhere on the page
            return TypeRef("name", text=name, url=f"#{self.shown[name]}")
        return TypeRef("bold", text=name)

    def _values(self, codes: ErrorCodesType) -> tuple[ValueRow, ...]:
        return tuple(
            ValueRow(str(c.code), self.text(c.description), errmsg=c.errMsg) for c in codes.codes
        )

    def _legal(self, f: Field) -> tuple[ValueRow, ...]:
        """The legal values of a field whose type is a literal union, with their docs."""
        return tuple(
            ValueRow(json.dumps(v.value, ensure_ascii=False), self.text(v.description))
            for v in f.values
        )

    def field_row(self, f: Field, section: _Section | None, nested: tuple[_Row, ...] = ()) -> _Row:
        description = escape_md(self.text(f.description))
        if f.requires is not None:
            requires = escape_md(self.text(f.requires))
            description = Markup(f"{requires}<br>{description}" if description else requires)
        codes = self.module.types.get(f.type.name) if isinstance(f.type, Named) else None
        return Row(
            name=f.name,
            type=self.type_ref(f.type, section),
            required=f.required,
            default=json.dumps(f.default, ensure_ascii=False) if f.has_default else Markup("-"),
            compat=self.field_compat(f.platforms),
            description=description or Markup("-"),
            values=self._values(codes) if isinstance(codes, ErrorCodesType) else self._legal(f),
            nested=nested,
        )

    def rows(self, type_name: str, section: _Section | None) -> tuple[_Row, ...]:
        return tuple(self.field_row(f, section) for f in self.module.fields(type_name))

    # -- sections ----------------------------------------------------------------------------

    def collect(self, expr: TypeExpr, section: _Section) -> None:
        """Add the object types ``expr`` reaches (through callbacks and aliases) to ``section``."""
        for name in expr_names(expr):
            named = self.module.types.get(name)
            if isinstance(named, AliasType):
                self.collect(named.type, section)
            elif (
                isinstance(named, ObjectType)
                and not named.general
                and name not in section.nested
                and all(t.name != name for t in section.tabulated)
                and (self.shown is None or name not in self.shown)
            ):
                section.tabulated.append(named)
                for f in self.module.fields(name):
                    self.collect(f.type, section)

    def _with_nested(self, p: Field, section: _Section, named: ObjectType) -> _Row:
        row = self.field_row(p, section, self.rows(named.name, section))
        return replace(row, nested_anchor=named.anchor) if self.shown is not None else row

    def _nested_type(self, p: Field) -> ObjectType | None:
        """The object type whose properties follow parameter ``p`` in a table of their own."""
        named = self.module.types.get(p.type.name) if isinstance(p.type, Named) else None
        return named if isinstance(named, ObjectType) and not named.general else None

    def callable_view(
        self,
        c: Callable,
        level: int,
        section: _Section | None,
        rules: tuple[RuleRow, ...] = (),
    ) -> CallableView:
        """One API or method; on a type page (``section`` None) without the tables of the types
        it reaches, its deprecation and its return type, which have pages of their own.
        ``rules``: the compact rule list it shows (an API section lists each rule once, under
        the API, for the API and the methods of what it returns)."""
        params: tuple[_Row, ...] = tuple(self.field_row(p, None) for p in c.params)
        types: tuple[_Table, ...] = ()
        if section is not None:
            nested = {
                p.name: t
                for p in c.params
                if (t := self._nested_type(p)) is not None
                and (self.shown is None or t.name not in self.shown)
            }
            section.nested.update(t.name for t in nested.values())
            for p in c.params:
                if p.name in nested:
                    for f in self.module.fields(nested[p.name].name):
                        self.collect(f.type, section)
                else:
                    self.collect(p.type, section)
            params = tuple(
                self._with_nested(p, section, nested[p.name])
                if p.name in nested
                else self.field_row(p, section)
                for p in c.params
            )
            if self.shown is not None and self.record:
                self.shown.update((t.name, t.anchor) for t in nested.values())
                self.shown.update((t.name, t.anchor) for t in section.tabulated)
            types = tuple(
                TypeTable(
                    name=t.name,
                    anchor=t.anchor,
                    depth=min(level + 2, 6),
                    rows=self.rows(t.name, section),
                    caption=self.label("properties_of", name=t.name),
                )
                for t in section.tabulated
            )
        deprecated = deprecated_since = None
        if section is not None and c.deprecated is not None:
            if c.deprecated.replacement is not None:
                replacement = self.replacement_link(c.deprecated.replacement)
                deprecated = Markup(self.label("use_instead", replacement=replacement))
            else:  # imported: the declarations name no replacement; their text, if any
                deprecated = escape_md(self.text(c.deprecated.text)) or Markup("-")
            if c.deprecated.since:
                deprecated_since = self.label("deprecated_since", since=c.deprecated.since)
        void = isinstance(c.returns, Named) and c.returns.name == "void"
        inline = section is not None and all(_bare(r) for r in params)
        return CallableView(
            name=c.name,
            anchor=c.anchor,
            title=self.title(c),
            description=self.text(c.description),
            deprecated=deprecated,
            deprecated_since=deprecated_since,
            compat_heading=self.label("compatibility"),  # the heading above names c
            compat_headers=tuple(col.title.get(self.lang) for col in self.columns),
            compat=self.compat(c.platforms),
            params=params,
            types=types,
            rules=rules,
            returns=None if section is None or void else self.type_ref(c.returns, section),
            examples=tuple((_code_lang(e.lang), _code_text(e.code)) for e in c.examples),
            example_tabs=tuple(
                (_tab_label(e.lang), _code_lang(e.lang), _code_text(e.code)) for e in c.examples
            ),
            params_inline=inline,
            results=section_results(self.results, [r.id for r in rules], self.lang, root=self.root),
        )

    def api(self, api: Callable) -> CallableView:
        """An API as its placeholder sections show it."""
        return self.callable_view(api, 2, _Section(), self.section_rules(api))

    def title(self, c: Callable) -> Markup:
        """The heading of ``c``; a deprecated API is struck through as a whole."""
        signature = escape_md(f"{c.name}({', '.join(p.name for p in c.params)})")
        if c.owner is not None:
            return Markup(f"~~{signature}~~") if c.deprecated is not None else signature
        if c.deprecated is not None:
            return Markup(f"~~uni.{signature}~~")
        return Markup(f"uni.{signature}")

    def replacement_link(self, replacement: str) -> Markup:
        """A deprecated API's replacement as a link: a method to its heading on its
        interface's type page, an API of the module to its heading on this page."""
        shown = escape_md(replacement)
        owner = replacement.rpartition(".")[0]
        if owner and owner in self.module.types:
            method = self.module.callable(replacement)
            anchor = "" if method is None else f"#{method.anchor}"
            return Markup(f"[{shown}]({self.root}types/{self.page_of(owner)}{anchor})")
        api = self.module.api(replacement) if not owner else None
        if api is not None:
            return Markup(f"[{shown}](#{api.anchor})")
        return Markup(f"`{replacement}`") if "`" not in replacement else shown

    def section_rules(self, api: Callable) -> tuple[RuleRow, ...]:
        """The rules of an API section, each once: those of the API, then those of the methods
        of the interface it returns, in the order met; each names the callables it concerns
        there and links to its full text on the conformance page."""
        names = [api.qualname]
        named = self.module.types.get(api.returns.name) if isinstance(api.returns, Named) else None
        if isinstance(named, InterfaceType):
            names.extend(m.qualname for m in named.methods)
        return self.rule_rows(names)

    def rule_rows(self, names: Sequence[str]) -> tuple[RuleRow, ...]:
        """The rules of the callables ``names`` (qualified), each once, grouped under the first
        of ``names`` it concerns (``apis[0]``), groups in the order of ``names``."""
        found: dict[str, tuple[Rule, list[str]]] = {}
        for qualname in names:
            for r in self.rules.get(qualname, ()):
                found.setdefault(r.id, (r, []))[1].append(qualname.rpartition(".")[2])
        order = {qualname.rpartition(".")[2]: i for i, qualname in reversed(list(enumerate(names)))}
        rows = sorted(found.values(), key=lambda item: order[item[1][0]])
        return tuple(
            RuleRow(
                r.id,
                r.level,
                self.text(r.title),
                self.text(r.text),
                url=f"{self.root}{RULES_PAGE}#rule-{quote(r.id, safe='.-_~')}",
                apis=tuple(apis),
            )
            for r, apis in rows
        )

    def tutorial(self, api: Callable) -> list[tuple[str, str | None]]:
        """The "see also" links: label and URL, None where the URL is not http(s)."""
        return [
            (self.text(link.label), link.url if safe_url(link.url) else None)
            for link in api.tutorial
        ]

    def return_value(self, api: Callable) -> ReturnView | None:
        if isinstance(api.returns, Named) and api.returns.name == "void":
            return None
        section = _Section()
        named = self.module.types.get(api.returns.name) if isinstance(api.returns, Named) else None
        if not isinstance(named, InterfaceType):
            return ReturnView(self.type_ref(api.returns, section), None, ())
        section.returned.add(named.name)
        heading = self.label("methods_of", name=named.name)
        return ReturnView(
            self.type_ref(api.returns, section),
            InterfaceView(named.name, named.anchor, self.text(named.description), heading),
            tuple(self.callable_view(m, 4, _Section()) for m in named.methods),
        )

    def example(self) -> ExampleView | None:
        example = self.module.example
        if example is None:
            return None
        links = (
            ("hello uni-app x", example.repository),
            (self.label("preview"), example.preview),
            (self.label("open_in_app"), example.app_redirect),
        )
        return ExampleView(
            title=self.text(example.title),
            links=tuple((label, url) for label, url in links if url and safe_url(url) is not None),
            lang=_code_lang(example.lang),
            code=_code_text(example.code),
            tab=_tab_label(example.lang),
        )

    def general_tables(self) -> list[_Table]:
        return [
            TypeTable(t.name, t.anchor, 3, self.rows(t.name, _Section()), caption=t.name)
            for t in self.module.general_types
        ]

    # -- type pages --------------------------------------------------------------------------

    def type_page(
        self, named: NamedType, used_by: Sequence[tuple[str, str | None]]
    ) -> TypePageView:
        page = TypePageView(
            name=named.name,
            anchor=named.anchor,
            module=self.text(self.module.title),
            description=self.text(named.description),
            used_by=tuple(used_by),
            kind=named.kind,
            kind_label=self.label(KIND_LABELS[named.kind]),
        )
        if isinstance(named, ObjectType):
            extends = None if named.extends is None else self.named_ref(named.extends, None)
            return replace(page, extends=extends, rows=self.rows(named.name, None))
        if isinstance(named, InterfaceType):
            methods = tuple(
                self.callable_view(m, 2, None, self.rule_rows([m.qualname])) for m in named.methods
            )
            return replace(page, methods=methods)
        if isinstance(named, ErrorCodesType):
            return replace(page, subject=named.subject, codes=self._values(named))
        return replace(page, alias=self.type_ref(named.type, None))
