"""Helpers of the diff tests: the hand-made spec pair, and edits of it written to tmp files."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.spec import Spec, load_spec

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base.yaml"
CHANGED = FIXTURES / "changed.yaml"

Edit = Callable[[dict[str, Any]], None]


def base_data() -> dict[str, Any]:
    data = yaml.safe_load(BASE.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def write_edited(tmp: Path, edit: Edit, name: str = "new.yaml") -> Path:
    """The base module with ``edit`` applied, written to ``tmp/name``."""
    data = copy.deepcopy(base_data())
    edit(data)
    path = tmp / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def load(path: Path) -> Spec:
    return load_spec([path])


def api(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in data["apis"] if a["name"] == name)


def field(data: dict[str, Any], type_name: str, name: str) -> dict[str, Any]:
    return next(f for f in data["types"][type_name]["fields"] if f["name"] == name)


def method(data: dict[str, Any], owner: str, name: str) -> dict[str, Any]:
    return next(m for m in data["types"][owner]["methods"] if m["name"] == name)
