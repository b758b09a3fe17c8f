"""The trace of one rule case and the expectations evaluated over it.

A trace is the ordered list of what the harness saw: ``(seq, task, kind, name, payload, ref)``
where ``kind`` is ``call`` (the harness called), ``returned`` / ``raised`` (the call ended),
``callback`` (``success``/``fail``/``complete`` of a call ran) or ``event`` (a listener ran);
``ref`` is the call's alias or the listener's id, which is what selectors name:

* ``ALIAS.success|fail|complete|result|returned|raised|call``: entries of a call
  (``result`` is ``success`` or ``fail``);
* anything else is a listener id: ``t1.onOpen``, ``uni.onSocketClose``, ``t1.onMessage#2``.

Both parts take shell-style globs (``t1.on*``, ``send#*.fail``).

Each expectation is small and says what is wrong locally; :func:`evaluate` adds which one it was
(``expect[3] order``), the habit of ``jsonschema``'s keywords and ``descend``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import jsonschema

from conformance.channel import encode_value
from conformance.values import describe, match

__all__ = [
    "CALL_PARTS",
    "Selector",
    "Trace",
    "TraceEntry",
    "evaluate",
    "parse_selector",
]

CALL_PARTS: Final = frozenset(
    {"success", "fail", "complete", "result", "returned", "raised", "call"}
)
_CALLBACKS: Final = frozenset({"success", "fail", "complete"})

SchemaFor = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True)
class TraceEntry:
    seq: int
    task: str
    kind: str
    name: str
    payload: object
    ref: str

    def label(self) -> str:
        if self.kind == "event":
            return self.ref
        if self.kind == "call":
            return f"{self.ref}.call ({self.task}.{self.name})"
        return f"{self.ref}.{self.name if self.kind == 'callback' else self.kind}"

    def as_list(self) -> list[object]:
        return [self.seq, self.task, self.kind, self.name, self.payload, self.ref]


@dataclass(frozen=True)
class Selector:
    text: str
    alias: str | None  # call selectors: glob on the call alias
    part: str | None  # call selectors: which part
    listener: str | None  # listener selectors: glob on the listener id

    def matches(self, entry: TraceEntry) -> bool:
        if self.listener is not None:
            return entry.kind == "event" and fnmatch.fnmatchcase(entry.ref, self.listener)
        assert self.alias is not None
        if entry.kind == "event" or not fnmatch.fnmatchcase(entry.ref, self.alias):
            return False
        part = self.part
        if part == "result":
            return entry.kind == "callback" and entry.name in ("success", "fail")
        if part in _CALLBACKS:
            return entry.kind == "callback" and entry.name == part
        return entry.kind == part


def parse_selector(text: str) -> Selector:
    head, dot, tail = text.rpartition(".")
    if dot and tail in CALL_PARTS:
        return Selector(text, head, tail, None)
    return Selector(text, None, None, text)


@dataclass
class Trace:
    entries: list[TraceEntry] = field(default_factory=list)

    def add(self, task: str, kind: str, name: str, payload: object, ref: str) -> TraceEntry:
        entry = TraceEntry(len(self.entries) + 1, task, kind, name, payload, ref)
        self.entries.append(entry)
        return entry

    def select(self, selector: str | Selector) -> list[TraceEntry]:
        sel = parse_selector(selector) if isinstance(selector, str) else selector
        return [e for e in self.entries if sel.matches(e)]

    def count(self, selector: str) -> int:
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


def _count_ok(spec: object, n: int) -> bool:
    if isinstance(spec, int):
        return n == spec
    if isinstance(spec, Mapping):
        low = spec.get("min", 0)
        high = spec.get("max")
        return isinstance(low, int) and n >= low and (not isinstance(high, int) or n <= high)
    return False


def _check_count(arg: Mapping[str, object], trace: Trace, **_: object) -> Iterator[str]:
    for selector, spec in arg.items():
        n = trace.count(selector)
        if not _count_ok(spec, n):
            yield f"{selector}: expected {describe(spec)} time(s), found {n}"


def _check_order(arg: Sequence[str], trace: Trace, **_: object) -> Iterator[str]:
    previous: TraceEntry | None = None
    for selector in arg:
        found = trace.select(selector)
        if not found:
            yield f"{selector}: expected, never happened"
            return
        after = [e for e in found if previous is None or e.seq > previous.seq]
        if not after:
            assert previous is not None
            yield (
                f"{selector} (#{found[0].seq}) came before {previous.label()} (#{previous.seq}); "
                f"expected the order {' < '.join(arg)}"
            )
            return
        previous = after[0]


def _check_precedes(arg: Sequence[str], trace: Trace, **_: object) -> Iterator[str]:
    first, second = arg
    a, b = trace.select(first), trace.select(second)
    if a and b and max(e.seq for e in a) > min(e.seq for e in b):
        late = max(a, key=lambda e: e.seq)
        early = min(b, key=lambda e: e.seq)
        yield f"{late.label()} (#{late.seq}) came after {early.label()} (#{early.seq})"


def _check_last(arg: Mapping[str, str], trace: Trace, **_: object) -> Iterator[str]:
    found = trace.select(arg["of"])
    if not found:
        yield f"{arg['of']}: nothing happened, expected the last to be {arg['is']}"
        return
    last = found[-1]
    if not parse_selector(arg["is"]).matches(last):
        yield f"the last of {arg['of']} is {last.label()} (#{last.seq}), expected {arg['is']}"


def _check_payload(
    arg: Mapping[str, object], trace: Trace, expand: Callable[[object], object], **_: object
) -> Iterator[str]:
    selector = str(arg["of"])
    found = trace.select(selector)
    nth = arg.get("nth")
    if isinstance(nth, int):
        if nth >= len(found):
            yield f"{selector}: expected at least {nth + 1}, found {len(found)}"
            return
        found = [found[nth]]
    if not found:
        yield f"{selector}: never happened, so its payload cannot be checked"
        return
    expected = expand(arg["match"])
    for entry in found:
        for problem in match(expected, entry.payload):
            yield f"{entry.label()} (#{entry.seq}) payload {problem}"


def _check_shape(
    arg: Mapping[str, str], trace: Trace, schema_for: SchemaFor, **_: object
) -> Iterator[str]:
    found = trace.select(arg["of"])
    if not found:
        yield f"{arg['of']}: never happened, so its shape cannot be checked"
        return
    validator = jsonschema.Draft202012Validator(schema_for(arg["type"]))
    for entry in found:
        for error in validator.iter_errors(entry.payload):
            yield (
                f"{entry.label()} (#{entry.seq}) is not a {arg['type']}: "
                f"{error.json_path}: {error.message}"
            )


def _check_values(
    arg: Mapping[str, object], trace: Trace, expand: Callable[[object], object], **_: object
) -> Iterator[str]:
    selector = str(arg["of"])
    field_name = str(arg["field"])
    actual: list[object] = []
    for e in trace.select(selector):
        actual.append(e.payload.get(field_name) if isinstance(e.payload, dict) else None)
    expected = expand(arg["equal"])
    yield from match(expected, actual, f"{selector}[*].{field_name}")


def _check_not_reentrant(arg: Sequence[str], trace: Trace, **_: object) -> Iterator[str]:
    for selector in arg:
        calls = trace.select(parse_selector(f"{selector}.call"))
        if not calls:
            yield f"{selector}: no such call"
        for call in calls:
            ended = [
                e
                for e in trace.entries
                if e.ref == call.ref and e.kind in ("returned", "raised") and e.seq > call.seq
            ]
            end = ended[0].seq if ended else None
            for e in trace.entries:
                if e.ref == call.ref and e.kind == "callback" and (end is None or e.seq < end):
                    yield (
                        f"{e.label()} (#{e.seq}) ran inside the call {call.ref} "
                        f"(before it returned{f' at #{end}' if end else ''})"
                    )


def _check_peer(
    arg: Mapping[str, object],
    peer: Sequence[Mapping[str, object]],
    expand: Callable[[object], object],
    **_: object,
) -> Iterator[str]:
    if "connections" in arg and not _count_ok(arg["connections"], len(peer)):
        yield f"peer: expected {describe(arg['connections'])} connection(s), found {len(peer)}"
    checks = set(arg) - {"connection", "connections", "mode", "opcodes", "query"}
    if not checks:
        return
    index = arg.get("connection", 0)
    assert isinstance(index, int)
    query = arg.get("query")
    if isinstance(query, Mapping):
        wanted = [c for c in peer if not match(dict(query), c["query"])]
        if not wanted:
            yield f"peer: no connection with query {describe(query)}"
            return
        conn = wanted[0]
        where = f"peer connection {conn['index']} ({describe(query)})"
    elif index >= len(peer):
        yield f"peer connection {index}: never made ({len(peer)} connection(s))"
        return
    else:
        conn = peer[index]
        where = f"peer connection {index}"
    frames = conn["frames"]
    assert isinstance(frames, list)
    opcodes = arg.get("opcodes", ["text", "binary", "close"])
    assert isinstance(opcodes, list)
    picked = [f for f in frames if f["opcode"] in opcodes]
    if "frames" in arg:
        expected = expand(arg["frames"])
        assert isinstance(expected, list)
        mode = arg.get("mode", "exact")
        if mode == "prefix":
            picked = picked[: len(expected)]
        if mode == "contains":
            for i, want in enumerate(expected):
                if not any(not match(want, f) for f in picked):
                    yield f"{where}: no frame matches frames[{i}] {describe(want)}"
        else:
            for problem in match(expected, picked, "frames"):
                yield f"{where}: {problem}"
    if arg.get("all_masked"):
        unmasked = [i for i, f in enumerate(frames) if not f["masked"]]
        if unmasked:
            yield f"{where}: client frames {unmasked} were not masked (RFC 6455 §5.1)"
    problems = conn["problems"]
    if arg.get("no_problems") and isinstance(problems, list) and problems:
        yield f"{where}: {'; '.join(str(p) for p in problems)}"
    if "data_after_close" in arg and conn["data_after_close"] != arg["data_after_close"]:
        yield (
            f"{where}: {conn['data_after_close']} data frame(s) after the client's Close, "
            f"expected {arg['data_after_close']}"
        )
    if "request_headers" in arg:
        for problem in match(expand(arg["request_headers"]), conn["request_headers"]):
            yield f"{where}: request headers {problem}"
    if "offered_protocols" in arg:
        for problem in match(arg["offered_protocols"], conn["offered_protocols"]):
            yield f"{where}: offered protocols {problem}"
    if "status" in arg:
        for problem in match(expand(arg["status"]), conn["status"], "status"):
            yield f"{where}: {problem}"
    if "close" in arg:
        closes = [f for f in frames if f["opcode"] == "close"]
        want = expand(arg["close"])
        if want == "absent":
            if closes:
                yield f"{where}: the client sent a Close frame {describe(closes[0])}, expected none"
        elif not closes:
            yield f"{where}: the client sent no Close frame"
        else:
            for problem in match(want, closes[0], "close"):
                yield f"{where}: {problem}"


_CHECKS: Final[dict[str, Callable[..., Iterator[str]]]] = {
    "count": _check_count,
    "order": _check_order,
    "precedes": _check_precedes,
    "last": _check_last,
    "payload": _check_payload,
    "shape": _check_shape,
    "values": _check_values,
    "not_reentrant": _check_not_reentrant,
    "peer": _check_peer,
}

EXPECTATION_KINDS: Final = frozenset(_CHECKS)


def expectation_kind(expectation: Mapping[str, object]) -> str:
    kinds = [k for k in expectation if k in _CHECKS]
    return kinds[0] if kinds else "?"


def evaluate(
    expectations: Sequence[Mapping[str, object]],
    trace: Trace,
    peer: Sequence[Mapping[str, object]],
    *,
    expand: Callable[[object], object],
    schema_for: SchemaFor,
) -> list[str]:
    """Every failure, each prefixed with which expectation found it."""
    wire_peer = [encode_value(c) for c in peer]
    failures: list[str] = []
    for i, expectation in enumerate(expectations):
        kind = expectation_kind(expectation)
        check = _CHECKS.get(kind)
        if check is None:
            failures.append(f"expect[{i}]: unknown expectation {sorted(expectation)}")
            continue
        why = expectation.get("why")
        suffix = f" ({why})" if why else ""
        try:
            problems = list(
                check(
                    expectation[kind],
                    trace=trace,
                    peer=wire_peer,
                    expand=expand,
                    schema_for=schema_for,
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            problems = [f"cannot evaluate: {exc}"]
        failures += [f"expect[{i}] {kind}: {p}{suffix}" for p in problems]
    return failures
