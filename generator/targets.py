"""``MODULE:ATTR``: how a command line names a Python object (``reference_impl:uni``).

:func:`resolve_target` is the one place the kit turns such a name into the object:
``utsapi check-surface``, ``utsapi conformance run --impl``, the pytest plugin and the Python
stdio driver all go through it.  Resolution is :func:`pkgutil.resolve_name`'s; the kit adds that
the colon is required (``a.b.c`` alone does not say where the module ends) and an error that
says which part failed.

The current directory is not searched (a ``yaml.py`` there must never replace a library the kit
imports): the folders that hold the user's own modules are named with ``--path DIR``, which the
commands pass to :func:`add_search_paths`.
"""

from __future__ import annotations

import os
import pkgutil
import sys
from collections.abc import Iterable
from pathlib import Path

from generator.exceptions import TargetError

__all__ = ["TargetError", "add_search_paths", "resolve_target"]


def add_search_paths(paths: Iterable[str | Path]) -> None:
    """Put the folders of ``--path`` first on ``sys.path`` (in the order given), and on
    ``PYTHONPATH`` for the processes the command starts."""
    folders = [str(Path(p).resolve()) for p in paths]
    if not folders:
        return
    sys.path[:0] = [f for f in folders if f not in sys.path]
    inherited = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([*folders, *([inherited] if inherited else [])])


def resolve_target(target: str) -> object:
    """Import ``module.path`` of ``module.path:attr.path`` and return the attribute.

    Raises :class:`TargetError` when the name is malformed, the module cannot be imported (any
    exception its import raises) or it has no such attribute.
    """
    module_name, sep, attr = target.partition(":")
    parts = [*module_name.split("."), *attr.split(".")]
    if not sep or not all(part.isidentifier() for part in parts):
        raise TargetError(target, "expected MODULE:ATTR, e.g. reference_impl:uni")
    try:
        return pkgutil.resolve_name(target)
    except AttributeError as exc:
        if module_name in sys.modules:  # imported: the attribute path is what failed
            raise TargetError(target, f"{module_name} has no attribute {attr!r}") from exc
        raise TargetError(target, _import_failed(module_name, exc)) from exc
    except Exception as exc:  # the module's own import error, whatever it is, is the reason
        raise TargetError(target, _import_failed(module_name, exc)) from exc


def _import_failed(module_name: str, exc: BaseException) -> str:
    message = f"cannot import {module_name!r}: {type(exc).__name__}: {exc}"
    top = module_name.split(".", maxsplit=1)[0]
    if isinstance(exc, ModuleNotFoundError) and exc.name == top:
        here = Path.cwd()
        if str(here) not in sys.path and ((here / f"{top}.py").is_file() or (here / top).is_dir()):
            message += (
                f"; {top} is in the current directory, which is not searched: add --path ."
            )
    return message
