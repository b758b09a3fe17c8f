"""Exceptions of the ``generator`` package.

::

    UtsApiError                    base of everything this package raises on purpose
     ├── SpecError                 the spec is invalid; ``.diagnostics`` lists every problem found
     │    └── SpecReadError        a spec file cannot be read (missing, not UTF-8, a directory)
     ├── PageError                 a page's placeholders cannot be filled; ``.diagnostics`` as above
     ├── ReportError               a file is not a conformance report of this format and version
     ├── TargetError               a ``MODULE:ATTR`` name cannot be resolved (also a ``ValueError``)
     ├── StubsError                the typed package cannot be written (generator.stubs)
     ├── SurfaceError              an implementation's surface cannot be checked (generator.surface)
     ├── ImporterError             the declarations cannot be imported (generator.importer)
     └── CompareInputError         a compare-data input cannot be read (generator.compare)

Each problem is a :class:`Diagnostic`: where (file, line, column, JSON path), what, and which
check found it.  ``str()`` of an exception lists its diagnostics one per line in the
``file:line:col: $.path: message`` form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

__all__ = [
    "Diagnostic",
    "PageError",
    "ReportError",
    "SpecError",
    "SpecReadError",
    "TargetError",
    "UtsApiError",
]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located.  ``line`` and ``column`` are 1-based; 0 means unknown."""

    file: str
    line: int
    column: int
    path: str
    message: str
    check: str

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class UtsApiError(Exception):
    """Base class of the package's errors."""


class _DiagnosticError(UtsApiError):
    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.diagnostics)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class SpecError(_DiagnosticError):
    """The spec is invalid."""


class SpecReadError(SpecError):
    """A spec file could not be read (exit code 2 for the CLI, not 1)."""


class PageError(_DiagnosticError):
    """A page's placeholders cannot be filled."""


class ReportError(_DiagnosticError):
    """A file or document is not a readable conformance report of this format and version."""


class TargetError(UtsApiError, ValueError):
    """``target`` (``MODULE:ATTR``) names no object; ``reason`` says which part failed."""

    def __init__(self, target: str, reason: str) -> None:
        self.target = target
        self.reason = reason
        super().__init__(target, reason)

    def __str__(self) -> str:
        return f"{self.target!r}: {self.reason}"
