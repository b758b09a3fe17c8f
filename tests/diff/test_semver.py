"""``--semver`` against the typed package itself: a user program written for the old package is
type-checked (mypy --strict) against the new one, and fails exactly when the bump is major."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from mypy import api as mypy_api

from generator.cli import run
from generator.diff import semver
from tests.diff.support import BASE, Edit, api, field, load, method, write_edited

#: A program that uses the old package's whole surface: options with an optional key and a
#: literal value, a callback reading a result, a task's methods, an error code.
PROGRAM = """\
from uniapi.demo import OpenThingOptions, OpenThingSuccess, ThingErrorCode, ThingTask, Uni


def use(uni: Uni) -> None:
    def on_success(result: OpenThingSuccess) -> None:
        print(result["errMsg"], result.get("size"))

    options: OpenThingOptions = {
        "url": "https://example.invalid/", "mode": "slow", "success": on_success,
    }
    task: ThingTask = uni.openThing(options)
    task.send("hello")
    task.close()
    uni.closeAll()
    code: ThingErrorCode = 700002
    print(code)
"""

PAIRS: list[tuple[str, Edit, str]] = [
    ("api-removed", lambda d: d["apis"].pop(), "major"),
    ("key-now-required", lambda d: field(d, "OpenThingOptions", "timeout").update(
        required=True), "major"),
    ("code-removed", lambda d: d["types"]["ThingErrorCode"]["codes"].pop(), "major"),
    ("param-type-changed", lambda d: method(d, "ThingTask", "send")["params"][0].update(
        type="number"), "major"),
    ("literal-removed", lambda d: field(d, "OpenThingOptions", "mode")["values"].pop(), "major"),
    ("api-added", lambda d: d["apis"].append({
        "name": "resetThing", "description": {"zh": "重置。", "en": "Reset."}, "params": [],
        "returns": "void"}), "minor"),
    ("optional-key-added", lambda d: d["types"]["OpenThingOptions"]["fields"].append(
        {"name": "retries", "type": "number"}), "minor"),
    ("optional-param-added", lambda d: api(d, "openThing")["params"].append(
        {"name": "extra", "type": "boolean"}), "minor"),
    ("param-widened", lambda d: method(d, "ThingTask", "send")["params"][0].update(
        type="string | ArrayBuffer"), "minor"),
    ("code-added", lambda d: d["types"]["ThingErrorCode"]["codes"].append(
        {"code": 700003, "description": {"zh": "取消。", "en": "Cancelled."},
         "errMsg": "cancelled"}), "minor"),
    ("deprecated", lambda d: method(d, "ThingTask", "close").update(
        deprecated={"replacement": "ThingTask.send"}), "minor"),
    ("platform-only", lambda d: api(d, "openThing")["platforms"].pop("web"), "patch"),
]  # fmt: skip


def _stubs(spec: Path, out: Path) -> Path:
    code = run(["stubs", "--spec", str(spec), "--out", str(out)], io.StringIO(), io.StringIO())
    assert code == 0
    return out


def _mypy(package_root: Path, program: Path, cache: Path) -> tuple[int, str]:
    os.environ["MYPYPATH"] = str(package_root)
    try:
        out, err, status = mypy_api.run(
            ["--strict", "--no-incremental", "--cache-dir", str(cache), str(program)]
        )
    finally:
        del os.environ["MYPYPATH"]
    return status, out + err


@pytest.fixture(scope="module")
def program(tmp_path_factory: Any) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("program")
    path = tmp / "user_program.py"
    path.write_text(PROGRAM, "utf-8")
    old = _stubs(BASE, tmp / "old")
    status, report = _mypy(old, path, tmp / "cache")
    assert status == 0, report  # the program is right for the old package
    return path, tmp / "cache"


@pytest.mark.parametrize(("edit", "bump"), [p[1:] for p in PAIRS], ids=[p[0] for p in PAIRS])
def test_mypy_fails_exactly_when_the_bump_is_major(
    tmp_path: Path, program: tuple[Path, Path], edit: Edit, bump: str
) -> None:
    new_spec = write_edited(tmp_path, edit)
    found = semver(load(BASE), load(new_spec))
    assert found.bump == bump, found.changes
    status, report = _mypy(_stubs(new_spec, tmp_path / "new"), program[0], program[1])
    assert (status != 0) == (bump == "major"), report
