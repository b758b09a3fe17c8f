"""Fixtures for the stub tests; the helpers live in ``stubs_support`` (a unique module name, so
that test directories never shadow each other's ``conftest``)."""

from stubs_support import checkers, stubs_on_path

__all__ = ["checkers", "stubs_on_path"]
