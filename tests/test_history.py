"""`--as-of` and `stats --history` on a fixture git history with fixed commit dates."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from ledger.read.loader import load
from ledger.report.history import Repository, sample_days, series
from ledger.report.query import standings
from ledger.report.stats import count

from ._stats import PROBLEMS, commit_all, git, problem, write_ledger
from .conftest import Run

OPEN_2 = problem(2, 1, unit="办公室", leader="王局长", co_units=("综合科",),
                 deadline="2021-12-31", measures=(True,))
OPEN_4 = problem(4, 2, unit="综合科", leader="李副局长", co_units=("办公室", "财务科"),
                 deadline="2021-08-31", measures=(True, True))

# (committer date, the problem files in that commit)
STATES: list[tuple[str, dict[int, str]]] = [
    ("2021-06-01T00:30:00+08:00", {1: PROBLEMS[1], 2: OPEN_2, 3: PROBLEMS[3]}),
    ("2021-07-15T09:00:00+08:00", {1: PROBLEMS[1], 2: OPEN_2, 3: PROBLEMS[3], 4: OPEN_4,
                                   5: PROBLEMS[5]}),
    ("2021-09-01T18:00:00+08:00", {1: PROBLEMS[1], 2: PROBLEMS[2], 3: PROBLEMS[3], 4: OPEN_4,
                                   5: PROBLEMS[5]}),
    ("2021-09-20T08:00:00+08:00", dict(PROBLEMS)),
]


def _write_state(root: Path, files: dict[int, str]) -> None:
    issues = root / "data" / "issues"
    if issues.exists():
        shutil.rmtree(issues)
    write_ledger(root, files)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose ledger lives in its subfolder ledger/, four commits."""
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    (top / "README.md").write_text("台账仓库\n", encoding="utf-8")
    for when, files in STATES:
        _write_state(top / "ledger", files)
        commit_all(top, when)
    return top / "ledger"


def _numbers(run: Run, root: Path, as_of: str) -> list[int]:
    result = run("--root", root, "--as-of", as_of, "list", "--json")
    assert result.exit_code == 0, result.output
    return [row["number"] for row in json.loads(result.stdout)]


def test_list_as_of_each_date(run: Run, repo: Path) -> None:
    # The first commit is 2021-05-31 in UTC but 2021-06-01 where it was made: that day counts.
    assert _numbers(run, repo, "2021-06-01") == [1, 2, 3]
    assert _numbers(run, repo, "2021-07-14") == [1, 2, 3]
    assert _numbers(run, repo, "2021-07-15") == [1, 2, 3, 4, 5]
    assert _numbers(run, repo, "2021-12-31") == [1, 2, 3, 4, 5, 6, 7]


def test_show_and_stats_as_of(run: Run, repo: Path) -> None:
    shown = run("--root", repo, "--as-of", "2021-08-31", "show", "2")
    assert shown.exit_code == 0, shown.output
    assert "状态:正在推进" in shown.stdout
    assert "按2021年8月31日及之前的最后一次提交" in shown.stderr
    later = run("--root", repo, "--as-of", "2021-09-01", "show", "2")
    assert "状态:已完成" in later.stdout
    stats = run("--root", repo, "--as-of", "2021-09-01", "stats", "--format", "json")
    assert stats.exit_code == 0, stats.output
    data = json.loads(stats.stdout)
    assert data["today"] == "2021-09-01"  # counted on the as-of day
    assert (data["total"]["total"], data["total"]["closed"], data["total"]["rate"]) == \
        (5, 1, "20%")


def test_before_the_first_commit(run: Run, repo: Path) -> None:
    result = run("--root", repo, "--as-of", "2021-05-31", "list")
    assert result.exit_code == 2
    assert "2021年5月31日及之前没有提交;最早的提交在2021年6月1日" in result.stderr


def test_outside_a_git_repository(run: Run, tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "plain")
    result = run("--root", root, "--as-of", "2021-09-01", "stats")
    assert result.exit_code == 2
    assert "不在 git 仓库中" in result.stderr


def test_repository_without_commits(run: Run, tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "fresh")
    git(root, "init", "-q")
    result = run("--root", root, "--as-of", "2021-09-01", "list")
    assert result.exit_code == 2
    assert "还没有任何提交" in result.stderr


