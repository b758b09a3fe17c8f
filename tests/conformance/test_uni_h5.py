"""DCloud's Web runtime (npm @dcloudio/uni-h5, pinned) judged in Node and in headless Chromium:
a fresh run of each gives the committed verdict list (conformance/adapters/uni_h5/expected-*.json),
case by case; a changed verdict fails naming the case.

The two runs are slow (about 25 s each) and need node/npm (and Chromium for the second): they
skip, saying what is missing, only when those are absent; CI installs them.  The first run
installs the pinned package into the kit's cache (npm ci, about a minute).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conformance import cli
from conformance.adapters.uni_h5 import verdicts
from conformance.adapters.uni_h5.chromium import (
    ChromiumSetupError,
    find_chromium,
    import_map,
    page_html,
)
from conformance.adapters.uni_h5.install import (
    ADAPTER_DIR,
    AdapterSetupError,
    ensure_runtime,
    pinned_version,
)
from generator.spec import bundled_spec_dir

#: Each run's wall-time bound here: generous for a loaded CI machine (measured: docs/adapters.md).
WALL_LIMIT_S = 120.0
#: Chromium processes at a time (each driver process is one browser).
CHROMIUM_JOBS = 4


def _run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(args, out, err)
    return code, out.getvalue(), err.getvalue()


def _need_node() -> None:
    missing = [name for name in ("node", "npm") if shutil.which(name) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not on PATH: the uni-h5 adapter runs in Node.js")


def _need_chromium() -> None:
    _need_node()
    try:
        find_chromium()
    except ChromiumSetupError as exc:
        pytest.skip(str(exc))


def _judge(host: str, tmp_path: Path, *extra: str) -> None:
    ensure_runtime()
    report_path = tmp_path / f"{host}.json"
    command = f"{sys.executable} -m conformance.adapters.uni_h5 {host}"
    started = time.monotonic()
    code, out, err = _run(
        "run",
        "--driver",
        command,
        "--profile",
        str(verdicts.profile_path(host)),
        "--json",
        str(report_path),
        "-q",
        *extra,
    )
    wall = time.monotonic() - started
    assert report_path.is_file(), f"no report (exit {code}): {err[-2000:]}"
    report: dict[str, Any] = json.loads(report_path.read_text("utf-8"))
    assert report["run"]["complete"], f"the run did not finish: {out}{err[-2000:]}"
    assert report["run"]["implementation"]["name"] == f"@dcloudio/uni-h5 ({host})"
    assert report["run"]["implementation"]["version"].startswith(pinned_version())
    problems = verdicts.compare(verdicts.load(host), verdicts.verdicts_of(report))
    assert not problems, (
        f"{len(problems)} verdict(s) of DCloud's runtime in {host} changed; if the change is "
        f"right, re-record: python -m conformance.adapters.uni_h5 record {host} REPORT.json\n"
        + "\n".join(problems)
    )
    assert report["stale_allowances"] == [], "an allowance no case needs: remove it"
    assert wall <= WALL_LIMIT_S, f"the {host} run took {wall:.1f} s wall"


@pytest.mark.slow
def test_uni_h5_in_node_gives_the_committed_verdicts(tmp_path: Path) -> None:
    _need_node()
    _judge("node", tmp_path)


@pytest.mark.slow
@pytest.mark.browser
def test_uni_h5_in_chromium_gives_the_committed_verdicts(tmp_path: Path) -> None:
    _need_chromium()
    _judge("chromium", tmp_path, "-j", str(CHROMIUM_JOBS))


# ------------------------------------------------------------------ fast: the lists and profiles


def test_a_changed_verdict_is_named_with_its_case() -> None:
    expected = {"a.b": "PASS", "c.d[x]": "FAIL", "gone": "WARN"}
    actual = {"a.b": "PASS", "c.d[x]": "PASS", "new.case": "SKIP"}
    assert verdicts.compare(expected, actual) == [
        "c.d[x]: expected FAIL, got PASS",
        "gone: expected WARN, the run has no such case",
        "new.case: got SKIP, the verdict list has no such case",
    ]
    assert verdicts.compare(expected, dict(expected)) == []


def test_check_command_exits_1_naming_the_case(tmp_path: Path) -> None:
    from conformance.adapters.uni_h5.__main__ import run as adapter_cli  # noqa: PLC0415

    committed = verdicts.load("node")
    first = next(iter(committed))
    changed = dict(committed)
    changed[first] = "ERROR" if committed[first] != "ERROR" else "PASS"
    report = {"results": [{"id": k, "verdict": v} for k, v in changed.items()]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), "utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert adapter_cli(["check", "node", str(path)], out, err) == 1
    assert out.getvalue() == f"{first}: expected {committed[first]}, got {changed[first]}\n"
    report = {"results": [{"id": k, "verdict": v} for k, v in committed.items()]}
    path.write_text(json.dumps(report), "utf-8")
    assert adapter_cli(["check", "node", str(path)], io.StringIO(), err) == 0


@pytest.mark.parametrize("host", verdicts.HOSTS)
def test_committed_list_names_every_case_of_the_rules(host: str) -> None:
    code, out, err = _run("list")
    assert code == 0, err
    cases = [line.split("\t", 1)[0] for line in out.splitlines() if "\t" in line]
    listed = verdicts.load(host)
    assert list(listed) == cases, "re-record the list: the rules' cases changed"
    data = json.loads(verdicts.expected_path(host).read_text("utf-8"))
    assert data["runtime"] == f"@dcloudio/uni-h5@{pinned_version()}"
    assert data["host"] == host


@pytest.mark.parametrize("host", verdicts.HOSTS)
def test_every_allowance_has_a_reason_a_source_and_the_web_platform(host: str) -> None:
    path = verdicts.profile_path(host)
    profile = yaml.safe_load(path.read_text("utf-8"))
    schema = json.loads((bundled_spec_dir() / "schema" / "profile.schema.json").read_text("utf-8"))
    jsonschema.validate(profile, schema)
    assert profile["allowances"], f"{path}: no allowance"
    for allowance in profile["allowances"]:
        where = f"{path.name}: {allowance['rule']}"
        assert allowance["reason"]["zh"].strip() and allowance["reason"]["en"].strip(), where
        assert allowance["sources"], where
        assert allowance.get("platforms") == ["web"], where
        for source in allowance["sources"]:
            if "@dcloudio/uni-h5@" in source:
                assert f"@dcloudio/uni-h5@{pinned_version()} " in source, (
                    f"{where}: a source cites another version than the pinned one: {source}"
                )


def test_no_code_of_dcloud_is_stored_in_the_adapter() -> None:
    names = {p.name for p in ADAPTER_DIR.rglob("*") if p.is_file()}
    assert "node_modules" not in {p.name for p in ADAPTER_DIR.iterdir()}
    assert not any(n.startswith("uni-h5") and n.endswith(".js") for n in names)
    lock = json.loads((ADAPTER_DIR / "package-lock.json").read_text("utf-8"))
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert all("integrity" in v for v in packages.values()), "every locked package has integrity"
    assert packages["node_modules/@dcloudio/uni-h5"]["version"] == pinned_version()
    assert "alpha" not in pinned_version()


def test_the_page_cannot_be_broken_by_its_config(tmp_path: Path) -> None:
    install = tmp_path / "install"
    for package, entry in (
        ("@dcloudio/uni-h5", "dist-x/uni-h5.es.js"),
        ("@dcloudio/uni-h5-vue", "dist-x/vue.runtime.esm.js"),
        ("@dcloudio/uni-shared", "dist/uni-shared.es.js"),
        ("@dcloudio/uni-i18n", "dist/uni-i18n.es.js"),
        ("@vue/shared", "dist/shared.esm-bundler.js"),
        ("vue-router", "dist/vue-router.mjs"),
        ("@vue/devtools-api", "lib/esm/index.js"),
    ):
        folder = install / "node_modules" / package
        (folder / entry).parent.mkdir(parents=True, exist_ok=True)
        (folder / entry).write_text("", "utf-8")
        (folder / "package.json").write_text(json.dumps({"module": f"./{entry}"}), "utf-8")
    mapping = import_map(install)["imports"]
    assert mapping["vue"] == "/node_modules/@dcloudio/uni-h5-vue/dist-x/vue.runtime.esm.js"
    hostile = {"version": "</script><script>alert(1)</script>", "browser": "<!--", "bridge": "1"}
    html = page_html(install, hostile)
    assert "</script><script>alert" not in html
    assert "<!--" not in html


def test_a_failed_install_says_so_and_leaves_nothing_half_done(tmp_path: Path) -> None:
    npm = tmp_path / "npm"
    npm.write_text("#!/bin/sh\necho 'npm ERR! network unreachable' >&2\nexit 1\n", "utf-8")
    npm.chmod(0o755)
    cache = tmp_path / "cache"
    with pytest.raises(AdapterSetupError) as caught:
        ensure_runtime(cache=cache, npm=str(npm))
    text = str(caught.value)
    assert f"installing @dcloudio/uni-h5@{pinned_version()} failed" in text
    assert "npm ERR! network unreachable" in text
    assert list(cache.iterdir()) == [], "a failed install leaves no folder in the cache"


def test_the_launcher_reports_a_missing_install_tool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conformance.adapters.uni_h5.__main__ import run as adapter_cli  # noqa: PLC0415

    monkeypatch.setenv("PATH", str(tmp_path))
    out, err = io.StringIO(), io.StringIO()
    assert adapter_cli(["--cache", str(tmp_path / "cache"), "node"], out, err) == 2
    assert "node and npm not found on PATH" in err.getvalue()
    assert out.getvalue() == ""
