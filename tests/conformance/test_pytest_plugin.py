"""The pytest plugin turns rules into items when asked, and does nothing otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BROKEN = """
from reference_impl import uni as _real

class _Task:
    def __init__(self, real):
        self._real = real
    def __getattr__(self, name):
        return getattr(self._real, name)
    def close(self, options):
        self._real.close({**options, "code": 1000})   # no close-code validation

class _Uni:
    def __getattr__(self, name):
        return getattr(_real, name)
    def connectSocket(self, options):
        return _Task(_real.connectSocket(options))

uni = _Uni()
"""


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_nothing.py").write_text("def test_own():\n    pass\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )


def test_plugin_is_inert_without_its_options(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "--collect-only")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 test collected" in result.stdout
    assert "utsapi" not in result.stdout


def test_rules_become_items_that_pass_on_the_reference(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "--utsapi-impl", "reference_impl:uni", "-k", "default or callbacks")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout and "failed" not in result.stdout
    assert "deselected" in result.stdout


def test_a_broken_implementation_fails_its_items(tmp_path: Path) -> None:
    (tmp_path / "broken_close.py").write_text(BROKEN, "utf-8")
    result = _pytest(
        tmp_path,
        "--utsapi-impl",
        "broken_close:uni",
        "--utsapi-unit",
        "0.4",
        "-k",
        "2999 or default",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL socket.close.invalid-code[2999]" in result.stdout
    assert "1 failed, 1 passed" in result.stdout
