"""One side of a diff: a spec directory, one module file, or an npm version imported on the fly.

``npm:@dcloudio/uni-app-x@0.7.92`` is imported through the importer's Python API (the same steps
as ``utsapi import``: fetch into the cache, read with TypeScript's parser, write the spec
modules) into a temporary folder, loaded, and the folder removed: nothing of DCloud's lands in
the working tree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from generator.exceptions import UtsApiError
from generator.importer import import_package, parse_source
from generator.importer.tospec import surface_to_specs
from generator.importer.write import write_spec_dir
from generator.spec import Spec, load_spec

__all__ = ["DiffInputError", "load_side"]

NPM_PREFIX = "npm:"


class DiffInputError(UtsApiError):
    """A side of the diff names nothing that can be read (``where``: what the user wrote)."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(where, message)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def load_side(text: str, *, cache: Path | None = None) -> Spec:
    """The spec ``text`` names.  Raises :class:`DiffInputError` when it names nothing
    readable, :class:`~generator.exceptions.SpecError` when the spec is invalid, and the
    importer's :class:`~generator.importer.exceptions.ImporterError` when an npm version cannot
    be imported."""
    if text.startswith(NPM_PREFIX):
        source = parse_source(text)
        if isinstance(source, Path):  # parse_source reads every npm: text as a package
            raise DiffInputError(text, "expected npm:NAME@VERSION")
        surface = import_package(source, cache=cache)
        with tempfile.TemporaryDirectory(prefix="utsapi-diff-") as tmp:
            out = Path(tmp) / "spec"
            write_spec_dir(surface_to_specs(surface), out, clean=True)
            return load_spec([out])
    path = Path(text)
    if not path.exists():
        raise DiffInputError(text, "no such spec directory or file (nor npm:NAME@VERSION)")
    return load_spec([path])
