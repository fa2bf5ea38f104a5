"""The shape of the house, checked: the core never reaches up into the entry points, modules import
each other without cycles, imports sit at module level unless a comment says why, and no file grows
past what one person holds in their head without saying why at its top."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "models", "config")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _runtime_imports(tree: ast.Module) -> Iterator[tuple[ast.stmt, list[str]]]:
    """Every import that runs (those under `if TYPE_CHECKING:` do not), with the modules it names."""
    typing_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test) for node in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            yield node, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for _, targets in _runtime_imports(ast.parse(path.read_text())):
            graph[name] |= {t for t in map(_resolve, targets) if t and t != name}
    return graph


def test_the_core_never_imports_the_entry_points():
    graph = _graph()
    upward = sorted(f"{m} -> {t}" for m, targets in graph.items() if m.startswith("bot")
                    for t in targets if t.startswith("handlers"))
    assert upward == []


def test_modules_import_each_other_without_cycles():
    graph, cycles = _graph(), []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert cycles == []


def test_imports_inside_functions_say_why():
    unexplained = []
    for name, path in MODULES.items():
        lines = path.read_text().splitlines()
        tree = ast.parse("\n".join(lines))
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    line, above = lines[node.lineno - 1], lines[node.lineno - 2]
                    if "#" not in line and not above.strip().startswith("#"):
                        unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}: {line.strip()}")
    assert unexplained == []


def test_no_file_outgrows_one_reader_without_saying_why():
    too_long = []
    for path in sorted(MODULES.values()):
        lines = path.read_text().splitlines()
        if len(lines) <= MAX_LINES or "migrations" in path.parts:
            continue
        head = "\n".join(lines[:12]).lower()
        if "longer than" not in head and "why this file is long" not in head:
            too_long.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
    assert too_long == [], "split these along the domain, or say at the top of each why not"
