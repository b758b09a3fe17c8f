"""The whole-surface docs' interfaces (column set ``2026-04``): every interface with methods that a
section's type cells name gets an ``X 的方法`` section (a callback's parameter, a method's return
value), once per section, the one the API returns excepted; a method's return value has its own
table; ``T | null`` is ``T`` with ``必备 否``; ``Promise<X>`` of a runtime base alias shows X in
bold and its fields as @-rows.  The seed-era column set shows none of these."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.compare import section_facts
from generator.flavors.dcloud import build_data, column_set
from generator.spec.loader import load_spec
from generator.spec.model import InterfaceType

MODULE = """\
format: 1
module: pen
version: 1.0.0
title: {zh: 笔, en: Pen}
description: {zh: 笔。, en: Pen.}
apis:
  - name: createPenAsync
    description: {zh: 建。, en: Creates.}
    params:
      - name: options
        type: CreatePenOptions
        required: true
    returns: void
    platforms:
      app:
        android: {unixVer: "4.0"}
        ios: {unixVer: x}
  - name: getQuery
    description: {zh: 查。, en: Queries.}
    params: []
    returns: Query
    platforms:
      app:
        android: {unixVer: "4.0"}
  - name: waitPen
    description: {zh: 等。, en: Waits.}
    params: []
    returns: Promise<WaitPenSuccess> | null
    platforms:
      app:
        android: {unixVer: "4.0"}
types:
  CreatePenOptions:
    kind: object
    description: {zh: 参数。, en: Options.}
    fields:
      - name: success
        type: '(pen: Pen) => void'
        description: {zh: 成功。, en: Success.}
      - name: info
        type: '(info: OnPenInfo) => void'
        description: {zh: 信息。, en: Info.}
      - name: complete
        type: '(result: CreatePenComplete) => void'
        description: {zh: 完成。, en: Done.}
  CreatePenComplete:
    kind: alias
    type: AsyncApiResult
  OnPenInfo:
    kind: alias
    type: PenInfo
  PenInfo:
    kind: object
    description: {zh: 信息。, en: Info.}
    fields:
      - name: ink
        type: number
        required: true
        default_text: "0"
      - name: tone
        type: string
        default: normal
        default_text: "'normal'"
  WaitPenSuccess:
    kind: alias
    type: AsyncApiSuccessResult
  Pen:
    kind: interface
    description: {zh: 笔。, en: Pen.}
    methods:
      - name: draw
        description: {zh: 画。, en: Draws.}
        params:
          - name: size
            type: number
            required: true
        returns: Pen | null
        platforms:
          app:
            android: {unixVer: "4.1"}
            ios: {unixVer: x}
      - name: width
        description: {zh: 宽。, en: Width.}
        params: []
        returns: number
        platforms:
          app:
            android: {unixVer: "4.1"}
  Query:
    kind: interface
    description: {zh: 查询。, en: Query.}
    methods:
      - name: select
        description: {zh: 选。, en: Selects.}
        params: []
        returns: Node
        platforms:
          app:
            android: {unixVer: "4.0"}
      - name: again
        description: {zh: 再。, en: Again.}
        params: []
        returns: Query
        platforms:
          app:
            android: {unixVer: "4.0"}
  Node:
    kind: interface
    description: {zh: 节点。, en: Node.}
    methods:
      - name: back
        description: {zh: 回。, en: Back.}
        params: []
        returns: Query
        platforms:
          app:
            android: {unixVer: "4.0"}
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spec")
    (folder / "modules").mkdir()
    (folder / "modules" / "pen.yaml").write_text(MODULE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def data(root: Path) -> dict[str, dict[str, str]]:
    return build_data(load_spec([root]), "zh", columns=column_set("2026-04"))


def _facts(key: str, section: str, text: str) -> set[tuple[str, tuple[str, ...], str]]:
    return {(f.category, f.path, f.value) for f in section_facts(key, section, text, ()).facts}


def test_an_interface_a_callback_names_gets_its_methods_in_the_param_section(
    data: dict[str, dict[str, str]],
) -> None:
    param = data["createPenAsync"]["param"]
    assert param.count("#### Pen 的方法 @pen-values") == 1  # draw returns Pen: not again
    assert "#### draw(size: number): Pen &#124; null; @draw" in param
    facts = _facts("createPenAsync", "param", param)
    assert ("method", ("Pen.draw",), "draw(size: number): Pen | null") in facts
    assert ("api-compatibility", ("Pen.draw", "Android"), "4.1") in facts
    # the method's parameter cells are filled from the method: x where it is unsupported
    assert ("field-compatibility", ("Pen.draw", "size", "iOS"), "x") in facts
    # its return value: `Pen | null` is Pen, not required
    assert ("return-type", ("Pen.draw",), "Pen") in facts
    assert ("return-type", ("Pen.width",), "number") in facts
    # a method's empty cell is x where the API is unsupported (iOS), its own cells stay
    assert ("api-compatibility", ("Pen.width", "iOS"), "x") in facts
    assert ("api-compatibility", ("Pen.width", "Android"), "4.1") in facts
    assert "| 类型 | 必备 |\n| :- | :- |\n| [Pen](#pen-values) | 否 |" in param


def test_a_returned_interface_lists_the_interfaces_its_methods_return_once(
    data: dict[str, dict[str, str]],
) -> None:
    returns = data["getQuery"]["returnValue"]
    assert returns.count("Query 的方法") == 1  # `again` and `back` return it: shown already
    assert returns.count("Node 的方法") == 1
    facts = _facts("getQuery", "returnValue", returns)
    assert ("return-type", (), "Query") in facts
    assert ("return-type", ("Query.select",), "Node") in facts
    assert ("method", ("Node.back",), "back(): Query") in facts
    assert ("return-type", ("Node.back",), "Query") in facts


def test_a_nullable_promise_of_a_base_alias_shows_the_alias_and_its_fields(
    data: dict[str, dict[str, str]],
) -> None:
    returns = data["waitPen"]["returnValue"]
    assert "| Promise&lt;**WaitPenSuccess**&gt; | 否 |" in returns
    facts = _facts("waitPen", "returnValue", returns)
    assert ("return-type", (), "Promise<WaitPenSuccess>") in facts
    assert ("field-type", ("WaitPenSuccess", "errMsg"), "string") in facts
    assert ("field-required", ("WaitPenSuccess", "errMsg"), "yes") in facts


def test_the_seed_column_set_shows_none_of_it(root: Path) -> None:
    seed = build_data(load_spec([root]), "zh", columns=column_set("2025"))
    assert "的方法" not in seed["createPenAsync"]["param"]
    assert "Node 的方法" not in seed["getQuery"]["returnValue"]
    assert "必备" not in seed["waitPen"]["returnValue"]


def test_a_methods_parts_belong_to_it_whatever_their_heading_level() -> None:
    # DCloud prints `###### start(…)` then `##### 参数` and `###### 返回值`
    text = (
        "###### Listener 的方法 @listener-values\n\n"
        "###### start(options: StartOptions): number; @start\n"
        "###### start 兼容性 \n| Web | Android |\n| :- | :- |\n| x | 4.61 |\n\n"
        "##### 参数 \n\n| 名称 | 类型 | 必填 | 默认值 | 兼容性 | 描述 |\n"
        "| :- | :- | :- | :- |  :-: | :- |\n| options | StartOptions | 是 | - | - | - |\n\n"
        "###### 返回值 \n\n| 类型 |\n| :- |\n| number |\n"
    )
    facts = _facts("k", "returnValue", text)
    assert ("api-compatibility", ("Listener.start", "Android"), "4.61") in facts
    assert ("field-type", ("Listener.start", "options"), "StartOptions") in facts
    assert ("return-type", ("Listener.start",), "number") in facts


def test_an_alias_of_a_type_literal_is_shown_by_the_literals_name(
    data: dict[str, dict[str, str]], root: Path
) -> None:
    # OnLocationChangeResult = GetLocationSuccess: DCloud's data names GetLocationSuccess
    param = data["createPenAsync"]["param"]
    assert "(info: [PenInfo](#peninfo-values)) => void" in param
    assert "PenInfo 的属性值 @peninfo-values" in param
    assert "OnPenInfo" not in param


def test_a_default_is_shown_as_the_declarations_write_it(
    data: dict[str, dict[str, str]], root: Path
) -> None:
    param = data["createPenAsync"]["param"]
    assert "| ink | number | 是 | 0 |" in param  # a required field's @defaultValue too
    assert "| tone | string | 否 | 'normal' |" in param
    seed = build_data(load_spec([root]), "zh", columns=column_set("2025"))
    assert '| tone | string | 否 | "normal" |' in seed["createPenAsync"]["param"]


def test_method_anchors_are_the_plain_lower_case_name(tmp_path: Path) -> None:
    # `back` is also an API of the module: the module's anchors are unique (back-2), the
    # whole-surface data's are not (DCloud's data has no -2 anchor)
    text = MODULE.replace(
        "types:\n",
        "  - name: back\n    description: {zh: 回。, en: Back.}\n    params: []\n"
        "    returns: void\n    platforms:\n      app:\n        android: {unixVer: '4.0'}\n"
        "types:\n",
        1,
    ).replace(
        "apis:\n",
        "provenance: {package: '@dcloudio/uni-app-x', version: 0.7.122, file: pen.d.ts}\napis:\n",
        1,
    )
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "pen.yaml").write_text(text, encoding="utf-8")
    spec = load_spec([tmp_path])
    whole = build_data(spec, "zh", columns=column_set("2026-04"))
    assert "#### back(): Query; @back\n" in whole["getQuery"]["returnValue"]
    assert "@back\n" in whole["back"]["name"]
    node = spec.modules[0].types["Node"]
    assert isinstance(node, InterfaceType)
    assert {node.methods[0].anchor, spec.modules[0].apis[-1].anchor} == {"back", "back-2"}


