"""The whole-surface docs' type tables (column set ``2026-04``): a callback's type shown by the
name it is written with (an alias of an object type gets the table under its own name), the
fields of a runtime base type (``IUniError``) listed under every type extending it, and each
error code with its own compatibility cell, deprecated codes struck through.  The seed-era
column set keeps the aliased name, the own fields and the bare code rows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.flavors.dcloud import build_data, column_set
from generator.spec.loader import load_spec

MODULE = """\
format: 1
module: thing
version: 1.0.0
title: {zh: 物, en: Thing}
description: {zh: 物。, en: Thing.}
apis:
  - name: getThing
    description: {zh: 取。, en: Gets.}
    params:
      - name: options
        type: GetThingOptions
        required: true
    returns: void
    platforms:
      app:
        android: {unixVer: "4.0"}
      web: {unixVer: x}
types:
  GetThingOptions:
    kind: object
    description: {zh: 参数。, en: Options.}
    fields:
      - name: fail
        type: '(result: GetThingFail) => void'
        description: {zh: 失败。, en: Failed.}
  GetThingFail:
    kind: alias
    type: IGetThingFail
  IGetThingFail:
    kind: object
    description: {zh: 失败。, en: Failure.}
    extends: IUniError
    fields:
      - name: errCode
        type: ThingErrorCode
        required: true
        description: {zh: 码。, en: Code.}
  ThingErrorCode:
    kind: error-codes
    subject: thing
    description: {zh: 错误码。, en: Codes.}
    codes:
      - code: 1001
        description: {zh: 一。, en: One.}
        errMsg: one
        platforms:
          app:
            android: {unixVer: "4.1"}
          web: {unixVer: "4.2"}
      - code: 1002
        description: {zh: 二。, en: Two.}
        errMsg: two
        deprecated: {replacement: getThing}
"""

WHOLE = column_set("2026-04")
SEED = column_set("2025")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spec")
    (folder / "modules").mkdir()
    (folder / "modules" / "thing.yaml").write_text(MODULE, encoding="utf-8")
    return folder


def _param(root: Path, whole: bool) -> str:
    columns = WHOLE if whole else SEED
    return build_data(load_spec([root]), "zh", columns=columns)["getThing"]["param"]


def _cells(markdown: str, row: str) -> dict[str, str]:
    line = next(x for x in markdown.splitlines() if x.startswith(row))
    table = json.loads(re.search(r"table='(.*?)' />", line).group(1))  # type: ignore[union-attr]
    return {h["title"]: v for h, v in zip(table["headers"], table["rows"][0], strict=True)}


def _rows(markdown: str, heading: str) -> list[str]:
    """The first cell of every row of the table under ``heading`` (nested rows too)."""
    lines = markdown.splitlines()
    start = next(i for i, x in enumerate(lines) if heading in x)
    names: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        cells = [c.strip() for c in line.lstrip("@").split("|")]
        if len(cells) > 2 and cells[1] not in ("名称", "合法值", ":-"):
            names.append(cells[1])
    return names


def test_an_alias_is_shown_by_its_name_with_the_base_types_fields(root: Path) -> None:
    param = _param(root, whole=True)
    assert "(result: [GetThingFail](#getthingfail-values)) => void" in param
    assert "IGetThingFail" not in param
    rows = _rows(param, "GetThingFail 的属性值 @getthingfail-values")
    # own fields, then IUniError's it does not redefine, then AsyncApiResult's errMsg
    assert [r for r in rows if not r.isdigit() and "~~" not in r] == [
        "errCode", "errSubject", "data", "cause", "errMsg",
    ]  # fmt: skip
    assert "| errSubject | string | 是 |" in param
    assert "| data | any | 否 |" in param
    assert "| cause | [Error](" in param


def test_each_error_code_has_its_own_compatibility_and_deprecated_codes_are_struck(
    root: Path,
) -> None:
    param = _param(root, whole=True)
    assert _cells(param, "@| 1001 ") == {
        "Web": "4.2", "微信小程序": "-", "Android": "4.1", "iOS": "-", "HarmonyOS": "-",
    }  # fmt: skip
    assert "@| ~~1002~~ | - | 二。 |" in param


def test_the_seed_columns_keep_the_aliased_name_the_own_fields_and_bare_codes(
    root: Path,
) -> None:
    param = _param(root, whole=False)
    assert "[IGetThingFail](#igetthingfail-values)" in param
    assert "errSubject" not in param
    assert "@| 1001 | - | 一。 |" in param
    assert "~~1002~~" not in param


INTERFACE = """\
format: 1
module: box
version: 1.0.0
title: {zh: 盒, en: Box}
description: {zh: 盒。, en: Box.}
apis:
  - name: createBox
    description: {zh: 建。, en: Creates.}
    params: []
    returns: Box | null
    platforms:
      app:
        android: {unixVer: "4.0"}
types:
  Box:
    kind: interface
    description: {zh: 盒。, en: Box.}
    fields:
      - name: size
        type: number
        required: true
        description: {zh: 大小。, en: Size.}
    methods:
      - name: close
        description: {zh: 关。, en: Closes.}
        params:
          - name: code
            type: number
            nullable: true
        returns: void
        platforms:
          app:
            android: {unixVer: "4.0"}
"""


def test_a_nullable_interface_return_lists_its_methods_with_declared_signatures(
    tmp_path: Path,
) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "box.yaml").write_text(INTERFACE, encoding="utf-8")
    whole = build_data(load_spec([tmp_path]), "zh", columns=WHOLE)["createBox"]["returnValue"]
    assert "#### Box 的方法 @box-values" in whole
    assert "#### close(code?: number &#124; null): void; @close" in whole
    # the interface's properties are @-rows of the return row, before the methods
    assert whole.index("@| size | number | 是 |") < whole.index("#### Box 的方法")
    seed = build_data(load_spec([tmp_path]), "zh", columns=SEED)["createBox"]
    assert "的方法" not in seed["returnValue"]
