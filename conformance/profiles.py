"""Profiles: which documented deviations a run accepts, as data.

``strict`` (the default) allows nothing.  ``native-compat`` lists the platform deviations of
``behavior-rules.md`` §3 as *allowances*: each names a rule (optionally some of its cases), a
reason and its sources, and optionally ``instead``: the expectations the deviant behaviour must
still meet.  A failing case an allowance covers is WARN, not FAIL.  An allowance that no failing
case used is *stale* and reported (the deviation went away, or the allowance is wrong), the
habit of mypy's stubtest allowlists.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from conformance.exceptions import SpecError
from conformance.rules import Case, RuleSet
from generator.model import Text, bundled_spec_dir
from generator.validate import validate_text

__all__ = ["Allowance", "Profile", "bundled_profiles_dir", "load_profile"]


@dataclass(frozen=True)
class Allowance:
    rule: str  # rule id, globs allowed
    cases: tuple[str, ...]  # case ids; empty = every case
    reason: Text
    sources: tuple[str, ...]
    platforms: tuple[str, ...]
    instead: tuple[Mapping[str, Any], ...]
    where: str

    def covers(self, case: Case) -> bool:
        if not fnmatch.fnmatchcase(case.rule_id, self.rule):
            return False
        return not self.cases or (case.case_id is not None and case.case_id in self.cases)

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

    def allowance_for(self, case: Case) -> Allowance | None:
        return next((a for a in self.allowances if a.covers(case)), None)


STRICT = Profile(
    "strict", Text("严格：规范性规则，不接受偏差", "strict: the normative rules, no deviations"), ()
)


def bundled_profiles_dir() -> Path:
    return bundled_spec_dir() / "profiles"


def load_profile(name_or_path: str, rules: RuleSet | None = None) -> Profile:
    """Load a bundled profile by name (``strict``, ``native-compat``) or a profile file.

    With ``rules``, every allowance must name an existing rule and cases.
    """
    path = Path(name_or_path)
    if not path.suffix:
        path = bundled_profiles_dir() / f"{name_or_path}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in bundled_profiles_dir().glob("*.yaml"))
            raise SpecError([f"{name_or_path}: no such profile (known: {', '.join(known)})"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([f"{path}: cannot read: {exc}"]) from exc
    doc = validate_text(text, str(path), "profiles")
    if doc.diagnostics:
        raise SpecError([str(d) for d in doc.diagnostics])
    data = doc.data
    allowances: list[Allowance] = []
    problems: list[str] = []
    for i, item in enumerate(data.get("allowances", [])):
        line, col = doc.position(("allowances", i))
        where = f"{path}:{line}"
        allowance = Allowance(
            rule=item["rule"],
            cases=tuple(item.get("cases", ())),
            reason=Text(item["reason"]["zh"], item["reason"]["en"]),
            sources=tuple(item["sources"]),
            platforms=tuple(item.get("platforms", ())),
            instead=tuple(item.get("instead", ())),
            where=where,
        )
        for j, expectation in enumerate(allowance.instead):
            for error in _expectation_validator().iter_errors(expectation):
                problems.append(
                    f"{path}:{line}:{col}: $.allowances[{i}].instead[{j}]{error.json_path[1:]}: "
                    f"{error.message}"
                )
        if rules is not None:
            problems += _check_allowance(allowance, rules, f"{path}:{line}:{col}")
        allowances.append(allowance)
    if problems:
        raise SpecError(problems)
    return Profile(
        name=data["name"],
        description=Text(data["description"]["zh"], data["description"]["en"]),
        allowances=tuple(allowances),
        file=str(path),
    )


@cache
def _expectation_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((bundled_spec_dir() / "schema" / "rules.schema.json").read_text("utf-8"))
    only = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/expectation"}
    return jsonschema.Draft202012Validator(only)


def _check_allowance(allowance: Allowance, rules: RuleSet, where: str) -> Sequence[str]:
    matched = [r for r in rules.rules if fnmatch.fnmatchcase(r.id, allowance.rule)]
    if not matched:
        return [f"{where}: allowance names no rule: {allowance.rule!r}"]
    known = {c.case_id for r in matched for c in r.cases}
    unknown = [c for c in allowance.cases if c not in known]
    if unknown:
        return [f"{where}: allowance for {allowance.rule!r} names unknown case(s) {unknown}"]
    return []
