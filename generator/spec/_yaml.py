"""Safe YAML loading that keeps where every value came from.

PyYAML's ``safe_load`` is not enough for a spec: it keeps the last of two duplicate keys without
a word, it expands aliases without bound (a "billion laughs" document exhausts memory) and it
forgets line numbers.  Here the document is *composed* (with the C parser when available) and
the node graph is turned into plain JSON-like data by hand:

* only the core tags (null, bool, int, float, str, timestamp-as-text, seq, map, merge) are
  accepted; any other tag is an error, so nothing is ever constructed from a tag;
* a duplicate key is an error at the line of its second occurrence;
* the size of the document *after* alias expansion is computed on the node graph first (linear in
  the number of distinct nodes) and refused above a bound, before anything is expanded;
* every value's JSON path maps to its 1-based (line, column).

Hostile input is bounded, and every limit is a located diagnostic, never a traceback:

* :func:`read_spec_text` reads regular files only (a FIFO, a device such as ``/dev/zero`` or a
  socket is refused without being opened for a blocking read) and at most
  :data:`MAX_INPUT_BYTES` bytes; :func:`load_yaml` refuses a longer text too (``yaml:size``).
  The cap is 16 MiB; the environment variable ``UTSAPI_MAX_SPEC_BYTES`` (a number of bytes)
  overrides it for every command that reads a spec;
* nesting deeper than :data:`MAX_DEPTH` collections (``yaml:depth``), counted after aliases are
  followed; PyYAML's C composer recurses once per level, so a document that might be deeper
  than a few thousand levels is measured on its parse events before it is composed;
* an integer literal longer than :data:`MAX_INT_DIGITS` characters (``yaml:int``);
* the expansion bound counts the text of the scalars (keys included) as well as nodes: at
  most twice the input cap, in characters, once aliases are followed, so aliased long strings
  cannot multiply the work either;
* a tag on a mapping key (``!!str key:``, ``!x key:``) is an error (``yaml:tag``), like a tag
  on a value that is not a core tag.  (``!`` alone, YAML's non-specific tag, is no tag.)

Positions are only needed to report a problem, and almost every document has none, so a clean
document is built by a lean walk that records nothing; its positions are computed on first use by
composing the text again and running the full walk (same nodes, same result).  A document the
lean walk cannot take (a tag, key, merge or duplicate to report, or too large once expanded) goes
through the full walk straight away.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from generator.exceptions import Diagnostic

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "MAX_INT_DIGITS",
    "MAX_SIZE_ENV",
    "LoadedYaml",
    "PathKey",
    "SpecFileRefused",
    "json_path",
    "load_yaml",
    "max_input_bytes",
    "read_spec_text",
]

PathKey = tuple[str | int, ...]

#: Upper bound on the number of nodes a document may have once aliases are expanded.
MAX_EXPANDED_NODES = 1_000_000

#: The environment variable that overrides :data:`MAX_INPUT_BYTES` (a number of bytes).
MAX_SIZE_ENV = "UTSAPI_MAX_SPEC_BYTES"

#: Largest spec file read, in bytes (the bundled websocket module is 28 KB).
MAX_INPUT_BYTES = 16 * 2**20

#: Deepest nesting of collections (the bundled spec nests 8 deep).
MAX_DEPTH = 100

#: Longest integer literal, in characters (Python refuses to convert above 4,300 digits).
MAX_INT_DIGITS = 100

# A document whose nesting bound (see _depth_bound) is above this is measured on its parse
# events before it is composed: PyYAML's C composer recurses once per level without a
# recursion check, and crashes the interpreter somewhere between 10,000 and 100,000 levels.
_SCAN_DEPTH_ABOVE = 5_000


def max_input_bytes() -> int:
    """The input cap: :data:`MAX_INPUT_BYTES`, or ``$UTSAPI_MAX_SPEC_BYTES`` when it is set to a
    positive number of bytes."""
    raw = os.environ.get(MAX_SIZE_ENV, "").strip().replace("_", "")
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return MAX_INPUT_BYTES


class SpecFileRefused(OSError):
    """A spec file that is not read: not a regular file, or larger than the cap.

    An :class:`OSError` (``strerror`` says why), so callers that report read errors already
    report these."""


def read_spec_text(path: Path, *, max_bytes: int | None = None) -> str:
    """The UTF-8 text of the spec file ``path``; raises :class:`OSError` (including
    :class:`SpecFileRefused`) or :class:`UnicodeDecodeError` as ``Path.read_text`` would.

    Only a regular file is read: the file is opened without blocking (a FIFO with no writer
    would block ``open``) and checked with ``fstat`` on the open descriptor, so it cannot be
    swapped for a FIFO in between.  At most ``max_bytes`` (default :func:`max_input_bytes`)
    bytes are read, so a file that grows while it is read is refused too.
    """
    limit = max_input_bytes() if max_bytes is None else max_bytes
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SpecFileRefused(
                errno.EINVAL, f"not a regular file ({_file_kind(info.st_mode)})", str(path)
            )
        if info.st_size > limit:
            raise _too_large(path, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(limit + 1 - total, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _too_large(path, limit)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8")


def _too_large(path: Path, limit: int) -> SpecFileRefused:
    return SpecFileRefused(
        errno.EFBIG,
        f"larger than the {limit:,}-byte cap for a spec file (set {MAX_SIZE_ENV} to change it)",
        str(path),
    )


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalars = yaml.constructor.SafeConstructor()

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = _TAG + "str", _TAG + "seq", _TAG + "map", _TAG + "merge"
_TEXT_TAGS = {_STR, _TAG + "timestamp"}

_IMPLICIT: dict[Any, list[tuple[str, Any]]] = _BaseLoader.yaml_implicit_resolvers


class _FastResolver(_BaseLoader):  # type: ignore[valid-type,misc]
    """The safe loader with :meth:`BaseResolver.resolve` reduced to what it does when no path
    resolver and no wildcard implicit resolver is registered (the composer calls it for every
    node): the same tags, without building a resolver list per scalar."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[0] if value else "", ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


