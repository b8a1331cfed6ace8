"""An interrupted `ledger import` never leaves a partial ledger that validates (issue 10, item 2).

The import is stopped at every system call that changes the disk, one after the
other: once as Ctrl-C (KeyboardInterrupt: `finally` blocks still run), once as a
kill (every later call fails too, so nothing the import would still do happens),
and for a few steps as a real SIGKILL of a child process. After each stop the
folder holds the old ledger whole, the new one whole, no ledger, or a ledger
every command refuses with a message saying how to finish; and running the same
import again always gives the new ledger whole, with nothing left behind.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger.notice_import.run import import_notice

from ._hostile import Outcome, run_main
from ._notice import MODEL, SHAPES

SMALL = SHAPES / "bare-list.txt"  # 2 problems: 4 files
OTHER = SHAPES / "counts-first.txt"  # 3 problems: 5 files
CALLS = ("replace", "rename", "unlink", "rmdir", "mkdir", "write", "fsync")

Capsys = pytest.CaptureFixture[str]


class Killed(BaseException):
    """The process died here: raised by this call and by every later one."""


class Stop:
    """Counts the calls that change the disk; the k-th one (and, for a kill, all later ones)
    raises instead of running."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, k: int, kill: bool) -> None:
        self.k, self.kill, self.count, self.fired = k, kill, 0, False
        for name in CALLS:
            monkeypatch.setattr(os, name, self._wrap(getattr(os, name)))

    def _wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if self.fired and self.kill:
                raise Killed
            self.count += 1
            if self.count == self.k:
                self.fired = True
                raise Killed if self.kill else KeyboardInterrupt
            return real(*args, **kwargs)

        return call


def snapshot(into: Path) -> dict[str, bytes | str]:
    """Everything under `into`: file bytes, and "dir" for folders (hidden ones included)."""
    if not into.exists():
        return {}
    found: dict[str, bytes | str] = {}
    for top, dirs, names in os.walk(into):
        for name in dirs:
            found[str(Path(top, name).relative_to(into))] = "dir"
        for name in names:
            found[str(Path(top, name).relative_to(into))] = Path(top, name).read_bytes()
    return found


def expected(tmp_path: Path, notice: Path) -> dict[str, bytes | str]:
    into = tmp_path / f"expected-{notice.stem}"
    import_notice(notice, into)
    return snapshot(into)


