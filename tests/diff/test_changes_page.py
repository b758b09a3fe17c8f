"""The site's Changes page from the diff's JSON: read back (schema-checked, every problem at its
JSON path), links to where the site shows each item, the changelog's sections and anchors, and
escaping of everything the document holds."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.diff import (
    Change,
    ChangeClass,
    DiffReadError,
    diff_specs,
    read_result,
    render_changes_page,
    render_markdown,
    result_from_json,
    site_links,
    to_json,
)
from generator.flavors.mkdocs import api_links, site_pages, type_page_files
from tests.diff.support import BASE, CHANGED, load


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    result = diff_specs(load(BASE), load(CHANGED), old_label="old.yaml", new_label="new.yaml")
    return to_json(result)


def _links(spec_path: Path = CHANGED) -> Any:
    spec = load(spec_path)
    pages = site_pages(spec)
    return site_links(
        spec,
        api_pages=api_links(spec, pages),
        type_files=type_page_files(spec),
        module_pages={"demo": "api/demo.md"},
    )


def test_the_json_reads_back_into_the_same_result(document: dict[str, Any]) -> None:
    result = result_from_json(json.loads(json.dumps(document)))
    assert to_json(result) == document
    original = diff_specs(load(BASE), load(CHANGED), old_label="old.yaml", new_label="new.yaml")
    assert render_markdown(result, lang="zh") == render_markdown(original, lang="zh")


def test_a_document_off_the_schema_is_refused_with_every_problem_located(
    document: dict[str, Any],
) -> None:
    bad = copy.deepcopy(document)
    bad["changes"][0]["class"] = "catastrophic"
    del bad["changes"][3]["kind"]
    with pytest.raises(DiffReadError) as caught:
        result_from_json(bad, file="changes.json")
    wheres = [where for where, _ in caught.value.problems]
    assert wheres == ["changes.json: $.changes[0].class", "changes.json: $.changes[3]"]
    with pytest.raises(DiffReadError, match=r"not a utsapi diff document"):
        result_from_json({"format": "utsapi-conformance-report"}, file="x.json")


def test_a_file_that_is_not_json_is_located_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "changes.json"
    path.write_text('{\n  "format": "utsapi-diff",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(DiffReadError) as caught:
        read_result(path)
    assert caught.value.problems[0][0] == f"{path}:3:3"
    with pytest.raises(FileNotFoundError):
        read_result(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("", "api/demo.md"),
        ("openThing", "api/demo.md#openthing"),
        ("openThing(extra)", "api/demo.md#openthing"),
        ("resetThing", "api/demo.md#resetthing"),
        ("closeAll", None),  # removed: the site no longer shows it
        ("OpenThingOptions", "types/openthingoptions.md"),
        ("OpenThingOptions.retries", "types/openthingoptions.md"),
        ("ThingTask.stop", "types/thingtask.md#stop"),
        ("ThingTask.send(data)", "types/thingtask.md#send"),
        ("NoSuchType.field", None),
    ],
)
def test_each_change_links_to_where_the_site_shows_its_item(path: str, link: str | None) -> None:
    change = Change("demo", path, "description.changed", ChangeClass.DOCUMENTATION, "both")
    assert _links()(change) == link


def test_a_change_of_a_module_the_site_lacks_has_no_link() -> None:
    assert (
        _links()(Change("gone", "openThing", "api.removed", ChangeClass.DOCUMENTATION, "both"))
        is None
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_has_the_changelog_sections_anchors_and_links(
    document: dict[str, Any], lang: str
) -> None:
    page = render_changes_page(result_from_json(document), lang=lang, links=_links())
    assert page.startswith("# 变更\n" if lang == "zh" else "# Changes\n")
    for anchor in ("changes-demo", "changes-demo-breaking", "changes-demo-additive"):
        assert f'<a id="{anchor}"></a>' in page
    assert "[demo](#changes-demo)" in page
    assert "[<code>resetThing</code>](api/demo.md#resetthing)" in page
    assert "- <code>closeAll</code>:" in page  # removed, no link
    compared = "从 <code>old.yaml</code>（版本 <code>1.0.0</code>）到" if lang == "zh" else (
        "From <code>old.yaml</code> (version <code>1.0.0</code>) to <code>new.yaml</code> "
        "(version <code>1.1.0</code>)."
    )  # fmt: skip
    assert compared in page


HOSTILE = "<script>alert(1)</script> @evil |x| [a](javascript:1) `c` *{{ j }}*"


def test_nothing_the_document_holds_injects_markup(document: dict[str, Any]) -> None:
    bad = copy.deepcopy(document)
    bad["old"]["source"] = HOSTILE
    bad["modules"] = {HOSTILE: bad["modules"]["demo"]}
    for change in bad["changes"]:
        change["module"] = HOSTILE
        change["detail"] = HOSTILE if change["detail"] else ""
    bad["changes"][0]["new"] = HOSTILE
    page = render_changes_page(
        result_from_json(bad), lang="en", links=lambda c: f"x.md#{HOSTILE}" if c.path else None
    )
    for raw in ("<script", "|x|", "[a]", "](javascript", "`c`", "{{", "*{"):
        assert raw not in page
    hrefs = re.findall(r"\]\(([^)]*)\)", page)
    assert hrefs and all(re.fullmatch(r"[A-Za-z0-9/#._~%-]*", h) for h in hrefs), hrefs
    assert "&#60;script&#62;alert(1)&#60;/script&#62;" in page
