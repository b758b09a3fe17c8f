"""The result of a diff as text, JSON (``spec/schema/diff.schema.json``) or a Markdown changelog.

The changelog renders through the kit's one Jinja environment factory
(:func:`generator.templating.make_environment`, autoescape on) with two filters of its own, both
returning Markup: ``md`` (inline Markdown text: every character that Markdown or HTML reads as
markup, ``` ` * _ [ ] { } | # < > & \\ ``, ``~`` and ``!`` among them, as a numeric entity;
control characters and newlines as spaces) and ``anchor`` (an id of ASCII letters, digits and
``-``).  Nothing a spec holds (a name, a type, a literal value, an errMsg) can open a link, a
tag, a code span or a table cell.  The text form writes control characters as ``\\x..``
escapes, so a name cannot drive the terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from generator import templating
from generator.diff._result import FORMAT_VERSION, DiffResult
from generator.diff._semver import SemverResult
from generator.diff._site import ChangeLinks
from generator.diff._walk import Change
from generator.diff.rules import ChangeClass

__all__ = [
    "LABELS",
    "render_changes_page",
    "render_json",
    "render_markdown",
    "render_text",
    "to_json",
]

#: Every fixed word of the changelog, per language.
LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Changes from {old} to {new}",
        "summary": "Summary",
        "class": "Class",
        "count": "Changes",
        "modules": "Modules",
        "module": "Module",
        "none": "No changes.",
        "whole_module": "the whole module",
        "breaking": "Breaking",
        "deprecation": "Deprecations",
        "additive": "Additions",
        "documentation": "Documentation",
        "semver": "Typed package: {bump} version",
        "major": "major",
        "minor": "minor",
        "patch": "patch",
        "page_title": "Changes",
        "compared": "From {old} (version {old_version}) to {new} (version {new_version}).",
    },
    "zh": {
        "title": "从 {old} 到 {new} 的变更",
        "summary": "概要",
        "class": "类别",
        "count": "变更数",
        "modules": "模块",
        "module": "模块",
        "none": "没有变更。",
        "whole_module": "整个模块",
        "breaking": "不兼容变更",
        "deprecation": "废弃",
        "additive": "新增",
        "documentation": "文档",
        "semver": "类型包：{bump}版本",
        "major": "主",
        "minor": "次",
        "patch": "修订",
        "page_title": "变更",
        "compared": "从 {old}（版本 {old_version}）到 {new}（版本 {new_version}）。",
    },
}

_CLASSES = tuple(sorted(ChangeClass, reverse=True))

# ----------------------------------------------------------------------------------------------
# Escaping

#: Characters that are plain in every Markdown/HTML inline context; anything else ASCII and
#: printable is written as a numeric entity.
_PLAIN = re.compile(r"[A-Za-z0-9 ,.:;()/=@?'$%\u00a0-\uffff-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_md(value: object) -> Markup:
    """``value`` as inline Markdown that shows exactly its characters."""
    if isinstance(value, Markup):
        return value
    text = _CONTROL.sub(" ", str(value))
    return Markup("".join(c if _PLAIN.fullmatch(c) else f"&#{ord(c)};" for c in text))


def _code(value: object) -> Markup:
    return Markup(f"<code>{escape_md(value)}</code>")


_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def anchor(value: object) -> Markup:
    """An HTML id: ASCII letters, digits and ``-``."""
    return Markup(_ANCHOR_UNSAFE.sub("-", str(value)).strip("-").lower() or "x")


#: What a link target may hold as it is; anything else is percent-encoded.
_HREF_SAFE = "/#.-_~"


def href(value: object) -> Markup:
    """A relative link target, percent-encoded: it cannot close the link or the attribute."""
    return Markup(quote(str(value), safe=_HREF_SAFE))


_FILTERS: dict[str, templating.Filter] = {
    "md": escape_md,
    "code": _code,
    "anchor": anchor,
    "href": href,
}


@cache
def _environment() -> jinja2.Environment:
    return templating.make_environment("diff", _FILTERS)


def _terminal(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


# ----------------------------------------------------------------------------------------------
# Forms


def _where(change: Change) -> str:
    where = change.path or "(module)"
    return f"{where} [{change.detail}]" if change.detail else where


def _facts(change: Change) -> str:
    if change.old is None and change.new is None:
        return ""
    return f" ({change.old if change.old is not None else '-'} -> " + (
        f"{change.new if change.new is not None else '-'})"
    )


def render_text(result: DiffResult, semver: SemverResult | None = None, *, lang: str = "en") -> str:
    """A summary line, then per module one line per change, strictest class first."""
    counts = result.counts()
    lines = [
        f"{result.old} -> {result.new}: " + ", ".join(f"{n} {cls}" for cls, n in counts.items())
    ]
    for module, changes in result.module_changes().items():
        lines.append(f"module {module}:")
        for change in sorted(changes, key=lambda c: -c.cls):
            lines.append(
                f"  {change.cls.label:<13} {_where(change)}: {change.kind}: "
                f"{change.reason(lang)}{_facts(change)}"
            )
    if semver is not None:
        lines.append(f"typed package: {semver.bump}")
    return "".join(_terminal(line) + "\n" for line in lines)


def to_json(result: DiffResult, semver: SemverResult | None = None) -> dict[str, Any]:
    """The JSON form (schema ``spec/schema/diff.schema.json``)."""
    data: dict[str, Any] = {
        "format": "utsapi-diff",
        "version": FORMAT_VERSION,
        "old": {"source": result.old, "version": result.old_version},
        "new": {"source": result.new, "version": result.new_version},
        "counts": result.counts(),
        "modules": result.by_module(),
        "changes": [
            {
                "module": c.module,
                "path": c.path,
                "detail": c.detail,
                "kind": c.kind,
                "class": c.cls.label,
                "direction": c.direction,
                "old": c.old,
                "new": c.new,
                "reason": {"en": c.reason("en"), "zh": c.reason("zh")},
            }
            for c in result.changes
        ],
    }
    if semver is not None:
        data["semver"] = {
            "bump": semver.bump,
            "changes": [{"bump": s.bump, "where": s.where, "what": s.what} for s in semver.changes],
        }
    return data


def render_json(result: DiffResult, semver: SemverResult | None = None) -> str:
    return json.dumps(to_json(result, semver), ensure_ascii=False, indent=1) + "\n"


def _modules(result: DiffResult, links: ChangeLinks | None) -> list[dict[str, Any]]:
    """Per module with a change: its counts and, per class, ``(change, link or None)``."""
    modules = []
    by_module = result.by_module()
    for module, changes in result.module_changes().items():
        groups = [
            (cls.label, [(c, None if links is None else links(c)) for c in changes if c.cls == cls])
            for cls in _CLASSES
            if any(c.cls == cls for c in changes)
        ]
        modules.append({"name": module, "counts": by_module[module], "groups": groups})
    return modules


def _changelog(
    result: DiffResult,
    semver: SemverResult | None,
    lang: str,
    *,
    title: str,
    compared: Markup | None = None,
    links: ChangeLinks | None = None,
) -> str:
    labels = LABELS[lang]
    return (
        _environment()
        .get_template("changelog.md.j2")
        .render(
            title=title,
            compared=compared,
            labels=labels,
            lang=lang,
            counts=result.counts(),
            modules=_modules(result, links),
            semver=None if semver is None else labels["semver"].format(bump=labels[semver.bump]),
        )
    )


def render_markdown(
    result: DiffResult, semver: SemverResult | None = None, *, lang: str = "en"
) -> str:
    """The changelog page: a summary, then a section per module (anchor ``changes-<module>``)
    with a subsection per class (``changes-<module>-<class>``)."""
    title = LABELS[lang]["title"].format(old=result.old, new=result.new)
    return _changelog(result, semver, lang, title=title)


_SLOT = re.compile(r"(\{[a-z_]+\})")


def render_changes_page(result: DiffResult, *, lang: str, links: ChangeLinks) -> str:
    """The site's Changes page: the changelog of :func:`render_markdown` (same sections and
    anchors) under the title "Changes", a line saying what was compared (the sources as the
    user named them, and their versions), and each change linked to its item where ``links``
    (:func:`generator.diff.site_links`) finds it on the site."""
    labels = LABELS[lang]
    values = {
        "old": _code(result.old),
        "new": _code(result.new),
        "old_version": _code(result.old_version or "-"),
        "new_version": _code(result.new_version or "-"),
    }
    compared = Markup("").join(
        values[part[1:-1]] if _SLOT.fullmatch(part) else escape_md(part)
        for part in _SLOT.split(labels["compared"])
    )
    return _changelog(
        result, None, lang, title=labels["page_title"], compared=compared, links=links
    )
