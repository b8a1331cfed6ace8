"""Issue 4's demonstration in a real git repository, and concurrent closings, as separate
processes the way people and scripts run `ledger`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests._lifecycle import issue_path, make_ledger, run_cli

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "data"
COMMENT = "# 手写批注:11 号问题由督导组每周调度,销号前须经分管领导签字"


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(root), "-c", "user.name=测试",
                             "-c", "user.email=test@example.invalid", *args],
                            capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The shipped data (or, before it exists, our own fixture) committed in a fresh repo."""
    root = tmp_path / "repo"
    if (SHIPPED / "ledger.yaml").is_file() and (SHIPPED / "issues" / "011.yaml").is_file():
        shutil.copytree(SHIPPED, root / "data")
    else:  # pragma: no cover - only before the import lands
        from tests._lifecycle import ISSUES
        make_ledger(root, {**ISSUES, 11: ISSUES[1].replace("number: 1\n", "number: 11\n")})
    git(root.parent, "init", "-q", str(root))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "shipped data")
    return root


def open_count(root: Path) -> int:
    result = run_cli(root, "list", "--open", "--json")
    assert result.returncode == 0, result.stderr
    return len(json.loads(result.stdout))


def diff_lines(root: Path) -> tuple[list[str], list[str]]:
    """Lines removed and added by the working tree's change, as `git diff` shows them."""
    removed, added = [], []
    for line in git(root, "diff", "--no-color", "-U0").splitlines():
        if line.startswith("---") or line.startswith("+++"):
            continue
        if line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
    return removed, added


def test_close_and_reopen_touch_only_their_lines_in_git(repo: Path) -> None:
    path = issue_path(repo, 11)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("status:"))
    status_line = lines[at].rstrip("\n")
    path.write_text("".join([*lines[:at], COMMENT + "\n", *lines[at:]]), encoding="utf-8")
    git(repo, "commit", "-qam", "hand-written comment")
    before_open = open_count(repo)
    measures_open = any(isinstance(m, str) or not m.get("done")
                        for m in yaml.safe_load(text)["measures"] or [])

    args = ["close", "11", "--evidence", "省人防办党组会议纪要 2021-08-20"]
    result = run_cli(repo, *args, *(["--force"] if measures_open else []))
    assert result.returncode == 0, result.stderr

    assert git(repo, "diff", "--name-only").split() == ["data/issues/011.yaml"]
    removed, added = diff_lines(repo)
    assert removed == [status_line]
    assert added[0] == status_line.replace("正在推进", "已完成")
    assert all(line.startswith(("closed:", "history:", " ")) for line in added[1:])
    assert "closed:" in added and "history:" in added
    assert COMMENT in path.read_text(encoding="utf-8")

    assert open_count(repo) == before_open - 1
    if SHIPPED.is_dir():
        assert before_open - 1 == 22  # the model notice: 23 problems, none closed yet
    validate = run_cli(repo, "validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr

    result = run_cli(repo, "reopen", "11", "--reason", "复查发现问题反弹")
    assert result.returncode == 0, result.stderr
    removed, added = diff_lines(repo)
    assert removed == []  # back to the committed status line; only history was added
    assert added[0] == "history:" and all(line.startswith(" ") for line in added[1:])
    assert open_count(repo) == before_open
    assert run_cli(repo, "validate").returncode == 0


def test_two_closings_at_the_same_moment_both_land(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    numbers = [1, 2, 3, 5]
    code = "from ledger.cli import main; main()"
    env_args = ["--root", str(root)]
    procs = [subprocess.Popen([sys.executable, "-c", code, *env_args, "close", str(n),
                               "-e", f"纪要{n}", "--force"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**_env(), "LEDGER_TODAY": "2021-10-01"})
             for n in numbers]
    outcomes = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * len(numbers), outcomes
    for n in numbers:
        record = yaml.safe_load(issue_path(root, n).read_text(encoding="utf-8"))
        assert record["status"] == "已完成"
        assert record["closed"]["evidence"] == [f"纪要{n}"]
    assert sorted(p.name for p in (root / "data" / "issues").iterdir()) == [
        "001.yaml", "002.yaml", "003.yaml", "004.yaml", "005.yaml"]


def _env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items()
            if key not in ("LEDGER_ROOT", "LEDGER_USER")}


def test_problems_added_at_the_same_moment_each_get_their_own_number(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    code = "from ledger.cli import main; main()"
    procs = [subprocess.Popen([sys.executable, "-c", code, "--root", str(root), "new",
                               "--aspect", "1", "--title", f"新问题{i}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**_env(), "LEDGER_TODAY": "2021-10-01"})
             for i in range(4)]
    outcomes = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4, outcomes
    titles = {}
    for number in (6, 7, 8, 9):
        record = yaml.safe_load(issue_path(root, number).read_text(encoding="utf-8"))
        assert record["number"] == number
        titles[record["title"]] = number
    assert sorted(titles) == [f"新问题{i}" for i in range(4)]
