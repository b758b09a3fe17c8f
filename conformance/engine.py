"""The rule engine: run every rule case through a :class:`~conformance.channel.Channel`.

For each case the engine starts a fresh :class:`~conformance.peer.PeerThread`, sends the steps as
driver-protocol ``call`` messages, records everything that comes back into a
:class:`~conformance.trace.Trace`, evaluates the expectations, then closes whatever the case left
open so the next case on that channel starts clean (the deprecated globals act on the *first live*
task).

Cases run concurrently, ``jobs`` at a time, each on its own peer and on a channel of its own
(channels are made by the factory as needed and reused one case after another).  A case that
touches ``uni``'s own state (the deprecated globals and their listeners) runs alone when the
channels share one implementation instance (``isolated=False``, the in-process runner: every
channel drives the same ``uni`` object); with one implementation instance per channel (a driver
process each, ``isolated=True``) every case may run beside any other.  Results are handed to
``on_result`` and returned in case order, whatever order the cases finished in; ``jobs=1`` runs
them one after the other, in case order.

It never sleeps: every wait is "until this trace or peer condition holds", bounded by a timeout
scaled from one ``unit`` (seconds), like the ``MS`` unit of websockets' tests.  A call that does
not return, a channel that closes or breaks the protocol makes the case ERROR; the channel is then
rebuilt from its factory and the run goes on.  When the implementation stops answering
(:data:`MAX_UNANSWERED` cases in a row with a call that never returned, or as many cases whose
tasks never reported ``onClose`` after ``close()`` while no ``onClose`` was ever seen), the cases
not yet started end at once as ERROR: the harness cannot judge an implementation that hangs or
never closes what it opened (the next case would find its tasks still live).  ``maxfail`` stops
starting cases after that many FAIL or ERROR verdicts; those cases are listed as not run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from conformance._caserun import STEP_UNITS, CaseError, CaseRun, StepFailed
from conformance.channel import PROTOCOL_VERSION, Channel, minor_of
from conformance.exceptions import (
    ChannelClosed,
    ChannelError,
    ChannelProtocolError,
    ChannelTimeout,
)
from conformance.peer import PeerThread
from conformance.trace import Trace, TraceEntry, evaluate
from conformance.values import expand
from generator.report import VERDICTS, Verdict
from generator.spec.profiles import Allowance, Profile
from generator.spec.rules import (
    CallStep,
    Case,
    ListenStep,
    RepeatStep,
    Rule,
    RuleSet,
    Step,
)

__all__ = [
    "ALLOWANCE_UNMET",
    "DEFAULT_UNIT",
    "MAX_UNANSWERED",
    "VERDICTS",
    "CaseResult",
    "Engine",
    "RunResult",
    "Verdict",
    "payload_type_errors",
    "touches_globals",
]


#: How the reason of a FAIL starts when an allowance applied but its ``instead`` did not hold.
ALLOWANCE_UNMET: Final = "the allowance applied but did not hold:"

#: One unit of time, in seconds; every timeout is a multiple of it.
DEFAULT_UNIT: Final = 1.0
#: Consecutive failures to start the implementation after which the remaining cases are not run.
MAX_START_FAILURES: Final = 2
#: After this many cases in a row (in the order they finished) with a call that never returned,
#: or this many cases whose tasks never reported ``onClose`` after ``close()`` while no case has
#: ever seen an ``onClose``, the cases not yet started end as ERROR.
MAX_UNANSWERED: Final = 3


@dataclass
class CaseResult:
    rule: Rule
    case: Case
    verdict: Verdict
    failures: list[str] = field(default_factory=list)
    duration: float = 0.0
    trace: list[TraceEntry] = field(default_factory=list)
    peer: list[dict[str, object]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    allowance: Allowance | None = None
    reason: str = ""
    params: dict[str, object] = field(default_factory=dict)
    #: A call of the case did not return (the implementation hangs).
    hung: bool = False
    #: Tasks the teardown closed that never reported ``onClose``.
    unclosed: list[str] = field(default_factory=list)

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
    #: Ids of the selected cases that were not started (``maxfail`` reached), in case order.
    not_run: list[str] = field(default_factory=list)
    #: Why the run stopped early ("" when every selected case ran).
    stopped: str = ""

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for r in self.results:
            out[r.verdict] += 1
        return out


def _steps(steps: Sequence[Step]) -> Iterator[Step]:
    for step in steps:
        yield step
        if isinstance(step, RepeatStep):
            yield from _steps(step.steps)


def touches_globals(rule: Rule) -> bool:
    """Whether the rule calls ``uni`` for anything but ``connectSocket`` (the deprecated globals
    and their listeners act on state every task of the implementation shares)."""
    for step in _steps(rule.steps):
        if isinstance(step, CallStep) and step.target == "uni" and step.method != "connectSocket":
            return True
        if isinstance(step, ListenStep) and any(lst.target == "uni" for lst in step.listeners):
            return True
    return False


def payload_type_errors(trace: Sequence[TraceEntry]) -> list[str]:
    """Callbacks and listeners that got something other than a result object.

    Every callback and listener of the API receives one result object (``GeneralCallbackResult``,
    ``OnSocketOpenCallbackResult``, …); a payload that is not an object (a string, a number, a
    list, ``null``, nothing, a value the implementation's language could not encode) leaves the
    expectations nothing to read, so the case is ERROR rather than FAIL whatever the rules say.
    """
    problems: list[str] = []
    for e in trace:
        if e.kind not in ("callback", "event"):
            continue
        payload = e.payload
        if isinstance(payload, Mapping) and not any(str(k).startswith("$") for k in payload):
            continue
        if payload is None:
            what = "no result object (null or nothing)"
        elif isinstance(payload, Mapping):
            what = f"an encoded value ({', '.join(sorted(map(str, payload)))}), not an object"
        else:
            what = f"a {type(payload).__name__}, not a result object"
        problems.append(f"{e.label()} (#{e.seq}) got {what}")
    return problems


_CLOSE_EVENTS: Final = frozenset({"onClose", "onSocketClose"})


@dataclass
class _Slot:
    """One channel of the pool; a case holds it from start to teardown."""

    channel: Channel | None = None


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
        schema_for: Callable[[str], Mapping[str, Any]],
        select: Callable[[Rule, Case], bool] | None = None,
        on_result: Callable[[CaseResult], None] | None = None,
        jobs: int = 1,
        maxfail: int | None = None,
        isolated: bool = False,
        platform: str | None = None,
    ) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        if maxfail is not None and maxfail < 1:
            raise ValueError(f"maxfail must be at least 1, got {maxfail}")
        self.rules = rules
        self.channel_factory = channel_factory
        self.profile = profile
        self.unit = unit
        self.where = where
        self.select = select
        self.on_result = on_result
        self.schema_for = schema_for
        self.jobs = jobs
        self.maxfail = maxfail
        self.isolated = isolated
        #: The platform given by the caller (``--platform``); else the hello's (1.1).
        self.platform_override = platform
        #: The minor protocol version of the implementation's hello (1: reset, stamps).
        self.minor = 0
        self._id = 0
        self.implementation: dict[str, object] = {}
        self.channel_logs: list[str] = []
        self.start_failures = 0
        self._hung: list[str] = []
        self._unclosed: list[str] = []
        self._ever_closed = False
        self.harness_errors: list[str] = []
        self._gave_up = ""

    def next_id(self) -> int:
        self._id += 1
        return self._id

    async def _ensure_channel(self, slot: _Slot) -> Channel:
        if slot.channel is None:
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
            if not self.implementation:
                self.implementation = dict(hello)
                self.minor = minor_of(hello)
            slot.channel = channel
        return slot.channel

    async def _drop_channel(self, slot: _Slot) -> None:
        if slot.channel is not None:
            channel, slot.channel = slot.channel, None
            try:
                await asyncio.wait_for(channel.close(), 5 * self.unit + 5)
            except (TimeoutError, ChannelError) as exc:
                self.channel_logs.append(f"closing the channel: {exc}")

    @property
    def platform(self) -> str | None:
        """The platform the allowances are matched against (None: not named)."""
        if self.platform_override is not None:
            return self.platform_override
        named = self.implementation.get("platform")
        return named if isinstance(named, str) else None

    def capabilities(self) -> set[str]:
        caps = self.implementation.get("capabilities", [])
        return {str(c) for c in caps} if isinstance(caps, list) else set()

    def run_sync(self) -> RunResult:
        """:meth:`run` in a new event loop, for synchronous callers.

        The result is handed out of the loop through a variable, not as the main task's result:
        on Python 3.11 ``asyncio.run`` ends by looking up its SIGINT handler, whose ``repr`` holds
        the main task and with it its result, and a result whose traces hold 16 MiB messages took
        seconds and a gigabyte to ``repr``.
        """
        box: list[RunResult] = []

        async def main() -> None:
            box.append(await self.run())

        asyncio.run(main())
        return box[0]

    async def run(self) -> RunResult:
        started = time.time()
        t0 = time.monotonic()
        chosen = [
            (rule, case)
            for rule, case in self.rules.cases()
            if self.select is None or self.select(rule, case)
        ]
        done: list[CaseResult | None] = [None] * len(chosen)
        reported = 0
        failed = 0
        stopped = ""
        slots = [_Slot() for _ in range(min(self.jobs, max(len(chosen), 1)))]
        idle = list(reversed(slots))
        running: dict[asyncio.Task[CaseResult], tuple[int, _Slot, bool]] = {}
        alone = False  # a case that must run by itself is running
        nxt = 0

        def finish(index: int, result: CaseResult) -> None:
            nonlocal reported, failed
            done[index] = result
            if result.verdict in (Verdict.FAIL, Verdict.ERROR):
                failed += 1
            while reported < len(done) and (ready := done[reported]) is not None:
                reported += 1
                if self.on_result is not None:
                    self.on_result(ready)

        async def reap() -> None:
            nonlocal alone
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(finished, key=lambda t: running[t][0]):
                index, slot, by_itself = running.pop(task)
                idle.append(slot)
                alone = alone and not by_itself
                finish(index, task.result())

        try:
            while nxt < len(chosen):
                if self.maxfail is not None and failed >= self.maxfail:
                    stopped = (
                        f"stopped after {failed} FAIL or ERROR verdict(s) (maxfail {self.maxfail})"
                    )
                    break
                if self._gave_up:
                    finish(nxt, self._not_run(*chosen[nxt]))
                    nxt += 1
                    continue
                rule, case = chosen[nxt]
                by_itself = not self.isolated and self.jobs > 1 and touches_globals(rule)
                if running and (alone or by_itself or not idle):
                    await reap()
                    continue
                slot = idle.pop()
                task = asyncio.create_task(self.run_case(rule, case, nxt + 1, slot))
                running[task] = (nxt, slot, by_itself)
                alone = by_itself
                nxt += 1
            while running:
                await reap()
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.wait(running)
            for slot in slots:
                await self._drop_channel(slot)
        results = [r for r in done if r is not None]
        not_run = [case.id for (_, case), r in zip(chosen, done, strict=True) if r is None]
        ran = [r.case for r in results]
        used = {id(r.allowance) for r in results if r.allowance is not None}
        # Stale: an allowance for this platform and a case that ran, that no case needed (with
        # -k, an allowance whose cases were not selected says nothing either way; one that
        # applied but did not hold was needed, its case FAILs naming it).
        platform = self.platform
        stale = [
            a
            for a in self.profile.allowances
            if id(a) not in used and a.applies_to(platform) and any(a.covers(case) for case in ran)
        ]
        return RunResult(
            implementation=self.implementation,
            profile=self.profile,
            results=results,
            started=started,
            duration=time.monotonic() - t0,
            stale_allowances=stale,
            harness_errors=list(self.harness_errors),
            not_run=not_run,
            stopped=stopped or self._gave_up,
        )

    def _not_run(self, rule: Rule, case: Case) -> CaseResult:
        return CaseResult(rule, case, Verdict.ERROR, reason=f"not run: {self._gave_up}")

    def _note_answer(self, result: CaseResult) -> None:
        """Give up on an implementation that stopped answering (see :data:`MAX_UNANSWERED`)."""
        if any(e.kind == "event" and e.name in _CLOSE_EVENTS for e in result.trace):
            self._ever_closed = True
        if result.hung:
            self._hung.append(f"{result.id}: a call did not return")
        else:
            self._hung.clear()
        if result.unclosed and not self._ever_closed:
            tasks = ", ".join(result.unclosed)
            self._unclosed.append(f"{result.id}: {tasks} never reported onClose after close()")
        for streak in (self._hung, [] if self._ever_closed else self._unclosed):
            if len(streak) >= MAX_UNANSWERED and not self._gave_up:
                self._gave_up = "the implementation stopped answering (" + "; ".join(streak) + ")"
                self.harness_errors.append(f"{self.where}: gave up: {self._gave_up}")

    async def run_case(
        self, rule: Rule, case: Case, number: int, slot: _Slot | None = None
    ) -> CaseResult:
        slot = slot if slot is not None else _Slot()
        result = await self._run_case(rule, case, number, slot)
        if result.verdict is not Verdict.SKIP and not result.reason.startswith("not run"):
            self._note_answer(result)
        return result

    async def _run_case(self, rule: Rule, case: Case, number: int, slot: _Slot) -> CaseResult:
        t0 = time.monotonic()
        result = CaseResult(rule, case, Verdict.PASS)
        if self._gave_up:
            return self._not_run(rule, case)
        if self.start_failures >= MAX_START_FAILURES:
            result.verdict = Verdict.ERROR
            result.reason = (
                f"not run: the implementation failed to start {MAX_START_FAILURES} times"
            )
            return result
        try:
            channel = await self._ensure_channel(slot)
        except ChannelError as exc:
            self.start_failures += 1
            result.verdict = Verdict.ERROR
            result.reason = f"cannot start the implementation: {exc}"
            result.duration = time.monotonic() - t0
            if self.start_failures == MAX_START_FAILURES:
                self.harness_errors.append(f"{self.where}: gave up after: {exc}")
            return result
        self.start_failures = 0
        missing = sorted(set(rule.requires) - self.capabilities())
        if missing:
            result.verdict = Verdict.SKIP
            result.reason = f"the implementation does not declare {', '.join(missing)}"
            result.duration = time.monotonic() - t0
            return result
        peer = PeerThread()
        await asyncio.to_thread(peer.start)
        run = CaseRun(self, rule=rule, case=case, channel=channel, peer=peer, number=number)
        broken = False
        try:
            try:
                await run.run_steps(rule.steps, "")
                await run.drain()
            except StepFailed as exc:
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
            if self.minor >= 1:
                await self._reset(run)
        except CaseError as exc:
            result.verdict, result.reason, broken = Verdict.ERROR, str(exc), True
            result.hung = exc.hung
        except (ChannelClosed, ChannelProtocolError, ChannelError) as exc:
            result.verdict, result.reason, broken = Verdict.ERROR, str(exc), True
        finally:
            # The peer's thread is joined off the harness loop: the other cases go on meanwhile.
            await asyncio.to_thread(peer.stop)
            result.logs = run.logs
            if not result.trace:
                result.trace = list(run.trace.entries)
                result.peer = peer.peer.snapshot()
        result.unclosed = list(run.unclosed)
        if broken:
            await self._drop_channel(slot)
        else:
            self._judge(result)
        result.duration = time.monotonic() - t0
        return result

    async def _reset(self, run: CaseRun) -> None:
        """1.1: ask the implementation to forget the case (tasks, listeners); wait for its answer.

        Lines that come before the answer still belong to the case (late events are logged).
        No answer in time is a protocol error of the case (its channel is dropped).
        """
        await run.channel.send({"type": "reset"})
        answered = False

        def seen(message: Mapping[str, object]) -> bool:
            nonlocal answered
            answered = answered or message.get("type") == "reset"
            return answered

        timeout = STEP_UNITS * self.unit
        deadline = time.monotonic() + timeout
        while not answered:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CaseError(f"reset: no answer within {timeout:.1f} s", hung=True)
            try:
                message = await run.channel.receive(remaining)
            except ChannelTimeout:
                continue
            if not seen(message):
                run.record(message)

    def _judge(self, result: CaseResult) -> None:
        typing = payload_type_errors(result.trace)
        if typing:
            result.verdict = Verdict.ERROR
            result.reason = (
                "payload type error: "
                + "; ".join(typing[:3])
                + (f" (and {len(typing) - 3} more)" if len(typing) > 3 else "")
            )
            return
        if not result.failures:
            result.verdict = Verdict.PASS
            return
        allowances = self.profile.allowances_for(result.case, self.platform)
        unmet: list[tuple[Allowance, list[str]]] = []
        params = result.params
        for allowance in allowances:
            if allowance.instead:
                trace = Trace(list(result.trace))
                alternative = evaluate(
                    allowance.instead,
                    trace,
                    result.peer,
                    expand=lambda v: expand(v, params),
                    schema_for=self.schema_for,
                )
                if alternative:
                    unmet.append((allowance, alternative))
                    continue
            result.verdict = Verdict.WARN
            result.allowance = allowance
            result.reason = f"allowed by {allowance.where}: {allowance.reason.en}"
            return
        if unmet:
            # The deviation is the allowed one's kin, but not even what it promises holds: a
            # FAIL that names the allowance (reported apart from a plain FAIL, never stale).
            allowance, alternative = unmet[0]
            result.verdict = Verdict.FAIL
            result.allowance = allowance
            result.reason = f"{ALLOWANCE_UNMET} {allowance.rule} ({allowance.where}): " + "; ".join(
                alternative
            )
            return
        result.verdict = Verdict.WARN if result.rule.level == "SHOULD" else Verdict.FAIL
        result.reason = result.failures[0]
