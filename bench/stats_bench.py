"""Bench for issue 13: `stats` and `board` at 10,000 problems (warm cache), and
`stats --history` over 1,000 commits of a 500-problem ledger. Medians of N runs.

    python bench/stats_bench.py [--runs 5] [--work /tmp/ledger-bench-stats]

Targets: stats and board under 1.5 s warm at 10,000; stats --history under 10 s.
The history is built with `git fast-import` (fixed dates): a first commit with
every file, then 999 commits that each change one problem (a closing every
third commit, else a progress note), so most blobs are shared between commits.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

LEDGER = [sys.executable, "-m", "ledger"]


def timed(argv: list[str], cwd: Path, env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return times


def history_repo(root: Path, problems: int, commits: int) -> None:
    """A git repository with `commits` commits over a `problems`-problem ledger."""
    if (root / ".git").exists():
        return
    generate(root, problems)
    files = {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
             for path in sorted((root / "data").rglob("*.yaml"))}
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    start = datetime(2021, 3, 1, 9, tzinfo=timezone(timedelta(hours=8)))
    stream: list[bytes] = []

    def commit(index: int, changed: dict[str, str]) -> None:
        when = int((start + timedelta(hours=7 * index)).timestamp())
        message = f"第{index + 1}次更新".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer 测试 <t@example.org> {when} +0800\n".encode())
        stream.append(f"data {len(message)}\n".encode() + message + b"\n")
        for path, text in changed.items():
            data = text.encode("utf-8")
            stream.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    commit(0, files)
    issues = sorted(path for path in files if path.startswith("data/issues/"))
    for index in range(1, commits):
        path = issues[(index * 7) % len(issues)]
        text = files[path]
        day = (start + timedelta(hours=7 * index)).date().isoformat()
        if index % 3 == 0 and "status: 正在推进\n" in text:
            text = text.replace("status: 正在推进\n", f"status: 已完成\nclosed:\n  date: {day}\n"
                                "  by: 测试\n  evidence:\n    - 整改报告\n", 1)
        else:
            text += f"# {day} 调度\n"
        files[path] = text
        commit(index, {path: text})
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream),
                   check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ledger-bench-stats"))
    args = parser.parse_args()
    env = {**os.environ, "LEDGER_TODAY": "2021-12-31"}
    env.pop("LEDGER_NO_CACHE", None)
    big = args.work / "big"
    if not (big / "data").exists():
        generate(big, 10_000)
        # The cache stores no file changed in the last 2 s (ledger.cache.store.RACY_NS): a
        # warm-up right after generating left the newest files to be parsed by the first
        # measured runs, so "warm" was partly cold.
        time.sleep(2.5)
    subprocess.run([*LEDGER, "stats"], cwd=big, env=env, stdout=subprocess.DEVNULL, check=False)
    hist = args.work / "history"
    history_repo(hist, 500, 1000)
    rows = [
        ("stats, 10,000 problems, warm", [*LEDGER, "stats"], big, 1.5),
        ("stats --format json, 10,000, warm", [*LEDGER, "stats", "--format", "json"], big, 1.5),
        ("board, 10,000 problems, warm", [*LEDGER, "board", "-o", str(args.work / "b.html")],
         big, 1.5),
        ("stats --history (each commit), 1,000 × 500", [*LEDGER, "stats", "--history"], hist,
         10.0),
        ("stats --history --every week, 1,000 × 500",
         [*LEDGER, "stats", "--history", "--every", "week"], hist, 10.0),
        ("board with burndown, 500 problems, 1,000 commits",
         [*LEDGER, "board", "-o", str(args.work / "h.html")], hist, 10.0),
    ]
    print(f"{'what':<52} {'median s':>9} {'min':>7} {'max':>7}  target")
    for name, argv, cwd, target in rows:
        times = timed(argv, cwd, env, args.runs)
        median = statistics.median(times)
        mark = "ok" if median < target else "MISSED"
        print(f"{name:<52} {median:9.3f} {min(times):7.3f} {max(times):7.3f}  <{target} s {mark}")


if __name__ == "__main__":
    main()
