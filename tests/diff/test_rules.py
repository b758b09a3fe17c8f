"""Every kind of change, on hand-made spec pairs: the walker finds it and the rules table
classifies it (generator/diff/rules.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.diff import RULES, ChangeClass, cell_change, diff_specs, type_change
from generator.spec.typeexpr import parse_type
from tests.diff.support import BASE, CHANGED, Edit, api, field, load, method, write_edited

B, DEP, A, DOC = "breaking", "deprecation", "additive", "documentation"


def _found(old: Path, new: Path) -> set[tuple[str, str, str, str]]:
    result = diff_specs(load(old), load(new))
    return {(c.path, c.detail, c.kind, c.cls.label) for c in result.changes}


def test_the_hand_made_pair_gives_exactly_these_changes() -> None:
    assert _found(BASE, CHANGED) == {
        ("openThing", "app.android unixVer", "platform.min-raised", B),
        ("openThing", "web unixVer", "platform.removed", B),
        ("closeAll", "", "api.removed", B),
        ("OpenThingOptions.mode", "value 'slow'", "value.removed", B),
        ("OpenThingOptions.timeout", "", "optional.to-required", B),
        ("OpenThingSuccess.errMsg", "", "nullable.added", B),
        ("OpenThingSuccess.size", "", "field.removed", B),
        ("ThingErrorCode", "code 700002", "code.removed", B),
        ("ThingTask.close", "", "deprecated.added", DEP),
        ("openThing(extra)", "", "param.added-optional", A),
        ("openThing", "app.ios osVer", "platform.min-lowered", A),
        ("openThing", "app.harmony unixVer", "platform.added", A),
        ("resetThing", "", "api.added", A),
        ("OpenThingOptions.mode", "value 'auto'", "value.added", A),
        ("OpenThingOptions.retries", "", "field.added-optional", A),
        ("OpenThingSuccess.path", "", "field.added-required", A),
        ("ThingErrorCode", "code 700003", "code.added", A),
        ("ThingTask.send(data)", "type", "type.widened", A),
        ("ThingTask.stop", "", "method.added", A),
        ("ThingState", "", "type.added", A),
        ("", "", "description.changed", DOC),
        ("OpenThingOptions.mode", "value 'fast'", "description.changed", DOC),
        ("ThingErrorCode", "code 700001", "errmsg.changed", DOC),
        ("ThingTask.close", "", "description.changed", DOC),
    }


def test_the_same_spec_has_no_change() -> None:
    result = diff_specs(load(BASE), load(BASE))
    assert result.changes == ()
    assert result.highest is None


# (id, edit of the base module, expected (path, detail, kind, class))
CASES: list[tuple[str, Edit, tuple[str, str, str, str]]] = [
    ("param-removed", lambda d: api(d, "openThing")["params"].clear(),
     ("openThing(options)", "", "param.removed", B)),
    ("param-added-required", lambda d: api(d, "closeAll")["params"].append(
        {"name": "force", "type": "boolean", "required": True}),
     ("closeAll(force)", "", "param.added-required", B)),
    ("param-moved", lambda d: api(d, "openThing")["params"].insert(
        0, {"name": "first", "type": "boolean"}),
     ("openThing(options)", "", "param.moved", B)),
    ("required-to-optional-param", lambda d: api(d, "openThing")["params"][0].update(
        required=False),
     ("openThing(options)", "", "required.to-optional", A)),
    ("required-to-optional-received", lambda d: field(d, "OpenThingSuccess", "errMsg").update(
        required=False),
     ("OpenThingSuccess.errMsg", "", "required.to-optional", B)),
    ("nullable-added-given", lambda d: field(d, "OpenThingOptions", "url").update(
        nullable=True),
     ("OpenThingOptions.url", "", "nullable.added", A)),
    ("type-narrowed-given", lambda d: field(d, "OpenThingOptions", "url").update(
        type="string.PageURIString"),
     ("OpenThingOptions.url", "type", "type.narrowed", B)),
    ("type-narrowed-received", lambda d: field(d, "OpenThingSuccess", "size").update(
        values=[{"value": 1}, {"value": 2}]),
     ("OpenThingSuccess.size", "type", "type.narrowed", A)),
    ("type-widened-received", lambda d: field(d, "OpenThingSuccess", "size").update(
        type="number | string"),
     ("OpenThingSuccess.size", "type", "type.widened", B)),
    ("type-changed", lambda d: field(d, "OpenThingOptions", "timeout").update(type="string"),
     ("OpenThingOptions.timeout", "type", "type.changed", B)),
    ("return-changed", lambda d: api(d, "closeAll").update(returns="boolean"),
     ("closeAll", "return", "type.changed", B)),
    ("method-removed", lambda d: d["types"]["ThingTask"]["methods"].pop(),
     ("ThingTask.close", "", "method.removed", B)),
    ("type-removed", lambda d: d["types"].pop("OpenThingSuccessCallback") and field(
        d, "OpenThingOptions", "success").update(type="(result: OpenThingSuccess) => void"),
     ("OpenThingSuccessCallback", "", "type.removed", B)),
    ("type-kind-changed", lambda d: d["types"].update(OpenThingSuccessCallback={
        "kind": "object", "description": {"zh": "回调。", "en": "Callback."}, "fields": []}),
     ("OpenThingSuccessCallback", "", "type.kind-changed", B)),
    ("type-base-changed", lambda d: d["types"]["OpenThingSuccess"].update(extends="IUniError"),
     ("OpenThingSuccess", "", "type.base-changed", B)),
    ("type-params-changed", lambda d: api(d, "closeAll").update(typeParams=["T"]),
     ("closeAll", "", "type-params.changed", B)),
    ("default-changed", lambda d: field(d, "OpenThingOptions", "timeout").update(default=100),
     ("OpenThingOptions.timeout", "", "default.changed", DOC)),
    ("requires-changed", lambda d: field(d, "OpenThingOptions", "timeout").update(
        requires={"zh": "需要网络。", "en": "Needs a network."}),
     ("OpenThingOptions.timeout", "", "requires.changed", DOC)),
    ("docs-only-changed", lambda d: field(d, "OpenThingOptions", "timeout").update(
        source="docs-only"),
     ("OpenThingOptions.timeout", "", "docs-only.changed", DOC)),
    ("subject-changed", lambda d: d["types"]["ThingErrorCode"].update(subject="uni-other"),
     ("ThingErrorCode", "", "subject.changed", DOC)),
    ("tutorial-changed", lambda d: api(d, "closeAll").update(tutorial=[
        {"label": {"zh": "教程", "en": "Guide"}, "url": "https://example.invalid/guide"}]),
     ("closeAll", "", "tutorial.changed", DOC)),
    ("examples-changed", lambda d: api(d, "closeAll").update(examples=[
        {"lang": "ts", "code": "uni.closeAll()"}]),
     ("closeAll", "", "examples.changed", DOC)),
    ("title-changed", lambda d: d.update(title={"zh": "演示二", "en": "Demo two"}),
     ("", "", "title.changed", DOC)),
    ("platform-unstated", lambda d: api(d, "openThing")["platforms"].pop("web"),
     ("openThing", "web unixVer", "platform.unstated", B)),
    ("platform-restated", lambda d: api(d, "closeAll")["platforms"]["web"].update(unixVer="√"),
     ("closeAll", "web unixVer", "platform.restated", DOC)),
    ("deprecated-added", lambda d: method(d, "ThingTask", "close").update(
        deprecated={"replacement": "ThingTask.send"}),
     ("ThingTask.close", "", "deprecated.added", DEP)),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_kind_of_change_is_found_and_classified(
    tmp_path: Path, edit: Edit, expected: tuple[str, str, str, str]
) -> None:
    assert expected in _found(BASE, write_edited(tmp_path, edit))


def _since(data: dict[str, Any]) -> None:
    """changed.yaml's deprecation of ThingTask.close, with a ``since``."""
    method(data, "ThingTask", "close").update(
        deprecated={"replacement": "ThingTask.send", "since": "1.1.0"}
    )
    data["types"]["ThingTask"]["methods"].append(
        {"name": "stop", "description": {"zh": "停。", "en": "Stop."}, "params": [],
         "returns": "void"}
    )  # fmt: skip


