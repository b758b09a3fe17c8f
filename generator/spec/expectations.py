"""Expectations of the rule DSL as typed data, and the selectors they name.

An expectation is an assertion over the trace of one case (``count``, ``order``, ``precedes``,
``last``, ``payload``, ``shape``, ``values``, ``not_reentrant``) or over the peer's records
(``peer``).  Selectors name trace entries: ``ALIAS.success|fail|complete|result|returned|raised|
call`` for the entries of a call, anything else for a listener id (``t1.onOpen``,
``uni.onSocketClose``, ``t1.onMessage#2``); both parts take shell-style globs.  Profiles reuse
:func:`parse_expectations` for their allowances' ``instead``.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from generator.spec._yaml import LoadedYaml, PathKey

__all__ = [
    "CALL_PARTS",
    "UNSET",
    "Count",
    "CountSpec",
    "Expectation",
    "Last",
    "NotReentrant",
    "Order",
    "Payload",
    "PeerCheck",
    "Precedes",
    "RuleNames",
    "Selector",
    "Shape",
    "Values",
    "check_selector",
    "nearest",
    "parse_expectations",
]

CALL_PARTS: Final = frozenset(
    {"success", "fail", "complete", "result", "returned", "raised", "call"}
)
#: Stands for "not given" in a :class:`PeerCheck` field whose value may itself be null.
UNSET: Final[Any] = type("Unset", (), {"__repr__": lambda self: "<unset>"})()


# ----------------------------------------------------------------------------------------------
# Selectors


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed selector: a call's part (``alias`` and ``part``) or a listener id glob."""

    text: str
    alias: str | None
    part: str | None
    listener: str | None

    @classmethod
    def parse(cls, text: str) -> Selector:
        head, dot, tail = text.rpartition(".")
        if dot and tail in CALL_PARTS:
            return cls(text, head, tail, None)
        return cls(text, None, None, text)


# ----------------------------------------------------------------------------------------------
# Expectations


@dataclass(frozen=True, slots=True)
class CountSpec:
    """``3`` (exactly) or ``{min: 1, max: 2}``; ``raw`` is the value as written."""

    low: int
    high: int | None
    raw: object

    def holds(self, n: int) -> bool:
        return n >= self.low and (self.high is None or n <= self.high)

    @classmethod
    def parse(cls, value: object) -> CountSpec:
        if isinstance(value, int):
            return cls(value, value, value)
        assert isinstance(value, Mapping)
        return cls(int(value.get("min", 0)), value.get("max"), dict(value))


@dataclass(frozen=True, kw_only=True)
class _Expectation:
    kind: ClassVar[str]
    why: str | None = None
    #: The source sentence this expectation enforces (rules.schema.json ``source``), if named.
    source: str | None = None
    index: int = 0


@dataclass(frozen=True, kw_only=True)
class Count(_Expectation):
    kind: ClassVar[str] = "count"
    counts: tuple[tuple[Selector, CountSpec], ...]


@dataclass(frozen=True, kw_only=True)
class Order(_Expectation):
    kind: ClassVar[str] = "order"
    selectors: tuple[Selector, ...]


@dataclass(frozen=True, kw_only=True)
class Precedes(_Expectation):
    kind: ClassVar[str] = "precedes"
    first: Selector
    second: Selector


@dataclass(frozen=True, kw_only=True)
class Last(_Expectation):
    kind: ClassVar[str] = "last"
    of: Selector
    is_: Selector


@dataclass(frozen=True, kw_only=True)
class Payload(_Expectation):
    kind: ClassVar[str] = "payload"
    of: Selector
    nth: int | None
    match: object


@dataclass(frozen=True, kw_only=True)
class Shape(_Expectation):
    kind: ClassVar[str] = "shape"
    of: Selector
    type: str


@dataclass(frozen=True, kw_only=True)
class Values(_Expectation):
    kind: ClassVar[str] = "values"
    of: Selector
    field: str
    equal: object


@dataclass(frozen=True, kw_only=True)
class NotReentrant(_Expectation):
    kind: ClassVar[str] = "not_reentrant"
    calls: tuple[Selector, ...]  # ``ALIAS.call`` selectors


@dataclass(frozen=True, kw_only=True)
class PeerCheck(_Expectation):
    """Assertions over the peer's records of the connections (``UNSET`` where not given)."""

    kind: ClassVar[str] = "peer"
    connection: int = 0
    query: Mapping[str, object] | None = None
    connections: CountSpec | None = None
    frames: object = UNSET
    mode: str = "exact"
    opcodes: tuple[str, ...] = ("text", "binary", "close")
    request_headers: object = UNSET
    offered_protocols: object = UNSET
    all_masked: bool = False
    no_problems: bool = False
    data_after_close: int | None = None
    close: object = UNSET
    status: object = UNSET

    @property
    def checks_a_connection(self) -> bool:
        """Whether anything beyond the connection count is asserted."""
        return any(
            (
                self.frames is not UNSET,
                self.request_headers is not UNSET,
                self.offered_protocols is not UNSET,
                self.all_masked,
                self.no_problems,
                self.data_after_close is not None,
                self.close is not UNSET,
                self.status is not UNSET,
            )
        )


Expectation = Count | Order | Precedes | Last | Payload | Shape | Values | NotReentrant | PeerCheck


