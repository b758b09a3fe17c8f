"""Each conformance rule has one anchor, #rule-<id>, the target of the reports' links."""

from __future__ import annotations

import re

import pytest

from generator.flavors.mkdocs import build_data
from generator.spec import load_bundled_spec
from generator.spec.model import Lang


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_rule_has_exactly_one_anchor(lang: Lang) -> None:
    spec = load_bundled_spec()
    rules = spec.rules.rules
    assert rules, "the bundled spec has rules"
    text = "\n".join(v for sections in build_data(spec, lang).values() for v in sections.values())
    anchors = re.findall(r'id="rule-([^"]+)"', text)
    assert sorted(anchors) == sorted(r.id for r in rules)
