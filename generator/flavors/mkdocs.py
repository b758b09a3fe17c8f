"""The **mkdocs flavour**: placeholder data that MkDocs + Material render with no Vue components.

Same keys and sections as the dcloud flavour (every API: ``name``, ``description``,
``compatibility``, ``param``, ``returnValue``, ``tutorial``; each module: ``example``;
``general_type``: ``name``, ``param``) and the same anchors (``#connectsocket``,
``#sockettask-values``, ``#connectsocketsuccess-values``, ``#generalcallbackresult-values``), set
with ``attr_list`` heading ids.  Compatibility is a one-row table of badges, the properties of an
options object are a sub-table under its parameter, error codes are a valid-values sub-table, and
the conformance rules (``spec/rules/*.yaml``) are listed under the API they concern.

It also renders the pages the MkDocs plugin adds: one per named type (:func:`build_type_pages`) and
the conformance results (:func:`render_results`).

Escaping: every text that comes from the spec goes through :func:`escape_md`, which makes it one
line of inline Markdown that can neither end a table cell, start a block, open a link, nor carry
raw HTML; code spans keep their content.  The view model here decides *what* is shown; the Jinja
templates in ``generator/templates/mkdocs/`` decide how it is laid out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from generator.flavors import labels
from generator.flavors._mkdocs_md import escape_md, make_environment, safe_url
from generator.flavors._results import render_results
from generator.flavors._rules_view import Rule, RuleView, load_rules
from generator.flavors.columns import MKDOCS_COLUMNS as DEFAULT_COLUMNS
from generator.flavors.columns import Column
from generator.model import (
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
    Spec,
    Text,
)
from generator.typeexpr import Function, Generic, Named, TypeExpr, Union

__all__ = [
    "DEFAULT_COLUMNS",
    "Column",
    "Rule",
    "TypePage",
    "build_data",
    "build_type_pages",
    "escape_md",
    "load_rules",
    "render_results",
    "safe_url",
    "type_page_name",
]


def _render(template: str, **context: Any) -> str:
    return make_environment().get_template(template).render(**context)


# ----------------------------------------------------------------------------------------------
# Compatibility


@dataclass(frozen=True)
class Badge:
    kind: str  # "yes", "no" or "none"
    text: str
    title: str


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


# ----------------------------------------------------------------------------------------------
# View model


@dataclass(frozen=True)
class ValueRow:
    value: str
    errmsg: str
    description: str


@dataclass(frozen=True)
class FieldRow:
    name: str
    type: Markup
    required: str
    default: str
    compat: tuple[Badge, ...]
    description: Markup
    values_caption: str = ""
    values: tuple[ValueRow, ...] = ()


@dataclass(frozen=True)
class TypeTable:
    name: str
    caption: str
    anchor: str
    level: int
    rows: tuple[FieldRow, ...]


@dataclass(frozen=True)
class Nested:
    caption: str
    rows: tuple[FieldRow, ...]


@dataclass(frozen=True)
class RuleRow:
    id: str
    level: str
    title: str
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class CallableView:
    """Everything one API or method shows, for the templates."""

    name: str
    anchor: str
    title: Markup
    description: str
    deprecated: Markup | None
    deprecated_since: str | None
    compat_heading: str
    compat_headers: tuple[str, ...]
    compat: tuple[Badge, ...]
    params: tuple[FieldRow, ...]
    nested: tuple[Nested, ...]
    types: tuple[TypeTable, ...]
    rules: tuple[RuleRow, ...]
    returns: Markup | None
    examples: tuple[tuple[str, str], ...] = ()


@dataclass
class _Section:
    """The types one placeholder section tabulates, so its links resolve inside it."""

    tabulated: list[ObjectType] = field(default_factory=list)
    nested: set[str] = field(default_factory=set)
    returned: set[str] = field(default_factory=set)


_EXTERNAL_TYPES = {
    "UTSJSONObject": "https://doc.dcloud.net.cn/uni-app-x/uts/buildin-object-api/utsjsonobject.html",
    "Error": "https://uniapp.dcloud.net.cn/tutorial/err-spec.html#unierror",
}

_CODE_LANGS = {"uts": "ts", "uvue": "vue"}
_LANG_NAME = re.compile(r"[^A-Za-z0-9_+-]")


def _code_lang(lang: str) -> str:
    """A fenced block's language: Pygments knows UTS as TypeScript; nothing but a name passes."""
    return _LANG_NAME.sub("", _CODE_LANGS.get(lang, lang))


