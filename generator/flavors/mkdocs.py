"""The **mkdocs flavour**: placeholder data that MkDocs + Material render with no Vue components.

Same keys and sections as the dcloud flavour (every API: ``name``, ``description``,
``compatibility``, ``param``, ``returnValue``, ``tutorial``; each module: ``example``;
``general_type``: ``name``, ``param``) and the same anchors (``#connectsocket``,
``#sockettask-values``, ``#connectsocketsuccess-values``, ``#generalcallbackresult-values``), set
with ``attr_list`` heading ids.  Compatibility is a one-row table of badges, the properties of an
options object are a sub-table under its parameter, error codes are a valid-values sub-table, and
the conformance rules (``spec/rules/*.yaml``) are listed under the API they concern.

It also renders the pages the MkDocs plugin adds: one per named type (:func:`build_type_pages`) and
the conformance results (:func:`render_results`, :mod:`generator.flavors._results`).

The parts: escaping and filters in :mod:`generator.flavors._mkdocs_md` (every spec text goes
through :func:`escape_md`), the view model in :mod:`generator.flavors._mkdocs_view`, view types
in :mod:`generator.flavors.views`, words in :mod:`generator.flavors.labels`, columns in
:mod:`generator.flavors.columns`; the Jinja templates in ``generator/templates/mkdocs/`` lay the
views out.  This module renders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.flavors import labels
from generator.flavors._mkdocs_md import escape_md, make_environment, safe_url
from generator.flavors._mkdocs_view import KIND_LABELS, ModuleView, expr_names, type_page_name
from generator.flavors._results import render_results
from generator.flavors.columns import MKDOCS_COLUMNS as DEFAULT_COLUMNS
from generator.flavors.columns import Column
from generator.flavors.views import Badges, TypeTable
from generator.spec import Spec
from generator.spec.model import AliasType, Callable, Lang, Module, ObjectType
from generator.spec.rules import Rule
from generator.spec.typeexpr import Named, TypeExpr

__all__ = [
    "DEFAULT_COLUMNS",
    "Column",
    "TypePage",
    "build_data",
    "build_type_pages",
    "escape_md",
    "render_results",
    "safe_url",
    "type_page_name",
]

_API_SECTIONS = {
    "name": "name.md.j2",
    "description": "description.md.j2",
    "compatibility": "compatibility.md.j2",
    "param": "param.md.j2",
}


def _render(template: str, **context: Any) -> str:
    return make_environment().get_template(template).render(**context)


def _render_view(template: str, view: object | None, words: Mapping[str, str]) -> str:
    """``template`` with the fields of ``view`` (a view dataclass) as its names; "" for None."""
    return "" if view is None else _render(template, labels=words, **vars(view))


def _api_sections(view: ModuleView, api: Callable) -> dict[str, str]:
    context = {"c": view.api(api), "labels": view.labels}
    sections = {key: _render(t, **context, level=2) for key, t in _API_SECTIONS.items()}
    sections["returnValue"] = _render_view(
        "return_value.md.j2", view.return_value(api), view.labels
    )
    sections["tutorial"] = _render("tutorial.md.j2", labels=view.labels, links=view.tutorial(api))
    return sections


def build_data(
    spec: Spec,
    lang: Lang,
    *,
    columns: Sequence[Column] = DEFAULT_COLUMNS,
    rules: Sequence[Rule] | None = None,
) -> dict[str, dict[str, str]]:
    """``key -> section -> markdown`` for every placeholder, in the mkdocs flavour.

    ``rules`` defaults to the spec's own conformance rules (none when it has no ``rules/``).
    """
    if rules is None:
        rules = spec.rules.rules
    data: dict[str, dict[str, str]] = {}
    general: list[TypeTable[Badges]] = []
    for module in spec.modules:
        view = ModuleView(module, lang, columns, rules)
        for api in module.apis:
            data[api.name] = _api_sections(view, api)
        data[module.name] = {"example": _render_view("example.md.j2", view.example(), view.labels)}
        general.extend(view.general_tables())
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
        for name in expr_names(expr):
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
    rules: Sequence[Rule] | None = None,
    api_pages: Mapping[str, str] | None = None,
) -> tuple[TypePage, ...]:
    """One page per named type of every module, plus ``index.md`` listing them.

    ``api_pages`` maps a module name to its API page relative to the ``types/`` folder (such as
    ``../websocket.md``), for the "used by" links; a module without one gets no API links.
    """
    if rules is None:
        rules = spec.rules.rules
    words = labels.table(labels.MKDOCS, lang)
    pages: list[TypePage] = []
    listing: list[dict[str, Any]] = []
    for module in spec.modules:
        view = ModuleView(module, lang, columns, rules)
        used = _used_by(module)
        api_page = (api_pages or {}).get(module.name)
        entries = []
        for named in module.types.values():
            users = [_user_link(module, u, api_page) for u in used.get(named.name, [])]
            markdown = _render_view("type_page.md.j2", view.type_page(named, users), words)
            pages.append(TypePage(type_page_name(named.name), named.name, markdown))
            entries.append(
                {
                    "name": named.name,
                    "page": type_page_name(named.name),
                    "kind": view.label(KIND_LABELS[named.kind]),
                    "description": view.text(named.description),
                }
            )
        listing.append({"title": view.text(module.title), "types": entries})
    index = _render("types_index.md.j2", labels=words, modules=listing)
    return (TypePage("index.md", words["types"], index), *pages)
