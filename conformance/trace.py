"""The trace of one rule case and the expectations evaluated over it.

A trace is the ordered list of what the harness saw: ``(seq, task, kind, name, payload, ref)``
where ``kind`` is ``call`` (the harness called), ``returned`` / ``raised`` (the call ended),
``callback`` (``success``/``fail``/``complete`` of a call ran) or ``event`` (a listener ran);
``ref`` is the call's alias or the listener's id, which is what selectors name:

* ``ALIAS.success|fail|complete|result|returned|raised|call``: entries of a call
  (``result`` is ``success`` or ``fail``);
* anything else is a listener id: ``t1.onOpen``, ``uni.onSocketClose``, ``t1.onMessage#2``.

Both parts take shell-style globs (``t1.on*``, ``send#*.fail``).

The expectations arrive typed (:mod:`generator.spec.expectations`, parsed and checked when the
spec was loaded).  Each check is small and says what is wrong locally; :func:`evaluate` adds which
one it was (``expect[3] order``), the habit of ``jsonschema``'s keywords and ``descend``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from conformance.channel import encode_value
from conformance.values import describe, match
from generator import report
from generator.spec.expectations import (
    UNSET,
    Count,
    Expectation,
    Last,
    NotReentrant,
    Order,
    Payload,
    PeerCheck,
    Precedes,
    Selector,
    Shape,
    Values,
)
from generator.spec.rules import CALLBACK_NAMES

__all__ = ["Trace", "TraceEntry", "evaluate", "selects"]

SchemaFor = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True)
class TraceEntry(report.TraceEntry):
    """An entry of the report model's form, as the engine records it and selectors name it."""

    def label(self) -> str:
        if self.kind == "event":
            return self.ref
        if self.kind == "call":
            return f"{self.ref}.call ({self.task}.{self.name})"
        return f"{self.ref}.{self.name if self.kind == 'callback' else self.kind}"

    def as_list(self) -> list[object]:
        return [self.seq, self.task, self.kind, self.name, self.payload, self.ref]


def selects(sel: Selector, entry: TraceEntry) -> bool:
    """Whether ``entry`` is one of the entries ``sel`` names."""
    if sel.listener is not None:
        return entry.kind == "event" and fnmatch.fnmatchcase(entry.ref, sel.listener)
    assert sel.alias is not None
    if entry.kind == "event" or not fnmatch.fnmatchcase(entry.ref, sel.alias):
        return False
    part = sel.part
    if part == "result":
        return entry.kind == "callback" and entry.name in ("success", "fail")
    if part in CALLBACK_NAMES:
        return entry.kind == "callback" and entry.name == part
    return entry.kind == part


