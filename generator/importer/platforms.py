"""``@uniPlatform`` blocks: repairing their JSON and normalising their cells.

The block is JSON written in a JSDoc comment.  Most of it is strict JSON; the rest is read by
these rules, in order, and every repair keeps each character where it was (removed text becomes
spaces), so a position in the repaired text is the position in the ``.d.ts``:

1. strict JSON;
2. else these repairs, each named in ``PlatformTable.repairs`` when it changed something:

   - ``comments``: ``// …`` to the end of the line and ``/* … */`` outside strings, blanked;
   - ``double-commas``: the second of two commas with only white space between, blanked;
   - ``trailing-commas``: a comma followed only by white space before ``}`` or ``]``, blanked;
   - ``missing-commas``: a value ending a line (``"``, ``}``, ``]`` or a digit) and a key
     (``"``) starting the next: the last blank before that key becomes a comma;
   - ``key-quotes``: a key written ``name":`` after ``{`` or ``,``: the blank before it becomes
     the missing ``"``;
   - ``stray-stars``: a ``*`` starting a line (a comment's ``*`` written twice), blanked;

3. otherwise the block is not read: a warning gives the ``file:line:col`` where the JSON parser
   stopped, and the declaration has no platform table.  An override (``platform_overrides`` of
   :func:`generator.importer.read_surface`, keyed by file and the tag's line) supplies it; an
   override that matches no tag is reported (``override-unused``).
   Blocks left so in 0.7.122: a missing closing brace, a stray ``}``, a ``{`` written
   twice, an unterminated string, a value written ``x""``.

Cells (:func:`normalize_value`):

========================  ===============  ================================================
written                   kind             notes
========================  ===============  ================================================
``√`` ``✓`` ``✔``         SUPPORTED
``x`` ``X`` ``×``         UNSUPPORTED
``-`` or empty            UNSPECIFIED      nothing said: renders as ``-``
``3.9`` ``4.0+``          VERSION          ``version`` without ``+``
``>=2.10.0``              VERSION          ``version`` ``2.10.0``
``5.0.0(11)``             VERSION          ``version`` ``5.0.0``, ``detail`` ``11``
``3,0`` ``3，0``          VERSION          decimal comma read as a point: ``3.0``
``v`` ``V``               SUPPORTED        the letter typed for the check mark
anything else             UNKNOWN          kept as written, with a warning
========================  ===============  ================================================

Keys: :data:`PLATFORM_KEYS` are the ones known; another key is kept and warned about.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.exceptions import Diagnostic
from generator.importer.model import PlatformEntry, PlatformValue, PlatformValueKind

__all__ = [
    "BUNDLED_OVERRIDES",
    "GROUPS",
    "PLATFORM_KEYS",
    "BlockError",
    "Overrides",
    "ParsedBlock",
    "PlatformOverride",
    "load_overrides",
    "normalize_value",
    "parse_block",
    "read_table",
]

#: The keys a platform's cell set may have.
PLATFORM_KEYS: frozenset[str] = frozenset(
    {
        "osVer",
        "hostVer",
        "uniVer",
        "unixVer",
        "unixVaporVer",
        "uniUtsPlugin",
        "unixUtsPlugin",
        "unixvVer",
    }
)
#: The top-level groups: ``app`` and ``mp`` hold platforms, ``web`` holds cells directly.
#: ``quickapp`` (16 blocks in 0.7.122, beside ``mp.360``) is read like ``web``.
GROUPS: frozenset[str] = frozenset({"app", "mp", "web", "quickapp"})

_SUPPORTED = frozenset({"√", "✓", "✔", "v", "V"})
_UNSUPPORTED = frozenset({"x", "X", "×"})
_UNSPECIFIED = frozenset({"-", ""})
_VERSION = re.compile(
    r"(?P<ge>>=\s*)?(?P<v>\d+(?:[.,，]\d+)*)(?P<plus>\+)?(?:\s*[(（](?P<detail>[^)）]*)[)）])?"
)


@functools.lru_cache(maxsize=4096)
def normalize_value(raw: str) -> PlatformValue:
    """Read one cell (see the table in the module docstring).  Cached: 0.7.122 has 53,000 cells
    and a few hundred distinct values."""
    text = raw.strip()
    if text in _SUPPORTED:
        return PlatformValue(raw, PlatformValueKind.SUPPORTED)
    if text in _UNSUPPORTED:
        return PlatformValue(raw, PlatformValueKind.UNSUPPORTED)
    if text in _UNSPECIFIED:
        return PlatformValue(raw, PlatformValueKind.UNSPECIFIED)
    m = _VERSION.fullmatch(text)
    if m:
        version = re.sub(r"[,，]", ".", m["v"])
        return PlatformValue(raw, PlatformValueKind.VERSION, version, m["detail"] or None)
    return PlatformValue(raw, PlatformValueKind.UNKNOWN)


@dataclass(frozen=True)
class BlockError:
    """Why a block was not read: ``offset`` into the block text, and the parser's message."""

    offset: int
    message: str


