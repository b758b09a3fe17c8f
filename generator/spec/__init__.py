"""The spec layer: one owner for the spec's files, checks and model.

``load_spec(paths)`` reads a spec directory (``modules/``, ``rules/``, ``profiles/``), runs every
check (safe YAML, JSON Schema, the semantic checks of modules, rules and profiles) and returns one
frozen :class:`Spec`; ``validate_paths`` is the same reading, reporting instead of raising.  Every
consumer (the generator, the MkDocs plugin, the conformance suite) loads through here and never
re-checks.

Modules: :mod:`.model` (API modules), :mod:`.rules` and :mod:`.expectations` (the behaviour-rule
DSL, typed), :mod:`.profiles`, :mod:`.typeexpr` (type expressions), :mod:`.validate` and
:mod:`.checks` (the checks), :mod:`.loader`.
"""

from generator.spec.bundled import bundled_spec_dir
from generator.spec.loader import Spec, load_bundled_spec, load_spec
from generator.spec.validate import ValidationResult, validate_paths

__all__ = [
    "Spec",
    "ValidationResult",
    "bundled_spec_dir",
    "load_bundled_spec",
    "load_spec",
    "validate_paths",
]
