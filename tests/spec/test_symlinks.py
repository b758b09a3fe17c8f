"""A spec directory's files are its own: a symbolic link found in it that leads out of it is not
followed (its content never reaches a message); a link inside it, or a file named on the
command line, is read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.spec.bundled import bundled_spec_dir
from generator.spec.validate import validate_paths

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")

SECRET = "TOP-SECRET-CONTENT"


def _spec(tmp_path: Path) -> Path:
    root = tmp_path / "spec"
    (root / "modules").mkdir(parents=True)
    shutil.copy(bundled_spec_dir() / "modules" / "websocket.yaml", root / "modules")
    return root


def _outside(tmp_path: Path) -> Path:
    target = tmp_path / "elsewhere" / "private.yaml"
    target.parent.mkdir()
    target.write_text(f"module: {SECRET}\nversion: {SECRET}\n", encoding="utf-8")
    return target


def test_a_link_out_of_the_spec_directory_is_not_followed(tmp_path: Path) -> None:
    root = _spec(tmp_path)
    (root / "modules" / "evil.yaml").symlink_to(_outside(tmp_path))
    result = validate_paths([root])
    messages = [str(d) for d in result.diagnostics]
    assert any("evil.yaml" in m and "not followed" in m for m in messages), messages
    assert not any(SECRET in m for m in messages)
    assert result.read_errors  # unreadable input: exit 2 from the command


def test_a_linked_kind_folder_out_of_the_spec_is_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "spec"
    root.mkdir()
    outside = _outside(tmp_path)
    (root / "modules").symlink_to(outside.parent, target_is_directory=True)
    result = validate_paths([root])
    assert any("not followed" in str(d) for d in result.diagnostics)
    assert not any(SECRET in str(d) for d in result.diagnostics)


def test_a_link_inside_the_spec_directory_is_read(tmp_path: Path) -> None:
    root = _spec(tmp_path)
    (root / "store").mkdir()
    shutil.move(root / "modules" / "websocket.yaml", root / "store" / "websocket.yaml")
    (root / "modules" / "websocket.yaml").symlink_to(root / "store" / "websocket.yaml")
    result = validate_paths([root])
    assert not result.diagnostics, result.diagnostics
    assert [m.name for m in result.built_modules] == ["websocket"]


def test_a_file_named_on_the_command_line_is_read_wherever_it_is(tmp_path: Path) -> None:
    link = tmp_path / "named.yaml"
    link.symlink_to(_outside(tmp_path))
    result = validate_paths([link])
    assert not any("not followed" in str(d) for d in result.diagnostics)
