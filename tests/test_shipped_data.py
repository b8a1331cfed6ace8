"""The shipped data/ through the installed console script, as a user runs it.

The script next to the interpreter is the one `pip install .` made, so in CI
(a non-editable install) this exercises the wheel, templates included.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

SCRIPT = Path(sys.executable).with_name("ledger")


def ledger(*args: str) -> subprocess.CompletedProcess[str]:
    if not SCRIPT.exists():
        pytest.fail(f"the console script {SCRIPT} is missing: install the package first")
    env = {"PATH": "/usr/bin:/bin", "LEDGER_NO_CACHE": "1", "LEDGER_TODAY": "2021-08-26"}
    return subprocess.run([str(SCRIPT), *args], cwd=REPO / "data" / "issues", env=env,
                          capture_output=True, text=True, check=False)


def test_validate_clean() -> None:
    result = ledger("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "检查通过:没有发现问题。\n"


def test_list_open_lists_23() -> None:
    result = ledger("list", "--open")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["序号", "方面", "问题", "责任单位", "时限", "状态", "剩余天数"]
    assert [line.split()[0] for line in lines[1:-1]] == [str(n) for n in range(1, 24)]
    assert lines[-1] == "共 23 项"


def test_list_open_json_has_23() -> None:
    result = ledger("list", "--open", "--json")
    rows = json.loads(result.stdout)
    assert len(rows) == 23
    assert all(row["status"] == "正在推进" for row in rows)
    assert all(row["leader"] == "" and row["unit"] == "" and row["deadline"] is None
               for row in rows), "the notice names no people or deadlines: none are invented"
    # Counted by hand in the notice: (1) 3, (2) 5, (3) 3, … (9) 1, … (23) 3.
    assert sum(row["measures"] for row in rows) == 70


def test_shipped_shape() -> None:
    result = ledger("list", "--json")
    rows = json.loads(result.stdout)
    assert sorted({row["aspect"] for row in rows}) == [1, 2, 3, 4]
    assert sorted({row["subject"] for row in rows if row["subject"]}) == list(range(1, 12))
