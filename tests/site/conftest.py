"""Fixtures for the site tests; the helpers live in ``site_support`` (a unique module name, so
that test directories never shadow each other's ``conftest``)."""

from site_support import browser, built_site, screenshots, serve, spec_copy

__all__ = ["browser", "built_site", "screenshots", "serve", "spec_copy"]
