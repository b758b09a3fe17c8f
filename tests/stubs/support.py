"""Shared helpers of the typed-package and surface-check tests: where things are, and how to run
mypy and pyright on files against the committed ``stubs/`` without installing it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STUBS = REPO / "stubs"
TYPECHECK = Path(__file__).parent / "typecheck"
FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Report:
    """One checker diagnostic: ``file`` is the path as given, ``line`` 1-based."""

    file: str
    line: int
    severity: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Checkers:
    """mypy --strict and pyright (strict) set up to resolve ``uniapi`` from ``stubs/``."""

    mypy_config: Path
    pyright_config: Path

    def mypy(self, paths: Sequence[Path | str], *extra: str) -> list[Report]:
        proc = subprocess.run(
            [
                sys.executable, "-m", "mypy", "--config-file", str(self.mypy_config),
                "--show-error-codes", "--no-error-summary", "--no-pretty", *extra,
                *map(str, paths),
            ],
            capture_output=True, text=True, cwd=REPO, check=False,
        )  # fmt: skip
        if proc.returncode not in (0, 1):
            raise AssertionError(f"mypy crashed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
        reports: list[Report] = []
        for line in proc.stdout.splitlines():
            file, lineno, rest = [*line.split(":", 2), "", ""][:3]
            severity, _, message = rest.strip().partition(": ")
            if severity not in ("error", "note") or not lineno.isdigit():
                continue
            code = message.rsplit("[", 1)[1].rstrip("]") if message.endswith("]") else ""
            reports.append(Report(file, int(lineno), severity, message, code))
        return reports

    def pyright(self, paths: Sequence[Path | str]) -> list[Report]:
        proc = subprocess.run(
            [
                sys.executable, "-m", "pyright", "--project", str(self.pyright_config),
                "--outputjson", *map(str, paths),
            ],
            capture_output=True, text=True, cwd=REPO, check=False,
        )  # fmt: skip
        try:
            data = json.loads(proc.stdout)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"pyright gave no JSON:\n{proc.stdout}{proc.stderr}") from exc
        return [
            Report(
                d["file"],
                d["range"]["start"]["line"] + 1,
                d["severity"],
                d["message"],
                d.get("rule", ""),
            )
            for d in data["generalDiagnostics"]
        ]


@pytest.fixture(scope="session")
def checkers(tmp_path_factory: pytest.TempPathFactory) -> Checkers:
    return make_checkers(tmp_path_factory.mktemp("checkers"), STUBS)


def make_checkers(base: Path, package_root: Path) -> Checkers:
    """Checkers that resolve ``uniapi`` from ``package_root``; configs and caches in ``base``."""
    base.mkdir(parents=True, exist_ok=True)
    mypy_config = base / "mypy.ini"
    mypy_config.write_text(
        "[mypy]\n"
        "strict = True\n"
        "python_version = 3.11\n"
        f"mypy_path = {package_root}\n"
        f"cache_dir = {base / 'mypy-cache'}\n",
        encoding="utf-8",
    )
    pyright_config = base / "pyrightconfig.json"
    pyright_config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "strict",
                "pythonVersion": "3.11",
                "extraPaths": [str(package_root), str(REPO)],
                "reportMissingModuleSource": "error",
            }
        ),
        encoding="utf-8",
    )
    return Checkers(mypy_config, pyright_config)


@pytest.fixture
def stubs_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Import ``uniapi`` from the committed ``stubs/`` (and forget it afterwards)."""
    monkeypatch.syspath_prepend(str(STUBS))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    sys.dont_write_bytecode, saved = True, sys.dont_write_bytecode
    for name in [m for m in sys.modules if m == "uniapi" or m.startswith("uniapi.")]:
        monkeypatch.delitem(sys.modules, name)
    yield STUBS
    sys.dont_write_bytecode = saved
    for name in [m for m in sys.modules if m == "uniapi" or m.startswith("uniapi.")]:
        del sys.modules[name]


def clean_env() -> dict[str, str]:
    """The environment minus anything that would make a child see this checkout's packages."""
    return {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
