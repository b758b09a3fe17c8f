"""Exceptions of the importer (``generator.importer``).

::

    UtsApiError                     (generator.exceptions) base of the kit's errors
     └── ImporterError              base of everything the importer raises on purpose
          ├── NodeToolError         ``node`` or ``npm`` is missing, too old, or failed
          ├── PackageError          a package cannot be fetched, verified or read
          └── ExtractError          the extractor ran but its output is unusable

Problems in the declarations themselves (a ``@uniPlatform`` block that does not parse, an unknown
platform key) are not exceptions: they are :class:`generator.exceptions.Diagnostic` warnings on
the imported surface, each with ``file:line:col``, and the import goes on.
"""

from __future__ import annotations

from generator.exceptions import UtsApiError

__all__ = ["ExtractError", "ImporterError", "NodeToolError", "PackageError"]


class ImporterError(UtsApiError):
    """Base class of the importer's errors.  ``detail`` holds a tool's output, if any."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        self.message = message
        self.detail = detail
        super().__init__(message)

    def __str__(self) -> str:
        if not self.detail:
            return self.message
        return f"{self.message}\n{self.detail.rstrip()}"


class NodeToolError(ImporterError):
    """``node``/``npm`` is not on ``PATH``, is too old, or a command of it failed."""


class PackageError(ImporterError):
    """A package cannot be fetched (``npm pack``), does not match its pinned integrity, or is not
    laid out as expected."""


class ExtractError(ImporterError):
    """The Node extractor failed or printed something that is not its JSON format."""
