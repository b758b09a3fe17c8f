from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.importer import import_files
from generator.importer.model import Surface

FIXTURES = Path(__file__).parent / "fixtures"


def needs_node() -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not on PATH: the importer's extractor runs on Node")


@pytest.fixture(scope="session")
def fixture_surface() -> Surface:
    """The importer's reading of the fixture declarations (extractor installed in the user's
    cache, as on first use of the command)."""
    needs_node()
    names = ("constructs.d.ts", "blocks.d.ts")
    return import_files([FIXTURES / n for n in names], root=FIXTURES)
