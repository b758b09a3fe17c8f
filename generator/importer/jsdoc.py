"""Reading a JSDoc block: its lines, its tags, and the tags the importer knows.

Rules (the same for every block, wherever it sits: declarations, members, parameters, union
members):

- The block's lines lose ``/**`` and ``*/``; a line whose first non-blank character is ``*`` loses
  what precedes it, the ``*`` and one space.  A line without the ``*`` (code in an ``@example``
  is often written so) is kept as written.
- A tag starts on a line whose first non-blank character is ``@`` (or a stray second ``*`` and
  then ``@``) followed by a name (``[A-Za-z_][\\w-]*``: ``tutorial_uni_app``, the stray
  ``tutorial-uni-app``), outside a fenced code block (lines between two lines starting with
  three backticks).  Its text is the rest of that line and the following lines up to the next
  tag, trailing blank lines removed.  This is TypeScript's rule, except that code fences are
  honoured and an ``@`` inside a line of prose is never a tag (TypeScript reads one as a tag).
  The extractor reports TypeScript's tag names where TypeScript attached the block
  (``Doc.ts_tag_names``); the tests compare the two readings.
- ``description`` is the ``@description`` text if there is one, else the text before the first tag.
- ``@uniPlatform`` is read by :mod:`generator.importer.platforms`; a block that cannot be read is a
  warning at the ``file:line:col`` where its JSON stops, and ``Doc.platforms`` stays ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from generator.exceptions import Diagnostic
from generator.importer.model import Doc, ParamDoc, PlatformTable, Provenance, Tag, Tutorial
from generator.importer.platforms import BlockError, ParsedBlock, parse_block, read_table

__all__ = ["is_jsdoc", "parse_doc"]

_TAG = re.compile(r"(?:\*[ \t]+)?@(?P<name>[A-Za-z_][\w-]*)")
_STAR = re.compile(r"[ \t]*\*(?: |\t)?")
_FENCE = re.compile(r"\s*```")
_PARAM = re.compile(
    r"(?:\{(?P<type>[^}]*)\}\s*)?(?P<name>\[?[\w$.]+(?:=[^\]]*)?\]?)?\s*(?P<text>.*)", re.S
)


def is_jsdoc(comment: str) -> bool:
    """A ``/** … */`` block (``/**/`` is an empty plain comment)."""
    return comment.startswith("/**") and not comment.startswith("/**/")


@dataclass(frozen=True)
class _Line:
    text: str
    line: int
    column: int  # 1-based column of text[0] in the file


def _lines(raw: str, line: int, column: int) -> list[_Line]:
    body = raw[3:-2] if raw.endswith("*/") else raw[3:]
    out: list[_Line] = []
    for i, part in enumerate(body.split("\n")):
        text = part[:-1] if part.endswith("\r") else part
        col = column + 3 if i == 0 else 1
        if i > 0 or text.lstrip().startswith("*"):
            m = _STAR.match(text)
            if m:
                text, col = text[m.end() :], col + m.end()
        out.append(_Line(text, line + i, col))
    return out


@dataclass
class _RawTag:
    name: str
    lines: list[_Line]
    line: int
    column: int


def _split(lines: list[_Line]) -> tuple[list[_Line], list[_RawTag]]:
    summary: list[_Line] = []
    tags: list[_RawTag] = []
    fenced = False
    for ln in lines:
        stripped = ln.text.lstrip()
        m = _TAG.match(stripped)
        if not fenced and m:
            indent = len(ln.text) - len(stripped)
            rest = _Line(stripped[m.end() :], ln.line, ln.column + indent + m.end())
            tags.append(_RawTag(m["name"], [rest], ln.line, ln.column + indent))
        else:
            (tags[-1].lines if tags else summary).append(ln)
        if _FENCE.match(ln.text):
            fenced = not fenced
    return summary, tags


def _param(text: str) -> ParamDoc:
    m = _PARAM.match(text)
    assert m is not None  # every part of the pattern is optional
    name = (m["name"] or "").strip("[]").partition("=")[0]
    return ParamDoc(name, m["type"], m["text"].strip())


def _text(lines: list[_Line]) -> str:
    texts = [ln.text for ln in lines]
    while texts and not texts[-1].strip():
        texts.pop()
    while texts and not texts[0].strip():
        texts.pop(0)
    return "\n".join(texts).strip()


def _platforms(
    tag: _RawTag,
    prov: Provenance,
    warnings: list[Diagnostic],
    overrides: Mapping[int, object],
) -> PlatformTable | None:
    text = "\n".join(ln.text for ln in tag.lines)
    where = Provenance(prov.source, tag.line, tag.column)
    parsed: ParsedBlock | BlockError
    if tag.line in overrides:
        parsed = ParsedBlock(overrides[tag.line], ("override",))
    else:
        parsed = parse_block(text)
    if isinstance(parsed, BlockError):
        before = text[: parsed.offset]
        ln = tag.lines[before.count("\n")]
        column = ln.column + len(before) - (before.rfind("\n") + 1)
        warnings.append(
            Diagnostic(
                prov.file,
                ln.line,
                column,
                "@uniPlatform",
                f"block skipped, not JSON even after the repairs: {parsed.message}",
                "uniPlatform-json",
            )
        )
        return None
    entries, problems = read_table(parsed.value)
    for problem in problems:
        path, _, message = problem.partition(": ")
        warnings.append(
            Diagnostic(prov.file, tag.line, tag.column, path, message, "uniPlatform-value")
        )
    return PlatformTable(tuple(entries), where, parsed.repairs)


def parse_doc(
    raw: str,
    prov: Provenance,
    warnings: list[Diagnostic],
    *,
    ts_tag_names: tuple[str, ...] | None = None,
    platform_overrides: Mapping[int, object] | None = None,
) -> Doc:
    """Read one JSDoc block written at ``prov``; problems are appended to ``warnings``.
    ``platform_overrides`` maps the line of a ``@uniPlatform`` tag in this file to the JSON
    value to read instead of the block (``PlatformTable.repairs`` is then ``("override",)``)."""
    summary_lines, raw_tags = _split(_lines(raw, prov.line, prov.column))
    tags = tuple(
        Tag(t.name, _text(t.lines), Provenance(prov.source, t.line, t.column)) for t in raw_tags
    )
    summary = _text(summary_lines)

    def first(name: str) -> str | None:
        return next((t.text for t in tags if t.name == name), None)

    platforms: PlatformTable | None = None
    for raw_tag in raw_tags:
        if raw_tag.name == "uniPlatform":
            platforms = _platforms(raw_tag, prov, warnings, platform_overrides or {})
            break
    params = tuple(_param(t.text) for t in tags if t.name == "param")
    return Doc(
        raw=raw,
        provenance=prov,
        summary=summary,
        tags=tags,
        description=first("description") or summary,
        platforms=platforms,
        default_value=first("defaultValue"),
        tutorials=tuple(
            Tutorial(t.name, t.text) for t in tags if t.name.startswith("tutorial") and t.text
        ),
        examples=tuple(t.text for t in tags if t.name == "example"),
        deprecated=first("deprecated"),
        internal=any(t.name == "internal" for t in tags),
        uni_version=first("uniVersion"),
        uni_vue_version=first("uniVueVersion"),
        type=first("type"),
        params=params,
        ts_tag_names=ts_tag_names,
    )
