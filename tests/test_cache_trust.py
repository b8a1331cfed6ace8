"""What the parse cache trusts (issue 10, items 6 and 7).

The cache is looked at only after the root-containment checks, and nothing in
`.ledger-cache/` is trusted as a path: a link, pipe, device, folder or oversized
file where the cache file belongs is a corrupt cache (rebuilt, or bypassed with one
line of warning when it cannot be replaced), and nothing is ever written outside
the ledger root. Every test compares against LEDGER_NO_CACHE=1 (conftest sets it;
the cached runs unset it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from ledger.cache import store

from ._hostile import TODAY, Outcome, build, run_main

Capsys = pytest.CaptureFixture[str]
WARN_LINK = ("注意:解析缓存目录 .ledger-cache 是一个链接,为安全起见本次不使用缓存;"
             "删除 .ledger-cache 即可恢复(会自动重建)。\n")
WARN_STUCK = ("注意:解析缓存 .ledger-cache/issues.jsonl 已损坏且无法替换,本次不使用缓存;"
              "删除 .ledger-cache 即可恢复(会自动重建)。\n")


# Each cache file with a command that reads it: whole records (show), briefs (list).
READERS = [(store.CACHE_FILE, ("show", "1")), (store.BRIEFS_FILE, ("list",))]


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)  # every file old enough to store
    monkeypatch.setenv("LEDGER_TODAY", TODAY)
    return build(tmp_path, {})


def run(root: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, *args: str,
        cached: bool = True) -> Outcome:
    monkeypatch.setenv("LEDGER_NO_CACHE", "0" if cached else "1")
    outcome = run_main(["--root", str(root), *args], capsys, monkeypatch)
    assert not outcome.crash, outcome.crash
    return outcome


def same_as_fresh(root: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch,
                  *args: str) -> Outcome:
    fresh = run(root, capsys, monkeypatch, *args, cached=False)
    cached = run(root, capsys, monkeypatch, *args)
    assert (cached.code, cached.out) == (fresh.code, fresh.out)
    return cached


def files_under(folder: Path) -> dict[str, str]:
    found = {}
    for top, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            path = Path(top, name)
            found[str(path.relative_to(folder))] = (
                "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def forge(root: Path, name: str = store.CACHE_FILE) -> bytes:
    """A well-formed cache file whose title of problem 1 no file contains."""
    blob = store.cache_path(root).with_name(name).read_bytes()
    body = blob[: blob.rindex(b"\n", 0, len(blob) - 1) + 1]
    body = body.replace("学习走过场".encode(), "完全伪造的".encode())
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    count = body.count(b"\n") - 1
    return body + f"end\t{count}\t{digest}\n".encode()


# ---------------------------------------------------------------- item 6


def test_issues_folder_switched_to_a_link_out_gives_the_same_errors(
        root: Path, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache was made while data/issues was real; the same files (same inodes, same
    times) are then moved out of the ledger and linked back in."""
    assert run(root, capsys, monkeypatch, "validate").code == 0  # the cache is written
    outside = tmp_path / "outside" / "issues"
    (root / "data" / "issues").rename(outside)
    (root / "data" / "issues").symlink_to(outside)
    outcome = same_as_fresh(root, capsys, monkeypatch, "validate")
    assert outcome.code == 1
    assert "data/issues/001.yaml: error[outside-root]: 文件是指向台账目录之外的链接" in outcome.out
    same_as_fresh(root, capsys, monkeypatch, "list")
    before = files_under(outside)
    for edit in (["log", "1", "召开推进会"], ["status", "1", "基本完成"], ["done", "1", "1"]):
        outcome = run(root, capsys, monkeypatch, *edit)
        assert outcome.code == 1, outcome.text
    assert files_under(outside) == before, "an edit wrote through the link"


# ---------------------------------------------------------------- item 7


