"""Behaviour rules as typed data: the rule DSL of ``spec/rules/*.yaml``, parsed once.

A schema-valid rules document becomes a :class:`RuleSet` of :class:`Rule` objects whose steps and
expectations are small frozen dataclasses.  Everything a reader of the DSL needs is resolved here,
at load time: default call aliases (``c<i>``), listener ids with their ``#2``, ``#3`` suffixes,
selectors parsed and checked against the names the steps define, the APIs and result types named,
the parameters every case provides.  The conformance engine executes the typed steps, its checks
walk the typed expectations, and nothing re-reads the raw mappings.

A rule's ``steps`` speak the driver protocol's vocabulary (``docs/driver-protocol.md``)::

    {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}   # uni.connectSocket
    {call: t1.send, args: {data: "x"}, callbacks: [fail], as: send}      # SocketTask.send
    {listen: [t1.onOpen, t1.onMessage]}       # listener ids t1.onOpen, t1.onMessage (#2, ...)
    {wait: t1.onOpen, count: 1, timeout: 5}   # until the trace holds it (timeout in units)
    {wait_peer: {frame: close}}               # until the peer recorded it
    {peer: release}                           # let /slow handshakes and /stall readers go on
    {repeat: {times: 10, until: "s#*.fail", steps: [...]}}   # aliases get #0, #1, ...; ${i}

Selectors name trace entries: ``ALIAS.success|fail|complete|result|returned|raised|call`` for the
entries of a call, anything else for a listener id (``t1.onOpen``, ``uni.onSocketClose``,
``t1.onMessage#2``); both parts take shell-style globs.  Each check below is small and reports
through :meth:`LoadedYaml.error`; the walkers supply the path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from generator.spec._yaml import LoadedYaml, PathKey
from generator.spec.bundled import bundled_spec_dir
from generator.spec.expectations import (
    CALL_PARTS,
    Expectation,
    RuleNames,
    Selector,
    check_selector,
    nearest,
    parse_expectations,
)
from generator.spec.model import Text

__all__ = [
    "BUILTIN_PARAMS",
    "CALLBACK_NAMES",
    "CAPABILITIES",
    "LISTENER_METHODS",
    "TASK_METHODS",
    "UNI_METHODS",
    "CallStep",
    "Case",
    "ListenStep",
    "Listener",
    "PeerCondition",
    "ReleasePeerStep",
    "RepeatStep",
    "Rule",
    "RuleSet",
    "Step",
    "WaitPeerStep",
    "WaitStep",
    "driver_protocol_schema",
    "parse_rules",
    "protocol_names",
]


@cache
def driver_protocol_schema() -> dict[str, Any]:
    """The bundled ``driver-protocol.schema.json``, read once per process."""
    path = bundled_spec_dir() / "schema" / "driver-protocol.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def protocol_names(definition: str) -> tuple[str, ...]:
    """The names ``$defs/<definition>`` of the driver-protocol schema allows: the steps speak
    that protocol's vocabulary, so the rules and every driver share one list."""
    return tuple(driver_protocol_schema()["$defs"][definition]["enum"])


#: Every capability protocol version 1 names (docs/driver-protocol.md, "Capabilities").
CAPABILITIES: Final = protocol_names("capability")
UNI_METHODS: Final = frozenset(protocol_names("uniMethod"))
TASK_METHODS: Final = frozenset(protocol_names("taskMethod"))
LISTENER_METHODS: Final = frozenset(protocol_names("listenerMethod"))
CALLBACK_NAMES: Final = frozenset(protocol_names("callbackName"))
#: Names every case can use in ``${...}`` without declaring them.
BUILTIN_PARAMS: Final = frozenset({"peer", "url", "host", "port", "i"})
_SUBST = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


# ----------------------------------------------------------------------------------------------
# Steps


