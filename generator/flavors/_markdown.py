"""The filters of the dcloud flavour, which escape spec text for the context it lands in.

Spec texts are *plain text with inline code spans*.  Whatever they hold, a ``|`` or a newline
must not break the table they land in, ``<script>`` must not become markup, ``{{ x }}`` must not
be evaluated (neither by Jinja, which never sees spec text as template source, nor by the Vue
compiler that the uni-app x docs run over their Markdown), and a URL must not be ``javascript:``.

Contexts and their filters:

``cell``
    a Markdown table cell: ``& < | \\ ` [ ]`` become entities (so no HTML, no link, no split
    row), newlines ``<br/>``, ``{{`` is wrapped in ``<span v-pre>``.
``cells``
    the cells of a table row: each as ``cell``, joined by `` | `` (what
    ``map("cell") | join(" | ")`` gives, in one call).
``text``
    a Markdown paragraph: as ``cell``, but newlines stay newlines.
``inline``
    a heading or a link label: as ``cell``, newlines become spaces.
``sq_attr``
    an HTML attribute value in single quotes (``&<>'|`` and newlines as entities).
``ct_json``
    the JSON ``table`` prop of ``<CompatibilityTable>``: JSON whose ``<>&'|`` are ``\\u``
    escapes, so it is safe both inside ``table='…'`` and inside a table row.
``md_url``
    a Markdown link destination: only http(s), mailto, relative and ``#`` URLs; characters that
    would end the destination are percent-encoded.
``md_type``
    a :class:`~generator.flavors.dcloud.TypeRef` as the docs write a type in a cell.

Every filter returns :class:`markupsafe.Markup`; the environment (:mod:`generator.templating`)
autoescapes everything else (HTML escaping), so an expression that forgets its filter is inert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from generator import templating
from generator.flavors.views import type_formatter

__all__ = [
    "FILTERS",
    "escape_cell",
    "escape_cells",
    "escape_inline",
    "escape_sq_attr",
    "escape_text",
    "make_environment",
    "safe_json",
    "safe_url",
]

_VUE_GUARD = "<span v-pre>{{</span>"
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_SPECIALS = re.compile(r"[&<|\\`\[\]\r\n]|\{\{")
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    "|": "&#124;",
    "\\": "&#92;",
    "`": "&#96;",
    "[": "&#91;",
    "]": "&#93;",
    "{{": _VUE_GUARD,
}


def _escape_plain(text: str, newline: str) -> str:
    def sub(match: re.Match[str]) -> str:
        token = match.group(0)
        return newline if token in ("\r", "\n") else _ENTITIES[token]

    return _SPECIALS.sub(sub, text.replace("\r\n", "\n"))


@lru_cache(maxsize=1 << 16)
def _escape(text: str, newline: str) -> str:
    """Escape ``text``; a code span stays a code span unless it holds a ``|``, a newline or
    ``{{``, in which case it becomes ``<code>`` with escaped content."""
    if _SPECIALS.search(text) is None:  # no code span either: a code span starts with `
        return text
    out: list[str] = []
    pos = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_escape_plain(text[pos : match.start()], newline))
        code = match.group(2)
        if "|" in code or "\n" in code or "\r" in code or "{{" in code:
            out.append("<code>" + _escape_plain(code, " ") + "</code>")
        else:
            out.append(match.group(0))
        pos = match.end()
    out.append(_escape_plain(text[pos:], newline))
    return "".join(out)


def escape_cell(value: object) -> Markup:
    """A Markdown table cell: no ``|``, no newline, no HTML, no ``{{``."""
    if isinstance(value, Markup):
        return value
    return Markup(_escape(str(value), "<br/>"))


def escape_cells(values: Iterable[object]) -> Markup:
    """The cells of a table row, each escaped as :func:`escape_cell`, joined by `` | ``."""
    return Markup(" | ".join([escape_cell(v) for v in values]))


def escape_text(value: object) -> Markup:
    """A Markdown paragraph: as :func:`escape_cell` but newlines are kept."""
    if isinstance(value, Markup):
        return value
    return Markup(_escape(str(value), "\n"))


def escape_inline(value: object) -> Markup:
    """A heading or a link label: one line."""
    if isinstance(value, Markup):
        return value
    return Markup(_escape(str(value), " "))


_SQ_ATTR = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", "|": "&#124;",
            "\n": "&#10;", "\r": "&#13;"}  # fmt: skip
_SQ_ATTR_RE = re.compile("[&<>'|\n\r]")


def escape_sq_attr(value: object) -> Markup:
    """An HTML attribute value written between single quotes."""
    if isinstance(value, Markup):
        return value
    return Markup(_SQ_ATTR_RE.sub(lambda m: _SQ_ATTR[m.group(0)], str(value)))


_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "|": "\\u007c"}
_JSON_UNSAFE_RE = re.compile("[<>&'|]")


def safe_json(value: Any) -> Markup:
    """Compact JSON with no character that ends an attribute, opens a tag or splits a row."""
    if hasattr(value, "as_component_data"):
        return _component_json(value)
    return _safe_json(value)


@lru_cache(maxsize=1024)
def _component_json(table: Any) -> Markup:
    """A compatibility table's JSON; tables are frozen and few, so each is dumped once."""
    return _safe_json(table.as_component_data())


def _safe_json(value: Any) -> Markup:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(_JSON_UNSAFE_RE.sub(lambda m: _JSON_UNSAFE[m.group(0)], text))


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_url(value: object) -> Markup:
    """A Markdown link destination: unsafe schemes replaced by ``#``, ``( ) < > space`` etc.
    percent-encoded."""
    url = str(value).strip()
    match = _SCHEME.match(url)
    if match and match.group(1).lower() not in _SAFE_SCHEMES:
        return Markup("#")
    return Markup(quote(url, safe="/:?#[]@!$&*+,;=%~-._"))


#: A :class:`~generator.flavors.views.TypeRef` in cell form (``(result: T) => void``).
_md_type = type_formatter(escape_inline, safe_url, "=>")


FILTERS: dict[str, templating.Filter] = {
    "cell": escape_cell,
    "cells": escape_cells,
    "text": escape_text,
    "inline": escape_inline,
    "sq_attr": escape_sq_attr,
    "ct_json": safe_json,
    "md_url": safe_url,
    "md_type": _md_type,
}


@cache
def make_environment() -> jinja2.Environment:
    """The (cached) environment of ``generator/templates/dcloud/``, with :data:`FILTERS`."""
    return templating.make_environment("dcloud", FILTERS)
