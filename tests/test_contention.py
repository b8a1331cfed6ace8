"""Edits racing each other, as separate processes: no edit that reports success is lost.

Every edit command takes the ledger's lock (`<root>/.ledger.lock`) for the whole
read, check, write and rename. These tests start 20 real processes at once and
check each one against the file: a run that exits 0 is in it; a run that does
not is refused with exactly the reason its place in the order explains.
"""

from __future__ import annotations

import itertools
import os
import shlex
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml

from ledger.read.loader import load
from ledger.validate.rules import validate
from tests._lifecycle import issue_path, make_ledger

RUNS = 20
LOCKED = 5
LOCKED_MESSAGE = "台账正被另一个命令修改"


@dataclass(frozen=True)
class Outcome:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str


def race(root: Path, commands: Sequence[Sequence[str]], timeout: str = "120") -> list[Outcome]:
    """Start every command at once (one process each) and wait for all of them."""
    env = {**os.environ, "LEDGER_TODAY": "2021-10-01", "LEDGER_USER": "王五",
           "LEDGER_NO_CACHE": "0", "LEDGER_LOCK_TIMEOUT": timeout}
    code = "from ledger.cli import main; main()"
    procs = [(tuple(args), subprocess.Popen(
        [sys.executable, "-c", code, "--root", str(root), *args], cwd=root, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)) for args in commands]
    outcomes = []
    for args, proc in procs:
        out, err = proc.communicate(timeout=300)
        assert "Traceback" not in err, err
        outcomes.append(Outcome(args, proc.returncode, out, err))
    return outcomes


