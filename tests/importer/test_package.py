"""Which module files of a package are read: the duplicate rule, empty files, the ignored tree;
and CRLF files read like LF files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.importer import import_package
from generator.importer.exceptions import PackageError
from generator.importer.package import find_module_files, package_root
from tests.importer.support import FIXTURES, needs_node

ALPHA = (FIXTURES / "mini_alpha.d.ts").read_bytes()
BETA = (FIXTURES / "mini_beta.d.ts").read_bytes()
BETA_CRLF = BETA.replace(b"\n", b"\r\n")
BETA_BIZ = BETA + b"\nexport type StarCount = number;\n"


def write_module(root: Path, tree: str, folder: str, data: bytes) -> None:
    path = root / "types" / "uni" / tree / "lib" / folder / "utssdk" / "interface.d.ts"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)


@pytest.fixture
def mini_package(tmp_path: Path) -> Path:
    """An unpacked package laid out like @dcloudio/uni-app-x, its files written here."""
    root = tmp_path / "package"
    root.mkdir()
    (root / "package.json").write_text(
        json.dumps({"name": "@example/uni-mini", "version": "0.0.1"}), "utf-8"
    )
    write_module(root, "uts-plugin-api", "uni-alpha", ALPHA)
    write_module(root, "uts-plugin-api", "uni-beta", BETA_CRLF)
    write_module(root, "uts-plugin-api", "uni-empty", b"\n")
    write_module(root, "uts-plugin-biz", "uni-alpha", ALPHA)
    write_module(root, "uts-plugin-biz", "uni-beta", BETA_BIZ)
    write_module(root, "uts-plugin-biz", "uni-zeta", BETA_CRLF)
    write_module(root, "uts-plugin-extend", "uni-aaa", ALPHA)
    write_module(root, "uts-plugin-component", "uni-gamma", BETA_BIZ + b"// other\n")
    (root / "types" / "uni" / "uts-plugin-api" / "lib" / "uni-nofile").mkdir()
    return root


def test_duplicate_rule_keeps_the_first_copy_in_tree_order(mini_package: Path) -> None:
    found = find_module_files(mini_package)
    assert [m.key for m in found.selected] == ["api/uni-alpha", "api/uni-beta", "biz/uni-beta"]
    assert [(s.source.key, s.reason, s.duplicate_of) for s in found.skipped] == [
        ("api/uni-empty", "empty", None),
        ("biz/uni-alpha", "duplicate", "api/uni-alpha"),
        ("biz/uni-zeta", "duplicate", "api/uni-beta"),
        # tree order decides before folder names: extend comes after api
        ("extend/uni-aaa", "duplicate", "api/uni-alpha"),
    ]
    alpha = found.selected[0]
    assert (alpha.name, alpha.tree) == ("uni-alpha", "uts-plugin-api")
    assert alpha.relpath == "types/uni/uts-plugin-api/lib/uni-alpha/utssdk/interface.d.ts"


def test_same_folder_name_different_bytes_are_two_modules(mini_package: Path) -> None:
    found = find_module_files(mini_package)
    betas = [m for m in found.selected if m.name == "uni-beta"]
    assert [m.key for m in betas] == ["api/uni-beta", "biz/uni-beta"]
    assert betas[0].sha256 != betas[1].sha256


def test_the_component_tree_is_never_read(mini_package: Path) -> None:
    found = find_module_files(mini_package)
    everything = [m.key for m in found.selected] + [s.source.key for s in found.skipped]
    assert not [k for k in everything if "gamma" in k or "component" in k]


def test_an_unpacked_tarball_folder_is_found_through_package(mini_package: Path) -> None:
    assert package_root(mini_package.parent) == mini_package


def test_a_folder_without_declarations_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="no types/uni folder"):
        find_module_files(tmp_path)
    (tmp_path / "types" / "uni").mkdir(parents=True)
    with pytest.raises(PackageError, match="no module files"):
        find_module_files(tmp_path)


def test_crlf_files_read_like_lf_files_with_provenance(mini_package: Path) -> None:
    needs_node()
    surface = import_package(mini_package)
    assert (surface.package, surface.version) == ("@example/uni-mini", "0.0.1")
    crlf, lf = surface.module("api/uni-beta"), surface.module("biz/uni-beta")
    assert (crlf.crlf, lf.crlf) == (True, False)

    api_docs = [d for d in surface.docs() if "uts-plugin-api/lib/uni-beta" in d.provenance.file]
    biz_docs = [d for d in surface.docs() if "uts-plugin-biz/lib/uni-beta" in d.provenance.file]
    assert [
        (d.provenance.line, d.provenance.column, d.description, d.platforms is not None)
        for d in api_docs
    ] == [
        (d.provenance.line, d.provenance.column, d.description, d.platforms is not None)
        for d in biz_docs
    ]
    assert [d.description for d in api_docs] == [
        "Count the stars.",
        "示例: a summary with characters outside ASCII.",
        "Too many stars.",
        "No sky.",
    ]
    codes = crlf.named("StarErrorCode")[0]
    assert codes.provenance.package == "@example/uni-mini"
    assert codes.provenance.version == "0.0.1"
    assert str(codes.provenance) == (
        "types/uni/uts-plugin-api/lib/uni-beta/utssdk/interface.d.ts:17:1"
    )
    counts = surface.counts()
    assert (counts.modules, counts.skipped_empty, counts.skipped_duplicates) == (3, 1, 3)
    assert counts.crlf_files == 1
