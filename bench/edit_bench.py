"""Edits at every size, against `python -c pass` measured in the same run (issue 15).

Measures wall time (median of --runs runs), CPU time and peak memory (the
child's maxrss from wait4) of `ledger log N "…"`, `close`, `done` and `set` at
23 problems (a copy of the shipped data), 10,000 and 100,000 (generated once
per size, see run.py), the parse cache warm. Each edit is followed by its undo
(`reopen`, `undone`, `set` back), not measured, so that every measured edit
makes the same change on the same problem; `log` needs none. Runs interleave:
each round measures `python -c pass` and then every edit once, so a busy spell
of the shared machine weighs on all of them alike.

Prints a table with each median's ratio to `python -c pass` and the verdict on
issue 15's target (each within 12x), and writes everything as JSON to
bench/results/. The load average before and after is recorded.

    python bench/edit_bench.py                      # 23, 10,000, 100,000
    python bench/edit_bench.py --sizes 23,10000 --runs 7
    python bench/edit_bench.py --sizes 10000 --code 51d0b03   # the code before issue 15
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import TODAY, Row, measure, run_meta, snapshot  # noqa: E402  (a script beside this one)

TARGET = 12.0  # issue 15: each edit within 12x `python -c pass`
EVIDENCE = "会议纪要(基准测试)"


def edits(number: int) -> dict[str, tuple[list[str], list[str] | None]]:
    """Each measured edit of problem `number`, with the command that undoes it."""
    n = str(number)
    return {
        "log": (["log", n, "召开专题会议,研究部署整改工作"], None),
        "close": (["close", n, "--evidence", EVIDENCE, "--force"],
                  ["reopen", n, "--reason", "基准测试复原"]),
        "done": (["done", n, "1"], ["undone", n, "1"]),
        "set": (["set", n, "unit=办公室"], ["set", n, "unit=政治部"]),
    }


def open_problem(root: Path) -> int:
    """The first problem in progress with no measure done: every edit above applies to it."""
    for number in range(1, 1000):
        path = root / "data" / "issues" / f"{number:03d}.yaml"
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if re.search(r"^status: 正在推进$", text, re.M) and "done:" not in text \
                and re.search(r"^measures:\n  - ", text, re.M):
            return number
    raise SystemExit(f"{root}:没有可供测量的未完成问题")


def prepared(size: int, work: Path) -> tuple[Path, str]:
    """run.ledger_for in a child process: it walks every file, and a parent grown by that
    would count in each measured child's peak memory (a fork's maxrss starts at its
    parent's resident size)."""
    code = ("import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "import run; root, label = run.ledger_for(int(sys.argv[2]), Path(sys.argv[3])); "
            "print(json.dumps([str(root), label]))")
    out = subprocess.run([sys.executable, "-c", code, str(HERE), str(size), str(work)],
                         capture_output=True, text=True, check=True).stdout
    root, label = json.loads(out)
    return Path(root), label


def main() -> None:
    parser = argparse.ArgumentParser(description="测量修改命令在各种规模下的速度和内存")
    parser.add_argument("--sizes", default="23,10000,100000",
                        help="逗号分隔的问题数,默认 23,10000,100000")
    parser.add_argument("--runs", type=int, default=5, help="每项运行次数(取中位数),默认 5")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "ledger-edit-bench",
                        help="生成台账的目录")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--code", default="HEAD",
                        help="测量哪个提交的代码(默认 HEAD,工作区的改动不影响测量);tree 测工作区")
    args = parser.parse_args()
    sizes = [int(s.replace(",", "").replace("_", "")) for s in args.sizes.split(",")]
    runs = max(1, args.runs)
    python = sys.executable
    script = Path(python).parent / "ledger"
    ledger = [str(script)] if script.exists() else [python, "-c",
                                                    "from ledger.cli import main; main()"]
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("LEDGER_") and key != "GITHUB_STEP_SUMMARY"}
    env.update(LEDGER_TODAY=TODAY, LEDGER_USER="基准测试", NO_COLOR="1",
               PYTHONDONTWRITEBYTECODE="")
    args.work.mkdir(parents=True, exist_ok=True)
    if args.code != "tree":
        env["PYTHONPATH"] = str(snapshot(args.work, args.code))
    load_before = os.getloadavg()
    floor = Row("—", "python -c pass", "floor")
    rows: list[Row] = [floor]
    for size in sizes:
        root, label = prepared(size, args.work)
        number = open_problem(root)
        base = [*ledger, "--root", str(root)]
        measure([*base, "list"], env, root)  # the cache warm, as a user's would be
        planned = edits(number)
        size_rows = {name: Row(label, f"{name} {number}", "warm") for name in planned}
        rows.extend(size_rows.values())
        for _ in range(runs):
            wall, cpu, peak, code = measure([python, "-c", "pass"], env, root)
            floor.runs.append(wall)
            floor.cpu.append(cpu)
            floor.peak_kib = max(floor.peak_kib, peak)
            floor.exit_codes.append(code)
            for name, (do, undo) in planned.items():
                row = size_rows[name]
                wall, cpu, peak, code = measure([*base, *do], env, root)
                row.runs.append(wall)
                row.cpu.append(cpu)
                row.peak_kib = max(row.peak_kib, peak)
                row.exit_codes.append(code)
                if undo is not None:
                    measure([*base, *undo], env, root)
        for row in size_rows.values():
            codes = sorted(set(row.exit_codes))
            if codes != [0]:
                row.note = f"退出码 {'/'.join(map(str, codes))}"
            print(f"  {row.size:>10} {row.command:<10} {row.median:7.3f} s "
                  f"({row.median / floor.median:4.1f}x,CPU {row.cpu_median:.3f} s,"
                  f"{row.peak_kib / 1024:.0f} MiB) {row.note}", file=sys.stderr, flush=True)
    meta = run_meta(load_before, runs, "HEAD" if args.code == "tree" else args.code, args.code)
    if args.code == "tree":
        meta["commit"] = "工作区"
    print_table(rows, floor.median, meta)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"edits-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({
        "meta": meta, "floor": floor.median,
        "rows": [{**asdict(row), "median": row.median, "cpu_median": row.cpu_median,
                  "x_python": row.median / floor.median} for row in rows],
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n结果已写入 {out}")


def print_table(rows: list[Row], floor: float, meta: dict[str, object]) -> None:
    """The table as bench/README.md shows it (Markdown)."""
    before = ", ".join(f"{value:.2f}" for value in meta["load_before"])  # type: ignore[attr-defined]
    after = ", ".join(f"{value:.2f}" for value in meta["load_after"])  # type: ignore[attr-defined]
    print(f"\n提交 {meta['commit']},{meta['date']},{meta['cpus']} 核,Python {meta['python']},"
          f"每项 {meta['runs']} 次取中位数;负载(1/5/15 分钟)开始 {before},结束 {after}\n")
    print("| 规模 | 命令 | 中位数 | 相对 python -c pass | CPU | 峰值内存 | 目标(≤12x) |")
    print("|---|---|---:|---:|---:|---:|---|")
    for row in rows:
        ratio = row.median / floor
        verdict = "—" if row.mode == "floor" else ("达到" if ratio <= TARGET else "未达到")
        print(f"| {row.size} | `{row.command}` | {row.median * 1000:.0f} ms | {ratio:.1f}x | "
              f"{row.cpu_median * 1000:.0f} ms | {row.peak_kib / 1024:.0f} MiB | {verdict}"
              f"{' ' + row.note if row.note else ''} |")


if __name__ == "__main__":
    main()
