"""The package's modules import each other without a cycle (issue 17, item 2).

The graph is read from the source (every `import` statement, those inside
functions too: a lazy import is still a dependency; not those under `if
TYPE_CHECKING:`, which never run), and every module is also
imported on its own in a fresh interpreter, first of the package, so that an
import order only a cycle makes work cannot hide behind another module
having been imported before.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "ledger"


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports, anywhere in its source."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # imports for type checkers only are not run
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING",
                                                                   "typing.TYPE_CHECKING"):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                if child in known:  # `from . import loader`: the module itself
                    found.add(child)
                elif base in known:  # `from .loader import load`: the module it is in
                    found.add(base)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    names = module_names()
    known = set(names)
    return {name: imports_of(name, path, known) for name, path in names.items()}


def cycle_in(edges: dict[str, set[str]]) -> list[str]:
    """One cycle as a path of module names ([] when there is none), by depth-first search."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_the_graph_reader_sees_imports_and_cycles() -> None:
    # The reader itself: relative, absolute, lazy and package imports all count.
    edges = graph()
    assert "ledger.loader" in edges["ledger.cache"]
    assert {"ledger.cache.codec", "ledger.cache.store"} <= edges["ledger.cache.parallel"]
    assert "ledger.cache" in edges["ledger.cli"]
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    assert cycle_in(graph()) == []


def test_the_loader_never_imports_the_cache() -> None:
    edges = graph()
    cache = {name for name in edges if name == "ledger.cache" or name.startswith("ledger.cache.")}
    assert not edges["ledger.loader"] & cache
    # Nothing the loader depends on does either, however indirectly.
    seen: set[str] = set()
    todo = ["ledger.loader"]
    while todo:
        for target in edges[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    assert not seen & cache, sorted(seen & cache)


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m == 'ledger' or m.startswith('ledger.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {exc!r}')\n"
        "print('\\n'.join(failed))\n"
    )
    names = sorted(name for name in module_names() if name != "ledger.__main__")
    result = subprocess.run([sys.executable, "-c", script, *names], capture_output=True,
                            text=True, check=False, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