def _code_text(code: str) -> str:
    return code if code.endswith("\n") else code + "\n"


def _expr_names(expr: TypeExpr) -> Iterator[str]:
    for node in expr.walk():
        if isinstance(node, Named):
            yield node.name


class _Renderer:
    """Renders one module in one language.

    Type links inside a placeholder section point at the tables that section itself shows (or at
    the general types); on a type page (``section`` None) they point at the other type pages.
    """

    def __init__(
        self,
        module: Module,
        lang: Lang,
        columns: Sequence[Column],
        rules: Sequence[RuleView],
    ) -> None:
        self.module = module
        self.lang = lang
        self.columns = tuple(columns)
        self.labels = labels.table(labels.MKDOCS, lang)
        self.rules: dict[str, list[RuleView]] = {}
        for rule in rules:
            for api in rule.apis:
                self.rules.setdefault(api, []).append(rule)

    # -- small pieces ------------------------------------------------------------------------

    def label(self, key: str, **values: str) -> str:
        return self.labels[key].format(**values)

    def text(self, text: Text | None) -> str:
        return "" if text is None else text.get(self.lang)

    def compat(self, platforms: Platforms) -> tuple[Badge, ...]:
        return tuple(
            _badge(platforms.get(c.platform, c.key), platforms, c, self.lang) for c in self.columns
        )

    def field_compat(self, platforms: Platforms) -> tuple[Badge, ...]:
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

    def type_md(self, expr: TypeExpr, section: _Section | None) -> Markup:
        """A type expression as Markdown, linking the named types that ``section`` shows."""
        if isinstance(expr, Union):
            return Markup(" &#124; ".join(self.type_md(m, section) for m in expr.members))
        if isinstance(expr, Generic):
            args = ", ".join(self.type_md(a, section) for a in expr.args)
            return Markup(f"{escape_md(expr.name)}&lt;{args}&gt;")
        if isinstance(expr, Function):
            params = ", ".join(
                f"{escape_md(name)}: {self.type_md(t, section)}" for name, t in expr.params
            )
            return Markup(f"({params}) =&gt; {self.type_md(expr.returns, section)}")
        return self.named_md(expr.name, section)

    def named_md(self, name: str, section: _Section | None) -> Markup:
        shown = escape_md(name)
        if name in _EXTERNAL_TYPES:
            return Markup(f"[{shown}]({_EXTERNAL_TYPES[name]})")
        named = self.module.types.get(name)
        if named is None:
            return shown
        if section is None:  # a type page: every named type has a page of its own
            return Markup(f"[{shown}]({type_page_name(name)})")
        if isinstance(named, AliasType):
            return self.type_md(named.type, section)
        if isinstance(named, ErrorCodesType):
            return Markup("number")
        if isinstance(named, ObjectType) and (
            named.general or any(t.name == name for t in section.tabulated)
        ):
            return Markup(f"[{shown}](#{named.anchor})")
        if isinstance(named, InterfaceType) and name in section.returned:
            return Markup(f"[{shown}](#{named.anchor})")
        return Markup(f"**{shown}**")

    def default(self, f: Field) -> str:
        if not f.has_default:
            return Markup("-")
        return json.dumps(f.default, ensure_ascii=False)

    def field_row(self, f: Field, section: _Section | None) -> FieldRow:
        description = escape_md(self.text(f.description))
        if f.requires is not None:
            requires = escape_md(self.text(f.requires))
            description = Markup(f"{requires}<br><br>{description}" if description else requires)
        values_caption = ""
        values: tuple[ValueRow, ...] = ()
        codes = self._error_codes(f.type)
        if codes is not None:
            values_caption = self.label("values_of", name=f.name)
            values = tuple(
                ValueRow(str(c.code), c.errMsg, self.text(c.description)) for c in codes.codes
            )
        return FieldRow(
            name=f.name,
            type=self.type_md(f.type, section),
            required=self.label("yes" if f.required else "no"),
            default=self.default(f),
            compat=self.field_compat(f.platforms),
            description=description or Markup("-"),
            values_caption=values_caption,
            values=values,
        )

    def _error_codes(self, expr: TypeExpr) -> ErrorCodesType | None:
        if isinstance(expr, Named):
            named = self.module.types.get(expr.name)
            if isinstance(named, ErrorCodesType):
                return named
        return None

    # -- sections ----------------------------------------------------------------------------

    def collect(self, expr: TypeExpr, section: _Section) -> None:
        """Add the object types ``expr`` reaches (through callbacks and aliases) to ``section``."""
        for name in _expr_names(expr):
            named = self.module.types.get(name)
            if isinstance(named, AliasType):
                self.collect(named.type, section)
            elif (
                isinstance(named, ObjectType)
                and not named.general
                and name not in section.nested
                and all(t.name != name for t in section.tabulated)
            ):
                section.tabulated.append(named)
                for f in self.module.fields(name):
                    self.collect(f.type, section)

    def callable_view(self, c: Callable, level: int, section: _Section) -> CallableView:
        nested_types: list[tuple[Field, ObjectType]] = []
        for p in c.params:
            named = self.module.types.get(p.type.name) if isinstance(p.type, Named) else None
            if isinstance(named, ObjectType) and not named.general:
                nested_types.append((p, named))
                section.nested.add(named.name)
        for p in c.params:
            if any(p is n for n, _ in nested_types):
                for f in self.module.fields(p.type.name if isinstance(p.type, Named) else ""):
                    self.collect(f.type, section)
            else:
                self.collect(p.type, section)
        params = tuple(self.field_row(p, section) for p in c.params)
        nested = tuple(
            Nested(
                caption=self.label("nested_of", param=p.name, type=t.name),
                rows=tuple(self.field_row(f, section) for f in self.module.fields(t.name)),
            )
            for p, t in nested_types
        )
        types = tuple(
            TypeTable(
                name=t.name,
                caption=self.label("properties_of", name=t.name),
                anchor=t.anchor,
                level=min(level + 2, 6),
                rows=tuple(self.field_row(f, section) for f in self.module.fields(t.name)),
            )
            for t in section.tabulated
        )
        deprecated = None
        if c.deprecated is not None:
            replacement = f"`{c.deprecated.replacement}`"
            deprecated = Markup(self.label("use_instead", replacement=replacement))
        returns = None
        if not (isinstance(c.returns, Named) and c.returns.name == "void"):
            returns = self.type_md(c.returns, section)
        rules = self.rule_rows(c.qualname)
        return CallableView(
            name=c.name,
            anchor=c.anchor,
            title=self.title(c),
            description=self.text(c.description),
            deprecated=deprecated,
            deprecated_since=(
                self.label("deprecated_since", since=c.deprecated.since)
                if c.deprecated is not None and c.deprecated.since
                else None
            ),
            compat_heading=self.label("compat_heading", name=c.name),
            compat_headers=tuple(col.title.get(self.lang) for col in self.columns),
            compat=self.compat(c.platforms),
            params=params,
            nested=nested,
            types=types,
            rules=rules,
            returns=returns,
            examples=tuple((_code_lang(e.lang), _code_text(e.code)) for e in c.examples),
        )

    def title(self, c: Callable) -> Markup:
        signature = escape_md(f"{c.name}({', '.join(p.name for p in c.params)})")
        if c.owner is not None:
            return signature
        if c.deprecated is not None:
            return Markup(f"uni.~~{signature}~~")
        return Markup(f"uni.{signature}")

    def api_sections(self, api: Callable) -> dict[str, str]:
        words = self.labels
        section = _Section()
        view = self.callable_view(api, 2, section)
        context = {"c": view, "labels": words, "level": 2}
        return {
            "name": _render("name.md.j2", **context),
            "description": _render("description.md.j2", **context),
            "compatibility": _render("compatibility.md.j2", **context),
            "param": _render("param.md.j2", **context),
            "returnValue": self.return_value(api),
            "tutorial": _render(
                "tutorial.md.j2",
                labels=words,
                links=[
                    (self.text(link.label), link.url if safe_url(link.url) else None)
                    for link in api.tutorial
                ],
            ),
        }

    def return_value(self, api: Callable) -> str:
        if isinstance(api.returns, Named) and api.returns.name == "void":
            return ""
        section = _Section()
        iface = None
        if isinstance(api.returns, Named):
            named = self.module.types.get(api.returns.name)
            if isinstance(named, InterfaceType):
                iface = named
                section.returned.add(named.name)
        methods: tuple[CallableView, ...] = ()
        if iface is not None:
            methods = tuple(self.callable_view(m, 4, _Section()) for m in iface.methods)
        return _render(
            "return_value.md.j2",
            labels=self.labels,
            type=self.type_md(api.returns, section),
            iface=None
            if iface is None
            else {
                "name": iface.name,
                "anchor": iface.anchor,
                "description": self.text(iface.description),
                "heading": self.label("methods_of", name=iface.name),
            },
            methods=methods,
        )

    def example(self) -> str:
        example = self.module.example
        if example is None:
            return ""
        return _render(
            "example.md.j2",
            labels=self.labels,
            title=self.text(example.title),
            links=[
                (label, url)
                for label, url in (
                    ("hello uni-app x", example.repository),
                    (self.label("preview"), example.preview),
                    (self.label("open_in_app"), example.app_redirect),
                )
                if url and safe_url(url) is not None
            ],
            lang=_code_lang(example.lang),
            code=_code_text(example.code),
        )

    def general_tables(self) -> list[TypeTable]:
        return [
            TypeTable(
                name=t.name,
                caption=t.name,
                anchor=t.anchor,
                level=3,
                rows=tuple(self.field_row(f, _Section()) for f in self.module.fields(t.name)),
            )
            for t in self.module.general_types
        ]

    # -- type pages --------------------------------------------------------------------------

    def type_page(self, named: NamedType, used_by: Sequence[tuple[str, str | None]]) -> str:
        context: dict[str, Any] = {
            "labels": self.labels,
            "name": named.name,
            "anchor": named.anchor,
            "module": self.text(self.module.title),
            "description": self.text(named.description),
            "used_by": used_by,
            "kind": named.kind,
            "extends": None,
            "rows": (),
            "methods": (),
            "codes": (),
            "subject": "",
            "alias": None,
        }
        if isinstance(named, ObjectType):
            context["kind_label"] = self.label("object_type")
            if named.extends is not None:
                context["extends"] = self.named_md(named.extends, None)
            context["rows"] = tuple(self.field_row(f, None) for f in self.module.fields(named.name))
        elif isinstance(named, InterfaceType):
            context["kind_label"] = self.label("interface_type")
            context["methods"] = tuple(self.method_page_view(m) for m in named.methods)
        elif isinstance(named, ErrorCodesType):
            context["kind_label"] = self.label("error_codes_type")
            context["subject"] = named.subject
            context["codes"] = tuple(
                ValueRow(str(c.code), c.errMsg, self.text(c.description)) for c in named.codes
            )
        else:
            context["kind_label"] = self.label("alias_of")
            context["alias"] = self.type_md(named.type, None)
        return _render("type_page.md.j2", **context)

    def rule_rows(self, qualname: str) -> tuple[RuleRow, ...]:
        """The rules listed under ``qualname``; a rule's anchor (``#rule-<id>``, the target of
        the conformance reports' links) sits under the first API it names."""
        return tuple(
            RuleRow(
                r.id,
                r.level,
                self.text(r.title),
                self.text(r.text),
                f"rule-{r.id}" if r.apis[0] == qualname else None,
            )
            for r in self.rules.get(qualname, ())
        )

    def method_page_view(self, m: Callable) -> CallableView:
        rules = self.rule_rows(m.qualname)
        return CallableView(
            name=m.name,
            anchor=m.anchor,
            title=self.title(m),
            description=self.text(m.description),
            deprecated=None,
            deprecated_since=None,
            compat_heading=self.label("compat_heading", name=m.name),
            compat_headers=tuple(col.title.get(self.lang) for col in self.columns),
            compat=self.compat(m.platforms),
            params=tuple(self.field_row(p, None) for p in m.params),
            nested=(),
            types=(),
            rules=rules,
            returns=None,
            examples=tuple((_code_lang(e.lang), _code_text(e.code)) for e in m.examples),
        )


