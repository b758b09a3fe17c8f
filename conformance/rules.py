"""Rules as data: loading, validation and the model the engine runs.

``spec/rules/*.yaml`` is loaded safely (``generator._yaml``: duplicate keys and unknown tags are
errors, every value keeps its ``file:line:col``), validated against ``rules.schema.json``, then
checked for what the schema cannot say (unique ids, selectors that name a call or listener the
steps define, known APIs and result types, parameters that every case provides).  Every problem
is collected; :func:`load_rules` raises :class:`~conformance.exceptions.SpecError` listing them.

A rule's ``steps`` speak the driver protocol's vocabulary (``docs/driver-protocol.md``)::

    {call: connectSocket, task: t1, args: {url: "${url}"}, as: connect}   # uni.connectSocket
    {call: t1.send, args: {data: "x"}, callbacks: [fail], as: send}      # SocketTask.send
    {listen: [t1.onOpen, t1.onMessage]}       # listener ids t1.onOpen, t1.onMessage (#2, ...)
    {wait: t1.onOpen, count: 1, timeout: 5}   # until the trace holds it (timeout in units)
    {wait_peer: {frame: close}}               # until the peer recorded it
    {peer: release}                           # let /slow handshakes and /stall readers go on
    {repeat: {times: 10, until: "s#*.fail", steps: [...]}}   # aliases get #0, #1, ...; ${i}

Consecutive ``call``/``listen`` steps run in one synchronous turn (a protocol ``batch``), as a
program's ``task = uni.connectSocket(...); task.onOpen(f)`` does.  ``expect`` holds assertions
over the trace and the peer's records (:mod:`conformance.trace`); ``${url}`` is the peer's URL
with the rule's ``peer`` path, ``${peer}`` its base; ``cases`` give parameters (``${name}``,
``{$param: name}``).
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from conformance.exceptions import SpecError
from conformance.trace import CALL_PARTS, EXPECTATION_KINDS, expectation_kind, parse_selector
from generator._yaml import LoadedYaml, PathKey
from generator.model import Text, bundled_spec_dir
from generator.validate import validate_text

__all__ = [
    "CAPABILITIES",
    "Case",
    "Rule",
    "RuleSet",
    "bundled_rules_dir",
    "check_rules_document",
    "load_rules",
]

CAPABILITIES: Final = (
    "binary",
    "request-headers",
    "response-headers",
    "protocols",
    "globals",
    "close-validation",
    "timeout",
)

UNI_METHODS: Final = frozenset(
    {
        "connectSocket",
        "onSocketOpen",
        "onSocketError",
        "sendSocketMessage",
        "onSocketMessage",
        "closeSocket",
        "onSocketClose",
    }
)
TASK_METHODS: Final = frozenset({"send", "close", "onOpen", "onClose", "onError", "onMessage"})
_SUBST = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Names every case can use in ``${...}`` without declaring them.
BUILTIN_PARAMS: Final = frozenset({"peer", "url", "host", "port", "i"})


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
    steps: tuple[Mapping[str, Any], ...]
    expect: tuple[Mapping[str, Any], ...]
    cases: tuple[Case, ...]
    units: float | None
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


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


def bundled_rules_dir() -> Path:
    return bundled_spec_dir() / "rules"


def _text(data: Mapping[str, str]) -> Text:
    return Text(zh=data["zh"], en=data["en"])


def _nearest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


# ----------------------------------------------------------------------------------------------
# Semantic checks (each small; the walkers supply the path)


def _known_names(
    steps: Sequence[Mapping[str, Any]],
    path: PathKey,
    doc: LoadedYaml,
    in_repeat: bool = False,
    outer_tasks: set[str] | None = None,
) -> tuple[set[str], set[str], set[str]]:
    """(call aliases, listener ids, task ids) the steps define; reports bad steps as it goes."""
    aliases: set[str] = set()
    listeners: set[str] = set()
    tasks: set[str] = set(outer_tasks or ())
    for i, step in enumerate(steps):
        where = (*path, i)
        if "call" in step:
            target, _, method = str(step["call"]).rpartition(".")
            known = TASK_METHODS if target else UNI_METHODS
            if method not in known:
                doc.error(
                    (*where, "call"),
                    f"unknown method {method!r} on {target or 'uni'}{_nearest(method, known)}",
                    "rules:method",
                )
            if target and target not in tasks:
                doc.error(
                    (*where, "call"),
                    f"task {target!r} is not created by an earlier connectSocket step",
                    "rules:task",
                )
            if "task" in step:
                if method != "connectSocket":
                    doc.error((*where, "task"), "only connectSocket takes 'task'", "rules:task")
                tasks.add(str(step["task"]))
            alias = str(step.get("as", f"c{i}"))
            if alias in aliases and not in_repeat:
                doc.error((*where, "as"), f"call alias {alias!r} is used twice", "rules:alias")
            aliases.add(alias + ("#*" if in_repeat else ""))
        elif "listen" in step:
            items = step["listen"] if isinstance(step["listen"], list) else [step["listen"]]
            if "as" in step and len(items) != 1:
                doc.error((*where, "as"), "'as' names one listener; listen to one", "rules:alias")
            for item in items:
                target, _, method = str(item).rpartition(".")
                known = TASK_METHODS if target != "uni" else UNI_METHODS
                if method not in known or not method.startswith("on"):
                    doc.error(
                        (*where, "listen"),
                        f"{item!r} is not a listener method{_nearest(method, known)}",
                        "rules:method",
                    )
                if target != "uni" and target not in tasks:
                    doc.error(
                        (*where, "listen"),
                        f"task {target!r} is not created by an earlier connectSocket step",
                        "rules:task",
                    )
                listener = str(step.get("as", item))
                if listener in listeners:
                    n = 2
                    while f"{listener}#{n}" in listeners:
                        n += 1
                    listener = f"{listener}#{n}"
                if listener.rpartition(".")[2] in CALL_PARTS:
                    doc.error(
                        (*where, "as"), f"listener id {listener!r} looks like a call", "rules:alias"
                    )
                listeners.add(listener)
        elif "repeat" in step:
            a, ls, ts = _known_names(
                step["repeat"]["steps"], (*where, "repeat", "steps"), doc, True, tasks
            )
            aliases |= a
            listeners |= ls
            tasks |= ts
    return aliases, listeners, tasks


def _selectors_in(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    """Every selector an expectation or a wait names, with its path."""
    if not isinstance(value, Mapping):
        return
    kind = expectation_kind(value)
    arg = value.get(kind)
    if kind == "count" and isinstance(arg, Mapping):
        for sel in arg:
            yield (*path, kind, sel), sel
    elif kind in ("order", "precedes", "not_reentrant") and isinstance(arg, list):
        for j, sel in enumerate(arg):
            yield (*path, kind, j), str(sel) if kind != "not_reentrant" else f"{sel}.call"
    elif kind == "last" and isinstance(arg, Mapping):
        yield (*path, kind, "of"), str(arg["of"])
        yield (*path, kind, "is"), str(arg["is"])
    elif kind in ("payload", "shape", "values") and isinstance(arg, Mapping):
        yield (*path, kind, "of"), str(arg["of"])


def _check_selector(
    doc: LoadedYaml, path: PathKey, text: str, aliases: set[str], listeners: set[str]
) -> None:
    sel = parse_selector(text)
    if sel.alias is not None:
        if not any(fnmatch.fnmatchcase(a.replace("#*", "#0"), sel.alias) for a in aliases):
            doc.error(
                path,
                f"selector {text!r} names no call of this rule{_nearest(sel.alias, aliases)}",
                "rules:selector",
            )
    elif sel.listener is not None and not any(
        fnmatch.fnmatchcase(name, sel.listener) for name in listeners
    ):
        doc.error(
            path,
            f"selector {text!r} names no listener of this rule{_nearest(sel.listener, listeners)}",
            "rules:selector",
        )


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


def _check_waits(
    doc: LoadedYaml,
    steps: Sequence[Mapping[str, Any]],
    path: PathKey,
    aliases: set[str],
    listeners: set[str],
) -> None:
    for i, step in enumerate(steps):
        if "wait" in step:
            _check_selector(doc, (*path, i, "wait"), str(step["wait"]), aliases, listeners)
        elif "repeat" in step:
            rep = step["repeat"]
            if "until" in rep:
                _check_selector(
                    doc, (*path, i, "repeat", "until"), rep["until"], aliases, listeners
                )
            _check_waits(doc, rep["steps"], (*path, i, "repeat", "steps"), aliases, listeners)


def check_rules_document(
    doc: LoadedYaml,
    *,
    apis: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
) -> None:
    """Semantic checks of one schema-valid rules document; problems go to ``doc.diagnostics``."""
    data = doc.data
    known_apis = set(apis) if apis is not None else None
    known_types = set(types) if types is not None else None
    seen: dict[str, int] = {}
    for r, rule in enumerate(data["rules"]):
        path: PathKey = ("rules", r)
        rid = rule["id"]
        if rid in seen:
            doc.error(
                (*path, "id"), f"rule id {rid!r} is already used by rules[{seen[rid]}]", "rules:id"
            )
        seen.setdefault(rid, r)
        if known_apis is not None:
            for a, api in enumerate(rule["apis"]):
                if api not in known_apis:
                    doc.error(
                        (*path, "apis", a),
                        f"unknown API {api!r}{_nearest(api, known_apis)}",
                        "rules:api",
                    )
        aliases, listeners, _tasks = _known_names(rule["steps"], (*path, "steps"), doc)
        _check_waits(doc, rule["steps"], (*path, "steps"), aliases, listeners)
        for e, expectation in enumerate(rule["expect"]):
            if expectation_kind(expectation) not in EXPECTATION_KINDS:
                continue
            for where, text in _selectors_in(expectation, (*path, "expect", e)):
                _check_selector(doc, where, text, aliases, listeners)
            shape = expectation.get("shape")
            if known_types is not None and isinstance(shape, Mapping):
                name = shape["type"]
                if name not in known_types:
                    doc.error(
                        (*path, "expect", e, "shape", "type"),
                        f"unknown result type {name!r}{_nearest(name, known_types)}",
                        "rules:type",
                    )
        used = set(_params_used(rule["steps"])) | set(_params_used(rule["expect"]))
        used |= set(_SUBST.findall(rule["peer"]))
        used -= BUILTIN_PARAMS
        cases = rule.get("cases", [{"id": None, "params": {}}])
        case_ids: set[str] = set()
        for c, case in enumerate(cases):
            cpath: PathKey = (*path, "cases", c) if "cases" in rule else path
            if case["id"] in case_ids:
                doc.error((*cpath, "id"), f"case id {case['id']!r} is used twice", "rules:id")
            case_ids.add(case["id"])
            missing = sorted(used - set(case["params"]))
            if missing:
                doc.error(
                    cpath,
                    f"parameter(s) {', '.join(missing)} used by the rule but not given"
                    + (f" by case {case['id']!r}" if case["id"] else " (the rule has no cases)"),
                    "rules:param",
                )


# ----------------------------------------------------------------------------------------------
# Loading


def _spec_names() -> tuple[set[str], set[str]] | None:
    from generator.model import load_bundled_spec  # noqa: PLC0415 - loads YAML, only when needed

    try:
        spec = load_bundled_spec()
    except Exception:
        return None
    apis: set[str] = set()
    types: set[str] = set()
    for module in spec.modules:
        apis |= {c.qualname for c in module.callables()}
        types |= set(module.types)
    return apis, types


def _build(doc: LoadedYaml) -> RuleSet:
    rules: list[Rule] = []
    for r, data in enumerate(doc.data["rules"]):
        line, _col = doc.position(("rules", r))
        cases = tuple(
            Case(
                data["id"], c["id"], dict(c["params"]), _text(c["title"]) if "title" in c else None
            )
            for c in data.get("cases", [])
        ) or (Case(data["id"], None, {}),)
        rules.append(
            Rule(
                id=data["id"],
                level=data["level"],
                title=_text(data["title"]),
                text=_text(data["text"]),
                sources=tuple(data["sources"]),
                apis=tuple(data["apis"]),
                requires=tuple(data.get("requires", ())),
                peer=data["peer"],
                steps=tuple(data["steps"]),
                expect=tuple(data["expect"]),
                cases=cases,
                units=data.get("units"),
                file=doc.file,
                line=line,
            )
        )
    return RuleSet(doc.data["module"], tuple(rules))


def load_rules(paths: Sequence[Path] | None = None) -> RuleSet:
    """Load, validate and merge rule files (default: every bundled ``rules/*.yaml``)."""
    files: list[Path] = []
    for path in paths or [bundled_rules_dir()]:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise SpecError([f"{', '.join(map(str, paths or []))}: no rule files (*.yaml) found"])
    names = _spec_names()
    problems: list[str] = []
    sets: list[RuleSet] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{file}: cannot read: {exc}")
            continue
        doc = validate_text(text, str(file), "rules")
        if not doc.diagnostics:
            check_rules_document(
                doc, apis=names[0] if names else None, types=names[1] if names else None
            )
        if doc.diagnostics:
            problems += [str(d) for d in doc.diagnostics]
            continue
        sets.append(_build(doc))
    ids: dict[str, str] = {}
    for rs in sets:
        for rule in rs.rules:
            if rule.id in ids:
                problems.append(
                    f"{rule.where}: rule id {rule.id!r} is also defined at {ids[rule.id]}"
                )
            ids.setdefault(rule.id, rule.where)
    if problems:
        raise SpecError(problems)
    module = sets[0].module if sets else ""
    return RuleSet(module, tuple(r for rs in sets for r in rs.rules))
