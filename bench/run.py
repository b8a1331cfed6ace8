"""Benchmark `ledger` at every size, against floors measured in the same run.

Measures wall time (median of --runs runs), CPU time and peak memory (the
child's maxrss from wait4, the per-child form of getrusage(RUSAGE_CHILDREN);
it covers the parse workers a run forks, as the largest single process) of:

- floors: `python -c pass`, a minimal Typer app printing one line, and per
  size PyYAML's C loader over all problem files (bench/floor_cload.py);
- `ledger validate`, `list --open`, `check`, `render`, at each size, cold (the
  cache file deleted before every run) and warm (cache in place);
- `ledger --help`, and `list --open` on the shipped data to a terminal (a pty).

Output goes to a pipe, read to the end, as a script would read it. Prints a
table and the verdict on issue 7's targets, and writes everything as JSON to
bench/results/. Ledgers are generated once per size under the temp folder
(bench/generate.py), the 23-problem one from the shipped data/.

What it does not do: pin CPUs or quiet the machine. The load average before
and after is recorded; read the CPU column when the machine was busy.

    python bench/run.py                   # 23, 1,000, 10,000, 100,000 problems
    python bench/run.py --quick           # 23 and 1,000, 5 runs
    python bench/run.py --sizes 23,10000 --runs 7
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import pty
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a script beside this one, not a package)

TODAY = "2021-12-31"
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": ("validate",),
    "list --open": ("list", "--open"),
    "check": ("check",),
    "render": ("render",),
}


@dataclass
class Row:
    """One measured command at one size and mode."""

    size: str
    command: str
    mode: str  # cold | warm | floor | pty | —
    runs: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_kib: int = 0
    exit_codes: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


def measure(argv: list[str], env: dict[str, str], cwd: Path, terminal: bool = False,
            before: Path | None = None) -> tuple[float, float, int, int]:
    """Run once: (wall seconds, CPU seconds, maxrss KiB, exit code). `before` is deleted first."""
    if before is not None and before.is_dir():
        shutil.rmtree(before)
    elif before is not None:
        before.unlink(missing_ok=True)
    if terminal:
        return _measure_pty(argv, env, cwd)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            cwd=cwd)
    assert proc.stdout is not None
    while proc.stdout.read(1 << 16):
        pass
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


def _measure_pty(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**env, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                            close_fds=True)
    os.close(slave)
    while True:
        try:
            if not os.read(master, 1 << 16):
                break
        except OSError:  # EIO: the child closed its end
            break
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    os.close(master)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


def repeat(row: Row, argv: list[str], env: dict[str, str], cwd: Path, runs: int,
           terminal: bool = False, before: Path | None = None) -> Row:
    for _ in range(runs):
        wall, cpu, peak, code = measure(argv, env, cwd, terminal, before)
        row.runs.append(wall)
        row.cpu.append(cpu)
        row.peak_kib = max(row.peak_kib, peak)
        row.exit_codes.append(code)
    codes = sorted(set(row.exit_codes))
    if codes != [0]:
        row.note = (row.note + " " if row.note else "") + f"退出码 {'/'.join(map(str, codes))}"
    return row


def ledger_for(size: int, work: Path) -> tuple[Path, str]:
    """A ledger of `size` problems: the shipped data for 23 when present, else generated."""
    shipped = REPO / "data"
    if size == 23 and (shipped / "ledger.yaml").is_file():
        root = work / "shipped"
        if root.exists():
            shutil.rmtree(root)
        (root).mkdir(parents=True)
        shutil.copytree(shipped, root / "data",
                        ignore=shutil.ignore_patterns(".ledger-cache*"))
        return root, "23(随附数据)"
    root = work / f"synthetic-{size}-v{generate.GENERATOR_VERSION}"
    done = root / ".complete"
    if not done.exists():
        if root.exists():
            shutil.rmtree(root)
        print(f"生成 {size} 个问题的台账 → {root}", file=sys.stderr)
        generate.generate(root, size, data_dir=shipped)
        done.write_text("ok")
    # Files must be older than the cache's racy window, or warm runs would re-parse them.
    old = time.time_ns() - 3600 * 10**9
    for path in (root / "data").rglob("*.yaml"):
        os.utime(path, ns=(old, old))
    time.sleep(0.01)
    return root, f"{size:,}"


def run_meta(load_before: tuple[float, float, float], runs: int, rev: str,
             code: str) -> dict[str, object]:
    """What a result file records of the run: when, where, the load, and which code."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "runs": runs,
        "commit": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", rev],
                                 capture_output=True, text=True, check=False).stdout.strip(),
        "code": code,
    }


