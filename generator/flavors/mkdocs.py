"""The **mkdocs flavour**: placeholder data that MkDocs + Material render with no Vue components.

Same keys and sections as the dcloud flavour (every API: ``name``, ``description``,
``compatibility``, ``param``, ``returnValue``, ``tutorial``; each module: ``example``;
``general_type``: ``name``, ``param``) and the same anchors (``#connectsocket``,
``#sockettask-values``, ``#connectsocketsuccess-values``, ``#generalcallbackresult-values``), set
with ``attr_list`` heading ids.  Compatibility is a one-row table of badges, the properties of an
options object are a sub-table under its parameter, error codes are a valid-values sub-table, and
the conformance rules (``spec/rules/*.yaml``) are listed under the API they concern.

It also renders the pages the MkDocs plugin adds: one per named type (:func:`build_type_pages`) and
the conformance results (:func:`render_results`, :mod:`generator.flavors.results`).

The parts: escaping and filters in :mod:`generator.flavors._mkdocs_md` (every spec text goes
through :func:`escape_md`), the view model in :mod:`generator.flavors._mkdocs_view`, view types
in :mod:`generator.flavors.views`, words in :mod:`generator.flavors.labels`, columns in
:mod:`generator.flavors.columns`; the Jinja templates in ``generator/templates/mkdocs/`` lay the
views out.  This module renders.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.flavors import labels
from generator.flavors._mkdocs_md import FILTERS, escape_md, make_environment, safe_url
from generator.flavors._mkdocs_view import (
    KIND_LABELS,
    RULES_PAGE,
    ModuleView,
    expr_names,
    type_page_name,
)
from generator.flavors.columns import MKDOCS_COLUMNS as DEFAULT_COLUMNS
from generator.flavors.columns import Column
from generator.flavors.results import Matrix, load_matrix, render_results
from generator.flavors.views import Badges, TypeTable
from generator.spec import Spec
from generator.spec.model import AliasType, Callable, Lang, Module, NamedType, ObjectType, Text
from generator.spec.overlay import OverlayPage, load_overlay
from generator.spec.rules import Rule
from generator.spec.typeexpr import Named, TypeExpr

__all__ = [
    "DEFAULT_COLUMNS",
    "RULES_PAGE",
    "SITE_WORDS",
    "Column",
    "Coverage",
    "SitePage",
    "TypePage",
    "api_links",
    "build_data",
    "build_module_data",
    "build_page_data",
    "build_type_pages",
    "escape_md",
    "load_matrix",
    "module_page_markdown",
    "not_translated_note",
    "overlay_pages",
    "render_results",
    "safe_url",
    "site_pages",
    "translation_coverage",
    "type_page_files",
    "type_page_name",
]

#: The site's own words for what the generated pages and the navigation add.
SITE_WORDS: dict[str, Text] = {
    "api_reference": Text("API 参考", "API reference"),
    "module_types": Text("本模块的类型", "Types of this module"),
    "not_translated": Text("尚未翻译", "Not yet translated"),
    "alias_text": Text("{type} 的别名", "Alias of {type}"),
    "not_translated_text": Text(
        "本模块尚无英文说明，以下显示中文原文。",
        "This module has no English text yet: its descriptions are shown in Chinese.",
    ),
}

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


def _api_sections(
    view: ModuleView, api: Callable, on_page: Sequence[str] = ("param", "returnValue")
) -> dict[str, str]:
    """The sections of ``api``; ``on_page``: those of them the page shows, in the order it shows
    them (the tables of a section not shown are not recorded as shown)."""
    view.record = "param" in on_page
    context = {"c": view.api(api), "labels": view.labels}
    sections = {key: _render(t, **context, level=2) for key, t in _API_SECTIONS.items()}
    view.record = "returnValue" in on_page
    sections["returnValue"] = _render_view(
        "return_value.md.j2", view.return_value(api), view.labels
    )
    view.record = True
    sections["tutorial"] = _render("tutorial.md.j2", **context, links=view.tutorial(api))
    return sections


def _module_data(
    data: dict[str, dict[str, str]], view: ModuleView, module: Module
) -> list[TypeTable[Badges]]:
    """Fill ``data`` with the sections of ``module``'s APIs and its example; its general types."""
    for api in module.apis:
        data[api.name] = _api_sections(view, api)
    # A module may share its name with one of its APIs (addPhoneContact): one key, both sections.
    example = _render_view("example.md.j2", view.example(), view.labels)
    data.setdefault(module.name, {})["example"] = example
    return view.general_tables()


def _general(data: dict[str, dict[str, str]], lang: Lang, tables: list[TypeTable[Badges]]) -> None:
    words = labels.table(labels.MKDOCS, lang)
    data["general_type"] = {
        "name": _render("general_name.md.j2", labels=words),
        "param": _render("general_param.md.j2", labels=words, tables=tables),
    }


