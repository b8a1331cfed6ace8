"""Mutation testing of ledger's core modules: do the tests notice when the code is wrong?

A mutant is the module with one small change (a comparison swapped, a number
off by one, a `not` dropped, a statement removed, …). Each mutant runs, in its
own pytest subprocess, against only the tests that execute the mutated line;
a test that fails (or a run that times out) kills it. A surviving mutant is
behaviour no test pins down, or an equivalent mutant (one that cannot change
behaviour), which bench/mutation-equivalent.txt lists with its reason.

How it works:
1. One instrumented run of the test suite (coverage.py, one context per test)
   maps each line of the five modules to the tests that execute it, with each
   test's duration. It is cached in bench/results/ until a source or test
   file changes. Lines run only at import (module constants, defaults) map to
   every test that touches the module.
2. Mutants come from the module's `ast`, unparsed back to source.
3. Each mutant is written to a temporary file, and the child pytest loads
   this file (as a plugin, `-p mutate`) which puts an import hook in front
   of the installed package: `import ledger.core.dates` then reads the mutant.
   Nothing in the worktree is modified. Tests run fastest first, `-x`.
   Subprocesses a test starts itself (`python -m ledger`) see the original.
4. Before the mutants, two checks per module: the unmutated module passes
   every covering test through the hook, and a module that raises at import
   is killed (the hook is live).

    python bench/mutate.py                          # the five modules
    python bench/mutate.py ledger/core/dates.py --jobs 2
    python bench/mutate.py ledger/edit/yamledit.py --sample 80 --seed 1
    python bench/mutate.py ledger/core/numerals.py --list       # mutants and ids, no run
    python bench/mutate.py ledger/core/numerals.py --show 1a2b3c4d   # one mutant's diff
    python bench/mutate.py --only 1a2b3c4d,5e6f7a8b        # run chosen mutants

Exit status: 0 when every module reaches --fail-under (default 0), else 1.
Results also go to bench/results/mutation.json.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import copy
import difflib
import hashlib
import importlib.abc
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
EQUIVALENT = BENCH / "mutation-equivalent.txt"
MODULES = ("ledger/deadline/policy.py", "ledger/core/dates.py", "ledger/validate/rules.py",
           "ledger/edit/yamledit.py", "ledger/core/numerals.py")
# Not run in the coverage map: ruff and mypy read the files on disk, not the mutant.
SKIP_TESTS = ("tests/test_tooling.py",)


# ================================================================ mutants


@dataclass(frozen=True)
class Mutant:
    path: str  # "ledger/core/dates.py"
    ident: str  # 8 hex digits, stable while the scope and the changed code stay the same
    line: int
    end_line: int
    stmt_line: int  # first line of the statement holding the change (for coverage lookup)
    scope: str  # enclosing function or class, or <module>
    before: str
    after: str
    source: str

    def describe(self, width: int = 70) -> str:
        return f"{self.path}:{self.line} {self.scope} [{self.ident}] " \
               f"{_short(self.before, width)}  →  {_short(self.after, width)}"


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


_COMPARE_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE), ast.LtE: (ast.Lt, ast.Gt), ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,), ast.NotIn: (ast.In,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,),
}
_BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.FloorDiv: ast.Mod, ast.Mod: ast.FloorDiv,
}

# A transformation: given a fresh copy of the node, the node to put in its place.
Change = Callable[[ast.AST], ast.AST]


@dataclass
class _Site:
    ordinal: int  # position of the node in a pre-order walk of the module
    node: ast.AST
    scope: str
    stmt: ast.stmt | None
    returns_bool: bool
    changes: list[Change] = field(default_factory=list)


def _docstring_nodes(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant) \
                and isinstance(node.body[0].value.value, str):
            found.add(id(node.body[0]))
            found.add(id(node.body[0].value))
    return found


def _skipped_subtrees(tree: ast.Module) -> set[int]:
    """Annotations, type aliases and format specs: changing them changes nothing at run time."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(sub) for sub in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            mark(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            mark(node.returns)
        elif isinstance(node, ast.AnnAssign):
            mark(node.annotation)
            if isinstance(node.annotation, ast.Name) and node.annotation.id == "TypeAlias":
                mark(node.value)
        elif isinstance(node, ast.FormattedValue):
            mark(node.format_spec)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            mark(node)
    return skip


