"""Loading a spec: every file validated once, then one frozen, typed :class:`Spec`.

This is the one way in for every consumer: ``utsapi validate`` reports what
:func:`generator.spec.validate.validate_paths` finds, and the generator, the MkDocs plugin and the
conformance suite call :func:`load_spec`, which raises :class:`~generator.exceptions.SpecError`
(every problem, located) or returns modules, rules and profiles that need no further checking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.spec.bundled import bundled_spec_dir
from generator.spec.model import Module, payload_schema
from generator.spec.overlay import Overlay, load_overlay
from generator.spec.profiles import STRICT, Profile
from generator.spec.rules import RuleSet
from generator.spec.validate import validate_paths

__all__ = ["Spec", "load_bundled_spec", "load_spec"]


@dataclass(frozen=True)
class Spec:
    """A loaded spec: its modules, its behaviour rules and its conformance profiles."""

    modules: tuple[Module, ...]
    root: Path | None = None
    rules: RuleSet = field(default_factory=lambda: RuleSet("", ()))
    profiles: Mapping[str, Profile] = field(default_factory=lambda: {"strict": STRICT})
    #: The module the rules describe (the bundled one when the rules came without it).
    rule_module: Module | None = None
    #: The facts the declarations cannot supply (menu ids, pages, type links…): the overlay
    #: files of the spec (``overlays/``), else the bundled ones.
    overlay: Overlay = field(default_factory=Overlay)

    def module(self, name: str) -> Module | None:
        return next((m for m in self.modules if m.name == name), None)

    def payload_schema(self, type_name: str) -> Mapping[str, Any]:
        """JSON Schema of a result type of the rules' module, for checking callback payloads."""
        for module in (self.rule_module, *self.modules):
            if module is not None and type_name in module.types:
                return payload_schema(module, type_name)
        raise KeyError(f"no result type {type_name!r} in the spec")


def load_spec(paths: Sequence[Path] | None = None, *, profile_files: Sequence[Path] = ()) -> Spec:
    """Validate and load spec files or directories (default: the bundled spec), and profile
    files kept elsewhere.  Raises :class:`generator.exceptions.SpecError` listing every problem.
    """
    chosen = list(paths) if paths else [bundled_spec_dir()]
    result = validate_paths(chosen, extra=[("profiles", p) for p in profile_files])
    result.raise_for_errors()
    root = Path(chosen[0]) if Path(chosen[0]).is_dir() else None  # the spec's folder, if one
    return Spec(
        modules=tuple(result.built_modules),
        root=root,
        rules=result.rules,
        profiles={"strict": STRICT, **result.profiles},
        rule_module=result.rule_module,
        overlay=result.overlay if result.overlay is not None else load_overlay(None),
    )


@cache
def load_bundled_spec() -> Spec:
    """The bundled spec, loaded once per process."""
    return load_spec()
