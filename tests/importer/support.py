"""Helpers shared by the importer's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def needs_node() -> None:
    """Skip, saying why, when the extractor cannot run here."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not on PATH: the importer's extractor runs on Node")
