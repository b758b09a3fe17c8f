"""Overlays: the facts the declarations cannot supply, kept in small files of this project.

An overlay file (``<spec>/overlays/*.yaml``, schema ``spec/schema/overlay.schema.json``) holds
ids, URLs and names only, never prose:

``modules``
    per spec module: ``title`` (``zh``/``en``), ``key`` (the docs' module key or keys whose data
    entry holds the module's example), ``source`` (its folder in ``dcloudio/uni-api``, or in
    ``repository: uni-component``).
``pages``
    the docs' page grouping: ``path`` (``api/websocket-global``), ``title``, ``module`` and the
    ``apis`` in page order.
``apis``
    per API: ``menu`` (the issue tracker's menu id, the whole ``mid`` of
    ``https://issues.dcloud.net.cn/?mid=<menu>``), ``mp: false`` when the docs show neither the
    WeChat search link nor the ten mini-program vendor links, and a ``source`` folder that
    differs from its module's.
``type-links``
    where a type name links (``UTSJSONObject: /uts/buildin-object-api/utsjsonobject.md``);
    a key ending in ``.*`` covers every name with that prefix (``string.*``).

:func:`load_overlay` reads every file of a folder, validates each like a spec file (safe YAML
with positions, the JSON Schema, then the checks below) and merges them; a problem raises
:class:`~generator.exceptions.SpecError` listing every one at its ``file:line:col``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from generator.exceptions import Diagnostic, SpecError, SpecReadError
from generator.spec._fastschema import Check, compile_schema
from generator.spec._yaml import LoadedYaml, load_yaml, read_spec_text
from generator.spec.bundled import bundled_spec_dir
from generator.spec.model import Text

__all__ = [
    "Overlay",
    "OverlayApi",
    "OverlayModule",
    "OverlayPage",
    "check_overlay_text",
    "load_overlay",
    "load_overlay_files",
    "read_overlay_yaml",
]

GITCODE = "https://gitcode.com/dcloud/{repository}/tree/alpha/uni_modules/{folder}"
GITHUB = "https://github.com/dcloudio/{repository}/tree/alpha/uni_modules/{folder}"
ISSUES = "https://issues.dcloud.net.cn/?mid={menu}"


@dataclass(frozen=True)
class OverlayModule:
    name: str
    title: Text | None = None
    #: The docs' module keys of its example; () when the docs give the module none.
    keys: tuple[str, ...] = ()
    source: str | None = None
    repository: str = "uni-api"


@dataclass(frozen=True)
class OverlayPage:
    path: str
    title: Text
    module: str
    apis: tuple[str, ...]


@dataclass(frozen=True)
class OverlayApi:
    name: str
    menu: str | None = None
    mp: bool = True
    source: str | None = None
    repository: str | None = None


@dataclass(frozen=True)
class Overlay:
    """Every overlay file of a folder, merged.  Empty when the folder has none."""

    modules: Mapping[str, OverlayModule] = field(default_factory=dict)
    pages: tuple[OverlayPage, ...] = ()
    apis: Mapping[str, OverlayApi] = field(default_factory=dict)
    type_links: Mapping[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def type_link(self, name: str) -> str | None:
        """The URL ``name`` links to: an exact entry, else the longest ``prefix.*`` entry."""
        found = self.type_links.get(name)
        if found is not None:
            return found
        best: tuple[int, str] | None = None
        for key, url in self.type_links.items():
            prefix = key[:-1]
            wanted = key.endswith(".*") and name.startswith(prefix) and len(name) > len(prefix)
            if wanted and (best is None or len(key) > best[0]):
                best = (len(key), url)
        return None if best is None else best[1]

    def menu_url(self, api: str) -> str | None:
        entry = self.apis.get(api)
        return None if entry is None or entry.menu is None else ISSUES.format(menu=entry.menu)

    def source_links(self, module: str, api: str | None = None) -> tuple[str, str] | None:
        """(GitCode, GitHub) URLs of the source folder of ``api`` in ``module``, if known."""
        entry = self.modules.get(module)
        folder = entry.source if entry else None
        repository = entry.repository if entry else "uni-api"
        override = self.apis.get(api) if api else None
        if override is not None and override.source is not None:
            folder = override.source
            repository = override.repository or repository
        if folder is None:
            return None
        return (
            GITCODE.format(repository=repository, folder=folder),
            GITHUB.format(repository=repository, folder=folder),
        )

    def page_module(self, api: str) -> str | None:
        """The module of the first page that lists ``api``: for an API several modules declare,
        the one whose declaration the docs show."""
        return next((p.module for p in self.pages if api in p.apis), None)

    def module_keys(self, module: str) -> tuple[str, ...] | None:
        """The docs' module keys of ``module``; None when the overlay does not know it."""
        entry = self.modules.get(module)
        return None if entry is None else entry.keys


# ----------------------------------------------------------------------------------------------
# Validation