def test_the_reverse_edit_gives_the_opposite_kind(tmp_path: Path) -> None:
    """Diffing new -> old turns each addition into a removal (and back)."""
    edited = write_edited(tmp_path, lambda d: method(d, "ThingTask", "close").update(
        deprecated={"replacement": "ThingTask.send"}))  # fmt: skip
    assert ("ThingTask.close", "", "deprecated.removed", DOC) in _found(edited, BASE)
    nullable = write_edited(
        tmp_path, lambda d: field(d, "OpenThingOptions", "url").update(nullable=True), "n.yaml"
    )
    assert ("OpenThingOptions.url", "", "nullable.removed", B) in _found(nullable, BASE)
    twice = write_edited(
        tmp_path,
        lambda d: method(d, "ThingTask", "close").update(
            deprecated={"replacement": "ThingTask.send", "since": "1.1.0"}
        ),
        "t.yaml",
    )
    assert ("ThingTask.close", "", "deprecated.changed", DOC) in _found(edited, twice)


def test_modules_added_and_removed(tmp_path: Path) -> None:
    other = write_edited(tmp_path, lambda d: d.update(module="other"))
    found = {(c.module, c.kind, c.cls.label) for c in diff_specs(load(BASE), load(other)).changes}
    assert found == {("demo", "module.removed", B), ("other", "module.added", A)}