def record(root: Path, number: int) -> dict[str, object]:
    loaded = yaml.safe_load(issue_path(root, number).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def notes(root: Path, number: int) -> list[str]:
    progress = record(root, number).get("progress") or []
    assert isinstance(progress, list)
    return [str(item["text"]) for item in progress]


def history(root: Path, number: int) -> list[dict[str, object]]:
    entries = record(root, number).get("history") or []
    assert isinstance(entries, list)
    return entries


def assert_valid(root: Path) -> None:
    errors = [p for p in validate(load(root), date(2021, 10, 1)) if p.severity == "error"]
    assert not errors, errors
    assert not (root / ".ledger.lock").exists()
    leftovers = [p.name for p in (root / "data" / "issues").iterdir() if p.name.endswith(".tmp")]
    assert not leftovers


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_ledger(tmp_path / "ledger")


def test_twenty_parallel_logs_of_one_problem_are_all_kept(root: Path) -> None:
    texts = [f"第{i}次调度" for i in range(RUNS)]
    outcomes = race(root, [["log", "5", text] for text in texts])
    assert [o.code for o in outcomes] == [0] * RUNS, [o.stderr for o in outcomes if o.code]
    assert sorted(notes(root, 5)) == sorted(texts)
    assert_valid(root)


def test_with_no_wait_every_run_is_either_in_the_file_or_refused_as_locked(root: Path) -> None:
    texts = [f"进展{i}" for i in range(RUNS)]
    outcomes = race(root, [["log", "5", text] for text in texts], timeout="0")
    kept = Counter(notes(root, 5))
    for text, outcome in zip(texts, outcomes, strict=True):
        if outcome.code == 0:
            assert kept[text] == 1, outcome
        else:
            assert outcome.code == LOCKED, outcome
            assert LOCKED_MESSAGE in outcome.stderr, outcome
            assert kept[text] == 0, outcome
    assert sum(kept.values()) == sum(1 for o in outcomes if o.code == 0)
    assert_valid(root)


def test_parallel_status_changes_leave_one_consistent_history(root: Path) -> None:
    values = ["基本完成", "正在推进", "长期坚持", "基本完成"] * (RUNS // 4)
    outcomes = race(root, [["status", "5", value] for value in values])
    assert [o.code for o in outcomes] == [0] * RUNS, [o.stderr for o in outcomes if o.code]
    printed = Counter(o.stdout.split("状态:")[1].strip() for o in outcomes
                      if "状态:" in o.stdout)
    unchanged = [o for o in outcomes if "未作修改" in o.stdout]
    assert len(unchanged) + sum(printed.values()) == RUNS
    changes = [str(entry["note"]) for entry in history(root, 5) if entry["action"] == "状态变更"]
    assert Counter(changes) == printed
    chain = [change.split(" → ") for change in changes]
    assert chain[0][0] == "正在推进"
    assert all(before[1] == after[0] for before, after in itertools.pairwise(chain))
    assert record(root, 5)["status"] == (chain[-1][1] if chain else "正在推进")
    assert_valid(root)


def test_mixed_edits_of_one_problem_keep_every_success_and_refuse_exactly_the_rest(
        root: Path) -> None:
    commands = ([["log", "5", f"混合{i}"] for i in range(12)]
                + [["close", "5", "--force", "-e", f"纪要{i}"] for i in range(3)]
                + [["done", "5", "1"] for _ in range(3)]
                + [["extend", "5", "--to", "2021-12-10", "--reason", "理由"]]
                + [["status", "5", "基本完成"]])
    outcomes = race(root, commands)
    final = record(root, 5)
    kept = notes(root, 5)
    entries = history(root, 5)
    actions = [entry["action"] for entry in entries]
    close_at = actions.index("销号")
    for outcome in outcomes:
        kind = outcome.args[0]
        if kind == "log":
            assert outcome.code == 0, outcome
            assert kept.count(outcome.args[2]) == 1
    closes = [o for o in outcomes if o.args[0] == "close"]
    assert sorted(o.code for o in closes) == [0, 1, 1], closes
    (winner,) = [o for o in closes if o.code == 0]
    closed = final["closed"]
    assert isinstance(closed, dict)
    assert closed["evidence"] == [winner.args[4]]
    assert all("不能重复销号" in o.stderr for o in closes if o.code == 1)
    dones = [o for o in outcomes if o.args[0] == "done"]
    assert sorted(o.code for o in dones) == [0, 1, 1], dones
    assert all("第1项措施已于2021年10月1日标记完成" in o.stderr for o in dones if o.code == 1)
    measures = final["measures"]
    assert isinstance(measures, list)
    assert measures[0] == {"text": "立即整改", "done": date(2021, 10, 1)}
    # Whether a step came before or after the closing decides its outcome: read it off the file.
    (status,) = [o for o in outcomes if o.args[0] == "status"]
    if "状态变更" in actions:
        assert actions.index("状态变更") < close_at
        assert status.code == 0 and "状态:正在推进 → 基本完成" in status.stdout, status
    else:
        assert status.code == 1 and "问题 5 已销号,不能改为基本完成" in status.stderr, status
    (extend,) = [o for o in outcomes if o.args[0] == "extend"]
    extensions = final.get("extensions") or []
    assert isinstance(extensions, list)
    if extensions:
        assert [item["reason"] for item in extensions] == ["理由"]
        assert extend.code == 0 and "已延期至2021年12月10日" in extend.stdout, extend
    else:
        assert extend.code == 1 and "问题 5 已销号,无需延期" in extend.stderr, extend
    assert_valid(root)


def test_parallel_edits_of_different_problems_and_new_ones_are_all_kept(root: Path) -> None:
    commands = [["log", str(1 + i % 5), f"各自{i}"] for i in range(16)]
    commands += [["new", "--aspect", "2", "--title", f"新问题{i}。"] for i in range(4)]
    outcomes = race(root, commands)
    assert [o.code for o in outcomes] == [0] * RUNS, [o.stderr for o in outcomes if o.code]
    for i in range(16):
        assert notes(root, 1 + i % 5).count(f"各自{i}") == 1
    titles = sorted(str(record(root, number)["title"]) for number in (6, 7, 8, 9))
    assert titles == [f"新问题{i}。" for i in range(4)]
    assert_valid(root)


# ---------------------------------------------------------------- a held or stale lock


def run_one(root: Path, *args: str, timeout: str = "0.3") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEDGER_TODAY": "2021-10-01", "LEDGER_USER": "王五",
           "LEDGER_LOCK_TIMEOUT": timeout}
    code = "from ledger.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, "--root", str(root), *args], cwd=root,
                          env=env, capture_output=True, text=True, check=False, timeout=60)


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_an_edit_waits_then_exits_5_while_another_command_holds_the_lock(root: Path) -> None:
    from ledger.edit.lock import ledger_lock

    before = issue_path(root, 5).read_bytes()
    with ledger_lock(root):
        holder = (root / ".ledger.lock").read_text(encoding="utf-8")
        result = run_one(root, "log", "5", "等不到")
    assert result.returncode == LOCKED, result.stderr
    assert f"错误:{LOCKED_MESSAGE}" in result.stderr
    assert f"进程 {os.getpid()}" in result.stderr and socket.gethostname() in result.stderr
    assert "等待 0.3 秒" in result.stderr
    assert f"pid: {os.getpid()}" in holder
    assert issue_path(root, 5).read_bytes() == before
    assert not (root / ".ledger.lock").exists()
    assert run_one(root, "log", "5", "等到了").returncode == 0


