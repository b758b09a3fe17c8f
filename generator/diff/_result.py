"""The result of a diff: every change of every module, with counts per class and module."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from generator.diff._walk import Change, diff_modules
from generator.diff.rules import ChangeClass
from generator.spec import Spec

__all__ = ["FORMAT_VERSION", "DiffResult", "diff_specs"]

#: The version of the JSON form (``spec/schema/diff.schema.json``).
FORMAT_VERSION = 1


def _version(spec: Spec) -> str:
    """The spec's version: its modules' (the highest when they differ)."""

    def key(version: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))

    return max((m.version for m in spec.modules), key=key, default="")


@dataclass(frozen=True)
class DiffResult:
    """The changes from ``old`` to ``new`` (labels as the user named them), in module order."""

    old: str
    new: str
    old_version: str
    new_version: str
    modules: tuple[str, ...]
    changes: tuple[Change, ...]

    def counts(self) -> dict[str, int]:
        """Changes per class, every class listed, strictest first."""
        found = Counter(c.cls for c in self.changes)
        return {cls.label: found[cls] for cls in sorted(ChangeClass, reverse=True)}

    def by_module(self) -> dict[str, dict[str, int]]:
        """Changes per module (modules with a change only) and class."""
        out: dict[str, dict[str, int]] = {}
        for module in self.modules:
            found = Counter(c.cls for c in self.changes if c.module == module)
            if found:
                out[module] = {cls.label: found[cls] for cls in sorted(ChangeClass, reverse=True)}
        return out

    @property
    def highest(self) -> ChangeClass | None:
        return max((c.cls for c in self.changes), default=None)

    def module_changes(self) -> Mapping[str, tuple[Change, ...]]:
        grouped: dict[str, list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.module, []).append(change)
        return {m: tuple(grouped[m]) for m in self.modules if m in grouped}


def diff_specs(old: Spec, new: Spec, *, old_label: str = "", new_label: str = "") -> DiffResult:
    """Every change from ``old`` to ``new``; modules are matched by name."""
    before = {m.name: m for m in old.modules}
    after = {m.name: m for m in new.modules}
    names = tuple(sorted(before.keys() | after.keys()))
    changes: list[Change] = []
    for name in names:
        changes.extend(diff_modules(before.get(name), after.get(name)))
    return DiffResult(
        old=old_label or _version(old),
        new=new_label or _version(new),
        old_version=_version(old),
        new_version=_version(new),
        modules=names,
        changes=tuple(changes),
    )
