"""A diff read back from its JSON form (``spec/schema/diff.schema.json``), for the site.

``utsapi build --since OLD`` writes ``OUT/changes.json``; the MkDocs plugin reads it here and
renders the Changes page from it (:func:`generator.diff.render_changes_page`), so the site never
imports an npm version itself.  Every way the document differs from the schema is reported at
once, each at its JSON path; a class or kind the rules do not know is refused the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, cast

from jsonschema import Draft202012Validator

from generator.diff._result import DiffResult
from generator.diff._walk import Change
from generator.diff.rules import RULES, ChangeClass, Direction
from generator.exceptions import UtsApiError
from generator.spec import bundled_spec_dir

__all__ = ["DiffReadError", "read_result", "result_from_json"]


class DiffReadError(UtsApiError):
    """A diff document that cannot be used: ``problems`` are ``(where, message)`` pairs, where
    is ``file:line:col`` (not JSON) or ``file: $.json.path`` (not valid)."""

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(f"{where}: {message}" for where, message in self.problems)


@cache
def _validator() -> Draft202012Validator:
    path = bundled_spec_dir() / "schema" / "diff.schema.json"
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _json_path(parts: Iterable[object]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def result_from_json(data: object, *, file: str = "<diff>") -> DiffResult:
    """The :class:`DiffResult` of a decoded ``utsapi diff --format json`` document."""
    if not isinstance(data, Mapping) or data.get("format") != "utsapi-diff":
        raise DiffReadError([(f"{file}: $.format", "not a utsapi diff document")])
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [(f"{file}: {_json_path(e.absolute_path)}", e.message) for e in errors]
    if problems:
        raise DiffReadError(problems)
    changes = []
    for n, item in enumerate(cast(list[dict[str, Any]], data["changes"])):
        if item["kind"] not in RULES:
            problems.append((f"{file}: $.changes[{n}].kind", f"unknown kind {item['kind']!r}"))
            continue
        changes.append(
            Change(
                module=item["module"],
                path=item["path"],
                kind=item["kind"],
                cls=ChangeClass[item["class"].upper()],
                direction=cast(Direction, item["direction"]),
                detail=item["detail"],
                old=item["old"],
                new=item["new"],
            )
        )
    if problems:
        raise DiffReadError(problems)
    modules = sorted({c.module for c in changes} | set(data["modules"]))
    return DiffResult(
        old=data["old"]["source"],
        new=data["new"]["source"],
        old_version=data["old"]["version"],
        new_version=data["new"]["version"],
        modules=tuple(modules),
        changes=tuple(changes),
    )


def read_result(path: Path) -> DiffResult:
    """The diff in the file ``path`` (raises :class:`DiffReadError`, and
    :class:`FileNotFoundError` when there is no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffReadError([(str(path), f"cannot read: {exc}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DiffReadError([(f"{path}:{exc.lineno}:{exc.colno}", exc.msg)]) from None
    return result_from_json(data, file=str(path))
