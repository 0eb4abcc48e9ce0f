"""Checks, by parsing `app/` with `ast` (nothing imported), that no feature package imports another's routes or
imports a package that imports it back, and that no modules import in a circle: so each feature can change alone."""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
NOT_FEATURES = {"models", "web", "law"}  # sub-packages of app/ that are shared layers, not features

Graph = dict[str, set[str]]


@cache
def modules() -> dict[str, Path]:
    """Every module under app/, by dotted name (`app/plans/__init__.py` is `app.plans`)."""
    found: dict[str, Path] = {}
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


@cache
def tree_of(module: str) -> ast.Module:
    """The parsed source of `module`."""
    path = modules()[module]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def base_of(module: str, node: ast.ImportFrom) -> str:
    """The absolute module a `from … import` in `module` names, resolving relative imports."""
    if not node.level:
        return node.module or ""
    package = module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imported(module: str) -> set[str]:
    """The app modules `module` imports anywhere in its body, function-level imports included."""
    names: set[str] = set()
    for node in ast.walk(tree_of(module)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = base_of(module, node)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # kept only if a submodule
    return {name for name in names if name in modules() and name != module}


@cache
def graph() -> Graph:
    """The import graph of app/: module → the app modules it imports."""
    return {module: imported(module) for module in modules()}


def feature_of(module: str) -> str | None:
    """The feature package `module` belongs to (`app.plans.routes` → `plans`), or None."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in NOT_FEATURES or not (APP / parts[1] / "__init__.py").is_file():
        return None
    return parts[1]


def is_routes(module: str) -> bool:
    """Whether `module` is a routes module: named `routes.py`/`*_routes.py`, or creating a Blueprint
    (a package's `__init__` that names its blueprints is the package's face, not its routes)."""
    name = modules()[module].name
    if name == "routes.py" or name.endswith("_routes.py"):
        return True
    if name == "__init__.py":
        return False
    return any(
        isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == "Blueprint" or getattr(node.func, "attr", None) == "Blueprint")
        for node in ast.walk(tree_of(module))
    )


def file_of(module: str) -> str:
    """The file of `module`, relative to the project root."""
    return str(modules()[module].relative_to(ROOT))


def package_links() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(importing package, imported package) → the (module, imported module) pairs behind it."""
    links: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for module, targets in sorted(graph().items()):
        for target in sorted(targets):
            source, dest = feature_of(module), feature_of(target)
            if source and dest and source != dest:
                links[source, dest].append((module, target))
    return links


def strongly_connected(edges: Graph) -> list[list[str]]:
    """Tarjan's algorithm: the strongly connected components of `edges`, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        """Number `node`, explore its successors, and pop its component if it is the root."""
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return components


def test_import_parser_sees_the_app() -> None:
    """The parser finds real imports, so the rules below cannot pass by parsing nothing."""
    assert "app.config" in graph()["app"]
    assert any(is_routes(module) for module in modules() if feature_of(module))
    relative = ast.parse("from .services import x").body[0]
    assert isinstance(relative, ast.ImportFrom)
    assert base_of("app.plans.routes", relative) == "app.plans.services"
    assert base_of("app.plans", relative) == "app.plans.services"


def test_no_feature_package_imports_another_packages_routes() -> None:
    """Only app/__init__.py (the factory) may import routes of a feature package other than its own."""
    found = [
        f"{file_of(module)} imports {target}"
        for module, targets in sorted(graph().items())
        for target in sorted(targets)
        if feature_of(module) and feature_of(target) not in (None, feature_of(module)) and is_routes(target)
    ]
    if found:
        pytest.fail("Feature packages import another package's routes:\n  " + "\n  ".join(found), pytrace=False)


def test_no_two_feature_packages_import_each_other() -> None:
    """Dependencies between feature packages run one way only."""
    links = package_links()
    report: list[str] = []
    for first, second in sorted(pair for pair in links if pair[0] < pair[1] and pair[::-1] in links):
        report.append(f"{first} ↔ {second}")
        for source, dest in ((first, second), (second, first)):
            report.append(f"  {source} → {dest}:")
            report.extend(f"    {file_of(module)} imports {target}" for module, target in links[source, dest])
    if report:
        pytest.fail("Feature packages import each other:\n" + "\n".join(report), pytrace=False)


def test_no_import_circles() -> None:
    """No circle of imports among the modules of app/, module-level and function-level alike."""
    edges = graph()
    report: list[str] = []
    for component in strongly_connected(edges):
        if len(component) > 1:
            report.append("[" + ", ".join(component) + "]")
            report.extend(
                f"  {file_of(module)} imports {target}"
                for module in component
                for target in sorted(edges[module] & set(component))
            )
    if report:
        pytest.fail("Import circles among app modules:\n" + "\n".join(report), pytrace=False)
