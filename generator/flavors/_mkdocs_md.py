"""The filters of the mkdocs flavour, which escape spec text for the context it lands in.

Every text that comes from the spec goes through :func:`escape_md`, which makes it one line of
inline Markdown that can neither end a table cell, start a block, open a link, nor carry raw
HTML; code spans keep their content.  The filters (:data:`FILTERS`) all return
:class:`markupsafe.Markup`; the environment (:mod:`generator.templating`) escapes the rest.

``md``
    inline Markdown (:func:`escape_md`); Markup passes unchanged.
``attr``
    an HTML attribute value in double quotes, or an ``attr_list`` id.
``url``
    a Markdown link target (:func:`safe_url`; anything but http(s) becomes ``#``).
``link_title``
    a Markdown link's tooltip (:func:`_link_title`).
``fence``
    the backtick fence that encloses a code block (:func:`generator.flavors.views.fence`).
``md_type``
    a :class:`~generator.flavors.views.TypeRef`: ``[Name](url)``, ``**Name**``,
    ``Array&lt;string&gt;``, ``(result: T) =&gt; void``.
"""

from __future__ import annotations

import html
import re
from functools import cache
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from generator import templating
from generator.flavors.views import fence, type_formatter

__all__ = ["FILTERS", "escape_md", "make_environment", "safe_url"]

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_NEWLINE = re.compile(r"\r\n|\r|\n")
_PLAIN = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "\\": "&#92;",
    "`": "&#96;",
    "[": "&#91;",
    "]": "&#93;",
    "{": "&#123;",
    "}": "&#125;",
    # emphasis and strike-through (pymdownx.tilde): shown as the characters they are
    "*": "&#42;",
    "_": "&#95;",
    "~": "&#126;",
}
_PLAIN_RE = re.compile("|".join(re.escape(c) for c in _PLAIN))
_BLOCK_START = frozenset("#+-*=!?:~")
_ORDERED = re.compile(r"^(\d+)([.)])(\s)")


def _escape_plain(text: str) -> str:
    escaped = _PLAIN_RE.sub(lambda m: _PLAIN[m.group(0)], text)
    return _NEWLINE.sub("<br>", escaped)


def escape_md(text: str) -> Markup:
    """Spec text as one line of inline Markdown, safe in a table cell and in a paragraph.

    HTML, table pipes, link brackets, attribute braces, backslashes and the emphasis and
    strike-through marks (``*``, ``_``, ``~``) become entities, newlines
    become ``<br>``, a leading block marker (``#``, ``-``, ``!!!``, ``1.`` ...) is neutralised.
    Code spans (balanced backtick runs) are kept, with their newlines turned into spaces: Markdown
    escapes their content itself, and pipes inside them do not split table cells.
    """
    parts: list[str] = []
    pos = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_escape_plain(text[pos : match.start()]))
        run = match.group(1)
        parts.append(run + _NEWLINE.sub(" ", match.group(2)) + run)
        pos = match.end()
    parts.append(_escape_plain(text[pos:]))
    out = "".join(parts).strip()
    if out and out[0] in _BLOCK_START:
        out = f"&#{ord(out[0])};{out[1:]}"
    out = _ORDERED.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};{m.group(3)}", out)
    return Markup(out)


def _md(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    return escape_md(str(value))


def _attr(value: object) -> Markup:
    return Markup(html.escape(str(value), quote=True).replace("\n", " ").replace("{", "&#123;"))


_URL_SAFE = ":/?#&=%+@!$',;*~.-_"


def safe_url(url: str) -> str | None:
    """``url`` ready for a Markdown link target, or None if it is not an http(s) URL."""
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return quote(url, safe=_URL_SAFE)


def _url(value: object) -> Markup:
    return Markup(safe_url(str(value)) or "#")


_TITLE_UNSAFE = re.compile(r'["`\\\[\]()<>&\x00-\x1f\x7f]+')


def _link_title(value: object) -> Markup:
    """Text for a Markdown link's title ``[x](url "title")`` (a tooltip): what could end the
    title, open a code span or carry markup becomes a space; the HTML writer escapes the rest."""
    return Markup(" ".join(_TITLE_UNSAFE.sub(" ", str(value)).split()))


def _fence(code: object) -> Markup:
    return Markup(fence(str(code)))


_md_type = type_formatter(escape_md, str, "=&gt;")


FILTERS: dict[str, templating.Filter] = {
    "md": _md,
    "attr": _attr,
    "url": _url,
    "fence": _fence,
    "link_title": _link_title,
    "md_type": _md_type,
}


@cache
def make_environment() -> jinja2.Environment:
    """The (cached) environment of ``generator/templates/mkdocs/``, with :data:`FILTERS`."""
    return templating.make_environment("mkdocs", FILTERS)
