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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from conformance._caserun import STEP_UNITS, CaseError, CaseRun, StepFailed
from conformance.channel import PROTOCOL_VERSION, Channel
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
    Case,
    Rule,
    RuleSet,
)

__all__ = [
    "DEFAULT_UNIT",
    "VERDICTS",
    "CaseResult",
    "Engine",
    "RunResult",
    "Verdict",
]


#: One unit of time, in seconds; every timeout is a multiple of it.
DEFAULT_UNIT: Final = 1.0
#: Consecutive failures to start the implementation after which the remaining cases are not run.
MAX_START_FAILURES: Final = 2


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
        out: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for r in self.results:
            out[r.verdict] += 1
        return out


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
        result = CaseResult(rule, case, Verdict.PASS)
        if self.start_failures >= MAX_START_FAILURES:
            result.verdict = Verdict.ERROR
            result.reason = (
                f"not run: the implementation failed to start {MAX_START_FAILURES} times"
            )
            return result
        try:
            channel = await self._ensure_channel()
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
        peer.start()
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
        except CaseError as exc:
            result.verdict, result.reason, broken = Verdict.ERROR, str(exc), True
        except (ChannelClosed, ChannelProtocolError, ChannelError) as exc:
            result.verdict, result.reason, broken = Verdict.ERROR, str(exc), True
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
            result.verdict = Verdict.PASS
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
                    result.verdict = Verdict.FAIL
                    result.reason = (
                        f"not even the allowance {allowance.rule} ({allowance.where}) holds: "
                        + "; ".join(alternative)
                    )
                    return
            result.verdict = Verdict.WARN
            result.allowance = allowance
            result.reason = f"allowed by {allowance.where}: {allowance.reason.en}"
            return
        result.verdict = Verdict.WARN if result.rule.level == "SHOULD" else Verdict.FAIL
        result.reason = result.failures[0]
