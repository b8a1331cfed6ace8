"""A small ledger for the lifecycle tests, written into tmp_path.

The problem files deliberately mix styles people write by hand: comments,
odd quoting, flow and block collections, a list not indented under its key,
CRLF line endings, and a file without a final line break.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
subjects:
  - number: 1
    aspect: 1
    title: 关于学习不深入问题。
"""

ISSUES = {
    1: """\
# 问题 1:手写的注释,必须原样保留
number: 1
aspect: 1
subject: 1
title: '学习贯彻不深入的问题。'   # 原文照录
measures:
  - 制定学习计划  # 第一项
  - text: "组织专题学习"
    done: 2021-07-01
leader: 张局长
unit: 办公室
co_units: [人事科, 财务科]
owner: 李四
deadline: 2021-12-31
status: 正在推进   # 状态

# 进展
progress:
- date: 2021-07-02
  text: 已召开动员会
""",
    2: """\
number: 2
aspect: 1
title: 制度执行不严格的问题。
measures: ["修订制度", {text: 开展检查, done: 2021-08-01}]
unit: 法规科
deadline: 短期
status: 正在推进
extensions: []
""",
    3: """\
number: 3
aspect: 2
title: >-
  作风不实的
  问题。
measures:
    -   text: 整治文山会海
        done: 2021-09-01
unit: "0755"
deadline: 中期
status: 基本完成
history:
    -   date: 2021-09-02
        action: 状态变更
        note: 正在推进 → 基本完成
""",
    4: "number: 4\r\naspect: 2\r\ntitle: 长效机制的问题。\r\nmeasures:\r\n  - 建立长效机制\r\n"
       "deadline: 长期坚持\r\nstatus: 长期坚持\r\n",
    5: "number: 5\naspect: 2\ntitle: no\nmeasures:\n- 立即整改\nunit: 'yes'\n"
       "deadline: 2021-10-31\nstatus: 正在推进",
}


def make_ledger(root: Path, issues: dict[int, str] | None = None) -> Path:
    """Write the header and problem files under `root`; returns root."""
    (root / "data" / "issues").mkdir(parents=True)
    (root / "data" / "ledger.yaml").write_text(HEADER, encoding="utf-8")
    for number, text in (ISSUES if issues is None else issues).items():
        (root / "data" / "issues" / f"{number:03d}.yaml").write_bytes(text.encode("utf-8"))
    return root


def issue_path(root: Path, number: int) -> Path:
    return root / "data" / "issues" / f"{number:03d}.yaml"


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `ledger` as a separate process, as a user (or a script) would."""
    full_env = {**os.environ, "LEDGER_TODAY": "2021-10-01", "LEDGER_USER": "王五",
                **(env or {})}
    code = "from ledger.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, "--root", str(root), *args],
                          capture_output=True, text=True, env=full_env, cwd=cwd or root,
                          check=False, timeout=60)
