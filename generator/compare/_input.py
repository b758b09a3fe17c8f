"""Reading a ``utsApiJson.json`` file: every problem located, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from generator.exceptions import Diagnostic, UtsApiError

__all__ = ["CompareInputError", "load_data", "parse_data"]

Data = dict[str, dict[str, str]]


class CompareInputError(UtsApiError):
    """An input is not a readable ``utsApiJson.json``; ``.diagnostics`` lists every problem
    (``file:line:col: $.path: message``)."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.diagnostics)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


def _problem(name: str, path: str, message: str, line: int = 0, column: int = 0) -> Diagnostic:
    return Diagnostic(name, line, column, path, message, "compare-input")


def parse_data(text: str, name: str) -> Data:
    """The flat object ``{key: {section: markdown}}`` of ``text``; raises
    :class:`CompareInputError` with every shape problem, or with the JSON syntax error's line
    and column."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CompareInputError(
            [_problem(name, "", f"not JSON: {error.msg}", error.lineno, error.colno)]
        ) from None
    if not isinstance(document, dict):
        found = type(document).__name__
        raise CompareInputError(
            [_problem(name, "$", f"expected an object of API keys, found a JSON {found}")]
        )
    problems: list[Diagnostic] = []
    data: Data = {}
    for key, entry in document.items():
        if not isinstance(entry, dict):
            found = type(entry).__name__
            problems.append(_problem(name, f"$.{key}", f"expected an object, found {found}"))
            continue
        sections: dict[str, str] = {}
        for section, value in entry.items():
            if isinstance(value, str):
                sections[section] = value
            else:
                found = type(value).__name__
                problems.append(
                    _problem(name, f"$.{key}.{section}", f"expected a string, found {found}")
                )
        data[key] = sections
    if problems:
        raise CompareInputError(problems)
    return data


def load_data(path: Path) -> Data:
    """Read and parse one file (UTF-8; a BOM is allowed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CompareInputError([_problem(str(path), "", f"cannot read: {error}")]) from None
    return parse_data(text, str(path))
