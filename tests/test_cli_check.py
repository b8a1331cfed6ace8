"""`ledger check` through the CLI: every level, every deadline tier, exact output in every format.

The fixture ledger (tests/_check.py) is checked on 2021-08-01 with feedback on
2021-02-07, so 立行立改 = 2021-02-07, 短期 = 2021-04-07, 中期 = 2021-08-07 and
长期 = 2022-02-07.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from ._check import ISSUES, TODAY, write_ledger
from .conftest import Run

KEYS = ("number", "title", "aspect", "unit", "leader", "level", "level_name", "fails",
        "deadline", "deadline_label", "basis", "days", "closed", "path", "line", "column")
LONG = "落实意识形态工作责任制不到位,阵地管理存在薄弱环节,网络舆情应对能力不足的问题。"

# Every problem of the fixture as `check --format json` must report it.
PROBLEMS = [
    (1, "理论学习走过场的问题。", 1, "办公室", "张三", "red", "红色预警", True,
     "2021-02-07", "立行立改 2021年2月7日", "deadline", -175, None, "data/issues/001.yaml", 7, 11),
    (2, LONG, 1, "宣传科", "张三", "red", "红色预警", True,
     "2021-04-07", "短期 2021年4月7日", "deadline", -116, None, "data/issues/002.yaml", 7, 11),
    (3, "基层党组织组织生活不规范的问题。", 1, "组织科", "李四", "yellow", "黄色预警", False,
     "2021-08-07", "中期 2021年8月7日", "deadline", 6, None, "data/issues/003.yaml", 7, 11),
    (4, "干部队伍结构不优的问题。", 1, "组织科", "李四", "ok", "时限未到", False,
     "2022-02-07", "长期 2022年2月7日", "deadline", 190, None, "data/issues/004.yaml", 7, 11),
    (5, "会议多文件多的问题。", 2, "综合科", "王五", "green", "绿色提醒", False,
     "2021-08-20", "2021年8月20日", "deadline", 19, None, "data/issues/005.yaml", 7, 11),
    # The measure's own 2021-07-15 binds before the problem's 长期; the done measure's does not.
    (6, "公务用车管理不严的问题。", 2, "财务科", "王五", "red", "红色预警", True,
     "2021-07-15", "2021年7月15日(第2项措施)", "measure", -17, None,
     "data/issues/006.yaml", 9, 15),
    # 短期 (2021-04-07) extended to 2021-08-15: the annotation points at `to:`.
    (7, "办公用房超标的问题。", 2, "后勤中心", "王五", "green", "绿色提醒", False,
     "2021-08-15", "2021年8月15日(已延期)", "extension", 14, None,
     "data/issues/007.yaml", 11, 9),
    (8, "作风建设常态长效机制不健全的问题。", 2, "纪检组", "赵六", "ongoing", "长期坚持", False,
     None, "长期坚持", "deadline", None, None, "data/issues/008.yaml", 7, 11),
    (9, "违规发放津补贴的问题。", 2, "人事科", "赵六", "closed-late", "逾期完成", False,
     "2021-06-30", "2021年6月30日", "deadline", -10, "2021-07-10", "data/issues/009.yaml", 9, 11),
    (10, "督查检查考核过多的问题。", 2, "督查室", "赵六", "closed", "按期完成", False,
     "2021-08-07", "中期 2021年8月7日", "deadline", 98, "2021-05-01",
     "data/issues/010.yaml", 9, 11),
    (11, "党风廉政教育针对性不强的问题。", 1, "", "", "no-deadline", "未设时限", False,
     None, "", "deadline", None, None, "data/issues/011.yaml", 7, 10),
    (12, "谈心谈话开展不经常的问题。", 1, "组织科", "李四", "yellow", "黄色预警", False,
     "2021-08-01", "2021年8月1日", "deadline", 0, None, "data/issues/012.yaml", 7, 11),
]

NO_DEADLINE_WARNING = ("1 个未销号问题没有整改时限(问题 11),无法判断是否超期;"
                       "请在 deadline 中填写日期或 立行立改/短期/中期/长期/长期坚持。")

TEXT = """\
整改时限检查:今天是 2021年8月1日
预警规则:到期前 20 天内绿色提醒,10 天内黄色预警,超期红色预警;不通过的级别:红色预警