def build_data(
    spec: Spec,
    lang: Lang,
    *,
    columns: Sequence[Column] = DEFAULT_COLUMNS,
    rules: Sequence[Rule] | None = None,
    root: str = "",
    results: Matrix | None = None,
) -> dict[str, dict[str, str]]:
    """``key -> section -> markdown`` for every placeholder, in the mkdocs flavour.

    ``rules`` defaults to the spec's own conformance rules (none when it has no ``rules/``).
    ``root`` is the language folder relative to the page filled ("" for a page at its top,
    ``../`` one folder down): links to the type pages and to the rules' full text on the
    conformance page (:data:`RULES_PAGE`) start with it.
    An API name that several modules declare keeps the last module's sections here; the
    generated pages fill theirs from :func:`build_module_data`.
    """
    if rules is None:
        rules = spec.rules.rules
    data: dict[str, dict[str, str]] = {}
    general: list[TypeTable[Badges]] = []
    files = type_page_files(spec)
    for module in spec.modules:
        view = ModuleView(
            module, lang, columns, rules, files[module.name], root=root, results=results
        )
        general.extend(_module_data(data, view, module))
    _general(data, lang, general)
    return data


def build_module_data(
    spec: Spec,
    module: Module,
    lang: Lang,
    *,
    columns: Sequence[Column] = DEFAULT_COLUMNS,
    rules: Sequence[Rule] | None = None,
    root: str = "",
    results: Matrix | None = None,
) -> dict[str, dict[str, str]]:
    """The placeholder data of one module alone: its APIs, its ``example`` key and
    ``general_type`` (its own general types), for a page generated for that module
    (``root``: as in :func:`build_data`)."""
    if rules is None:
        rules = spec.rules.rules
    data: dict[str, dict[str, str]] = {}
    files = type_page_files(spec)[module.name]
    view = ModuleView(module, lang, columns, rules, files, root=root, results=results)
    _general(data, lang, _module_data(data, view, module))
    return data


def build_page_data(
    spec: Spec,
    lang: Lang,
    placeholders: Sequence[tuple[str, str]],
    base: Mapping[str, Mapping[str, str]],
    *,
    columns: Sequence[Column] = DEFAULT_COLUMNS,
    rules: Sequence[Rule] | None = None,
    root: str = "",
    module: Module | None = None,
    results: Matrix | None = None,
) -> dict[str, dict[str, str]]:
    """The placeholder data of one page that shows ``placeholders`` (key, section), in order:
    a type's table is shown once on the page, where it first comes; later sections link to it
    (issue 13: the deprecated globals repeated the tables of the methods replacing them).

    ``base`` is the data of every key (:func:`build_data` or :func:`build_module_data` with the
    same ``root``); the APIs the page shows are rendered again, in page order, over it.
    ``module``: the module of a generated page (else each key's module as in :func:`build_data`).
    """
    if rules is None:
        rules = spec.rules.rules
    owners: dict[str, tuple[Module, Callable]] = {}
    for candidate in (module,) if module is not None else spec.modules:
        for api in candidate.apis:
            owners[api.name] = (candidate, api)
    sections: dict[str, list[str]] = {}
    for key, section in placeholders:
        if key in owners:
            sections.setdefault(key, []).append(section)
    files = type_page_files(spec)
    views: dict[str, ModuleView] = {}
    data = {key: dict(value) for key, value in base.items()}
    for key, on_page in sections.items():
        owner, api = owners[key]
        if owner.name not in views:
            views[owner.name] = ModuleView(
                owner,
                lang,
                columns,
                rules,
                files[owner.name],
                root=root,
                shown={},
                results=results,
            )
        data[key] = _api_sections(views[owner.name], api, on_page)
        if key in base and "example" in base[key]:
            data[key]["example"] = base[key]["example"]
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


def _user_link(
    module: Module, user: str, links: Mapping[str, str], pages: Mapping[str, str]
) -> tuple[str, str | None]:
    """A link, relative to ``types/``, to where ``user`` (API, ``Type.method`` or type) is shown:
    the anchor its heading really has (an imported module's clashing names get ``-2``...,
    :func:`generator.spec.model.build_module`); None for an API no page shows."""
    if user in module.types:
        return user, pages.get(user) or type_page_name(user)
    target = module.callable(user)
    owner = user.rpartition(".")[0]
    if owner:
        page = pages.get(owner) or type_page_name(owner)
        return user, page if target is None else f"{page}#{target.anchor}"
    link = links.get(f"{module.name}.{user}")
    if link is not None:
        return user, link if "#" in link or target is None else f"{link}#{target.anchor}"
    module_page = links.get(module.name)
    if module_page is None or target is None:
        return user, None
    return user, f"{module_page}#{target.anchor}"