def test_uncommitted_changes_are_ignored_with_a_note(run: Run, repo: Path) -> None:
    (repo / "data" / "issues" / "008.yaml").write_text(problem(8, 1), encoding="utf-8")
    (repo / "data" / "issues" / "001.yaml").unlink()
    assert _numbers(run, repo, "2021-12-31") == [1, 2, 3, 4, 5, 6, 7]
    result = run("--root", repo, "--as-of", "2021-12-31", "list")
    assert result.stderr.strip().splitlines() == [
        "按2021年12月31日及之前的最后一次提交 "
        f"{git(repo, 'rev-parse', '--short=7', 'HEAD').strip()}(2021年9月20日)读取台账;"
        "工作区中未提交的修改不计入"]


def test_edit_commands_refuse_as_of(run: Run, repo: Path) -> None:
    result = run("--root", repo, "--as-of", "2021-09-01", "close", "1", "--evidence", "报告")
    assert result.exit_code == 2
    assert "--as-of 不能用于 close" in result.stderr


def test_check_and_render_as_of(run: Run, repo: Path) -> None:
    check = run("--root", repo, "--as-of", "2021-07-15", "check")
    # On 2021-07-15 nothing is overdue yet (problem 1 is due 2021-08-01).
    assert check.exit_code == 0, check.output
    check = run("--root", repo, "--as-of", "2021-09-01", "check")
    assert check.exit_code == 3, check.output
    render = run("--root", repo, "--as-of", "2021-07-15", "render", "-t", "table", "-f", "csv")
    assert render.exit_code == 0, render.output
    rows = list(csv.reader(io.StringIO(render.stdout.lstrip("\ufeff"))))
    assert [row[0] for row in rows] == ["序号", "1", "2", "3", "4", "5"]


def _by_hand(tmp_path: Path, upto: date) -> tuple[int, int, int, int]:
    """The counts on `upto` from a folder holding the last state committed on or before it."""
    files = [files for when, files in STATES if date.fromisoformat(when[:10]) <= upto][-1]
    folder = tmp_path / f"hand-{upto}"
    write_ledger(folder, files)
    counts = count(standings(load(folder).ledger, upto))
    return counts.total, counts.closed, counts.total - counts.closed, counts.overdue


@pytest.mark.parametrize("every", ["commit", "week", "month"])
def test_history_series_equals_counting_each_state_by_hand(
        repo: Path, tmp_path: Path, every: str) -> None:
    points = series(repo, every, date(2021, 10, 1))
    assert points, "no points"
    assert [(p.counts.total, p.counts.closed, p.open, p.counts.overdue) for p in points] == \
        [_by_hand(tmp_path, p.day) for p in points]


def test_history_days_and_numbers(run: Run, repo: Path) -> None:
    result = run("--root", repo, "--today", "2021-10-01", "stats", "--history", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(row["date"], row["total"], row["closed"], row["open"], row["overdue"])
            for row in data] == [
        ("2021-06-01", 3, 0, 3, 0),
        ("2021-07-15", 5, 0, 5, 0),
        ("2021-09-01", 5, 1, 4, 2),  # 1 (due 2021-08-01) and 4 (2021-08-31); 3 extended
        ("2021-09-20", 7, 2, 5, 1),  # 3 extended to 10-08; 4 closed late; 1 still overdue
    ]
    monthly = run("--root", repo, "--today", "2021-10-01", "stats", "--history",
                  "--every", "month", "--format", "csv")
    assert [line.split(",")[0] for line in monthly.stdout.splitlines()[1:]] == \
        ["2021-06-01", "2021-06-30", "2021-07-31", "2021-08-31", "2021-09-30", "2021-10-01"]


def test_sample_days_by_week() -> None:
    assert sample_days([], "week", date(2021, 1, 1)) == []
    from ledger.report.history import Commit

    commits = [Commit("a" * 40, 0, date(2021, 6, 2))]  # a Wednesday
    assert sample_days(commits, "week", date(2021, 6, 16)) == \
        [date(2021, 6, 2), date(2021, 6, 6), date(2021, 6, 13), date(2021, 6, 16)]


def test_unchanged_blobs_are_parsed_once(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ledger.report.history as history

    calls: list[str] = []
    from ledger.read.loader import parse_issue as real

    def counting(relpath: str, data: bytes) -> object:
        calls.append(relpath)
        return real(relpath, data)

    monkeypatch.setattr(history, "parse_issue", counting)
    series(repo, "commit", date(2021, 10, 1))
    # 3 + 2 new + 1 changed (002) + 1 changed (004) + 2 new = 9 distinct blobs.
    assert len(calls) == 9
    with Repository(repo) as reader:
        assert len(reader.commits()) == 4
