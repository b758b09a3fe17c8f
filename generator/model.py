"""Moved to :mod:`generator.spec`; kept while the other packages move their imports."""

from generator.spec.bundled import bundled_spec_dir
from generator.spec.loader import Spec, load_bundled_spec, load_spec
from generator.spec.model import *  # noqa: F403
from generator.spec.model import _NO_DEFAULT, build_module

__all__ = [
    "_NO_DEFAULT",
    "Spec",
    "build_module",
    "bundled_spec_dir",
    "load_bundled_spec",
    "load_spec",
]
