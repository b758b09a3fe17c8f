"""The curated module against its import: every fact of one, compared with the other.

``spec/modules/websocket.yaml`` is written by hand; the same module can be imported from DCloud's
declarations. :func:`module_facts` reads a :class:`~generator.spec.model.Module` into facts, one
per path (``apis.connectSocket.params.options.type`` → ``ConnectSocketOptions``), and
:func:`compare_modules` lists every fact on which the two modules disagree. A difference is
accepted only where the curated module lists it (``import-differences``: the fact's path and the
reason), so a change of the declarations, or a slip in the curated file, shows as a difference
nobody has explained.

Facts: API and method names, parameters (type, required, default), return types, deprecation,
every platform cell, named types by kind, object and interface fields (type, required, default,
platform cells), interface methods, error codes. Not facts: descriptions (the curated module says
them in its own words), examples, tutorial labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from generator.spec.model import (
    AliasType,
    Callable,
    ErrorCodesType,
    Field,
    InterfaceType,
    Module,
    ObjectType,
    Platforms,
)
from generator.spec.typeexpr import TypeExpr

__all__ = ["Difference", "compare_modules", "module_facts"]

_ABSENT = "(absent)"


@dataclass(frozen=True, order=True)
class Difference:
    """One fact the two modules state differently (``_ABSENT`` where one does not state it)."""

    path: str
    curated: str
    imported: str

    def __str__(self) -> str:
        return f"{self.path}: curated {self.curated!r}, imported {self.imported!r}"


def _platform_facts(prefix: str, platforms: Platforms) -> Iterator[tuple[str, str]]:
    for platform, cells in platforms.entries.items():
        for key, value in cells.items():
            yield f"{prefix}.platforms.{platform}.{key}", str(value)


def _type(expr: TypeExpr, aliases: Mapping[str, AliasType]) -> str:
    """The type as written, every alias in it replaced by what it names: the curated module
    writes ``(result: ConnectSocketFail) => void`` where the declarations name it
    ``ConnectSocketFailCallback``; both state the same fact."""
    text = str(expr)
    if not aliases:
        return text
    names = re.compile(r"\b(" + "|".join(map(re.escape, sorted(aliases))) + r")\b")
    for _ in range(8):  # aliases of aliases, bounded
        replaced = names.sub(lambda m: str(aliases[m.group(1)].type), text)
        if replaced == text:
            break
        text = replaced
    return text


def _field_facts(
    prefix: str, f: Field, aliases: Mapping[str, AliasType]
) -> Iterator[tuple[str, str]]:
    base = f"{prefix}.{f.name}"
    # The type as the declarations write it: a curated module may state a narrower one beside.
    yield f"{base}.type", _type(f.declared or f.type, aliases)
    yield f"{base}.required", str(f.required).lower()
    if f.nullable:
        yield f"{base}.nullable", "true"
    if f.has_default:
        yield f"{base}.default", repr(f.default)
    yield from _platform_facts(base, f.platforms)


def _callable_facts(
    prefix: str, c: Callable, aliases: Mapping[str, AliasType]
) -> Iterator[tuple[str, str]]:
    base = f"{prefix}.{c.name}"
    yield base, "declared"
    yield f"{base}.returns", _type(c.returns, aliases)
    for p in c.params:
        yield from _field_facts(f"{base}.params", p, aliases)
    if c.deprecated is not None:
        yield f"{base}.deprecated", "true"
    yield from _platform_facts(base, c.platforms)


def module_facts(module: Module) -> dict[str, str]:
    """Every fact of ``module``, keyed by its path.  Type aliases are notation, not facts: they
    are resolved where they are used and not listed themselves."""
    aliases = {n: t for n, t in module.types.items() if isinstance(t, AliasType)}
    facts: dict[str, str] = {}
    for api in module.apis:
        facts.update(_callable_facts("apis", api, aliases))
    for name, named in module.types.items():
        base = f"types.{name}"
        match named:
            case ObjectType():
                facts[f"{base}.kind"] = named.kind
                for f in named.fields:
                    facts.update(_field_facts(f"{base}.fields", f, aliases))
            case InterfaceType():
                facts[f"{base}.kind"] = named.kind
                for f in named.fields:
                    facts.update(_field_facts(f"{base}.fields", f, aliases))
                for m in named.methods:
                    facts.update(_callable_facts(f"{base}.methods", m, aliases))
            case ErrorCodesType():
                facts[f"{base}.kind"] = named.kind
                for code in named.codes:
                    facts[f"{base}.codes.{code.code}"] = "declared"
    return facts


def _structural(path: str) -> bool:
    """A fact that says something exists (an API, a type, a field, a method, a code), as opposed
    to a platform cell: a cell the curated module leaves out is not a disagreement (it records the
    cells the docs show), a field or an API it leaves out is."""
    return ".platforms." not in path


def compare_modules(
    curated: Module, imported: Module, accepted: Mapping[str, str] | None = None
) -> tuple[list[Difference], list[str]]:
    """The differences between the two modules that ``accepted`` does not explain, and the
    accepted entries that explain none (stale), both sorted.

    Every fact of ``curated`` must hold in ``imported``; of the facts only ``imported`` states,
    the structural ones count (a platform cell the curated module leaves out does not).
    ``accepted`` maps a path, or an ``fnmatch`` pattern of paths, to the reason."""
    accepted = accepted or {}
    ours, theirs = module_facts(curated), module_facts(imported)
    paths = ours.keys() | {p for p in theirs if _structural(p)}
    differences = [
        Difference(path, ours.get(path, _ABSENT), theirs.get(path, _ABSENT))
        for path in sorted(paths)
        if ours.get(path) != theirs.get(path)
    ]
    used: set[str] = set()
    unexplained: list[Difference] = []
    for d in differences:
        hits = [pattern for pattern in accepted if fnmatchcase(d.path, pattern)]
        used.update(hits)
        if not hits:
            unexplained.append(d)
    return unexplained, sorted(set(accepted) - used)
