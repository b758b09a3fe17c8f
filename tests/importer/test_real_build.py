"""The whole surface end to end: the pinned package imported by the command, then built.

``utsapi import`` writes the spec directory, ``utsapi build`` makes every output from it (the
dcloud data, the pages, the typed package, the MkDocs site with ``--strict``), the typed package
passes ``mypy --strict``, and the curated WebSocket module agrees with its import but for the
differences it lists. Slow (minutes): the suite runs it in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.importer.crosscheck import compare_modules
from generator.spec import load_bundled_spec, load_spec
from generator.spec.bundled import bundled_spec_dir
from tests.importer.support import needs_node

pytestmark = pytest.mark.slow


def _utsapi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_node()
    out = tmp_path_factory.mktemp("surface") / "spec"
    done = _utsapi("import", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def built(imported: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("surface-build")
    done = _utsapi("build", "--spec", str(imported), "--out", str(out), "--no-conformance")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return out


def test_every_module_is_built(imported: Path, built: Path) -> None:
    modules = sorted(p.stem for p in (imported / "modules").glob("*.yaml"))
    assert len(modules) >= 110
    data = json.loads((built / "utsApiJson.json").read_text(encoding="utf-8"))
    apis = [key for key, value in data.items() if "compatibility" in value]
    assert len(apis) >= 200
    package = built / "stubs" / "uniapi"
    assert sorted(p.stem for p in package.glob("*.py") if p.stem != "__init__") == modules
    site = built / "site"
    assert (site / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()


def test_the_typed_package_is_clean_under_mypy_strict(built: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "uniapi"],
        cwd=built / "stubs",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:]


def test_the_curated_websocket_module_agrees_with_its_import(imported: Path) -> None:
    curated_spec = load_bundled_spec()
    curated = curated_spec.module("websocket")
    imported_module = load_spec([imported / "modules" / "websocket.yaml"]).module("websocket")
    assert curated is not None and imported_module is not None
    accepted = {d.path: d.reason for d in curated.import_differences}
    unexplained, stale = compare_modules(curated, imported_module, accepted)
    assert not unexplained, "\n".join(map(str, unexplained))
    where = bundled_spec_dir() / "modules" / "websocket.yaml"
    assert not stale, f"listed in {where} (import-differences) but no longer differ: {stale}"
