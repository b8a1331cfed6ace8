"""The package's modules import each other without a cycle, stage by stage (issue 17, items 2, 4).

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
    assert "ledger.read.loader" in edges["ledger.cache"]
    assert {"ledger.cache.codec", "ledger.cache.store"} <= edges["ledger.cache.parallel"]
    assert "ledger.cache" in edges["ledger.cli"]
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    assert cycle_in(graph()) == []


def test_the_loader_never_imports_the_cache() -> None:
    edges = graph()
    cache = {name for name in edges if name == "ledger.cache" or name.startswith("ledger.cache.")}
    assert not edges["ledger.read.loader"] & cache
    # Nothing the loader depends on does either, however indirectly.
    seen: set[str] = set()
    todo = ["ledger.read.loader"]
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


# The pipeline's stages, lowest first: a module imports only from its own stage and
# the stages below it (docs/development.md draws the same tree).
STAGES = ("core", "read", "cache", "validate", "deadline", "report", "present", "edit",
          "notice_import")
# The faces above every stage, and the modules every stage may read.
FACES = ("ledger", "ledger.api", "ledger.cli", "ledger.__main__",
         "ledger.ahead")  # the last writes generated code for developers
SHARED = ("ledger.version",)


def stage_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else name


def test_every_module_is_in_a_stage_or_a_face() -> None:
    loose = [name for name in module_names()
             if stage_of(name) not in STAGES and name not in FACES + SHARED
             and name != "ledger.templates"]
    assert loose == []


def test_stages_import_only_downwards() -> None:
    upward = []
    for name, targets in graph().items():
        if name in FACES:
            continue
        rank = STAGES.index(stage_of(name)) if stage_of(name) in STAGES else -1
        for target in sorted(targets):
            if target in SHARED:
                continue
            assert target not in FACES, f"{name} imports the face {target}"
            if STAGES.index(stage_of(target)) > rank:
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_the_stage_rule_is_read_from_the_source() -> None:
    # The rule above sees a real upward import when there is one.
    edges = graph()
    assert "ledger.report.stats" in edges["ledger.present.board"]
    assert STAGES.index(stage_of("ledger.present.board")) > STAGES.index("report")