def _walk(tree: ast.Module) -> Iterator[tuple[int, ast.AST, str, ast.stmt | None, bool]]:
    """Every node in pre-order with its ordinal, scope, innermost statement, bool-returning."""
    counter = 0

    def visit(node: ast.AST, scope: list[str], stmt: ast.stmt | None,
              returns_bool: bool) -> Iterator[tuple[int, ast.AST, str, ast.stmt | None, bool]]:
        nonlocal counter
        ordinal = counter
        counter += 1
        if isinstance(node, ast.stmt):
            stmt = node
        yield ordinal, node, ".".join(scope) or "<module>", stmt, returns_bool
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner = [*scope, node.name]
            if isinstance(node, ast.ClassDef):
                inner_bool = False
            else:
                inner_bool = isinstance(node.returns, (ast.Name, ast.Constant)) and (
                    getattr(node.returns, "id", None) == "bool"
                    or getattr(node.returns, "value", None) == "bool")
        else:
            inner, inner_bool = scope, returns_bool
        for child in ast.iter_child_nodes(node):
            is_header = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and child not in getattr(node, "body", [])
            # Decorators and defaults run in the enclosing scope, at definition time.
            yield from visit(child, scope if is_header else inner, stmt,
                             returns_bool if is_header else inner_bool)

    yield from visit(tree, [], None, False)


def _sites(tree: ast.Module) -> list[_Site]:
    docstrings = _docstring_nodes(tree)
    skip = _skipped_subtrees(tree)
    sites: list[_Site] = []
    for ordinal, node, scope, stmt, returns_bool in _walk(tree):
        if id(node) in skip or id(node) in docstrings:
            continue
        site = _Site(ordinal, node, scope, stmt, returns_bool)
        site.changes.extend(_changes(node, returns_bool))
        if site.changes:
            sites.append(site)
    return sites


def _changes(node: ast.AST, returns_bool: bool) -> Iterator[Change]:
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            for new_op in _COMPARE_SWAPS.get(type(op), ()):
                yield _swap_compare(position, new_op)
    elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BINOP_SWAPS:
        yield _swap_op(_BINOP_SWAPS[type(node.op)])
    elif isinstance(node, ast.BoolOp):
        yield _swap_boolop
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield _drop_not
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        yield _add_constant(1)
        yield _add_constant(-1)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        yield _empty_string
    elif isinstance(node, ast.Return) and node.value is not None:
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            yield _return_constant(not value.value)
        elif returns_bool:
            yield _return_constant(True)
            yield _return_constant(False)
        elif not (isinstance(value, ast.Constant) and value.value is None):
            yield _return_constant(None)
    elif isinstance(node, (ast.Continue, ast.Break)) or (
            isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant)):
        yield _to_pass


def _swap_compare(position: int, new_op: type[ast.cmpop]) -> Change:
    def change(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Compare)
        node.ops[position] = new_op()
        return node
    return change


def _swap_op(new_op: type[ast.operator]) -> Change:
    def change(node: ast.AST) -> ast.AST:
        assert isinstance(node, (ast.BinOp, ast.AugAssign))
        node.op = new_op()
        return node
    return change


def _swap_boolop(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.BoolOp)
    node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    return node


def _drop_not(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.UnaryOp)
    return node.operand


def _add_constant(delta: int) -> Change:
    def change(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Constant) and isinstance(node.value, int)
        node.value = node.value + delta
        return node
    return change


def _empty_string(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.Constant)
    node.value = ""
    return node


def _return_constant(value: bool | None) -> Change:
    def change(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Return)
        node.value = ast.Constant(value)
        return node
    return change


