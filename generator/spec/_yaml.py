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

Positions are only needed to report a problem, and almost every document has none, so a clean
document is built by a lean walk that records nothing; its positions are computed on first use by
composing the text again and running the full walk (same nodes, same result).  A document the
lean walk cannot take (a tag, key, merge or duplicate to report, or too large once expanded) goes
through the full walk straight away.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from generator.exceptions import Diagnostic

__all__ = ["MAX_EXPANDED_NODES", "LoadedYaml", "PathKey", "json_path", "load_yaml"]

PathKey = tuple[str | int, ...]

#: Upper bound on the number of nodes a document may have once aliases are expanded.
MAX_EXPANDED_NODES = 1_000_000

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
    """The document cannot be turned into data at all (too large, recursive)."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def _mark(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _expanded_size(root: Node, limit: int) -> int:
    """Node count after alias expansion, computed once per distinct node (iteratively).

    Scalars count 1 and are never pushed; only collections go through the stack.
    """
    if type(root) is ScalarNode:
        return 1
    sizes: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_stack.discard(key)
            total = 1
            for child in _children(node):
                total += 1 if type(child) is ScalarNode else sizes[id(child)]
            if total > limit:
                raise _Refused(
                    node,
                    f"the document expands to more than {limit:,} nodes once aliases are "
                    "followed; refusing to expand it",
                )
            sizes[key] = total
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
    return sizes[id(root)]


class _Builder:
    def __init__(self, loaded: LoadedYaml) -> None:
        self.loaded = loaded
        self.memo: dict[int, Any] = {}
        self.positions = loaded.positions

    def build(self, node: Node, path: PathKey) -> Any:
        if path not in self.positions:
            mark = node.start_mark
            self.positions[path] = (mark.line + 1, mark.column + 1)
        shared = self.memo.get(id(node))
        if shared is not None:
            return shared
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            self.check_tag(node, _TAG + "seq", path)
            value: Any = [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        elif isinstance(node, MappingNode):
            self.check_tag(node, _TAG + "map", path)
            value = self.mapping(node, path)
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
            return _scalars.construct_yaml_int(node)
        if tag == _TAG + "float":
            return _scalars.construct_yaml_float(node)
        self.refuse_tag(node, path)
        return None

    def key(self, node: Node, path: PathKey) -> str | None:
        if isinstance(node, ScalarNode):
            return str(node.value)
        self.report(node, path, "a mapping key must be a plain scalar", "yaml:key")
        return None

    def mapping(self, node: MappingNode, path: PathKey) -> dict[str, Any]:
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
            out[key] = self.build(value_node, (*path, key))
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    message = "a merge key (<<) must refer to a mapping"
                    self.report(source, path, message, "yaml:merge")
                    continue
                merged = self.build(source, path)
                for key, value in merged.items():
                    out.setdefault(key, value)
        return out


#: Nesting the lean walk takes; deeper documents go through the full walk.
_LEAN_DEPTH = 100


class _NotLean(Exception):
    """The lean walk met something the full walk must handle (and report)."""


def _lean_build(root: Node) -> tuple[Any, int]:
    """``(data, node count after alias expansion)`` of a document with nothing to report: core
    tags only, plain scalar keys, no merge key, no duplicate key.  Anything else raises
    :class:`_NotLean`, and so does nesting deeper than :data:`_LEAN_DEPTH` (the full walk decides
    what is too deep).  Aliased collections are built once and shared, as the full walk does; a
    recursive alias ends in :class:`_NotLean` too."""
    memo: dict[int, tuple[Any, int]] = {}
    text_tags = _TEXT_TAGS
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
            return _scalars.construct_yaml_int(node)
        if tag == real:
            return _scalars.construct_yaml_float(node)
        raise _NotLean

    def build(node: Node, depth: int) -> tuple[Any, int]:
        shared = memo.get(id(node))
        if shared is not None:
            return shared
        if depth > _LEAN_DEPTH:
            raise _NotLean
        depth += 1
        size = 1
        kind = type(node)
        if kind is MappingNode:
            if node.tag != _MAP:
                raise _NotLean
            value: Any = {}
            for key_node, value_node in node.value:
                if type(key_node) is not ScalarNode or key_node.tag == _MERGE:
                    raise _NotLean
                key = str(key_node.value)
                if key in value:
                    raise _NotLean
                if type(value_node) is ScalarNode:
                    value[key] = scalar(value_node)
                    size += 2
                else:
                    value[key], count = build(value_node, depth)
                    size += count + 1
        elif kind is SequenceNode:
            if node.tag != _SEQ:
                raise _NotLean
            value = []
            for item in node.value:
                if type(item) is ScalarNode:
                    value.append(scalar(item))
                    size += 1
                else:
                    built, count = build(item, depth)
                    value.append(built)
                    size += count
        elif type(node) is ScalarNode:
            return scalar(node), 1
        else:  # pragma: no cover - the composer makes no other node kinds
            raise _NotLean
        memo[id(node)] = found = (value, size)
        return found

    return build(root, 0)


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
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _load(text, file, max_nodes)
    finally:
        if paused:
            gc.enable()


def _load(text: str, file: str, max_nodes: int) -> LoadedYaml:
    loaded = LoadedYaml(file)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        loaded.diagnostics.append(Diagnostic(file, line, column, "$", problem, "yaml:syntax"))
        return loaded
    except yaml.YAMLError as exc:
        loaded.diagnostics.append(
            Diagnostic(file, 1, 1, "$", f"invalid YAML: {exc}", "yaml:syntax")
        )
        return loaded
    if root is None:
        loaded.diagnostics.append(
            Diagnostic(file, 1, 1, "$", "the document is empty; expected a mapping", "yaml:empty")
        )
        return loaded
    try:
        data, size = _lean_build(root)
    except _NotLean:
        pass
    else:
        if size <= max_nodes:
            loaded.data = data
            loaded.source = text
            return loaded
    loaded._positions = {}
    try:
        _expanded_size(root, max_nodes)
        loaded.data = _Builder(loaded).build(root, ())
    except _Refused as exc:
        line, column = _mark(exc.node)
        loaded.diagnostics.append(Diagnostic(file, line, column, "$", exc.message, "yaml:size"))
        loaded.data = None
    except RecursionError:
        loaded.diagnostics.append(
            Diagnostic(file, 1, 1, "$", "the document is nested too deeply", "yaml:size")
        )
        loaded.data = None
    return loaded
