"""Fixture ledgers for the `ledger check` tests, written into tmp_path.

One ledger (feedback 2021-02-07, checked on 2021-08-01) holds a problem for
every level and every way a deadline is set: each tier, a date, a measure's
earlier deadline, an extension, 长期坚持, closed late, closed in time, none.
"""

from __future__ import annotations

from pathlib import Path

TODAY = "2021-08-01"

HEADER = """\
schema: 1
issuer: 中共某某局党组
title: 关于巡察整改进展情况的通报
inspection: {{kind: 巡察, by: 市委第一巡察组, feedback: 2021-02-07}}
aspects:
  - {{number: 1, title: 关于党的建设方面问题}}
  - {{number: 2, title: 关于作风建设方面问题}}
{policy}"""

ISSUES: dict[int, str] = {
    1: """\
number: 1
aspect: 1
title: 理论学习走过场的问题。
measures: [制定学习计划]
leader: 张三
unit: 办公室
deadline: 立行立改
status: 正在推进
""",
    2: """\
number: 2
aspect: 1
title: 落实意识形态工作责任制不到位,阵地管理存在薄弱环节,网络舆情应对能力不足的问题。
measures: [修订阵地管理办法]
leader: 张三
unit: 宣传科
deadline: 短期
status: 正在推进
""",
    3: """\
number: 3
aspect: 1
title: 基层党组织组织生活不规范的问题。
measures: [规范三会一课]
leader: 李四
unit: 组织科
deadline: 中期
status: 正在推进
""",
    4: """\
number: 4
aspect: 1
title: 干部队伍结构不优的问题。
measures: [制定干部队伍建设规划]
leader: 李四
unit: 组织科
deadline: 长期
status: 正在推进
""",
    5: """\
number: 5
aspect: 2
title: 会议多文件多的问题。
measures: [精简会议文件]
leader: 王五
unit: 综合科
deadline: 2021-08-20
status: 正在推进
""",
    6: """\
number: 6
aspect: 2
title: 公务用车管理不严的问题。
measures:
  - text: 清理公务用车
    deadline: 2021-03-01
    done: 2021-02-28
  - text: 修订用车制度
    deadline: 2021-07-15
leader: 王五
unit: 财务科
deadline: 长期
status: 正在推进
""",
    7: """\
number: 7
aspect: 2
title: 办公用房超标的问题。
measures: [腾退超标用房]
leader: 王五
unit: 后勤中心
deadline: 短期
status: 正在推进
extensions:
  - date: 2021-04-01
    to: 2021-08-15
    reason: 需待新址装修完成
    approved_by: 党组会议
""",
    8: """\
number: 8
aspect: 2
title: 作风建设常态长效机制不健全的问题。
measures: [健全作风建设长效机制]
leader: 赵六
unit: 纪检组
deadline: 长期坚持
status: 长期坚持
""",
    9: """\
number: 9
aspect: 2
title: 违规发放津补贴的问题。
measures:
  - text: 清退违规津补贴
    done: 2021-07-08
leader: 赵六
unit: 人事科
deadline: 2021-06-30
status: 已完成
closed:
  date: 2021-07-10
  evidence: [清退款项收据]
""",
    10: """\
number: 10
aspect: 2
title: 督查检查考核过多的问题。
measures:
  - text: 压减督查检查考核事项
    done: 2021-04-20
leader: 赵六
unit: 督查室
deadline: 中期
status: 已完成
closed:
  date: 2021-05-01
  evidence: [压减事项清单]
""",
    11: """\
number: 11
aspect: 1
title: 党风廉政教育针对性不强的问题。
measures: [开展警示教育]
leader:
unit:
deadline:
status: 正在推进
""",
    12: """\
number: 12
aspect: 1
title: 谈心谈话开展不经常的问题。
measures: [建立谈心谈话制度]
leader: 李四
unit: 组织科
deadline: 2021-08-01
status: 基本完成
""",
}


def write_ledger(root: Path, issues: dict[int, str] | None = None, policy: str = "") -> Path:
    """A ledger under `root`: the header with `policy` (YAML lines) and the problem files."""
    (root / "data" / "issues").mkdir(parents=True)
    (root / "data" / "ledger.yaml").write_text(HEADER.format(policy=policy), encoding="utf-8")
    for number, text in (ISSUES if issues is None else issues).items():
        (root / "data" / "issues" / f"{number:03d}.yaml").write_text(text, encoding="utf-8")
    return root
