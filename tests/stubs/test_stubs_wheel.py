"""``pip wheel stubs/`` gives a package that installs and imports alone (DESIGN: it ships alone)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from stubs_support import STUBS, clean_env

from generator.model import load_bundled_spec


def _run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False, timeout=600
    )
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.slow
def test_the_wheel_installs_and_imports_in_a_fresh_venv(tmp_path: Path) -> None:
    version = load_bundled_spec().modules[0].version
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp_path / "src"
    shutil.copytree(
        STUBS, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    )
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        tmp_path,
    )
    wheel = dist / f"uniapi_types-{version}-py3-none-any.whl"
    assert [p.name for p in dist.iterdir()] == [wheel.name]
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"uniapi_types-{version}.dist-info/METADATA").decode()
    assert {"uniapi/__init__.py", "uniapi/py.typed", "uniapi/websocket.py",
            "uniapi/websocket.pyi"} <= names  # fmt: skip
    assert "Requires-Dist" not in metadata

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(dist),
          "uniapi-types"], tmp_path)  # fmt: skip
    out = _run(
        [
            str(python), "-c",
            "import importlib.metadata as md, uniapi.websocket as ws; "
            "print(md.version('uniapi-types')); print(ws.__file__); "
            "print(sorted(ws.ConnectSocketOptions.__required_keys__)); "
            "print(sorted(d.metadata['Name'] for d in md.distributions()))",
        ],
        tmp_path,
    )  # fmt: skip
    got_version, module_file, required, installed = out.splitlines()
    assert got_version == version
    assert Path(module_file).is_relative_to(venv)
    assert required == "['url']"
    assert "utsapi-kit" not in installed and "typing_extensions" not in installed
