"""Progress of long work (issue 15): the library tells a callback exact counts; the command
line draws a rich bar on stderr only when stderr is a terminal (or LEDGER_PROGRESS=1),
and on a pipe writes nothing and imports no rich.
"""

from __future__ import annotations

import importlib.util
import os
import pty
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from ledger import cache
from ledger.api import Ledger

from .conftest import REPO


def _generate(out: Path, count: int) -> Path:
    """A ledger of `count` problems, written by the bench's generator (bench/generate.py)."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return Path(module.generate(out, count))


SIZE = 2000
TODAY = date(2021, 12, 31)
# Runs `ledger ARGS` with no delay before the bar (a quick machine parses 2,000 files in
# less than the second a person would wait), then lists the modules it loaded on the file
# descriptor named by PROBE_FD.
PROBE = ("import os, sys\n"
         "from ledger.present import tables\n"
         "tables.PROGRESS_DELAY = 0\n"
         "from ledger.cli import run\n"
         "code = run(sys.argv[1:])\n"
         "sys.stdout.flush()\n"
         "os.write(int(os.environ['PROBE_FD']), '\\n'.join(sorted(sys.modules)).encode())\n"
         "raise SystemExit(code)\n")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("progress") / "ledger", SIZE)


@pytest.fixture(autouse=True)
def _store_fresh_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keeps no entry for a file changed just now (see ledger.cache.store);
    these files were: count them old enough."""
    from ledger.cache import store

    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)


def _calls(root: Path, **options: object) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    options.setdefault("cache", True)  # the tests' default is off (conftest)
    cache.load(root, progress=lambda done, total: seen.append((done, total)),
               **options)  # type: ignore[arg-type]
    return seen


def _forget(root: Path) -> None:
    for path in (root / ".ledger-cache").glob("*"):
        path.unlink()


def test_the_callback_gets_exact_counts_cold_warm_and_partly_warm(big: Path) -> None:
    _forget(big)
    # Cold, one process: where it starts, each chunk of 64 files, and the end.
    assert _calls(big, jobs=1) == [(0, SIZE), *((64 * k, SIZE) for k in range(1, 32)),
                                   (SIZE, SIZE)]
    # Warm: everything from the cache at once.
    assert _calls(big, jobs=1) == [(SIZE, SIZE)]
    # Three files changed: the cache has the rest, the three are parsed.
    for number in (5, 500, 1500):
        path = big / "data" / "issues" / f"{number:03d}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _calls(big, jobs=1) == [(SIZE - 3, SIZE), (SIZE, SIZE)]


def test_the_callback_with_worker_processes_counts_up_to_all(big: Path) -> None:
    _forget(big)
    seen = _calls(big, jobs=2)
    assert seen[0] == (0, SIZE) and seen[-1] == (SIZE, SIZE)
    assert all(total == SIZE for _, total in seen)
    done = [count for count, _ in seen]
    assert done == sorted(done)
    # Chunk by chunk: every count is a sum of chunks (31 of 64 files, the last of 16).
    assert {count % 64 for count in done} <= {0, SIZE % 64}


def test_without_the_cache_each_file_is_counted(big: Path) -> None:
    seen = _calls(big, cache=False)
    assert seen == [(count, SIZE) for count in range(1, SIZE + 1)]


def test_the_library_reads_the_same_with_and_without_a_callback(big: Path) -> None:
    _forget(big)
    told: list[tuple[int, int]] = []
    with_bar = Ledger(big, TODAY, cache=True,
                      progress=lambda done, total: told.append((done, total)))
    assert with_bar.data == Ledger(big, TODAY, cache=False).data
    assert told[-1] == (SIZE, SIZE)


def _run(root: Path, terminal: bool, progress: str | None = None
         ) -> tuple[int, bytes, bytes, set[str]]:
    """`ledger list --open` cold on `root`: exit code, stdout, stderr, modules loaded."""
    _forget(root)
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEDGER_")}
    env.update(LEDGER_TODAY=TODAY.isoformat(), LEDGER_JOBS="1", TERM="xterm", COLUMNS="100")
    env.pop("NO_COLOR", None)
    if progress is not None:
        env["LEDGER_PROGRESS"] = progress
    modules_read, modules_write = os.pipe()
    if terminal:
        main, secondary = pty.openpty()
        err_target: int = secondary
    else:
        main, secondary = os.pipe()
        err_target = secondary
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:  # the terminal closes when the child is gone
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        done = subprocess.Popen(
            [sys.executable, "-c", PROBE, "--root", str(root), "list", "--open"],
            stdout=subprocess.PIPE, stderr=err_target, env={**env, "PROBE_FD": str(modules_write)},
            pass_fds=(modules_write,))
        os.close(modules_write)
        os.close(secondary)
        out, _ = done.communicate(timeout=300)
        with os.fdopen(modules_read, "rb") as stream:
            modules = set(stream.read().decode().split("\n"))
    finally:
        reader.join(timeout=30)
        os.close(main)
    return done.returncode, out, b"".join(chunks), modules


def test_a_cold_parse_on_a_terminal_draws_the_bar_on_stderr(big: Path) -> None:
    code, out, err, modules = _run(big, terminal=True)
    assert code == 0
    assert out.decode().endswith("项\n")
    drawn = err.decode("utf-8", "replace")
    assert "读取台账文件" in drawn
    assert f"/{SIZE}" in drawn  # the counts, e.g. 64/2000
    assert "剩余" in drawn
    assert "rich.progress" in modules


def test_on_a_pipe_nothing_is_drawn_and_rich_is_not_imported(big: Path) -> None:
    code, _, err, modules = _run(big, terminal=False)
    assert code == 0
    assert err == b""
    assert not {name for name in modules if name == "rich" or name.startswith("rich.")}
    assert "ledger.cache.store" in modules  # the probe saw the run


def test_asked_for_on_a_pipe_plain_lines_are_written(big: Path) -> None:
    """A CI log cannot redraw a bar: plain lines, the last one at the end, and no rich."""
    code, _, err, modules = _run(big, terminal=False, progress="1")
    assert code == 0
    lines = err.decode().splitlines()
    assert lines[-1].startswith(f"读取台账文件:{SIZE}/{SIZE},已用 ")
    assert all(line.startswith("读取台账文件:") and "\r" not in line for line in lines)
    assert "rich" not in modules


def test_refused_on_a_terminal_nothing_is_drawn(big: Path) -> None:
    code, _, err, modules = _run(big, terminal=True, progress="0")
    assert code == 0
    assert err == b""
    assert "rich" not in modules


class _Terminal:
    """A stream that says it is a terminal and keeps what is written."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_work_done_within_the_delay_draws_nothing() -> None:
    from ledger.present.tables import ProgressBar

    stream = _Terminal()
    bar = ProgressBar("读取台账文件", stream, delay=3600)  # type: ignore[arg-type]
    for done in range(0, 2001, 64):
        bar(done, 2000)
    bar(2000, 2000)
    assert stream.written == []
