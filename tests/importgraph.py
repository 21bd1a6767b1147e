"""The import graph of a package, read from its source with ``ast``: every import statement counts,
at module level, inside functions and under ``TYPE_CHECKING`` alike (a function-level import is
still a dependency; it only runs later).

Used by tests/test_architecture.py on gwmerge, and on small planted trees to show that it catches
what it must.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer} → {self.imported} (line {self.line})"


def modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name → file, for every .py file of the package at ``root``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((package, *parts))] = path
    return found


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def edges(root: Path, package: str) -> list[Edge]:
    """Every import of one of the package's own modules, as an edge between dotted names."""
    known = modules(root, package)
    found: list[Edge] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module) if node.level else (node.module or "")
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in known else base)
            for target in targets:
                # ``import a.b.c`` depends on the deepest of a.b.c, a.b, a that is one of ours.
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name and target.split(".")[0] == package:
                    found.append(Edge(name, target, node.lineno))
    return found


def cycles(graph_edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for e in graph_edges:
        graph.setdefault(e.importer, set()).add(e.imported)
        graph.setdefault(e.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:  # recursion depth is bounded by the number of modules (tens)
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer_of(module: str, package: str, layers: list[list[str]]) -> tuple[int, str] | None:
    """(layer index from the top, the sibling it belongs to) for a module, or None if unlayered."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    for i, siblings in enumerate(layers):
        if parts[1] in siblings:
            return i, parts[1]
    return None


def violations(graph_edges: list[Edge], package: str, layers: list[list[str]]) -> list[str]:
    """Imports that run upwards, sideways between independent siblings, or from an unlayered module."""
    bad = []
    for e in graph_edges:
        src, dst = layer_of(e.importer, package, layers), layer_of(e.imported, package, layers)
        if e.importer == package:
            continue  # the package's own __init__ may name its public face
        if src is None or dst is None:
            bad.append(f"{e}: not in any layer")
        elif dst[0] < src[0]:
            bad.append(f"{e}: imports upwards ({dst[1]} is above {src[1]})")
        elif dst[0] == src[0] and dst[1] != src[1]:
            bad.append(f"{e}: {src[1]} and {dst[1]} are independent siblings")
    return bad


def parse_layers(spec: list[str]) -> list[list[str]]:
    """``["cli", "write | docx", ...]`` (top first) → ``[["cli"], ["write", "docx"], ...]``."""
    return [[name.strip() for name in line.split("|")] for line in spec]
