"""``utsapi import --out DIR``: the fixture declarations written as a spec directory that
``utsapi validate`` accepts, each mapping rule named by its test."""

from __future__ import annotations

import argparse
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.importer import cli
from generator.importer.model import Surface
from generator.importer.tospec import ModuleSpec, module_names, surface_to_specs
from generator.importer.write import HEADER
from generator.spec.validate import validate_paths, validate_text
from tests.importer.support import FIXTURES, needs_node

CONSTRUCTS = "types/uni/uts-plugin-api/lib/uni-constructs/utssdk/interface.d.ts"


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="import")
    cli.configure(parser)
    stdout, stderr = io.StringIO(), io.StringIO()
    status = cli.run(parser.parse_args(list(argv)), stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def make_package(root: Path) -> Path:
    """A package of the fixtures: api modules, and a biz copy of one folder name with other
    bytes (two modules, two names)."""
    files = {
        "uts-plugin-api/lib/uni-constructs": "constructs.d.ts",
        "uts-plugin-api/lib/uni-blocks": "blocks.d.ts",
        "uts-plugin-api/lib/uni-variants": "variants.d.ts",
        "uts-plugin-api/lib/uni-alpha": "mini_alpha.d.ts",
        "uts-plugin-api/lib/uni-extras": "spec_extras.d.ts",
        "uts-plugin-biz/lib/uni-alpha": "mini_beta.d.ts",
    }
    for folder, fixture in files.items():
        target = root / "types" / "uni" / folder / "utssdk"
        target.mkdir(parents=True)
        shutil.copyfile(FIXTURES / fixture, target / "interface.d.ts")
    (root / "package.json").write_text('{"name": "@example/mini", "version": "1.2.3"}')
    return root


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The spec directory written from the fixture package, and the command's output."""
    needs_node()
    base = tmp_path_factory.mktemp("import")
    package = make_package(base / "pkg")
    status, out, err = run(str(package), "--out", str(base / "spec"))
    assert status == 0, err
    return base / "spec", out, err


def module(spec_dir: Path, name: str) -> dict[str, Any]:
    data = yaml.safe_load((spec_dir / "modules" / f"{name}.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def items(value: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every API, method, parameter, field, named type and error code, with its path."""
    if isinstance(value, dict):
        if ("name" in value and ("type" in value or "params" in value)) or "kind" in value:
            yield path, value
        if "code" in value and isinstance(value["code"], int):
            yield path, value
        for key, item in value.items():
            if key not in ("platforms", "provenance", "tutorial", "examples"):
                yield from items(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from items(item, f"{path}[{i}]")


def test_the_written_directory_validates(imported: tuple[Path, str, str]) -> None:
    spec_dir, _, _ = imported
    result = validate_paths([spec_dir])
    assert [str(d) for d in result.diagnostics] == []
    names = sorted(m.name for m in result.built_modules)
    assert names == ["alpha", "biz_alpha", "blocks", "constructs", "extras", "variants"]
    constructs = next(m for m in result.built_modules if m.name == "constructs")
    assert constructs.languages == ("zh",)
    assert not constructs.title.translated


def test_one_file_per_module_with_the_header(imported: tuple[Path, str, str]) -> None:
    spec_dir, _, _ = imported
    files = sorted(p.name for p in (spec_dir / "modules").iterdir())
    assert files == [
        "alpha.yaml",
        "biz_alpha.yaml",
        "blocks.yaml",
        "constructs.yaml",
        "extras.yaml",
        "variants.yaml",
    ]
    text = (spec_dir / "modules" / "constructs.yaml").read_text("utf-8")
    assert text.startswith(
        f"{HEADER} from @example/mini@1.2.3 {CONSTRUCTS} (module api/uni-constructs)."
    )


def test_module_provenance_and_languages(imported: tuple[Path, str, str]) -> None:
    data = module(imported[0], "constructs")
    assert data["provenance"] == {
        "package": "@example/mini",
        "version": "1.2.3",
        "file": CONSTRUCTS,
    }
    assert data["languages"] == ["zh"]
    assert data["version"] == "1.2.3"
    assert data["title"] == {"zh": "uni-constructs"}


def test_provenance_on_every_item(imported: tuple[Path, str, str]) -> None:
    spec_dir, _, _ = imported
    for path in sorted((spec_dir / "modules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        found = list(items(data))
        assert found, path
        for where, item in found:
            prov = item.get("provenance")
            assert isinstance(prov, dict) and prov["line"] >= 1 and prov["column"] >= 1, (
                path.name,
                where,
            )


def test_uni_methods_become_apis(imported: tuple[Path, str, str]) -> None:
    data = module(imported[0], "constructs")
    assert [a["name"] for a in data["apis"]] == ["openWidget", "fetchThing", "closeAllWidgets"]
    open_widget = data["apis"][0]
    assert open_widget["description"] == {"zh": "Open a tiny widget."}
    assert open_widget["params"] == [
        {
            "name": "options",
            "type": "OpenWidgetOptions",
            "required": True,
            "provenance": {"line": 45, "column": 14},
        }
    ]
    assert open_widget["returns"] == "WidgetTask"
    assert open_widget["provenance"] == {"line": 45, "column": 3}
    assert [link["url"] for link in open_widget["tutorial"]] == [
        "https://example.invalid/docs/widget.html#openwidget",
        "https://example.invalid/uni-app/widget.html",
        "https://example.invalid/uni-app-x/widget.html",
        "https://example.invalid/weixin/widget.html",
    ]
    assert open_widget["examples"][0]["lang"] == "ts"
    assert "uni.openWidget" in open_widget["examples"][0]["code"]
    assert data["apis"][1]["returns"] == "WidgetTask | null"


def test_platform_keys_and_value_forms(imported: tuple[Path, str, str]) -> None:
    platforms = module(imported[0], "constructs")["apis"][0]["platforms"]
    assert platforms["app"]["android"] == {
        "osVer": "5.0",
        "uniVer": "√",
        "uniUtsPlugin": "3.9",  # "3.9+": every version cell means "since"
        "unixVer": "4.0",
        "unixUtsPlugin": "x",
    }
    assert platforms["app"]["harmony"] == {
        "osVer": "5.0.0(11)",
        "uniVer": "-",
        "unixVer": "4.61",
        "unixVaporVer": "5.0",
        "unixvVer": "3.0",  # "3,0"
    }
    assert platforms["mp"]["weixin"] == {"hostVer": "2.10.0", "uniVer": "√", "unixVer": "x"}
    assert platforms["web"] == {"uniVer": "√", "unixVer": "4.0"}


def test_object_types_interfaces_aliases_and_error_codes(imported: tuple[Path, str, str]) -> None:
    types = module(imported[0], "constructs")["types"]
    assert {name: t["kind"] for name, t in types.items()} == {
        "OpenWidgetOptions": "object",
        "OpenWidgetSuccessCallback": "alias",
        "FetchThingOptions": "object",
        "WidgetMode": "alias",
        "WidgetErrorCode": "error-codes",
        "WidgetResult": "object",
        "WidgetFail": "object",
        "WidgetTask": "interface",
        "WidgetProvider": "interface",
    }
    assert types["OpenWidgetSuccessCallback"]["type"] == "(result: WidgetResult) => void"
    assert [m["name"] for m in types["WidgetTask"]["methods"]] == ["close", "onClose"]
    assert types["WidgetTask"]["methods"][1]["returns"] == "WidgetTask"  # `this`
    codes = types["WidgetErrorCode"]
    assert codes["description"] == {"zh": "Error codes of widgets."}
    assert [(c["code"], c.get("description")) for c in codes["codes"]] == [
        (710001, {"zh": "The widget is busy."}),
        (710002, {"zh": "The widget is gone."}),
        (710003, None),
    ]
    # a code's own @uniPlatform and @deprecated are kept (DCloud's 2026-04 code tables show them)
    gone = codes["codes"][1]
    assert gone["platforms"] == {"app": {"android": {"unixVer": "4.1"}}}
    assert gone["deprecated"] == {"text": {"zh": "Gone for good."}}
    assert "platforms" not in codes["codes"][0] and "deprecated" not in codes["codes"][0]


def test_fields_types_nullability_and_defaults(imported: tuple[Path, str, str]) -> None:
    fields = {
        f["name"]: f
        for f in module(imported[0], "constructs")["types"]["OpenWidgetOptions"]["fields"]
    }
    assert fields["page"]["type"] == "string.PageURIString"  # a string subtype, as written
    assert fields["page"]["required"] is True
    assert "default" not in fields["page"]  # a required field has none
    # the @defaultValue as written, for the docs that show it so (a required field too)
    assert fields["page"]["default_text"] == '"/pages/index"'
    assert (fields["mode"]["default"], fields["mode"]["default_text"]) == ("small", "'small'")
    assert "default_text" not in fields["size"]
    assert (fields["size"]["type"], fields["size"].get("nullable")) == ("number", True)
    assert fields["tags"]["type"] == "Array<string>"  # string[] | null
    assert fields["mixed"]["type"] == "Array<string | number>"
    assert "required" not in fields["mixed"]


def test_a_uni_property_of_a_function_type_is_an_api(imported: tuple[Path, str, str]) -> None:
    [api] = module(imported[0], "extras")["apis"]
    assert (api["name"], api["returns"]) == ("startWorker", "SmallWorker")
    assert [(p["name"], p["type"]) for p in api["params"]] == [("url", "string")]
    assert api["platforms"] == {
        "mp": {"360": {"hostVer": "x", "uniVer": "√", "unixVer": "x"}},
        "quickapp": {"uniVer": "√", "unixVer": "x"},
    }
    assert api["tutorial"][0]["url"] == "https://example.invalid/uni-app/worker.html"


def test_an_interface_keeps_its_properties_beside_its_methods(
    imported: tuple[Path, str, str],
) -> None:
    worker = module(imported[0], "extras")["types"]["SmallWorker"]
    assert worker["kind"] == "interface"
    assert [m["name"] for m in worker["methods"]] == ["post"]
    assert [(f["name"], f["type"], f.get("nullable", False)) for f in worker["fields"]] == [
        ("id", "number", False),
        ("onMessage", "(message: string) => void", True),
    ]


def test_a_single_literal_error_code_described_in_the_alias_doc(
    imported: tuple[Path, str, str],
) -> None:
    codes = module(imported[0], "extras")["types"]["SmallWorkerErrorCode"]
    assert codes["kind"] == "error-codes"
    assert codes["description"] == {"zh": "The one error of workers.\n- 730001 The worker stopped."}
    # a code without a doc of its own is described by its line in the alias's doc
    assert [(c["code"], c["description"]) for c in codes["codes"]] == [
        (730001, {"zh": "The worker stopped."})
    ]


def test_ifdef_variants_are_merged(imported: tuple[Path, str, str]) -> None:
    types = module(imported[0], "constructs")["types"]
    assert [m["name"] for m in types["WidgetProvider"]["methods"]] == ["describe"]


def test_warnings_name_the_declaration_file_line_and_column(
    imported: tuple[Path, str, str],
) -> None:
    spec_dir, _, _ = imported
    lines = (spec_dir / "warnings.txt").read_text("utf-8").splitlines()
    expected = [
        f"{CONSTRUCTS}:60:3: Uni.widgetCount: a property member is not mapped yet; skipped",
        f"{CONSTRUCTS}:145:1: WidgetProvider: extends BaseProvider is not kept",
        f"{CONSTRUCTS}:154:1: makeWidget: a function declaration is not mapped yet; skipped",
    ]
    for line in expected:
        assert line in lines
    # mapped now, or dropped by a documented rule: no warning about them
    for gone in ("fetchThing", "closeAllWidgets", "__widgetInternals", "OpenWidgetOptions.page",
                 "WidgetMode", "WidgetFail:", "WidgetFailImpl"):  # fmt: skip
        assert not any(f": {gone}" in line for line in lines if CONSTRUCTS in line), gone
    # the importer's own warnings about the file come along (an unreadable block)
    assert any(":40:23: @uniPlatform: block skipped" in line for line in lines)


def test_progress_per_module_and_a_summary(imported: tuple[Path, str, str]) -> None:
    spec_dir, out, err = imported
    assert (
        "  api/uni-constructs -> modules/constructs.yaml: 3 APIs, 3 methods, 9 types, 3 codes, "
    ) in err
    assert f"spec written to {spec_dir.as_posix()}:\n  modules: 6\n" in out
    assert "  warnings import:skipped: " in out


def test_json_summary_counts_the_spec(tmp_path: Path) -> None:
    needs_node()
    package = make_package(tmp_path / "pkg")
    out = tmp_path / "spec"
    status, text, _ = run(
        str(package), "--out", str(out), "--format", "json", "--module", "api/uni-extras"
    )
    assert status == 0
    spec = json.loads(text)["spec"]
    assert spec["out"] == out.as_posix()
    assert spec["counts"] == {"modules": 1, "apis": 1, "methods": 1, "types": 3, "codes": 1}


def test_output_is_deterministic(imported: tuple[Path, str, str], tmp_path: Path) -> None:
    spec_dir, _, _ = imported
    package = make_package(tmp_path / "elsewhere")
    status, _, _ = run(str(package), "--out", str(tmp_path / "again"))
    assert status == 0
    for path in sorted((spec_dir / "modules").glob("*.yaml")):
        assert (tmp_path / "again" / "modules" / path.name).read_bytes() == path.read_bytes()
    assert (tmp_path / "again" / "warnings.txt").read_bytes() == (
        spec_dir / "warnings.txt"
    ).read_bytes()


def test_module_picks_some_and_keeps_their_names(tmp_path: Path) -> None:
    needs_node()
    package = make_package(tmp_path / "pkg")
    out = tmp_path / "spec"
    (out / "modules").mkdir(parents=True)
    (out / "modules" / "mine.yaml").write_text("format: 1\n")  # not the importer's: kept
    status, _, _ = run(str(package), "--out", str(out), "--module", "biz/uni-alpha")
    assert status == 0
    assert sorted(p.name for p in (out / "modules").iterdir()) == ["biz_alpha.yaml", "mine.yaml"]


def test_a_full_import_removes_its_stale_files_only(tmp_path: Path) -> None:
    needs_node()
    package = make_package(tmp_path / "pkg")
    out = tmp_path / "spec"
    (out / "modules").mkdir(parents=True)
    (out / "modules" / "gone.yaml").write_text(f"{HEADER} from an older package\n")
    (out / "modules" / "mine.yaml").write_text("format: 1\n")
    assert run(str(package), "--out", str(out))[0] == 0
    names = sorted(p.name for p in (out / "modules").iterdir())
    assert "gone.yaml" not in names
    assert "mine.yaml" in names


def test_no_write_only_reports(tmp_path: Path) -> None:
    needs_node()
    package = make_package(tmp_path / "pkg")
    status, out, _ = run(str(package), "--out", str(tmp_path / "spec"), "--no-write")
    assert status == 0
    assert not (tmp_path / "spec").exists()
    assert "spec written" not in out


def test_module_names_prefix_the_tree_only_on_a_clash(fixture_surface: Surface) -> None:
    names = module_names(fixture_surface)
    assert names == {"constructs": "constructs", "blocks": "blocks"}


def test_specs_count_what_they_hold(fixture_surface: Surface) -> None:
    specs: list[ModuleSpec] = surface_to_specs(fixture_surface, ["constructs"])
    assert [s.key for s in specs] == ["constructs"]
    assert specs[0].counts() == {
        "apis": 3,
        "methods": 3,
        "types": 9,
        "codes": 3,
        "warnings": len(specs[0].warnings),
    }


# --- the schema's imported form, and that a curated module keeps every requirement ----------

IMPORTED = """\
format: 1
module: tiny
version: 1.0.0
title: {zh: 小}
description: {zh: 小}
languages: [zh]
provenance: {package: '@example/mini', version: 1.0.0, file: a.d.ts}
apis: []
types:
  TinyErrorCode:
    kind: error-codes
    codes:
    - {code: 1, provenance: {line: 3, column: 3}}
  TinyOptions:
    kind: object
    fields:
    - name: when
      type: string
      platforms:
        app: {harmony: {osVer: 5.0.0(11), unixVaporVer: '-', uniUtsPlugin: x}}
        mp: {'360': {uniVer: √}}
        quickapp: {uniVer: x}
"""


def test_the_schema_holds_an_imported_module() -> None:
    doc = validate_text(IMPORTED, "tiny.yaml")
    assert [str(d) for d in doc.diagnostics] == []


@pytest.mark.parametrize(
    ("change", "check", "path"),
    [
        # without languages: [zh], every text needs English
        (("languages: [zh]\n", ""), "schema:required", "$.title"),
        # without provenance, a module needs an API, descriptions and errMsg
        (("provenance: {package: '@example/mini', version: 1.0.0, file: a.d.ts}\n", ""),
         "schema:minItems", "$.apis"),
    ],
)  # fmt: skip
def test_curated_modules_keep_every_requirement(
    change: tuple[str, str], check: str, path: str
) -> None:
    doc = validate_text(IMPORTED.replace(*change), "tiny.yaml")
    assert (check, path) in {(d.check, d.path) for d in doc.diagnostics}
