"""After the README's ``pip install -e .``, type checkers in a project outside the checkout resolve
``reference_impl`` and ``uniapi`` (issue 9, point 6).

setuptools' editable install of the kit was an import hook (because of its ``package-dir``
mappings), which neither mypy nor pyright can follow.  The kit's editable install is now a plain
``.pth`` naming folders.  The test installs the checkout, editable and without dependencies, into
a fresh virtual environment and points both checkers at that environment's interpreter, from a
folder outside the checkout, with no ``MYPYPATH`` or ``PYTHONPATH``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

GOOD = """\
from reference_impl import uni
from uniapi.websocket import ConnectSocketOptions, SocketTask, Uni

surface: Uni = uni
options: ConnectSocketOptions = {"url": "ws://127.0.0.1:1/"}
task: SocketTask = uni.connectSocket(options)
task.send({"data": b"hello"})
"""
#: One mistake only the uniapi types can see: a number where the API takes str or bytes.
BAD = GOOD.replace('task.send({"data": b"hello"})', 'task.send({"data": 42})  # error')


def _env() -> dict[str, str]:
    hidden = {"PYTHONPATH", "PYTHONHOME", "MYPYPATH", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
    return {k: v for k, v in os.environ.items() if k not in hidden}


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, env=_env(), capture_output=True, text=True, check=False, timeout=600
    )


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding only the kit, installed as the README says."""
    base = tmp_path_factory.mktemp("editable")
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], base)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "-e", str(REPO)], base
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return python


def _mypy(python: Path, program: Path) -> list[str]:
    proc = _run(
        [
            sys.executable, "-m", "mypy", "--strict", "--python-executable", str(python),
            "--no-incremental", "--cache-dir", os.devnull, "--no-error-summary",
            "--show-error-codes", program.name,
        ],
        program.parent,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return [line for line in proc.stdout.splitlines() if ": error: " in line]


def _pyright(python: Path, program: Path) -> list[str]:
    proc = _run(
        [
            sys.executable, "-m", "pyright", "--pythonpath", str(python), "--outputjson",
            program.name,
        ],
        program.parent,
    )  # fmt: skip
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"pyright gave no JSON:\n{proc.stdout}{proc.stderr}") from exc
    return [
        f"{Path(d['file']).name}:{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]


def _project(tmp_path: Path, source: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    program = project / "program.py"
    program.write_text(source, encoding="utf-8")
    assert not program.resolve().is_relative_to(REPO)
    return program


def test_the_editable_install_is_a_plain_pth_of_folders(venv_python: Path) -> None:
    proc = _run(
        [str(venv_python), "-c",
         "from importlib.util import find_spec as f; "
         "print(f('reference_impl').origin); print(f('uniapi').origin)"],
        venv_python.parent,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    impl_file, uniapi_file = map(Path, proc.stdout.splitlines())
    assert impl_file == REPO / "reference_impl" / "__init__.py"
    assert uniapi_file == REPO / "stubs" / "uniapi" / "__init__.py"
    site_packages = next((venv_python.parent.parent / "lib").glob("python3*/site-packages"))
    pth = [p for p in site_packages.glob("*.pth") if "utsapi" in p.name]
    assert len(pth) == 1
    assert pth[0].read_text(encoding="utf-8").split() == [str(REPO), str(REPO / "stubs")]


def test_mypy_resolves_the_kit_from_outside_the_checkout(venv_python: Path, tmp_path: Path) -> None:
    assert _mypy(venv_python, _project(tmp_path, GOOD)) == []


def test_pyright_resolves_the_kit_from_outside_the_checkout(
    venv_python: Path, tmp_path: Path
) -> None:
    assert _pyright(venv_python, _project(tmp_path, GOOD)) == []


def test_both_checkers_see_the_uniapi_types(venv_python: Path, tmp_path: Path) -> None:
    """Not vacuous: the one mistake is reported, on its line, by each checker."""
    program = _project(tmp_path, BAD)
    line = next(i for i, text in enumerate(BAD.splitlines(), 1) if text.endswith("# error"))
    mypy_errors = _mypy(venv_python, program)
    assert [e.split(":")[1] for e in mypy_errors] == [str(line)], mypy_errors
    assert '"data"' in mypy_errors[0]
    pyright_errors = _pyright(venv_python, program)
    assert [e.split(":")[1] for e in pyright_errors] == [str(line)], pyright_errors
