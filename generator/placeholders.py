"""Filling ``<!-- UTSAPIJSON.<key>.<section> -->`` placeholders in a Markdown page.

The uni-app x docs' injector (``docs/.vuepress/markdown/inject-json-to-md.js``) replaces every
HTML comment ``<!-- PREFIX.path.to.value -->`` with the value at that dotted path in a JSON file,
any number per line, path characters ``[A-Za-z0-9_$.-]``; a missing value keeps the raw comment.
This module does the same for the ``UTSAPIJSON`` prefix, over a ``key -> section -> markdown``
mapping, except that by default a missing value is an error: :func:`fill_page` raises
:class:`~generator.exceptions.PageError` listing *every* unknown placeholder of the page with its
``file:line:col`` and the nearest known names.  ``allow_missing=True`` keeps them, as the original.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from generator.exceptions import Diagnostic, PageError

__all__ = ["PLACEHOLDER_RE", "Placeholder", "fill_page", "find_placeholders"]

#: ``<!-- UTSAPIJSON.key.section -->``; group 1 is the dotted path after the prefix.
PLACEHOLDER_RE = re.compile(r"<!--\s*UTSAPIJSON\.([A-Za-z0-9_$.-]+)\s*-->")

_CHECK = "placeholder"


@dataclass(frozen=True)
class Placeholder:
    """One placeholder occurrence; ``line`` and ``column`` are 1-based."""

    path: str
    line: int
    column: int
    start: int
    end: int

    @property
    def key(self) -> str:
        return self.path.split(".", 1)[0]

    @property
    def section(self) -> str | None:
        _, dot, rest = self.path.partition(".")
        return rest if dot else None


def find_placeholders(text: str) -> Iterator[Placeholder]:
    """Every placeholder of ``text``, in order."""
    line_starts = [0]
    line_starts.extend(m.end() for m in re.finditer("\n", text))
    line_index = 0
    for match in PLACEHOLDER_RE.finditer(text):
        while line_index + 1 < len(line_starts) and line_starts[line_index + 1] <= match.start():
            line_index += 1
        yield Placeholder(
            path=match.group(1),
            line=line_index + 1,
            column=match.start() - line_starts[line_index] + 1,
            start=match.start(),
            end=match.end(),
        )


def _nearest(word: str, candidates: Iterator[str] | list[str]) -> str:
    names = sorted(candidates)
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    if not close:
        lowered = {n.lower(): n for n in names}
        close = [lowered[n] for n in difflib.get_close_matches(word.lower(), list(lowered), n=3)]
    if close:
        return "; did you mean " + ", ".join(repr(c) for c in close) + "?"
    if len(names) <= 8:
        return "; known: " + ", ".join(repr(n) for n in names) if names else ""
    return ""


def _problem(placeholder: Placeholder, data: Mapping[str, Mapping[str, str]]) -> str | None:
    section_map = data.get(placeholder.key)
    if section_map is None:
        return f"unknown key {placeholder.key!r}" + _nearest(placeholder.key, list(data))
    section = placeholder.section
    if section is None:
        return (
            f"placeholder names a key but no section; expected UTSAPIJSON.{placeholder.key}.SECTION"
            + _nearest("", list(section_map))
        )
    if section not in section_map:
        return f"unknown section {section!r} of key {placeholder.key!r}" + _nearest(
            section, list(section_map)
        )
    return None


def fill_page(
    text: str,
    file: str,
    data: Mapping[str, Mapping[str, str]],
    *,
    allow_missing: bool = False,
    origin: str | None = None,
) -> str:
    """Replace every ``<!-- UTSAPIJSON.key.section -->`` of ``text`` with ``data[key][section]``.

    ``file`` is only used in error messages.  Unknown placeholders raise :class:`PageError` with
    one diagnostic each, unless ``allow_missing`` is set, in which case they are kept verbatim.

    ``origin``: the page as written, when ``text`` is a rewriting of it (the MkDocs plugin turns
    a one-line ``::: warning`` into two lines and indents the container's body): a diagnostic
    names the ``line:col`` of the same placeholder there (the n-th of ``text`` is the n-th of
    ``origin`` when both hold the same placeholders in the same order; else those of ``text``).
    """
    out: list[str] = []
    problems: list[Diagnostic] = []
    pos = 0
    found = list(find_placeholders(text))
    where = [(p.line, p.column) for p in found]
    if origin is not None:
        written = list(find_placeholders(origin))
        if [p.path for p in written] == [p.path for p in found]:
            where = [(p.line, p.column) for p in written]
    for placeholder, (line, column) in zip(found, where, strict=True):
        problem = _problem(placeholder, data)
        out.append(text[pos : placeholder.start])
        if problem is None:
            assert placeholder.section is not None
            out.append(data[placeholder.key][placeholder.section])
        else:
            out.append(text[placeholder.start : placeholder.end])
            problems.append(
                Diagnostic(
                    file=file,
                    line=line,
                    column=column,
                    path=f"UTSAPIJSON.{placeholder.path}",
                    message=problem,
                    check=_CHECK,
                )
            )
        pos = placeholder.end
    if problems and not allow_missing:
        raise PageError(problems)
    out.append(text[pos:])
    return "".join(out)
