"""An in-process implementation is named in the summary and the report (issue 13): by its own
``utsapi_name``/``utsapi_version`` when it sets them, else by its package and that package's
version; a missing version is said as such, not printed as "unknown"."""

from __future__ import annotations

import io
import types
from pathlib import Path

import pytest

from conformance.adapter import describe_implementation
from generator.cli import run as cli_run
from reference_impl import uni


class _Wrapped:
    def __getattr__(self, name: str) -> object:
        return getattr(uni, name)


class _Named(_Wrapped):
    utsapi_name = "my uni"
    utsapi_version = "2.1"


def test_an_implementation_names_itself() -> None:
    hello = describe_implementation(_Named())
    assert (hello["name"], hello["version"]) == ("my uni", "2.1")


def test_the_reference_is_named_by_its_package() -> None:
    hello = describe_implementation(uni)
    assert hello["name"] == "reference_impl" and hello["version"] not in ("", "unknown")


def test_a_missing_version_is_said_in_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("nameless_impl")
    module.Wrapped = type("Wrapped", (_Wrapped,), {"__module__": "nameless_impl"})  # type: ignore[attr-defined]
    module.uni = module.Wrapped()  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "nameless_impl", module)
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(
        ["conformance", "run", "--impl", "nameless_impl:uni", "-q", "-k",
         "connect.success-then-complete*"],
        out, err,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    summary = out.getvalue().strip().splitlines()[-1]
    assert summary.startswith("nameless_impl (no version: set __version__ or utsapi_version):")
    assert "unknown" not in summary
