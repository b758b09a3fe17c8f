"""Conformance profiles as typed data: which documented deviations a run accepts.

``strict`` (built in, and the default) allows nothing.  A profile file (``spec/profiles/*.yaml``)
lists *allowances*: each names a rule (a glob; optionally some of its cases), a reason and its
sources, and optionally ``instead``: the expectations the deviant behaviour must still meet,
parsed and checked here like a rule's own (:mod:`generator.spec.expectations`).  A failing case
an allowance covers is WARN, not FAIL; an allowance that no failing case used is *stale* and
reported (the habit of mypy's stubtest allowlists).

An allowance with ``platforms`` applies only to an implementation whose hello names one of them
(driver protocol 1.1, or ``--platform``); one without applies to every platform.  An
implementation that names no platform gets only the allowances without ``platforms``.  When
several allowances apply to a case, the first whose ``instead`` holds excuses it, so same-cause
cases are judged alike whichever allowance lists them; when none holds, the case FAILs naming
the first ("the allowance applied but did not hold"), and that allowance is not stale.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from generator.spec._yaml import LoadedYaml, PathKey
from generator.spec.expectations import Expectation, RuleNames, parse_expectations
from generator.spec.model import Text
from generator.spec.rules import Case, RuleSet

__all__ = ["STRICT", "Allowance", "Profile", "parse_profile"]


@dataclass(frozen=True)
class Allowance:
    rule: str  # rule id, globs allowed
    cases: tuple[str, ...]  # case ids; empty = every case
    reason: Text
    sources: tuple[str, ...]
    platforms: tuple[str, ...]
    instead: tuple[Expectation, ...]
    where: str

    def covers(self, case: Case) -> bool:
        """Whether the allowance names the case (whatever the platform)."""
        if not fnmatch.fnmatchcase(case.rule_id, self.rule):
            return False
        return not self.cases or (case.case_id is not None and case.case_id in self.cases)

    def applies_to(self, platform: str | None) -> bool:
        """Whether the allowance is for ``platform`` (None: the implementation named none)."""
        return not self.platforms or (platform is not None and platform in self.platforms)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "cases": list(self.cases),
            "reason": {"zh": self.reason.zh, "en": self.reason.en},
            "sources": list(self.sources),
            "platforms": list(self.platforms),
            "where": self.where,
        }


@dataclass(frozen=True)
class Profile:
    name: str
    description: Text
    allowances: tuple[Allowance, ...]
    file: str = ""

    def allowances_for(self, case: Case, platform: str | None) -> tuple[Allowance, ...]:
        """The allowances for ``case`` on ``platform``, in the profile's order."""
        return tuple(a for a in self.allowances if a.applies_to(platform) and a.covers(case))

    def allowance_for(self, case: Case, platform: str | None = None) -> Allowance | None:
        """The first allowance for ``case`` on ``platform``."""
        return next(iter(self.allowances_for(case, platform)), None)


STRICT = Profile(
    "strict", Text("严格：规范性规则，不接受偏差", "strict: the normative rules, no deviations"), ()
)


def _names_of(rules: RuleSet, pattern: str) -> tuple[RuleNames, set[str | None]] | None:
    """The names and case ids of the rules matching ``pattern`` (None when no rule matches)."""
    matched = [r for r in rules.rules if fnmatch.fnmatchcase(r.id, pattern)]
    if not matched:
        return None
    names = RuleNames()
    for rule in matched:
        names.aliases |= rule.names.aliases
        names.listeners |= rule.names.listeners
    return names, {c.case_id for r in matched for c in r.cases}


def parse_profile(doc: LoadedYaml, rules: RuleSet | None, types: set[str] | None) -> Profile:
    """The typed profile of one schema-valid profile document.

    With ``rules``, every allowance must name an existing rule and cases, and its ``instead``
    selectors must name calls or listeners of those rules.  Problems go to ``doc.diagnostics``.
    """
    allowances: list[Allowance] = []
    for i, item in enumerate(doc.data.get("allowances", [])):
        path: PathKey = ("allowances", i)
        line, _col = doc.position(path)
        names: RuleNames | None = None
        if rules is not None:
            found = _names_of(rules, item["rule"])
            if found is None:
                doc.error(
                    (*path, "rule"), f"allowance names no rule: {item['rule']!r}", "profile:rule"
                )
            else:
                names, known = found
                for c, case in enumerate(item.get("cases", ())):
                    if case not in known:
                        doc.error(
                            (*path, "cases", c),
                            f"allowance for {item['rule']!r} names an unknown case {case!r}",
                            "profile:case",
                        )
        instead = parse_expectations(doc, item.get("instead", ()), (*path, "instead"), names, types)
        allowances.append(
            Allowance(
                rule=item["rule"],
                cases=tuple(item.get("cases", ())),
                reason=Text(item["reason"]["zh"], item["reason"]["en"]),
                sources=tuple(item["sources"]),
                platforms=tuple(item.get("platforms", ())),
                instead=instead,
                where=f"{doc.file}:{line}",
            )
        )
    data = doc.data
    return Profile(
        name=data["name"],
        description=Text(data["description"]["zh"], data["description"]["en"]),
        allowances=tuple(allowances),
        file=doc.file,
    )
