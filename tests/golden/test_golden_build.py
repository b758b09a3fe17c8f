"""`utsapi build` from the bundled spec writes exactly what the baseline archive holds.

The archive beside this file (see its README; ``regenerate.py`` writes it): the data files, the
filled pages, the typed package and the site's HTML must stay byte-identical unless a change is
deliberate, in which case the archive is regenerated in the same commit.
"""

from __future__ import annotations

import difflib
import io
import shutil
import tarfile
from pathlib import Path

import pytest

from generator.cli import run as cli_run

ARCHIVE = Path(__file__).with_name("build-baseline.tar.xz")
#: Theme assets and files holding the build date are not part of the baseline.
_COMPARED_SUFFIXES = (".json", ".md", ".py", ".pyi", ".toml", ".typed", ".html")


def _golden(tmp_path: Path) -> Path:
    root = tmp_path / "golden"
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(root, filter="data")
    return root


def _built_files(out: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for part in ("utsApiJson.json", "utsApiJson.en.json"):
        files[part] = out / part
    for folder in ("pages", "stubs"):
        for path in sorted((out / folder).rglob("*")):
            if path.is_file():
                files[path.relative_to(out).as_posix()] = path
    site = out / "site"
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site)
        if not path.is_file() or rel.parts[0] == "assets":
            continue
        if path.suffix == ".html" or path.name == "search_index.json":
            files[f"site/{rel.as_posix()}"] = path
    return files


def test_build_is_byte_identical_to_the_baseline(tmp_path: Path) -> None:
    golden = _golden(tmp_path)
    out = tmp_path / "out"
    (out / "conformance").mkdir(parents=True)
    shutil.copy(golden / "conformance-report.json", out / "conformance" / "report.json")
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli_run(["build", "--out", str(out), "--no-conformance"], stdout, stderr)
    assert code == 0, stderr.getvalue()

    built = _built_files(out)
    expected = {
        p.relative_to(golden).as_posix(): p
        for p in sorted(golden.rglob("*"))
        if p.is_file() and p.suffix in _COMPARED_SUFFIXES and p.name != "conformance-report.json"
    }
    assert sorted(built) == sorted(expected), "the set of files written changed"
    different = [n for n in expected if built[n].read_bytes() != expected[n].read_bytes()]
    if different:
        first = different[0]
        diff = difflib.unified_diff(
            expected[first].read_text("utf-8").splitlines(),
            built[first].read_text("utf-8").splitlines(),
            "baseline/" + first, "now/" + first, lineterm="", n=2,
        )  # fmt: skip
        shown = "\n".join(list(diff)[:60])
        pytest.fail(f"{len(different)} file(s) differ from the baseline: {different}\n{shown}")
