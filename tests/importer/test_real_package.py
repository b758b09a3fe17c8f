"""The pinned npm package, fetched with npm and read whole: the size of the surface.

The figures are exact because the package is pinned by its integrity hash: a change of any
importer rule that moves them fails here and must say why in the same commit.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from generator.compare import load_categories
from generator.importer import PINNED, import_package
from generator.importer.model import Surface
from generator.importer.node import find_tools
from generator.importer.package import fetch_package
from generator.importer.platforms import BUNDLED_OVERRIDES, load_overrides
from generator.importer.tospec import surface_to_specs
from generator.importer.write import write_spec_dir
from generator.spec.validate import validate_paths
from tests.importer.support import needs_node

pytestmark = pytest.mark.slow

#: The eight blocks of 0.7.122 that no documented repair reads (file, line, column where the
#: JSON stops): a missing closing brace (chooseMedia), a stray ``}`` (createInnerAudioContext),
#: an unterminated string (navigationBar), a ``{`` written twice (network), ``x""`` (recorder).
UNREADABLE_BLOCKS = [
    ("uni-chooseMedia", 252, 3),
    ("uni-chooseMedia", 276, 3),
    ("uni-chooseMedia", 300, 3),
    ("uni-createInnerAudioContext", 1914, 8),
    ("uni-createInnerAudioContext", 1988, 8),
    ("uni-navigationBar", 256, 31),
    ("uni-network", 4872, 7),
    ("uni-recorder", 2940, 25),
]


@pytest.fixture(scope="module")
def surface() -> Surface:
    needs_node()
    return import_package(PINNED)


def test_provenance_names_the_pinned_package(surface: Surface) -> None:
    assert (surface.package, surface.version) == ("@dcloudio/uni-app-x", "0.7.122")
    assert surface.typescript.startswith("5.9.")
    decl = surface.module("api/uni-websocket").named("Uni")[0]
    assert decl.provenance.package == "@dcloudio/uni-app-x"
    assert (
        decl.provenance.file == "types/uni/uts-plugin-api/lib/uni-websocket/utssdk/interface.d.ts"
    )


def test_the_size_of_the_surface(surface: Surface) -> None:
    counts = surface.counts()
    assert counts.as_dict() == {
        "modules": 113,
        "skipped_empty": 11,
        "skipped_duplicates": 9,
        "uni_members": 226,
        "uni_names": 215,
        "uni_apis": 207,
        "interfaces": 181,
        "interfaces_with_methods": 55,
        "methods": 410,
        "type_aliases": 1378,
        "classes": 14,
        "error_code_unions": 63,
        "error_codes": 382,
        "platform_blocks": 2192,
        "platform_blocks_on_union_members": 275,
        "platform_blocks_repaired": 292,
        "platform_blocks_broken": 8,
        "crlf_files": 78,
        "warnings": 10,
    }
    # issue 10's floor for the whole import
    assert counts.modules >= 110
    assert counts.uni_apis >= 200
    assert counts.methods >= 370
    assert counts.error_codes >= 340


def test_duplicates_are_biz_copies_of_api_modules(surface: Surface) -> None:
    duplicates = [s for s in surface.skipped if s.reason == "duplicate"]
    assert all(s.source.tree == "uts-plugin-biz" for s in duplicates)
    assert all(s.duplicate_of == f"api/{s.source.name}" for s in duplicates)
    keys = {m.source.key for m in surface.modules}
    assert {"api/uni-camera", "biz/uni-camera", "api/uni-canvas", "extend/uni-canvas"} <= keys


def test_the_typescript_parse_is_clean(surface: Surface) -> None:
    assert not [w for w in surface.warnings if w.check == "typescript-parse"]


def test_only_the_known_unreadable_blocks_are_skipped(surface: Surface) -> None:
    found = [
        (w.file.split("/")[4], w.line, w.column)
        for w in surface.warnings
        if w.check == "uniPlatform-json"
    ]
    assert found == UNREADABLE_BLOCKS


def test_typescript_and_the_importer_agree_on_tags_but_for_prose(surface: Surface) -> None:
    """TypeScript reads an ``@`` in the middle of a line of prose as a tag; the importer does
    not.  0.7.122 has one such line (uni-editor)."""
    differ = [
        d
        for d in surface.docs()
        if d.ts_tag_names is not None and tuple(t.name for t in d.tags) != d.ts_tag_names
    ]
    assert [d.provenance.file.split("/")[4] for d in differ] == ["uni-editor"]


def test_every_written_module_validates_and_warns_only_for_overridden_blocks(
    surface: Surface, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``utsapi import`` of the pinned package with the bundled overrides: all 113 modules
    validate (clashing anchors are made unique in imported modules), and the only warnings are
    the notes for the ``@uniPlatform`` blocks the overrides file repairs, one each."""
    overrides, problems = load_overrides(BUNDLED_OVERRIDES)
    assert not problems
    assert overrides.package == str(PINNED)
    specs = surface_to_specs(surface, overrides=overrides.entries)
    out = tmp_path_factory.mktemp("imported-spec")
    write_spec_dir(specs, out, clean=True)
    result = validate_paths([out])
    assert not result.diagnostics
    assert len(result.built_modules) == len(specs) == 113
    warnings = [w for spec in specs for w in spec.warnings]
    assert {w.check for w in warnings} == {"import:override"}
    assert sorted((w.file, w.path) for w in warnings) == sorted(
        (o.file, o.path) for o in overrides.entries
    )
    # the eight unreadable blocks, and two readable ones with cells the spec cannot hold
    assert len(overrides.entries) == len(UNREADABLE_BLOCKS) + 2
    totals = Counter[str]()
    for spec in specs:
        totals.update(spec.counts())
    assert dict(totals) == {
        "apis": 213,
        "methods": 467,
        "types": 1524,
        "codes": 365,
        "warnings": 10,
    }


def test_the_apis_compare_data_counts_as_undeclared_are_declared_nowhere() -> None:
    """``categories.json``'s ``undeclared_apis`` holds only names no ``.d.ts`` of the pinned
    package mentions (TypeScript's own lib excepted): a name that appears must leave the list."""
    needs_node()
    root = fetch_package(find_tools(), PINNED)
    names = load_categories().undeclared_apis
    assert len(names) == 17
    words = re.compile(r"\b(" + "|".join(sorted(names)) + r")\b")
    found = {
        (m.group(1), str(path.relative_to(root)))
        for path in root.rglob("*.d.ts")
        if "node_modules" not in path.parts
        for m in words.finditer(path.read_text("utf-8", errors="replace"))
    }
    assert found == set()
