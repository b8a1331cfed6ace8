"""Audit money and side results (issues 11 and 14): exact amounts, checks, edits, sentences.

The money path never touches a float: amounts are Decimals read from the
scalar's text, sums are exact, and one rate function serves problems and money.
"""

from __future__ import annotations

import decimal
import random
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledger.cache import codec
from ledger.core.model import Issue
from ledger.core.money import completion_rate, money_rate, money_totals, parse_amount
from ledger.present.render import context, prepare
from ledger.read.loader import load, parse_header, parse_issue
from ledger.validate.rules import validate

from .conftest import BASE, REPO, Run

EXAMPLE = REPO / "examples" / "audit"
TODAY = "2024-12-20"

ISSUE = """\
number: 3
aspect: 2
title: 专项资金未按规定用途使用的问题。
measures:
  - text: 收回资金。
    done: 2021-07-01
unit: 财务处
deadline: 中期
status: 正在推进
"""


def issue_with(extra: str, number: int = 3) -> tuple[Issue | None, list[Any]]:
    text = ISSUE.replace("number: 3", f"number: {number}") + extra
    return parse_issue(f"data/issues/{number:03d}.yaml", text.encode())


@pytest.fixture
def money_ledger(tmp_path: Path) -> Path:
    """tests/broken/_base with money_unit: 万元 and problem 3 carrying amounts."""
    root = tmp_path / "ledger"
    shutil.copytree(BASE, root)
    header = root / "data/ledger.yaml"
    header.write_text(header.read_text(encoding="utf-8").replace(
        "aspects:", "money_unit: 万元\naspects:", 1), encoding="utf-8")
    (root / "data/issues/003.yaml").write_text(ISSUE + (
        "amounts:\n  involved: \"120.50\"\n  rectified: \"80.00\"\n"), encoding="utf-8")
    return root


# ---------------------------------------------------------------- data


def test_float_looking_scalar_is_read_as_its_exact_decimal() -> None:
    issue, problems = issue_with("amounts:\n  involved: 0.10\n  rectified: '0.1'\n"
                                 "  ways: {上缴财政: 0.1}\n")
    assert problems == []
    assert issue is not None and issue.amounts is not None
    assert type(issue.amounts.involved) is Decimal
    assert str(issue.amounts.involved) == "0.10"  # the digits as written, not 0.1000000000000000055
    assert str(issue.amounts.rectified) == "0.1"
    assert [(way.label, str(way.amount)) for way in issue.amounts.ways] == [("上缴财政", "0.1")]
    assert issue.at("amounts.ways.上缴财政").line == 13


