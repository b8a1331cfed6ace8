"""Shared test helpers: running the CLI in-process and building ledgers in tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ledger import cache
from ledger.cli import app

TESTS = Path(__file__).parent
REPO = TESTS.parent
BROKEN = TESTS / "broken"
BASE = BROKEN / "_base"

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's ledger, clock or name through the environment."""
    for name in ("LEDGER_ROOT", "LEDGER_TODAY", "LEDGER_USER", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEDGER_NO_CACHE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    # The CLI sets the cache's defaults from those variables; a library call made directly
    # by a test sees the same, and a CLI run's setting does not outlive its test.
    monkeypatch.setattr(cache.SETTINGS, "cache", False)
    monkeypatch.setattr(cache.SETTINGS, "jobs", None)


@pytest.fixture
def run() -> Run:
    """Invoke the CLI in-process: run("--root", path, "validate")."""
    runner = CliRunner()

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(app, [str(arg) for arg in args])

    return invoke


@pytest.fixture
def base_ledger(tmp_path: Path) -> Path:
    """A small valid ledger (tests/broken/_base) copied into tmp_path."""
    root = tmp_path / "ledger"
    shutil.copytree(BASE, root)
    return root
