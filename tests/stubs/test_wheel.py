"""``utsapi stubs --dist`` writes a distribution that builds, installs and imports alone."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.cli import run as cli
from generator.spec import load_bundled_spec
from tests.stubs.support import clean_env


def _utsapi(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False, timeout=600
    )
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.slow
def test_the_wheel_installs_and_imports_in_a_fresh_venv(tmp_path: Path) -> None:
    version = load_bundled_spec().modules[0].version
    source = tmp_path / "src"
    code, _, err = _utsapi("stubs", "--out", str(source), "--dist")
    assert code == 0, err
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
    assert {n for n in names if n.startswith("uniapi/")} == {
        "uniapi/__init__.py", "uniapi/py.typed", "uniapi/websocket.py"
    }  # fmt: skip
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires == ['Requires-Dist: typing_extensions>=4.5; python_version < "3.13"']

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    # typing_extensions comes from the package index, as for any user of the distribution.
    _run([str(python), "-m", "pip", "install", "-q", "--find-links", str(dist), "uniapi-types"],
         tmp_path)  # fmt: skip
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
    assert "utsapi-kit" not in installed
    assert "typing_extensions" in installed