def _to_pass(node: ast.AST) -> ast.AST:
    return ast.Pass()


def _replace_in_tree(tree: ast.AST, ordinal: int, change: Change) -> tuple[ast.AST, ast.AST]:
    """Apply `change` to the node at `ordinal` of `tree` (in place); (old copy, new node)."""
    counter = 0

    def visit(node: ast.AST) -> tuple[ast.AST, ast.AST] | None:
        nonlocal counter
        for name, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for index, child in enumerate(items):
                if not isinstance(child, ast.AST):
                    continue
                counter += 1
                if counter == ordinal:
                    old = copy.deepcopy(child)
                    new = change(child)
                    if isinstance(value, list):
                        value[index] = new
                    else:
                        setattr(node, name, new)
                    return old, new
                found = visit(child)
                if found is not None:
                    return found
        return None

    found = visit(tree)
    assert found is not None, ordinal
    return found


def _check_walk_order(tree: ast.Module) -> None:
    """`_walk` and `_replace_in_tree` must number nodes alike."""
    walked = [type(node).__name__ for _, node, *_ in _walk(tree)]
    fielded: list[str] = [type(tree).__name__]

    def visit(node: ast.AST) -> None:
        for _, value in ast.iter_fields(node):
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    fielded.append(type(child).__name__)
                    visit(child)

    visit(tree)
    assert walked == fielded, "node numbering differs"


def make_mutants(path: str) -> list[Mutant]:
    text = (REPO / path).read_text(encoding="utf-8")
    tree = ast.parse(text)
    _check_walk_order(tree)
    original = ast.unparse(tree)
    if ast.dump(ast.parse(original)) != ast.dump(tree):
        raise SystemExit(f"{path}: ast.unparse does not round-trip; cannot mutate it")
    mutants: list[Mutant] = []
    seen: set[str] = {original}
    taken: dict[str, int] = {}
    for site in _sites(tree):
        for change in site.changes:
            mutated = copy.deepcopy(tree)
            old, new = _replace_in_tree(mutated, site.ordinal, change)
            try:
                source = ast.unparse(mutated)
                compile(source, path, "exec")
            except (SyntaxError, ValueError):
                continue
            if source in seen:
                continue
            seen.add(source)
            before = ast.unparse(old)
            after = ast.unparse(new)
            key = f"{path}|{site.scope}|{before}|{after}"
            taken[key] = taken.get(key, 0) + 1
            ident = hashlib.sha1(f"{key}|{taken[key]}".encode()).hexdigest()[:8]
            node = site.node
            placed = node if isinstance(node, (ast.expr, ast.stmt)) else site.stmt
            line = placed.lineno if placed is not None else 1
            end_line = (placed.end_lineno if placed is not None else None) or line
            stmt_line = site.stmt.lineno if site.stmt is not None else line
            mutants.append(Mutant(path, ident, line, end_line, min(stmt_line, line), site.scope,
                                  before, after, source))
    return mutants