def test_an_alias_of_a_runtime_base_gets_a_table_of_the_bases_fields(
    data: dict[str, dict[str, str]],
) -> None:
    # NavigateToComplete = AsyncApiResult: DCloud's data shows it by name, with errMsg
    param = data["createPenAsync"]["param"]
    assert "(result: [CreatePenComplete](#createpencomplete-values)) => void" in param
    facts = _facts("createPenAsync", "param", param)
    assert ("field-type", ("CreatePenComplete", "errMsg"), "string") in facts


def test_a_second_return_table_is_the_enclosing_methods() -> None:
    # getPerformance: createObserver (####) prints PerformanceObserverEntryList's methods
    # (#####) with their own 返回值 (######), then its own 返回值 at #####
    text = (
        "#### Performance 的方法 @performance-values\n\n"
        "#### createObserver(): PerformanceObserver @createobserver\n\n"
        "##### List 的方法 @list-values\n\n"
        "##### getEntries(): PerformanceEntry[] @getentries\n\n"
        "###### 返回值 \n\n| 类型 |\n| :- |\n| Array&lt;PerformanceEntry&gt; |\n\n"
        "##### 返回值 \n\n| 类型 |\n| :- |\n| PerformanceObserver |\n"
    )
    facts = _facts("k", "returnValue", text)
    assert ("return-type", ("List.getEntries",), "Array<PerformanceEntry>") in facts
    assert ("return-type", ("Performance.createObserver",), "PerformanceObserver") in facts
