"""pytest plugin: the conformance rules as test items, for implementers' own CI.

::

    pytest --utsapi-impl mypackage:uni            # in-process Python implementation
    pytest --utsapi-driver "node my_driver.mjs"   # any language, over the driver protocol
           [--utsapi-profile native-compat] [--utsapi-unit 2.0] [--utsapi-validate-protocol]

Each rule case becomes an item ``utsapi::<case id>`` (``-k`` selects them as usual).  The engine
runs once, for the selected items, when the first of them runs (one implementation process for
the whole session); every item then reports its own verdict: FAIL and ERROR fail, SKIP skips, WARN
passes with a warning.  Without ``--utsapi-impl``/``--utsapi-driver`` the plugin does nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ConformanceWarning", "RuleItem"]

_KEY = pytest.StashKey["_Session"]()


class ConformanceWarning(UserWarning):
    """A SHOULD rule failed, or a profile allowance was applied (verdict WARN)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("utsapi", "utsapi conformance rules")
    group.addoption("--utsapi-impl", metavar="MODULE:ATTR", help="run the rules in-process")
    group.addoption("--utsapi-driver", metavar="COMMAND", help="run the rules over stdio")
    group.addoption("--utsapi-profile", default="strict", help="profile name or file")
    group.addoption("--utsapi-unit", type=float, default=1.0, help="seconds per time unit")
    group.addoption(
        "--utsapi-validate-protocol",
        action="store_true",
        help="check every driver-protocol message against its schema",
    )


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("utsapi_impl") or config.getoption("utsapi_driver"))


class _Session:
    """The one engine run shared by every item of the pytest session."""

    def __init__(self, config: pytest.Config) -> None:
        from conformance.cli import load_for_run  # noqa: PLC0415

        self.config = config
        self.spec, self.profile = load_for_run(None, str(config.getoption("utsapi_profile")))
        self.rules = self.spec.rules
        self.results: dict[str, Any] | None = None
        self.selected: set[str] = set()

    def run(self) -> dict[str, Any]:
        if self.results is None:
            from conformance.cli import channel_factory  # noqa: PLC0415
            from conformance.engine import Engine  # noqa: PLC0415

            impl = self.config.getoption("utsapi_impl")
            driver = self.config.getoption("utsapi_driver")
            factory, runner, target = channel_factory(
                impl=impl,
                driver=driver,
                validate=bool(self.config.getoption("utsapi_validate_protocol")),
            )
            engine = Engine(
                self.rules,
                factory,
                profile=self.profile,
                unit=float(self.config.getoption("utsapi_unit")),
                where=f"{runner}:{target}",
                schema_for=self.spec.payload_schema,
                select=lambda _rule, case: case.id in self.selected,
            )
            run = engine.run_sync()
            self.results = {r.id: r for r in run.results}
        return self.results


class RuleItem(pytest.Item):
    """One rule case."""

    def __init__(self, *, case_id: str, rule: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case_id = case_id
        self.rule = rule
        self.add_marker(pytest.mark.utsapi)

    def runtest(self) -> None:
        session: _Session = self.config.stash[_KEY]
        result = session.run().get(self.case_id)
        if result is None:
            raise _RuleFailure(self.case_id, "ERROR", ["the engine did not run this case"])
        if result.verdict == "SKIP":
            pytest.skip(result.reason)
        if result.verdict == "WARN":
            warnings.warn(f"{self.case_id}: {result.reason}", ConformanceWarning, stacklevel=1)
        if result.verdict in ("FAIL", "ERROR"):
            details = result.failures or [result.reason]
            from conformance.trace import Trace  # noqa: PLC0415

            raise _RuleFailure(
                self.case_id, result.verdict, details, Trace(list(result.trace)).render(80)
            )

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, _RuleFailure):
            failure = excinfo.value
            lines = [f"{failure.verdict} {failure.case_id} ({self.rule.where})", *failure.details]
            if failure.trace:
                lines += ["trace:", *failure.trace]
            return "\n".join(lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return Path(self.rule.file), self.rule.line - 1, f"utsapi {self.case_id}"


class _RuleFailure(Exception):
    def __init__(
        self, case_id: str, verdict: str, details: list[str], trace: list[str] | None = None
    ) -> None:
        super().__init__(case_id, verdict)
        self.case_id = case_id
        self.verdict = verdict
        self.details = details
        self.trace = trace or []


class _RuleCollector(pytest.Collector):
    def collect(self) -> Iterator[pytest.Item]:
        session: _Session = self.config.stash[_KEY]
        for rule, case in session.rules.cases():
            yield RuleItem.from_parent(self, name=case.id, case_id=case.id, rule=rule)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "utsapi: a utsapi conformance rule case")
    if _enabled(config):
        config.stash[_KEY] = _Session(config)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not _enabled(config):
        return
    collector = _RuleCollector.from_parent(session, name="utsapi", nodeid="utsapi")
    generated = list(collector.collect())
    keyword = config.getoption("keyword")
    if keyword:
        from _pytest.mark import deselect_by_keyword  # noqa: PLC0415

        deselect_by_keyword(generated, config)
    items.extend(generated)
    config.stash[_KEY].selected = {i.case_id for i in generated if isinstance(i, RuleItem)}