def load_equivalent() -> dict[str, str]:
    """ident → reason, from bench/mutation-equivalent.txt (`ident  path  description  # reason`)."""
    found: dict[str, str] = {}
    if not EQUIVALENT.exists():
        return found
    for number, raw in enumerate(EQUIVALENT.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        ident = line.split()[0]
        reason = line.split("#", 1)[1].strip() if "#" in line else ""
        if not reason:
            raise SystemExit(f"{EQUIVALENT.name}:{number}: an equivalent mutant needs a reason"
                             " after #")
        found[ident] = reason
    return found


# ================================================================ coverage map


@dataclass
class CoverageMap:
    lines: dict[str, dict[int, list[str]]]  # path → line → test node ids
    durations: dict[str, float]
    failed: list[str]

    def tests_for(self, mutant: Mutant, budget: float = 0.0) -> list[str] | None:
        """Tests that execute the mutant's lines, fastest first, as many as fit in `budget`
        seconds of their mapped run time (0: all); None when no test runs the lines."""
        by_line = self.lines.get(mutant.path, {})
        found: set[str] = set()
        import_only = False
        for line in range(mutant.stmt_line, mutant.end_line + 1):
            contexts = by_line.get(line, [])
            tests = [context for context in contexts if context]
            found.update(tests)
            import_only = import_only or (bool(contexts) and not tests)
        if not found and import_only:
            found = {test for contexts in by_line.values() for test in contexts if test}
        found.difference_update(self.failed)
        if not found:
            return None
        ordered = sorted(found, key=lambda test: (self.durations.get(test, 0.0), test))
        if budget:
            spent = 0.0
            for count, test in enumerate(ordered):
                spent += self.durations.get(test, 0.0)
                if spent > budget and count:
                    return ordered[:count]
        return ordered

    def module_tests(self, path: str) -> list[str]:
        found = {test for contexts in self.lines.get(path, {}).values() for test in contexts
                 if test} - set(self.failed)
        return sorted(found, key=lambda test: (self.durations.get(test, 0.0), test))


_MAP_FORMAT = 1


def _digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha1(str(_MAP_FORMAT).encode())
    for path in paths:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _fingerprints() -> tuple[str, dict[str, str], dict[str, str]]:
    """Digests: of what every test shares (package, templates, helpers, corpus), of each
    mutated module, of each test file. A changed test file is re-mapped alone, a changed
    module by re-running the tests that ran it; anything else re-maps everything."""
    shared: list[Path] = []
    for folder in ("ledger", "templates", "tests"):
        shared.extend(path for path in sorted((REPO / folder).rglob("*"))
                      if path.is_file() and "__pycache__" not in path.parts
                      and str(path.relative_to(REPO)) not in MODULES
                      and not (path.parent == REPO / "tests" and path.name.startswith("test_")))
    modules = {module: _digest([REPO / module]) for module in MODULES}
    files = {str(path.relative_to(REPO)): _digest([path])
             for path in sorted((REPO / "tests").glob("test_*.py"))
             if str(path.relative_to(REPO)) not in SKIP_TESTS}
    return _digest(shared), modules, files


def coverage_map(remap: bool) -> CoverageMap:
    cache = RESULTS / "mutation-map.json"
    shared, modules, files = _fingerprints()
    stored: dict[str, Any] | None = None
    if cache.exists() and not remap:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored.get("shared") != shared:
            stored = None
    if stored is None:
        found = _map_run(["tests"])
    else:
        found = _map_from_json(stored)
        changed = [name for name, digest in files.items()
                   if stored["files"].get(name) != digest]
        gone = [name for name in stored["files"] if name not in files]
        edited = [module for module, digest in modules.items()
                  if stored["modules"].get(module) != digest]
        if not changed and not gone and not edited:
            return found
        _forget(found, [*changed, *gone])
        rerun = sorted({test for module in edited for tests in found.lines.get(module, {}).values()
                        for test in tests if test})
        for module in edited:
            found.lines[module] = {}
        if changed:
            _merge(found, _map_run(changed))
        if rerun:
            _merge(found, _map_run(sorted({test.split("::", 1)[0] for test in rerun}), rerun))
    RESULTS.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"shared": shared, "modules": modules, "files": files,
                                 **_map_to_json(found)}), encoding="utf-8")
    return found