@dataclass
class RuleNames:
    """What a rule's steps define: call aliases and listener ids (``#*``: one per repeat pass)."""

    aliases: set[str] = field(default_factory=set)
    listeners: set[str] = field(default_factory=set)
    tasks: set[str] = field(default_factory=set)

    def knows(self, selector: Selector) -> bool:
        """Whether the steps define something ``selector`` names (a repeat's ``#*`` names stand
        for their first pass, ``#0``)."""
        if selector.alias is not None:
            pattern, names = selector.alias, self.aliases
        else:
            pattern, names = selector.text, self.listeners
        return any(fnmatch.fnmatchcase(n.replace("#*", "#0"), pattern) for n in names)


def nearest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def check_selector(doc: LoadedYaml, names: RuleNames, selector: Selector, path: PathKey) -> None:
    if names.knows(selector):
        return
    if selector.alias is not None:
        what, near = "call", nearest(selector.alias, names.aliases)
    else:
        what, near = "listener", nearest(selector.text, names.listeners)
    doc.error(
        path, f"selector {selector.text!r} names no {what} of this rule{near}", "rules:selector"
    )


def _expectation(data: Mapping[str, Any], index: int) -> Expectation | None:
    """The typed form of one schema-valid expectation (None for an unknown kind)."""
    why = data.get("why")
    common: dict[str, Any] = {"why": why, "source": data.get("source"), "index": index}
    if "count" in data:
        counts = tuple((Selector.parse(s), CountSpec.parse(c)) for s, c in data["count"].items())
        return Count(counts=counts, **common)
    if "order" in data:
        return Order(selectors=tuple(Selector.parse(s) for s in data["order"]), **common)
    if "precedes" in data:
        first, second = data["precedes"]
        return Precedes(first=Selector.parse(first), second=Selector.parse(second), **common)
    if "last" in data:
        arg = data["last"]
        return Last(of=Selector.parse(arg["of"]), is_=Selector.parse(arg["is"]), **common)
    if "payload" in data:
        arg = data["payload"]
        return Payload(
            of=Selector.parse(arg["of"]), nth=arg.get("nth"), match=arg["match"], **common
        )
    if "shape" in data:
        arg = data["shape"]
        return Shape(of=Selector.parse(arg["of"]), type=arg["type"], **common)
    if "values" in data:
        arg = data["values"]
        return Values(
            of=Selector.parse(arg["of"]), field=str(arg["field"]), equal=arg["equal"], **common
        )
    if "not_reentrant" in data:
        calls = tuple(Selector.parse(f"{s}.call") for s in data["not_reentrant"])
        return NotReentrant(calls=calls, **common)
    if "peer" in data:
        arg = data["peer"]
        connections = arg.get("connections")
        return PeerCheck(
            connection=int(arg.get("connection", 0)),
            query=arg.get("query"),
            connections=None if connections is None else CountSpec.parse(connections),
            frames=arg.get("frames", UNSET),
            mode=arg.get("mode", "exact"),
            opcodes=tuple(arg.get("opcodes", ("text", "binary", "close"))),
            request_headers=arg.get("request_headers", UNSET),
            offered_protocols=arg.get("offered_protocols", UNSET),
            all_masked=bool(arg.get("all_masked", False)),
            no_problems=bool(arg.get("no_problems", False)),
            data_after_close=arg.get("data_after_close"),
            close=arg.get("close", UNSET),
            status=arg.get("status", UNSET),
            **common,
        )
    return None


def _selectors_of(expectation: Expectation, path: PathKey) -> Iterator[tuple[PathKey, Selector]]:
    """Every selector an expectation names, with its path in the document."""
    match expectation:
        case Count(counts=counts):
            for sel, _spec in counts:
                yield (*path, "count", sel.text), sel
        case Order(selectors=selectors):
            for j, sel in enumerate(selectors):
                yield (*path, "order", j), sel
        case Precedes(first=first, second=second):
            yield (*path, "precedes", 0), first
            yield (*path, "precedes", 1), second
        case Last(of=of, is_=is_):
            yield (*path, "last", "of"), of
            yield (*path, "last", "is"), is_
        case NotReentrant(calls=calls):
            for j, sel in enumerate(calls):
                yield (*path, "not_reentrant", j), sel
        case Payload(of=of) | Shape(of=of) | Values(of=of):
            yield (*path, expectation.kind, "of"), of
        case PeerCheck():
            return


def parse_expectations(
    doc: LoadedYaml,
    items: Sequence[Mapping[str, Any]],
    path: PathKey,
    names: RuleNames | None,
    types: Iterable[str] | None,
) -> tuple[Expectation, ...]:
    """Typed expectations; selectors are checked against ``names`` and result types against
    ``types`` (when given), every problem reported at its path."""
    known_types = set(types) if types is not None else None
    out: list[Expectation] = []
    for e, data in enumerate(items):
        expectation = _expectation(data, e)
        if expectation is None:
            doc.error((*path, e), f"unknown expectation {sorted(data)}", "rules:expect")
            continue
        out.append(expectation)
        if names is not None:
            for where, sel in _selectors_of(expectation, (*path, e)):
                check_selector(doc, names, sel, where)
        if (
            isinstance(expectation, Shape)
            and known_types is not None
            and expectation.type not in known_types
        ):
            doc.error(
                (*path, e, "shape", "type"),
                f"unknown type {expectation.type!r}{nearest(expectation.type, known_types)}",
                "semantic:type-ref",
            )
    return tuple(out)
