"""`utsapi build --out DIR` writes only where it may (issue 12.4): a new or empty folder, one it
built before (its marker file), or one holding only a conformance report; never `/`, the home
directory or a symbolic link, and it says what it would replace.  Refusals exit 2 and write
nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from generator.cli import run as cli_run
from generator.cli.build import MARKER, check_out


def build(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(["build", "--no-site", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_new_folder_is_built_and_marked(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    code, _, err = build("--out", str(out))
    assert code == 0, err
    assert (out / MARKER).is_file()
    assert (out / "utsApiJson.json").is_file()
    assert "replacing" not in err


def test_an_empty_folder_is_built(tmp_path: Path) -> None:
    code, _, err = build("--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / MARKER).is_file()


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("my own site", encoding="utf-8")
    before = snapshot(tmp_path)
    code, out, err = build("--out", str(tmp_path))
    assert code == 2
    assert out == ""
    assert err.startswith(f"utsapi build: refusing to write into {tmp_path}: ")
    assert "notes.txt, site" in err and f"no {MARKER} file" in err
    # What it would delete: the site folder and the number of files in it.
    assert f"{tmp_path / 'site'}/ (1 file(s)): deleted and rebuilt" in err
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before


def test_a_previously_built_folder_is_rebuilt_saying_what_is_replaced(tmp_path: Path) -> None:
    assert build("--out", str(tmp_path))[0] == 0
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("kept", encoding="utf-8")
    code, _, err = build("--out", str(tmp_path))
    assert code == 0, err
    assert f"replacing {tmp_path / 'stubs'}/ (" in err
    assert f"replacing {tmp_path / 'utsApiJson.json'}: overwritten" in err
    # --no-site: the site is neither rebuilt nor announced as replaced.
    assert f"replacing {tmp_path / 'site'}" not in err
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "kept"


def test_a_folder_with_only_a_conformance_report_is_accepted(tmp_path: Path) -> None:
    """`conformance run --json OUT/conformance/report.json` then `build --no-conformance`."""
    (tmp_path / "conformance").mkdir()
    (tmp_path / "conformance" / "report.json").write_text("{}", encoding="utf-8")
    code, _, err = build("--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "conformance" / "report.json").read_text(encoding="utf-8") == "{}"


def test_a_symlinked_target_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    code, _, err = build("--out", str(link))
    assert code == 2
    assert f"{link} is a symbolic link (to {real})" in err
    assert list(real.iterdir()) == []


def test_a_symlinked_site_folder_inside_the_target_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("", encoding="utf-8")
    (out / "site").symlink_to(elsewhere, target_is_directory=True)
    code, _, err = build("--out", str(out))
    assert code == 2
    assert f"{out / 'site'} is a symbolic link" in err
    assert (elsewhere / "precious.txt").read_text(encoding="utf-8") == "keep"


def test_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    code, _, err = build("--out", str(target))
    assert code == 2
    assert "exists and is not a folder" in err
    assert target.read_text(encoding="utf-8") == "x"


def test_the_home_directory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    code, _, err = build("--out", str(home))
    assert code == 2
    assert "is the home directory" in err
    assert list(home.iterdir()) == []
    # Also spelled another way.
    assert check_out(home / "." / "sub" / "..").problem is not None


def test_the_root_is_refused() -> None:
    """Checked without running a build there: nothing may be written to / by a failing test."""
    for root in (Path("/"), Path("/tmp/.."), Path("//")):
        problem = check_out(root).problem
        assert problem is not None and "root of the file system" in problem, root


def test_the_help_says_what_is_refused() -> None:
    out = io.StringIO()
    assert cli_run(["build", "--help"], out, io.StringIO()) == 0
    text = " ".join(out.getvalue().split())
    assert MARKER in text and "symbolic link" in text and "home directory" in text
