"""The constructs of the whole surface (issue 10) on our own fixture (``surface.d.ts``): literal
unions with per-value docs and platforms, generics, string subtypes, deprecation without a
replacement, external and global bases, classes, optional parameters of function types, unique
anchors for clashing names, and the overrides file (applied; an unused one reported)."""

from __future__ import annotations

import argparse
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.importer import cli
from generator.spec import load_spec
from generator.spec.model import AliasType, InterfaceType, ObjectType
from generator.spec.typeexpr import Function, parse_type
from tests.importer.support import FIXTURES, needs_node

SURFACE = "types/uni/uts-plugin-api/lib/uni-surface/utssdk/interface.d.ts"


def _run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="import")
    cli.configure(parser)
    stdout, stderr = io.StringIO(), io.StringIO()
    status = cli.run(parser.parse_args(list(argv)), stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def spec_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_node()
    base = tmp_path_factory.mktemp("surface")
    root = base / "pkg"
    for folder, fixture in {"uni-surface": "surface.d.ts", "uni-peer": "surface_peer.d.ts"}.items():
        target = root / "types" / "uni" / "uts-plugin-api" / "lib" / folder / "utssdk"
        target.mkdir(parents=True)
        shutil.copyfile(FIXTURES / fixture, target / "interface.d.ts")
    (root / "package.json").write_text('{"name": "@example/surface", "version": "1.0.0"}')
    overrides = FIXTURES / "surface_overrides.yaml"
    status, _, err = _run(str(root), "--out", str(base / "spec"), "--overrides", str(overrides))
    assert status == 0, err
    return base / "spec"


def _data(spec_dir: Path) -> dict[str, Any]:
    data = yaml.safe_load((spec_dir / "modules" / "surface.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _fields(data: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in data["types"][type_name]["fields"]}


def test_the_imported_fixture_validates(spec_dir: Path) -> None:
    spec = load_spec([spec_dir])
    assert sorted(m.name for m in spec.modules) == ["peer", "surface"]


def test_literal_union_values_keep_their_docs_and_platforms(spec_dir: Path) -> None:
    mode = _fields(_data(spec_dir), "LoadThingOptions")["mode"]
    assert (mode["type"], mode.get("nullable")) == ("string", True)
    assert [v["value"] for v in mode["values"]] == ["eager", "lazy"]
    assert mode["values"][0]["description"] == {"zh": "Right away."}
    assert mode["values"][0]["platforms"] == {
        "app": {"android": {"osVer": "5.0", "uniVer": "x", "unixVer": "4.0"}}
    }
    assert "platforms" not in mode["values"][1]
    retries = _fields(_data(spec_dir), "LoadThingOptions")["retries"]
    assert (retries["type"], [v["value"] for v in retries["values"]]) == ("number", [0, 1, 3])


def test_a_named_literal_union_is_an_alias_with_values_and_platforms(spec_dir: Path) -> None:
    module = load_spec([spec_dir]).module("surface")
    assert module is not None
    kind = module.types["LoadKind"]
    assert isinstance(kind, AliasType)
    assert str(kind.type) == "string"
    assert [(v.value, v.description and v.description.zh) for v in kind.values] == [
        ("network", "From the network."),
        ("cache", "From the cache."),
    ]
    assert kind.platforms.get("web", "unixVer") == "4.0"  # @uniPlatform on a type


def test_generics_are_kept(spec_dir: Path) -> None:
    data = _data(spec_dir)
    [load] = [a for a in data["apis"] if a["name"] == "loadThing"]
    assert load["typeParams"] == ["T"]
    assert [p["type"] for p in load["params"]] == ["LoadThingOptions<T>"]
    assert load["returns"] == "Promise<T>"
    assert data["types"]["LoadThingOptions"]["typeParams"] == ["T"]
    success = _fields(data, "LoadThingOptions")["success"]
    assert success["type"] == "(result: T) => void"


def test_string_subtypes_are_kept_as_written(spec_dir: Path) -> None:
    assert _fields(_data(spec_dir), "LoadThingOptions")["url"]["type"] == "string.PageURIString"


def test_deprecated_without_a_replacement_keeps_its_text(spec_dir: Path) -> None:
    module = load_spec([spec_dir]).module("surface")
    assert module is not None
    stop = module.api("stopLoading")
    assert stop is not None and stop.deprecated is not None
    assert stop.deprecated.replacement is None
    assert stop.deprecated.text is not None
    assert stop.deprecated.text.zh == "No longer needed: loads stop by themselves."
    legacy = next(f for f in module.fields("LoadThingOptions") if f.name == "legacy")
    assert legacy.deprecated is not None and legacy.deprecated.text is None


def test_external_and_global_bases(spec_dir: Path) -> None:
    data = _data(spec_dir)
    assert data["types"]["LoadFail"]["extends"] == "IUniError"  # a global type
    assert data["types"]["LoadPeerEvent"]["extends"] == "PeerEvent"  # another module's
    assert data["external"] == {"PeerEvent": "peer"}


def test_classes_are_object_types_and_impl_classes_are_left_out(spec_dir: Path) -> None:
    module = load_spec([spec_dir]).module("surface")
    assert module is not None
    message = module.types["LoadMessage"]
    assert isinstance(message, ObjectType) and message.is_class
    assert [f.name for f in message.fields] == ["data"]
    assert "LoadFailImpl" not in module.types


def test_optional_parameters_of_function_types(spec_dir: Path) -> None:
    listener = _data(spec_dir)["types"]["LoadListener"]
    assert listener["type"] == "(progress?: number, note?: string) => void"
    expr = parse_type(listener["type"])
    assert isinstance(expr, Function) and expr.optional == ("progress", "note")


def test_clashing_names_get_unique_anchors_the_first_keeps_the_slug(spec_dir: Path) -> None:
    module = load_spec([spec_dir]).module("surface")
    assert module is not None
    abort = module.api("abort")
    load_task, upload_task = module.types["LoadTask"], module.types["UploadTask"]
    assert isinstance(load_task, InterfaceType) and isinstance(upload_task, InterfaceType)
    assert abort is not None and abort.anchor == "abort"
    assert load_task.methods[0].anchor == "abort-2"
    assert upload_task.methods[0].anchor == "abort-3"
    assert module.types["GetVerifyManager"].anchor == "getverifymanager-values"
    assert module.types["GetverifyManager"].anchor == "getverifymanager-values-2"
    anchors = [c.anchor for c in module.callables()] + [t.anchor for t in module.types.values()]
    assert len(anchors) == len(set(anchors))


def test_an_override_replaces_a_broken_block_and_an_unused_one_is_reported(
    spec_dir: Path,
) -> None:
    data = _data(spec_dir)
    [broken] = [a for a in data["apis"] if a["name"] == "brokenThing"]
    assert broken["platforms"] == {"web": {"uniVer": "√", "unixVer": "4.0"}}
    lines = (spec_dir / "warnings.txt").read_text("utf-8").splitlines()
    assert [line for line in lines if line.startswith(SURFACE)] == [
        f"{SURFACE}:22:6: Uni.brokenThing: @uniPlatform replaced by the overrides file "
        "(a missing comma and closing brace)"
    ]
    [unused] = [line for line in lines if "unused @uniPlatform override" in line]
    assert "surface_overrides.yaml:10:3: Uni.noSuchThing: unused @uniPlatform override" in unused


def test_a_broken_overrides_file_is_an_error_that_says_where(tmp_path: Path) -> None:
    needs_node()
    bad = tmp_path / "overrides.yaml"
    bad.write_text("format: 1\npackage: x\noverrides:\n- file: a\n  path: b\n")
    root = tmp_path / "pkg"
    target = root / "types" / "uni" / "uts-plugin-api" / "lib" / "uni-peer" / "utssdk"
    target.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "surface_peer.d.ts", target / "interface.d.ts")
    (root / "package.json").write_text('{"name": "@example/surface", "version": "1.0.0"}')
    status, _, err = _run(str(root), "--out", str(tmp_path / "spec"), "--overrides", str(bad))
    assert status == 2
    assert f"{bad}:4:3:" in err and "expected exactly the keys" in err