def test_sums_of_thousands_of_amounts_are_exact() -> None:
    rng = random.Random(14)
    cents = [rng.randrange(1, 10**9) for _ in range(3000)] + [10] * 1000  # 1000 × 0.10 too
    issues = []
    for index, value in enumerate(cents, start=1):
        text = f"{value // 100}.{value % 100:02d}"
        issue, problems = issue_with(f"amounts:\n  involved: {text}\n  rectified: \"{text}\"\n"
                                     f"  ways: {{归还原渠道: {text}}}\n", number=index)
        assert issue is not None and not problems
        issues.append(issue)
    total = Decimal(sum(cents)) / 100
    with decimal.localcontext() as ctx:
        ctx.traps[decimal.Inexact] = ctx.traps[decimal.FloatOperation] = True
        involved, rectified, by_way = money_totals(issues)
    assert involved == rectified == by_way["归还原渠道"] == total
    assert str(involved) == f"{sum(cents) // 100}.{sum(cents) % 100:02d}"
    floats = 0.0
    for value in cents:
        floats += float(f"{value // 100}.{value % 100:02d}")
    assert Decimal(repr(floats)) != total  # what a float sum would have printed


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key in list(value):
            yield from _walk(value[key], f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def test_money_path_has_no_float() -> None:
    """Load, check and render the audit example with float operations trapped in Decimal."""
    with decimal.localcontext() as ctx:
        ctx.traps[decimal.FloatOperation] = True
        ledger, notice, problems = prepare(EXAMPLE, date_of(TODAY))
        involved, rectified, by_way = money_totals(ledger.issues)
        rendered = context(ledger, notice, date_of(TODAY))
        rows = rendered["problems"]
        cells = [(row["involved"], row["rectified"]) for row in rows]  # the lazy cells too
    assert problems == []
    for value in (involved, rectified, *by_way.values()):
        assert type(value) is Decimal
    for issue in ledger.issues:
        if issue.amounts is not None:
            assert {type(issue.amounts.involved), type(issue.amounts.rectified)} == {Decimal}
    floats = [path for path, value in _walk(rendered) if isinstance(value, float)]
    assert floats == []
    assert rendered["money"]["involved"] == "1752.66"
    assert cells[0] == ("356.80", "356.80") and cells[-1] == ("", "")


def date_of(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def test_amounts_survive_the_cache_exactly() -> None:
    result = issue_with("amounts:\n  involved: 120.50\n  rectified: \"80.00\"\n"
                        "  ways: {上缴财政: \"50.00\", 自定方式: \"30\"}\n"
                        "results:\n  - {label: 追缴资金, amount: \"12.5\"}\n"
                        "  - {label: 问责, count: 2}\n")
    back = codec.decode("data/issues/003.yaml", codec.encode("data/issues/003.yaml", result))
    assert back == result
    issue = back[0]
    assert issue is not None and issue.amounts is not None
    assert str(issue.amounts.involved) == "120.50" and type(issue.amounts.involved) is Decimal
    assert str(issue.results[0].amount) == "12.5"


def test_cache_refuses_an_amount_that_is_not_text() -> None:
    line = codec.encode("data/issues/003.yaml", issue_with("amounts:\n  involved: \"1.10\"\n"))
    forged = line.replace(b'"1.10"', b"1.1")
    assert forged != line
    with pytest.raises(ValueError, match="amount: expected text"):
        codec.decode("data/issues/003.yaml", forged)


@pytest.mark.parametrize(("text", "message"), [
    ("1,234.56", "金额 \"1,234.56\" 中有千位分隔符"),
    ("-5", "金额不能为负数(\"-5\")"),
    ("12.5万元", "金额 \"12.5万元\" 带了单位"),
    ("012.5", "金额 \"012.5\" 以 0 开头"),
    ("１２", "金额 \"１２\" 用了全角数字"),
    ("1e3", "金额 \"1e3\" 不是数字"),
    ("1" * 16, f"金额 \"{'1' * 16}\" 超过15位整数"),
])
def test_malformed_amounts_are_refused_with_the_reason(text: str, message: str) -> None:
    assert parse_amount(text)[:2] == (None, message)
    _, problems = issue_with(f"amounts:\n  involved: \"{text}\"\n")
    assert [(str(p.location), p.code, p.message) for p in problems] == [
        ("data/issues/003.yaml:11:13", "bad-amount", f"amounts.involved(问题金额):{message}")]


@pytest.mark.parametrize(("item", "code", "message"), [
    ("{label: 追缴资金, count: 3}", "bad-value", "追缴资金是金额,请写 amount"),
    ("{label: 问责, amount: \"3\"}", "bad-value", "问责是数量(单位:人),请写 count"),
    ("{label: 问责, count: 3, unit: 项}", "bad-value", "问责的单位是人,不是 \"项\""),
    ("{label: 召开警示教育大会, count: 2}", "missing-field",
     "results(成果)第1项(召开警示教育大会)缺少计量单位 unit"),
    ("{label: 收回资金, amount: \"3\", unit: 元}", "bad-value",
     "results(成果)第1项是金额,不能另写单位 \"元\""),
    ("{label: 问责}", "bad-value", "results(成果)第1项要写 count(数量)或 amount(金额)二者之一"),
    ("{label: 问责, count: 3, amonut: \"1\"}", "unknown-key",
     "results(成果)第1项中有未知的键 amonut"),
])
def test_result_tallies_follow_the_vocabulary(item: str, code: str, message: str) -> None:
    _, problems = issue_with(f"results:\n  - {item}\n")
    assert [(p.code, p.message) for p in problems] == [(code, message)]


def test_free_labels_and_known_kinds_add_up(money_ledger: Path) -> None:
    header = money_ledger / "data/ledger.yaml"
    header.write_text(header.read_text(encoding="utf-8") + (
        "results:\n  - {label: 召开警示教育大会, count: 2, unit: 次}\n"
        "  - {label: 问责, count: 1}\n"), encoding="utf-8")
    issue = money_ledger / "data/issues/003.yaml"
    issue.write_text(issue.read_text(encoding="utf-8") + (
        "results:\n  - {label: 挽回经济损失, amount: \"3.5\"}\n  - {label: 问责, count: 2}\n"
        "  - {label: 召开警示教育大会, count: 1, unit: 次}\n"), encoding="utf-8")
    ledger, notice, problems = prepare(money_ledger, date_of("2021-09-01"))
    assert [p.code for p in problems if p.severity == "error"] == []
    counts = context(ledger, notice, date_of("2021-09-01"))["counts"]
    assert counts["results_sentence"] == "问责3人,挽回经济损失3.50万元,召开警示教育大会3次。"
    assert counts["money_sentence"] == "问题金额120.50万元,已整改80.00万元,整改率66.39%。"


# ---------------------------------------------------------------- validation


def test_stated_totals_are_checked_naming_both_numbers(money_ledger: Path) -> None:
    header = money_ledger / "data/ledger.yaml"
    header.write_text(header.read_text(encoding="utf-8") + (
        "stated:\n  aspects: 2\n  problems: 3\n  measures: 5\n  done: 2\n  ongoing: 1\n"
        "  rate: 66.67%\n  involved: \"120.5\"\n  rectified: \"90.00\"\n"
        "  ways: {上缴财政: \"10.00\"}\n"
        "  results:\n    - {label: 问责, count: 4}\n    - {label: 追缴资金, amount: \"1.00\"}\n"
        ), encoding="utf-8")
    problems = validate(load(money_ledger), date_of("2021-09-01"))
    found = [(str(p.location), p.severity, p.message) for p in problems
             if p.code == "stated-mismatch"]
    assert found == [  # aspects, problems and the involved total (120.5 = 120.50) agree
        ("data/ledger.yaml:23:13", "warning", "通报所述整改措施数 5 与台账计算的 4 不符"),
        ("data/ledger.yaml:24:9", "warning", "通报所述已完成整改数 2 与台账计算的 1 不符"),
        ("data/ledger.yaml:25:12", "warning", "通报所述正在整改(未完成)数 1 与台账计算的 2 不符"),
        ("data/ledger.yaml:26:9", "warning", "通报所述整改完成率 66.67% 与台账计算的 33.33% 不符"),
        ("data/ledger.yaml:28:14", "warning",
         "通报所述已整改金额 90.00万元 与台账计算的 80.00万元 不符"),
        ("data/ledger.yaml:29:16", "warning",
         "通报所述上缴财政金额 10.00万元 与台账计算的 0.00万元 不符"),
        ("data/ledger.yaml:31:7", "warning", "通报所述问责 4人 与台账计算的 0人 不符"),
        ("data/ledger.yaml:32:7", "warning",
         "通报所述追缴资金 1.00万元 与台账计算的 0.00万元 不符"),
    ]


def test_money_rate_is_the_completion_rate() -> None:
    assert money_rate(Decimal("1752.66"), Decimal("1267.30")) == "72.31"
    assert money_rate(Decimal("200.00"), Decimal("100.00")) == "50"  # trailing zeros dropped
    assert completion_rate(Decimal("1267.30"), Decimal("1752.66")) == "72.31"
    assert completion_rate(3, 23) == "13.04"


# ---------------------------------------------------------------- lifecycle


def test_amount_records_cumulative_totals_with_history(run: Run, money_ledger: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_USER", "王五")
    path = money_ledger / "data/issues/003.yaml"
    before = path.read_text(encoding="utf-8")
    result = run("--root", money_ledger, "--today", "2021-09-01", "amount", "3",
                 "--rectified", "100", "--way", "上缴财政=60", "--way", "归还原渠道=40")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("问题 3 已记录金额:已整改金额 80.00万元 → 100.00万元;"
                             "上缴财政 未填 → 60.00万元;归还原渠道 未填 → 40.00万元\n")
    assert path.read_text(encoding="utf-8") == before.replace(
        '  rectified: "80.00"\n',
        "  rectified: '100.00'\n  ways:\n    上缴财政: '60.00'\n    归还原渠道: '40.00'\n") + (
        "history:\n  - date: 2021-09-01\n    action: 金额\n    by: 王五\n"
        "    note: 已整改金额 80.00万元 → 100.00万元;上缴财政 未填 → 60.00万元;"
        "归还原渠道 未填 → 40.00万元\n")
    again = run("--root", money_ledger, "amount", "3", "--rectified", "100.00")
    assert (again.exit_code, again.stdout) == (0, "问题 3 的金额与所给的相同,未作修改。\n")


def test_amount_first_time_needs_involved(run: Run, money_ledger: Path) -> None:
    path = money_ledger / "data/issues/002.yaml"
    before = path.read_bytes()
    refused = run("--root", money_ledger, "amount", "2", "--rectified", "5")
    assert refused.exit_code == 1
    assert "错误:问题 2 还没有问题金额,请同时给出问题金额" in refused.stderr
    assert "  提示:请用 --involved 给出" in refused.stderr
    assert path.read_bytes() == before
    done = run("--root", money_ledger, "--today", "2021-09-01", "amount", "2",
               "--involved", "12.5", "--rectified", "5")
    assert done.exit_code == 0, done.output
    issue = next(i for i in load(money_ledger).ledger.issues if i.number == 2)
    assert issue.amounts is not None
    assert (str(issue.amounts.involved), str(issue.amounts.rectified)) == ("12.50", "5.00")


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--rectified", "130"), 1, "错误:已整改金额 130.00万元 大于问题金额 120.50万元,未写入"),
    (("--rectified", "1.234"), 2, "错误:已整改金额:金额 1.234 的小数多于台账规定的 2 位"),
    (("--rectified", "8万元"), 2, "错误:已整改金额:金额 \"8万元\" 带了单位"),
    (("--way", "上缴财政"), 2, "错误:整改方式的写法不对:\"上缴财政\""),
    ((), 2, "错误:没有给出要记录的金额"),
    (("--way", "上缴财政=90"), 1, "错误:修改后 data/issues/003.yaml 将出现错误,未写入:"
     "各整改方式金额之和 90.00万元 大于已整改金额 80.00万元"),
])
def test_amount_refusals_write_nothing(run: Run, money_ledger: Path, args: tuple[str, ...],
                                       code: int, message: str) -> None:
    path = money_ledger / "data/issues/003.yaml"
    before = path.read_bytes()
    result = run("--root", money_ledger, "amount", "3", *args)
    assert result.exit_code == code
    assert result.stderr.splitlines()[0] == message
    assert path.read_bytes() == before


def test_amount_refused_without_money_unit(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "amount", "1", "--involved", "10")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == \
        "错误:data/ledger.yaml 没有写金额单位 money_unit,不能记录金额"


def test_close_below_involved_needs_a_reason(run: Run, money_ledger: Path) -> None:
    path = money_ledger / "data/issues/003.yaml"
    before = path.read_bytes()
    refused = run("--root", money_ledger, "--today", "2021-09-01", "close", "3",
                  "--evidence", "缴款书")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0] == (
        "错误:问题 3 已整改80.00万元,问题金额120.50万元,未整改40.50万元,销号须说明理由")
    assert path.read_bytes() == before
    closed = run("--root", money_ledger, "--today", "2021-09-01", "close", "3",
                 "--evidence", "缴款书", "--reason", "分阶段整改")
    assert closed.exit_code == 0, closed.output
    issue = next(i for i in load(money_ledger).ledger.issues if i.number == 3)
    assert issue.is_closed
    assert [(h.action, h.note) for h in issue.history] == [
        ("销号", "佐证材料1项;已整改80.00万元,问题金额120.50万元,未整改40.50万元;理由:分阶段整改")]