def _map_run(targets: list[str], only: list[str] | None = None) -> CoverageMap:
    shown = f"{len(only)} tests" if only else " ".join(targets)
    print(f"mapping lines to tests (instrumented run of {shown}) …", file=sys.stderr)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ledger-mutate-") as temp:
        out = Path(temp) / "map.json"
        extra = {"MUTATE_MODE": "map", "MUTATE_OUT": str(out),
                 "MUTATE_INCLUDE": os.pathsep.join(str(REPO / m) for m in MODULES),
                 "MUTATE_DATA": str(Path(temp) / ".coverage")}
        if only:
            (Path(temp) / "tests.txt").write_text("\n".join(only) + "\n", encoding="utf-8")
            extra["MUTATE_TESTS"] = str(Path(temp) / "tests.txt")
        args = [sys.executable, "-m", "pytest", "-p", "mutate", "-p", "no:cacheprovider",
                "-q", "-p", "no:randomly", *targets,
                *(f"--deselect={skipped}" for skipped in SKIP_TESTS)]
        result = subprocess.run(args, cwd=REPO, env=_child_env(extra), capture_output=True,
                                text=True, check=False)
        if not out.exists():
            raise SystemExit("the instrumented test run failed:\n" + result.stdout[-3000:]
                             + result.stderr[-3000:])
        found = _map_from_json(json.loads(out.read_text(encoding="utf-8")))
    print(f"  … {len(found.durations)} tests in {time.perf_counter() - started:.0f} s"
          + (f"; {len(found.failed)} failing, left out: {found.failed}" if found.failed else ""),
          file=sys.stderr)
    return found


def _forget(found: CoverageMap, test_files: list[str]) -> None:
    def gone(test: str) -> bool:
        return test.split("::", 1)[0] in test_files

    for by_line in found.lines.values():
        for line, tests in by_line.items():
            by_line[line] = [test for test in tests if not gone(test)]
    found.durations = {test: d for test, d in found.durations.items() if not gone(test)}
    found.failed = [test for test in found.failed if not gone(test)]


def _merge(found: CoverageMap, more: CoverageMap) -> None:
    for path, by_line in more.lines.items():
        mine = found.lines.setdefault(path, {})
        for line, tests in by_line.items():
            # "" (import time) is already there from the first run
            mine[line] = sorted(set(mine.get(line, [])) | set(tests))
    found.durations.update(more.durations)
    found.failed = sorted(set(found.failed) | set(more.failed))


def _map_to_json(found: CoverageMap) -> dict[str, Any]:
    contexts: dict[str, int] = {}
    lines = {path: {str(line): [contexts.setdefault(test, len(contexts)) for test in tests]
                    for line, tests in by_line.items()}
             for path, by_line in found.lines.items()}
    return {"contexts": sorted(contexts, key=contexts.__getitem__), "lines": lines,
            "durations": found.durations, "failed": found.failed}


def _map_from_json(stored: dict[str, Any]) -> CoverageMap:
    names: list[str] = stored["contexts"]
    lines = {path: {int(line): [names[i] for i in ids] for line, ids in by_line.items()}
             for path, by_line in stored["lines"].items()}
    return CoverageMap(lines, stored["durations"], stored["failed"])


# ================================================================ running mutants


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONHASHSEED"] = "0"
    env.update(extra)
    return env


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, timeout, survived, uncovered, error
    seconds: float = 0.0
    detail: str = ""


_children: set[subprocess.Popen[str]] = set()
_children_lock = threading.Lock()


def run_tests(module_path: str, source: str, tests: Sequence[str], timeout: float,
              workdir: Path) -> tuple[str, float, str]:
    """Run `tests` with `source` as the module; (killed|timeout|survived|error, seconds, tail)."""
    workdir.mkdir(parents=True, exist_ok=True)
    mutant_file = workdir / Path(module_path).name
    mutant_file.write_text(source, encoding="utf-8")
    test_list = workdir / "tests.txt"
    test_list.write_text("\n".join(tests) + "\n", encoding="utf-8")
    files = list(dict.fromkeys(test.split("::", 1)[0] for test in tests))
    env = _child_env({"MUTATE_MODE": "mutant",
                      "MUTATE_MODULE": module_path.removesuffix(".py").replace("/", "."),
                      "MUTATE_FILE": str(mutant_file), "MUTATE_TESTS": str(test_list)})
    args = [sys.executable, "-m", "pytest", "-p", "mutate", "-p", "no:cacheprovider",
            "-p", "no:randomly", "-x", "-q", "--no-header", *files]
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True)
    with _children_lock:
        _children.add(child)
    try:
        output, _ = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return "timeout", time.perf_counter() - started, ""
    finally:
        with _children_lock:
            _children.discard(child)
    seconds = time.perf_counter() - started
    tail = output[-2000:]
    if child.returncode == 5 or (child.returncode == 0 and "MUTATE-SELECTION-ERROR" in output):
        return "error", seconds, tail
    if child.returncode == 0:
        return "survived", seconds, tail
    return "killed", seconds, tail


