"""Broken implementations each fail the rule they break, and no unrelated rule.

Each is a thin wrapper around ``reference_impl.uni`` (``broken_impls.py``); the expected failures
are listed as data, case by case, so a rule that starts catching something unrelated (or stops
catching its own bug) shows up as a diff.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.engine import RunResult
from generator.spec.rules import RuleSet
from reference_impl import uni
from tests.conformance.broken_impls import BROKEN

INVALID_CODES = ["0", "999", "1004", "1005", "1006", "1015", "2999", "5000", "65536"]
INVALID_URLS = ["ftp-scheme", "mailto", "about-blank", "no-host", "space-in-host"]
BINARY_CASES = [
    "socket.send.binary-echo[small]",
    "socket.send.binary-echo[empty]",
    "socket.send.binary-echo[65k]",
    "socket.send.binary-echo[1mib]",
    "socket.receive.fragmented[binary]",
    "socket.receive.empty[binary]",
    "socket.receive.max-size-accepted",
]
ERROR_THEN_CLOSE = [
    "connect.success-even-if-unreachable",
    "connect.protocols-enforced[unoffered]",
    "connect.protocols-enforced[none-chosen]",
    "connect.handshake-rejected[403]",
    "connect.handshake-rejected[404]",
    "connect.redirect-not-followed[302]",
    "connect.redirect-not-followed[307]",
    "connect.wrong-accept-key",
    "connect.timeout",
    "connect.close-while-connecting",
    "socket.send.queue-limit",
    "socket.receive.protocol-violation[reserved-opcode]",
    "socket.receive.protocol-violation[invalid-utf8]",
    "socket.receive.protocol-violation[masked-server-frame]",
    "socket.close.abrupt-drop[reset]",
    "socket.close.abrupt-drop[eof]",
    "socket.close.nothing-after-close",
]

#: broken implementation -> the case ids that must not pass (every other case must pass)
EXPECTED: dict[str, set[str]] = {
    "no-complete": {"callbacks.exactly-one-result", "callbacks.listener-exception-isolated"},
    "success-before-open": {"socket.send.before-open"},
    "no-close-validation": {f"socket.close.invalid-code[{c}]" for c in INVALID_CODES},
    "binary-as-str": set(BINARY_CASES),
    "reordered": {"socket.receive.message-order", "socket.receive.listeners-in-order"},
    "no-close-after-error": set(ERROR_THEN_CLOSE),
    "globals-newest": {"globals.target-first-task", "globals.close-first-task"},
    "double-fail-not-open": {
        *(f"connect.invalid-url[{c}]" for c in INVALID_URLS),
        "socket.send.before-open",
        "socket.send.after-close-called",
        "socket.send.after-closed",
        "socket.close.nothing-after-close",
    },
}


def test_every_broken_implementation_has_expectations() -> None:
    assert set(EXPECTED) == set(BROKEN)
    assert len(BROKEN) >= 8


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_implementation_fails_only_its_rules(
    name: str, rules: RuleSet, engine_runner: Callable[..., RunResult]
) -> None:
    run = engine_runner(BROKEN[name](uni), rules)
    not_passing = {r.id: (r.verdict, r.reason) for r in run.results if r.verdict != "PASS"}
    assert set(not_passing) == EXPECTED[name], not_passing
    level = {case.id: rule.level for rule, case in rules.cases()}
    wrong = {
        case: verdict
        for case, (verdict, _) in not_passing.items()
        if verdict != ("FAIL" if level[case] == "MUST" else "WARN")
    }
    assert not wrong, not_passing


def test_error_then_close_cases_are_exactly_those_with_on_error(reference_run: RunResult) -> None:
    """The no-onClose-after-error expectations are the cases where the reference reports onError."""
    with_error = {
        r.id
        for r in reference_run.results
        if any(e.kind == "event" and e.name == "onError" for e in r.trace)
    }
    assert with_error == set(ERROR_THEN_CLOSE)
