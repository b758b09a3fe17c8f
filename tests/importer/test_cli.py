"""The importer's command (``python -m generator.importer``, later ``utsapi import``): summary,
JSON, dump, module selection and its exit codes, run in-process."""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

import pytest

from generator.importer import cli
from tests.importer.support import FIXTURES, needs_node


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="import")
    cli.configure(parser)
    stdout, stderr = io.StringIO(), io.StringIO()
    status = cli.run(parser.parse_args(list(argv)), stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default --out (build/imported-spec) is relative: write it under tmp_path."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    lib = root / "types" / "uni" / "uts-plugin-api" / "lib"
    for folder, fixture in (("uni-alpha", "mini_alpha.d.ts"), ("uni-blocks", "blocks.d.ts")):
        (lib / folder / "utssdk").mkdir(parents=True)
        shutil.copyfile(FIXTURES / fixture, lib / folder / "utssdk" / "interface.d.ts")
    (root / "package.json").write_text('{"name": "@example/mini", "version": "1.2.3"}')
    return root


def test_text_summary_and_warnings(package: Path) -> None:
    needs_node()
    status, out, err = run(str(package))
    assert status == 0
    assert out.splitlines()[0].startswith("@example/mini@1.2.3 (TypeScript 5.9.")
    assert "  modules: 2\n" in out
    assert "  platform blocks broken: 2\n" in out
    assert (
        "warning: types/uni/uts-plugin-api/lib/uni-blocks/utssdk/interface.d.ts:40:23: "
        "@uniPlatform: block skipped"
    ) in err


def test_json_summary_for_one_module(package: Path) -> None:
    needs_node()
    status, out, _ = run(str(package), "--module", "api/uni-alpha", "--format", "json")
    assert status == 0
    summary = json.loads(out)
    assert summary["counts"]["modules"] == 1
    assert summary["counts"]["uni_apis"] == 1
    assert summary["warnings"] == []


def test_dump_json_holds_the_model_without_machine_paths(package: Path, tmp_path: Path) -> None:
    needs_node()
    dump = tmp_path / "out" / "surface.json"
    status, _, _ = run(str(package), "--module", "api/uni-alpha", "--dump-json", str(dump))
    assert status == 0
    data = json.loads(dump.read_text("utf-8"))
    [module] = data["modules"]
    assert module["source"]["key"] == "api/uni-alpha"
    assert "path" not in module["source"]
    uni = module["declarations"][0]
    assert (uni["kind"], uni["name"]) == ("interface", "Uni")
    assert uni["provenance"] == {
        "file": "types/uni/uts-plugin-api/lib/uni-alpha/utssdk/interface.d.ts",
        "line": 1,
        "column": 1,
    }
    assert uni["members"][0]["doc"]["description"] == "Ring a small bell."
    assert str(tmp_path) not in dump.read_text("utf-8")


def test_an_unknown_module_is_a_usage_error(package: Path) -> None:
    needs_node()
    status, _, err = run(str(package), "--module", "api/uni-nothing")
    assert status == 2
    assert "unknown module(s): api/uni-nothing" in err


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("npm:@example/pkg@^1.0", "is not an exact version"),
        ("npm:nameonly", "expected npm:NAME@VERSION"),
        ("/no/such/folder", "no such file or folder"),
    ],
)
def test_an_unreadable_source_exits_2(source: str, message: str) -> None:
    status, _, err = run(source)
    assert status == 2
    assert message in err
    assert "Traceback" not in err


def test_missing_node_exits_3_without_a_traceback(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    status, _, err = run(str(package))
    assert status == 3
    assert "import: node and npm not found on PATH" in err


def test_two_imports_dump_the_same_bytes(package: Path, tmp_path: Path) -> None:
    """Deterministic output: the same input gives the same dump, byte for byte."""
    needs_node()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run(str(package), "--dump-json", str(first))[0] == 0
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)  # another folder: no machine path may leak into the dump
    assert run(str(copy), "--dump-json", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()
