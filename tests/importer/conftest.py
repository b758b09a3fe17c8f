from __future__ import annotations

import pytest

from generator.importer import import_files
from generator.importer.model import Surface
from tests.importer.support import FIXTURES, needs_node


@pytest.fixture(scope="session")
def fixture_surface() -> Surface:
    """The importer's reading of the fixture declarations (extractor installed in the user's
    cache, as on first use of the command)."""
    needs_node()
    names = ("constructs.d.ts", "blocks.d.ts")
    return import_files([FIXTURES / n for n in names], root=FIXTURES)