def _preflight(path: str, tests: list[str], durations: dict[str, float], temp: Path,
               full: bool) -> float:
    """The hook is live and the unmutated module passes (its 40 fastest tests, or all with
    `full`) in the order the mutants use; returns the child's start-up time."""
    original = ast.unparse(ast.parse((REPO / path).read_text(encoding="utf-8")))
    fastest = tests[:1]
    status, seconds, tail = run_tests(path, original + "\nraise RuntimeError('mutant')\n",
                                      fastest, 600, temp / "preflight-broken")
    if status != "killed":
        raise SystemExit(f"{path}: a module that raises at import survived ({status}): the"
                         f" import hook is not in effect\n{tail}")
    startup = seconds - sum(durations.get(test, 0.0) for test in fastest)
    status, seconds, tail = run_tests(path, original, tests if full else tests[:40], 3600,
                                      temp / "preflight-clean")
    if status != "survived":
        raise SystemExit(f"{path}: the unmutated module fails its tests through the hook "
                         f"({status}):\n{tail}")
    return max(startup, 0.5)


def run_module(path: str, mutants: list[Mutant], cover: CoverageMap, jobs: int,
               equivalent: dict[str, str], timeout_factor: float,
               full_preflight: bool, budget: float) -> list[Outcome]:
    outcomes: list[Outcome] = []
    todo: list[tuple[Mutant, list[str]]] = []
    for mutant in mutants:
        if mutant.ident in equivalent:
            outcomes.append(Outcome(mutant, "equivalent", detail=equivalent[mutant.ident]))
            continue
        tests = cover.tests_for(mutant, budget)
        if tests is None:
            outcomes.append(Outcome(mutant, "uncovered"))
        else:
            todo.append((mutant, tests))
    if not todo:
        return outcomes
    with tempfile.TemporaryDirectory(prefix="ledger-mutate-") as temp_name:
        temp = Path(temp_name)
        startup = _preflight(path, cover.module_tests(path), cover.durations, temp,
                             full_preflight)
        done = 0

        def one(item: tuple[Mutant, list[str]]) -> Outcome:
            mutant, tests = item
            budget = sum(cover.durations.get(test, 0.0) for test in tests)
            timeout = timeout_factor * (2 * startup + 3 * budget) + 10
            status, seconds, tail = run_tests(path, mutant.source, tests, timeout,
                                              temp / mutant.ident)
            return Outcome(mutant, status, seconds, tail if status == "error" else "")

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            for outcome in pool.map(one, todo):
                outcomes.append(outcome)
                done += 1
                mark = {"killed": ".", "timeout": "T", "survived": "S", "error": "E"}
                print(mark.get(outcome.status, "?"), end="" if done % 60 else "\n",
                      file=sys.stderr, flush=True)
                if outcome.status in ("survived", "error"):
                    # Shown at once too, so tests can be written while the run goes on.
                    print(f"\n  {outcome.status}: {outcome.mutant.describe()}", file=sys.stderr,
                          flush=True)
        print(file=sys.stderr)
    return outcomes


# ================================================================ report


def score(outcomes: Sequence[Outcome]) -> tuple[int, int, float]:
    counted = [o for o in outcomes if o.status != "equivalent"]
    killed = sum(o.status in ("killed", "timeout") for o in counted)
    return killed, len(counted), 100.0 * killed / len(counted) if counted else 100.0