# The tags the resolvers hand out for untagged nodes, by identity: the composer asks the
# resolver only when a node has no tag, and a tag written in the text is a new string object, so
# a key whose tag is not one of these objects was tagged explicitly.
_RESOLVED_TAGS: frozenset[int] = frozenset(
    {id(tag) for resolvers in _IMPLICIT.values() for tag, _ in resolvers}
    | {id(_STR), id(_BaseLoader.DEFAULT_SCALAR_TAG)}
)

_Loader: type[yaml.SafeLoader] = (
    _FastResolver
    if None not in _IMPLICIT
    and not _BaseLoader.yaml_path_resolvers
    and _BaseLoader.resolve is BaseResolver.resolve
    and _BaseLoader.DEFAULT_SCALAR_TAG == _STR
    and _BaseLoader.DEFAULT_SEQUENCE_TAG == _SEQ
    and _BaseLoader.DEFAULT_MAPPING_TAG == _MAP
    else _BaseLoader
)


@dataclass
class LoadedYaml:
    """The data of one YAML document, where each value was, and what went wrong.

    ``source`` is the text of a document whose positions were not recorded while loading;
    :attr:`positions` computes them from it on first use.
    """

    file: str
    data: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: str | None = field(default=None, repr=False, compare=False)
    _positions: dict[PathKey, tuple[int, int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def positions(self) -> dict[PathKey, tuple[int, int]]:
        """Every value's JSON path → its 1-based (line, column)."""
        if self._positions is None:
            self._positions = {} if self.source is None else _positions_of(self.source, self.file)
        return self._positions

    def position(self, path: PathKey) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return (1, 1)

    def error(self, path: PathKey, message: str, check: str) -> None:
        line, column = self.position(path)
        self.diagnostics.append(
            Diagnostic(self.file, line, column, json_path(path), message, check)
        )


def json_path(path: PathKey) -> str:
    """``("apis", 0, "name")`` → ``$.apis[0].name`` (keys that are not identifiers are quoted)."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.isidentifier():
            out.append(f".{part}")
        else:
            out.append("[" + repr(part) + "]")
    return "".join(out)


class _Refused(Exception):
    """The document cannot be turned into data at all (too large, too deep, recursive)."""

    def __init__(self, node: Node, message: str, check: str = "yaml:size") -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.check = check


def _mark(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _expanded_size(
    root: Node, limit: int, max_chars: int | None = None, max_depth: int = MAX_DEPTH
) -> int:
    """Node count after alias expansion, computed once per distinct node (iteratively); the
    characters of the scalars (``max_chars``, default twice the input cap) and the nesting of
    collections are bounded too, aliases followed.

    Scalars count 1 and are never pushed; only collections go through the stack.
    """
    if max_chars is None:
        max_chars = 2 * max_input_bytes()
    if type(root) is ScalarNode:
        return 1
    sizes: dict[int, tuple[int, int, int]] = {}
    on_stack: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_stack.discard(key)
            total, nchars, depth = 1, 0, 0
            for child in _children(node):
                if type(child) is ScalarNode:
                    total += 1
                    nchars += len(child.value)
                else:
                    count, size, below = sizes[id(child)]
                    total += count
                    nchars += size
                    depth = max(depth, below)
            depth += 1
            if total > limit:
                raise _Refused(
                    node,
                    f"the document expands to more than {limit:,} nodes once aliases are "
                    "followed; refusing to expand it",
                )
            if nchars > max_chars:
                raise _Refused(
                    node,
                    f"the document expands to more than {max_chars:,} characters of text once "
                    "aliases are followed; refusing to expand it",
                )
            if depth > max_depth:
                raise _Refused(
                    node,
                    f"collections nest more than {max_depth} deep below here (aliases followed)",
                    "yaml:depth",
                )
            sizes[key] = (total, nchars, depth)
            continue
        if key in sizes:
            continue
        if key in on_stack:
            raise _Refused(node, "recursive alias: a node contains itself")
        on_stack.add(key)
        stack.append((node, True))
        stack.extend(
            (child, False)
            for child in _children(node)
            if type(child) is not ScalarNode and id(child) not in sizes
        )
    return sizes[id(root)][0]


class _Builder:
    def __init__(self, loaded: LoadedYaml) -> None:
        self.loaded = loaded
        self.memo: dict[int, Any] = {}
        self.positions = loaded.positions

    def build(self, node: Node, path: PathKey, depth: int = 0) -> Any:
        if path not in self.positions:
            mark = node.start_mark
            self.positions[path] = (mark.line + 1, mark.column + 1)
        shared = self.memo.get(id(node))
        if shared is not None:
            return shared
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if depth >= MAX_DEPTH:
            message = f"collections nest more than {MAX_DEPTH} deep here"
            self.report(node, path, message, "yaml:depth")
            return None
        depth += 1
        if isinstance(node, SequenceNode):
            self.check_tag(node, _TAG + "seq", path)
            value: Any = [self.build(item, (*path, i), depth) for i, item in enumerate(node.value)]
        elif isinstance(node, MappingNode):
            self.check_tag(node, _TAG + "map", path)
            value = self.mapping(node, path, depth)
        else:  # pragma: no cover - the composer makes no other node kinds
            raise TypeError(node)
        self.memo[id(node)] = value
        return value

    def report(self, node: Node, path: PathKey, message: str, check: str) -> None:
        """One diagnostic at ``node``'s position."""
        line, column = _mark(node)
        self.loaded.diagnostics.append(
            Diagnostic(self.loaded.file, line, column, json_path(path), message, check)
        )

    def check_tag(self, node: Node, expected: str, path: PathKey) -> None:
        if node.tag != expected:
            self.refuse_tag(node, path)

    def refuse_tag(self, node: Node, path: PathKey) -> None:
        message = f"the YAML tag {node.tag!r} is not allowed; spec files hold plain data only"
        self.report(node, path, message, "yaml:tag")

    def scalar(self, node: ScalarNode, path: PathKey) -> Any:
        tag = node.tag
        if tag in _TEXT_TAGS:
            return node.value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return _scalars.construct_yaml_bool(node)
        if tag == _TAG + "int":
            if len(node.value) > MAX_INT_DIGITS:
                message = (
                    f"an integer of {len(node.value):,} characters; the limit is "
                    f"{MAX_INT_DIGITS} (quote it if it is text)"
                )
                self.report(node, path, message, "yaml:int")
                return None
            return _scalars.construct_yaml_int(node)
        if tag == _TAG + "float":
            return _scalars.construct_yaml_float(node)
        self.refuse_tag(node, path)
        return None

    def key(self, node: Node, path: PathKey) -> str | None:
        if isinstance(node, ScalarNode):
            if id(node.tag) not in _RESOLVED_TAGS:
                message = (
                    f"the mapping key {node.value!r} has the tag {node.tag!r}; keys take no tag"
                )
                self.report(node, (*path, str(node.value)), message, "yaml:tag")
                return None
            return str(node.value)
        self.report(node, path, "a mapping key must be a plain scalar", "yaml:key")
        return None

    def mapping(self, node: MappingNode, path: PathKey, depth: int = 0) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merges.append(value_node)
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            if key in out:
                first = next(
                    k.start_mark.line + 1
                    for k, _ in node.value
                    if k.tag != _TAG + "merge" and isinstance(k, ScalarNode) and str(k.value) == key
                )
                message = f"duplicate key {key!r} (first defined on line {first})"
                self.report(key_node, (*path, key), message, "yaml:duplicate-key")
                continue
            out[key] = self.build(value_node, (*path, key), depth)
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    message = "a merge key (<<) must refer to a mapping"
                    self.report(source, path, message, "yaml:merge")
                    continue
                merged = self.build(source, path, depth - 1)
                if not isinstance(merged, dict):
                    continue
                for key, value in merged.items():
                    out.setdefault(key, value)
        return out


class _NotLean(Exception):
    """The lean walk met something the full walk must handle (and report)."""


def _lean_build(root: Node) -> tuple[Any, int, int]:
    """``(data, nodes, characters)`` of a document with nothing to report, the last two counted
    after alias expansion (every scalar's text, keys included): core tags only, untagged plain
    scalar keys, no merge key, no duplicate key, no integer longer than :data:`MAX_INT_DIGITS`.
    Anything else raises :class:`_NotLean`, and so does nesting deeper than :data:`MAX_DEPTH`,
    aliases followed (the full walk reports it).  Aliased collections are built once and
    shared, as the full walk does; a recursive alias ends in :class:`_NotLean` too."""
    memo: dict[int, tuple[Any, int, int, int]] = {}
    text_tags = _TEXT_TAGS
    resolved = _RESOLVED_TAGS
    null, boolean, integer, real = _TAG + "null", _TAG + "bool", _TAG + "int", _TAG + "float"

    def scalar(node: ScalarNode) -> Any:
        tag = node.tag
        if tag in text_tags:
            return node.value
        if tag == null:
            return None
        if tag == boolean:
            return _scalars.construct_yaml_bool(node)
        if tag == integer:
            if len(node.value) > MAX_INT_DIGITS:
                raise _NotLean
            return _scalars.construct_yaml_int(node)
        if tag == real:
            return _scalars.construct_yaml_float(node)
        raise _NotLean

    def build(node: Node, depth: int) -> tuple[Any, int, int, int]:
        """``(value, nodes, characters, nesting)`` of a collection ``depth`` levels down."""
        shared = memo.get(id(node))
        if shared is not None:
            if depth + shared[3] > MAX_DEPTH:
                raise _NotLean
            return shared
        if depth >= MAX_DEPTH:
            raise _NotLean
        depth += 1
        size = 1
        chars = 0
        height = 0
        if type(node) is MappingNode:
            if node.tag != _MAP:
                raise _NotLean
            value: Any = {}
            for key_node, value_node in node.value:
                if (
                    type(key_node) is not ScalarNode
                    or key_node.tag == _MERGE
                    or id(key_node.tag) not in resolved
                ):
                    raise _NotLean
                key = str(key_node.value)
                if key in value:
                    raise _NotLean
                if type(value_node) is ScalarNode:
                    value[key] = scalar(value_node)
                    size += 2
                    chars += len(key) + len(value_node.value)
                else:
                    value[key], count, nchars, below = build(value_node, depth)
                    size += count + 1
                    chars += len(key) + nchars
                    height = max(height, below)
        elif type(node) is SequenceNode:
            if node.tag != _SEQ:
                raise _NotLean
            value = []
            for item in node.value:
                if type(item) is ScalarNode:
                    value.append(scalar(item))
                    size += 1
                    chars += len(item.value)
                else:
                    built, count, nchars, below = build(item, depth)
                    value.append(built)
                    size += count
                    chars += nchars
                    height = max(height, below)
        else:  # pragma: no cover - the composer makes no other node kinds
            raise _NotLean
        memo[id(node)] = found = (value, size, chars, height + 1)
        return found

    if type(root) is ScalarNode:
        return scalar(root), 1, len(root.value)
    data, size, chars, _ = build(root, 0)
    return data, size, chars


def _positions_of(text: str, file: str) -> dict[PathKey, tuple[int, int]]:
    """The positions the full walk records for ``text`` (a document the lean walk took)."""
    loaded = LoadedYaml(file)
    loaded._positions = {}
    root = yaml.compose(text, Loader=_Loader)
    if root is not None:
        _Builder(loaded).build(root, ())
    return loaded._positions


def load_yaml(text: str, file: str, *, max_nodes: int = MAX_EXPANDED_NODES) -> LoadedYaml:
    """Load one YAML document from ``text``; problems land in ``.diagnostics``, never raise.

    The cyclic garbage collector is paused meanwhile: composing allocates a node and two marks
    per value, a graph without cycles (but for a recursive alias, left to the next collection)
    that reference counting frees once the data is built, so scanning it is wasted work.

    The expansion bound is ``max_nodes`` or the length of the text, whichever is larger: a
    document without aliases has fewer nodes than characters, so only alias expansion can
    exceed it, and a large plain document (within the size cap) is not refused for its size.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _load(text, file, max(max_nodes, len(text)))
    finally:
        if paused:
            gc.enable()


def _syntax_error(exc: yaml.YAMLError, file: str) -> Diagnostic:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return Diagnostic(file, line, column, "$", problem, "yaml:syntax")
    return Diagnostic(file, 1, 1, "$", f"invalid YAML: {exc}", "yaml:syntax")


def _depth_bound(text: str) -> int:
    """An upper bound on how deeply ``text`` nests collections, without parsing it.

    In block context two levels of nesting take at least one column (a block sequence may sit
    at its key's column, the entries' content may not), so block nesting is at most twice the
    longest line; each flow collection needs a ``[`` or ``{`` (a flow sequence's entry may be a
    one-pair mapping without braces, hence twice the ``[``).  Quick rather than tight: the
    bundled rule file, with many flow lists, is near 1,500."""
    flow = 2 * text.count("[") + text.count("{")
    if flow > _SCAN_DEPTH_ABOVE:
        return flow
    return flow + 2 * (max(map(len, text.split("\n"))) + 1) + 1


def _scan_depth(text: str, file: str) -> Diagnostic | None:
    """Measure the nesting of ``text`` on its parse events (iteratively): a diagnostic where it
    first goes deeper than :data:`MAX_DEPTH`, or the syntax error met first, or None."""
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, starts):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH and mark is not None:
                    message = f"collections nest more than {MAX_DEPTH} deep here"
                    return Diagnostic(
                        file, mark.line + 1, mark.column + 1, "$", message, "yaml:depth"
                    )
            elif isinstance(event, ends):
                depth -= 1
    except yaml.YAMLError as exc:
        return _syntax_error(exc, file)
    return None


def _load(text: str, file: str, max_nodes: int) -> LoadedYaml:
    loaded = LoadedYaml(file)
    cap = max_input_bytes()
    if len(text) > cap or (len(text) * 4 > cap and len(text.encode("utf-8", "replace")) > cap):
        message = (
            f"the document is larger than the {cap:,}-byte cap for a spec file "
            f"(set {MAX_SIZE_ENV} to change it)"
        )
        loaded.diagnostics.append(Diagnostic(file, 1, 1, "$", message, "yaml:size"))
        return loaded
    if _depth_bound(text) > _SCAN_DEPTH_ABOVE:
        found = _scan_depth(text, file)
        if found is not None:
            loaded.diagnostics.append(found)
            return loaded
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        loaded.diagnostics.append(_syntax_error(exc, file))
        return loaded
    if root is None:
        loaded.diagnostics.append(
            Diagnostic(file, 1, 1, "$", "the document is empty; expected a mapping", "yaml:empty")
        )
        return loaded
    try:
        data, size, chars = _lean_build(root)
    except _NotLean:
        pass
    else:
        if size <= max_nodes and chars <= 2 * cap:
            loaded.data = data
            loaded.source = text
            return loaded
    loaded._positions = {}
    try:
        _expanded_size(root, max_nodes)
        loaded.data = _Builder(loaded).build(root, ())
    except _Refused as exc:
        line, column = _mark(exc.node)
        loaded.diagnostics.append(Diagnostic(file, line, column, "$", exc.message, exc.check))
        loaded.data = None
    return loaded
