from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A fresh copy of the smallest valid module, to mutate."""
    return copy.deepcopy(yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8")))
