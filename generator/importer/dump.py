"""The imported surface as plain JSON data (``--dump-json``): for looking at, diffing two imports,
and tests; the spec output step reads the model, not this.

Every dataclass becomes an object with its fields in declaration order; enums become their
values; a :class:`Provenance` becomes ``{"file", "line", "column"}`` (the package and version are
given once, at the top); ``ModuleSource.path`` (a path on this machine) is left out, so two
imports of the same package compare equal.  Fields that are ``None``, ``False`` or empty are left
out too, which keeps the dump of 0.7.122 to a size one can open.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from generator.importer.model import ModuleSource, Provenance, Surface

__all__ = ["surface_to_json"]


def _convert(value: object) -> Any:
    if isinstance(value, Provenance):
        return {"file": value.file, "line": value.line, "column": value.column}
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if isinstance(value, ModuleSource) and f.name == "path":
                continue
            item = _convert(getattr(value, f.name))
            if item is None or item is False or item in ((), [], {}, ""):
                continue
            out[f.name] = item
        return out
    if isinstance(value, dict):
        return {str(k): _convert(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_convert(v) for v in value]
    return value


def surface_to_json(surface: Surface) -> dict[str, Any]:
    """The surface, its counts and its warnings as JSON-ready data."""
    data: dict[str, Any] = {
        "package": surface.package,
        "version": surface.version,
        "typescript": surface.typescript,
        "counts": surface.counts().as_dict(),
        "warnings": [w.as_dict() for w in surface.warnings],
        "skipped": _convert(surface.skipped),
        "modules": _convert(surface.modules),
    }
    return data