@dataclass
class Trace:
    entries: list[TraceEntry] = field(default_factory=list)

    def add(self, task: str, kind: str, name: str, payload: object, ref: str) -> TraceEntry:
        entry = TraceEntry(len(self.entries) + 1, task, kind, name, payload, ref)
        self.entries.append(entry)
        return entry

    def select(self, selector: str | Selector) -> list[TraceEntry]:
        sel = Selector.parse(selector) if isinstance(selector, str) else selector
        return [e for e in self.entries if selects(sel, e)]

    def count(self, selector: str | Selector) -> int:
        return len(self.select(selector))

    def __iter__(self) -> Iterator[TraceEntry]:
        return iter(self.entries)

    def render(self, limit: int = 200) -> list[str]:
        lines = [f"{e.seq:3} {e.label():32} {describe(e.payload, 60)}" for e in self.entries]
        if len(lines) > limit:
            lines = [*lines[: limit // 2], f"… {len(lines) - limit} more …", *lines[-limit // 2 :]]
        return lines


# ----------------------------------------------------------------------------------------------
# Expectations

Expand = Callable[[object], object]


@dataclass(frozen=True)
class _Context:
    trace: Trace
    peer: Sequence[Mapping[str, object]]
    expand: Expand
    schema_for: SchemaFor


def _check_count(e: Count, ctx: _Context) -> Iterator[str]:
    for selector, spec in e.counts:
        n = ctx.trace.count(selector)
        if not spec.holds(n):
            yield f"{selector.text}: expected {describe(spec.raw)} time(s), found {n}"


def _check_order(e: Order, ctx: _Context) -> Iterator[str]:
    previous: TraceEntry | None = None
    for selector in e.selectors:
        found = ctx.trace.select(selector)
        if not found:
            yield f"{selector.text}: expected, never happened"
            return
        after = [x for x in found if previous is None or x.seq > previous.seq]
        if not after:
            assert previous is not None
            order = " < ".join(s.text for s in e.selectors)
            yield (
                f"{selector.text} (#{found[0].seq}) came before {previous.label()} "
                f"(#{previous.seq}); expected the order {order}"
            )
            return
        previous = after[0]


def _check_precedes(e: Precedes, ctx: _Context) -> Iterator[str]:
    a, b = ctx.trace.select(e.first), ctx.trace.select(e.second)
    if a and b and max(x.seq for x in a) > min(x.seq for x in b):
        late = max(a, key=lambda x: x.seq)
        early = min(b, key=lambda x: x.seq)
        yield f"{late.label()} (#{late.seq}) came after {early.label()} (#{early.seq})"


def _check_last(e: Last, ctx: _Context) -> Iterator[str]:
    found = ctx.trace.select(e.of)
    if not found:
        yield f"{e.of.text}: nothing happened, expected the last to be {e.is_.text}"
        return
    last = found[-1]
    if not selects(e.is_, last):
        yield f"the last of {e.of.text} is {last.label()} (#{last.seq}), expected {e.is_.text}"


def _check_payload(e: Payload, ctx: _Context) -> Iterator[str]:
    found = ctx.trace.select(e.of)
    if e.nth is not None:
        if e.nth >= len(found):
            yield f"{e.of.text}: expected at least {e.nth + 1}, found {len(found)}"
            return
        found = [found[e.nth]]
    if not found:
        yield f"{e.of.text}: never happened, so its payload cannot be checked"
        return
    expected = ctx.expand(e.match)
    for entry in found:
        for problem in match(expected, entry.payload):
            yield f"{entry.label()} (#{entry.seq}) payload {problem}"


def _check_shape(e: Shape, ctx: _Context) -> Iterator[str]:
    found = ctx.trace.select(e.of)
    if not found:
        yield f"{e.of.text}: never happened, so its shape cannot be checked"
        return
    validator = jsonschema.Draft202012Validator(ctx.schema_for(e.type))
    for entry in found:
        for error in validator.iter_errors(entry.payload):
            yield (
                f"{entry.label()} (#{entry.seq}) is not a {e.type}: "
                f"{error.json_path}: {error.message}"
            )


def _check_values(e: Values, ctx: _Context) -> Iterator[str]:
    actual: list[object] = []
    for x in ctx.trace.select(e.of):
        actual.append(x.payload.get(e.field) if isinstance(x.payload, dict) else None)
    yield from match(ctx.expand(e.equal), actual, f"{e.of.text}[*].{e.field}")


def _check_not_reentrant(e: NotReentrant, ctx: _Context) -> Iterator[str]:
    entries = ctx.trace.entries
    for selector in e.calls:
        calls = ctx.trace.select(selector)
        if not calls:
            yield f"{selector.alias}: no such call"
        for call in calls:
            ended = [
                x
                for x in entries
                if x.ref == call.ref and x.kind in ("returned", "raised") and x.seq > call.seq
            ]
            end = ended[0].seq if ended else None
            for x in entries:
                if x.ref == call.ref and x.kind == "callback" and (end is None or x.seq < end):
                    yield (
                        f"{x.label()} (#{x.seq}) ran inside the call {call.ref} "
                        f"(before it returned{f' at #{end}' if end else ''})"
                    )


def _peer_connection(
    e: PeerCheck, peer: Sequence[Mapping[str, object]]
) -> tuple[Mapping[str, object] | None, str]:
    """The connection a peer check looks at and how to name it, or None and why not."""
    if e.query is not None:
        wanted = [c for c in peer if not match(dict(e.query), c["query"])]
        if not wanted:
            return None, f"peer: no connection with query {describe(e.query)}"
        conn = wanted[0]
        return conn, f"peer connection {conn['index']} ({describe(e.query)})"
    if e.connection >= len(peer):
        return None, f"peer connection {e.connection}: never made ({len(peer)} connection(s))"
    return peer[e.connection], f"peer connection {e.connection}"


def _check_frames(e: PeerCheck, frames: list[Any], where: str, ctx: _Context) -> Iterator[str]:
    picked = [f for f in frames if f["opcode"] in e.opcodes]
    expected = ctx.expand(e.frames)
    assert isinstance(expected, list)
    if e.mode == "prefix":
        picked = picked[: len(expected)]
    if e.mode == "contains":
        for i, want in enumerate(expected):
            if not any(not match(want, f) for f in picked):
                yield f"{where}: no frame matches frames[{i}] {describe(want)}"
    else:
        for problem in match(expected, picked, "frames"):
            yield f"{where}: {problem}"


def _check_close(want: object, frames: list[Any], where: str) -> Iterator[str]:
    closes = [f for f in frames if f["opcode"] == "close"]
    if want == "absent":
        if closes:
            yield f"{where}: the client sent a Close frame {describe(closes[0])}, expected none"
    elif not closes:
        yield f"{where}: the client sent no Close frame"
    else:
        for problem in match(want, closes[0], "close"):
            yield f"{where}: {problem}"


def _check_peer(e: PeerCheck, ctx: _Context) -> Iterator[str]:
    peer = ctx.peer
    if e.connections is not None and not e.connections.holds(len(peer)):
        yield f"peer: expected {describe(e.connections.raw)} connection(s), found {len(peer)}"
    if not e.checks_a_connection:
        return
    conn, where = _peer_connection(e, peer)
    if conn is None:
        yield where
        return
    frames = conn["frames"]
    assert isinstance(frames, list)
    if e.frames is not UNSET:
        yield from _check_frames(e, frames, where, ctx)
    if e.all_masked:
        unmasked = [i for i, f in enumerate(frames) if not f["masked"]]
        if unmasked:
            yield f"{where}: client frames {unmasked} were not masked (RFC 6455 §5.1)"
    problems = conn["problems"]
    if e.no_problems and isinstance(problems, list) and problems:
        yield f"{where}: {'; '.join(str(p) for p in problems)}"
    if e.data_after_close is not None and conn["data_after_close"] != e.data_after_close:
        yield (
            f"{where}: {conn['data_after_close']} data frame(s) after the client's Close, "
            f"expected {e.data_after_close}"
        )
    if e.request_headers is not UNSET:
        for problem in match(ctx.expand(e.request_headers), conn["request_headers"]):
            yield f"{where}: request headers {problem}"
    if e.offered_protocols is not UNSET:
        for problem in match(e.offered_protocols, conn["offered_protocols"]):
            yield f"{where}: offered protocols {problem}"
    if e.status is not UNSET:
        for problem in match(ctx.expand(e.status), conn["status"], "status"):
            yield f"{where}: {problem}"
    if e.close is not UNSET:
        yield from _check_close(ctx.expand(e.close), frames, where)


def _problems(e: Expectation, ctx: _Context) -> Iterator[str]:
    match e:
        case Count():
            return _check_count(e, ctx)
        case Order():
            return _check_order(e, ctx)
        case Precedes():
            return _check_precedes(e, ctx)
        case Last():
            return _check_last(e, ctx)
        case Payload():
            return _check_payload(e, ctx)
        case Shape():
            return _check_shape(e, ctx)
        case Values():
            return _check_values(e, ctx)
        case NotReentrant():
            return _check_not_reentrant(e, ctx)
        case PeerCheck():
            return _check_peer(e, ctx)


def evaluate(
    expectations: Sequence[Expectation],
    trace: Trace,
    peer: Sequence[Mapping[str, object]],
    *,
    expand: Expand,
    schema_for: SchemaFor,
) -> list[str]:
    """Every failure, each prefixed with which expectation found it."""
    wire_peer: list[Any] = [encode_value(c) for c in peer]
    ctx = _Context(trace, wire_peer, expand, schema_for)
    failures: list[str] = []
    for expectation in expectations:
        suffix = f" ({expectation.why})" if expectation.why else ""
        try:
            problems = list(_problems(expectation, ctx))
        except (ValueError, KeyError, TypeError) as exc:
            problems = [f"cannot evaluate: {exc}"]
        label = f"expect[{expectation.index}] {expectation.kind}"
        failures += [f"{label}: {p}{suffix}" for p in problems]
    return failures