def _index_description(view: ModuleView, named: NamedType) -> Markup:
    """A type's description in the types index; an alias without one says what it aliases,
    any other type without one shows "-" (no empty cell)."""
    text = view.text(named.description)
    if text:
        return escape_md(text)
    if isinstance(named, AliasType):
        aliased = FILTERS["md_type"](view.type_ref(named.type, None))
        before, _, after = SITE_WORDS["alias_text"].get(view.lang).partition("{type}")
        return Markup(
            escape_md(before)
            + (" " if before.endswith(" ") else "")
            + aliased
            + (" " if after.startswith(" ") else "")
            + escape_md(after)
        )
    return Markup("-")


def type_page_files(spec: Spec) -> dict[str, dict[str, str]]:
    """Module -> type name -> the file of its page under ``types/``.

    A type's page is ``<name>.md`` (lower case); a name that several modules declare (or that
    differs from another only in case) gets ``<module>.<name>.md`` in each of them, so no page
    replaces another.
    """
    counts: dict[str, int] = {}
    for module in spec.modules:
        for name in module.types:
            counts[type_page_name(name)] = counts.get(type_page_name(name), 0) + 1
    files: dict[str, dict[str, str]] = {}
    taken: set[str] = set()
    for module in spec.modules:
        mine = files.setdefault(module.name, {})
        for name in module.types:
            file = type_page_name(name)
            if counts[file] > 1:
                file = type_page_name(f"{module.name}.{name}")
            while file in taken:
                file = file.removesuffix(".md") + "_.md"
            taken.add(file)
            mine[name] = file
    return files


def not_translated_note(lang: Lang) -> str:
    """The mark at the top of a page whose module has no text in ``lang`` yet."""
    title = SITE_WORDS["not_translated"].get(lang)
    text = SITE_WORDS["not_translated_text"].get(lang)
    return (
        f'!!! warning "{_render_attr(title)}"\n\n    {escape_md(text)}\n\n' if lang != "zh" else ""
    )


def _render_attr(text: str) -> str:
    return str(escape_md(text)).replace('"', "&quot;")


def _untranslated(module: Module, lang: Lang) -> bool:
    return lang not in module.languages


def build_type_pages(
    spec: Spec,
    lang: Lang,
    *,
    columns: Sequence[Column] = DEFAULT_COLUMNS,
    rules: Sequence[Rule] | None = None,
    api_pages: Mapping[str, str] | None = None,
    results: Matrix | None = None,
) -> tuple[TypePage, ...]:
    """One page per named type of every module, plus ``index.md`` listing them.

    ``api_pages`` maps a module name to its API page relative to the ``types/`` folder (such as
    ``../websocket.md``: every API of the module is there, under its anchor), for the "used by"
    links; ``module.api`` keys where one API is shown (:func:`api_links`: a page, or a page and
    its anchor) and wins over the module's.  An API with neither gets no link.
    """
    if rules is None:
        rules = spec.rules.rules
    words = labels.table(labels.MKDOCS, lang)
    pages: list[TypePage] = []
    listing: list[dict[str, Any]] = []
    files = type_page_files(spec)
    links = api_pages or {}
    for module in spec.modules:
        mine = files[module.name]
        view = ModuleView(module, lang, columns, rules, mine, root="../", results=results)
        used = _used_by(module)
        note = not_translated_note(lang) if _untranslated(module, lang) else ""
        entries = []
        for named in module.types.values():
            users = [_user_link(module, u, links, mine) for u in used.get(named.name, [])]
            markdown = _render_view("type_page.md.j2", view.type_page(named, users), words)
            if note:
                head, _, rest = markdown.partition("\n")
                markdown = f"{head}\n\n{note}{rest}"
            pages.append(TypePage(mine[named.name], named.name, markdown))
            entries.append(
                {
                    "name": named.name,
                    "page": mine[named.name],
                    "kind": view.label(KIND_LABELS[named.kind]),
                    "description": _index_description(view, named),
                }
            )
        listing.append({"title": view.text(module.title), "types": entries})
    index = _render("types_index.md.j2", labels=words, modules=listing)
    return (TypePage("index.md", words["types"], index), *pages)


# ----------------------------------------------------------------------------------------------
# The pages of the site: one per page of the overlay's grouping, else one per module


@dataclass(frozen=True)
class SitePage:
    """A generated API page: ``path`` under each language folder, without ``.md``
    (``api/websocket-global``); the ``apis`` of ``module`` it shows, in order; the navigation
    ``group`` it goes under (None: the API reference section)."""

    path: str
    title: Text
    module: str
    apis: tuple[str, ...]
    group: Text | None = None