def type_page_name(type_name: str) -> str:
    """The file name of a type's page, relative to the ``types/`` folder."""
    return f"{type_name.lower()}.md"


# ----------------------------------------------------------------------------------------------
# Public entry points


def build_data(
    spec: Spec,
    lang: Lang,
    *,
    columns: Sequence[Column] = DEFAULT_COLUMNS,
    rules: Sequence[RuleView] | None = None,
) -> dict[str, dict[str, str]]:
    """``key -> section -> markdown`` for every placeholder, in the mkdocs flavour.

    ``rules`` defaults to :func:`load_rules` of the spec (none when ``spec/rules/`` is absent).
    """
    if rules is None:
        rules = load_rules(spec)
    data: dict[str, dict[str, str]] = {}
    general: list[TypeTable] = []
    for module in spec.modules:
        renderer = _Renderer(module, lang, columns, rules)
        for api in module.apis:
            data[api.name] = renderer.api_sections(api)
        data[module.name] = {"example": renderer.example()}
        general.extend(renderer.general_tables())
    words = labels.table(labels.MKDOCS, lang)
    data["general_type"] = {
        "name": _render("general_name.md.j2", labels=words),
        "param": _render("general_param.md.j2", labels=words, tables=general),
    }
    return data


@dataclass(frozen=True)
class TypePage:
    """A generated page: ``name`` is the file name under ``types/`` (``index.md`` for the list)."""

    name: str
    title: str
    markdown: str