def test_cache_folder_that_is_a_link_out_is_never_written(
        root: Path, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "outside" / "cache"
    elsewhere.mkdir()
    (root / store.CACHE_NAME).symlink_to(elsewhere)
    for _ in range(2):
        outcome = same_as_fresh(root, capsys, monkeypatch, "validate")
        assert outcome.err == WARN_LINK
    assert files_under(elsewhere) == {}
    assert (root / store.CACHE_NAME).is_symlink()


@pytest.mark.parametrize(("name", "command"), READERS, ids=[name for name, _ in READERS])
def test_cache_folder_link_to_a_forged_cache_is_not_believed(
        name: str, command: tuple[str, ...], root: Path, tmp_path: Path, capsys: Capsys,
        monkeypatch: pytest.MonkeyPatch) -> None:
    run(root, capsys, monkeypatch, "validate")
    run(root, capsys, monkeypatch, "show", "1")
    forged = forge(root, name)
    elsewhere = tmp_path / "outside" / "cache"
    shutil.move(root / store.CACHE_NAME, elsewhere)
    (elsewhere / name).write_bytes(forged)
    (root / store.CACHE_NAME).symlink_to(elsewhere)
    outcome = same_as_fresh(root, capsys, monkeypatch, *command)
    assert "完全伪造的" not in outcome.out
    assert (elsewhere / name).read_bytes() == forged


@pytest.mark.parametrize(("name", "command"), READERS, ids=[name for name, _ in READERS])
def test_cache_file_that_is_a_link_is_replaced_not_followed(
        name: str, command: tuple[str, ...], root: Path, tmp_path: Path, capsys: Capsys,
        monkeypatch: pytest.MonkeyPatch) -> None:
    run(root, capsys, monkeypatch, "validate")
    run(root, capsys, monkeypatch, "show", "1")
    path = store.cache_path(root).with_name(name)
    forged = forge(root, name)
    target = tmp_path / "outside" / "forged.jsonl"
    target.write_bytes(forged)
    path.unlink()
    path.symlink_to(target)
    outcome = same_as_fresh(root, capsys, monkeypatch, *command)
    assert "完全伪造的" not in outcome.out and outcome.err == ""
    assert target.read_bytes() == forged  # never written through
    assert not path.is_symlink()  # the link itself was replaced
    assert sorted(store.Store(root, name=name).old) == [
        "data/issues/001.yaml", "data/issues/002.yaml", "data/ledger.yaml"]


def test_gitignore_that_is_a_dangling_link_out_is_never_written(
        root: Path, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / store.CACHE_NAME).mkdir()
    target = tmp_path / "outside" / "planted"
    (root / store.CACHE_NAME / ".gitignore").symlink_to(target)
    same_as_fresh(root, capsys, monkeypatch, "validate")
    assert not target.exists() and not target.is_symlink()
    assert store.cache_path(root).is_file()


def test_cache_file_that_is_a_fifo_does_not_hang(root: Path, tmp_path: Path) -> None:
    """Opening a FIFO for reading waits for a writer: run in a child with a deadline."""
    (root / store.CACHE_NAME).mkdir()
    os.mkfifo(store.cache_path(root))
    env = {key: value for key, value in os.environ.items() if key != "LEDGER_NO_CACHE"}
    child = subprocess.run([sys.executable, "-m", "ledger", "--root", str(root), "--today",
                            TODAY, "validate"], capture_output=True, text=True, timeout=60,
                           env=env, check=False)
    assert child.returncode == 0, child.stderr
    assert child.stderr == ""
    assert store.cache_path(root).is_file()  # the FIFO was replaced by a real cache


def test_cache_folder_that_is_a_fifo_is_bypassed_with_a_warning(
        root: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(root / store.CACHE_NAME)
    outcome = same_as_fresh(root, capsys, monkeypatch, "validate")
    assert outcome.err == ("注意:解析缓存目录 .ledger-cache 是管道或设备文件,不是目录,"
                           "为安全起见本次不使用缓存;删除 .ledger-cache 即可恢复(会自动重建)。\n")


def test_a_folder_where_the_cache_file_belongs_is_bypassed_with_a_warning(
        root: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    (store.cache_path(root) / "something").mkdir(parents=True)
    outcome = same_as_fresh(root, capsys, monkeypatch, "validate")
    assert outcome.err == WARN_STUCK
    assert (store.cache_path(root) / "something").is_dir()  # not ours to delete


def test_a_huge_cache_file_is_not_read(root: Path, capsys: Capsys,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """64 MiB where the budget for two small problem files is 32 MiB: replaced unread."""
    (root / store.CACHE_NAME).mkdir()
    with store.cache_path(root).open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    fresh = run(root, capsys, monkeypatch, "validate", cached=False)
    tracemalloc.start()
    try:
        cached = run(root, capsys, monkeypatch, "validate")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (cached.code, cached.out, cached.err) == (fresh.code, fresh.out, "")
    assert peak < 32 * 1024 * 1024, f"{peak // 1024 // 1024} MiB allocated"
    assert store.cache_path(root).stat().st_size < 1024 * 1024  # rebuilt


def test_nothing_is_written_outside_the_root_whatever_the_folder_holds(
        root: Path, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kind of entry planted in .ledger-cache, all at once, pointing out of the root."""
    outside = tmp_path / "outside"
    folder = root / store.CACHE_NAME
    folder.mkdir()
    (outside / "dir").mkdir()
    (folder / store.CACHE_FILE).symlink_to(outside / "cache.jsonl")
    (folder / ".gitignore").symlink_to(outside / "gitignore")
    (folder / f"{store.CACHE_FILE}.{os.getpid()}.00000000.tmp").symlink_to(outside / "tmp")
    (folder / "dir").symlink_to(outside / "dir")
    before = files_under(outside)
    for command in (["validate"], ["list"], ["log", "1", "召开推进会"], ["validate"]):
        run(root, capsys, monkeypatch, *command)
    assert files_under(outside) == before