红色预警(已超期)3 个,判为不通过:
  (1) 理论学习走过场的问题。  责任单位:办公室  责任领导:张三  时限:立行立改 2021年2月7日  超期 175 天
  (2) 落实意识形态工作责任制不到位,阵地管理存在薄弱环节,网络舆情…  责任单位:宣传科  责任领导:张三  时限:短期 2021年4月7日  超期 116 天
  (6) 公务用车管理不严的问题。  责任单位:财务科  责任领导:王五  时限:2021年7月15日(第2项措施)  超期 17 天

黄色预警(10 天内到期)2 个:
  (12) 谈心谈话开展不经常的问题。  责任单位:组织科  责任领导:李四  时限:2021年8月1日  今天到期
  (3) 基层党组织组织生活不规范的问题。  责任单位:组织科  责任领导:李四  时限:中期 2021年8月7日  还剩 6 天

绿色提醒(20 天内到期)2 个:
  (7) 办公用房超标的问题。  责任单位:后勤中心  责任领导:王五  时限:2021年8月15日(已延期)  还剩 14 天
  (5) 会议多文件多的问题。  责任单位:综合科  责任领导:王五  时限:2021年8月20日  还剩 19 天

长期坚持(不计超期)1 个:
  (8) 作风建设常态长效机制不健全的问题。  责任单位:纪检组  责任领导:赵六  时限:长期坚持

逾期完成(销号晚于时限)1 个:
  (9) 违规发放津补贴的问题。  责任单位:人事科  责任领导:赵六  时限:2021年6月30日  逾期 10 天完成(2021年7月10日销号)

合计 12 个问题:红色预警 3,黄色预警 2,绿色提醒 2,时限未到 1,长期坚持 1,逾期完成 1,按期完成 1,未设时限 1。
警告:1 个未销号问题没有整改时限(问题 11),无法判断是否超期;请在 deadline 中填写日期或 立行立改/短期/中期/长期/长期坚持。
结论:不通过,3 个问题达到不通过的级别(红色预警)。
"""  # noqa: E501 - the report's lines are long; the exact text is the point

GITHUB = """\
::error file=data/issues/001.yaml,line=7,col=11,title=红色预警%3A问题 1::问题 1「理论学习走过场的问题。」超期 175 天;时限:立行立改 2021年2月7日;责任单位:办公室;责任领导:张三
::error file=data/issues/002.yaml,line=7,col=11,title=红色预警%3A问题 2::问题 2「落实意识形态工作责任制不到位,阵地管理存在薄弱环节,网络舆情应对能力不足的问题。」超期 116 天;时限:短期 2021年4月7日;责任单位:宣传科;责任领导:张三
::error file=data/issues/006.yaml,line=9,col=15,title=红色预警%3A问题 6::问题 6「公务用车管理不严的问题。」超期 17 天;时限:2021年7月15日(第2项措施);责任单位:财务科;责任领导:王五
::warning file=data/issues/012.yaml,line=7,col=11,title=黄色预警%3A问题 12::问题 12「谈心谈话开展不经常的问题。」今天到期;时限:2021年8月1日;责任单位:组织科;责任领导:李四
::warning file=data/issues/003.yaml,line=7,col=11,title=黄色预警%3A问题 3::问题 3「基层党组织组织生活不规范的问题。」还剩 6 天;时限:中期 2021年8月7日;责任单位:组织科;责任领导:李四
::warning file=data/issues/007.yaml,line=11,col=9,title=绿色提醒%3A问题 7::问题 7「办公用房超标的问题。」还剩 14 天;时限:2021年8月15日(已延期);责任单位:后勤中心;责任领导:王五
::warning file=data/issues/005.yaml,line=7,col=11,title=绿色提醒%3A问题 5::问题 5「会议多文件多的问题。」还剩 19 天;时限:2021年8月20日;责任单位:综合科;责任领导:王五
::warning title=整改时限检查::1 个未销号问题没有整改时限(问题 11),无法判断是否超期;请在 deadline 中填写日期或 立行立改/短期/中期/长期/长期坚持。
合计 12 个问题:红色预警 3,黄色预警 2,绿色提醒 2,时限未到 1,长期坚持 1,逾期完成 1,按期完成 1,未设时限 1。
结论:不通过,3 个问题达到不通过的级别(红色预警)。
"""  # noqa: E501

SUMMARY = """\
## 整改时限检查(2021年8月1日)

