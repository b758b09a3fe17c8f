"""The ``utsapi`` MkDocs plugin: fills ``<!-- UTSAPIJSON.key.section -->`` at build time.

Configured in ``mkdocs.yml``::

    plugins:
      - i18n: ...            # mkdocs-static-i18n, docs_structure: folder (optional)
      - utsapi:
          spec: ../spec                      # default: the spec bundled with the generator
          report: ../build/conformance/report.json
          changes: ../build/changes.json    # optional: utsapi build --since writes it
          allow_missing: false               # true keeps unknown placeholders, as the original

What it does, per page and language (``zh``/``en``, from mkdocs-static-i18n's file locale, else the
first folder of the page's path):

* turns the seed's VuePress syntax into MkDocs syntax: ``::: warning TITLE`` … ``:::`` containers
  become Material admonitions and ``## heading @anchor`` becomes ``## heading {#anchor}``;
* fills every placeholder with the **mkdocs flavour** (:mod:`generator.flavors.mkdocs`); an unknown
  placeholder is an error naming ``file:line:col`` and the nearest known names;
* replaces ``<!-- utsapi:conformance-results -->`` with the latest conformance report (a file,
  or a folder of reports: the results matrix) and, from the same reports loaded once, shows
  each API section's cases per implementation (summary badges, rows linking to the matrix);
* with ``changes`` (the diff's JSON, ``utsapi build --since``), adds a Changes page per language
  (``changes.md``, last in the navigation; :func:`generator.diff.render_changes_page`), each change
  linked to the API or type it concerns where the site shows it;
* adds a page per named type (virtual files ``<lang>/types/*.md``) and, under ``mkdocs serve``,
  watches the spec and the report so that editing them rebuilds the site.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from generator.diff import DiffReadError, DiffResult, read_result, render_changes_page, site_links
from generator.exceptions import PageError, SpecError
from generator.flavors.mkdocs import (
    SITE_WORDS,
    SitePage,
    api_links,
    build_data,
    build_module_data,
    build_page_data,
    build_type_pages,
    load_matrix,
    module_page_markdown,
    overlay_pages,
    render_results,
    site_pages,
    type_page_files,
)
from generator.flavors.results import Matrix
from generator.placeholders import fill_page, find_placeholders
from generator.spec import Spec, bundled_spec_dir, load_spec
from generator.spec.model import LANGS, Lang, Text
from generator.spec.rules import Rule

__all__ = [
    "API_SECTION",
    "CHANGES_PAGE",
    "RESULTS_MARKER",
    "TYPES_DIR",
    "UtsApiPlugin",
    "UtsApiPluginConfig",
    "unique_heading_ids",
    "vuepress_to_mkdocs",
]

log = get_plugin_logger("utsapi")

#: Where a page wants the conformance results.
RESULTS_MARKER = "<!-- utsapi:conformance-results -->"
#: The folder, inside each language folder, that holds the generated type pages.
TYPES_DIR = "types"
#: The navigation section of the generated API pages (named per language by ``on_nav``).
API_SECTION = "utsapi:api-reference"
#: The Changes page, in each language folder (with the plugin's ``changes`` option only).
CHANGES_PAGE = "changes.md"


class UtsApiPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    spec = c.Optional(c.Dir(exists=True))
    """The spec directory (``modules/``, ``rules/`` ...), relative to mkdocs.yml."""
    report = c.Type(str, default="../build/conformance/report.json")
    """The JSON report of ``utsapi conformance run --json``, relative to mkdocs.yml."""
    changes = c.Optional(c.Type(str))
    """The diff's JSON (``utsapi diff --format json``; ``utsapi build --since`` writes
    ``OUT/changes.json``), relative to mkdocs.yml: the site gets a Changes page.  Unset or
    empty: no Changes page."""
    allow_missing = c.Type(bool, default=False)
    """Keep unknown placeholders instead of failing the build."""
    default_language = c.Choice(LANGS, default="zh")
    """The language of pages that are in neither ``zh/`` nor ``en/``."""


# ----------------------------------------------------------------------------------------------
# VuePress syntax of the seed page

_CONTAINER_OPEN = re.compile(r"^:::[ \t]*([A-Za-z]+)[ \t]*(.*?)[ \t]*$")
_CONTAINER_CLOSE = re.compile(r"^:::[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```+|~~~+)")
_AT_HEADING = re.compile(r"^(#{1,6}[ \t]+.*?)[ \t]+@([A-Za-z0-9_-]+)[ \t]*$")
#: The seed's deprecated heading ``uni.~~name(options)~~``, which strikes only part of the name.
_PART_STRUCK = re.compile(r"^(#{1,6}[ \t]+)uni\.~~([^~\n]+)~~")
_ADMONITION_TYPES = {"tip": "tip", "warning": "warning", "danger": "danger", "info": "info",
                     "note": "note", "details": "note"}  # fmt: skip


def vuepress_to_mkdocs(markdown: str) -> str:
    """``::: type TITLE`` … ``:::`` → ``!!! type "TITLE"`` with the body indented; ``# h @id`` →
    ``# h {#id}``; a heading ``uni.~~name()~~`` is struck through as a whole, ``~~uni.name()~~``.
    Fenced code is left alone; an unclosed container runs to the end of the page.
    """
    out: list[str] = []
    fence: str | None = None
    depth = 0
    for line in markdown.split("\n"):
        indent = "    " * depth
        fence_match = _FENCE.match(line)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
            out.append(indent + line if line else line)
            continue
        if fence_match:
            fence = fence_match.group(1)
            out.append(indent + line)
            continue
        opening = _CONTAINER_OPEN.match(line)
        if opening and opening.group(1).lower() in _ADMONITION_TYPES:
            kind = _ADMONITION_TYPES[opening.group(1).lower()]
            title = opening.group(2).replace('"', "&quot;")
            out.append(f'{indent}!!! {kind} "{title}"' if title else f"{indent}!!! {kind}")
            out.append("")
            depth += 1
            continue
        if _CONTAINER_CLOSE.match(line) and depth:
            depth -= 1
            out.append("")
            continue
        struck = _PART_STRUCK.sub(r"\1~~uni.\2~~", line)
        heading = _AT_HEADING.match(struck)
        text = f"{heading.group(1)} {{#{heading.group(2)}}}" if heading else struck
        out.append(indent + text if text.strip() else "")
    return "\n".join(out)


_HEADING = re.compile(r'<h([1-6])([^>]*?) id="([^"]+)"(.*?)</h\1>', re.DOTALL)


def unique_heading_ids(html: str) -> str:
    """Give the second and later headings that share an id the ids ``id_2``, ``id_3`` ...

    A page that fills several sections may show one type table twice (the result of
    ``SocketTask.onOpen`` and of ``uni.onSocketOpen``); links keep landing on the first one, and
    the page stays valid HTML.  The heading's own permalink follows its new id.
    """
    seen: dict[str, int] = {}

    def renumber(match: re.Match[str]) -> str:
        level, before, anchor, rest = match.groups()
        seen[anchor] = seen.get(anchor, 0) + 1
        if seen[anchor] == 1:
            return match.group(0)
        new = f"{anchor}_{seen[anchor]}"
        while new in seen:
            new += "_"
        seen[new] = 1
        rest = rest.replace(f'href="#{anchor}"', f'href="#{new}"')
        return f'<h{level}{before} id="{new}"{rest}</h{level}>'

    return _HEADING.sub(renumber, html)


# ----------------------------------------------------------------------------------------------


def _page_lang(file: File, default: Lang) -> Lang:
    locale = getattr(file, "locale", None)
    for lang in LANGS:
        if locale == lang:
            return lang
    parts = PurePosixPath(file.src_uri).parts
    for lang in LANGS:
        if parts and parts[0] == lang:
            return lang
    return default


class UtsApiPlugin(BasePlugin[UtsApiPluginConfig]):  # type: ignore[no-untyped-call]
    """Fills the UTSAPIJSON placeholders in the mkdocs flavour; adds type and results pages."""

    def __init__(self) -> None:
        self._spec: Spec | None = None
        self._spec_dir: Path = Path()
        self._rules: Sequence[Rule] = ()
        self._data: dict[tuple[Lang, str], dict[str, dict[str, str]]] = {}
        self._module_data: dict[tuple[str, Lang, str], dict[str, dict[str, str]]] = {}
        self._problems: list[str] = []
        #: The generated API pages (modules without a hand-written page), by path.
        self._pages: dict[str, SitePage] = {}
        #: Navigation section titles this plugin added: the key in config.nav -> its words.
        self._sections: dict[str, Text] = {}
        self._type_pages: dict[str, dict[str, str]] = {}
        self._changes: DiffResult | None = None
        #: The results matrix of the report(s), loaded once (None: no readable report); each
        #: API section shows its rules' cases from it.
        self._matrix: Matrix | None = None

    # -- configuration -------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if self._spec is not None:  # mkdocs-static-i18n builds each language with one instance
            return config
        self._spec_dir = Path(self.config.spec) if self.config.spec else bundled_spec_dir()
        try:
            self._spec = load_spec([self._spec_dir])
            self._rules = self._spec.rules.rules
        except SpecError as exc:
            raise PluginError(f"utsapi: the spec in {self._spec_dir} is invalid:\n{exc}") from None
        self._type_pages = type_page_files(self._spec)
        docs = Path(config.docs_dir)
        written = {
            name
            for module in self._spec.modules
            for name in (module.name,)
            if any(
                (docs / folder / f"{name}.md").is_file()
                for folder in (self.config.default_language, ".")
            )
        }
        try:
            grouping = overlay_pages(self._spec_dir)
        except SpecError as exc:
            raise PluginError(
                f"utsapi: the overlay of {self._spec_dir} is invalid:\n{exc}"
            ) from None
        self._pages = {
            page.path: page
            for page in site_pages(self._spec, grouping)
            if page.module not in written
        }
        if self._pages:
            self._add_nav(config)
        self._load_changes(config)
        self._matrix = load_matrix(self._report_path(config), self._rules)
        return config

    def _changes_path(self, config: MkDocsConfig) -> Path | None:
        if not self.config.changes:
            return None
        path = Path(self.config.changes)
        if not path.is_absolute():
            path = Path(config.config_file_path or ".").parent / path
        return path

    def _load_changes(self, config: MkDocsConfig) -> None:
        """Read the diff for the Changes page and put the page last in the navigation."""
        path = self._changes_path(config)
        if path is None:
            return
        try:
            self._changes = read_result(path)
        except FileNotFoundError:
            raise PluginError(f"utsapi: changes: {path} not found") from None
        except DiffReadError as exc:
            raise PluginError(f"utsapi: changes: {path} is not a usable diff:\n{exc}") from None
        if config.nav is not None:
            config.nav = [*config.nav, CHANGES_PAGE]

    def _add_nav(self, config: MkDocsConfig) -> None:
        """Put the generated pages in the navigation: grouped as the overlay says (else in one
        API reference section), before the types index, or at the end."""
        groups: dict[str, list[Any]] = {}
        for page in self._pages.values():
            text = page.group or SITE_WORDS["api_reference"]
            key = API_SECTION if page.group is None else f"utsapi:group:{text.zh}"
            self._sections[key] = text
            groups.setdefault(key, []).append(f"{page.path}.md")
        entries = [{key: paths} for key, paths in groups.items()]
        if config.nav is None:
            return  # MkDocs lists every page itself
        nav = list(config.nav)
        at = next(
            (i for i, item in enumerate(nav) if _nav_target(item) == f"{TYPES_DIR}/index.md"),
            len(nav),
        )
        config.nav = nav[:at] + entries + nav[at:]

    def _report_path(self, config: MkDocsConfig) -> Path:
        path = Path(self.config.report)
        if not path.is_absolute():
            path = Path(config.config_file_path or ".").parent / path
        return path

    def _data_for(self, lang: Lang, root: str) -> dict[str, dict[str, str]]:
        if (lang, root) not in self._data:
            assert self._spec is not None
            self._data[lang, root] = build_data(
                self._spec, lang, rules=self._rules, root=root, results=self._matrix
            )
        return self._data[lang, root]

    # -- files ---------------------------------------------------------------------------------

    @event_priority(-110)  # after mkdocs-static-i18n (-100) has sorted the files by language
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        assert self._spec is not None
        i18n: Any = config.plugins.get("i18n")
        docs = Path(config.docs_dir)
        if i18n is not None:
            langs: list[Lang] = [_page_lang_name(i18n.current_language, self.config)]
            default: str | None = i18n.default_language
            all_langs = [lang for lang in LANGS if lang in i18n.build_languages]
        else:
            langs = [lang for lang in LANGS if (docs / lang).is_dir()]
            default = None
            all_langs = langs
        if not langs:
            langs = [self.config.default_language]
        for lang in langs:
            siblings = {
                other: self._type_files(config, other, default if i18n is not None else None)
                for other in (all_langs if i18n is not None else [lang])
            }
            for name, file in siblings[lang].items():
                if files.get_file_from_path(file.src_uri) is not None:
                    continue  # a hand-written page of the same name wins
                if i18n is not None:
                    file.locale = lang  # type: ignore[attr-defined]
                    file.locale_alternate_of = lang  # type: ignore[attr-defined]
                    file.localization = lang  # type: ignore[attr-defined]
                    file.norm_src_uri = name  # type: ignore[attr-defined]
                    file.alternates = {  # type: ignore[attr-defined]
                        other: by_name[name] for other, by_name in siblings.items()
                    }
                files.append(file)
        return files

    def _type_files(self, config: MkDocsConfig, lang: Lang, default: str | None) -> dict[str, File]:
        assert self._spec is not None
        written = {
            module.name: f"{module.name}.md"
            for module in self._spec.modules
            if (Path(config.docs_dir) / lang / f"{module.name}.md").is_file()
        }
        module_pages = {}
        links = api_links(self._spec, tuple(self._pages.values()), written)
        for key, link in links.items():
            page, _, anchor = link.partition("#")
            module_pages[key] = f"{posixpath.relpath(page, TYPES_DIR)}#{anchor}"
        prefix = lang if (Path(config.docs_dir) / lang).is_dir() or default else ""
        made: dict[str, File] = {}
        for typed in build_type_pages(
            self._spec, lang, rules=self._rules, api_pages=module_pages, results=self._matrix
        ):
            # Reached from the type index and from every table, not from the nav.
            index = typed.name == "index.md"
            inclusion = InclusionLevel.INCLUDED if index else InclusionLevel.NOT_IN_NAV
            name = f"{TYPES_DIR}/{typed.name}"
            made[name] = self._generated(
                config, name, typed.markdown, inclusion, (prefix, lang, default)
            )
        for path, site_page in self._pages.items():
            module = self._spec.module(site_page.module)
            assert module is not None
            markdown = module_page_markdown(
                site_page, module, lang, self._type_pages.get(module.name, {})
            )
            made[f"{path}.md"] = self._generated(
                config, f"{path}.md", markdown, InclusionLevel.INCLUDED, (prefix, lang, default)
            )
        if self._changes is not None:
            made[CHANGES_PAGE] = self._generated(
                config,
                CHANGES_PAGE,
                self._changes_markdown(self._changes, lang, links, written),
                InclusionLevel.INCLUDED,
                (prefix, lang, default),
            )
        return made

    def _changes_markdown(
        self, changes: DiffResult, lang: Lang, links: dict[str, str], written: dict[str, str]
    ) -> str:
        """The Changes page, its links relative to the language folder: an API to the page that
        shows it, a type to its page, a module to its hand-written page or its first page."""
        assert self._spec is not None
        module_pages = dict(written)
        for path, site_page in self._pages.items():
            module_pages.setdefault(site_page.module, f"{path}.md")
        resolve = site_links(
            self._spec,
            api_pages=links,
            type_files=self._type_pages,
            module_pages=module_pages,
            types_dir=TYPES_DIR,
        )
        return render_changes_page(changes, lang=lang, links=resolve)

    @staticmethod
    def _generated(
        config: MkDocsConfig,
        name: str,
        markdown: str,
        inclusion: InclusionLevel,
        where: tuple[str, Lang, str | None],
    ) -> File:
        """A virtual page ``name`` in the language folder ``prefix``; the default language's
        pages are written at the site's root (``where`` = prefix, language, default language)."""
        prefix, lang, default = where
        src_uri = "/".join(p for p in (prefix, name) if p)
        file = File.generated(config, src_uri, content=markdown, inclusion=inclusion)
        if default is not None and lang == default and prefix:
            file.dest_uri = file.dest_uri.removeprefix(f"{lang}/")
        return file

    # -- pages ---------------------------------------------------------------------------------

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        assert self._spec is not None
        lang = _page_lang(page.file, self.config.default_language)
        within = _without_lang(page.file.src_uri)
        if self._changes is not None and within == CHANGES_PAGE and page.file.generated_by:
            return markdown  # rendered whole by generator.diff: no placeholders, no VuePress
        if within.startswith(f"{TYPES_DIR}/") and page.file.generated_by:
            # rendered whole by build_type_pages: a placeholder or marker in it is spec text
            # (an example's code), never to be filled
            return markdown
        generated = self._pages.get(within.removesuffix(".md"))
        root = "../" * within.count("/")  # the language folder, relative to this page
        text = vuepress_to_mkdocs(markdown)
        if RESULTS_MARKER in text:  # the page's own marker, not one in the spec text filled in
            report = self._report_path(config)
            results = render_results(report, lang, shown_path=self.config.report, rules=self._rules)
            text = text.replace(RESULTS_MARKER, results)
        try:
            base = (
                self._data_for(lang, root)
                if generated is None
                else self._page_data(generated, lang, root)
            )
            text = fill_page(
                text,
                page.file.abs_src_path or page.file.src_uri,
                self._on_page(text, base, lang, root, generated),
                allow_missing=self.config.allow_missing,
                origin=markdown,  # diagnostics name the line:col of the page as written
            )
        except PageError as exc:
            for diagnostic in exc.diagnostics:
                log.error(str(diagnostic))
            self._problems.extend(str(d) for d in exc.diagnostics)
        if generated is not None:
            page.meta["title"] = escape(generated.title.get(lang))
        self._set_title(page, text)
        return text

    def _on_page(
        self,
        text: str,
        base: dict[str, dict[str, str]],
        lang: Lang,
        root: str,
        generated: SitePage | None,
    ) -> dict[str, dict[str, str]]:
        """The data of one page: each type's table shown once on it (:func:`build_page_data`)."""
        assert self._spec is not None
        placeholders = [
            (p.key, p.section or "") for p in find_placeholders(text) if p.section is not None
        ]
        module = None if generated is None else self._spec.module(generated.module)
        return build_page_data(
            self._spec,
            lang,
            placeholders,
            base,
            rules=self._rules,
            root=root,
            module=module,
            results=self._matrix,
        )

    def _page_data(self, page: SitePage, lang: Lang, root: str) -> dict[str, dict[str, str]]:
        key = (page.module, lang, root)
        if key not in self._module_data:
            assert self._spec is not None
            module = self._spec.module(page.module)
            assert module is not None
            self._module_data[key] = build_module_data(
                self._spec, module, lang, rules=self._rules, root=root, results=self._matrix
            )
        return self._module_data[key]

    def _set_title(self, page: Page, markdown: str) -> None:
        """A page named after a module and without a title of its own takes the module's title."""
        assert self._spec is not None
        if "title" in page.meta or re.search(r"^#[ \t]", markdown, re.MULTILINE):
            return
        module = self._spec.module(PurePosixPath(page.file.src_uri).stem)
        if module is not None:
            lang = _page_lang(page.file, self.config.default_language)
            # MkDocs themes print titles unescaped: the spec's text goes through escaping here.
            page.meta["title"] = escape(module.title.get(lang))

    @event_priority(-110)  # after mkdocs-static-i18n's translations
    def on_nav(
        self, nav: Navigation, /, *, config: MkDocsConfig, files: Files
    ) -> Navigation | None:
        """Name the sections this plugin added in the language being built, escaped."""
        i18n: Any = config.plugins.get("i18n")
        lang = (
            _page_lang_name(i18n.current_language, self.config)
            if i18n is not None
            else self.config.default_language
        )
        for item in nav.items:
            if isinstance(item, Section) and item.title in self._sections:
                item.title = str(escape(self._sections[item.title].get(lang)))
        return nav

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        return unique_heading_ids(html)

    @event_priority(-110)  # after mkdocs-static-i18n (50) has set the language selector's links
    def on_page_context(
        self, context: Any, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> Any:
        """The language selector's links relative to the site, never from the server's root
        (``/``, ``/en/``): the site then works from disk and under any base URL; the theme
        makes them relative to the page."""
        for alternate in config.extra.get("alternate") or ():
            link = alternate.get("link")
            if isinstance(link, str) and link.startswith("/") and not link.startswith("//"):
                alternate["link"] = link.lstrip("/") or "."
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self._problems:
            count = len(self._problems)
            raise PluginError(
                f"utsapi: {count} placeholder{'s' if count > 1 else ''} could not be filled:\n"
                + "\n".join(self._problems)
            )

    # -- serve ---------------------------------------------------------------------------------

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self._spec_dir))
        changes = self._changes_path(config)
        if changes is not None and changes.is_file():
            server.watch(str(changes))
        report = self._report_path(config)
        if report.parent.is_dir():
            server.watch(str(report.parent), recursive=False)
        return server


def _page_lang_name(locale: str, config: UtsApiPluginConfig) -> Lang:
    for lang in LANGS:
        if locale == lang:
            return lang
    return config.default_language


def _nav_target(item: Any) -> str | None:
    """The page a top-level ``nav`` entry points at (``"x.md"`` or ``{"Title": "x.md"}``)."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and len(item) == 1:
        value = next(iter(item.values()))
        return value if isinstance(value, str) else None
    return None


def _without_lang(src_uri: str) -> str:
    parts = PurePosixPath(src_uri).parts
    return "/".join(parts[1:]) if parts and parts[0] in LANGS else src_uri
