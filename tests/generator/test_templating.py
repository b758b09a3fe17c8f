"""One Jinja environment for every document: autoescape on, StrictUndefined, a package loader,
and per flavour a filter set whose every filter returns Markup."""

from __future__ import annotations

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from generator.flavors import _markdown, _mkdocs_md
from generator.flavors.views import TypeRef
from generator.templating import make_environment

ENVIRONMENTS = {
    "dcloud": _markdown.make_environment(),
    "mkdocs": _mkdocs_md.make_environment(),
    "report": make_environment("report", {}),
}
TEXT_FILTERS = {
    "dcloud": ["cell", "cells", "text", "inline", "sq_attr", "ct_json", "md_url"],
    "mkdocs": ["md", "attr", "url", "fence"],
}


@pytest.mark.parametrize("flavor", sorted(ENVIRONMENTS))
def test_every_environment_has_the_same_settings(flavor: str) -> None:
    env = ENVIRONMENTS[flavor]
    assert env.autoescape is True
    assert env.undefined is jinja2.StrictUndefined
    assert env.keep_trailing_newline is True
    assert isinstance(env.loader, jinja2.PackageLoader)
    assert env.list_templates(), f"no templates in generator/templates/{flavor}"


@pytest.mark.parametrize("flavor", sorted(ENVIRONMENTS))
def test_an_expression_without_a_filter_is_escaped(flavor: str) -> None:
    source = "{% macro m() %}<b>{{ x }}</b>{% endmacro %}{{ x }}|{{ m() }}"
    template = ENVIRONMENTS[flavor].from_string(source)
    assert template.render(x="<script>&") == "&lt;script&gt;&amp;|<b>&lt;script&gt;&amp;</b>"


@pytest.mark.parametrize("flavor", sorted(ENVIRONMENTS))
def test_an_undefined_name_is_an_error(flavor: str) -> None:
    with pytest.raises(jinja2.UndefinedError):
        ENVIRONMENTS[flavor].from_string("{{ missing }}").render()


@pytest.mark.parametrize("flavor", sorted(TEXT_FILTERS))
@given(text=st.text(max_size=40))
def test_every_filter_returns_markup(flavor: str, text: str) -> None:
    filters = ENVIRONMENTS[flavor].filters
    for name in TEXT_FILTERS[flavor]:
        value = [text] if name == "cells" else text
        assert isinstance(filters[name](value), Markup), name


@pytest.mark.parametrize(
    ("flavor", "expected"),
    [
        ("dcloud", "(res: [A&#124;B](#a%7Cb)) => **O**"),
        ("mkdocs", "(res: [A&#124;B](#a|b)) =&gt; **O**"),
    ],
)
def test_one_type_formatter_serves_both_flavours(flavor: str, expected: str) -> None:
    ref = TypeRef(
        "function",
        params=(("res", TypeRef("name", text="A|B", url="#a|b")),),
        returns=TypeRef("bold", text="O"),
    )
    out = ENVIRONMENTS[flavor].filters["md_type"](ref)
    assert isinstance(out, Markup) and out == expected
