"""One case's bookkeeping: what it keeps of a driver's log stays bounded."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from conformance._caserun import MAX_LOG_CHARS, MAX_LOG_LINES, CaseRun
from generator.spec import load_bundled_spec


def _case_run() -> CaseRun:
    rule = load_bundled_spec().rules.rules[0]
    engine = SimpleNamespace(unit=1.0, where="test", next_id=lambda: 1)
    peer = SimpleNamespace(url="ws://127.0.0.1:9")
    return CaseRun(
        engine,
        rule=rule,
        case=rule.cases[0],
        channel=cast(Any, None),
        peer=cast(Any, peer),
        number=1,
    )


def test_a_driver_that_logs_without_end_is_kept_to_a_bounded_log() -> None:
    run = _case_run()
    for i in range(10_000):
        run._record({"type": "log", "message": f"{i} " + "x" * 10_000})
    assert len(run.logs) == MAX_LOG_LINES + 1
    assert all(len(line) < MAX_LOG_CHARS + 40 for line in run.logs)
    assert run.logs[0].startswith("impl: 0 xxx") and run.logs[0].endswith("(10008 characters)")
    assert run.logs[-1] == f"… {10_000 - MAX_LOG_LINES} more log line(s) dropped"
