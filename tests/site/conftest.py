"""Fixtures for the site tests; the helpers live in ``tests.site.support``."""

from tests.site.support import browser, built_site, screenshots, serve, spec_copy

__all__ = ["browser", "built_site", "screenshots", "serve", "spec_copy"]