@dataclass(frozen=True, slots=True)
class CallStep:
    """Call ``method`` on ``uni`` or on a task the rule created (``target``)."""

    target: str  # "uni" or a task name
    method: str
    alias: str
    args: object
    callbacks: tuple[str, ...] | None
    assign: str | None  # connectSocket: the task name given to the returned task
    throw: bool
    timeout: float | None  # units
    label: str  # "steps[3]", "steps[2].repeat[0]"


@dataclass(frozen=True, slots=True)
class Listener:
    target: str  # "uni" or a task name
    method: str
    ref: str  # the listener id selectors name (``#n`` resolved; ``#k`` added per repeat pass)


@dataclass(frozen=True, slots=True)
class ListenStep:
    listeners: tuple[Listener, ...]
    throw: bool
    timeout: float | None
    label: str


@dataclass(frozen=True, slots=True)
class WaitStep:
    selector: Selector
    count: int
    timeout: float | None
    label: str


@dataclass(frozen=True, slots=True)
class PeerCondition:
    connections: int | None
    connection: int
    frame: str | None
    count: int
    closed: bool
    text: str  # as written, for messages


@dataclass(frozen=True, slots=True)
class WaitPeerStep:
    condition: PeerCondition
    timeout: float | None
    label: str


@dataclass(frozen=True, slots=True)
class ReleasePeerStep:
    label: str


@dataclass(frozen=True, slots=True)
class RepeatStep:
    times: int
    until: Selector | None
    steps: tuple[Step, ...]
    label: str


Step = CallStep | ListenStep | WaitStep | WaitPeerStep | ReleasePeerStep | RepeatStep


# ----------------------------------------------------------------------------------------------
# Rules


@dataclass(frozen=True)
class Case:
    """One executable instance of a rule: the rule itself, or one entry of its ``cases``."""

    rule_id: str
    case_id: str | None
    params: Mapping[str, Any]
    title: Text | None = None

    @property
    def id(self) -> str:
        return self.rule_id if self.case_id is None else f"{self.rule_id}[{self.case_id}]"


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    title: Text
    text: Text
    sources: tuple[str, ...]
    apis: tuple[str, ...]
    requires: tuple[str, ...]
    peer: str
    steps: tuple[Step, ...]
    expect: tuple[Expectation, ...]
    cases: tuple[Case, ...]
    units: float | None
    file: str
    line: int
    names: RuleNames = field(repr=False, compare=False, default_factory=RuleNames)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class RuleSet:
    module: str
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def cases(self) -> Iterator[tuple[Rule, Case]]:
        for rule in self.rules:
            for case in rule.cases:
                yield rule, case

    @property
    def case_count(self) -> int:
        return sum(len(r.cases) for r in self.rules)


def _text(data: Mapping[str, str]) -> Text:
    return Text(zh=data["zh"], en=data["en"])


def _timeout(step: Mapping[str, Any]) -> float | None:
    value = step.get("timeout")
    return float(value) if value is not None else None


