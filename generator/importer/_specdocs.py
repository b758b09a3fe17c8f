"""JSDoc facts in the spec's form, for :mod:`generator.importer.tospec`: descriptions (zh),
provenance, ``@uniPlatform`` cells, tutorial links, examples, default values."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from generator.importer._spectypes import Context, zh
from generator.importer.model import Doc, PlatformTable, PlatformValueKind

_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")
_URL = re.compile(r"https?://\S+")

#: Labels of the tutorial links, by tag (the project's words).
_TUTORIAL_LABELS: dict[str, dict[str, str]] = {
    "tutorial": {"zh": "参见uni-app x相关文档", "en": "See the uni-app x docs"},
    "tutorial_uni_app_x": {"zh": "参见uni-app x相关文档", "en": "See the uni-app x docs"},
    "tutorial_uni_app": {"zh": "uni-app 文档", "en": "uni-app docs"},
    "tutorial_weixin": {"zh": "微信小程序文档", "en": "WeChat mini program docs"},
}
_TUTORIAL_LABELS["tutorial-uni-app"] = _TUTORIAL_LABELS["tutorial_uni_app"]  # a stray spelling
_TUTORIAL_LABELS["tutorial_mp_weixin"] = _TUTORIAL_LABELS["tutorial_weixin"]
_TUTORIAL_LABELS["tutorial-uni-app-x"] = _TUTORIAL_LABELS["tutorial_uni_app_x"]
_FENCE_LANGS = {"uts": "uts", "ts": "ts", "typescript": "ts", "js": "js", "javascript": "js"}
_FENCE_LANGS |= {"vue": "vue"}


@cache
def schema_platforms() -> dict[str, Any]:
    """group -> (platform -> allowed keys) or allowed keys (``web``, ``quickapp``), read from
    the module schema: the one owner of what a platform block may hold."""
    from generator.spec.validate import schema_for  # noqa: PLC0415

    validator = schema_for("modules")
    assert validator is not None
    schema: Mapping[str, Any] = validator.schema  # type: ignore[assignment]
    defs = schema["$defs"]

    def keys(ref: Mapping[str, Any]) -> frozenset[str]:
        target = defs[ref["$ref"].rsplit("/", 1)[1]]
        return frozenset(target["properties"])

    out: dict[str, Any] = {}
    for group, body in defs["platforms"]["properties"].items():
        if "$ref" in body:
            out[group] = keys(body)
        else:
            out[group] = {name: keys(ref) for name, ref in body["properties"].items()}
    return out


def cell_text(kind: PlatformValueKind, version: str | None, detail: str | None) -> str | None:
    match kind:
        case PlatformValueKind.SUPPORTED:
            return "√"
        case PlatformValueKind.UNSUPPORTED:
            return "x"
        case PlatformValueKind.UNSPECIFIED:
            return "-"
        case PlatformValueKind.VERSION if version and _VERSION.fullmatch(version):
            return f"{version}({detail})" if detail and detail.isdigit() else version
    return None


def platforms_of(table: PlatformTable, ctx: Context, where: str) -> dict[str, Any]:
    known = schema_platforms()
    out: dict[str, Any] = {}
    for entry in table.entries:
        allowed = known.get(entry.group)
        if isinstance(allowed, dict):
            allowed = allowed.get(entry.platform or "")
        if allowed is None:
            ctx.warn_at(
                table.provenance,
                where,
                f"platform {entry.id} is not in the schema",
                "import:platform",
            )
            continue
        cells: dict[str, str] = {}
        for key, value in entry.values.items():
            cell = cell_text(value.kind, value.version, value.detail)
            if key not in allowed or cell is None:
                ctx.warn_at(
                    table.provenance,
                    where,
                    f"{entry.id}.{key} = {value.raw!r} has no spec form",
                    "import:platform",
                )
                continue
            cells[key] = cell
        if not cells:
            continue
        if entry.platform is None:
            out[entry.group] = cells
        else:
            out.setdefault(entry.group, {})[entry.platform] = cells
    return out


def documented(item: dict[str, Any], doc: Doc | None, ctx: Context, where: str) -> None:
    """Description, platforms, tutorials and examples of ``doc`` into ``item``."""
    if doc is None:
        return
    text = zh(doc.description)
    if text:
        item["description"] = text
    table = overridden(doc, ctx, where) or doc.platforms
    if table is not None:
        platforms = platforms_of(table, ctx, where)
        if platforms:
            item["platforms"] = platforms


def overridden(doc: Doc, ctx: Context, where: str) -> PlatformTable | None:
    """The overrides file's block for ``where``, read like a ``@uniPlatform`` block; the lines
    of the block it replaces are noted (the surface's warnings about them are then replaced by
    one ``import:override`` note)."""
    override = ctx.overrides.get(where)
    if override is None or where in ctx.used_overrides:
        return None
    from generator.importer.platforms import read_table  # noqa: PLC0415

    entries, _ = read_table(override.block)
    ctx.used_overrides.add(where)
    tag = next((t for t in doc.tags if t.name == "uniPlatform"), None)
    at = tag.provenance if tag is not None else doc.provenance
    if tag is not None:
        # the block's lines and the comment's closing line, where a parser error may point
        ctx.covered_lines.update(range(at.line, at.line + tag.text.count("\n") + 2))
    ctx.warn_at(
        at,
        where,
        f"@uniPlatform replaced by the overrides file ({override.reason})",
        "import:override",
    )
    return PlatformTable(tuple(entries), at, ("override",))


def tutorial_links(doc: Doc | None, ctx: Context, where: str) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    for tutorial in doc.tutorials if doc else ():
        label = _TUTORIAL_LABELS.get(tutorial.kind)
        if label is None or not _URL.fullmatch(tutorial.url):
            assert doc is not None
            ctx.warn_at(
                doc.provenance,
                where,
                f"@{tutorial.kind} {tutorial.url!r} not mapped",
                "import:skipped",
            )
            continue
        links.append({"label": dict(label), "url": tutorial.url})
    return links


def example_items(doc: Doc | None) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for text in doc.examples if doc else ():
        lines = text.strip("\n").splitlines()
        lang = "uts"
        if lines and lines[0].strip().startswith("```"):
            lang = _FENCE_LANGS.get(lines[0].strip()[3:].strip().lower(), "uts")
            lines = lines[1:]
            if lines and lines[-1].strip().startswith("```"):
                lines = lines[:-1]
        code = "\n".join(lines).strip("\n")
        if code.strip():
            out.append({"lang": lang, "code": code + "\n"})
    return out


def default_value(text: str) -> object:
    text = text.strip()
    if text in ("null", "undefined"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text.strip("'") if len(text) > 1 and text[0] == text[-1] == "'" else text
    return value if isinstance(value, str | int | float | bool) else text