def test_a_stale_lock_is_reported_with_how_to_remove_it_and_left_alone(root: Path) -> None:
    lock = root / ".ledger.lock"
    pid = dead_pid()
    text = f"pid: {pid}\nhost: {socket.gethostname()}\nstarted: 2021-10-01T08:00:00\n"
    lock.write_text(text, encoding="utf-8")
    before = issue_path(root, 5).read_bytes()
    result = run_one(root, "log", "5", "x", timeout="30")
    assert result.returncode == LOCKED, result.stderr
    assert f"进程 {pid} 已不存在" in result.stderr
    assert f"rm {shlex.quote(str(lock))}" in result.stderr
    assert lock.read_text(encoding="utf-8") == text
    assert issue_path(root, 5).read_bytes() == before
    lock.unlink()
    assert run_one(root, "log", "5", "x").returncode == 0


def test_a_lock_held_on_another_machine_is_waited_for_not_judged(root: Path) -> None:
    lock = root / ".ledger.lock"
    lock.write_text(f"pid: {dead_pid()}\nhost: 另一台电脑\nstarted: 2021-10-01T08:00:00\n",
                    encoding="utf-8")
    result = run_one(root, "log", "5", "x")
    assert result.returncode == LOCKED, result.stderr
    assert f"错误:{LOCKED_MESSAGE}" in result.stderr and "另一台电脑" in result.stderr
    assert "已不存在" not in result.stderr
    assert lock.exists()


def test_a_bad_lock_timeout_is_a_usage_error(root: Path) -> None:
    result = run_one(root, "log", "5", "x", timeout="很久")
    assert result.returncode == 2, result.stderr
    assert "LEDGER_LOCK_TIMEOUT" in result.stderr
    assert notes(root, 5) == []


# ---------------------------------------------------------------- temp files of killed edits


def killed_writer(target: Path) -> Path:
    """A process killed after writing its temp file beside `target`, before the rename."""
    code = ("import os, sys; from pathlib import Path; from ledger.core import atomic; "
            "print(atomic._write_temp(Path(sys.argv[1]), b'half', 0o644)); os._exit(9)")
    proc = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 9, proc.stderr
    temp = Path(proc.stdout.strip())
    assert temp.read_bytes() == b"half"
    return temp


def test_the_next_edit_removes_temp_files_of_killed_writers_only(root: Path) -> None:
    dead_issue = killed_writer(issue_path(root, 5))
    dead_header = killed_writer(root / "data" / "ledger.yaml")
    alive = issue_path(root, 1).with_name(f".001.yaml.{os.getpid()}.0123abcd.tmp")
    alive.write_bytes(b"still being written")
    result = run_one(root, "log", "5", "继续")
    assert result.returncode == 0, result.stderr
    assert not dead_issue.exists() and not dead_header.exists()
    assert alive.read_bytes() == b"still being written"
    for temp in (dead_issue, dead_header):
        relpath = temp.relative_to(root).as_posix()
        assert f"已删除被中断的修改留下的临时文件 {relpath}" in result.stderr
    assert notes(root, 5) == ["继续"]


