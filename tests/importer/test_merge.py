"""Interfaces declared twice in one file, under ``// #ifdef`` or plainly: one interface each,
conditions kept (generator.importer.merge)."""

from __future__ import annotations

import pytest

from generator.importer import import_files
from generator.importer.merge import merge_interfaces
from generator.importer.model import Declaration, ModuleFile
from tests.importer.support import FIXTURES, needs_node


@pytest.fixture(scope="module")
def module() -> ModuleFile:
    needs_node()
    return import_files([FIXTURES / "variants.d.ts"], root=FIXTURES).module("variants")


def named(declarations: tuple[Declaration, ...], name: str) -> Declaration:
    [found] = [d for d in declarations if d.name == name]
    return found


def test_variants_are_read_as_written(module: ModuleFile) -> None:
    ios, other = module.named("LampProvider")
    assert (ios.condition, other.condition) == (("APP-IOS",), ("!APP-IOS",))
    assert [(h.name, h.condition) for h in ios.heritage] == [
        ("BaseProvider", ("APP-IOS",)),
        ("JSExport", ("APP-IOS",)),
    ]
    assert [m.condition for m in other.members] == [("!APP-IOS",)]


def test_ifdef_variants_merge_with_conditions(module: ModuleFile) -> None:
    merged = named(merge_interfaces(module.declarations), "LampProvider")
    assert merged.condition == ()
    assert [(h.name, h.condition) for h in merged.heritage] == [
        ("BaseProvider", ()),
        ("JSExport", ("APP-IOS",)),
    ]
    assert [(m.name, m.condition) for m in merged.members] == [
        ("switchOn", ()),
        ("describe", ("APP-IOS",)),
    ]
    assert merged.doc is not None
    assert merged.doc.description == "A lamp, as seen on one platform."
    assert str(merged.provenance) == "variants.d.ts:5:1"
    switch_on = merged.members[0]
    assert switch_on.doc is not None  # the first variant's member, with its doc


def test_plain_duplicates_merge_like_typescript_with_overloads_kept(module: ModuleFile) -> None:
    merged_all = merge_interfaces(module.declarations)
    assert [d.name for d in merged_all] == ["LampProvider", "LampTask"]
    task = named(merged_all, "LampTask")
    assert [m.name for m in task.members] == ["dim", "dim", "brighten"]
    dims = [m.signature for m in task.members if m.name == "dim"]
    assert [len(s.parameters) for s in dims if s is not None] == [1, 2]


def test_a_single_declaration_is_returned_unchanged(module: ModuleFile) -> None:
    alone = tuple(d for d in module.declarations if d.name == "LampTask")[:1]
    assert merge_interfaces(alone) == alone
