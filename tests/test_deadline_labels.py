"""ledger.deadline.policy: order within a level, labels and sources, the warnings' text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger.core.model import (
    Closing,
    Deadline,
    Extension,
    Header,
    Inspection,
    Issue,
    LedgerData,
    Location,
    Measure,
    Policy,
)
from ledger.deadline.policy import NOTHING_TRACKED, check, classify, number_ranges, policy_warnings

FEEDBACK = date(2021, 2, 7)
TODAY = date(2021, 8, 1)


def make(number: int = 1, deadline: Deadline | None = None, **fields: object) -> Issue:
    path = f"data/issues/{number:03d}.yaml"
    where = {"deadline": Location(path, 7, 11)} if deadline is not None else {}
    where.update(fields.pop("where", {}))  # type: ignore[call-overload]
    return Issue(number=number, aspect=1, title="问题。", path=path, deadline=deadline,
                 loc=Location(path, 1, 1), where=where, **fields)  # type: ignore[arg-type]


def on(day: date) -> Deadline:
    return Deadline(date=day)


def ledger(*issues: Issue, policy: Policy | None = None) -> LedgerData:
    header = Header(schema=1, issuer="某局党组", title="通报",
                    inspection=Inspection(feedback=FEEDBACK), policy=policy or Policy())
    return LedgerData(root=".", header=header, issues=issues)


def after(days: int) -> Deadline:
    return on(TODAY + timedelta(days=days))


# ---------------------------------------------------------------- order within a level


def test_due_today_comes_before_due_tomorrow_whatever_the_numbers() -> None:
    report = check(ledger(make(1, after(1)), make(2, after(0)), make(3, after(1)),
                          make(4, after(5))), TODAY)
    assert [(r.number, r.days) for r in report.at_level("yellow")] == [
        (2, 0), (1, 1), (3, 1), (4, 5)]


def test_overdue_problems_most_overdue_first() -> None:
    report = check(ledger(make(1, after(-1)), make(2, after(-30)), make(3, after(-1))), TODAY)
    assert [r.number for r in report.at_level("red")] == [2, 1, 3]


@pytest.mark.parametrize(("level", "issues"), [
    ("ok", [make(1, after(60)), make(2, after(30))]),
    ("green", [make(1, after(20)), make(2, after(11))]),
])
def test_later_levels_are_sorted_by_days_too(level: str, issues: list[Issue]) -> None:
    assert [r.number for r in check(ledger(*issues), TODAY).at_level(level)] == [2, 1]


def test_closed_problems_keep_the_ledger_order() -> None:
    closed = [make(1, on(date(2021, 6, 30)), status="已完成",
                   closed=Closing(date(2021, 6, 1))),
              make(2, on(date(2021, 6, 30)), status="已完成",
                   closed=Closing(date(2021, 6, 29)))]
    report = check(ledger(*closed), TODAY)
    assert [(r.number, r.days) for r in report.at_level("closed")] == [(1, 29), (2, 1)]
    assert report.at_level("red") == []


def test_report_verdict_and_counts() -> None:
    report = check(ledger(make(1, after(-1)), make(2, after(3)), make(3, None),
                          make(4, after(3), status="已完成", closed=Closing(TODAY))), TODAY)
    assert [r.number for r in report.failing] == [1]
    assert report.passed is False
    assert report.counts == {"red": 1, "yellow": 1, "green": 0, "ok": 0, "ongoing": 0,
                             "closed-late": 0, "closed": 1, "no-deadline": 1}
    assert [r.is_open for r in report.results] == [True, True, True, False]
    assert check(ledger(make(2, after(3))), TODAY).passed is True


# ---------------------------------------------------------------- closing and deadlines


@pytest.mark.parametrize(("closed_on", "level", "days"), [
    (date(2021, 6, 30), "closed", 0),  # on the deadline itself: in time
    (date(2021, 7, 1), "closed-late", -1),
    (date(2021, 6, 29), "closed", 1),
])
def test_closing_on_the_deadline_is_in_time(closed_on: date, level: str, days: int) -> None:
    issue = make(1, on(date(2021, 6, 30)), status="已完成", closed=Closing(closed_on))
    result = classify(issue, FEEDBACK, Policy(fail_on=("green", "yellow", "red")), TODAY)
    assert (result.level, result.days, result.closed, result.fails) == (
        level, days, closed_on, False)


def test_a_closed_problem_without_a_closing_record_has_no_days() -> None:
    result = classify(make(1, on(date(2021, 6, 30)), status="已完成"), FEEDBACK, Policy(), TODAY)
    assert (result.level, result.days, result.closed) == ("closed", None, None)


def test_fail_on_only_counts_the_policy_colours() -> None:
    policy = Policy(fail_on=("yellow", "ok", "no-deadline"))
    assert classify(make(1, after(5)), FEEDBACK, policy, TODAY).fails is True
    assert classify(make(1, after(50)), FEEDBACK, policy, TODAY).fails is False
    assert classify(make(1, None), FEEDBACK, policy, TODAY).fails is False
    assert classify(make(1, after(-5)), FEEDBACK, policy, TODAY).fails is False


# ---------------------------------------------------------------- labels and sources


def test_labels_and_locations_for_each_source() -> None:
    tier = classify(make(1, Deadline(tier="短期")), FEEDBACK, Policy(), TODAY)
    assert (tier.deadline_label, tier.basis, tier.location) == (
        "短期 2021年4月7日", "deadline", Location("data/issues/001.yaml", 7, 11))
    dated = classify(make(1, on(date(2021, 12, 1))), FEEDBACK, Policy(), TODAY)
    assert (dated.deadline_label, dated.basis) == ("2021年12月1日", "deadline")
    ext_where = {"extensions.2.to": Location("data/issues/001.yaml", 20, 9)}
    extended = classify(make(1, on(date(2021, 6, 30)), where=ext_where, extensions=(
        Extension(date(2021, 6, 1), date(2021, 9, 30)),
        Extension(date(2021, 9, 1), date(2021, 10, 31)))), FEEDBACK, Policy(), TODAY)
    assert (extended.deadline, extended.deadline_label, extended.basis, extended.location) == (
        date(2021, 10, 31), "2021年10月31日(已延期)", "extension",
        Location("data/issues/001.yaml", 20, 9))
    ongoing = classify(make(1, Deadline(tier="长期坚持")), FEEDBACK, Policy(), TODAY)
    assert (ongoing.level, ongoing.deadline_label, ongoing.days) == ("ongoing", "长期坚持", None)


def test_an_open_measure_earlier_than_the_last_extension_binds() -> None:
    where = {"measures.3.deadline": Location("data/issues/001.yaml", 12, 15)}
    measures = (Measure("甲", on(date(2021, 8, 2)), done=True),
                Measure("乙", on(date(2021, 8, 20))),
                Measure("丙", on(date(2021, 8, 10))))
    issue = make(1, on(date(2021, 6, 30)), where=where, measures=measures,
                 extensions=(Extension(date(2021, 6, 1), date(2021, 9, 30)),))
    result = classify(issue, FEEDBACK, Policy(), TODAY)
    assert (result.deadline, result.basis, result.deadline_label, result.location, result.level,
            result.days) == (date(2021, 8, 10), "measure", "2021年8月10日(第3项措施)",
                             Location("data/issues/001.yaml", 12, 15), "yellow", 9)


def test_a_measure_source_without_a_recorded_place_points_at_the_deadline() -> None:
    measures = (Measure("甲", on(date(2021, 8, 10))),)
    result = classify(make(1, on(date(2021, 9, 30)), measures=measures), FEEDBACK, Policy(),
                      TODAY)
    assert (result.basis, result.location) == (
        "measure", Location("data/issues/001.yaml", 7, 11))


def test_a_measure_only_problem_names_its_measure() -> None:
    measures = (Measure("甲", Deadline(tier="短期")),)
    result = classify(make(1, None, measures=measures), FEEDBACK, Policy(), TODAY)
    assert (result.deadline, result.basis, result.deadline_label, result.level) == (
        date(2021, 4, 7), "measure", "2021年4月7日(第1项措施)", "red")


# ---------------------------------------------------------------- warnings


def test_the_no_deadline_warning_names_up_to_ten_ranges() -> None:
    eleven = [make(n, None) for n in range(1, 23, 2)]  # 1、3、…、21: eleven runs
    report = check(ledger(*eleven), TODAY)
    assert report.warnings == (
        "11 个未销号问题没有整改时限(问题 1、3、5、7、9、11、13、15、17、19等),"
        "无法判断是否超期;请在 deadline 中填写日期或 立行立改/短期/中期/长期/长期坚持。",
        NOTHING_TRACKED)
    ten = check(ledger(*eleven[:10]), TODAY)
    assert ten.warnings == (
        "10 个未销号问题没有整改时限(问题 1、3、5、7、9、11、13、15、17、19),"
        "无法判断是否超期;请在 deadline 中填写日期或 立行立改/短期/中期/长期/长期坚持。",
        NOTHING_TRACKED)


def test_no_warnings_when_every_open_problem_has_a_deadline() -> None:
    report = check(ledger(make(1, after(3)), make(2, None, status="已完成",
                                                  closed=Closing(TODAY))), TODAY)
    assert report.warnings == ()


def test_data_warnings_and_policy_warnings_are_appended_in_order() -> None:
    report = check(ledger(make(1, None), policy=Policy(fail_on=("yellow",))), TODAY,
                   data_warnings=3)
    assert report.warnings == (
        "预警规则 fail_on 含 yellow 却不含 red:红色预警的问题不会使检查不通过;"
        "如需判为不通过,请把 red 也写进 fail_on。",
        "1 个未销号问题没有整改时限(问题 1),无法判断是否超期;请在 deadline 中填写日期"
        "或 立行立改/短期/中期/长期/长期坚持。",
        NOTHING_TRACKED,
        "台账数据有 3 个警告;请运行 ledger validate 查看。",
    )


@pytest.mark.parametrize(("fail_on", "count"), [
    (("green",), 1), (("green", "yellow"), 1), (("green", "red"), 1), (("red",), 0),
    (("yellow", "red"), 0), ((), 0), (("green", "yellow", "red"), 0),
])
def test_policy_warnings_for_each_gap(fail_on: tuple[str, ...], count: int) -> None:
    assert len(list(policy_warnings(Policy(fail_on=fail_on)))) == count


def test_number_ranges_fold_and_cut() -> None:
    assert number_ranges([2, 3, 5, 6, 7, 9]) == "2–3、5–7、9"
    assert number_ranges([2, 3, 5, 6, 7, 9], limit=3) == "2–3、5–7、9"
    assert number_ranges([2, 3, 5, 6, 7, 9], limit=2) == "2–3、5–7等"
    assert number_ranges([10, 12]) == "10、12"
    assert number_ranges([0, 1]) == "0–1"
