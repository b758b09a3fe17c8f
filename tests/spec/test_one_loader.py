"""`utsapi validate` and `utsapi conformance run` load a spec through one layer: they accept and
reject exactly the same spec directories, and every rejection says `file:line:col`."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import run as cli_run
from generator.spec import bundled_spec_dir

EXIT_SPEC = 3
#: A quick case: the reference implementation passes it in well under a second.
CASE = "connect.success-then-complete"

# (file under the spec dir, text to find, its replacement, words of the expected diagnostic)
MUTATIONS = {
    "wait-unknown-alias": (
        "rules/websocket.yaml",
        "  - {wait: bad.complete}\n",
        "  - {wait: bda.complete}\n",
        "selector 'bda.complete' names no call of this rule; did you mean bad",
    ),
    "expect-unknown-alias": (
        "rules/websocket.yaml",
        "bad.result: 1, bad.complete: 1, t1.onError: 0, good.success: 1",
        "bad.result: 1, bda.complete: 1, t1.onError: 0, good.success: 1",
        "selector 'bda.complete' names no call of this rule",
    ),
    "expect-unknown-listener": (
        "rules/websocket.yaml",
        "bad.result: 1, bad.complete: 1, t1.onError: 0, good.success: 1",
        "bad.result: 1, bad.complete: 1, t1.onEror: 0, good.success: 1",
        "selector 't1.onEror' names no listener of this rule",
    ),
    "unknown-api": (
        "rules/websocket.yaml",
        "apis: [connectSocket, SocketTask.onOpen]",
        "apis: [connectSocket, SocketTask.onOpened]",
        "no API or method 'SocketTask.onOpened'",
    ),
    "allowance-unknown-rule": (
        "profiles/native-compat.yaml",
        "- rule: connect.invalid-url\n",
        "- rule: connect.invalid-uri\n",
        "allowance names no rule: 'connect.invalid-uri'",
    ),
    "allowance-unknown-case": (
        "profiles/native-compat.yaml",
        "- rule: connect.invalid-url\n",
        "- rule: connect.invalid-url\n  cases: [no-such-case]\n",
        "names an unknown case 'no-such-case'",
    ),
    "allowance-instead-unknown-alias": (
        "profiles/native-compat.yaml",
        "  - payload: {of: connect.fail, match: {errCode: 600009}}\n",
        "  - payload: {of: conect.fail, match: {errCode: 600009}}\n",
        "selector 'conect.fail' names no call",
    ),
    "profile-unknown-key": (
        "profiles/native-compat.yaml",
        "version: 1\nname: native-compat\n",
        "version: 1\nname: native-compat\nowner: nobody\n",
        "'owner' was unexpected",
    ),
}


def _spec_copy(tmp_path: Path, mutation: tuple[str, str, str, str] | None) -> Path:
    spec = tmp_path / "spec"
    for kind in ("modules", "rules", "profiles"):
        shutil.copytree(bundled_spec_dir() / kind, spec / kind)
    if mutation is not None:
        file, old, new, _words = mutation
        path = spec / file
        text = path.read_text("utf-8")
        assert text.count(old) >= 1, f"{old!r} is no longer in {file}"
        path.write_text(text.replace(old, new, 1), "utf-8")
    return spec


def _validate(spec: Path) -> tuple[int, list[dict[str, object]]]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(["validate", "--format", "json", str(spec)], out, err)
    return code, json.loads(out.getvalue()) if code == 1 else []


def _conformance(spec: Path) -> tuple[int, str]:
    """``utsapi conformance run`` in its own process, as a user runs it (and away from any event
    loop a browser test of this session may hold in this thread)."""
    argv = ["conformance", "run", "--rules", str(spec), "--impl", "reference_impl:uni"]
    argv += ["--profile", "native-compat", "-q", "-k", CASE]
    done = subprocess.run(
        [sys.executable, "-m", "generator", *argv],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done.returncode, done.stderr


def test_the_bundled_spec_copy_is_accepted_by_both(tmp_path: Path) -> None:
    spec = _spec_copy(tmp_path, None)
    assert _validate(spec) == (0, [])
    code, err = _conformance(spec)
    assert code == 0, err


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_validate_and_conformance_reject_the_same_mutation(tmp_path: Path, name: str) -> None:
    mutation = MUTATIONS[name]
    spec = _spec_copy(tmp_path, mutation)
    code, diagnostics = _validate(spec)
    assert code == 1
    words = mutation[3]
    found = [d for d in diagnostics if words in str(d["message"])]
    assert found, diagnostics
    assert str(found[0]["file"]).endswith(mutation[0])
    assert int(str(found[0]["line"])) > 1 and int(str(found[0]["column"])) >= 1

    code, err = _conformance(spec)
    assert code == EXIT_SPEC, err
    assert words in err
    assert re.search(re.escape(mutation[0]) + r":\d+:\d+:", err), err
