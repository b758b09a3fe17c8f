"""Overlay files are spec files: ``utsapi validate`` reads ``overlays/`` like ``modules/``, a
broken one is reported at ``file:line:col`` with the others, and the loaded spec carries the
merged overlay (the bundled one when the spec brings none)."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.spec import load_spec
from generator.spec.bundled import bundled_spec_dir
from generator.spec.validate import validate_paths


def _copy_spec(tmp_path: Path) -> Path:
    root = tmp_path / "spec"
    for kind in ("modules", "rules", "profiles", "overlays"):
        shutil.copytree(bundled_spec_dir() / kind, root / kind)
    return root


def test_the_bundled_overlay_is_validated_and_loaded() -> None:
    result = validate_paths([bundled_spec_dir()])
    assert not result.diagnostics
    assert any(doc.file.endswith("uni-app-x.yaml") for doc in result.of_kind("overlays"))
    spec = load_spec()
    assert spec.overlay.menu_url("connectSocket") is not None


def test_a_broken_overlay_is_a_located_spec_error(tmp_path: Path) -> None:
    root = _copy_spec(tmp_path)
    (root / "overlays" / "extra.yaml").write_text(
        "pages:\n  - path: Not A Path\n    title: {zh: x, en: x}\n    module: websocket\n"
        "    apis: [connectSocket]\n",
        encoding="utf-8",
    )
    result = validate_paths([root])
    found = [d for d in result.diagnostics if d.file.endswith("extra.yaml")]
    assert found and (found[0].line, found[0].column) == (2, 11), found


def test_an_overlay_outside_a_kind_folder_is_read_as_one(tmp_path: Path) -> None:
    file = tmp_path / "mine.yaml"
    file.write_text("type-links:\n  Foo: https://example.org/foo\n", encoding="utf-8")
    result = validate_paths([file])
    assert not result.diagnostics
    assert (
        result.overlay is not None and result.overlay.type_link("Foo") == "https://example.org/foo"
    )


def test_a_spec_without_overlays_gets_the_bundled_one(tmp_path: Path) -> None:
    module = tmp_path / "websocket.yaml"
    shutil.copy(bundled_spec_dir() / "modules" / "websocket.yaml", module)
    assert load_spec([module]).overlay.menu_url("connectSocket") is not None
