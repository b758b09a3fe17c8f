"""SKIP for undeclared capabilities; WARN for allowances and SHOULD rules; stale allowances."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import load_for_run
from conformance.engine import RunResult
from conformance.report import exit_code
from generator.spec.profiles import Profile
from generator.spec.rules import RuleSet
from reference_impl import uni
from tests.conformance.broken_impls import NoCloseValidation


class _OnlyBinary:
    """The reference, declaring only the ``binary`` capability."""

    utsapi_capabilities = ("binary",)

    def __getattr__(self, name: str) -> Any:
        return getattr(uni, name)


def test_undeclared_capability_is_skip(
    rules: RuleSet, engine_runner: Callable[..., RunResult]
) -> None:
    run = engine_runner(
        _OnlyBinary(), rules, select=["globals.*", "socket.send.binary-echo[[]small]"]
    )
    verdicts = {r.id: r.verdict for r in run.results}
    assert verdicts.pop("socket.send.binary-echo[small]") == "PASS"
    assert set(verdicts.values()) == {"SKIP"}
    assert all("globals" in r.reason for r in run.results if r.verdict == "SKIP")
    assert exit_code(run) == 0


PROFILE = """
version: 1
name: test-profile
description: {zh: 测试, en: test}
allowances:
- rule: socket.close.invalid-code
  cases: ["0", "5000"]
  reason: {zh: 不校验, en: no validation}
  sources: [test]
  instead:
  - count: {bad.result: 1, bad.complete: 1}
- rule: socket.close.reason-too-long
  reason: {zh: 不会用到, en: never needed}
  sources: [test]
"""


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    """PROFILE, loaded and checked against the bundled rules as a run would load it."""
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE, "utf-8")
    return load_for_run(None, str(path))[1]


def test_allowance_turns_fail_into_warn_and_unused_ones_are_stale(
    rules: RuleSet, engine_runner: Callable[..., RunResult], profile: Profile
) -> None:
    run = engine_runner(
        NoCloseValidation(uni),
        rules,
        select=[
            "socket.close.invalid-code[[]0]",
            "socket.close.invalid-code[[]5000]",
            "socket.close.invalid-code[[]999]",
            "socket.close.reason-too-long[[]124-ascii]",
        ],
        profile=profile,
    )
    verdicts = {r.id: r.verdict for r in run.results}
    assert verdicts == {
        "socket.close.invalid-code[0]": "WARN",
        "socket.close.invalid-code[5000]": "WARN",
        "socket.close.invalid-code[999]": "FAIL",
        "socket.close.reason-too-long[124-ascii]": "PASS",
    }
    warned = next(r for r in run.results if r.verdict == "WARN")
    assert warned.allowance is not None and "no validation" in warned.reason
    assert [a.rule for a in run.stale_allowances] == ["socket.close.reason-too-long"]
    assert exit_code(run) == 1


def test_allowance_for_cases_that_did_not_run_is_not_stale(
    rules: RuleSet, engine_runner: Callable[..., RunResult], profile: Profile
) -> None:
    run = engine_runner(
        NoCloseValidation(uni),
        rules,
        select=["socket.close.invalid-code[[]0]"],
        profile=profile,
    )
    assert [r.verdict for r in run.results] == ["WARN"]
    assert run.stale_allowances == []


class _AdditiveGlobals:
    """Registering onSocketOpen again adds a listener (UNI-H5 does): a SHOULD rule fails."""

    def __init__(self) -> None:
        self.open_listeners: list[Callable[[Any], None]] = []

    def onSocketOpen(self, listener: Callable[[Any], None]) -> None:
        if not self.open_listeners:
            with warnings.catch_warnings():  # this wrapper calls the deprecated global on purpose
                warnings.simplefilter("ignore", DeprecationWarning)
                uni.onSocketOpen(self._dispatch)
        self.open_listeners.append(listener)

    def _dispatch(self, res: Any) -> None:
        for listener in list(self.open_listeners):
            listener(res)

    def __getattr__(self, name: str) -> Any:
        return getattr(uni, name)


def test_should_rule_failure_is_warn(
    rules: RuleSet, engine_runner: Callable[..., RunResult]
) -> None:
    run = engine_runner(_AdditiveGlobals(), rules, select=["globals.listener-replaces"])
    (result,) = run.results
    assert result.rule.level == "SHOULD"
    assert result.verdict == "WARN", result.failures
    assert "old" in result.reason
    assert exit_code(run) == 0
