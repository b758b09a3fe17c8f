"""Generated files that are committed must match the spec (DESIGN: regenerate, compare)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from generator.cli import run as cli
from generator.spec import load_bundled_spec
from generator.stubs import generate_stubs
from tests.stubs.support import STUBS

IGNORED_PARTS = {"__pycache__", "build", ".mypy_cache"}


def _tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not IGNORED_PARTS.intersection(path.relative_to(root).parts)
        and not any(part.endswith(".egg-info") for part in path.parts)
    }


def _utsapi(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_committed_stubs_match_a_fresh_generation(tmp_path: Path) -> None:
    written = generate_stubs(load_bundled_spec(), tmp_path)
    assert written == sorted(written)
    fresh, committed = _tree(tmp_path), _tree(STUBS)
    assert sorted(fresh) == sorted(committed), "files added or removed: run 'utsapi stubs'"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"out of date: {stale}; run 'utsapi stubs'"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    generate_stubs(load_bundled_spec(), tmp_path / "a")
    generate_stubs(load_bundled_spec(), tmp_path / "b")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_cli_check_passes_on_the_committed_stubs() -> None:
    code, out, err = _utsapi("stubs", "--check", "--out", str(STUBS))
    assert (code, out) == (0, ""), err
    assert "matches the spec" in err


def test_cli_writes_then_check_reports_each_difference(tmp_path: Path) -> None:
    code, out, err = _utsapi("stubs", "--out", str(tmp_path))
    assert code == 0, err
    assert {Path(line) for line in out.splitlines()} == set(
        p for p in tmp_path.rglob("*") if p.is_file()
    )

    (tmp_path / "uniapi" / "websocket.py").write_text("# edited by hand\n", encoding="utf-8")
    (tmp_path / "uniapi" / "README.md").unlink(missing_ok=True)
    (tmp_path / "uniapi" / "leftover.py").write_text("", encoding="utf-8")
    (tmp_path / "README.md").unlink()
    code, out, err = _utsapi("stubs", "--check", "--out", str(tmp_path), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["differences"] == [
        {"file": "README.md", "status": "missing"},
        {"file": "uniapi/websocket.py", "status": "differs"},
        {"file": "uniapi/leftover.py", "status": "extra"},
    ]


def test_the_committed_package_is_no_distribution_of_its_own() -> None:
    """stubs/uniapi ships inside the kit; a pyproject.toml here would ship it twice."""
    assert not (STUBS / "pyproject.toml").exists()


def test_dist_adds_a_pyproject_and_check_compares_it(tmp_path: Path) -> None:
    code, _, err = _utsapi("stubs", "--out", str(tmp_path), "--dist")
    assert code == 0, err
    pyproject = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "uniapi-types"' in pyproject
    assert "typing_extensions" in pyproject
    assert "# uniapi-types" in (tmp_path / "README.md").read_text(encoding="utf-8")
    code, _, err = _utsapi("stubs", "--check", "--out", str(tmp_path), "--dist")
    assert code == 0, err

    code, out, _ = _utsapi("stubs", "--check", "--out", str(tmp_path), "--format", "json")
    assert code == 1
    assert json.loads(out)["differences"] == [
        {"file": "README.md", "status": "differs"},
        {"file": "pyproject.toml", "status": "extra"},
    ]


def test_a_pyproject_not_written_by_stubs_is_left_out_of_the_check(tmp_path: Path) -> None:
    assert _utsapi("stubs", "--out", str(tmp_path))[0] == 0
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mine'\n", encoding="utf-8")
    code, _, err = _utsapi("stubs", "--check", "--out", str(tmp_path))
    assert code == 0, err


def test_dist_needs_out_and_a_valid_name(tmp_path: Path) -> None:
    code, _, err = _utsapi("stubs", "--dist", "uniapi-types")
    assert code == 2
    assert "--dist needs --out" in err
    assert not (STUBS / "pyproject.toml").exists()
    code, _, err = _utsapi("stubs", "--out", str(tmp_path), "--dist", "not a name")
    assert code == 2
    assert "not a valid distribution name" in err
    assert not tmp_path.joinpath("uniapi").exists()


def test_cli_reports_an_invalid_spec_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nmodule: demo\n", encoding="utf-8")
    code, _, err = _utsapi("stubs", "--out", str(tmp_path / "out"), "--spec", str(bad))
    assert code == 1
    assert str(bad) in err
    assert not (tmp_path / "out").exists()


def test_cli_reports_an_unreadable_spec_as_usage(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    code, _, err = _utsapi("stubs", "--out", str(tmp_path / "out"), "--spec", str(missing))
    assert code == 2
    assert str(missing) in err
