"""Moved to :mod:`generator.spec.typeexpr`; kept while the other packages move their imports."""

from generator.spec.typeexpr import *  # noqa: F403