def test_close_fully_rectified_needs_no_reason(run: Run, money_ledger: Path) -> None:
    assert run("--root", money_ledger, "amount", "3", "--rectified", "120.5").exit_code == 0
    closed = run("--root", money_ledger, "--today", "2021-09-01", "close", "3",
                 "--evidence", "缴款书")
    assert closed.exit_code == 0, closed.output


# ---------------------------------------------------------------- render and the example


def test_audit_example_validates_clean(run: Run) -> None:
    result = run("--root", EXAMPLE, "--today", TODAY, "validate")
    assert (result.exit_code, result.stdout) == (0, "检查通过:没有发现问题。\n")


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_audit_example_notice_has_the_computed_sentences(run: Run, fmt: str) -> None:
    result = run("--root", EXAMPLE, "--today", TODAY, "render", "-f", fmt)
    assert result.exit_code == 0, result.output
    assert ("目前,已完成整改2项、基本完成1项、正在推进1项、长期坚持1项,整改完成率40%。"
            "审计查出问题金额1752.66万元,已整改1267.30万元,整改率72.31%。"
            "问责5人,给予党纪政务处分1人,制定完善制度4项,追缴资金40.00万元。") in result.stdout


def test_audit_example_table_has_amount_columns_and_totals(run: Run) -> None:
    md = run("--root", EXAMPLE, "--today", TODAY, "render", "-t", "table", "-f", "md").stdout
    lines = md.splitlines()
    assert lines[4].endswith("| 销号日期 | 问题金额(万元) | 已整改金额(万元) |")
    assert lines[6].endswith("| 2024年7月20日 | 356.80 | 356.80 |")
    assert lines[-1] == "| 合计 | | | | | | | | | | 1752.66 | 1267.30 |"
    csv = run("--root", EXAMPLE, "--today", TODAY, "render", "-t", "table", "-f", "csv").stdout
    assert csv.splitlines()[-1] == "合计,,,,,,,,,,1752.66,1267.30"