@cache
def _validator() -> jsonschema.Draft202012Validator:
    path = bundled_spec_dir() / "schema" / "overlay.schema.json"
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


@cache
def _fast_check() -> Check | None:
    schema = _validator().schema
    return compile_schema(schema) if isinstance(schema, Mapping) else None


def check_overlay_text(text: str, file: str) -> LoadedYaml:
    """One overlay document, checked: problems are in the returned document's diagnostics."""
    doc = load_yaml(text, file)
    if doc.data is None:
        return doc
    if not isinstance(doc.data, dict):
        doc.error((), "expected a mapping at the top level", "yaml:type")
        return doc
    fast = _fast_check()
    if fast is None or not fast(doc.data):
        for found in _validator().iter_errors(doc.data):
            error = found
            if found.context:
                best = jsonschema.exceptions.best_match(found.context)
                if best is not None and len(best.absolute_path) >= len(found.absolute_path):
                    error = best
            doc.error(tuple(error.absolute_path), error.message, f"schema:{error.validator}")
    if not doc.diagnostics:
        _check_pages(doc)
    return doc


def _check_pages(doc: LoadedYaml) -> None:
    data = doc.data
    modules = data.get("modules", {})
    seen: dict[str, int] = {}
    for i, page in enumerate(data.get("pages", ())):
        path = page["path"]
        if path in seen:
            doc.error(
                ("pages", i, "path"),
                f"page {path!r} is listed twice (first at pages[{seen[path]}])",
                "overlay:duplicate-page",
            )
        seen.setdefault(path, i)
        if modules and page["module"] not in modules:
            doc.error(
                ("pages", i, "module"),
                f"module {page['module']!r} is not under modules:",
                "overlay:unknown-module",
            )


def _text(raw: Mapping[str, str] | None) -> Text | None:
    return None if raw is None else Text(raw["zh"], raw["en"])


def _build(docs: Iterable[LoadedYaml]) -> Overlay:
    modules: dict[str, OverlayModule] = {}
    pages: list[OverlayPage] = []
    apis: dict[str, OverlayApi] = {}
    links: dict[str, str] = {}
    files: list[str] = []
    for doc in docs:
        files.append(doc.file)
        data: dict[str, Any] = doc.data or {}
        for name, raw in data.get("modules", {}).items():
            key = raw.get("key")
            keys = () if key is None else (key,) if isinstance(key, str) else tuple(key)
            modules[name] = OverlayModule(
                name,
                _text(raw.get("title")),
                keys,
                raw.get("source"),
                raw.get("repository", "uni-api"),
            )
        pages.extend(
            OverlayPage(p["path"], Text(p["title"]["zh"], p["title"]["en"]), p["module"],
                        tuple(p["apis"]))
            for p in data.get("pages", ())
        )  # fmt: skip
        for name, raw in data.get("apis", {}).items():
            apis[name] = OverlayApi(
                name, raw.get("menu"), raw.get("mp", True), raw.get("source"), raw.get("repository")
            )
        links.update(data.get("type-links", {}))
    return Overlay(modules, tuple(pages), apis, links, tuple(files))


def read_overlay_yaml(path: Path) -> LoadedYaml:
    """An overlay-like data file of another package (the importer's overrides file) read the
    way every spec file is: a regular file under the size cap, safe YAML with positions, its
    problems in ``diagnostics``.  Raises :class:`OSError` or :class:`UnicodeDecodeError` when
    the file cannot be read; the caller checks the shape."""
    return load_yaml(read_spec_text(path), str(path))


def load_overlay_files(files: Iterable[Path]) -> Overlay:
    """Validate and merge overlay files (later files win on a shared name); raises
    :class:`SpecError` (or :class:`SpecReadError`) listing every problem."""
    docs: list[LoadedYaml] = []
    read_errors: list[Diagnostic] = []
    for file in files:
        try:
            text = read_spec_text(file)
        except (OSError, UnicodeDecodeError) as exc:
            read_errors.append(Diagnostic(str(file), 0, 0, "", f"cannot read: {exc}", "read"))
            continue
        docs.append(check_overlay_text(text, str(file)))
    if read_errors:
        raise SpecReadError(read_errors)
    problems = sorted(d for doc in docs for d in doc.diagnostics)
    if problems:
        raise SpecError(problems)
    return _build(docs)


def load_overlay(spec_dir: Path | None) -> Overlay:
    """The overlay of a spec directory: ``<spec_dir>/overlays/*.yaml`` when that folder exists,
    else the bundled ``spec/overlays/`` (also for ``None``)."""
    folder = None if spec_dir is None else Path(spec_dir) / "overlays"
    if folder is None or not folder.is_dir():
        folder = bundled_spec_dir() / "overlays"
    if not folder.is_dir():
        return Overlay()
    return load_overlay_files(sorted(folder.glob("*.y*ml")))
