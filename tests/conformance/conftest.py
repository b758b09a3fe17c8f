"""Fixtures of the conformance suite's own tests (tests/conformance/driver has its own)."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from conformance.adapter import InProcessChannel
from conformance.engine import Engine, RunResult
from generator.spec import bundled_spec_dir, load_bundled_spec
from generator.spec.profiles import STRICT, Profile
from generator.spec.rules import RuleSet
from reference_impl import uni as reference_uni

#: Seconds per time unit in these tests: waits that must time out (broken implementations) do so
#: after 5 units.
TEST_UNIT = 0.3


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_bundled_spec().rules


def run_engine(
    uni: object,
    rules: RuleSet,
    *,
    select: Iterable[str] | None = None,
    profile: Profile = STRICT,
    unit: float = TEST_UNIT,
    jobs: int = 1,
    maxfail: int | None = None,
) -> RunResult:
    """Run the rules (those whose case id matches one of ``select``) against ``uni``."""
    patterns = list(select) if select is not None else None

    def chosen(_rule: object, case: object) -> bool:
        case_id = getattr(case, "id", "")
        return patterns is None or any(fnmatch.fnmatchcase(case_id, p) for p in patterns)

    engine = Engine(
        rules,
        lambda: InProcessChannel(uni),
        profile=profile,
        unit=unit,
        where="test",
        schema_for=load_bundled_spec().payload_schema,
        select=chosen,
        jobs=jobs,
        maxfail=maxfail,
    )
    return engine.run_sync()


@pytest.fixture(scope="session")
def engine_runner() -> Callable[..., RunResult]:
    return run_engine


@pytest.fixture(scope="session")
def reference_run(rules: RuleSet) -> RunResult:
    """One full strict run against the reference implementation, shared by the tests."""
    return run_engine(reference_uni, rules, unit=1.0)


@pytest.fixture
def spec_root() -> Path:
    return bundled_spec_dir()
