"""The console script: the current directory is never on the import path (a ``yaml.py`` there
must not replace PyYAML); the user's own modules are found through ``--path``."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import COMMANDS, help_of

UTSAPI = shutil.which("utsapi")


@pytest.mark.skipif(UTSAPI is None, reason="the utsapi console script is not installed")
def test_a_user_module_is_found_through_path(tmp_path: Path) -> None:
    assert UTSAPI is not None
    (tmp_path / "my_uni_impl.py").write_text("from reference_impl import uni\n", "utf-8")
    result = subprocess.run(
        [UTSAPI, "check-surface", "my_uni_impl:uni", "--no-stubtest", "--path", "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exposes the spec's surface" in result.stdout + result.stderr


@pytest.mark.skipif(UTSAPI is None, reason="the utsapi console script is not installed")
@pytest.mark.parametrize(
    "command",
    [
        ["check-surface", "my_uni_impl:uni", "--no-stubtest"],
        ["conformance", "run", "--impl", "my_uni_impl:uni", "-q"],
    ],
    ids=["check-surface", "conformance-run"],
)
def test_without_path_the_current_directory_is_not_searched(
    tmp_path: Path, command: list[str]
) -> None:
    assert UTSAPI is not None
    (tmp_path / "my_uni_impl.py").write_text("from reference_impl import uni\n", "utf-8")
    result = subprocess.run(
        [UTSAPI, *command], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "add --path ." in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(UTSAPI is None, reason="the utsapi console script is not installed")
def test_no_arguments_prints_help_and_exits_2() -> None:
    assert UTSAPI is not None
    result = subprocess.run([UTSAPI], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "validate" in result.stdout and "conformance" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(UTSAPI is None, reason="the utsapi console script is not installed")
def test_a_module_in_the_current_directory_never_replaces_a_library(tmp_path: Path) -> None:
    """A ``yaml.py`` beside the user's files is not imported in place of PyYAML."""
    assert UTSAPI is not None
    marker = tmp_path / "ran"
    (tmp_path / "yaml.py").write_text(f"open({str(marker)!r}, 'w').close()\n", "utf-8")
    result = subprocess.run(
        [UTSAPI, "validate"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists()


@pytest.mark.skipif(UTSAPI is None, reason="the utsapi console script is not installed")
def test_a_reader_that_goes_away_ends_the_output_quietly() -> None:
    """``utsapi conformance list | head -1``: no BrokenPipeError traceback."""
    assert UTSAPI is not None
    process = subprocess.Popen(
        [UTSAPI, "conformance", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command has started writing
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) in (0, 141)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def _words(text: str) -> str:
    """``text`` without its white space (argparse wraps help lines, ``uni-`` / ``app-x`` too)."""
    return "".join(text.split())


def test_each_command_has_one_help_text_shown_without_importing_it() -> None:
    """``utsapi --help`` shows each command module's own ``HELP`` (the importer's line used to
    differ from its HELP), and lists them without importing any (0.9 s when it did)."""
    probe = (
        "import io, sys\n"
        "from generator.cli import COMMANDS, run\n"
        "out = io.StringIO()\n"
        "assert run(['--help'], out, sys.stderr) == 0\n"
        "print([m for m in COMMANDS.values() if m in sys.modules])\n"
        "print(out.getvalue())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    imported, _, listing = result.stdout.partition("\n")
    assert imported == "[]", imported
    for name, module in COMMANDS.items():
        help_text = importlib.import_module(module).HELP
        assert help_of(module) == help_text
        assert _words(f"{name} {help_text}") in _words(listing), (name, listing)
