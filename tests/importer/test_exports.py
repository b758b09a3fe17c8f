"""The importer's public surface, pinned (a change here is a change of its API)."""

from __future__ import annotations

import generator.importer
import generator.importer.exceptions
import generator.importer.model
from generator.exceptions import UtsApiError
from generator.importer.exceptions import ExtractError, ImporterError, NodeToolError, PackageError


def test_package_exports() -> None:
    assert sorted(generator.importer.__all__) == [
        "PINNED",
        "PackageRef",
        "Surface",
        "SurfaceCounts",
        "import_files",
        "import_package",
        "parse_source",
        "read_surface",
    ]
    for name in generator.importer.__all__:
        assert hasattr(generator.importer, name), name


def test_exception_tree() -> None:
    assert sorted(generator.importer.exceptions.__all__) == [
        "ExtractError",
        "ImporterError",
        "NodeToolError",
        "PackageError",
    ]
    assert issubclass(ImporterError, UtsApiError)
    for cls in (ExtractError, NodeToolError, PackageError):
        assert cls.__bases__ == (ImporterError,)
    error = PackageError("npm pack failed", detail="npm ERR! 404\n")
    assert str(error) == "npm pack failed\nnpm ERR! 404"
    assert str(PackageError("plain")) == "plain"


def test_model_exports_are_all_defined() -> None:
    for name in generator.importer.model.__all__:
        assert hasattr(generator.importer.model, name), name