结论:**不通过**,3 个问题达到不通过的级别(红色预警)。

| 级别 | 序号 | 问题 | 责任单位 | 责任领导 | 时限 | 情况 |
| --- | --- | --- | --- | --- | --- | --- |
| 红色预警(不通过) | 1 | 理论学习走过场的问题。 | 办公室 | 张三 | 立行立改 2021年2月7日 | 超期 175 天 |
| 红色预警(不通过) | 2 | 落实意识形态工作责任制不到位,阵地管理存在薄弱环节,网络舆情应对能力不足的问题。 | 宣传科 | 张三 | 短期 2021年4月7日 | 超期 116 天 |
| 红色预警(不通过) | 6 | 公务用车管理不严的问题。 | 财务科 | 王五 | 2021年7月15日(第2项措施) | 超期 17 天 |
| 黄色预警 | 12 | 谈心谈话开展不经常的问题。 | 组织科 | 李四 | 2021年8月1日 | 今天到期 |
| 黄色预警 | 3 | 基层党组织组织生活不规范的问题。 | 组织科 | 李四 | 中期 2021年8月7日 | 还剩 6 天 |
| 绿色提醒 | 7 | 办公用房超标的问题。 | 后勤中心 | 王五 | 2021年8月15日(已延期) | 还剩 14 天 |
| 绿色提醒 | 5 | 会议多文件多的问题。 | 综合科 | 王五 | 2021年8月20日 | 还剩 19 天 |
| 长期坚持 | 8 | 作风建设常态长效机制不健全的问题。 | 纪检组 | 赵六 | 长期坚持 | — |
| 逾期完成 | 9 | 违规发放津补贴的问题。 | 人事科 | 赵六 | 2021年6月30日 | 逾期 10 天完成(2021年7月10日销号) |

合计 12 个问题:红色预警 3,黄色预警 2,绿色提醒 2,时限未到 1,长期坚持 1,逾期完成 1,按期完成 1,未设时限 1。

> 警告:1 个未销号问题没有整改时限(问题 11),无法判断是否超期;请在 deadline 中填写日期或 立行立改/短期/中期/长期/长期坚持。
"""  # noqa: E501


def _detail(path: str, level: str, label: str, unit: str, leader: str, days: str = "") -> str:
    return (f"{path}\n级别:{level}\n时限:{label}\n责任单位:{unit}\n责任领导:{leader}\n"
            + (f"情况:{days}\n" if days else ""))


JUNIT = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ledger check" tests="10" failures="3" errors="0" time="0">
  <testsuite name="整改时限检查" tests="10" failures="3" errors="0" skipped="2" time="0">
    <testcase name="问题 1:理论学习走过场的问题。" classname="整改台账.方面1" time="0">
      <failure type="red" message="红色预警:超期 175 天">{_detail("data/issues/001.yaml:7", "红色预警", "立行立改 2021年2月7日", "办公室", "张三", "超期 175 天")}</failure>
    </testcase>
    <testcase name="问题 2:{LONG}" classname="整改台账.方面1" time="0">
      <failure type="red" message="红色预警:超期 116 天">{_detail("data/issues/002.yaml:7", "红色预警", "短期 2021年4月7日", "宣传科", "张三", "超期 116 天")}</failure>
    </testcase>
    <testcase name="问题 3:基层党组织组织生活不规范的问题。" classname="整改台账.方面1" time="0">
      <system-out>{_detail("data/issues/003.yaml:7", "黄色预警", "中期 2021年8月7日", "组织科", "李四", "还剩 6 天")}</system-out>
    </testcase>
    <testcase name="问题 4:干部队伍结构不优的问题。" classname="整改台账.方面1" time="0">
      <system-out>{_detail("data/issues/004.yaml:7", "时限未到", "长期 2022年2月7日", "组织科", "李四", "还剩 190 天")}</system-out>
    </testcase>
    <testcase name="问题 5:会议多文件多的问题。" classname="整改台账.方面2" time="0">
      <system-out>{_detail("data/issues/005.yaml:7", "绿色提醒", "2021年8月20日", "综合科", "王五", "还剩 19 天")}</system-out>
    </testcase>
    <testcase name="问题 6:公务用车管理不严的问题。" classname="整改台账.方面2" time="0">
      <failure type="red" message="红色预警:超期 17 天">{_detail("data/issues/006.yaml:9", "红色预警", "2021年7月15日(第2项措施)", "财务科", "王五", "超期 17 天")}</failure>
    </testcase>
    <testcase name="问题 7:办公用房超标的问题。" classname="整改台账.方面2" time="0">
      <system-out>{_detail("data/issues/007.yaml:11", "绿色提醒", "2021年8月15日(已延期)", "后勤中心", "王五", "还剩 14 天")}</system-out>
    </testcase>
    <testcase name="问题 8:作风建设常态长效机制不健全的问题。" classname="整改台账.方面2" time="0">
      <skipped message="长期坚持,不计超期" />
      <system-out>{_detail("data/issues/008.yaml:7", "长期坚持", "长期坚持", "纪检组", "赵六")}</system-out>
    </testcase>
    <testcase name="问题 11:党风廉政教育针对性不强的问题。" classname="整改台账.方面1" time="0">
      <skipped message="未设整改时限,无法判断是否超期" />
      <system-out>{_detail("data/issues/011.yaml:7", "未设时限", "未设", "未填", "未填")}</system-out>
    </testcase>
    <testcase name="问题 12:谈心谈话开展不经常的问题。" classname="整改台账.方面1" time="0">
      <system-out>{_detail("data/issues/012.yaml:7", "黄色预警", "2021年8月1日", "组织科", "李四", "今天到期")}</system-out>
    </testcase>
  </testsuite>
</testsuites>
"""  # noqa: E501