def report(path: str, outcomes: list[Outcome], seconds: float, sampled: bool) -> dict[str, Any]:
    killed, counted, percent = score(outcomes)
    tally = {status: sum(o.status == status for o in outcomes)
             for status in ("killed", "timeout", "survived", "uncovered", "error", "equivalent")}
    print(f"{path}: {len(outcomes)} mutants{' (sample)' if sampled else ''}, "
          f"{tally['equivalent']} equivalent (excluded), {tally['killed']} killed, "
          f"{tally['timeout']} timed out (killed), {tally['survived']} survived, "
          f"{tally['uncovered']} not covered, {tally['error']} errors: "
          f"score {percent:.1f}% ({killed}/{counted}) in {seconds:.0f} s")
    for outcome in sorted(outcomes, key=lambda o: (o.mutant.line, o.mutant.ident)):
        if outcome.status in ("survived", "uncovered", "error"):
            note = {"uncovered": " (no test runs this line)", "error": " (run failed)"}
            print(f"  {outcome.status}: {outcome.mutant.describe()}"
                  f"{note.get(outcome.status, '')}")
            if outcome.detail:
                print("    " + outcome.detail.strip().replace("\n", "\n    ")[-800:])
    return {"module": path, "mutants": len(outcomes), "sampled": sampled, **tally,
            "score": round(percent, 1), "seconds": round(seconds, 1),
            "survivors": [o.mutant.describe(200) for o in outcomes
                          if o.status in ("survived", "uncovered", "error")]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES),
                        help="module paths (default: the five core modules)")
    parser.add_argument("--sample", type=int, default=0, help="run N random mutants per module")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--only", default="", help="comma-separated mutant ids to run")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--show", default="", help="print one mutant's diff, run nothing")
    parser.add_argument("--remap", action="store_true", help="redo the line→tests map")
    parser.add_argument("--timeout-factor", type=float, default=1.0,
                        help="scale the per-mutant timeout (busy machine: 2)")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds of (mapped) test time per mutant, fastest tests first;"
                             " 0 runs every covering test (default 60)")
    parser.add_argument("--full-preflight", action="store_true",
                        help="check the unmutated module against all its tests, not 40")
    parser.add_argument("--fail-under", type=float, default=0.0,
                        help="exit 1 when a module scores below this percentage")
    args = parser.parse_args(argv)
    for module in args.modules:
        if not (REPO / module).is_file():
            parser.error(f"no such module: {module}")
    equivalent = load_equivalent()
    all_mutants = {module: make_mutants(module) for module in args.modules}
    known = {mutant.ident for mutants in all_mutants.values() for mutant in mutants}
    if args.show:
        for mutants in all_mutants.values():
            for mutant in mutants:
                if mutant.ident == args.show:
                    original = ast.unparse(ast.parse((REPO / mutant.path).read_text("utf-8")))
                    print(mutant.describe(200))
                    sys.stdout.writelines(difflib.unified_diff(
                        original.splitlines(True), mutant.source.splitlines(True),
                        mutant.path, f"{mutant.path} (mutant {mutant.ident})"))
                    return 0
        parser.error(f"no mutant {args.show}")
    if args.list:
        for mutants in all_mutants.values():
            for mutant in mutants:
                flag = "  (equivalent)" if mutant.ident in equivalent else ""
                print(mutant.describe() + flag)
        return 0
    stale = sorted(set(equivalent) - known)
    if stale and set(args.modules) == set(MODULES):
        print(f"warning: {EQUIVALENT.name} lists mutants that no longer exist: {stale}",
              file=sys.stderr)
    only = {ident for ident in args.only.split(",") if ident}
    cover = coverage_map(args.remap)
    summaries: list[dict[str, Any]] = []
    started_all = time.perf_counter()
    failed = False
    for module, mutants in all_mutants.items():
        if only:
            mutants = [mutant for mutant in mutants if mutant.ident in only]
        sampled = bool(args.sample) and args.sample < len(mutants)
        if sampled:
            mutants = random.Random(args.seed).sample(mutants, args.sample)
        if not mutants:
            continue
        started = time.perf_counter()
        outcomes = run_module(module, mutants, cover, args.jobs, equivalent,
                              args.timeout_factor, args.full_preflight, args.budget)
        summary = report(module, outcomes, time.perf_counter() - started, sampled)
        summaries.append(summary)
        failed = failed or summary["score"] < args.fail_under
    total = time.perf_counter() - started_all
    print(f"total: {total:.0f} s with --jobs {args.jobs}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "mutation.json").write_text(
        json.dumps({"modules": summaries, "seconds": round(total, 1), "jobs": args.jobs},
                   ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if failed else 0


# ================================================================ the pytest plugin
# Loaded in the child processes with `-p mutate` (bench/ is put on PYTHONPATH).
# MUTATE_MODE=map: record which test runs which line; MUTATE_MODE=mutant: load
# the mutant instead of the module and run only the listed tests, in order.

_MODE = os.environ.get("MUTATE_MODE", "") if __name__ != "__main__" else ""
_coverage: Any = None
_durations: dict[str, float] = {}
_failed: set[str] = set()


class _MutantFinder(importlib.abc.MetaPathFinder):
    """Finds MUTATE_MODULE at MUTATE_FILE, ahead of the installed package."""

    def __init__(self, name: str, location: str) -> None:
        self.name, self.location = name, location

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_file_location(fullname, self.location)


def _quiet_hypothesis() -> None:
    """Same examples in every run, no example database written into the worktree."""
    try:
        from hypothesis import Phase, settings
    except ImportError:
        return
    # No shrinking: a mutant is killed by the first failing example; shrinking it
    # (a CLI run per step) would only cost time.
    settings.register_profile("mutation", database=None, derandomize=True, deadline=None,
                              print_blob=False, report_multiple_bugs=False,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("mutation")


if _MODE == "map":
    import coverage

    _quiet_hypothesis()
    _coverage = coverage.Coverage(data_file=os.environ["MUTATE_DATA"], config_file=False,
                                  include=os.environ["MUTATE_INCLUDE"].split(os.pathsep))
    _coverage.start()
elif _MODE == "mutant":
    if os.environ["MUTATE_MODULE"] in sys.modules:
        raise RuntimeError(f"{os.environ['MUTATE_MODULE']} was imported before the hook")
    _quiet_hypothesis()
    sys.meta_path.insert(0, _MutantFinder(os.environ["MUTATE_MODULE"],
                                          os.environ["MUTATE_FILE"]))


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if not _MODE or "MUTATE_TESTS" not in os.environ:
        return
    wanted = Path(os.environ["MUTATE_TESTS"]).read_text(encoding="utf-8").splitlines()
    order = {test: position for position, test in enumerate(wanted)}
    chosen = sorted((item for item in items if item.nodeid in order),
                    key=lambda item: order[item.nodeid])
    if len(chosen) != len(order):
        missing = sorted(set(order) - {item.nodeid for item in chosen})
        print(f"MUTATE-SELECTION-ERROR: tests not found: {missing[:5]}", file=sys.stderr)
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in order])
    items[:] = chosen


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Any:
    if _MODE != "map":
        return (yield)
    _coverage.switch_context(item.nodeid)
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        _durations[item.nodeid] = time.perf_counter() - started
        _coverage.switch_context("")


def pytest_runtest_logreport(report: Any) -> None:
    if _MODE == "map" and report.failed:
        _failed.add(report.nodeid)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if _MODE != "map":
        return
    _coverage.stop()
    _coverage.save()
    data = _coverage.get_data()
    lines = {str(Path(filename).resolve().relative_to(REPO)):
             {int(line): sorted(found) for line, found in
              data.contexts_by_lineno(filename).items()}
             for filename in data.measured_files()}
    Path(os.environ["MUTATE_OUT"]).write_text(json.dumps(_map_to_json(
        CoverageMap(lines, _durations, sorted(_failed)))), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
