"""A fixture ledger for statistics, the wall chart, history and the roll-up.

Seven problems on 2021-10-01 (feedback 2021-06-01, default policy: green 20
days, yellow 10), one of every kind a count distinguishes:

1. 办公室 / 王局长, 短期 (2021-08-01), 正在推进: red, 61 days over; 1 of 2 measures done
2. 办公室 + 协办 综合科 / 王局长, 2021-12-31, closed 2021-09-01: on time
3. 综合科 / 李副局长, 2021-07-31 extended to 2021-10-08 (slip 69): yellow, 7 days left
4. 综合科 + 协办 办公室、财务科 / 李副局长, 2021-08-31, closed 2021-09-15: late
5. no unit, no leader, 长期坚持: ongoing
6. 财务科 / 王局长, 中期 (2021-12-01), 基本完成: ok, 61 days left
7. 财务科 / 李副局长, 2021-09-20 extended to 2021-10-15 (slip 25): green, 14 days left
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

TODAY = "2021-10-01"

HEADER = """\
schema: 1
issuer: 中共某某局党组
title: 关于巡察整改进展情况的通报
inspection:
  kind: 巡察
  by: 市委第一巡察组
  start: 2021-03-01
  end: 2021-04-30
  feedback: 2021-06-01
aspects:
  - number: 1
    title: 关于党的领导弱化方面问题
  - number: 2
    title: 关于作风建设方面问题
"""

CLOSED = "status: 已完成\nclosed:\n  date: {on}\n  by: 张三\n  evidence:\n    - 整改报告\n"


def problem(number: int, aspect: int, *, unit: str = "", leader: str = "",
            co_units: tuple[str, ...] = (), deadline: str = "", status: str = "正在推进",
            closed: str = "", measures: tuple[bool, ...] = (False,),
            extension: str = "", title: str = "") -> str:
    """The text of one problem file."""
    lines = [f"number: {number}", f"aspect: {aspect}",
             f"title: {title or f'第{number}个问题的描述。'}", "measures:"]
    for index, done in enumerate(measures, start=1):
        lines.append(f"  - text: 措施{index}。")
        if done:
            lines.append("    done: 2021-08-01")
    lines += [f"leader: {leader}", f"unit: {unit}",
              f"co_units: [{', '.join(co_units)}]", "owner:", f"deadline: {deadline}"]
    text = "\n".join(lines) + "\n"
    text += CLOSED.format(on=closed) if closed else f"status: {status}\n"
    if extension:
        when, to = extension.split("/")
        text += (f"extensions:\n  - date: {when}\n    to: {to}\n    reason: 需要协调。\n"
                 "    approved_by: 王局长\n")
    return text


PROBLEMS = {
    1: problem(1, 1, unit="办公室", leader="王局长", deadline="短期", measures=(True, False)),
    2: problem(2, 1, unit="办公室", leader="王局长", co_units=("综合科",),
               deadline="2021-12-31", closed="2021-09-01", measures=(True,)),
    3: problem(3, 2, unit="综合科", leader="李副局长", deadline="2021-07-31",
               extension="2021-07-20/2021-10-08"),
    4: problem(4, 2, unit="综合科", leader="李副局长", co_units=("办公室", "财务科"),
               deadline="2021-08-31", closed="2021-09-15", measures=(True, True)),
    5: problem(5, 2, deadline="长期坚持", status="长期坚持"),
    6: problem(6, 1, unit="财务科", leader="王局长", deadline="中期", status="基本完成"),
    7: problem(7, 2, unit="财务科", leader="李副局长", deadline="2021-09-20",
               extension="2021-09-10/2021-10-15"),
}


def write_ledger(root: Path, problems: dict[int, str] | None = None,
                 header: str = HEADER) -> Path:
    """A ledger folder with the header and these problem files (default: the seven above)."""
    issues = root / "data" / "issues"
    issues.mkdir(parents=True, exist_ok=True)
    (root / "data" / "ledger.yaml").write_text(header, encoding="utf-8")
    for number, text in (PROBLEMS if problems is None else problems).items():
        (issues / f"{number:03d}.yaml").write_text(text, encoding="utf-8")
    return root


def git(root: Path, *args: str, when: str = "2021-06-01T12:00:00+08:00") -> str:
    """Run git in `root` with a fixed author, committer and date."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root)}
    done = subprocess.run(["git", *args], cwd=root, env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout


def commit_all(root: Path, when: str, message: str = "更新") -> None:
    git(root, "add", "-A", when=when)
    git(root, "commit", "-q", "-m", message, when=when)