def test_no_money_no_sentence_and_no_columns(run: Run, base_ledger: Path) -> None:
    notice = run("--root", base_ledger, "--today", "2021-09-01", "render").stdout
    table = run("--root", base_ledger, "--today", "2021-09-01", "render", "-t", "table").stdout
    assert "金额" not in notice and "金额" not in table and "合计" not in table


def test_public_version_counts_only_public_money(tmp_path: Path) -> None:
    root = tmp_path / "audit"
    shutil.copytree(EXAMPLE, root)
    path = root / "data/issues/002.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "public: false\n", encoding="utf-8")
    ledger, notice, _ = prepare(root, date_of(TODAY))
    counts = context(ledger, notice, date_of(TODAY), public=True)["counts"]
    assert counts["money_sentence"] == "审计查出问题金额707.30万元,已整改667.30万元,整改率94.34%。"


def test_header_parses_money_unit_and_decimals() -> None:
    header, problems = parse_header("data/ledger.yaml", (
        EXAMPLE / "data/ledger.yaml").read_bytes().replace(b"money_unit: \xe4\xb8\x87\xe5\x85\x83",
                                                            "money_unit: 千元".encode()))
    assert [(p.code, p.message) for p in problems] == [("bad-value", "未知的金额单位 \"千元\"")]
    assert header is not None and header.money_unit == "" and header.money_decimals == 2


def test_filtered_table_totals_only_the_rows_it_lists(run: Run) -> None:
    """`render -t table --unit 农业股` lists problems 3 and 4: the 合计 is theirs alone."""
    csv = run("--root", EXAMPLE, "--today", TODAY, "render", "-t", "table", "-f", "csv",
              "--unit", "农业股").stdout
    assert csv.splitlines()[-1] == "合计,,,,,,,,,,350.50,310.50"
    md = run("--root", EXAMPLE, "--today", TODAY, "render", "-t", "table", "-f", "md",
             "--unit", "办公室").stdout  # problem 5 only: no amounts, the columns stay
    assert md.splitlines()[-1] == "| 合计 | | | | | | | | | | 0.00 | 0.00 |"
