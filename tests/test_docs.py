"""Tests keep the docs honest: every command has Chinese help and a place in the README."""

from __future__ import annotations

import re

import pytest
import typer

from ledger.cli import app

from .conftest import REPO, Run

COMMANDS = sorted(
    info.name or (info.callback.__name__.rstrip("_") if info.callback else "")
    for info in app.registered_commands
)
ENGLISH = re.compile(r"Usage|Options|Commands|Arguments|Show this message|default:|required")


def test_commands_are_registered() -> None:
    assert {"validate", "list", "show"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_chinese_help(run: Run, name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"用法:ledger {name}")
    assert not ENGLISH.search(result.stdout), result.stdout
    info = next(i for i in app.registered_commands
                if (i.name or (i.callback.__name__.rstrip("_") if i.callback else "")) == name)
    assert info.callback is not None and info.callback.__doc__, f"{name} needs a docstring"


def test_top_help_lists_every_command(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert not ENGLISH.search(result.stdout)
    for name in COMMANDS:
        assert re.search(rf"^  {name}\s", result.stdout, re.M), name


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_documents_command(name: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"ledger {name}" in readme


def test_typer_is_below_029() -> None:
    """typer 0.29 imports pydantic at start-up (~200 ms); see the README."""
    major, minor = (int(part) for part in typer.__version__.split(".")[:2])
    assert (major, minor) < (0, 29)


def test_readme_links_point_at_real_files_and_tests() -> None:
    """The Safety section's guarantees cite tests: each cited file and test exists."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?:tests|ledger|bench)/[^)#]+)\)", readme):
        assert (REPO / target).exists(), target
    cited = re.findall(r"\[(tests/[^\]]+\.py)::(\w+)\]", readme)
    assert cited, "the Safety section cites its tests"
    for path, name in cited:
        assert f"def {name}(" in (REPO / path).read_text(encoding="utf-8"), (path, name)
