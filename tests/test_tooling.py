"""Strict tooling is part of the test suite: ruff and mypy strict must be clean."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, check=False)


def test_ruff_clean() -> None:
    result = _run("ruff", "check", "ledger", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_clean() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_is_in_the_wheel() -> None:
    # setuptools lists the packages by hand (the templates folder is mapped in); a
    # subpackage left out installs fine in editable mode and fails on a clean install.
    import ast
    import re

    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")  # no tomllib on 3.10
    match = re.search(r"^packages = (\[.*?\])$", text, re.MULTILINE | re.DOTALL)
    assert match is not None
    listed = set(ast.literal_eval(match.group(1)))
    found = {".".join(path.parent.relative_to(REPO).parts)
             for path in (REPO / "ledger").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
