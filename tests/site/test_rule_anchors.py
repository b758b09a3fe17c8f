"""Each conformance rule has one anchor, #rule-<id>, on the conformance page: the target of the
API pages' rule lists and of the reports' links; none on the API pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.flavors.mkdocs import build_data, escape_md, render_results
from generator.spec import load_bundled_spec
from generator.spec.model import Lang


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_rule_has_exactly_one_anchor_on_the_results_page(lang: Lang, tmp_path: Path) -> None:
    spec = load_bundled_spec()
    rules = spec.rules.rules
    assert rules, "the bundled spec has rules"
    page = render_results(tmp_path / "none.json", lang, rules=rules)
    anchors = re.findall(r'id="rule-([^"]+)"', page)
    assert sorted(anchors) == sorted(r.id for r in rules)
    for rule in rules:
        assert str(escape_md(rule.text.get(lang))) in page, rule.id
    api_pages = "\n".join(v for s in build_data(spec, lang).values() for v in s.values())
    assert 'id="rule-' not in api_pages
