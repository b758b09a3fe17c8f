"""The README's first-hour walkthrough works as pasted.

Every fenced block the README marks ``<!-- runnable -->`` (shell) or ``<!-- runnable: NAME -->``
(a file to save under NAME) is extracted; the slow test copies the checkout's tracked files into
a temporary folder, writes the named files there and runs the shell blocks in order, in one
``bash -e`` (so the ``python3 -m venv`` of the first block makes a fresh virtual environment and
the install really happens), then checks what the walkthrough says it prints.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(
    r"^<!-- runnable(?::\s*(?P<name>[\w./-]+))? -->\n```(?P<lang>\w+)\n(?P<code>.*?)^```$",
    re.M | re.S,
)


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    name: str | None  # the file to save it as; None: run it


def runnable_blocks(text: str) -> list[Block]:
    return [Block(m["lang"], m["code"], m["name"]) for m in _BLOCK.finditer(text)]


def _blocks() -> list[Block]:
    return runnable_blocks((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_walkthrough_is_marked_and_well_formed() -> None:
    blocks = _blocks()
    assert [b.lang for b in blocks if b.name is None] == ["sh", "sh"]
    assert [b.name for b in blocks if b.name] == ["first_hour.py"]
    for block in blocks:
        if block.lang == "python":
            compile(block.code, block.name or "<readme>", "exec")
        else:
            done = subprocess.run(["bash", "-n"], input=block.code, text=True, check=False)
            assert done.returncode == 0, block.code


def _copy_checkout(dest: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


@pytest.mark.slow
def test_the_walkthrough_runs_as_pasted(tmp_path: Path) -> None:
    checkout = tmp_path / "utsapi-kit"
    _copy_checkout(checkout)
    script = []
    for block in _blocks():
        if block.name:
            (checkout / block.name).write_text(block.code, encoding="utf-8")
        else:
            script.append(block.code)
    done = subprocess.run(
        ["bash", "-e", "-c", "\n".join(script)],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (checkout / ".venv" / "bin" / "utsapi").is_file()  # installed into the fresh venv
    assert "received: hello" in done.stdout
    assert "closed: 1000 Goodbye" in done.stdout
