"""Helpers shared by ``utsapi render`` and ``utsapi build``: spec loading that reports instead of
raising, file I/O that reports instead of raising, and the flavour registry."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any, Protocol, TextIO, cast

from generator.exceptions import SpecError, SpecReadError
from generator.spec import Spec, load_spec
from generator.spec.model import Lang

__all__ = [
    "EXIT_INVALID_SPEC",
    "EXIT_UNREADABLE",
    "FLAVORS",
    "add_spec_argument",
    "flavor_data",
    "load_spec_reporting",
    "read_text",
    "write_text",
]

EXIT_UNREADABLE, EXIT_INVALID_SPEC = 2, 3

#: flavour -> module whose ``build_data(spec, lang)`` makes the placeholder data.
FLAVORS = {"dcloud": "generator.flavors.dcloud", "mkdocs": "generator.flavors.mkdocs"}


class _Flavor(Protocol):
    def build_data(self, spec: Spec, lang: Lang, **kwargs: Any) -> dict[str, dict[str, str]]: ...


def add_spec_argument(parser: argparse.ArgumentParser, *, repeatable: bool = False) -> None:
    """``--spec PATH``: a spec directory or file (``repeatable``: several, as a list)."""
    parser.add_argument(
        "--spec",
        type=Path,
        action="append" if repeatable else "store",
        metavar="PATH" if repeatable else "DIR",
        help="a spec file or directory; repeat for several (default: the bundled spec)"
        if repeatable
        else "spec directory or file (default: the bundled spec)",
    )


def load_spec_reporting(path: Path | None, stderr: TextIO) -> Spec | int:
    """The validated spec, or the exit code after writing every problem to ``stderr``:
    :data:`EXIT_UNREADABLE` when a spec file cannot be read, :data:`EXIT_INVALID_SPEC`."""
    try:
        return load_spec([path] if path is not None else None)
    except SpecError as error:
        for diagnostic in error.diagnostics:
            stderr.write(f"{diagnostic}\n")
        unreadable = isinstance(error, SpecReadError)
        kind = "unreadable" if unreadable else "invalid"
        stderr.write(f"spec {kind}: {len(error.diagnostics)} problem(s); nothing rendered\n")
        return EXIT_UNREADABLE if unreadable else EXIT_INVALID_SPEC
    except FileNotFoundError as error:
        stderr.write(f"spec not found: {error}\n")
        return EXIT_UNREADABLE


def flavor_data(flavor: str, spec: Spec, lang: Lang, **options: Any) -> dict[str, dict[str, str]]:
    module = cast(_Flavor, importlib.import_module(FLAVORS[flavor]))
    return module.build_data(spec, lang, **options)


def read_text(path: Path, stderr: TextIO) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        stderr.write(f"{path}: cannot read: {error}\n")
        return None


def write_text(path: Path, text: str, stderr: TextIO) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        stderr.write(f"{path}: cannot write: {error}\n")
        return False
    return True
