"""Spec text is escaped for the context it lands in: tables stay intact, nothing runs.

A spec whose texts hold ``|``, newlines, ``<script>alert(1)</script>`` and ``{{ jinja }}`` is
built in a temporary folder from the bundled websocket module.
"""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.cli import run as cli_run
from generator.flavors._markdown import escape_cell, escape_sq_attr, safe_json, safe_url
from generator.flavors.dcloud import DEFAULT_COLUMNS, build_data, column_set
from generator.spec import bundled_spec_dir, load_spec

NASTY = "a | b\nsecond line <script>alert(1)</script> {{ 7 * 7 }} `x|y` \\"
NASTY_EN = (
    "A | B\r\n<img src=x onerror=alert(1)> {{ config }} {% raw %} ]( [x](javascript:alert(1))"
)
SEED = Path(__file__).resolve().parents[2] / "site" / "docs" / "zh" / "websocket.md"


def _nasty(value: Any) -> dict[str, str]:
    return {"zh": NASTY, "en": NASTY_EN}


def make_nasty_spec(root: Path) -> Path:
    source = bundled_spec_dir() / "modules" / "websocket.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for api in data["apis"]:
        api["description"] = _nasty(api["description"])
        for link in api.get("tutorial", []):
            link["label"] = _nasty(link["label"])
    data["apis"][0]["tutorial"][0]["url"] = "https://example.com/a)b'<c>|d"
    for named in data["types"].values():
        if "description" in named:
            named["description"] = _nasty(named["description"])
        for f in named.get("fields", []):
            f["description"] = _nasty(f.get("description"))
            if "requires" in f:
                f["requires"] = _nasty(f["requires"])
        for method in named.get("methods", []):
            method["description"] = _nasty(method["description"])
        for code in named.get("codes", []):
            code["description"] = _nasty(code["description"])
    data["example"]["code"] = "```\n{{ 7 * 7 }}\n````\n<script>alert(1)</script>\n"
    data["example"]["title"] = _nasty(data["example"]["title"])
    modules = root / "modules"
    modules.mkdir(parents=True)
    (modules / "websocket.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def nasty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_nasty_spec(tmp_path_factory.mktemp("nasty-spec"))


@pytest.fixture(scope="module", params=["default", "2025"])
def nasty_data(
    nasty_dir: Path, request: pytest.FixtureRequest
) -> dict[str, dict[str, dict[str, str]]]:
    """The data in both languages, with the default column set and with the seed page's."""
    spec = load_spec([nasty_dir])
    columns = DEFAULT_COLUMNS if request.param == "default" else column_set(request.param)
    return {lang: build_data(spec, lang, columns=columns) for lang in ("zh", "en")}


def table_problems(markdown: str) -> list[str]:
    """Rows whose cell count differs from their table's header (per ``|`` and ``@|`` level)."""
    problems: list[str] = []
    expected: dict[str, int] = {}
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        prefix = "@|" if line.startswith("@|") else "|" if line.startswith("|") else None
        if prefix is None:
            if line.strip() == "":
                expected.pop("|", None)
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if following.startswith(prefix + " :-"):
            expected[prefix] = cells
        elif cells != expected.get(prefix, cells):
            problems.append(line)
    return problems


def sections(data: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    return [(f"{k}.{s}", v) for k, secs in data.items() for s, v in secs.items()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tables_stay_intact(nasty_data: dict[str, dict[str, dict[str, str]]], lang: str) -> None:
    for where, markdown in sections(nasty_data[lang]):
        assert table_problems(markdown) == [], where


def test_the_table_check_can_fail() -> None:
    assert table_problems("| a | b |\n| :- | :- |\n| x | y | z |\n") == ["| x | y | z |"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_markup_is_injected(nasty_data: dict[str, dict[str, dict[str, str]]], lang: str) -> None:
    for where, markdown in sections(nasty_data[lang]):
        fence = "```"
        outside_code = markdown.split(fence)[0] if where == "websocket.example" else markdown
        assert "<script" not in outside_code, where
        assert "<img" not in outside_code, where
        assert "](javascript:" not in outside_code, where


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_syntax_is_not_evaluated(
    nasty_data: dict[str, dict[str, dict[str, str]]], lang: str
) -> None:
    text = "\n".join(v for _, v in sections(nasty_data[lang]))
    assert "49" not in text
    assert "<Config" not in text
    # every "{{" outside code blocks is fenced off from the Vue compiler
    outside = re.sub(r"````.*?````", "", text, flags=re.S)
    assert all(
        outside[max(0, m.start() - 12) : m.start()] == "<span v-pre>"
        for m in re.finditer(r"\{\{", outside)
    )
    assert ("7 * 7 }}" if lang == "zh" else "{% raw %}") in text


def test_the_description_keeps_its_text(nasty_data: dict[str, dict[str, dict[str, str]]]) -> None:
    description = nasty_data["zh"]["connectSocket"]["description"]
    assert description == (
        "a &#124; b\nsecond line &lt;script>alert(1)&lt;/script> <span v-pre>{{</span> 7 * 7 }} "
        "<code>x&#124;y</code> &#92;"
    )


def test_link_label_and_destination_are_escaped(
    nasty_data: dict[str, dict[str, dict[str, str]]],
) -> None:
    lines = nasty_data["en"]["connectSocket"]["tutorial"].splitlines()
    (first,) = [line for line in lines if "example.com" in line]
    assert first == (
        "- [A &#124; B &lt;img src=x onerror=alert(1)> <span v-pre>{{</span> config }} "
        "{% raw %} &#93;( &#91;x&#93;(javascript:alert(1))]"
        "(https://example.com/a%29b%27%3Cc%3E%7Cd)"
    )


def test_example_fence_is_longer_than_any_backtick_run_in_the_code(
    nasty_data: dict[str, dict[str, dict[str, str]]],
) -> None:
    example = nasty_data["zh"]["websocket"]["example"]
    assert "\n`````uts\n```\n{{ 7 * 7 }}\n````\n<script>alert(1)</script>\n`````\n" in example


def test_render_of_the_seed_page_with_the_nasty_spec(nasty_dir: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli_run(["render", str(SEED), "--spec", str(nasty_dir)], out, err)
    assert code == 0, err.getvalue()
    assert "UTSAPIJSON" not in out.getvalue()
    assert table_problems(out.getvalue()) == []


# -- the filters, property-tested ---------------------------------------------------------------

_ALLOWED_TAGS = re.compile(r"<br/>|<span v-pre>|</span>|<code>|</code>")


@given(st.text())
def test_cell_escaping_keeps_one_cell_on_one_line(text: str) -> None:
    cell = str(escape_cell(text))
    assert "\n" not in cell and "\r" not in cell
    assert "|" not in cell
    assert "\\" not in cell
    assert "<" not in _ALLOWED_TAGS.sub("", cell)
    assert all(cell[max(0, m.start() - 12) : m.start()] == "<span v-pre>"
               for m in re.finditer(r"\{\{", cell))  # fmt: skip
    row = f"| {cell} | x |"
    assert len(re.findall(r"(?<!\\)\|", row)) == 3


@given(st.text(alphabet=st.characters(blacklist_characters="`")))
def test_cell_escaping_round_trips_without_code_spans(text: str) -> None:
    cell = str(escape_cell(text))
    back = html.unescape(cell.replace("<br/>", "\n").replace("<span v-pre>{{</span>", "{{"))
    assert back == text.replace("\r\n", "\n").replace("\r", "\n")


@given(st.text())
def test_attribute_escaping_cannot_leave_the_quotes(text: str) -> None:
    value = str(escape_sq_attr(text))
    assert not set("'<>|\n\r") & set(value)
    assert html.unescape(value) == text


JSON_VALUES = st.recursive(
    st.text() | st.integers(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)
)


@given(JSON_VALUES)
def test_component_json_is_inert_and_lossless(value: Any) -> None:
    text = str(safe_json(value))
    assert not set("'<>&|\n\r") & set(text)
    assert json.loads(text) == value


def test_safe_url() -> None:
    assert safe_url("https://example.com/a b(c)") == "https://example.com/a%20b%28c%29"
    assert safe_url("JavaScript:alert(1)") == "#"
    assert safe_url("#anchor-values") == "#anchor-values"
