"""Matching the facts of two data files and counting the result."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from generator.compare._facts import Fact, ParseProblem, iter_unique, section_facts
from generator.compare._input import Data

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Categories",
    "Category",
    "CategoryCount",
    "CompareReport",
    "FactDiff",
    "Group",
    "SectionCount",
    "Status",
    "compare_data",
    "data_facts",
    "load_categories",
]

FORMAT = "utsapi-compare-data"
FORMAT_VERSION = 1

#: The category of every fact of an API key that the pinned declarations do not declare
#: (``categories.json``'s ``undeclared_apis``): counted apart, with its reason.
UNDECLARED = "undeclared-api"


class Group(enum.StrEnum):
    """What a category is: a fact the declarations supply (counted in the recall), prose they
    supply (compared, counted apart), or an overlay fact they cannot supply (counted apart)."""

    FACT = "fact"
    PROSE = "prose"
    OVERLAY = "overlay"


class Status(enum.StrEnum):
    EQUAL = "equal"
    DIFFERENT = "different"
    ONLY_REFERENCE = "only-reference"
    ONLY_CANDIDATE = "only-candidate"


@dataclass(frozen=True)
class Category:
    name: str
    group: Group
    what: str
    reason: str


@dataclass(frozen=True)
class Categories:
    """``categories.json``: every fact category, whether the declarations supply it, and the rules
    that sort 参见 links into categories."""

    by_name: Mapping[str, Category]
    links: tuple[tuple[re.Pattern[str], str], ...]
    column_aliases: Mapping[str, str]
    not_in_data: Mapping[str, str]
    undeclared_apis: frozenset[str] = frozenset()


def load_categories() -> Categories:
    text = resources.files("generator.compare").joinpath("categories.json").read_text("utf-8")
    raw = json.loads(text)
    by_name = {
        name: Category(name, Group(c["group"]), str(c["what"]), str(c.get("reason", "")))
        for name, c in raw["categories"].items()
    }
    links = tuple((re.compile(r["pattern"]), str(r["category"])) for r in raw["links"])
    aliases = {str(k): str(v) for k, v in raw["column_aliases"].items() if not k.startswith("//")}
    undeclared = frozenset(str(n) for n in raw.get("undeclared_apis", {}).get("names", []))
    return Categories(by_name, links, aliases, dict(raw["not_in_data"]), undeclared)


@dataclass(frozen=True)
class FactDiff:
    status: Status
    key: str
    category: str
    path: tuple[str, ...]
    reference: str | None
    candidate: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "key": self.key,
            "category": self.category,
            "path": list(self.path),
            "reference": self.reference,
            "candidate": self.candidate,
        }


@dataclass
class CategoryCount:
    equal: int = 0
    different: int = 0
    only_reference: int = 0
    only_candidate: int = 0

    def add(self, status: Status) -> None:
        name = status.value.replace("-", "_")
        setattr(self, name, getattr(self, name) + 1)

    @property
    def reference_total(self) -> int:
        return self.equal + self.different + self.only_reference

    @property
    def recall(self) -> float | None:
        """Share of the reference's facts the candidate reproduces; None when it has none."""
        total = self.reference_total
        return self.equal / total if total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "equal": self.equal,
            "different": self.different,
            "only_reference": self.only_reference,
            "only_candidate": self.only_candidate,
            "recall": self.recall,
        }


@dataclass
class SectionCount:
    """Sections (``key.section``) of the compared keys: byte-identical or not."""

    identical: int = 0
    different: int = 0
    only_reference: int = 0
    only_candidate: int = 0
    differing: list[str] = field(default_factory=list)

    @property
    def identical_share(self) -> float | None:
        total = self.identical + self.different + self.only_reference
        return self.identical / total if total else None


