"""Dependencies are bounded and locked: every runtime requirement stops below its next major, and
``constraints.txt`` pins every package a development install brings, at the version tested."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        project: dict[str, object] = tomllib.load(f)["project"]
    return project


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for number, raw in enumerate((ROOT / "constraints.txt").read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        assert match, f"constraints.txt:{number}: not NAME==VERSION: {line!r}"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"constraints.txt:{number}: {name} pinned twice"
        pins[name] = match.group(2)
    return pins


def test_every_runtime_requirement_has_an_upper_bound() -> None:
    for text in _project()["dependencies"]:  # type: ignore[attr-defined]
        requirement = Requirement(text)
        assert any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier), (
            f"{requirement.name}: no upper bound in pyproject.toml"
        )


def test_every_requirement_is_pinned_within_its_range() -> None:
    pins = _pins()
    extras: dict[str, list[str]] = _project()["optional-dependencies"]  # type: ignore[assignment]
    for text in [*_project()["dependencies"], *extras["dev"]]:  # type: ignore[misc]
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside {requirement.specifier}"
        )


def test_ci_installs_what_constraints_pin() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "-c constraints.txt" in ci
    assert "pip-audit" in ci
