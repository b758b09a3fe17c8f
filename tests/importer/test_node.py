"""The Node side's failure paths give clear errors, not tracebacks; the extractor's dependency is
installed once per lockfile into the cache; a package is fetched once and checked."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from generator.importer.exceptions import ExtractError, NodeToolError, PackageError
from generator.importer.node import (
    LOCKFILE,
    NodeTools,
    ensure_extractor,
    find_tools,
    locked_typescript,
    run_extractor,
)
from generator.importer.package import PackageRef, fetch_package
from tests.importer.support import needs_node

FAKE_NPM = """
import base64, hashlib, io, json, sys, tarfile
from pathlib import Path
args = sys.argv[1:]
if args[0] == "ci":
    sys.stderr.write("npm ERR! code E418 the registry is a teapot\\n")
    sys.exit(3)
if args[0] == "pack" and MODE == "fail":
    sys.stderr.write("npm ERR! 404 Not Found\\n")
    sys.exit(1)
dest = Path(args[args.index("--pack-destination") + 1])
data = io.BytesIO()
with tarfile.open(fileobj=data, mode="w:gz") as tar:
    body = json.dumps({"name": "@example/pkg", "version": "1.0.0"}).encode()
    info = tarfile.TarInfo("package/package.json")
    info.size = len(body)
    tar.addfile(info, io.BytesIO(body))
(dest / "example-pkg-1.0.0.tgz").write_bytes(data.getvalue())
digest = base64.b64encode(hashlib.sha512(data.getvalue()).digest()).decode()
print(json.dumps([{"filename": "example-pkg-1.0.0.tgz", "integrity": "sha512-" + digest}]))
"""


def fake_tools(folder: Path, *, node_version: str = "v20.1.0", npm_mode: str = "ok") -> None:
    folder.mkdir(exist_ok=True)
    node = folder / "node"
    node.write_text(f"#!/bin/sh\necho {node_version}\n", "utf-8")
    npm = folder / "npm"
    npm.write_text(f"#!{sys.executable}\nMODE = {npm_mode!r}\n{FAKE_NPM}", "utf-8")
    for path in (node, npm):
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_missing_node_and_npm_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NodeToolError) as caught:
        find_tools()
    assert str(caught.value).startswith("node and npm not found on PATH")
    assert "https://nodejs.org" in str(caught.value)


def test_an_old_node_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tools(tmp_path / "bin", node_version="v12.22.0")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(NodeToolError, match=r"node v12\.22\.0 is too old"):
        find_tools()


def test_a_failing_npm_ci_is_reported_with_its_output_and_leaves_no_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tools(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    tools = find_tools()
    cache = tmp_path / "cache"
    with pytest.raises(NodeToolError) as caught:
        ensure_extractor(tools, cache=cache)
    message = str(caught.value)
    assert "ci --ignore-scripts --no-audit --no-fund exited 3" in message
    assert "the registry is a teapot" in message
    assert list(cache.iterdir()) == []


def test_a_failing_npm_pack_is_a_package_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tools(tmp_path / "bin", npm_mode="fail")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    with pytest.raises(PackageError, match=r"npm pack @example/pkg@1\.0\.0 failed") as caught:
        fetch_package(find_tools(), PackageRef("@example/pkg", "1.0.0"), cache=tmp_path)
    assert "404 Not Found" in str(caught.value)


def test_a_tarball_that_does_not_match_its_pin_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tools(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    pinned = PackageRef("@example/pkg", "1.0.0", "sha512-" + "A" * 86 + "==")
    with pytest.raises(PackageError, match="integrity mismatch"):
        fetch_package(find_tools(), pinned, cache=tmp_path / "cache")
    assert list((tmp_path / "cache" / "packages").iterdir()) == []


def test_a_package_is_fetched_once_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tools(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    ref = PackageRef("@example/pkg", "1.0.0")
    root = fetch_package(find_tools(), ref, cache=tmp_path / "cache")
    assert root == tmp_path / "cache" / "packages" / "example-pkg-1.0.0" / "package"
    assert json.loads((root / "package.json").read_text("utf-8"))["version"] == "1.0.0"
    fake_tools(tmp_path / "bin", npm_mode="fail")  # a second fetch would fail: none happens
    assert fetch_package(find_tools(), ref, cache=tmp_path / "cache") == root


def test_the_extractor_is_installed_once_per_lockfile(tmp_path: Path) -> None:
    needs_node()
    tools = find_tools()
    folder = ensure_extractor(tools, cache=tmp_path)
    assert folder.parent == tmp_path
    assert folder.name.startswith("node-")
    installed = json.loads((folder / "node_modules" / "typescript" / "package.json").read_text())
    locked = json.loads(LOCKFILE.read_text("utf-8"))["packages"]["node_modules/typescript"]
    assert installed["version"] == locked["version"]
    assert installed["version"].startswith("5.9.")
    marker = (folder / "node_modules" / "typescript" / "package.json").stat().st_mtime_ns
    assert ensure_extractor(tools, cache=tmp_path) == folder
    assert (folder / "node_modules" / "typescript" / "package.json").stat().st_mtime_ns == marker
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]


def test_typescript_is_pinned_exactly_by_the_lockfile() -> None:
    """TypeScript 5.9.x: the compiler API parse-only (TypeScript 7, the native port, lacks it)."""
    manifest = json.loads((LOCKFILE.parent / "package.json").read_text("utf-8"))
    assert manifest["dependencies"] == {"typescript": manifest["dependencies"]["typescript"]}
    wanted = manifest["dependencies"]["typescript"]
    assert wanted.startswith("5.9.")
    assert wanted.replace(".", "").isdigit()  # an exact version, no range
    lock = json.loads(LOCKFILE.read_text("utf-8"))
    assert lock["packages"][""]["dependencies"] == manifest["dependencies"]
    locked = lock["packages"]["node_modules/typescript"]
    assert locked["version"] == wanted
    assert locked["integrity"].startswith("sha512-")
    assert sorted(lock["packages"]) == ["", "node_modules/typescript"]  # nothing else installed


def test_an_unusable_cache_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    fake_tools(tmp_path / "bin")
    tools = NodeTools(str(tmp_path / "bin" / "node"), str(tmp_path / "bin" / "npm"), (20, 1))
    with pytest.raises(NodeToolError, match="cannot create a folder in the cache"):
        ensure_extractor(tools, cache=blocker / "cache")
    with pytest.raises(PackageError, match="UTSAPI_KIT_CACHE"):
        fetch_package(tools, PackageRef("@example/pkg", "1.0.0"), cache=blocker / "cache")


def test_a_typescript_other_than_the_pinned_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_node()
    tools = find_tools()
    folder = ensure_extractor(tools)
    fixture = Path(__file__).parent / "fixtures" / "mini_alpha.d.ts"
    assert run_extractor(tools, folder, [fixture])["typescript"] == locked_typescript()
    monkeypatch.setattr("generator.importer.node.locked_typescript", lambda: "9.9.9")
    with pytest.raises(ExtractError, match=r"TypeScript 5\.9\.\d+, the lockfile pins 9\.9\.9"):
        run_extractor(tools, folder, [fixture])


def test_a_failing_extractor_reports_its_error_output(tmp_path: Path) -> None:
    needs_node()
    tools = find_tools()
    with pytest.raises(ExtractError, match="the extractor failed") as caught:
        run_extractor(tools, ensure_extractor(tools), [tmp_path / "missing.d.ts"])
    assert "ENOENT" in str(caught.value)