def validate(into: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    outcome = run_main(["--root", str(into), "--today", "2021-09-01", "validate"], capsys,
                       monkeypatch)
    assert not outcome.crash, outcome.crash
    return outcome


def interrupt(into: Path, notice: Path, k: int, kill: bool, force: bool,
              monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run the import with the k-th call stopped; True when it ran to the end."""
    with monkeypatch.context() as patch:
        stop = Stop(patch, k, kill)
        try:
            import_notice(notice, into, force)
        except (KeyboardInterrupt, Killed):
            return False
    assert not stop.fired
    return True


def assert_safe(into: Path, before: dict[str, bytes | str], after: dict[str, bytes | str],
                capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """The state after a stop: the old ledger or the new one whole, or refused.

    A kill may leave temp files (.NAME.PID.RANDOM.tmp) beside the files: they are not
    part of the ledger (the loader reads NNN.yaml only) and the next import removes them.
    """
    state = snapshot(into)
    data = {key: value for key, value in state.items()
            if key.startswith("data") and not key.endswith(".tmp")}
    outcome = validate(into, capsys, monkeypatch)
    if outcome.code == 0:
        old = {key: value for key, value in before.items() if key.startswith("data")}
        new = {key: value for key, value in after.items() if key.startswith("data")}
        assert data in (old, new), "a ledger that validates is the old or the new one, whole"
        return
    assert outcome.code == 2, outcome.text
    if "data/.import-incomplete" in state:
        assert "台账不完整:上次导入(ledger import)在写入文件时被中断" in outcome.err
        assert "请重新运行导入:ledger import " in outcome.err
    else:
        assert "data/ledger.yaml" not in state
        assert "不是台账目录" in outcome.err


def finish(into: Path, notice: Path, force: bool, after: dict[str, bytes | str],
           capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """Running the same import again completes it, with nothing left behind."""
    args = ["import", str(notice), "--into", str(into), *(["--force"] if force else [])]
    outcome = run_main(args, capsys, monkeypatch)
    assert outcome.code == 0, outcome.text
    assert snapshot(into) == after
    assert validate(into, capsys, monkeypatch).code == 0


@pytest.mark.parametrize("kill", [False, True], ids=["ctrl-c", "kill"])
def test_first_import_stopped_at_every_step(kill: bool, tmp_path: Path, capsys: Capsys,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    after = expected(tmp_path, OTHER)
    for k in range(1, 100):
        into = tmp_path / f"{k}" / "ledger"
        done = interrupt(into, OTHER, k, kill, False, monkeypatch)
        if done:
            assert snapshot(into) == after
            break
        assert_safe(into, {}, after, capsys, monkeypatch)
        if not kill:  # Ctrl-C: the import undid itself, unless the switch was made
            assert snapshot(into) in ({}, after), k
        if snapshot(into) != after:  # stopped after the switch: there is nothing to finish
            finish(into, OTHER, False, after, capsys, monkeypatch)
    else:
        pytest.fail("the import never ran to its end")
    assert k > 5 * 2  # every file's write and fsync, and the switch, were each stopped


@pytest.mark.parametrize("kill", [False, True], ids=["ctrl-c", "kill"])
def test_forced_reimport_stopped_at_every_step(kill: bool, tmp_path: Path, capsys: Capsys,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    before = expected(tmp_path, SMALL)
    after = expected(tmp_path, OTHER)
    evidence = b"%PDF- the user's own file in data/\n"
    for k in range(1, 100):
        into = tmp_path / f"{k}" / "ledger"
        import_notice(SMALL, into)
        (into / "data" / "evidence.pdf").write_bytes(evidence)
        with_evidence = {**after, "data/evidence.pdf": evidence}
        done = interrupt(into, OTHER, k, kill, True, monkeypatch)
        if done:
            assert snapshot(into) == with_evidence
            break
        assert_safe(into, {**before, "data/evidence.pdf": evidence}, with_evidence, capsys,
                    monkeypatch)
        assert (into / "data" / "evidence.pdf").read_bytes() == evidence
        finish(into, OTHER, True, with_evidence, capsys, monkeypatch)
    else:
        pytest.fail("the import never ran to its end")
    assert k > 5 * 3  # write, fsync and rename of every file, the marker and the removals


def test_a_half_written_ledger_is_refused_by_every_command(tmp_path: Path, capsys: Capsys,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Stopped after the first rename of a forced re-import: every command says so."""
    into = tmp_path / "ledger"
    import_notice(SMALL, into)
    with monkeypatch.context() as patch:
        real = os.replace
        calls: list[object] = []

        def replace(*args: Any, **kwargs: Any) -> None:
            calls.append(args)
            if len(calls) == 2:
                raise KeyboardInterrupt
            real(*args, **kwargs)

        patch.setattr(os, "replace", replace)
        with pytest.raises(KeyboardInterrupt):
            import_notice(MODEL, into, True)
    monkeypatch.chdir(into / "data" / "issues")
    for args in (["validate"], ["list"], ["show", "1"], ["check"], ["render"],
                 ["log", "1", "进展"], ["new", "--aspect", "1", "--title", "新问题。"]):
        outcome = run_main(["--today", "2021-09-01", *args], capsys, monkeypatch)
        assert outcome.code == 2, (args, outcome.text)
        assert outcome.err.startswith(
            "错误:台账不完整:上次导入(ledger import)在写入文件时被中断,data/ 中只写入了一部分文件;"
            "在导入完成之前,所有命令都拒绝使用这个台账\n"), outcome.err
        assert f"ledger import {MODEL} --into {into}(不必加 --force" in outcome.err
    # the same import without --force finishes it
    monkeypatch.chdir(tmp_path)
    outcome = run_main(["import", str(MODEL), "--into", str(into)], capsys, monkeypatch)
    assert outcome.code == 0, outcome.text
    assert not (into / "data" / ".import-incomplete").exists()
    assert validate(into, capsys, monkeypatch).code == 0


def test_a_stale_staging_folder_is_removed(tmp_path: Path) -> None:
    into = tmp_path / "ledger"
    into.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = into / f".data.import-{dead}-0000.tmp"
    (stale / "issues").mkdir(parents=True)
    (stale / "ledger.yaml").write_text("half\n", encoding="utf-8")
    import_notice(SMALL, into)
    assert sorted(path.name for path in into.iterdir()) == ["data"]


_CHILD = """
import os, signal, sys
k = int(sys.argv[1])
real = os.replace
count = 0
def replace(*args, **kwargs):
    global count
    count += 1
    if count == k:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
os.replace = replace
sys.argv = ["ledger", *sys.argv[2:]]
from ledger.cli import main
main()
"""


@pytest.mark.parametrize(("force", "k"), [(False, 1), (True, 1), (True, 13), (True, 25)])
def test_real_sigkill_at_a_rename(force: bool, k: int, tmp_path: Path, capsys: Capsys,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    into = tmp_path / "ledger"
    before: dict[str, bytes | str] = {}
    if force:
        import_notice(SMALL, into)
        before = snapshot(into)
    after = expected(tmp_path, MODEL)
    args = ["import", str(MODEL), "--into", str(into), *(["--force"] if force else [])]
    child = subprocess.run([sys.executable, "-c", _CHILD, str(k), *args], capture_output=True,
                           check=False, env={**os.environ, "LEDGER_NO_CACHE": "1"})
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert_safe(into, before, after, capsys, monkeypatch)
    assert snapshot(into) != after  # killed before the import's last step
    finish(into, MODEL, force, after, capsys, monkeypatch)


def test_a_failure_halfway_says_the_ledger_is_incomplete(tmp_path: Path, capsys: Capsys,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk at the second rename of a forced re-import: exit 4, and the message says
    the ledger is now incomplete (not "nothing changed"); the same import then finishes it."""
    into = tmp_path / "ledger"
    import_notice(SMALL, into)
    after = expected(tmp_path, OTHER)
    real = os.replace
    calls: list[object] = []

    def replace(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        outcome = run_main(["import", str(OTHER), "--into", str(into), "--force"], capsys,
                           monkeypatch)
    assert outcome.code == 4, outcome.text
    assert "错误:导入中途失败(写入 " in outcome.err
    assert "失败:磁盘空间已满),台账不完整" in outcome.err
    assert "请解决上述问题后重新运行同一条 ledger import" in outcome.err
    assert validate(into, capsys, monkeypatch).code == 2
    finish(into, OTHER, True, after, capsys, monkeypatch)
