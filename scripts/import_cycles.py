"""List import cycles between statementkit's modules, counting imports inside functions.

A cycle hidden by a function-level import still ties two modules together: neither can
be read, tested or moved without the other. `tests/test_layout.py` runs this and
fails on any cycle; run it by hand to see them:

    python scripts/import_cycles.py            # cycles, exit 1 if any
    python scripts/import_cycles.py --graph    # every module and what it imports

Imports under `if TYPE_CHECKING:` are left out: they exist only for annotations and
never run.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = "statementkit"
SOURCE = Path(__file__).resolve().parent.parent / "src" / PACKAGE


def module_name(path: Path, root: Path = SOURCE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST, this: str, is_package: bool, modules: set[str]) -> set[str]:
    """The package's modules that `this` imports, at any depth of its code."""
    found: set[str] = set()

    def resolve(name: str) -> str | None:
        # the longest known module that `name` is, or lies inside
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = resolve(alias.name)
                if target:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = this.split(".") if is_package else this.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            if prefix.split(".")[0] == PACKAGE:
                for alias in node.names:
                    target = resolve(f"{prefix}.{alias.name}") or resolve(prefix)
                    if target:
                        found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(this)
    return found


def import_graph(root: Path = SOURCE) -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports.

    A package's `__init__` re-exporting its parts is an entry point, not a
    dependency of those parts: an import of `statementkit.x.y` counts as an edge to
    `y` alone, and `from statementkit.x import name` resolves to the submodule
    named `name` when there is one.
    """
    files = sorted(root.rglob("*.py"))
    modules = {module_name(f, root) for f in files}
    return {
        module_name(f, root): _imported(
            ast.parse(f.read_text(encoding="utf-8"), str(f)),
            module_name(f, root),
            f.name == "__init__.py",
            modules,
        )
        for f in files
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def connect(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
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

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(found)


def main(argv: list[str]) -> int:
    graph = import_graph()
    if "--graph" in argv:
        for module, targets in sorted(graph.items()):
            print(f"{module}: {', '.join(sorted(targets))}")
        return 0
    found = cycles(graph)
    for component in found:
        print("cycle:", " <-> ".join(component))
    print(f"{len(graph)} modules, {len(found)} import cycles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