def _sarif_result(rule: int, level: str, number: int, message: str, line: int,
                  col: int) -> dict[str, object]:
    return {
        "ruleId": ("deadline-red", "deadline-yellow", "deadline-green")[rule],
        "ruleIndex": rule,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": f"data/issues/{number:03d}.yaml"},
            "region": {"startLine": line, "startColumn": col},
        }}],
        "partialFingerprints": {"ledgerProblem/v1": str(number)},
    }


RED_FULL = ("问题尚未销号,当前有效时限(问题的时限、最后一次延期的新时限或未完成措施的时限)"
            "已经过去:红色预警。")
YELLOW_FULL = "问题尚未销号,离当前有效时限不足 10 天(含今天到期):黄色预警。"
GREEN_FULL = "问题尚未销号,离当前有效时限不足 20 天:绿色提醒。"

SARIF = {
    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "version": "2.1.0",
    "runs": [{
        "tool": {"driver": {"name": "ledger", "version": "0.1.0", "rules": [
            {"id": "deadline-red", "name": "红色预警",
             "shortDescription": {"text": "未销号的问题已超过整改时限"},
             "fullDescription": {"text": RED_FULL},
             "defaultConfiguration": {"level": "error"},
             "help": {"text": RED_FULL + "\n处理:\n"
                      "- 整改已完成的,凭佐证材料销号:ledger close 序号 --evidence 材料\n"
                      "- 确需延期的,经批准后登记延期:ledger extend 序号 --to 日期 --reason 理由\n"
                      "- 时限填错的,更正时限:ledger set 序号 deadline=日期",
                      "markdown": RED_FULL + "\n\n处理:\n\n"
                      "- 整改已完成的,凭佐证材料销号:`ledger close 序号 --evidence 材料`\n"
                      "- 确需延期的,经批准后登记延期:"
                      "`ledger extend 序号 --to 日期 --reason 理由`\n"
                      "- 时限填错的,更正时限:`ledger set 序号 deadline=日期`"}},
            {"id": "deadline-yellow", "name": "黄色预警",
             "shortDescription": {"text": "未销号的问题即将到期(黄色预警)"},
             "fullDescription": {"text": YELLOW_FULL},
             "defaultConfiguration": {"level": "warning"},
             "help": {"text": YELLOW_FULL + "\n处理:\n"
                      "- 抓紧整改,完成后凭佐证材料销号:ledger close 序号 --evidence 材料\n"
                      "- 记下最新进展:ledger log 序号 进展\n"
                      "- 确需延期的,在到期前登记延期:ledger extend 序号 --to 日期 --reason 理由",
                      "markdown": YELLOW_FULL + "\n\n处理:\n\n"
                      "- 抓紧整改,完成后凭佐证材料销号:`ledger close 序号 --evidence 材料`\n"
                      "- 记下最新进展:`ledger log 序号 进展`\n"
                      "- 确需延期的,在到期前登记延期:"
                      "`ledger extend 序号 --to 日期 --reason 理由`"}},
            {"id": "deadline-green", "name": "绿色提醒",
             "shortDescription": {"text": "未销号的问题临近时限(绿色提醒)"},
             "fullDescription": {"text": GREEN_FULL},
             "defaultConfiguration": {"level": "warning"},
             "help": {"text": GREEN_FULL + "\n处理:\n"
                      "- 核对各项措施的进度,完成一项标记一项:ledger done 序号 措施序号\n"
                      "- 记下最新进展:ledger log 序号 进展",
                      "markdown": GREEN_FULL + "\n\n处理:\n\n"
                      "- 核对各项措施的进度,完成一项标记一项:`ledger done 序号 措施序号`\n"
                      "- 记下最新进展:`ledger log 序号 进展`"}},
        ]}},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": NO_DEADLINE_WARNING}}],
        }],
        "columnKind": "unicodeCodePoints",
        "results": [
            _sarif_result(0, "error", 1, "问题 1「理论学习走过场的问题。」超期 175 天;"
                          "时限:立行立改 2021年2月7日;责任单位:办公室;责任领导:张三", 7, 11),
            _sarif_result(0, "error", 2, f"问题 2「{LONG}」超期 116 天;"
                          "时限:短期 2021年4月7日;责任单位:宣传科;责任领导:张三", 7, 11),
            _sarif_result(0, "error", 6, "问题 6「公务用车管理不严的问题。」超期 17 天;"
                          "时限:2021年7月15日(第2项措施);责任单位:财务科;责任领导:王五", 9, 15),
            _sarif_result(1, "warning", 12, "问题 12「谈心谈话开展不经常的问题。」今天到期;"
                          "时限:2021年8月1日;责任单位:组织科;责任领导:李四", 7, 11),
            _sarif_result(1, "warning", 3, "问题 3「基层党组织组织生活不规范的问题。」还剩 6 天;"
                          "时限:中期 2021年8月7日;责任单位:组织科;责任领导:李四", 7, 11),
            _sarif_result(2, "warning", 7, "问题 7「办公用房超标的问题。」还剩 14 天;"
                          "时限:2021年8月15日(已延期);责任单位:后勤中心;责任领导:王五", 11, 9),
            _sarif_result(2, "warning", 5, "问题 5「会议多文件多的问题。」还剩 19 天;"
                          "时限:2021年8月20日;责任单位:综合科;责任领导:王五", 7, 11),
        ],
    }],
}


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture ledger, with the working directory at its root (so paths get no prefix)."""
    root = write_ledger(tmp_path / "ledger")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    return root


def _check(run: Run, root: Path, *args: str) -> tuple[int, str]:
    result = run("--root", root, "--today", TODAY, "check", *args)
    return result.exit_code, result.stdout


def test_text_exact(run: Run, ledger: Path) -> None:
    assert _check(run, ledger) == (3, TEXT)


def test_json_exact(run: Run, ledger: Path) -> None:
    code, out = _check(run, ledger, "--format", "json")
    expected = {
        "today": "2021-08-01",
        "passed": False,
        "policy": {"green_days": 20, "yellow_days": 10, "fail_on": ["red"]},
        "counts": {"red": 3, "yellow": 2, "green": 2, "ok": 1, "ongoing": 1,
                   "closed-late": 1, "closed": 1, "no-deadline": 1},
        "failing": [1, 2, 6],
        "warnings": [NO_DEADLINE_WARNING],
        "problems": [dict(zip(KEYS, values, strict=True)) for values in PROBLEMS],
    }
    assert code == 3
    assert out == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


def test_github_exact_with_job_summary(run: Run, ledger: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# 前一步的摘要\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert _check(run, ledger, "--format", "github") == (3, GITHUB)
    # Appended, never overwriting what earlier steps wrote.
    assert summary.read_text(encoding="utf-8") == "# 前一步的摘要\n" + SUMMARY


def test_github_without_summary_file_writes_none(run: Run, ledger: Path, tmp_path: Path) -> None:
    assert _check(run, ledger, "--format", "github") == (3, GITHUB)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ledger"]


def test_junit_exact(run: Run, ledger: Path) -> None:
    assert _check(run, ledger, "--format", "junit") == (3, JUNIT)


def test_sarif_exact(run: Run, ledger: Path) -> None:
    code, out = _check(run, ledger, "--format", "sarif")
    assert code == 3
    assert out == json.dumps(SARIF, ensure_ascii=False, indent=2) + "\n"


DOCS = "https://git.example.cn/%E6%95%B4%E6%94%B9/ledger/blob/0a1b2c3/docs/"


@pytest.mark.parametrize("url", [
    "https://git.example.cn/整改/ledger/blob/0a1b2c3/docs",
    "https://git.example.cn/%E6%95%B4%E6%94%B9/ledger/blob/0a1b2c3/docs/",
])
def test_sarif_rules_link_into_the_docs(run: Run, ledger: Path, monkeypatch: pytest.MonkeyPatch,
                                        url: str) -> None:
    monkeypatch.setenv("LEDGER_DOCS_URL", url)
    code, out = _check(run, ledger, "--format", "sarif")
    assert code == 3
    driver = json.loads(out)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == DOCS + "ci.md"
    assert [rule["helpUri"] for rule in driver["rules"]] == [
        DOCS + "ci.md#deadline-red", DOCS + "ci.md#deadline-yellow",
        DOCS + "ci.md#deadline-green"]
    # Nothing else changes: without the links the log is the exact one above.
    del driver["informationUri"]
    for rule in driver["rules"]:
        del rule["helpUri"]
    assert json.loads(out)["runs"][0]["results"] == SARIF["runs"][0]["results"]  # type: ignore[index]
    expected_driver = SARIF["runs"][0]["tool"]["driver"]  # type: ignore[index]
    assert driver == expected_driver


@pytest.mark.parametrize("url", ["git.example.cn/docs/", "file:///srv/ledger/docs/",
                                 "https://git.example.cn/docs/?ref=main"])
def test_sarif_docs_url_not_absolute_is_a_usage_error(run: Run, ledger: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      url: str) -> None:
    monkeypatch.setenv("LEDGER_DOCS_URL", url)
    result = run("--root", ledger, "--today", TODAY, "check", "--format", "sarif")
    assert result.exit_code == 2
    assert "LEDGER_DOCS_URL 应为 ledger 的 docs 目录的完整网址" in result.output
    assert result.stdout == ""


def test_output_file_gets_the_format_and_the_log_gets_text(run: Run, ledger: Path,
                                                          tmp_path: Path) -> None:
    report = tmp_path / "ledger-check.xml"
    assert _check(run, ledger, "--format", "junit", "-o", str(report)) == (3, TEXT)
    assert report.read_text(encoding="utf-8") == JUNIT


def test_output_to_unwritable_place_exits_4(run: Run, ledger: Path, tmp_path: Path) -> None:
    result = run("--root", ledger, "--today", TODAY, "check", "-f", "junit",
                 "-o", tmp_path / "missing" / "report.xml")
    assert result.exit_code == 4
    assert not (tmp_path / "missing").exists()


def test_paths_carry_the_ledger_folder_inside_the_repository(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_ledger(tmp_path / "repo" / "台账")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "repo"))
    code, out = _check(run, root, "--format", "github")
    assert code == 3
    assert out.splitlines()[0].startswith("::error file=台账/data/issues/001.yaml,line=7,")
    code, out = _check(run, root, "--format", "sarif")
    uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "%E5%8F%B0%E8%B4%A6/data/issues/001.yaml"


# ---------------------------------------------------------------- policy and exit codes

YELLOW_ONLY = {number: ISSUES[number] for number in (3, 4, 5, 8, 10, 12)}


def test_all_clear_exits_0(run: Run, tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", YELLOW_ONLY)
    code, out = _check(run, root)
    assert code == 0
    assert out.endswith("合计 6 个问题:红色预警 0,黄色预警 2,绿色提醒 1,时限未到 1,长期坚持 1,"
                        "逾期完成 0,按期完成 1,未设时限 0。\n结论:通过。\n")


def test_policy_failing_on_yellow(run: Run, tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", YELLOW_ONLY,
                        "policy: {green_days: 20, yellow_days: 10, fail_on: [yellow, red]}\n")
    code, out = _check(run, root)
    assert code == 3
    assert out == (
        "整改时限检查:今天是 2021年8月1日\n"
        "预警规则:到期前 20 天内绿色提醒,10 天内黄色预警,超期红色预警;"
        "不通过的级别:红色预警、黄色预警\n"
        "\n"
        "黄色预警(10 天内到期)2 个,判为不通过:\n"
        "  (12) 谈心谈话开展不经常的问题。  责任单位:组织科  责任领导:李四  时限:2021年8月1日"
        "  今天到期\n"
        "  (3) 基层党组织组织生活不规范的问题。  责任单位:组织科  责任领导:李四"
        "  时限:中期 2021年8月7日  还剩 6 天\n"
        "\n"
        "绿色提醒(20 天内到期)1 个:\n"
        "  (5) 会议多文件多的问题。  责任单位:综合科  责任领导:王五  时限:2021年8月20日"
        "  还剩 19 天\n"
        "\n"
        "长期坚持(不计超期)1 个:\n"
        "  (8) 作风建设常态长效机制不健全的问题。  责任单位:纪检组  责任领导:赵六  时限:长期坚持\n"
        "\n"
        "合计 6 个问题:红色预警 0,黄色预警 2,绿色提醒 1,时限未到 1,长期坚持 1,"
        "逾期完成 0,按期完成 1,未设时限 0。\n"
        "结论:不通过,2 个问题达到不通过的级别(黄色预警)。\n"
    )
    code, out = _check(run, root, "--format", "github")
    assert [line.split(" ", 1)[0] for line in out.splitlines()[:3]] == [
        "::error", "::error", "::warning"]


def test_fail_on_yellow_without_red_is_warned(run: Run, tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", None, "policy: {fail_on: [yellow]}\n")
    code, out = _check(run, root, "--format", "json")
    data = json.loads(out)
    assert code == 3
    assert data["failing"] == [3, 12]  # red problems do not fail: exactly what was written
    assert data["warnings"][0] == ("预警规则 fail_on 含 yellow 却不含 red:红色预警的问题不会使检查"
                                   "不通过;如需判为不通过,请把 red 也写进 fail_on。")


def test_thresholds_come_from_the_policy(run: Run, tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", None,
                        "policy: {green_days: 200, yellow_days: 5}\n")
    code, out = _check(run, root, "--format", "json")
    levels = {item["number"]: item["level"] for item in json.loads(out)["problems"]}
    assert code == 3
    # 6 days left is green at yellow_days 5; 190 days is green at green_days 200.
    assert (levels[3], levels[4], levels[12]) == ("green", "green", "yellow")


def test_empty_fail_on_never_fails(run: Run, tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", None, "policy: {fail_on: []}\n")
    code, out = _check(run, root)
    assert code == 0
    assert "不通过的级别:无(只提醒,不判不通过)" in out
    assert out.endswith("结论:通过。\n")


@pytest.mark.parametrize(("policy", "message"), [
    ("policy: {fail_on: [orange]}\n", "未知的预警级别 \"orange\""),
    ("policy: {green_days: 5, yellow_days: 10}\n", "黄色预警天数(10)大于绿色提醒天数(5)"),
    ("policy: {green_days: '20'}\n", "应当是整数"),
    ("policy: {red_days: 1}\n", "未知的键 red_days"),
])
def test_invalid_policy_exits_1_with_diagnostics(run: Run, tmp_path: Path, policy: str,
                                                 message: str) -> None:
    root = write_ledger(tmp_path / "l", None, policy)
    code, out = _check(run, root)
    assert code == 1
    assert out.startswith("data/ledger.yaml:8:")
    assert message in out


def test_invalid_data_exits_1_in_the_machine_format(run: Run, tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "l", {1: ISSUES[1].replace("status: 正在推进", "status: 在办")})
    code, out = _check(run, root, "--format", "json")
    assert code == 1
    assert [item["code"] for item in json.loads(out)] == ["unknown-status"]
    code, out = _check(run, root, "--format", "github")
    assert code == 1
    assert out.startswith("::error file=data/issues/001.yaml,line=8,")
    code, out = _check(run, root, "--format", "sarif")
    assert code == 1
    assert out.startswith("data/issues/001.yaml:8:")


def test_data_warnings_never_fail(run: Run, tmp_path: Path) -> None:
    text = ISSUES[5].replace("measures: [精简会议文件]\n", "")
    root = write_ledger(tmp_path / "l", {5: text}, "policy: {green_days: 10, yellow_days: 5}\n")
    code, out = _check(run, root)
    assert code == 0
    assert out.endswith("警告:台账数据有 1 个警告;请运行 ledger validate 查看。\n结论:通过。\n")


def test_unknown_format_is_a_usage_error(run: Run, ledger: Path) -> None:
    result = run("--root", ledger, "check", "--format", "xml")
    assert result.exit_code == 2


# ---------------------------------------------------------------- the shipped data's shape

def _undated(number: int) -> str:
    return (f"number: {number}\naspect: {1 + (number - 1) // 6}\ntitle: 问题{number}。\n"
            "measures: [措施]\nleader:\nunit: 办公室\ndeadline:\nstatus: 正在推进\n")


def test_ledger_without_deadlines_passes_and_counts_them(run: Run, tmp_path: Path) -> None:
    # The shipped data: 23 open problems, none with a deadline.
    root = write_ledger(tmp_path / "l", {number: _undated(number) for number in range(1, 24)})
    (root / "data" / "ledger.yaml").write_text(
        (root / "data" / "ledger.yaml").read_text(encoding="utf-8")
        + "  - {number: 3, title: 三}\n  - {number: 4, title: 四}\n", encoding="utf-8")
    code, out = _check(run, root)
    assert code == 0
    assert out.endswith(
        "合计 23 个问题:红色预警 0,黄色预警 0,绿色提醒 0,时限未到 0,长期坚持 0,逾期完成 0,"
        "按期完成 0,未设时限 23。\n"
        "警告:23 个未销号问题没有整改时限(问题 1–23),无法判断是否超期;"
        "请在 deadline 中填写日期或 立行立改/短期/中期/长期/长期坚持。\n"
        "警告:没有任何问题的整改时限在被跟踪:检查通过不代表按期整改。"
        "可用 ledger set 序号 deadline=日期或时限类别 填写时限;"
        "要让未设时限判为不通过,在 data/ledger.yaml 的 policy 中写 no_deadline: fail。\n"
        "结论:通过。\n")
    # The policy decides: no_deadline: fail makes the same ledger fail (exit 3).
    header = root / "data" / "ledger.yaml"
    header.write_text(header.read_text(encoding="utf-8") + "policy:\n  no_deadline: fail\n",
                      encoding="utf-8")
    code, out = _check(run, root)
    assert code == 3, out
    assert "预警规则 no_deadline: fail:未设时限的未销号问题判为不通过。" in out
    header.write_text(header.read_text(encoding="utf-8").replace(
        "policy:\n  no_deadline: fail\n", ""), encoding="utf-8")
    code, out = _check(run, root, "--format", "junit")
    assert code == 0
    assert 'tests="23" failures="0" errors="0" skipped="23"' in out


SHIPPED = Path(__file__).parent.parent / "data"


@pytest.mark.skipif(not (SHIPPED / "ledger.yaml").is_file(), reason="data/ not generated yet")
def test_shipped_data(run: Run) -> None:
    code, out = _check(run, SHIPPED.parent)
    assert code == 0
    assert "23 个未销号问题没有整改时限" in out
    assert out.endswith("结论:通过。\n")


# ---------------------------------------------------------------- the pre-commit hook

def test_pre_commit_hook_runs_validate(run: Run, tmp_path: Path) -> None:
    hooks = yaml.safe_load((SHIPPED.parent / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = hooks
    assert (hook["id"], hook["entry"], hook["pass_filenames"]) == (
        "ledger-validate", "ledger validate", False)
    files = re.compile(hook["files"])
    assert all(files.search(path) for path in (
        "data/ledger.yaml", "data/issues/001.yaml", "sub/data/issues/1234.yml"))
    assert not any(files.search(path) for path in ("README.md", "data/evidence/a.yaml"))
    root = write_ledger(tmp_path / "l")
    command = hook["entry"].split()[1:]
    assert run("--root", root, *command).exit_code == 0
    (root / "data" / "issues" / "001.yaml").write_text("number: x\n", encoding="utf-8")
    assert run("--root", root, *command).exit_code == 1