def _used_by(module: Module) -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}

    def note(expr: TypeExpr, who: str, seen: set[str]) -> None:
        for name in _expr_names(expr):
            if name in seen or name not in module.types:
                continue
            seen.add(name)
            used.setdefault(name, [])
            if who not in used[name]:
                used[name].append(who)
            named = module.types[name]
            if isinstance(named, AliasType):
                note(named.type, who, seen)

    for c in module.callables():
        for p in c.params:
            note(p.type, c.qualname, set())
        note(c.returns, c.qualname, set())
    for named in module.types.values():
        if isinstance(named, ObjectType):
            for f in named.fields:
                note(f.type, named.name, {named.name})
            if named.extends is not None:
                note(Named(named.extends), named.name, {named.name})
    return used


def _user_link(module: Module, user: str, api_page: str | None) -> tuple[str, str | None]:
    """A link, relative to ``types/``, to where ``user`` (API, ``Type.method`` or type) is shown."""
    owner, _, name = user.rpartition(".")
    if owner:
        return user, f"{type_page_name(owner)}#{name.lower()}"
    if user in module.types:
        return user, type_page_name(user)
    return user, None if api_page is None else f"{api_page}#{user.lower()}"


def build_type_pages(
    spec: Spec,
    lang: Lang,
    *,
    columns: Sequence[Column] = DEFAULT_COLUMNS,
    rules: Sequence[RuleView] | None = None,
    api_pages: Mapping[str, str] | None = None,
) -> tuple[TypePage, ...]:
    """One page per named type of every module, plus ``index.md`` listing them.

    ``api_pages`` maps a module name to its API page relative to the ``types/`` folder (such as
    ``../websocket.md``), for the "used by" links; a module without one gets no API links.
    """
    if rules is None:
        rules = load_rules(spec)
    words = labels.table(labels.MKDOCS, lang)
    pages: list[TypePage] = []
    listing: list[dict[str, Any]] = []
    for module in spec.modules:
        renderer = _Renderer(module, lang, columns, rules)
        used = _used_by(module)
        api_page = (api_pages or {}).get(module.name)
        entries = []
        for named in module.types.values():
            users = [_user_link(module, u, api_page) for u in used.get(named.name, [])]
            pages.append(
                TypePage(type_page_name(named.name), named.name, renderer.type_page(named, users))
            )
            entries.append(
                {
                    "name": named.name,
                    "page": type_page_name(named.name),
                    "kind": renderer.label(
                        {
                            "object": "object_type",
                            "interface": "interface_type",
                            "error-codes": "error_codes_type",
                            "alias": "alias_of",
                        }[named.kind]
                    ),
                    "description": renderer.text(named.description),
                }
            )
        listing.append({"title": renderer.text(module.title), "types": entries})
    index = _render("types_index.md.j2", labels=words, modules=listing)
    return (TypePage("index.md", words["types"], index), *pages)
