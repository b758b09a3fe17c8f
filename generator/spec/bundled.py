"""Where the bundled spec lives: ``generator/_spec`` in a wheel, ``spec/`` in a checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled_spec_dir"]


def bundled_spec_dir() -> Path:
    """The bundled spec directory (modules, rules, profiles, schemas)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_spec", here.parent / "spec"):
        if (candidate / "modules").is_dir():
            return candidate
    raise FileNotFoundError(f"no bundled spec next to {here}")
