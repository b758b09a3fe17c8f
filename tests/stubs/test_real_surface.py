"""The typed package of the whole surface: the pinned npm package imported by ``utsapi import``
(Node, cached in the user's cache as on first use), every module rendered, the package
imported in a fresh interpreter and clean under ``mypy --strict``.  Slow: the suite runs it in CI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.spec import load_spec
from generator.stubs import generate_stubs, module_names
from tests.importer.support import needs_node
from tests.stubs.support import clean_env, make_checkers

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    needs_node()
    base = tmp_path_factory.mktemp("real-surface")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "import", "--out", str(base / "spec")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    spec = load_spec([base / "spec"])
    generate_stubs(spec, base / "out", distribution="uniapi-surface")
    return base / "out", len(spec.modules)


def test_one_typed_module_per_spec_module(package: tuple[Path, int]) -> None:
    out, count = package
    assert count >= 110
    files = sorted(p.stem for p in (out / "uniapi").glob("*.py") if p.stem != "__init__")
    assert len(files) == count
    proc = subprocess.run(
        [sys.executable, "-B", "-c", "import uniapi; print(len(uniapi.__all__))"],
        cwd=out, env=clean_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == str(count)


def test_the_whole_surface_is_clean_under_mypy_strict(package: tuple[Path, int]) -> None:
    out, _ = package
    checkers = make_checkers(out.parent / "checkers", out)
    reports = checkers.mypy(["-p", "uniapi"])
    assert [str(r) for r in reports if r.severity == "error"] == []


def test_module_names_are_the_spec_names(package: tuple[Path, int]) -> None:
    out, _ = package
    spec = load_spec([out.parent / "spec"])
    assert all(name == python for name, python in module_names(spec).items())