class _RuleParser:
    """Parses one rule's steps and expectations, reporting problems at their paths."""

    def __init__(self, doc: LoadedYaml, path: PathKey) -> None:
        self.doc = doc
        self.path = path
        self.names = RuleNames()

    # -- steps ------------------------------------------------------------------------------

    def steps(
        self, items: Sequence[Mapping[str, Any]], path: PathKey, label: str, in_repeat: bool
    ) -> tuple[Step, ...]:
        scope: set[str] = set()  # listener ids of this scope, for the #n suffixes
        out: list[Step] = []
        for i, step in enumerate(items):
            where = (*path, i)
            here = f"{label}[{i}]"
            if "call" in step:
                out.append(self.call(step, where, here, i, in_repeat))
            elif "listen" in step:
                out.append(self.listen(step, where, here, scope, in_repeat))
            elif "wait" in step:
                out.append(
                    WaitStep(
                        Selector.parse(str(step["wait"])),
                        int(step.get("count", 1)),
                        _timeout(step),
                        here,
                    )
                )
            elif "wait_peer" in step:
                cond = step["wait_peer"]
                out.append(
                    WaitPeerStep(
                        PeerCondition(
                            connections=cond.get("connections"),
                            connection=int(cond.get("connection", 0)),
                            frame=cond.get("frame"),
                            count=int(cond.get("count", 1)),
                            closed=bool(cond.get("closed", False)),
                            text=str(dict(cond)),
                        ),
                        _timeout(step),
                        here,
                    )
                )
            elif "peer" in step:
                out.append(ReleasePeerStep(here))
            else:
                rep = step["repeat"]
                body = self.steps(rep["steps"], (*where, "repeat", "steps"), f"{here}.repeat", True)
                until = Selector.parse(rep["until"]) if "until" in rep else None
                out.append(RepeatStep(int(rep["times"]), until, body, here))
        return tuple(out)

    def call(
        self, step: Mapping[str, Any], where: PathKey, label: str, i: int, in_repeat: bool
    ) -> CallStep:
        doc, names = self.doc, self.names
        target, _, method = str(step["call"]).rpartition(".")
        known = TASK_METHODS if target else UNI_METHODS
        if method not in known:
            doc.error(
                (*where, "call"),
                f"unknown method {method!r} on {target or 'uni'}{nearest(method, known)}",
                "rules:method",
            )
        if target and target not in names.tasks:
            doc.error(
                (*where, "call"),
                f"task {target!r} is not created by an earlier connectSocket step",
                "rules:task",
            )
        assign = step.get("task")
        if assign is not None:
            if method != "connectSocket":
                doc.error((*where, "task"), "only connectSocket takes 'task'", "rules:task")
            names.tasks.add(str(assign))
        alias = str(step.get("as", f"c{i}"))
        if alias in names.aliases and not in_repeat:
            doc.error((*where, "as"), f"call alias {alias!r} is used twice", "rules:alias")
        names.aliases.add(alias + ("#*" if in_repeat else ""))
        callbacks = step.get("callbacks")
        return CallStep(
            target=target or "uni",
            method=method,
            alias=alias,
            args=step.get("args"),
            callbacks=tuple(callbacks) if callbacks is not None else None,
            assign=None if assign is None else str(assign),
            throw=bool(step.get("throw", False)),
            timeout=_timeout(step),
            label=label,
        )

    def listen(
        self,
        step: Mapping[str, Any],
        where: PathKey,
        label: str,
        scope: set[str],
        in_repeat: bool,
    ) -> ListenStep:
        doc, names = self.doc, self.names
        items = step["listen"] if isinstance(step["listen"], list) else [step["listen"]]
        if "as" in step and len(items) != 1:
            doc.error((*where, "as"), "'as' names one listener; listen to one", "rules:alias")
        listeners: list[Listener] = []
        for item in items:
            target, _, method = str(item).rpartition(".")
            known = TASK_METHODS if target != "uni" else UNI_METHODS
            if method not in known or not method.startswith("on"):
                doc.error(
                    (*where, "listen"),
                    f"{item!r} is not a listener method{nearest(method, known)}",
                    "rules:method",
                )
            if target != "uni" and target not in names.tasks:
                doc.error(
                    (*where, "listen"),
                    f"task {target!r} is not created by an earlier connectSocket step",
                    "rules:task",
                )
            ref = str(step.get("as", item))
            if ref in scope:
                n = 2
                while f"{ref}#{n}" in scope:
                    n += 1
                ref = f"{ref}#{n}"
            if ref.rpartition(".")[2] in CALL_PARTS:
                doc.error((*where, "as"), f"listener id {ref!r} looks like a call", "rules:alias")
            scope.add(ref)
            names.listeners.add(ref + ("#*" if in_repeat else ""))
            listeners.append(Listener(target, method, ref))
        return ListenStep(tuple(listeners), bool(step.get("throw", False)), _timeout(step), label)

    def check_waits(self, steps: Sequence[Step], path: PathKey) -> None:
        for i, step in enumerate(steps):
            if isinstance(step, WaitStep):
                self.selector(step.selector, (*path, i, "wait"))
            elif isinstance(step, RepeatStep):
                if step.until is not None:
                    self.selector(step.until, (*path, i, "repeat", "until"))
                self.check_waits(step.steps, (*path, i, "repeat", "steps"))

    def selector(self, selector: Selector, path: PathKey) -> None:
        check_selector(self.doc, self.names, selector, path)


