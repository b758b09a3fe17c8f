"""The kit's wheel: four import packages, each shipped by this distribution alone, with the data
the installed kit reads (the bundled spec as ``generator/_spec``, templates, adapters) and its
entry points.  CI also installs it into a fresh venv and runs ``utsapi`` from there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {"conformance", "generator", "reference_impl", "uniapi"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (built,) = out.glob("utsapi_kit-*.whl")
    return zipfile.ZipFile(built)


def _names(wheel: zipfile.ZipFile) -> set[PurePosixPath]:
    return {PurePosixPath(n) for n in wheel.namelist() if not n.endswith("/")}


def _dist_info(wheel: zipfile.ZipFile, name: str) -> str:
    (path,) = [n for n in wheel.namelist() if n.endswith(f".dist-info/{name}")]
    return wheel.read(path).decode()


def _tracked(folder: str, *patterns: str) -> set[PurePosixPath]:
    root = REPO / folder
    return {
        PurePosixPath(p.relative_to(root).as_posix()) for pat in patterns for p in root.glob(pat)
    }


def test_the_wheel_holds_the_four_packages_and_nothing_beside_them(
    wheel: zipfile.ZipFile,
) -> None:
    tops = {n.parts[0] for n in _names(wheel) if not n.parts[0].endswith(".dist-info")}
    assert tops == PACKAGES
    assert {PurePosixPath(p, "py.typed") for p in PACKAGES} <= _names(wheel)
    assert not [n for n in _names(wheel) if n.suffix in (".pyi", ".pyc")]
    assert not [n for n in _names(wheel) if "__pycache__" in n.parts]


def test_the_bundled_spec_is_generator_spec_data(wheel: zipfile.ZipFile) -> None:
    expected = _tracked(
        "spec",
        "modules/*.yaml",
        "rules/*.yaml",
        "profiles/*.yaml",
        "overlays/*.yaml",
        "schema/*.json",
    )
    assert expected
    shipped = {n.relative_to("generator/_spec") for n in _names(wheel)
               if n.parts[:2] == ("generator", "_spec")}  # fmt: skip
    assert shipped == expected


def test_templates_adapters_and_uniapi_are_there(wheel: zipfile.ZipFile) -> None:
    names = _names(wheel)
    templates = _tracked("generator/templates", "**/*.j2")
    assert templates
    assert {PurePosixPath("generator/templates") / t for t in templates} <= names
    adapters = _tracked("conformance/adapters", "*.mjs", "*.js", "*.yaml")
    assert adapters
    assert {PurePosixPath("conformance/adapters") / a for a in adapters} <= names
    uniapi = {PurePosixPath("uniapi") / p for p in _tracked("stubs/uniapi", "*.py", "py.typed")}
    assert {n for n in names if n.parts[0] == "uniapi"} == uniapi


def test_the_entry_points_and_the_runtime_dependency(wheel: zipfile.ZipFile) -> None:
    entry_points = _dist_info(wheel, "entry_points.txt")
    for section, line in [
        ("[console_scripts]", "utsapi = generator.cli:main"),
        ("[mkdocs.plugins]", "utsapi = generator.mkdocs_plugin:UtsApiPlugin"),
        ("[pytest11]", "utsapi = conformance.pytest_plugin"),
    ]:
        assert f"{section}\n{line}" in entry_points
    metadata = _dist_info(wheel, "METADATA")
    assert "Requires-Dist: typing-extensions<5,>=4.5; python_version < '3.13'" in metadata
