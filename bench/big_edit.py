"""One huge but legal problem file, edited: what `ledger log` costs on it.

Writes a ledger (tests/_lifecycle's header and problems) whose problem 5 has
ENTRIES progress notes (default 240,000: about 7 MB, under the loader's 8 MiB
cap), then runs `ledger log 5 …` as a separate process and prints its wall time
and peak memory. A measurement to run by hand, not a test:

    python bench/big_edit.py [ENTRIES] [--profile]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests._lifecycle import ISSUES, make_ledger


def build(root: Path, entries: int) -> Path:
    make_ledger(root)
    path = root / "data" / "issues" / "005.yaml"
    lines = [ISSUES[5], "\nprogress:\n"]
    lines += [f"- {{date: 2021-07-{1 + i % 28:02d}, text: x{i % 10}}}\n"
              for i in range(entries)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def main() -> None:
    entries = int(next((arg for arg in sys.argv[1:] if arg.isdigit()), "240000"))
    profile = "--profile" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "ledger", entries)
        print(f"{path.name}: {entries} progress notes, {path.stat().st_size / 2**20:.1f} MiB")
        run = ["-c", "from ledger.cli import main; main()"]
        if profile:
            run = ["-m", "cProfile", "-s", "cumulative", "-m", "ledger"]
        env = {**os.environ, "LEDGER_TODAY": "2021-10-01", "LEDGER_USER": "测"}
        commands = [["log", "5", "记录"], ["close", "5", "--force", "-e", "纪要"]]
        for cache, command in (("1", commands[0]), ("0", commands[0]), ("1", commands[1])):
            start = time.perf_counter()
            result = subprocess.run([sys.executable, *run, "--root", str(path.parents[2]),
                                     *command], env={**env, "LEDGER_NO_CACHE": cache},
                                    capture_output=True, text=True, check=False)
            wall = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"{command[0]}, LEDGER_NO_CACHE={cache}: exit {result.returncode}, {wall:.1f} s, "
                  f"peak of children so far {peak:.0f} MiB")
            print(result.stderr.strip()[:300] or result.stdout.strip()[:300])
            if profile:
                print("\n".join(result.stdout.splitlines()[:60]))


if __name__ == "__main__":
    main()
