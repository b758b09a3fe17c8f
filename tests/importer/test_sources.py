"""Sources of an import: ``npm:NAME@VERSION``, a local ``.tgz``, a folder (no Node needed)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from generator.importer import PINNED, PackageRef, parse_source
from generator.importer.exceptions import PackageError
from generator.importer.package import unpack_tarball


def test_the_pinned_version_keeps_its_integrity() -> None:
    assert parse_source("npm:@dcloudio/uni-app-x@0.7.122") == PINNED
    assert PINNED.integrity is not None
    assert PINNED.integrity.startswith("sha512-")


def test_another_version_is_checked_against_what_npm_reports() -> None:
    assert parse_source("npm:@dcloudio/uni-app-x@0.7.121") == PackageRef(
        "@dcloudio/uni-app-x", "0.7.121", None
    )
    assert parse_source("npm:plain-name@1.0.0-alpha.1") == PackageRef(
        "plain-name", "1.0.0-alpha.1", None
    )


@pytest.mark.parametrize("text", ["npm:@scope/name", "npm:name@latest", "npm:name@~1.2.3"])
def test_an_inexact_npm_source_is_refused(text: str) -> None:
    with pytest.raises(PackageError):
        parse_source(text)


def test_anything_else_is_a_path() -> None:
    assert parse_source("some/folder") == Path("some/folder")


def make_tgz(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def test_a_local_tarball_is_unpacked_once_into_the_cache(tmp_path: Path) -> None:
    manifest = json.dumps({"name": "@example/pkg", "version": "2.0.0"}).encode()
    tgz = make_tgz(tmp_path / "pkg.tgz", {"package/package.json": manifest})
    root = unpack_tarball(tgz, cache=tmp_path / "cache")
    assert json.loads((root / "package.json").read_text("utf-8"))["version"] == "2.0.0"
    assert root.parent.name.startswith("tgz-")
    assert unpack_tarball(tgz, cache=tmp_path / "cache") == root


def test_a_tarball_without_a_package_folder_is_refused(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "odd.tgz", {"other/file.txt": b"x"})
    with pytest.raises(PackageError, match=r"no package/package\.json"):
        unpack_tarball(tgz, cache=tmp_path / "cache")


def test_a_tarball_escaping_its_folder_is_refused(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "evil.tgz", {"../outside.txt": b"x"})
    with pytest.raises(PackageError, match="cannot unpack"):
        unpack_tarball(tgz, cache=tmp_path / "cache")
    assert not (tmp_path / "cache" / "outside.txt").exists()
