"""One rule case in execution: the typed steps sent as driver-protocol calls, what comes back
recorded into the :class:`~conformance.trace.Trace`, the waits, and the teardown.

It never sleeps: every wait is "until this trace or peer condition holds", bounded by a timeout
scaled from one ``unit`` (seconds).  :class:`StepFailed` (a wait timed out) lets the case go on to
evaluation, where it fails; :class:`CaseError` (a call did not return, the channel broke) makes the
case ERROR.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from conformance.channel import Channel, unwrap_errors
from conformance.exceptions import ChannelProtocolError, ChannelTimeout
from conformance.peer import PeerThread
from conformance.trace import Trace, selects
from conformance.values import expand
from conformance.wire import MAX_BATCH
from generator.spec.rules import (
    CallStep,
    Case,
    ListenStep,
    PeerCondition,
    ReleasePeerStep,
    RepeatStep,
    Rule,
    Step,
    WaitPeerStep,
    WaitStep,
)

__all__ = ["MAX_BATCH", "STEP_UNITS", "CaseError", "CaseRun", "EngineContext", "StepFailed"]

STEP_UNITS: Final = 5.0
DRAIN_UNITS: Final = 0.1
TEARDOWN_UNITS: Final = 3.0
#: A case keeps at most this many log lines, each cut to this many characters.
MAX_LOG_LINES: Final = 200
MAX_LOG_CHARS: Final = 2000
_SLICE: Final = 0.02


class EngineContext(Protocol):
    """What a case needs of the engine that runs it."""

    unit: float
    where: str
    #: The minor protocol version both sides speak (1: lines carry ``after`` stamps).
    minor: int

    def next_id(self) -> int: ...


class StepFailed(Exception):
    """A wait in the steps timed out: the case goes on to evaluation and will FAIL."""


class CaseError(Exception):
    """The implementation hung, crashed or broke the protocol: the case is ERROR.

    ``hung``: a call did not return in time (the implementation may have stopped answering).
    """

    def __init__(self, message: str, *, hung: bool = False) -> None:
        super().__init__(message)
        self.hung = hung


@dataclass(frozen=True, slots=True)
class _Call:
    alias: str
    task: str  # local task name or "uni"
    method: str


@dataclass(frozen=True, slots=True)
class _Listener:
    ref: str
    task: str
    method: str


@dataclass(frozen=True, slots=True)
class _Pending:
    """A call message queued for the next batch."""

    message: dict[str, object]
    alias: str
    where: str
    timeout: float


class CaseRun:
    """State of one case: ids on the wire, the trace, and the step interpreter."""

    def __init__(
        self,
        engine: EngineContext,
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
        self.tasks: dict[str, str] = {}  # local name -> wire id
        self.logs: list[str] = []
        self.dropped_logs = 0
        self.failures: list[str] = []
        #: Tasks the teardown closed that reported neither ``onClose`` nor an error.
        self.unclosed: list[str] = []
        base = peer.url
        host, _, port = base.removeprefix("ws://").partition(":")
        self.params: dict[str, object] = {"peer": base, "host": host, "port": port}
        for name, value in case.params.items():
            self.params[name] = expand(value, self.params)
        self.params["url"] = base + str(expand(rule.peer, self.params))
        unit = engine.unit
        self.step_timeout = (rule.units or STEP_UNITS) * unit
        self.pending: list[_Pending] = []
        #: 1.1: calls sent but not yet placed in the trace (id, alias), placed just before the
        #: first line the implementation stamped ``after`` >= id.
        self.unstamped: list[tuple[int, str, object]] = []

    def log(self, line: str) -> None:
        """Keep a log line of the case, within :data:`MAX_LOG_LINES` lines of
        :data:`MAX_LOG_CHARS` characters each (a driver may log without end)."""
        if len(self.logs) >= MAX_LOG_LINES:
            self.dropped_logs += 1
            note = f"… {self.dropped_logs} more log line(s) dropped"
            if self.logs[-1].startswith("… "):
                self.logs[-1] = note
            else:
                self.logs.append(note)
            return
        if len(line) > MAX_LOG_CHARS:
            line = f"{line[:MAX_LOG_CHARS]}… ({len(line)} characters)"
        self.logs.append(line)

    # -- receiving ----------------------------------------------------------------------------

    def _place_calls(self, upto: int | None) -> None:
        """Put the sent calls with id <= ``upto`` (all: None) into the trace, in id order."""
        keep: list[tuple[int, str, object]] = []
        for call_id, alias, args in self.unstamped:
            if upto is None or call_id <= upto:
                call = self.calls[call_id]
                self.trace.add(call.task, "call", call.method, args, alias)
            else:
                keep.append((call_id, alias, args))
        self.unstamped = keep

    def record(self, message: Mapping[str, object]) -> None:
        """Record one implementation message received outside :meth:`pump`."""
        self._record(message)

    def _record(self, message: Mapping[str, object]) -> None:
        kind = message.get("type")
        if self.unstamped:
            after = message.get("after")
            stamped = isinstance(after, int) and not isinstance(after, bool)
            self._place_calls(int(str(after)) if stamped else None)
        if "payload" in message or "value" in message:
            message = {
                k: unwrap_errors(v) if k in ("payload", "value") else v for k, v in message.items()
            }
        if kind in ("returned", "raised", "callback"):
            call_id = message.get("id")
            call = self.calls.get(call_id) if isinstance(call_id, int) else None
            if call is None:
                self.log(f"late or unknown {kind} for call {call_id!r}")
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
                self.log(f"late or unknown event for listener {lid!r}")
                return
            self.trace.add(
                listener.task, "event", listener.method, message.get("payload"), listener.ref
            )
        elif kind == "log":
            self.log(f"impl: {message.get('message')}")
        elif kind == "uncaught":
            self.log(
                f"impl uncaught {message.get('error_type', 'exception')}: {message.get('error')}"
            )
        elif kind == "reset":
            self.log("late or unasked reset answer")
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
            raise CaseError(f"task {name!r} does not exist (no connectSocket created it)")
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
        self.pending.append(_Pending(message, alias, where, timeout or self.step_timeout))
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
        for p in pending:
            call_id = int(str(p.message["id"]))
            if self.engine.minor >= 1:
                # Stamped when the implementation shows it began the call: an event already in
                # the pipe when the call was sent stays before it (docs/driver-protocol.md).
                self.unstamped.append((call_id, p.alias, p.message.get("args")))
            else:
                call = self.calls[call_id]
                self.trace.add(call.task, "call", call.method, p.message.get("args"), p.alias)
        if len(pending) == 1:
            await self.channel.send(pending[0].message)
        else:
            await self.channel.send({"type": "batch", "calls": [p.message for p in pending]})
        aliases = {p.alias for p in pending}

        def ended() -> bool:
            done = {e.ref for e in self.trace.entries if e.kind in ("returned", "raised")}
            return aliases <= done

        if not await self.wait_for(ended, max(p.timeout for p in pending)):
            self._place_calls(None)
            done = {e.ref for e in self.trace.entries if e.kind in ("returned", "raised")}
            late = next(p for p in pending if p.alias not in done)
            message = late.message
            raise CaseError(
                f"{late.where}: call {message['target']}.{message['method']} "
                f"(id {message['id']}) did not return within {late.timeout:.1f} s",
                hung=True,
            )

    def _timeout(self, units: float | None) -> float:
        return units * self.engine.unit if units else self.step_timeout

    async def run_steps(self, steps: Sequence[Step], suffix: str) -> None:
        """Execute typed steps; ``suffix`` (``#k``) marks the aliases of a repeat's k-th pass."""
        for step in steps:
            match step:
                case CallStep():
                    await self._call_step(step, suffix)
                case ListenStep():
                    await self._listen_step(step, suffix)
                case WaitStep():
                    await self.flush()
                    await self._wait_step(step)
                case WaitPeerStep():
                    await self.flush()
                    await self._wait_peer_step(step)
                case ReleasePeerStep():
                    await self.flush()
                    self.peer.release()
                case RepeatStep():
                    await self.flush()
                    await self._repeat(step, suffix)
        await self.flush()
        self._place_calls(None)

    async def _call_step(self, step: CallStep, suffix: str) -> None:
        where = f"{self.rule.where} {step.label}"
        try:
            args = expand(step.args, self.params)
        except ValueError as exc:
            raise CaseError(f"{where}.args: {exc}") from exc
        await self.call(
            step.target,
            step.method,
            alias=step.alias + suffix,
            args=args,
            callbacks=list(step.callbacks) if step.callbacks is not None else None,
            assign=step.assign,
            throw=step.throw,
            timeout=self._timeout(step.timeout),
            where=where,
            defer=True,
        )

    async def _listen_step(self, step: ListenStep, suffix: str) -> None:
        for listener in step.listeners:
            ref = listener.ref + suffix
            wire = f"l{self.engine.next_id()}"
            self.listeners[wire] = _Listener(ref, listener.target, listener.method)
            await self.call(
                listener.target,
                listener.method,
                alias=f"{ref}.listen",
                listener=wire,
                throw=step.throw,
                timeout=self._timeout(step.timeout),
                where=f"{self.rule.where} {step.label}",
                defer=True,
            )

    async def _wait_step(self, step: WaitStep) -> None:
        selector, want = step.selector, step.count
        timeout = self._timeout(step.timeout)

        def seen() -> int:
            return sum(1 for e in self.trace.entries if selects(selector, e))

        if not await self.wait_for(lambda: seen() >= want, timeout):
            raise StepFailed(
                f"{step.label}: waited {timeout:.1f} s for {selector.text}"
                f"{f' x{want}' if want > 1 else ''}, saw it {seen()} time(s)"
            )

    async def _wait_peer_step(self, step: WaitPeerStep) -> None:
        timeout = self._timeout(step.timeout)
        if not await self.wait_for_peer(lambda: self._peer_holds(step.condition), timeout):
            raise StepFailed(
                f"{step.label}: waited {timeout:.1f} s for the peer: {step.condition.text}"
            )

    async def _repeat(self, step: RepeatStep, suffix: str) -> None:
        until = step.until
        for k in range(step.times):
            if until is not None and any(selects(until, e) for e in self.trace.entries):
                break
            self.params["i"] = k
            await self.run_steps(step.steps, f"{suffix}#{k}")
            await self.pump(0)
        self.params.pop("i", None)

    def _peer_holds(self, cond: PeerCondition) -> bool:
        conns = self.peer.peer.connections
        if cond.connections is not None and len(conns) < cond.connections:
            return False
        if cond.frame is not None or cond.closed:
            if cond.connection >= len(conns):
                return False
            conn = conns[cond.connection]
            if cond.closed and not conn.closed:
                return False
            if cond.frame is not None:
                n = sum(1 for f in list(conn.frames) if f.kind == cond.frame)
                return n >= cond.count
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
            except CaseError as exc:
                self.log(f"teardown: {exc}")
                continue

            def done(name: str = name, alias: str = alias) -> bool:
                return self._finished(name) or any(
                    e.ref == alias and e.name == "fail" for e in self.trace.entries
                )

            if not await self.wait_for(done, timeout):
                self.log(f"teardown: task {name} did not report onClose within {timeout} s")
                if not self._errored(name):
                    self.unclosed.append(name)

    def _errored(self, name: str) -> bool:
        """The task reported an error (some runtimes detach a task after ``onError``)."""
        return any(
            e.task == name and e.kind == "event" and e.name in ("onError", "onSocketError")
            for e in self.trace.entries
        )

    def _finished(self, name: str) -> bool:
        for e in self.trace.entries:
            if e.task == name and e.kind == "event" and e.name == "onClose":
                return True
            if e.task == name and e.kind == "callback" and e.name == "fail":
                call = next((c for c in self.calls.values() if c.alias == e.ref), None)
                if call is not None and call.method == "connectSocket":
                    return True
        return False