@dataclass(frozen=True)
class ParsedBlock:
    """A block's JSON value and the repairs it needed."""

    value: object
    repairs: tuple[str, ...]


def _blank(s: str) -> str:
    return "".join(c if c in "\r\n" else " " for c in s)


def _strip_comments(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(_blank(text[i:j]))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(_blank(text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


# The regular expressions below look outside strings only because the cells are short
# strings with no quotes, commas or braces in them; the comments repair runs first.


def _strip_double_commas(text: str) -> str:
    return re.sub(r",(\s*),", r",\1 ", text)


def _strip_trailing_commas(text: str) -> str:
    return re.sub(r",(\s*[}\]])", r" \1", text)


def _add_missing_commas(text: str) -> str:
    return re.sub(r'(["}\]\d][ \t]*(?:\r?\n[ \t]*)+)[ \t](?=")', r"\1,", text)


def _add_key_quotes(text: str) -> str:
    return re.sub(r'([{,]\s*)[ \t]([A-Za-z_]\w*"\s*:)', r'\1"\2', text)


def _strip_stray_stars(text: str) -> str:
    return re.sub(r"(?m)^([ \t]*)\*(?=[ \t])", r"\1 ", text)


_REPAIRS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("stray-stars", _strip_stray_stars),
    ("comments", _strip_comments),
    ("double-commas", _strip_double_commas),
    ("trailing-commas", _strip_trailing_commas),
    ("missing-commas", _add_missing_commas),
    ("key-quotes", _add_key_quotes),
)


def _decode(text: str) -> object:
    """One JSON value, surrounded only by white space."""
    decoder = json.JSONDecoder()
    start = len(text) - len(text.lstrip())
    value, end = decoder.raw_decode(text, start)
    if text[end:].strip():
        rest = end + len(text[end:]) - len(text[end:].lstrip())
        raise json.JSONDecodeError("text after the JSON value", text, rest)
    return value


def parse_block(text: str) -> ParsedBlock | BlockError:
    """Read a block's JSON by the rules of the module docstring."""
    try:
        return ParsedBlock(_decode(text), ())
    except json.JSONDecodeError as first:
        error = first
    repaired = text
    applied: list[str] = []
    for name, repair in _REPAIRS:
        fixed = repair(repaired)
        if fixed != repaired:
            applied.append(name)
            repaired = fixed
    if applied:
        try:
            return ParsedBlock(_decode(repaired), tuple(applied))
        except json.JSONDecodeError as second:
            error = second
    return BlockError(error.pos, error.msg)


def read_table(value: object) -> tuple[list[PlatformEntry], list[str]]:
    """The platform entries of a block's JSON value, and the problems met (as messages with a
    JSON path).  Unknown groups and keys are kept; a cell that is not a string is read as its
    JSON text."""
    problems: list[str] = []
    entries: list[PlatformEntry] = []
    if not isinstance(value, dict):
        return [], [f"$: expected an object of platform groups, found {type(value).__name__}"]
    for group, body in value.items():
        if group not in GROUPS:
            problems.append(f"$.{group}: unknown platform group")
        if not isinstance(body, dict):
            problems.append(f"$.{group}: expected an object, found {type(body).__name__}")
            continue
        if group in {"web", "quickapp"} or all(not isinstance(v, dict) for v in body.values()):
            entries.append(PlatformEntry(group, None, _cells(f"$.{group}", body, problems)))
            continue
        for platform, cells in body.items():
            path = f"$.{group}.{platform}"
            if not isinstance(cells, dict):
                problems.append(f"{path}: expected an object, found {type(cells).__name__}")
                continue
            entries.append(PlatformEntry(group, platform, _cells(path, cells, problems)))
    return entries, problems


def _cells(path: str, cells: dict[str, object], problems: list[str]) -> dict[str, PlatformValue]:
    out: dict[str, PlatformValue] = {}
    for key, raw in cells.items():
        if key not in PLATFORM_KEYS:
            problems.append(f"{path}.{key}: unknown platform key")
        text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
        value = normalize_value(text)
        if value.kind is PlatformValueKind.UNKNOWN:
            problems.append(f"{path}.{key}: unreadable value {text!r}")
        out[key] = value
    return out


# --- the overrides file ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformOverride:
    """A repaired ``@uniPlatform`` block: the declaration at ``path`` (as the importer names it:
    ``Uni.request``, ``RequestOptions.method``, ``LoadKind``) of ``file`` (the ``.d.ts`` path in
    the package) gets ``block`` (the JSON of a ``@uniPlatform`` block) instead of its own.
    ``line``/``column``: where the override is written, for the report of an unused one."""

    file: str
    path: str
    reason: str
    block: object
    source: str
    line: int
    column: int


#: The overrides bundled with the importer, for the pinned package.
BUNDLED_OVERRIDES = Path(__file__).with_name("overrides.yaml")


@dataclass(frozen=True)
class Overrides:
    """An overrides file: the package it was written for (``NAME@VERSION``) and its entries."""

    package: str
    entries: tuple[PlatformOverride, ...]


def load_overrides(path: Path) -> tuple[Overrides, list[Diagnostic]]:
    """Read an overrides file: ``format: 1``, ``package: NAME@VERSION`` and ``overrides:``, a
    list of ``{file, path, reason, platforms}``.  Every problem is a diagnostic at its
    ``file:line:col``; the overrides that are well formed are returned beside them."""
    from generator.spec.overlay import read_overlay_yaml  # noqa: PLC0415

    name = str(path)
    try:
        doc = read_overlay_yaml(path)
    except (OSError, UnicodeDecodeError) as exc:
        unreadable = Diagnostic(name, 0, 0, "", f"cannot read: {exc}", "overrides:read")
        return Overrides("", ()), [unreadable]
    if doc.diagnostics:
        return Overrides("", ()), list(doc.diagnostics)
    data = doc.data
    if (
        not isinstance(data, dict)
        or data.get("format") != 1
        or not isinstance(data.get("package"), str)
    ):
        doc.error(
            (), "expected a mapping with format: 1, package: and overrides:", "overrides:shape"
        )
        return Overrides("", ()), list(doc.diagnostics)
    items = data.get("overrides", [])
    out: list[PlatformOverride] = []
    seen: set[tuple[str, str]] = set()
    if not isinstance(items, list):
        doc.error(("overrides",), "expected a list", "overrides:shape")
        items = []
    for i, item in enumerate(items):
        where = ("overrides", i)
        fields = {"file", "path", "reason", "platforms"}
        if not isinstance(item, dict) or set(item) != fields:
            doc.error(where, f"expected exactly the keys {sorted(fields)}", "overrides:shape")
            continue
        texts = [item[k] for k in ("file", "path", "reason")]
        if not all(isinstance(t, str) and t.strip() for t in texts):
            doc.error(where, "file, path and reason must be non-empty text", "overrides:shape")
            continue
        entries, problems = read_table(item["platforms"])
        for problem in problems:
            doc.error((*where, "platforms"), problem, "overrides:platforms")
        if problems or not entries:
            continue
        key = (item["file"], item["path"])
        if key in seen:
            doc.error(where, f"a second override of {key[1]} in {key[0]}", "overrides:duplicate")
            continue
        seen.add(key)
        line, column = doc.position(where)
        out.append(
            PlatformOverride(
                item["file"], item["path"], item["reason"], item["platforms"], name, line, column
            )
        )
    return Overrides(data["package"], tuple(out)), list(doc.diagnostics)