def _params_used(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from _SUBST.findall(value)
    elif isinstance(value, list):
        for v in value:
            yield from _params_used(v)
    elif isinstance(value, Mapping):
        if len(value) == 1 and "$param" in value and isinstance(value["$param"], str):
            yield value["$param"]
        for v in value.values():
            yield from _params_used(v)


def _cases(doc: LoadedYaml, data: Mapping[str, Any], path: PathKey) -> tuple[Case, ...]:
    used = set(_params_used(data["steps"])) | set(_params_used(data["expect"]))
    used |= set(_SUBST.findall(data["peer"]))
    used -= BUILTIN_PARAMS
    if "cases" not in data:
        if used:
            doc.error(
                path,
                f"parameter(s) {', '.join(sorted(used))} used by the rule but not given"
                " (the rule has no cases)",
                "rules:param",
            )
        return (Case(data["id"], None, {}),)
    cases: list[Case] = []
    seen: set[str] = set()
    for c, case in enumerate(data["cases"]):
        cpath: PathKey = (*path, "cases", c)
        if case["id"] in seen:
            doc.error((*cpath, "id"), f"case id {case['id']!r} is used twice", "rules:id")
        seen.add(case["id"])
        missing = sorted(used - set(case["params"]))
        if missing:
            doc.error(
                cpath,
                f"parameter(s) {', '.join(missing)} used by the rule but not given"
                f" by case {case['id']!r}",
                "rules:param",
            )
        title = _text(case["title"]) if "title" in case else None
        cases.append(Case(data["id"], case["id"], dict(case["params"]), title))
    return tuple(cases)


def parse_rules(
    doc: LoadedYaml,
    *,
    apis: Iterable[str] | None,
    types: Iterable[str] | None,
    seen_ids: dict[str, str],
) -> RuleSet:
    """The typed rules of one schema-valid rules document.

    ``apis`` and ``types`` are the callables and type names of the module the rules describe
    (None: not checked); ``seen_ids`` maps rule ids already defined (in other files) to where.
    Every problem goes to ``doc.diagnostics``.
    """
    known_apis = set(apis) if apis is not None else None
    rules: list[Rule] = []
    for r, data in enumerate(doc.data["rules"]):
        path: PathKey = ("rules", r)
        line, _column = doc.position((*path, "id"))
        rid = data["id"]
        if rid in seen_ids:
            doc.error(
                (*path, "id"),
                f"duplicate rule id {rid!r} (first at {seen_ids[rid]})",
                "semantic:duplicate",
            )
        else:
            seen_ids[rid] = f"{doc.file}:{line}"
        if known_apis is not None:
            for a, api in enumerate(data["apis"]):
                if api not in known_apis:
                    doc.error(
                        (*path, "apis", a),
                        f"no API or method {api!r} in module {doc.data['module']!r}"
                        f"{nearest(api, known_apis)}",
                        "semantic:rules",
                    )
        parser = _RuleParser(doc, path)
        steps = parser.steps(data["steps"], (*path, "steps"), "steps", False)
        parser.check_waits(steps, (*path, "steps"))
        expect = parse_expectations(doc, data["expect"], (*path, "expect"), parser.names, types)
        rules.append(
            Rule(
                id=rid,
                level=data["level"],
                title=_text(data["title"]),
                text=_text(data["text"]),
                sources=tuple(data["sources"]),
                apis=tuple(data["apis"]),
                requires=tuple(data.get("requires", ())),
                peer=data["peer"],
                steps=steps,
                expect=expect,
                cases=_cases(doc, data, path),
                units=data.get("units"),
                file=doc.file,
                line=doc.position(path)[0],
                names=parser.names,
            )
        )
    return RuleSet(doc.data["module"], tuple(rules))
