"""``MODULE:ATTR`` names resolve in one place, and every failure says which part failed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.adapters.python_driver import load_object
from conformance.cli import load_implementation
from conformance.exceptions import ImplementationLoadError
from generator.targets import TargetError, resolve_target


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "target_ok.py").write_text(
        (
            "class Uni:\n    class Inner:\n        value = 42\n"
            "        class impl:\n            @staticmethod\n"
            "            def connectSocket():\n                return 'task'\n\nuni = Uni()\n"
        ),
        encoding="utf-8",
    )
    (tmp_path / "target_broken.py").write_text("import os\nos.nothing_here\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("target_ok", "target_broken"):
        sys.modules.pop(name, None)


def test_a_dotted_attribute_path_resolves(modules: Path) -> None:
    assert resolve_target("target_ok:Uni.Inner.value") == 42
    assert type(resolve_target("target_ok:uni")).__name__ == "Uni"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("target_ok", "expected MODULE:ATTR"),
        ("target_ok:", "expected MODULE:ATTR"),
        (":uni", "expected MODULE:ATTR"),
        ("target ok:uni", "expected MODULE:ATTR"),
        ("no_such_module_xyz:uni", "cannot import 'no_such_module_xyz': ModuleNotFoundError"),
        ("target_ok:Uni.nope", "target_ok has no attribute 'Uni.nope'"),
        # An AttributeError raised while importing is an import failure, not a missing attribute.
        ("target_broken:uni", "cannot import 'target_broken': AttributeError"),
    ],
)
def test_a_bad_target_says_which_part_failed(modules: Path, target: str, reason: str) -> None:
    with pytest.raises(TargetError) as caught:
        resolve_target(target)
    assert caught.value.target == target
    assert reason in caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_the_conformance_runners_resolve_through_it(modules: Path) -> None:
    assert load_object is resolve_target
    assert load_implementation("target_ok:Uni.Inner.impl").connectSocket() == "task"
    with pytest.raises(ImplementationLoadError) as caught:
        load_implementation("target_ok:nope")
    assert caught.value.reason == "target_ok has no attribute 'nope'"
    with pytest.raises(ImplementationLoadError) as caught:
        load_implementation("target_ok:Uni.Inner.value")
    assert caught.value.reason == "int object has no connectSocket: not a uni implementation"