def test_every_rule_is_exercised_by_a_test(tmp_path: Path) -> None:
    """Sanity of the table: each kind is produced by one of the pairs above (a kind nothing
    produces is a rule that cannot fire, or a case missing here)."""
    seen = {k for _, _, k, _ in _found(BASE, CHANGED)}
    for _, edit, _ in CASES:
        path = write_edited(tmp_path, edit, "case.yaml")
        seen |= {k for _, _, k, _ in _found(BASE, path)}
        seen |= {k for _, _, k, _ in _found(path, BASE)}
    other = write_edited(tmp_path, lambda d: d.update(module="other"), "other.yaml")
    seen |= {c.kind for c in diff_specs(load(BASE), load(other)).changes}
    seen |= {k for _, _, k, _ in _found(CHANGED, write_edited(tmp_path, _since, "since.yaml"))}
    assert set(RULES) - seen == set()


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("4.0", "4.41", "platform.min-raised"),
        ("4.41", "4.0", "platform.min-lowered"),
        ("5.0", "5.0.0", None),
        ("√", "4.0", "platform.restated"),
        ("x", "√", "platform.added"),
        (None, "3.9", "platform.added"),
        ("√", "x", "platform.removed"),
        ("4.0", None, "platform.unstated"),
        ("4.0", "-", "platform.unstated"),
        ("-", "x", "platform.restated"),
    ],
)
def test_platform_cells(old: str | None, new: str | None, kind: str | None) -> None:
    assert cell_change(old, new) == kind


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("string", "string | number", "type.widened"),
        ("string | number", "string", "type.narrowed"),
        ("string.PageURIString", "string", "type.widened"),
        ("string", "any", "type.widened"),
        ("string", "number", "type.changed"),
        ("Array<string>", "Array<string>", None),
    ],
)
def test_type_changes(old: str, new: str, kind: str | None) -> None:
    assert type_change(parse_type(old), parse_type(new)) == kind


def test_classes_are_ordered_strictest_last() -> None:
    assert ChangeClass.BREAKING > ChangeClass.DEPRECATION > ChangeClass.ADDITIVE
    assert ChangeClass.ADDITIVE > ChangeClass.DOCUMENTATION
    for kind, rule in RULES.items():
        assert rule.en and rule.zh, kind
        assert bool(rule.en_received) == bool(rule.zh_received), kind
