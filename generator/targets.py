"""``MODULE:ATTR``: how a command line names a Python object (``reference_impl:uni``).

:func:`resolve_target` is the one place the kit turns such a name into the object:
``utsapi check-surface``, ``utsapi conformance run --impl``, the pytest plugin and the Python
stdio driver all go through it.  Resolution is :func:`pkgutil.resolve_name`'s; the kit adds that
the colon is required (``a.b.c`` alone does not say where the module ends) and an error that
says which part failed.
"""

from __future__ import annotations

import pkgutil
import sys

from generator.exceptions import TargetError

__all__ = ["TargetError", "resolve_target"]


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
    return f"cannot import {module_name!r}: {type(exc).__name__}: {exc}"
