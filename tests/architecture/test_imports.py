"""The packages' imports form no cycle, and no module imports another package's private module.

Every import counts, at module level or inside a function (a lazy import hides a cycle, it does not
remove it).  A private module (``_name``) may be imported only from inside the package that holds
it: ``generator.spec._yaml`` from ``generator.spec.*``, never from ``generator.cli`` or
``conformance``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("generator", "conformance", "reference_impl")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module of ours, line) for each import in ``path``."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text("utf-8"), str(path))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join([*parts[:keep], *([base] if base else [])])
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            if target in known and target != name:
                yield target, node.lineno


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: {t for t, _ in _imports(name, path, known)} for name, path in known.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _is_package_parent(module: str, package: str) -> bool:
    """Whether a package ``package`` is ``module`` itself or a package holding it."""
    # A package's __init__ importing its own submodules is the normal way to expose them.
    return module == package or module.startswith(package + ".")


def test_no_import_cycles() -> None:
    graph = _graph()
    # An __init__ that re-exports its submodules is not a cycle partner: drop package -> child.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not t.startswith(name + ".")}
    assert _cycles(graph) == []


def test_no_private_module_of_another_package_is_imported() -> None:
    known = _modules()
    offences: list[str] = []
    for name, path in known.items():
        for target, line in _imports(name, path, known):
            parts = target.split(".")
            private = [i for i, part in enumerate(parts) if part.startswith("_")]
            if not private:
                continue
            owner = ".".join(parts[: private[0]])  # the package that holds the private module
            if not _is_package_parent(name, owner):
                offences.append(f"{path.relative_to(ROOT)}:{line}: imports {target}")
    assert offences == []


def test_the_walk_sees_every_package() -> None:
    graph = _graph()
    assert {"generator.spec.loader", "conformance.engine", "reference_impl"} <= set(graph)
    assert "generator.spec.validate" in graph["generator.spec.loader"]
