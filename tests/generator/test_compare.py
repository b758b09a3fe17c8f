"""``utsapi compare-data``: utsApiJson.json files compared fact by fact.

The fixtures under ``fixtures/compare/`` are written for these tests (an invented ``makeWidget``
API); ``candidate.json`` differs from ``reference.json`` in known facts only.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import generator.compare
from generator.cli import compare as compare_cli
from generator.cli import run as utsapi_run
from generator.compare import (
    FORMAT,
    FORMAT_VERSION,
    Fact,
    Group,
    Status,
    compare_data,
    compare_files,
    load_categories,
    parse_data,
    section_facts,
)
from generator.flavors.dcloud import build_data
from generator.spec import load_spec

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
REFERENCE, CANDIDATE = FIXTURES / "reference.json", FIXTURES / "candidate.json"
RULES = load_categories().links


def _facts(section: str, text: str) -> dict[tuple[str, tuple[str, ...]], str]:
    found = section_facts("k", section, text, RULES)
    assert found.problems == []
    return {(f.category, f.path): f.value for f in found.facts}


def _cli(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="utsapi compare-data")
    compare_cli.configure(parser)
    out, err = io.StringIO(), io.StringIO()
    code = compare_cli.run(parser.parse_args(argv), out, err)
    return code, out.getvalue(), err.getvalue()


# -- reading Markdown into facts ----------------------------------------------------------------


def test_nested_rows_are_fields_of_the_type_of_the_row_above_and_legal_values_of_theirs() -> None:
    data = json.loads(REFERENCE.read_text("utf-8"))
    facts = _facts("param", data["makeWidget"]["param"])
    assert facts["field-type", ("options",)] == "MakeWidgetOptions"
    # the row above names its type: the nested rows are that type's fields
    assert facts["type", ("MakeWidgetOptions",)] == ""
    assert facts["field-type", ("MakeWidgetOptions", "url")] == "string"
    assert facts["field-required", ("MakeWidgetOptions", "url")] == "yes"
    assert facts["field-required", ("MakeWidgetOptions", "size")] == "no"
    assert facts["field-default", ("MakeWidgetOptions", "size")] == "10"
    assert facts["field-default", ("MakeWidgetOptions", "mode")] == '"fast"'
    assert facts["legal-value", ("MakeWidgetOptions", "mode", "lazy")] == ""
    assert facts["description", ("MakeWidgetOptions", "mode", "lazy")] == "mode lazy"
    assert facts["deprecated", ("MakeWidgetOptions", "legacy")] == "yes"
    assert facts["type", ("MakeWidgetFail",)] == ""


def test_a_type_printed_nested_or_as_its_own_table_gives_the_same_facts() -> None:
    header = "| 名称 | 类型 | 必备 | 默认值 | 兼容性 | 描述 |\n| :- | :- | :- | :- | :-: | :- |\n"
    nested = (
        header
        + "| files | Array&lt;**TempFile**&gt; | 是 | - | - | files |\n"
        + "@"
        + header.replace("\n|", "\n@|")
        + "@| path | string | 是 | - | - | path |\n"
    )
    table = (
        header
        + "| files | Array&lt;[TempFile](#tempfile-values)&gt; | 是 | - | - | files |\n\n"
        + "#### TempFile 的属性值 @tempfile-values \n\n"
        + header
        + "| path | string | 是 | - | - | path |\n"
    )
    read = [_facts("param", text) for text in (nested, table)]
    assert read[0] == read[1]
    assert read[0]["field-type", ("TempFile", "path")] == "string"
    assert read[0]["field-type", ("files",)] == "Array<TempFile>"
    # an unnamed (inline) or primitive type keeps the row's path
    inline = header + "| o | object | 是 | - | - | o |\n@" + header.replace("\n|", "\n@|")
    inline += "@| p | string | 是 | - | - | p |\n"
    assert _facts("param", inline)["field-type", ("o", "p")] == "string"


def test_a_dash_default_or_compatibility_cell_is_no_fact() -> None:
    data = json.loads(REFERENCE.read_text("utf-8"))
    facts = _facts("param", data["makeWidget"]["param"])
    assert ("field-default", ("MakeWidgetOptions", "url")) not in facts
    assert ("field-compatibility", ("MakeWidgetOptions", "url", "Web")) not in facts
    assert facts["field-compatibility", ("MakeWidgetOptions", "url", "微信小程序")] == "4.41"


def test_compatibility_cells_are_facts_per_column_with_versions_normalised() -> None:
    table = (
        "### f 兼容性 \n| Web | Android | iOS |\n| :- | :- | :- |\n"
        '| 3.9+ | 4.0 | <a href="https://example.com/vote">x</a> |\n'
    )
    assert _facts("compatibility", table) == {
        ("api-compatibility", ("Web",)): "3.9",
        ("api-compatibility", ("Android",)): "4.0",
        ("api-compatibility", ("iOS",)): "x",
    }


def test_a_renamed_column_and_a_component_in_the_heading_carry_the_same_facts() -> None:
    categories = load_categories()
    old = "### f 兼容性 \n| iOS uni-app x UTS 插件 |\n| :- |\n| 4.11 |\n"
    new = "### f 兼容性 <Help /> \n| iOS(VDOM) UTS 插件 |\n| :- |\n| 4.11 |\n"
    read = [
        section_facts("k", "compatibility", text, RULES, columns=categories.column_aliases)
        for text in (old, new)
    ]
    assert read[0].problems == read[1].problems == []
    assert read[0].facts == read[1].facts
    assert [f.path for f in read[0].facts] == [("iOS uni-app x UTS 插件",)]
    assert set(categories.column_aliases.values()).isdisjoint(categories.column_aliases)


def test_error_codes_read_alike_from_a_legal_value_table_and_from_description_lines() -> None:
    header = "| 名称 | 类型 | 必备 | 默认值 | 兼容性 | 描述 |\n| :- | :- | :- | :- | :-: | :- |\n"
    as_lines = header + "| errCode | number | 是 | - | - | code<br/>- 10 ten<br/>- 11 eleven |\n"
    as_table = (
        header + "| errCode | number | 是 | - | - | code |\n@| 合法值 | 兼容性 | 描述 |\n"
        "@| :- | :-: | :- |\n@| 10 | - | ten |\n@| 11 | - | eleven |\n"
    )
    lines, table = (
        _facts("param", "### E 的属性值\n\n" + as_lines),
        _facts("param", "### E 的属性值\n\n" + as_table),
    )
    assert lines == table
    assert lines["error-code", ("E", "errCode", "11")] == ""
    assert lines["description", ("E", "errCode")] == "code"


def test_methods_of_a_returned_interface_carry_their_own_compatibility_and_params() -> None:
    data = json.loads(REFERENCE.read_text("utf-8"))
    facts = _facts("returnValue", data["makeWidget"]["returnValue"])
    assert facts["return-type", ()] == "Widget"
    assert facts["method", ("Widget.open",)] == "open(options: OpenOptions): void"
    assert facts["api-compatibility", ("Widget.open", "iOS")] == "4.11"
    assert facts["field-type", ("Widget.open", "callback")] == "(result: any) => void"
    assert facts["description", ("Widget.open",)] == "Opens the widget."
    assert facts["anchor", ("Widget.open",)] == "open"


def test_links_are_sorted_by_the_rules_of_categories_json() -> None:
    data = json.loads(REFERENCE.read_text("utf-8"))
    facts = _facts("tutorial", data["makeWidget"]["tutorial"])
    assert facts["menu-id", ("相关 Bug",)].startswith("https://issues.dcloud.net.cn/")
    assert facts["vendor-link", ("支付宝小程序文档",)].startswith("https://open.alipay.com/")
    assert facts["tutorial", ("微信小程序文档",)].startswith("https://developers.weixin")
    param = _facts("param", data["makeWidget"]["param"])
    assert param["type-link", ("MakeWidgetOptions", "extra", "UTSJSONObject")].startswith("/uts/")
    assert (
        "type-link",
        ("MakeWidgetOptions", "success", "MakeWidgetSuccess"),
    ) not in param  # in-page


def test_a_struck_api_heading_is_deprecated_and_its_anchor_a_fact() -> None:
    facts = _facts("name", "## uni.~~dropWidget(callback)~~ @dropwidget\n")
    assert facts == {
        ("name", ()): "uni.dropWidget(callback)",
        ("deprecated", ()): "yes",
        ("anchor", ()): "dropwidget",
    }


def test_an_unknown_table_or_cell_is_reported_with_its_line_not_dropped() -> None:
    found = section_facts(
        "k", "param", "### 参数\n\n| Foo | Bar |\n| :- | :- |\n| a | b |\n", RULES
    )
    assert [(p.line, p.message.split(",")[0]) for p in found.problems] == [
        (3, "a table this reader does not know")
    ]


# -- comparing ---------------------------------------------------------------------------------


def test_the_fixture_differs_in_exactly_the_facts_it_was_written_to() -> None:
    report = compare_files(REFERENCE, CANDIDATE)
    not_equal = {
        (d.status, d.category, d.path) for d in report.diffs if d.status is not Status.EQUAL
    }
    assert not_equal == {
        (Status.DIFFERENT, "api-compatibility", ("Widget.open", "iOS")),
        (Status.DIFFERENT, "description", ()),
        (Status.DIFFERENT, "description", ("MakeWidgetOptions", "success")),
        (Status.ONLY_REFERENCE, "description", ("MakeWidgetOptions", "mode", "lazy")),
        (Status.DIFFERENT, "field-compatibility", ("MakeWidgetOptions", "url", "Android")),
        (Status.ONLY_REFERENCE, "field-default", ("MakeWidgetOptions", "size")),
        (Status.ONLY_REFERENCE, "legal-value", ("MakeWidgetOptions", "mode", "lazy")),
        (Status.ONLY_CANDIDATE, "tutorial", ("参见uni-app x相关文档",)),
        (Status.ONLY_REFERENCE, "vendor-link", ("支付宝小程序文档",)),
        (Status.DIFFERENT, "example", ()),
        (Status.ONLY_REFERENCE, "undeclared-api", ("anchor",)),
        (Status.ONLY_REFERENCE, "undeclared-api", ("deprecated",)),
        (Status.ONLY_REFERENCE, "undeclared-api", ("name",)),
    }
    counts = report.by_category()
    assert counts["legal-value"].recall == pytest.approx(2 / 3)
    assert counts["error-code"].recall == 1.0  # table form and line form agree
    assert counts["tutorial"].recall == 1.0  # a fact only in the candidate costs no recall
    assert report.total(Group.OVERLAY).only_reference == 4


def test_a_file_against_itself_is_identical_and_all_sections_byte_identical() -> None:
    report = compare_files(REFERENCE, REFERENCE)
    assert report.identical
    assert report.total(Group.FACT).recall == 1.0
    assert report.sections.identical_share == 1.0


def test_byte_identical_share_counts_sections_of_the_reference() -> None:
    reference = {"a": {"name": "## uni.a() @a", "description": "x"}, "b": {"example": "e"}}
    candidate = {"a": {"name": "## uni.a() @a", "description": "y"}}
    sections = compare_data(reference, candidate).sections
    assert (sections.identical, sections.different, sections.only_reference) == (1, 1, 1)
    assert sections.identical_share == pytest.approx(1 / 3)


def test_keys_limit_the_comparison() -> None:
    reference = json.loads(REFERENCE.read_text("utf-8"))
    report = compare_data(reference, {}, keys=["dropWidget"])
    assert {d.key for d in report.diffs} == {"dropWidget"}
    assert report.total(Group.FACT).recall == 0.0


# -- categories.json -----------------------------------------------------------------------------


def test_every_category_is_produced_and_every_link_rule_names_a_category() -> None:
    categories = load_categories()
    seen = {d.category for d in compare_files(REFERENCE, CANDIDATE).diffs}
    assert seen == set(categories.by_name), "a category the fixtures never produce is stale"
    assert {c for _, c in categories.links} <= set(categories.by_name)


def test_an_undeclared_api_is_counted_apart_with_its_facts_own_category_first() -> None:
    reference = {
        "getBatteryInfoSync": {"name": "## uni.getBatteryInfoSync() @getbatteryinfosync\n"},
        "getWidget": {"name": "## uni.getWidget() @getwidget\n"},
    }
    report = compare_data(reference, {})
    undeclared = {d.path for d in report.diffs if d.key == "getBatteryInfoSync"}
    assert undeclared == {("anchor",), ("deprecated",), ("name",)}
    assert {d.category for d in report.diffs if d.key == "getBatteryInfoSync"} == {"undeclared-api"}
    assert report.total(Group.FACT).only_reference == 3  # getWidget's only
    assert report.by_key()["getBatteryInfoSync"].reference_total == 0
    assert "getBatteryInfoSync" in load_categories().undeclared_apis


def test_every_category_the_declarations_cannot_supply_says_why() -> None:
    for category in load_categories().by_name.values():
        assert category.what
        assert category.group is Group.FACT or category.reason, category.name


# -- the kit's own output ------------------------------------------------------------------------


def test_the_kits_dcloud_data_reads_without_a_problem() -> None:
    data = build_data(load_spec(None), "zh")
    report = compare_data(data, data)
    assert report.problems == {"reference": [], "candidate": []}
    assert report.identical
    counts = report.by_category()
    for category in ("api-compatibility", "field-type", "error-code", "method", "menu-id"):
        assert counts[category].equal > 0, category


# -- the command ---------------------------------------------------------------------------------


def test_cli_exit_0_when_every_fact_is_equal() -> None:
    code, _, err = _cli(str(REFERENCE), str(REFERENCE))
    assert code == 0, err
    assert "every fact equal" in err


def test_cli_exit_1_with_a_readable_summary_of_differences() -> None:
    code, out, _ = _cli(str(REFERENCE), str(CANDIDATE), "--limit", "3")
    assert code == 1
    assert "facts the declarations supply:" in out
    assert "facts the declarations cannot supply (counted apart):" in out
    assert "prose the declarations supply (counted apart):" in out
    assert "vendor-link: a URL template" in out
    assert "not in the data at all: errMsg" in out
    assert "sections byte-identical:" in out
    assert "largest differences" in out
    assert out.split("largest differences")[1].count("\n  makeWidget ") == 3


def test_cli_json_is_the_versioned_format() -> None:
    code, out, _ = _cli(str(REFERENCE), str(CANDIDATE), "--json")
    assert code == 1
    document = json.loads(out)
    assert (document["format"], document["version"]) == (FORMAT, FORMAT_VERSION)
    assert document["identical"] is False
    assert document["categories"]["legal-value"]["only_reference"] == 1
    assert document["categories"]["vendor-link"]["group"] == "overlay"
    assert document["categories"]["description"]["group"] == "prose"
    assert document["groups"]["prose"]["different"] == 2
    assert document["groups"]["fact"]["only_reference"] == 2  # a default, a legal value
    assert document["by_key"]["makeWidget"]["recall"] < 1
    assert {"status", "key", "category", "path", "reference", "candidate"} == set(
        document["facts"][0]
    )
    assert all(f["status"] != "equal" for f in document["facts"])


def test_cli_bad_json_is_located_and_exits_2_without_a_traceback() -> None:
    code, out, err = _cli(str(FIXTURES / "trailing-comma.json"), str(REFERENCE))
    assert code == 2 and out == ""
    assert f"{FIXTURES / 'trailing-comma.json'}:4:2: not JSON:" in err
    assert "Traceback" not in err


def test_cli_reports_every_shape_problem_of_both_files_at_once() -> None:
    wrong = FIXTURES / "wrong-shape.json"
    code, _, err = _cli(str(wrong), str(wrong))
    assert code == 2
    assert err.count("$.makeWidget.name: expected a string, found int") == 2
    assert err.count("$.widget: expected an object, found list") == 2


def test_cli_unreadable_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    code, _, err = _cli(str(missing), str(REFERENCE))
    assert code == 2
    assert f"{missing}: cannot read:" in err


def test_cli_unknown_key_is_a_usage_error_with_the_nearest_names() -> None:
    code, _, err = _cli(str(REFERENCE), str(CANDIDATE), "--key", "makeWidgte")
    assert code == 2
    assert "nearest: makeWidget" in err


def test_cli_common_keys_compares_only_keys_both_hold(tmp_path: Path) -> None:
    reference = json.loads(REFERENCE.read_text("utf-8"))
    only_drop = tmp_path / "drop.json"
    only_drop.write_text(json.dumps({"dropWidget": reference["dropWidget"]}), "utf-8")
    assert _cli(str(REFERENCE), str(only_drop), "--common-keys")[0] == 0
    assert _cli(str(REFERENCE), str(only_drop))[0] == 1


def test_parse_data_rejects_a_top_level_array() -> None:
    with pytest.raises(Exception, match=r"\$: expected an object of API keys, found a JSON list"):
        parse_data("[]", "x.json")


def test_fact_identity_leaves_the_value_out() -> None:
    assert Fact("k", "c", ("p",), "1").identity == Fact("k", "c", ("p",), "2").identity


def test_largest_differences_list_the_facts_before_prose_and_overlay() -> None:
    ranked = compare_files(REFERENCE, CANDIDATE).largest(20)
    groups = [load_categories().by_name[category].group for _, category, _ in ranked]
    assert groups == sorted(groups, key=list(Group).index)
    assert groups[0] is Group.FACT and Group.OVERLAY in groups


# -- property: any text is read without an exception -------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    section=st.sampled_from(["name", "description", "param", "returnValue", "tutorial", "x"]),
    lines=st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                [
                    "### 参数",
                    "#### T 的属性值 @t-values",
                    "#### T 的方法 @t-values",
                    "#### m(a: T): void; @m",
                    "### f 兼容性 <Help />",
                    "| 名称 | 类型 | 必填 | 默认值 | 兼容性 | 描述 |",
                    "| 合法值 | 兼容性 | 描述 |",
                    "| :- | :- |",
                    "@| a | string | 是 | - | <CompatibilityTable table='{\"headers\":[]}' /> | |",
                    "@@| v | <CompatibilityTable table='not json' /> | d |",
                    "| errCode | number | 是 | - | - | x<br/>- 1 one |",
                    "- [l](https://issues.dcloud.net.cn/?mid=a)",
                    "```",
                ]
            ),
        ),
        max_size=12,
    ),
)
def test_any_section_text_gives_facts_and_problems_never_an_exception(
    section: str, lines: list[str]
) -> None:
    found = section_facts("k", section, "\n".join(lines), RULES)
    categories = load_categories().by_name
    assert all(f.category in categories for f in found.facts)
    assert all(p.line >= 1 for p in found.problems)


def test_an_escaped_pipe_in_a_cell_does_not_split_the_row() -> None:
    header = "| 名称 | 类型 | 必备 | 默认值 | 兼容性 | 描述 |\n| :- | :- | :- | :- | :-: | :- |\n"
    facts = _facts("param", "### T 的属性值\n\n" + header + "| a | string &#124; number | 是 | - "
                   "| - | one \\| two |\n")  # fmt: skip
    assert facts["field-type", ("T", "a")] == "string | number"
    assert facts["description", ("T", "a")] == "one | two"


def test_the_utsapi_command_dispatches_compare_data() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = utsapi_run(["compare-data", str(REFERENCE), str(CANDIDATE), "--json"], out, err)
    assert code == 1
    assert json.loads(out.getvalue())["format"] == FORMAT


def test_the_public_surface_is_pinned() -> None:
    assert sorted(generator.compare.__all__) == sorted([
        "FORMAT", "FORMAT_VERSION", "Categories", "Category", "CategoryCount",
        "CompareInputError", "CompareReport", "Fact", "FactDiff", "Group", "ParseProblem",
        "SectionCount", "Status", "compare_data", "compare_files", "data_facts",
        "load_categories", "load_data", "parse_data", "section_facts",
    ])  # fmt: skip
    for name in generator.compare.__all__:
        assert hasattr(generator.compare, name), name


def test_method_signatures_compare_without_the_declarations_spacing() -> None:
    spaced = "#### X 的方法 @x-values \n#### close(options ?: CloseOptions | null) : void, @close\n"
    plain = "#### X 的方法 @x-values \n#### close(options?: CloseOptions | null): void; @close\n"
    assert _facts("returnValue", spaced) == _facts("returnValue", plain)
    assert _facts("returnValue", plain)["method", ("X.close",)] == (
        "close(options?: CloseOptions | null): void"
    )


def test_an_interface_opened_inside_a_method_ends_at_the_next_method_of_the_outer_one() -> None:
    text = (
        "#### Manager 的方法 @manager-values \n"
        "#### stat(options: StatOptions): void; @stat\n"
        "###### Stats 的方法 @stats-values \n"
        "###### isFile(): boolean; @isfile\n"
        "#### open(options: OpenOptions): void; @open\n"
    )
    methods = {p for (c, p) in _facts("returnValue", text) if c == "method"}
    assert methods == {("Manager.stat",), ("Stats.isFile",), ("Manager.open",)}


def test_a_generic_type_cell_names_its_type_for_the_nested_rows() -> None:
    header = "| 名称 | 类型 | 必备 | 默认值 | 兼容性 | 描述 |\n| :- | :- | :- | :- | :-: | :- |\n"
    text = (
        header
        + "| param | [RequestOptions\\<T>](#requestoptions-values) | 是 | - | - | p |\n"
        + "@"
        + header.replace("\n|", "\n@|")
        + "@| url | string | 是 | - | - | u |\n"
    )
    facts = _facts("param", text)
    assert facts["field-type", ("param",)] == "RequestOptions<T>"
    assert facts["field-type", ("RequestOptions", "url")] == "string"