_PAGE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*")


def overlay_pages(spec_dir: Path | None) -> tuple[OverlayPage, ...]:
    """The pages of the overlay's grouping (:func:`generator.spec.overlay.load_overlay`: the
    spec directory's ``overlays/``, else the bundled one); raises ``SpecError`` if invalid."""
    return load_overlay(spec_dir).pages


def site_pages(spec: Spec, grouping: Sequence[OverlayPage] = ()) -> tuple[SitePage, ...]:
    """The generated pages: each page of ``grouping`` whose module is in ``spec`` (with the
    APIs it names that the module has), then one page per module (``api/<module>``, titled with
    the module's title, in module order) for the APIs no page shows: all of a module no page
    covers, the rest of one whose pages list only some.  An API that several modules declare
    is shown once, on the first page that lists it."""
    pages: list[SitePage] = []
    shown: set[str] = set()
    paths: set[str] = set()
    for item in grouping:
        module = spec.module(item.module)
        path = item.path.removesuffix(".md")
        if module is None or not _PAGE_PATH.fullmatch(path) or ".." in path.split("/"):
            continue
        if path in paths:
            continue
        apis = tuple(a for a in item.apis if module.api(a) is not None)
        group = getattr(item, "group", None)  # a navigation group, when the overlay has them
        pages.append(SitePage(path, item.title, module.name, apis, group))
        shown.update(apis)
        paths.add(path)
    covered = {page.module for page in pages}
    for module in spec.modules:
        rest = tuple(a.name for a in module.apis if a.name not in shown)
        if module.name in covered and not rest:
            continue
        shown.update(rest)
        path = f"api/{module.name}"
        while path in paths:
            path += "_"
        paths.add(path)
        pages.append(SitePage(path, module.title, module.name, rest))
    return tuple(pages)


def api_links(
    spec: Spec, pages: Sequence[SitePage], written: Mapping[str, str] = {}
) -> dict[str, str]:
    """``module.api`` -> where that API is shown, ``page.md#anchor`` relative to the language
    folder, for every API of ``spec`` that a page shows: the generated ``pages``
    (:func:`site_pages`), and ``written``: module name -> its hand-written page (every API of
    the module, by its anchor; it wins over generated pages).  An API that several modules
    declare links, from each of them, to the page that shows it (the anchor that page's
    module gave it)."""
    where: dict[str, str] = {}
    for page in pages:
        module = spec.module(page.module)
        for name in page.apis:
            api = None if module is None else module.api(name)
            if api is not None:
                where.setdefault(name, f"{page.path}.md#{api.anchor}")
    links: dict[str, str] = {}
    for module in spec.modules:
        for api in module.apis:
            if module.name in written:
                links[f"{module.name}.{api.name}"] = f"{written[module.name]}#{api.anchor}"
            elif api.name in where:
                links[f"{module.name}.{api.name}"] = where[api.name]
    return links


def module_page_markdown(
    page: SitePage, module: Module, lang: Lang, type_files: Mapping[str, str]
) -> str:
    """The source of a generated page: its title, the not-translated mark where ``lang`` has
    no text, placeholders (each API's sections, the module's example, its general types) and a
    list of the module's types, all filled by the plugin.  No prose of the page comes from
    outside the spec."""
    words = labels.table(labels.MKDOCS, lang)
    types_dir = posixpath.relpath("types", posixpath.dirname(page.path) or ".")
    return _render(
        "module_page.md.j2",
        labels=words,
        title=page.title.get(lang),
        note=not_translated_note(lang) if _untranslated(module, lang) else "",
        apis=page.apis,
        example=module.name if module.example is not None else None,
        # the general types' tables, which the sections link to (#<name>-values)
        general=bool(module.general_types),
        types_heading=SITE_WORDS["module_types"].get(lang),
        types=[(name, f"{types_dir}/{file}") for name, file in type_files.items()],
    )


# ----------------------------------------------------------------------------------------------
# Translation coverage


@dataclass(frozen=True)
class Coverage:
    """How many of a module's texts have their own English (``translated``) of ``total``."""

    module: str
    translated: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * self.translated / self.total


def _texts(value: object) -> Iterator[Text]:
    if isinstance(value, Text):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _texts(getattr(value, f.name))
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _texts(item)


def translation_coverage(spec: Spec) -> tuple[Coverage, ...]:
    """Per module: its non-empty texts, and how many of them have English of their own."""
    result = []
    for module in spec.modules:
        texts = [t for t in _texts(module) if t.zh]
        result.append(Coverage(module.name, sum(1 for t in texts if t.translated), len(texts)))
    return tuple(result)
