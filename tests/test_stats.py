"""`ledger stats`: exact numbers on a fixture ledger, every breakdown, every format."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.deadline.standing import Level
from ledger.present.diagnostics import width
from ledger.read.loader import load
from ledger.read.notice import progress_sentence
from ledger.report.stats import Counts, as_csv, compute, summary_sentence, table_rows

from ._notice import close_in_file, replace_in, shipped_copy
from ._stats import TODAY, write_ledger
from .conftest import Run

DAY = date.fromisoformat(TODAY)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "ledger")


def test_totals(root: Path) -> None:
    total = compute(load(root).ledger, DAY).total
    assert (total.total, total.closed, total.mostly_done, total.in_progress, total.ongoing) == \
        (7, 2, 1, 3, 1)
    assert total.rate_text == "28.57%"
    assert (total.measures, total.measures_done) == (9, 4)
    assert dict(total.levels) == {
        Level.RED: 1, Level.YELLOW: 1, Level.GREEN: 1, Level.OK: 1, Level.ONGOING: 1,
        Level.CLOSED_LATE: 1, Level.CLOSED: 1, Level.NO_DEADLINE: 0}
    assert (total.overdue, total.closed_on_time, total.closed_late) == (1, 1, 1)
    assert (total.extended, total.extensions) == (2, 2)
    # Slips: problem 3 from 2021-07-31 to 2021-10-08 (69 days), problem 7 by 25 days.
    assert (total.slipped, total.slip_days, total.average_slip) == (2, 94, Decimal("47.0"))
    assert (total.longest_slip, total.longest_slip_number) == (69, 3)


def _rows(root: Path, by: str) -> list[list[str]]:
    stats = compute(load(root).ledger, DAY, by)
    return table_rows(stats, stats.breakdown(by))


def test_by_aspect(root: Path) -> None:
    assert _rows(root, "aspect") == [
        ["1 关于党的领导弱化方面问题", "3", "1", "1", "1", "0", "33.33%", "2/4", "1", "0", "0",
         "1", "0", "0", "—", "—"],
        ["2 关于作风建设方面问题", "4", "1", "0", "2", "1", "25%", "2/5", "0", "1", "1",
         "0", "1", "2", "47.0天", "69天"],
        ["合计", "7", "2", "1", "3", "1", "28.57%", "4/9", "1", "1", "1", "1", "1", "2",
         "47.0天", "69天"],
    ]


def test_by_unit_counts_co_units_apart(root: Path) -> None:
    rows = _rows(root, "unit")
    # label, total, closed, rate … co_total, co_closed
    assert [(row[0], row[1], row[2], row[6], row[-2], row[-1]) for row in rows] == [
        ("办公室", "2", "1", "50%", "1", "1"),
        ("综合科", "2", "1", "50%", "1", "1"),
        ("财务科", "2", "0", "0%", "1", "1"),
        ("(未填写)", "1", "0", "0%", "0", "0"),
        ("合计", "7", "2", "28.57%", "—", "—"),
    ]
    # Lead units add up to the total: a problem counts once.
    assert sum(int(row[1]) for row in rows[:-1]) == 7


def test_by_leader(root: Path) -> None:
    assert [(row[0], row[1], row[2], row[6], row[8]) for row in _rows(root, "leader")] == [
        ("王局长", "3", "1", "33.33%", "1"),
        ("李副局长", "3", "1", "33.33%", "0"),
        ("(未填写)", "1", "0", "0%", "0"),
        ("合计", "7", "2", "28.57%", "1"),
    ]


def test_by_tier(root: Path) -> None:
    assert [(row[0], row[1], row[2]) for row in _rows(root, "tier")] == [
        ("短期", "1", "0"), ("中期", "1", "0"), ("长期坚持", "1", "0"), ("指定日期", "4", "2"),
        ("合计", "7", "2"),
    ]


@pytest.mark.parametrize(("closed", "total", "text"), [
    (3, 23, "13.04%"), (24, 30, "80%"), (480, 500, "96%"), (1, 3, "33.33%"), (2, 3, "66.67%"),
    (1, 8, "12.5%"), (0, 0, "0%"), (7, 7, "100%"), (1, 200, "0.5%"), (1, 400, "0.25%"),
])
def test_rate_rounding(closed: int, total: int, text: str) -> None:
    assert Counts(total=total, closed=closed).rate_text == text


def test_shipped_data_after_three_closings_stats_and_notice_agree(
        run: Run, tmp_path: Path) -> None:
    root = shipped_copy(tmp_path)
    for number in (3, 11, 22):
        close_in_file(root, number)
    result = run("--root", root, "--today", "2021-09-01", "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"]["rate"] == "13.04%"
    assert data["summary"] == "反馈问题23个,已完成整改3个、正在推进20个,整改完成率13.04%。"
    replace_in(root / "data" / "notice.yaml", "progress_sentence: false",
               "progress_sentence: true")
    notice = run("--root", root, "--today", "2021-09-01", "render")
    assert notice.exit_code == 0, notice.output
    assert "目前,已完成整改3项、正在推进20项,整改完成率13.04%。" in notice.stdout
    ledger = load(root).ledger
    assert progress_sentence([issue.status for issue in ledger.issues]).endswith("13.04%。")


def test_summary_sentence(root: Path) -> None:
    assert summary_sentence(compute(load(root).ledger, DAY).total) == (
        "反馈问题7个,已完成整改2个、基本完成1个、正在推进3个、长期坚持1个,整改完成率28.57%。")


def test_cli_text_to_a_pipe_is_aligned_plain_text(run: Run, root: Path) -> None:
    result = run("--root", root, "--today", TODAY, "stats", "--by", "leader")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "关于巡察整改进展情况的通报(中共某某局党组),截至2021年10月1日"
    assert lines[1] == ("反馈问题7个,已完成整改2个、基本完成1个、正在推进3个、长期坚持1个,"
                        "整改完成率28.57%。")
    assert "整改措施:9项,已完成4项" in lines
    assert ("未销号:红色预警1个、黄色预警1个、绿色提醒1个、时限未到1个、长期坚持1个、未设时限0个"
            in lines)
    assert "已销号:按期完成1个、逾期完成1个" in lines
    assert "延期:2个问题共延期2次,平均延后47.0天,最长延后69天(问题7)" not in lines
    assert "延期:2个问题共延期2次,平均延后47.0天,最长延后69天(问题3)" in lines
    table = lines[lines.index("按责任领导:") + 1:]
    assert table[0].split() == ["责任领导", "问题数", "已完成", "基本完成", "正在推进", "长期坚持",
                                "完成率", "措施完成", "红色预警", "黄色预警", "绿色提醒",
                                "按期完成", "逾期完成", "延期", "平均延后", "最长延后"]
    assert table[1].split()[:7] == ["王局长", "3", "1", "1", "1", "0", "33.33%"]
    assert table[-1].split()[:7] == ["合计", "7", "2", "1", "3", "1", "28.57%"]
    # Aligned: every row's rate starts in the column of its heading (display width).
    column = width(table[0][:table[0].index("完成率")])
    rates = [re.search(r"\S+%", line) for line in table[1:]]
    assert [width(line[:found.start()]) for line, found in zip(table[1:], rates, strict=True)
            if found] == [column] * 4


def test_cli_json_has_every_breakdown_without_by(run: Run, root: Path) -> None:
    result = run("--root", root, "--today", TODAY, "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [key for key in data if key.startswith("by_")] == \
        ["by_aspect", "by_unit", "by_leader", "by_tier"]
    assert data["by_unit"][0] == {
        "key": "办公室", "label": "办公室", "total": 2, "closed": 1, "mostly_done": 0,
        "in_progress": 1, "ongoing": 0, "rate": "50%", "measures": 3, "measures_done": 2,
        "overdue": 1, "levels": {"red": 1, "yellow": 0, "green": 0, "ok": 0, "ongoing": 0,
                                 "closed-late": 0, "closed": 1, "no-deadline": 0},
        "closed_on_time": 1, "closed_late": 0, "extended": 0, "extensions": 0,
        "average_slip_days": None, "longest_slip_days": None, "longest_slip_number": None,
        "co_total": 1, "co_closed": 1}
    assert data["total"]["average_slip_days"] == 47.0


def test_cli_markdown_and_csv(run: Run, root: Path) -> None:
    md = run("--root", root, "--today", TODAY, "stats", "--by", "tier", "--format", "md")
    assert md.exit_code == 0, md.output
    assert "| 短期 | 1 | 0 | 0 | 1 | 0 | 0% | 1/2 | 1 | 0 | 0 | 0 | 0 | 0 | — | — |" in md.stdout
    csv = run("--root", root, "--today", TODAY, "stats", "--by", "aspect", "--format", "csv")
    assert csv.exit_code == 0, csv.output
    assert csv.stdout.startswith("\ufeff方面,问题数,已完成")
    assert csv.stdout.splitlines()[-1] == \
        "合计,7,2,1,3,1,28.57%,4/9,1,1,1,1,1,2,47.0天,69天"
    stats = compute(load(root).ledger, DAY, "aspect")
    assert as_csv(stats).replace("\r\n", "\n") == csv.stdout.replace("\r\n", "\n")


def test_cli_unknown_breakdown_is_a_usage_error(run: Run, root: Path) -> None:
    result = run("--root", root, "stats", "--by", "colour")
    assert result.exit_code == 2


def test_cli_on_a_broken_ledger_warns_and_counts_what_it_read(run: Run, root: Path) -> None:
    (root / "data" / "issues" / "008.yaml").write_text("number: [\n", encoding="utf-8")
    result = run("--root", root, "--today", TODAY, "stats", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["total"]["total"] == 7
    assert "data/issues/008.yaml" in result.stderr


def test_empty_ledger(tmp_path: Path) -> None:
    root = write_ledger(tmp_path / "empty", {})
    stats = compute(load(root).ledger, DAY)
    assert stats.total.rate_text == "0%"
    assert [group.counts.total for group in stats.breakdown("aspect").groups] == [0, 0]
    assert stats.breakdown("unit").groups == ()

