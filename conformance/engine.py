"""The rule engine: run every rule case through a :class:`~conformance.channel.Channel`.

For each case the engine starts a fresh :class:`~conformance.peer.PeerThread`, sends the steps as
driver-protocol ``call`` messages, records everything that comes back into a
:class:`~conformance.trace.Trace`, evaluates the expectations, then closes whatever the case left
open so the next case starts clean (the deprecated globals act on the *first live* task).

It never sleeps: every wait is "until this trace or peer condition holds", bounded by a timeout
scaled from one ``unit`` (seconds), like the ``MS`` unit of websockets' tests.  A call that does
not return, a channel that closes or breaks the protocol makes the case ERROR; the channel is then
rebuilt from its factory and the run goes on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from conformance.channel import PROTOCOL_VERSION, Channel
from conformance.exceptions import (
    ChannelClosed,
    ChannelError,
    ChannelProtocolError,
    ChannelTimeout,
)
from conformance.peer import PeerThread
from conformance.profiles import Allowance, Profile
from conformance.rules import Case, Rule, RuleSet
from conformance.trace import Trace, TraceEntry, evaluate, parse_selector
from conformance.values import expand

__all__ = [
    "DEFAULT_UNIT",
    "VERDICTS",
    "CaseResult",
    "Engine",
    "RunResult",
    "payload_schema_for",
]

VERDICTS: Final = ("PASS", "FAIL", "WARN", "SKIP", "ERROR")
#: One unit of time, in seconds; every timeout is a multiple of it.
DEFAULT_UNIT: Final = 1.0
STEP_UNITS: Final = 5.0
DRAIN_UNITS: Final = 0.1
TEARDOWN_UNITS: Final = 3.0
_SLICE: Final = 0.02
#: Consecutive failures to start the implementation after which the remaining cases are not run.
MAX_START_FAILURES: Final = 2
#: Most calls in one driver-protocol ``batch``.
MAX_BATCH: Final = 64


@cache
def payload_schema_for(type_name: str) -> Mapping[str, Any]:
    """JSON Schema of a result type, from the bundled spec model."""
    from generator.model import load_bundled_spec, payload_schema  # noqa: PLC0415

    spec = load_bundled_spec()
    for module in spec.modules:
        if type_name in module.types:
            return payload_schema(module, type_name)
    raise KeyError(f"no result type {type_name!r} in the bundled spec")


@dataclass
class CaseResult:
    rule: Rule
    case: Case
    verdict: str
    failures: list[str] = field(default_factory=list)
    duration: float = 0.0
    trace: list[TraceEntry] = field(default_factory=list)
    peer: list[dict[str, object]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    allowance: Allowance | None = None
    reason: str = ""
    params: dict[str, object] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.case.id


@dataclass
class RunResult:
    implementation: dict[str, object]
    profile: Profile
    results: list[CaseResult]
    started: float
    duration: float
    stale_allowances: list[Allowance]
    harness_errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(VERDICTS, 0)
        for r in self.results:
            out[r.verdict] += 1
        return out


class _StepFailed(Exception):
    """A wait in the steps timed out: the case goes on to evaluation and will FAIL."""


class _CaseError(Exception):
    """The implementation hung, crashed or broke the protocol: the case is ERROR."""


@dataclass
class _Call:
    alias: str
    task: str  # local task name or "uni"
    method: str


@dataclass
class _Listener:
    ref: str
    task: str
    method: str


class _CaseRun:
    """State of one case: ids on the wire, the trace, and the step interpreter."""

    def __init__(
        self,
        engine: Engine,
        *,
        rule: Rule,
        case: Case,
        channel: Channel,
        peer: PeerThread,
        number: int,
    ) -> None:
        self.engine = engine
        self.rule = rule
        self.case = case
        self.channel = channel
        self.peer = peer
        self.number = number
        self.trace = Trace()
        self.calls: dict[int, _Call] = {}
        self.listeners: dict[str, _Listener] = {}
        self.listener_refs: set[str] = set()
        self.tasks: dict[str, str] = {}  # local name -> wire id
        self.logs: list[str] = []
        self.failures: list[str] = []
        base = peer.url
        host, _, port = base.removeprefix("ws://").partition(":")
        self.params: dict[str, object] = {"peer": base, "host": host, "port": port}
        for name, value in case.params.items():
            self.params[name] = expand(value, self.params)
        self.params["url"] = base + str(expand(rule.peer, self.params))
        unit = engine.unit
        self.step_timeout = (rule.units or STEP_UNITS) * unit
        self.pending: list[tuple[dict[str, object], str, str, float]] = []

    # -- receiving ----------------------------------------------------------------------------

    def _record(self, message: Mapping[str, object]) -> None:
        kind = message.get("type")
        if kind in ("returned", "raised", "callback"):
            call_id = message.get("id")
            call = self.calls.get(call_id) if isinstance(call_id, int) else None
            if call is None:
                self.logs.append(f"late or unknown {kind} for call {call_id!r}")
                return
            if kind == "callback":
                name = str(message.get("name"))
                self.trace.add(call.task, "callback", name, message.get("payload"), call.alias)
            elif kind == "returned":
                returned = {k: message[k] for k in ("task", "value") if k in message}
                self.trace.add(call.task, "returned", call.method, returned, call.alias)
            else:
                error = {"error": message.get("error"), "error_type": message.get("error_type")}
                self.trace.add(call.task, "raised", call.method, error, call.alias)
        elif kind == "event":
            lid = str(message.get("listener"))
            listener = self.listeners.get(lid)
            if listener is None:
                self.logs.append(f"late or unknown event for listener {lid!r}")
                return
            self.trace.add(
                listener.task, "event", listener.method, message.get("payload"), listener.ref
            )
        elif kind == "log":
            self.logs.append(f"impl: {message.get('message')}")
        elif kind == "error":
            raise ChannelProtocolError(
                self.engine.where, f"the implementation reported an error: {message.get('message')}"
            )
        else:
            raise ChannelProtocolError(self.engine.where, f"unexpected message type {kind!r}")

    async def pump(self, timeout: float) -> bool:
        """Receive and record one message; False if none came within ``timeout``."""
        try:
            message = await self.channel.receive(max(timeout, 0.0))
        except ChannelTimeout:
            return False
        self._record(message)
        return True

    async def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return condition()
            await self.pump(remaining)
        return True

    async def wait_for_peer(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return condition()
            await self.pump(min(remaining, _SLICE))
        return True

    async def drain(self) -> None:
        quiet = DRAIN_UNITS * self.engine.unit
        deadline = time.monotonic() + 20 * quiet
        while time.monotonic() < deadline and await self.pump(quiet):
            pass

    # -- steps --------------------------------------------------------------------------------

    def _wire_task(self, name: str) -> str:
        if name not in self.tasks:
            raise _CaseError(f"task {name!r} does not exist (no connectSocket created it)")
        return self.tasks[name]

    async def call(
        self,
        target_name: str,
        method: str,
        *,
        alias: str,
        args: object = None,
        callbacks: list[str] | None = None,
        assign: str | None = None,
        listener: str | None = None,
        throw: bool = False,
        timeout: float | None = None,
        where: str = "",
        defer: bool = False,
    ) -> None:
        """Send one call (``defer``: queue it for the next :meth:`flush`, one synchronous turn)."""
        call_id = self.engine.next_id()
        message: dict[str, object] = {
            "type": "call",
            "id": call_id,
            "target": "uni" if target_name == "uni" else self._wire_task(target_name),
            "method": method,
        }
        if args is not None:
            message["args"] = args
        if callbacks is not None:
            message["callbacks"] = callbacks
        task_name = target_name
        if assign is not None:
            wire = f"k{self.number}.{assign}"
            self.tasks[assign] = wire
            message["assign"] = wire
            task_name = assign
        if listener is not None:
            message["listener"] = listener
        if throw:
            message["throw"] = True
        self.calls[call_id] = _Call(alias, task_name, method)
        self.pending.append((message, alias, where, timeout or self.step_timeout))
        if len(self.pending) >= MAX_BATCH or not defer:
            await self.flush()

    async def flush(self) -> None:
        """Send the queued calls as one ``batch`` (one synchronous turn); wait until each ended.

        A program writes ``task = uni.connectSocket(...); task.onOpen(f)`` in one turn; the
        rules' consecutive call steps mean the same (docs/driver-protocol.md, ``batch``).
        """
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        for message, alias, _where, _timeout in pending:
            call = self.calls[int(str(message["id"]))]
            self.trace.add(call.task, "call", call.method, message.get("args"), alias)
        if len(pending) == 1:
            await self.channel.send(pending[0][0])
        else:
            await self.channel.send({"type": "batch", "calls": [p[0] for p in pending]})
        aliases = {p[1] for p in pending}

        def ended() -> bool:
            done = {e.ref for e in self.trace.entries if e.kind in ("returned", "raised")}
            return aliases <= done

        if not await self.wait_for(ended, max(p[3] for p in pending)):
            done = {e.ref for e in self.trace.entries if e.kind in ("returned", "raised")}
            message, _alias, where, timeout = next(p for p in pending if p[1] not in done)
            raise _CaseError(
                f"{where}: call {message['target']}.{message['method']} (id {message['id']}) "
                f"did not return within {timeout:.1f} s"
            )

    async def run_steps(self, steps: Sequence[Mapping[str, Any]], path: str, suffix: str) -> None:
        for i, step in enumerate(steps):
            where = f"{self.rule.where} {path}[{i}]"
            timeout = float(step.get("timeout", 0)) * self.engine.unit or self.step_timeout
            if "call" in step:
                target, _, method = str(step["call"]).rpartition(".")
                try:
                    args = expand(step.get("args"), self.params)
                except ValueError as exc:
                    raise _CaseError(f"{where}.args: {exc}") from exc
                await self.call(
                    target or "uni",
                    method,
                    alias=str(step.get("as", f"c{i}")) + suffix,
                    args=args,
                    callbacks=step.get("callbacks"),
                    assign=step.get("task"),
                    throw=bool(step.get("throw", False)),
                    timeout=timeout,
                    where=where,
                    defer=True,
                )
                continue
            if "listen" in step:
                items = step["listen"] if isinstance(step["listen"], list) else [step["listen"]]
                for item in items:
                    target, _, method = str(item).rpartition(".")
                    ref = str(step.get("as", item)) + suffix
                    if ref in self.listener_refs:
                        n = 2
                        while f"{ref}#{n}" in self.listener_refs:
                            n += 1
                        ref = f"{ref}#{n}"
                    self.listener_refs.add(ref)
                    wire = f"l{self.engine.next_id()}"
                    self.listeners[wire] = _Listener(ref, target, method)
                    await self.call(
                        target,
                        method,
                        alias=f"{ref}.listen",
                        listener=wire,
                        throw=bool(step.get("throw", False)),
                        timeout=timeout,
                        where=where,
                        defer=True,
                    )
                continue
            await self.flush()
            if "wait" in step:
                selector = parse_selector(str(step["wait"]))
                want = int(step.get("count", 1))

                def seen(sel: Any = selector, want: int = want) -> bool:
                    return sum(1 for e in self.trace.entries if sel.matches(e)) >= want

                if not await self.wait_for(seen, timeout):
                    found = sum(1 for e in self.trace.entries if selector.matches(e))
                    raise _StepFailed(
                        f"{path}[{i}]: waited {timeout:.1f} s for {selector.text}"
                        f"{f' x{want}' if want > 1 else ''}, saw it {found} time(s)"
                    )
            elif "wait_peer" in step:
                cond: Mapping[str, Any] = step["wait_peer"]

                def holds(c: Mapping[str, Any] = cond) -> bool:
                    return self._peer_holds(c)

                if not await self.wait_for_peer(holds, timeout):
                    raise _StepFailed(f"{path}[{i}]: waited {timeout:.1f} s for the peer: {cond}")
            elif "peer" in step:
                self.peer.release()
            elif "repeat" in step:
                rep = step["repeat"]
                until = parse_selector(rep["until"]) if "until" in rep else None
                for k in range(int(rep["times"])):
                    if until is not None and any(until.matches(e) for e in self.trace.entries):
                        break
                    self.params["i"] = k
                    await self.run_steps(rep["steps"], f"{path}[{i}].repeat", f"{suffix}#{k}")
                    await self.pump(0)
                self.params.pop("i", None)
        await self.flush()

    def _peer_holds(self, cond: Mapping[str, Any]) -> bool:
        conns = self.peer.peer.connections
        if "connections" in cond and len(conns) < int(cond["connections"]):
            return False
        index = int(cond.get("connection", 0))
        if "frame" in cond or cond.get("closed"):
            if index >= len(conns):
                return False
            conn = conns[index]
            if cond.get("closed") and not conn.closed:
                return False
            if "frame" in cond:
                n = sum(1 for f in list(conn.frames) if f.kind == cond["frame"])
                return n >= int(cond.get("count", 1))
        return True

    # -- teardown -----------------------------------------------------------------------------

    async def teardown(self) -> None:
        """Close every task the case left open, so the globals of the next case see none."""
        timeout = TEARDOWN_UNITS * self.engine.unit
        for name, _wire in list(self.tasks.items()):
            if self._finished(name):
                continue
            ref = f"__teardown.{name}"
            wire = f"l{self.engine.next_id()}"
            self.listeners[wire] = _Listener(ref, name, "onClose")
            alias = f"__teardown_{name}"
            try:
                await self.call(
                    name, "onClose", alias=f"{alias}_l", listener=wire, where="teardown"
                )
                await self.call(name, "close", alias=alias, args={}, where="teardown")
            except _CaseError as exc:
                self.logs.append(f"teardown: {exc}")
                continue

            def done(name: str = name, alias: str = alias) -> bool:
                return self._finished(name) or any(
                    e.ref == alias and e.name == "fail" for e in self.trace.entries
                )

            if not await self.wait_for(done, timeout):
                self.logs.append(f"teardown: task {name} did not report onClose within {timeout} s")

    def _finished(self, name: str) -> bool:
        for e in self.trace.entries:
            if e.task == name and e.kind == "event" and e.name == "onClose":
                return True
            if e.task == name and e.kind == "callback" and e.name == "fail":
                call = next((c for c in self.calls.values() if c.alias == e.ref), None)
                if call is not None and call.method == "connectSocket":
                    return True
        return False


class Engine:
    """Run a :class:`RuleSet` against channels made by ``channel_factory``."""

    def __init__(
        self,
        rules: RuleSet,
        channel_factory: Callable[[], Channel],
        *,
        profile: Profile,
        unit: float = DEFAULT_UNIT,
        where: str = "implementation",
        select: Callable[[Rule, Case], bool] | None = None,
        on_result: Callable[[CaseResult], None] | None = None,
        schema_for: Callable[[str], Mapping[str, Any]] = payload_schema_for,
    ) -> None:
        self.rules = rules
        self.channel_factory = channel_factory
        self.profile = profile
        self.unit = unit
        self.where = where
        self.select = select
        self.on_result = on_result
        self.schema_for = schema_for
        self._id = 0
        self._channel: Channel | None = None
        self.implementation: dict[str, object] = {}
        self.channel_logs: list[str] = []
        self.start_failures = 0
        self.harness_errors: list[str] = []

    def next_id(self) -> int:
        self._id += 1
        return self._id

    async def _ensure_channel(self) -> Channel:
        if self._channel is None:
            channel = self.channel_factory()
            try:
                hello = await asyncio.wait_for(channel.start(), STEP_UNITS * self.unit * 2)
            except TimeoutError as exc:
                await channel.close()
                raise ChannelTimeout(self.where, "no hello answer") from exc
            except ChannelError:
                await channel.close()
                raise
            if hello.get("protocol") != PROTOCOL_VERSION:
                await channel.close()
                raise ChannelProtocolError(
                    self.where, f"hello answered protocol {hello.get('protocol')!r}, expected 1"
                )
            self.implementation = dict(hello)
            self._channel = channel
        return self._channel

    async def _drop_channel(self) -> None:
        if self._channel is not None:
            channel, self._channel = self._channel, None
            try:
                await asyncio.wait_for(channel.close(), 5 * self.unit + 5)
            except (TimeoutError, ChannelError) as exc:
                self.channel_logs.append(f"closing the channel: {exc}")

    def capabilities(self) -> set[str]:
        caps = self.implementation.get("capabilities", [])
        return {str(c) for c in caps} if isinstance(caps, list) else set()

    async def run(self) -> RunResult:
        started = time.time()
        t0 = time.monotonic()
        results: list[CaseResult] = []
        ran: list[Case] = []
        number = 0
        try:
            for rule, case in self.rules.cases():
                if self.select is not None and not self.select(rule, case):
                    continue
                ran.append(case)
                number += 1
                result = await self.run_case(rule, case, number)
                results.append(result)
                if self.on_result is not None:
                    self.on_result(result)
        finally:
            await self._drop_channel()
        used = {id(r.allowance) for r in results if r.allowance is not None}
        # Stale: an allowance for a case that ran and did not need it (with -k, an allowance
        # whose cases were not selected says nothing either way).
        stale = [
            a
            for a in self.profile.allowances
            if id(a) not in used and any(a.covers(case) for case in ran)
        ]
        return RunResult(
            implementation=self.implementation,
            profile=self.profile,
            results=results,
            started=started,
            duration=time.monotonic() - t0,
            stale_allowances=stale,
            harness_errors=list(self.harness_errors),
        )

    async def run_case(self, rule: Rule, case: Case, number: int) -> CaseResult:
        t0 = time.monotonic()
        result = CaseResult(rule, case, "PASS")
        if self.start_failures >= MAX_START_FAILURES:
            result.verdict = "ERROR"
            result.reason = (
                f"not run: the implementation failed to start {MAX_START_FAILURES} times"
            )
            return result
        try:
            channel = await self._ensure_channel()
        except ChannelError as exc:
            self.start_failures += 1
            result.verdict = "ERROR"
            result.reason = f"cannot start the implementation: {exc}"
            result.duration = time.monotonic() - t0
            if self.start_failures == MAX_START_FAILURES:
                self.harness_errors.append(f"{self.where}: gave up after: {exc}")
            return result
        self.start_failures = 0
        missing = sorted(set(rule.requires) - self.capabilities())
        if missing:
            result.verdict = "SKIP"
            result.reason = f"the implementation does not declare {', '.join(missing)}"
            result.duration = time.monotonic() - t0
            return result
        peer = PeerThread()
        peer.start()
        run = _CaseRun(self, rule=rule, case=case, channel=channel, peer=peer, number=number)
        broken = False
        try:
            try:
                await run.run_steps(rule.steps, "steps", "")
                await run.drain()
            except _StepFailed as exc:
                run.failures.append(str(exc))
            result.trace = list(run.trace.entries)
            result.peer = peer.peer.snapshot()
            result.params = dict(run.params)
            result.failures = run.failures + evaluate(
                rule.expect,
                run.trace,
                result.peer,
                expand=lambda v: expand(v, run.params),
                schema_for=self.schema_for,
            )
            await run.teardown()
        except _CaseError as exc:
            result.verdict, result.reason, broken = "ERROR", str(exc), True
        except (ChannelClosed, ChannelProtocolError, ChannelError) as exc:
            result.verdict, result.reason, broken = "ERROR", str(exc), True
        finally:
            peer.stop()
            result.logs = run.logs
            if not result.trace:
                result.trace = list(run.trace.entries)
                result.peer = peer.peer.snapshot()
        if broken:
            await self._drop_channel()
        else:
            self._judge(result)
        result.duration = time.monotonic() - t0
        return result

    def _judge(self, result: CaseResult) -> None:
        if not result.failures:
            result.verdict = "PASS"
            return
        allowance = self.profile.allowance_for(result.case)
        if allowance is not None:
            if allowance.instead:
                trace = Trace(list(result.trace))
                params = result.params
                alternative = evaluate(
                    allowance.instead,
                    trace,
                    result.peer,
                    expand=lambda v: expand(v, params),
                    schema_for=self.schema_for,
                )
                if alternative:
                    result.verdict = "FAIL"
                    result.reason = (
                        f"not even the allowance {allowance.rule} ({allowance.where}) holds: "
                        + "; ".join(alternative)
                    )
                    return
            result.verdict = "WARN"
            result.allowance = allowance
            result.reason = f"allowed by {allowance.where}: {allowance.reason.en}"
            return
        result.verdict = "WARN" if result.rule.level == "SHOULD" else "FAIL"
        result.reason = result.failures[0]