@dataclass
class CompareReport:
    reference: str
    candidate: str
    keys: list[str]
    diffs: list[FactDiff]
    categories: Categories
    sections: SectionCount
    problems: dict[str, list[ParseProblem]]

    @property
    def identical(self) -> bool:
        return all(d.status is Status.EQUAL for d in self.diffs)

    def by_category(self, *, group: Group | None = None) -> dict[str, CategoryCount]:
        counts: dict[str, CategoryCount] = {}
        for diff in self.diffs:
            category = self.categories.by_name[diff.category]
            if group is None or category.group is group:
                counts.setdefault(diff.category, CategoryCount()).add(diff.status)
        return dict(sorted(counts.items()))

    def by_key(self) -> dict[str, CategoryCount]:
        counts: dict[str, CategoryCount] = {key: CategoryCount() for key in self.keys}
        for diff in self.diffs:
            if self.categories.by_name[diff.category].group is Group.FACT:
                counts[diff.key].add(diff.status)
        return counts

    def total(self, group: Group = Group.FACT) -> CategoryCount:
        total = CategoryCount()
        for diff in self.diffs:
            if self.categories.by_name[diff.category].group is group:
                total.add(diff.status)
        return total

    def largest(self, limit: int) -> list[tuple[str, str, list[FactDiff]]]:
        """The (key, category) groups with the most facts that are not equal: the group "fact"
        first, then prose and overlay; largest first within each."""
        groups: dict[tuple[str, str], list[FactDiff]] = {}
        for diff in self.diffs:
            if diff.status is not Status.EQUAL:
                groups.setdefault((diff.key, diff.category), []).append(diff)
        order = {group: i for i, group in enumerate(Group)}

        def rank(item: tuple[tuple[str, str], list[FactDiff]]) -> tuple[int, int, str, str]:
            (key, category), diffs = item
            return (order[self.categories.by_name[category].group], -len(diffs), key, category)

        ranked = sorted(groups.items(), key=rank)
        return [(key, category, diffs) for (key, category), diffs in ranked[:limit]]

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` document; its format is described in :mod:`generator.compare`."""

        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "reference": self.reference,
            "candidate": self.candidate,
            "keys": self.keys,
            "identical": self.identical,
            "groups": {str(group): self.total(group).as_dict() for group in Group},
            "categories": {
                name: {
                    "group": str(self.categories.by_name[name].group),
                    **count.as_dict(),
                }
                for name, count in self.by_category().items()
            },
            "by_key": {key: count.as_dict() for key, count in self.by_key().items()},
            "sections": {
                "identical": self.sections.identical,
                "different": self.sections.different,
                "only_reference": self.sections.only_reference,
                "only_candidate": self.sections.only_candidate,
                "identical_share": self.sections.identical_share,
                "differing": self.sections.differing,
            },
            "not_in_data": dict(self.categories.not_in_data),
            "problems": {
                side: [
                    {"key": p.key, "section": p.section, "line": p.line, "message": p.message}
                    for p in problems
                ]
                for side, problems in self.problems.items()
            },
            "facts": [d.as_dict() for d in self.diffs if d.status is not Status.EQUAL],
        }


def data_facts(
    data: Data, keys: Iterable[str], categories: Categories
) -> tuple[dict[tuple[str, str, tuple[str, ...]], Fact], list[ParseProblem]]:
    """Every fact of ``keys`` in ``data``, by identity, and the lines that could not be read."""
    facts: list[Fact] = []
    problems: list[ParseProblem] = []
    for key in keys:
        entry = data.get(key)
        if entry is None:
            continue
        if set(entry) == {"example"}:
            facts.append(Fact(key, "module-key", (), ""))
        for section, text in entry.items():
            found = section_facts(
                key, section, text, categories.links, columns=categories.column_aliases
            )
            if key in categories.undeclared_apis:
                facts.extend(
                    Fact(f.key, UNDECLARED, (f.category, *f.path), f.value) for f in found.facts
                )
            else:
                facts.extend(found.facts)
            problems.extend(found.problems)
    unknown = {f.category for f in facts} - set(categories.by_name)
    if unknown:  # a programming error: the reader and categories.json disagree
        raise KeyError(f"fact categories missing from categories.json: {sorted(unknown)}")
    return {f.identity: f for f in iter_unique(facts)}, problems


def _sections(reference: Data, candidate: Data, keys: Iterable[str]) -> SectionCount:
    count = SectionCount()
    for key in keys:
        ref, cand = reference.get(key, {}), candidate.get(key, {})
        for section in [*ref, *(s for s in cand if s not in ref)]:
            where = f"{key}.{section}"
            if section not in cand:
                count.only_reference += 1
                count.differing.append(where)
            elif section not in ref:
                count.only_candidate += 1
                count.differing.append(where)
            elif ref[section] == cand[section]:
                count.identical += 1
            else:
                count.different += 1
                count.differing.append(where)
    return count


def compare_data(
    reference: Data,
    candidate: Data,
    *,
    reference_name: str = "reference",
    candidate_name: str = "candidate",
    keys: Iterable[str] | None = None,
    categories: Categories | None = None,
) -> CompareReport:
    """Compare two parsed data files fact by fact, over ``keys`` (default: every key of either)."""
    categories = categories or load_categories()
    if keys is None:
        chosen = [*reference, *(k for k in candidate if k not in reference)]
    else:
        chosen = list(dict.fromkeys(keys))
    ref_facts, ref_problems = data_facts(reference, chosen, categories)
    cand_facts, cand_problems = data_facts(candidate, chosen, categories)
    diffs: list[FactDiff] = []
    for identity, fact in ref_facts.items():
        other = cand_facts.get(identity)
        if other is None:
            status = Status.ONLY_REFERENCE
        elif other.value == fact.value:
            status = Status.EQUAL
        else:
            status = Status.DIFFERENT
        found = None if other is None else other.value
        diffs.append(FactDiff(status, fact.key, fact.category, fact.path, fact.value, found))
    for identity, fact in cand_facts.items():
        if identity not in ref_facts:
            diffs.append(
                FactDiff(
                    Status.ONLY_CANDIDATE, fact.key, fact.category, fact.path, None, fact.value
                )
            )
    order = {key: i for i, key in enumerate(chosen)}
    diffs.sort(key=lambda d: (order[d.key], d.category, d.path, d.status.value))
    return CompareReport(
        reference_name,
        candidate_name,
        chosen,
        diffs,
        categories,
        _sections(reference, candidate, chosen),
        {"reference": ref_problems, "candidate": cand_problems},
    )
