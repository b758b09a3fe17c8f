"""Moved to :mod:`generator.spec.validate`; kept while the other packages move their imports."""

from generator.spec.validate import *  # noqa: F403
from generator.spec.validate import validate_text

__all__ = ["validate_text"]
