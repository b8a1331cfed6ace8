"""Shared test helpers: running the CLI in-process and building ledgers in tmp_path."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from ledger import cache
from ledger.cli import main

TESTS = Path(__file__).parent
REPO = TESTS.parent
BROKEN = TESTS / "broken"
BASE = BROKEN / "_base"



@dataclass(frozen=True)
class Result:
    """What a run of `ledger` left: its exit code and what it wrote."""

    exit_code: int
    stdout_bytes: bytes
    stderr_bytes: bytes
    exception: BaseException | None = None  # anything that escaped main() (a defect)

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8", "replace")

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


Run = Callable[..., Result]


def run_ledger(*args: str | Path) -> Result:
    """Run `ledger ARGS` in-process through `main()`, as a user's shell would: sys.argv set,
    stdout and stderr captured (bytes, no terminal), the exit code from SystemExit."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", newline="", write_through=True)
    argv = ["ledger", *(str(arg) for arg in args)]
    with mock.patch.object(sys, "argv", argv), mock.patch.object(sys, "stdout", stdout), \
            mock.patch.object(sys, "stderr", stderr):
        escaped: BaseException | None = None
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception as exc:  # recorded for the test to see
            code, escaped = 1, exc
        else:  # pragma: no cover - main always exits
            code = 0
        stdout.flush()
        stderr.flush()
    return Result(code, out.getvalue(), err.getvalue(), escaped)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's ledger, clock or name through the environment."""
    for name in ("LEDGER_ROOT", "LEDGER_TODAY", "LEDGER_USER", "GITHUB_STEP_SUMMARY",
                 "LEDGER_DOCS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEDGER_NO_CACHE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    # The CLI sets the cache's defaults from those variables; a library call made directly
    # by a test sees the same, and a CLI run's setting does not outlive its test.
    monkeypatch.setattr(cache.SETTINGS, "cache", False)
    monkeypatch.setattr(cache.SETTINGS, "jobs", None)


@pytest.fixture
def run() -> Run:
    """Invoke the CLI in-process through main(): run("--root", path, "validate")."""
    return run_ledger


@pytest.fixture
def base_ledger(tmp_path: Path) -> Path:
    """A small valid ledger (tests/broken/_base) copied into tmp_path."""
    root = tmp_path / "ledger"
    shutil.copytree(BASE, root)
    return root