def snapshot(work: Path, rev: str = "HEAD") -> Path:
    """The `ledger` package as committed at `rev`, unpacked once per commit.

    The cache's stamp covers the source of the parsing modules, so an edit in
    the working tree during a run would turn warm runs cold; and the figures
    should belong to a commit. PYTHONPATH puts it before the editable install.
    """
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", rev], capture_output=True,
                            text=True, check=True).stdout.strip()
    target = work / f"code-{commit[:12]}"
    if not (target / "ledger" / "__init__.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        # templates/ sits beside the package in the source tree (ledger.templates in a wheel)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "ledger",
                                  "templates"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def commands_available(ledger: list[str], env: dict[str, str]) -> dict[str, bool]:
    found = {}
    for name, args in COMMANDS.items():
        code = subprocess.run([*ledger, args[0], "--help"], env=env, capture_output=True,
                              check=False).returncode
        found[name] = code == 0
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description="测量 ledger 在各种规模下的速度和内存")
    parser.add_argument("--sizes", default="23,1000,10000,100000",
                        help="逗号分隔的问题数,默认 23,1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5, help="每项运行次数(取中位数),默认 5")
    parser.add_argument("--quick", action="store_true", help="只测 23 和 1000")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ledger-bench",
                        help="生成台账的目录")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--code", choices=("head", "tree"), default="head",
                        help="测量已提交的代码(head,默认:改动中的工作区不影响测量)或工作区(tree)")
    args = parser.parse_args()
    sizes = [23, 1000] if args.quick else [int(s.replace(",", "").replace("_", ""))
                                           for s in args.sizes.split(",")]
    runs = max(1, args.runs)
    python = sys.executable
    script = Path(python).parent / "ledger"
    ledger = [str(script)] if script.exists() else [python, "-c",
                                                    "from ledger.cli import main; main()"]
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("LEDGER_") and key != "GITHUB_STEP_SUMMARY"}
    # Byte code is written as an installed package would have it (pip compiles on install).
    env.update(LEDGER_TODAY=TODAY, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="")
    args.work.mkdir(parents=True, exist_ok=True)
    if args.code == "head":
        env["PYTHONPATH"] = str(snapshot(args.work))
    load_before = os.getloadavg()
    available = commands_available(ledger, env)
    rows: list[Row] = []

    def show(row: Row) -> Row:
        rows.append(row)
        print(f"  {row.size:>10} {row.command:<14} {row.mode:<5} {row.median:8.3f} s "
              f"(CPU {row.cpu_median:.3f} s, {row.peak_kib / 1024:.0f} MiB) {row.note}",
              file=sys.stderr, flush=True)
        return row

    cwd = args.work
    floor_python = show(repeat(Row("—", "python -c pass", "floor"), [python, "-c", "pass"],
                               env, cwd, runs))
    floor_typer = show(repeat(Row("—", "最小 Typer 应用", "floor"),
                              [python, str(HERE / "floor_typer.py")], env, cwd, runs))
    for size in sizes:
        root, label = ledger_for(size, args.work)
        cache = root / ".ledger-cache"
        show(repeat(Row(label, "C 加载器下限", "floor"),
                    [python, str(HERE / "floor_cload.py"), str(root)], env, root, runs))
        for name, argv in COMMANDS.items():
            if not available[name]:
                rows.append(Row(label, name, "—", note="命令尚不存在,跳过"))
                continue
            full = [*ledger, "--root", str(root), *argv]
            show(repeat(Row(label, name, "cold"), full, env, root, runs, before=cache))
            measure(full, env, root)  # fill the cache
            show(repeat(Row(label, name, "warm"), full, env, root, runs))
        if size == sizes[0]:  # start-up: measured once, on the smallest ledger
            show(repeat(Row(label, "--help", "—"), [*ledger, "--help"], env, root, runs))
            if available["list --open"]:
                show(repeat(Row(label, "list --open", "pty"),
                            [*ledger, "--root", str(root), "list", "--open"], env, root, runs,
                            terminal=True))
    meta = {**run_meta(load_before, runs, "HEAD", args.code),
            "packages": _versions(python)}
    verdicts = judge(rows, floor_python.median, floor_typer.median)
    print_table(rows, floor_python.median, floor_typer.median, meta, verdicts)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({
        "meta": meta,
        "floors": {"python": floor_python.median, "typer": floor_typer.median},
        "rows": [{**asdict(row), "median": row.median, "cpu_median": row.cpu_median,
                  "x_python": row.median / floor_python.median} for row in rows],
        "verdicts": verdicts,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n结果已写入 {out}")


def _versions(python: str) -> dict[str, str]:
    code = ("import importlib.metadata as m, yaml, json; "
            "print(json.dumps({p: m.version(p) for p in ('typer', 'PyYAML', 'rich')} | "
            "{'libyaml': str(yaml.__with_libyaml__)}))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    try:
        return dict(json.loads(out.stdout))
    except ValueError:
        return {}


def judge(rows: list[Row], python: float, typer: float) -> list[dict[str, object]]:
    """Issue 7's and issue 15's targets, each with the figure it was judged on."""
    def find(size_prefix: str, command: str, mode: str) -> Row | None:
        for row in rows:
            if row.size.startswith(size_prefix) and row.command == command and row.mode == mode:
                return row
        return None

    out: list[dict[str, object]] = []

    def target(what: str, row: Row | None, value: float | None, limit: float, unit: str) -> None:
        if row is None or value is None or not row.runs:
            return
        out.append({"target": what, "value": round(value, 3), "limit": limit, "unit": unit,
                    "ok": value <= limit})

    for command in ("list --open", "--help"):
        row = find("23", command, "warm" if command != "--help" else "—")
        target(f"23 热 {command} 管道 ≤10×python", row, row.median / python if row else None,
               10, "×")
    row = find("23", "list --open", "pty")
    target("23 热 list --open 终端 ≤15×python", row, row.median / python if row else None, 15, "×")
    for command in ("list --open", "check"):
        row = find("10,000", command, "warm")
        target(f"10,000 热 {command} <1 s", row, row.median if row else None, 1.0, "s")
    floor = find("10,000", "C 加载器下限", "floor")
    for command in ("validate", "list --open", "check"):
        row = find("10,000", command, "cold")
        if floor is not None and row is not None:
            target(f"10,000 冷 {command} ≤ C 下限×1.2", row, row.median / floor.median, 1.2, "×")
    for command in ("validate", "list --open", "check", "render"):
        row = find("100,000", command, "warm")
        target(f"100,000 热 {command} <8 s", row, row.median if row else None, 8.0, "s")
        target(f"100,000 热 {command} 峰值 <1 GiB", row,
               row.peak_kib / 1024 / 1024 if row else None, 1.0, "GiB")
    # Issue 15: 100,000 warm in 4 s and 200 MiB, cold within 1.2x the floor, start-up.
    floor = find("100,000", "C 加载器下限", "floor")
    for command in ("validate", "list --open", "check"):
        row = find("100,000", command, "warm")
        target(f"100,000 热 {command} ≤4 s", row, row.median if row else None, 4.0, "s")
        target(f"100,000 热 {command} 峰值 ≤200 MiB", row,
               row.peak_kib / 1024 if row else None, 200.0, "MiB")
        row = find("100,000", command, "cold")
        if floor is not None and row is not None:
            target(f"100,000 冷 {command} ≤ C 下限×1.2", row, row.median / floor.median, 1.2, "×")
    row = find("23", "list --open", "warm")
    target("23 热 list --open ≤1.25×最小 Typer 应用", row, row.median / typer if row else None,
           1.25, "×")
    return out


def _cols(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _cols(text))
    return gap + text if right else text + gap


def print_table(rows: list[Row], python: float, typer: float, meta: dict[str, object],
                verdicts: list[dict[str, object]]) -> None:
    loads = "/".join(f"{value:.1f}" for value in meta["load_before"])  # type: ignore[attr-defined]
    loads_after = "/".join(f"{value:.1f}" for value in meta["load_after"])  # type: ignore[attr-defined]
    print(f"\nledger 基准测试  {meta['date']}  Python {meta['python']}  {meta['cpus']} 核  "
          f"负载 {loads} → {loads_after}  每项 {meta['runs']} 次取中位数")
    widths = (13, 15, 5, 9, 8, 8, 7, 10)
    heads = ("规模", "命令", "方式", "中位数(s)", "CPU(s)", "×python", "×typer", "峰值(MiB)")
    print(" ".join(_pad(head, width, index not in (1, 2))
                  for index, (head, width) in enumerate(zip(heads, widths, strict=True)))
          + "  备注")
    for row in rows:
        cells = [row.size, row.command, row.mode]
        if row.runs:
            cells += [f"{row.median:.3f}", f"{row.cpu_median:.3f}", f"{row.median / python:.1f}",
                      f"{row.median / typer:.2f}", f"{row.peak_kib / 1024:.0f}"]
        else:
            cells += [""] * 5
        print(" ".join(_pad(cell, width, index not in (1, 2))
                      for index, (cell, width) in enumerate(zip(cells, widths, strict=True)))
              + "  " + row.note)
    if verdicts:
        print("\n目标(issue 7、issue 15):")
        for verdict in verdicts:
            mark = "达到" if verdict["ok"] else "未达到"
            print(f"  [{mark}] {verdict['target']}: {verdict['value']}{verdict['unit']}")


if __name__ == "__main__":
    main()
