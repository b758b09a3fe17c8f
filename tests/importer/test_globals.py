"""``declare global`` and ``declare module`` blocks (types/app.d.ts, types/page.d.ts style), and
the option that reads those files beside the modules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.importer import import_files, import_package
from generator.importer.model import Declaration, ModuleFile
from generator.importer.package import GLOBAL_FILES, find_global_files
from tests.importer.support import FIXTURES, needs_node


@pytest.fixture(scope="module")
def module() -> ModuleFile:
    needs_node()
    return import_files([FIXTURES / "globals.d.ts"], root=FIXTURES).module("globals")


def body_of(module: ModuleFile, name: str) -> tuple[Declaration, ...]:
    [block] = [d for d in module.declarations if d.kind == "namespace" and d.name == name]
    return block.body


def test_declare_global_holds_functions_constants_interfaces_and_aliases(
    module: ModuleFile,
) -> None:
    body = body_of(module, "global")
    assert [(d.kind, d.name) for d in body] == [
        ("function", "getTinyApp"),
        ("variable", "getScreens"),
        ("interface", "OnStartOptions"),
        ("type", "Screen"),
    ]
    get_app = body[0]
    assert get_app.doc is not None
    assert get_app.doc.description == "The running tiny app."
    assert get_app.signature is not None
    [t] = get_app.signature.type_parameters
    assert (t.name, t.constraint and t.constraint.text, t.default and t.default.text) == (
        "T",
        "TinyBase",
        "TinyDefault",
    )
    returns = get_app.signature.returns
    assert returns is not None
    assert returns.kind == "intersection"
    assert [m.type.kind for m in returns.members] == ["reference", "object"]
    screens = body[1]
    assert screens.doc is not None
    assert screens.type is not None
    assert screens.type.kind == "function"
    assert str(screens.provenance) == "globals.d.ts:15:9"


def test_declare_module_blocks_keep_the_quoted_name(module: ModuleFile) -> None:
    [inner] = body_of(module, "'@example/runtime'")
    assert [(h.token, h.name) for h in inner.heritage] == [("extends", "TinyOptions")]


def test_global_files_are_read_only_when_asked(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    lib = root / "types" / "uni" / "uts-plugin-api" / "lib" / "uni-alpha" / "utssdk"
    lib.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "mini_alpha.d.ts", lib / "interface.d.ts")
    shutil.copyfile(FIXTURES / "globals.d.ts", root / "types" / "app.d.ts")
    (root / "package.json").write_text(json.dumps({"name": "@example/g", "version": "1.0.0"}))
    assert [(m.key, m.relpath) for m in find_global_files(root)] == [
        ("global/app", "types/app.d.ts")
    ]
    assert [key for key, _ in GLOBAL_FILES] == ["global/app", "global/page", "global/env"]
    needs_node()
    assert [m.source.key for m in import_package(root).modules] == ["api/uni-alpha"]
    with_globals = import_package(root, include_globals=True)
    assert [m.source.key for m in with_globals.modules] == ["api/uni-alpha", "global/app"]
    assert with_globals.counts().modules == 2


def test_docs_inside_blocks_are_listed_once() -> None:
    needs_node()
    surface = import_files([FIXTURES / "globals.d.ts"], root=FIXTURES)
    assert [d.description for d in surface.docs()] == [
        "The running tiny app.",
        "The open screens, last on top.",
    ]
