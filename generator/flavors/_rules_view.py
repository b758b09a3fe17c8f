"""The conformance rules as the docs show them: :class:`Rule` and :func:`load_rules`.

A stand-in until the spec layer hands out typed rules: the renderers depend only on
:class:`RuleView` (``id``, ``level``, ``title``, ``text``, ``apis``), which both this
:class:`Rule` and the spec layer's rules satisfy, so swapping the loader touches nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from generator.spec import Spec
from generator.spec.model import Text

__all__ = ["Rule", "RuleView", "load_rules"]


class RuleView(Protocol):
    """What a renderer reads of a conformance rule."""

    @property
    def id(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def title(self) -> Text: ...
    @property
    def text(self) -> Text: ...
    @property
    def apis(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Rule:
    """What the docs show of a conformance rule."""

    id: str
    level: str
    title: Text
    text: Text
    apis: tuple[str, ...]


def load_rules(spec: Spec) -> tuple[Rule, ...]:
    """The rules of ``spec.root/rules/*.yaml``, validated by their schema; () when there are none.

    Raises :class:`generator.exceptions.SpecError` listing every problem of the rule files.
    """
    from generator.spec import validate_paths  # noqa: PLC0415 - validate imports the model

    rules_dir = spec.root / "rules" if spec.root is not None else None
    if rules_dir is None or not rules_dir.is_dir() or not any(rules_dir.glob("*.y*ml")):
        return ()
    result = validate_paths([rules_dir.parent])  # rules are checked against the modules
    result.raise_for_errors()
    return tuple(
        Rule(
            id=item["id"],
            level=item["level"],
            title=Text(**item["title"]),
            text=Text(**item["text"]),
            apis=tuple(item["apis"]),
        )
        for doc in result.of_kind("rules")
        for item in doc.data.get("rules", ())
    )