def test_validate_warns_about_a_temp_file_left_by_a_killed_writer(root: Path) -> None:
    temp = killed_writer(issue_path(root, 3))
    relpath = temp.relative_to(root).as_posix()
    result = run_one(root, "validate")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith(
        f"{relpath}: warning[stray-temp-file]: 被中断的修改留下的临时文件")
    assert f"rm {relpath}" in result.stdout
    assert temp.exists()  # validate only reads


@pytest.mark.parametrize("args", [
    ["log", "5", "x"], ["close", "5", "--force", "-e", "纪要"], ["done", "5", "1"],
    ["status", "5", "基本完成"], ["extend", "5", "--to", "2021-12-31", "--reason", "x"],
    ["new", "--aspect", "1", "--title", "x"],
    ["import", "--force", str(Path(__file__).parent / "fixtures" / "notice-2021-shandong-rfb.txt")],
    ["aspect", "add", "关于新方面问题"], ["subject", "add", "关于新事项", "--aspect", "1"],
])
def test_every_edit_command_takes_the_lock(root: Path, args: list[str]) -> None:
    from ledger.edit.lock import ledger_lock

    before = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    with ledger_lock(root):
        result = run_one(root, *args, timeout="0")
    assert result.returncode == LOCKED, result.stderr
    assert f"错误:{LOCKED_MESSAGE}" in result.stderr
    assert {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()} == before


def test_progress_import_and_init_take_the_lock(root: Path, tmp_path: Path) -> None:
    from ledger.edit.lock import ledger_lock

    sheet = tmp_path / "返回.xlsx"
    assert run_one(root, "render", "-t", "table", "-o", str(sheet)).returncode == 0
    before = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    with ledger_lock(root):
        result = run_one(root, "import", str(sheet), "--progress", timeout="0")
    assert result.returncode == LOCKED, result.stderr
    assert {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()} == before
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with ledger_lock(fresh):
        result = run_one(fresh, "init", "--issuer", "某局党组", "--title", "关于整改的通报",
                         "--kind", "巡察", "--feedback", "2021-01-01", timeout="0")
    assert result.returncode == LOCKED, result.stderr
    assert not (fresh / "data" / "ledger.yaml").exists()


def test_reopen_takes_the_lock(root: Path) -> None:
    from ledger.edit.lock import ledger_lock

    assert run_one(root, "close", "5", "--force", "-e", "纪要").returncode == 0
    with ledger_lock(root):
        result = run_one(root, "reopen", "5", "--reason", "x", timeout="0")
    assert result.returncode == LOCKED, result.stderr
    assert record(root, 5)["status"] == "已完成"


def test_a_lock_file_that_is_a_link_is_never_followed_or_replaced(root: Path,
                                                                   tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    (root / ".ledger.lock").symlink_to(outside)
    result = run_one(root, "log", "5", "x")
    assert result.returncode == LOCKED, result.stderr
    assert "锁文件不是普通文件" in result.stderr
    assert not outside.exists()
    assert (root / ".ledger.lock").is_symlink()


def test_the_lock_is_reentrant_and_only_its_owner_removes_it(root: Path) -> None:
    from ledger.edit.lock import is_held, ledger_lock

    lock = root / ".ledger.lock"
    with ledger_lock(root, timeout=0):
        with ledger_lock(root, timeout=0):
            assert is_held(root)
        assert lock.exists() and is_held(root)
        lock.unlink()  # someone removed it by hand, and another command took it
        lock.write_text("pid: 1\nhost: x\n", encoding="utf-8")
    assert lock.read_text(encoding="utf-8") == "pid: 1\nhost: x\n"
    assert not is_held(root)
