"""Platform-aware profiles: an allowance's ``platforms`` is matched against the platform the
implementation names (driver protocol 1.1 hello, or ``--platform``); an allowance that applied
but whose ``instead`` did not hold is a FAIL naming it, and not stale."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conformance.adapter import InProcessChannel
from conformance.cli import load_for_run
from conformance.engine import ALLOWANCE_UNMET, Engine, RunResult
from generator.cli import run as cli_entry
from generator.exceptions import SpecError
from generator.spec import load_bundled_spec
from generator.spec.profiles import Profile
from reference_impl import uni
from tests.conformance.broken_impls import NoCloseValidation
from tests.conformance.conftest import TEST_UNIT

CASES = ["socket.close.invalid-code[0]", "socket.close.invalid-code[5000]"]

PROFILE = """
version: 1
name: platform-test
description: {zh: 测试, en: test}
allowances:
- rule: socket.close.invalid-code
  cases: ["0", "5000"]
  reason: {zh: iOS 不校验, en: no validation on iOS}
  sources: [test]
  platforms: [app-ios]
  instead:
  - count: {bad.result: 1, bad.complete: 1}
- rule: socket.close.invalid-code
  cases: ["0"]
  reason: {zh: 安卓承诺了做不到的事, en: Android promises what it does not do}
  sources: [test]
  platforms: [app-android]
  instead:
  - count: {bad.fail: 1}
- rule: socket.close.invalid-code
  cases: ["0"]
  reason: {zh: 安卓的第二个, en: the second Android allowance}
  sources: [test]
  platforms: [app-android, app-harmony]
  instead:
  - count: {bad.complete: 1}
"""


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE, "utf-8")
    return load_for_run(None, str(path))[1]


def _run(profile: Profile, platform: str | None, impl: object) -> RunResult:
    spec = load_bundled_spec()
    engine = Engine(
        spec.rules,
        lambda: InProcessChannel(impl, platform=platform),
        profile=profile,
        unit=TEST_UNIT,
        where="test",
        schema_for=spec.payload_schema,
        select=lambda _r, c: c.id in CASES,
    )
    return engine.run_sync()


def _verdicts(run: RunResult) -> dict[str, str]:
    return {r.id: str(r.verdict) for r in run.results}


def test_an_allowance_excuses_only_its_platforms(profile: Profile) -> None:
    ios = _run(profile, "app-ios", NoCloseValidation(uni))
    assert _verdicts(ios) == dict.fromkeys(CASES, "WARN")
    assert ios.stale_allowances == []  # the Android ones are not for iOS: not stale either
    for platform in ("web", None):  # web: no allowance is for it; None: named no platform
        run = _run(profile, platform, NoCloseValidation(uni))
        assert _verdicts(run) == dict.fromkeys(CASES, "FAIL"), platform
        assert all(r.allowance is None for r in run.results)


def test_the_first_allowance_that_holds_excuses_and_one_that_did_not_hold_is_named(
    profile: Profile,
) -> None:
    """Case 0 on Android: the first allowance's instead fails, the second holds (WARN by the
    second; the first excused nothing, so it is stale); case 5000 has no Android allowance."""
    run = _run(profile, "app-android", NoCloseValidation(uni))
    by_id = {r.id: r for r in run.results}
    zero, other = by_id[CASES[0]], by_id[CASES[1]]
    assert zero.verdict == "WARN" and zero.allowance is not None
    assert "second Android" in zero.allowance.reason.en
    assert other.verdict == "FAIL" and other.allowance is None
    assert [a.reason.en for a in run.stale_allowances] == ["Android promises what it does not do"]


def test_an_allowance_that_applied_but_did_not_hold_is_a_named_fail_not_stale(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.yaml"
    without_second = PROFILE.split(
        '- rule: socket.close.invalid-code\n  cases: ["0"]\n  reason: {zh: 安卓的第二个', maxsplit=1
    )[0]
    assert "second Android" not in without_second
    path.write_text(without_second, "utf-8")
    profile = load_for_run(None, str(path))[1]
    run = _run(profile, "app-android", NoCloseValidation(uni))
    zero = next(r for r in run.results if r.id == CASES[0])
    assert zero.verdict == "FAIL"
    assert zero.allowance is not None and "Android promises" in zero.allowance.reason.en
    assert zero.reason.startswith(ALLOWANCE_UNMET)
    assert run.stale_allowances == []


def test_profile_platforms_are_the_protocol_names(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PROFILE.replace("[app-ios]", "[app.ios]"), "utf-8")
    with pytest.raises(SpecError, match=r"app\.ios"):
        load_for_run(None, str(path))


def test_cli_platform_option_reaches_the_summary() -> None:
    out, err = io.StringIO(), io.StringIO()
    args = [
        "conformance",
        "run",
        "--impl",
        "reference_impl:uni",
        "-q",
        "-k",
        "connect.invalid-url*",
    ]
    code = cli_entry([*args, "--platform", "app-harmony"], out, err)
    assert code == 0, err.getvalue()
    assert "platform app-harmony)" in out.getvalue()
    assert cli_entry([*args, "--platform", "android"], io.StringIO(), io.StringIO()) == 2
