"""Reading a package's imports with ``ast``: the graph, its layers, cycles and private names.

The checks in ``tests/test_layering.py`` run these on ``churn/`` and ``pages/``, and on
small broken trees written to a temporary folder, so that each check is seen to fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    """One import statement: who imports, what it names, where (for messages)."""

    importer: str
    module: str
    names: tuple[str, ...]
    line: int


def module_name(path: Path, root: Path) -> str:
    """``churn/model/features.py`` → ``churn.model.features``; a package's ``__init__`` → the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(path: Path, root: Path) -> list[Import]:
    """Every import in a file, lazy ones inside functions included, with absolute module names."""
    importer = module_name(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(importer, alias.name, (), node.lineno))
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, importer, path.name == "__init__.py")
            found.append(Import(importer, module, tuple(a.name for a in node.names), node.lineno))
    return found


def python_files(root: Path, package: str) -> list[Path]:
    """The ``.py`` files of ``root/package`` (a folder), sorted."""
    return sorted((root / package).rglob("*.py"))


def graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module → the modules of ``package`` it imports.

    ``from a.b import c`` is an edge to ``a.b.c`` when that is a module of the package,
    else to ``a.b`` (a name defined there or re-exported by its ``__init__``).
    """
    files = python_files(root, package)
    modules = {module_name(p, root) for p in files}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for path in files:
        for item in imports_of(path, root):
            if item.module != package and not item.module.startswith(package + "."):
                continue
            targets = [f"{item.module}.{n}" for n in item.names if f"{item.module}.{n}" in modules]
            if len(targets) < len(item.names) or not item.names:
                targets.append(item.module)
            edges[item.importer].update(t for t in targets if t in modules and t != item.importer)
    return edges


def layer_of(module: str, layers: tuple[str, ...]) -> int | None:
    """Index of the module's layer (its first subpackage), None at the package's top level."""
    parts = module.split(".")
    return layers.index(parts[1]) if len(parts) > 1 and parts[1] in layers else None


def layer_violations(edges: dict[str, set[str]], layers: tuple[str, ...]) -> list[str]:
    """``a -> b`` for every import of a higher layer by a lower one, or of an unknown room."""
    wrong = []
    for importer, targets in sorted(edges.items()):
        mine = layer_of(importer, layers)
        for target in sorted(targets):
            theirs = layer_of(target, layers)
            if theirs is None and target.count(".") == 0:
                continue  # the package's own __init__ (version only)
            if theirs is None or (mine is not None and theirs > mine):
                wrong.append(f"{importer} -> {target}")
    return wrong


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def private_uses(paths: Iterable[Path], root: Path, package: str) -> list[str]:
    """Private names of ``package`` used outside the module that defines them.

    Catches ``from churn.x import _name`` and ``x._name`` where ``x`` was imported as a
    module of the package (``from churn.model import features; features._frame``).
    Dunder names (``__version__``) are public.
    """
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_aliases: set[str] = set()
        importer = module_name(path, root) if path.is_relative_to(root) else path.name
        for item in imports_of(path, root):
            if not (item.module == package or item.module.startswith(package + ".")):
                continue
            for name in item.names:
                if name.startswith("_") and not name.startswith("__"):
                    found.append(f"{importer}:{item.line} imports {item.module}.{name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package):
                module_aliases.update(a.asname or a.name for a in node.names)
            elif isinstance(node, ast.Import):
                module_aliases.update(
                    a.asname or a.name for a in node.names if a.name.startswith(package + ".") and a.asname
                )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{importer}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def imported_top_levels(path: Path) -> set[str]:
    """Top-level names of every module a file imports (``import x``, ``from x import y``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names
