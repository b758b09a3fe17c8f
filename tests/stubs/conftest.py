"""Fixtures for the stub tests; the helpers live in ``tests.stubs.support``."""

from tests.stubs.support import checkers, stubs_on_path

__all__ = ["checkers", "stubs_on_path"]
