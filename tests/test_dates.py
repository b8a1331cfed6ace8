"""ledger.core.dates: parsing at every edge, months around December, the deadline in force."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.core.dates import (
    add_months,
    current_deadline,
    days_left,
    is_ongoing,
    is_overdue,
    original_deadline,
    parse_date,
    resolve,
)
from ledger.core.model import Closing, Deadline, Extension, Issue, Measure

FEEDBACK = date(2021, 2, 7)


def issue(deadline: Deadline | None = None, **fields: object) -> Issue:
    return Issue(number=1, aspect=1, title="问题。", path="data/issues/001.yaml",
                 deadline=deadline, **fields)  # type: ignore[arg-type]


def on(day: date) -> Deadline:
    return Deadline(date=day)


# ---------------------------------------------------------------- parse_date


@pytest.mark.parametrize(("text", "value"), [
    ("2021-08-26", date(2021, 8, 26)),
    ("2021-8-6", date(2021, 8, 6)),
    ("2021年8月26日", date(2021, 8, 26)),
    ("2021-01-01", date(2021, 1, 1)),
    ("2021-12-31", date(2021, 12, 31)),
    ("2024-02-29", date(2024, 2, 29)),
    ("  2021-08-26 ", date(2021, 8, 26)),
    ("\t2021年8月26日\n", date(2021, 8, 26)),
])
def test_valid_dates(text: str, value: date) -> None:
    assert parse_date(text) == (value, "")


@pytest.mark.parametrize(("text", "reason"), [
    ("2021-00-10", "月份0不存在"),
    ("2021-13-01", "月份13不存在"),
    ("2021年0月1日", "月份0不存在"),
    ("2021-02-00", "2021年2月没有0日(这个月只有28天)"),
    ("2021-02-29", "2021年2月没有29日(这个月只有28天)"),
    ("2021-04-31", "2021年4月没有31日(这个月只有30天)"),
    ("2021-12-32", "2021年12月没有32日(这个月只有31天)"),
    ("2021/08/26", "\"2021/08/26\"不是有效日期,日期格式应为 YYYY-MM-DD(例如 2021-08-26)"),
    (" 明年 ", "\"明年\"不是有效日期,日期格式应为 YYYY-MM-DD(例如 2021-08-26)"),
    ("", "\"\"不是有效日期,日期格式应为 YYYY-MM-DD(例如 2021-08-26)"),
])
def test_invalid_dates_say_exactly_why(text: str, reason: str) -> None:
    assert parse_date(text) == (None, reason)


# ---------------------------------------------------------------- add_months and tiers


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2021, 6, 7), 6, date(2021, 12, 7)),  # lands in December
    (date(2021, 12, 7), 0, date(2021, 12, 7)),
    (date(2021, 10, 31), 2, date(2021, 12, 31)),
    (date(2021, 12, 15), 2, date(2022, 2, 15)),  # wraps past December
    (date(2021, 12, 31), 12, date(2022, 12, 31)),
    (date(2021, 11, 30), 1, date(2021, 12, 30)),
    (date(2021, 7, 31), 6, date(2022, 1, 31)),
    (date(2021, 12, 31), 14, date(2023, 2, 28)),
])
def test_add_months_around_december(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("feedback", "tier", "expected"), [
    (date(2021, 6, 30), "中期", date(2021, 12, 30)),
    (date(2021, 10, 31), "短期", date(2021, 12, 31)),
    (date(2021, 12, 31), "短期", date(2022, 2, 28)),
    (date(2021, 11, 15), "长期", date(2022, 11, 15)),
    (date(2021, 12, 1), "立行立改", date(2021, 12, 1)),
])
def test_tier_deadlines_in_and_past_december(feedback: date, tier: str, expected: date) -> None:
    assert resolve(Deadline(tier=tier), feedback) == expected


def test_resolve_without_anything_to_count_from() -> None:
    assert resolve(None, FEEDBACK) is None
    assert resolve(Deadline(), FEEDBACK) is None
    assert resolve(Deadline(tier="短期"), None) is None
    assert resolve(Deadline(tier="长期坚持"), FEEDBACK) is None
    assert resolve(on(date(2021, 5, 1)), None) == date(2021, 5, 1)


# ---------------------------------------------------------------- the deadline in force


@pytest.mark.parametrize(("status", "deadline", "expected"), [
    ("长期坚持", None, True),
    ("正在推进", Deadline(tier="长期坚持"), True),
    ("正在推进", Deadline(tier="长期"), False),
    ("正在推进", None, False),
    ("已完成", Deadline(tier="长期坚持"), True),
])
def test_is_ongoing(status: str, deadline: Deadline | None, expected: bool) -> None:
    assert is_ongoing(issue(deadline, status=status)) is expected


def test_the_last_of_several_extensions_is_in_force() -> None:
    extended = issue(on(date(2021, 6, 30)), extensions=(
        Extension(date(2021, 6, 1), date(2021, 9, 30)),
        Extension(date(2021, 9, 1), date(2021, 11, 30)),
        Extension(date(2021, 11, 1), date(2021, 10, 31)),
    ))
    assert current_deadline(extended, FEEDBACK) == date(2021, 10, 31)
    assert original_deadline(extended, FEEDBACK) == date(2021, 6, 30)


def test_an_earlier_open_measure_binds_and_done_or_undated_ones_do_not() -> None:
    measures = (Measure("甲", on(date(2021, 3, 1)), done=True),
                Measure("乙"),
                Measure("丙", on(date(2021, 5, 20))),
                Measure("丁", Deadline(tier="短期")))
    assert current_deadline(issue(on(date(2021, 6, 30)), measures=measures),
                            FEEDBACK) == date(2021, 4, 7)
    assert current_deadline(issue(None, measures=measures[:3]), FEEDBACK) == date(2021, 5, 20)
    assert current_deadline(issue(None, measures=measures[:2]), FEEDBACK) is None


def test_days_left() -> None:
    today = date(2021, 6, 1)
    assert days_left(issue(on(date(2021, 6, 11))), FEEDBACK, today) == 10
    assert days_left(issue(on(date(2021, 5, 30))), FEEDBACK, today) == -2
    assert days_left(issue(None), FEEDBACK, today) is None
    assert days_left(issue(on(date(2021, 5, 1)), status="长期坚持"), FEEDBACK, today) is None


@pytest.mark.parametrize(("due", "status", "expected"), [
    (date(2021, 5, 31), "正在推进", True),
    (date(2021, 6, 1), "正在推进", False),  # due today is not yet overdue
    (date(2021, 6, 2), "正在推进", False),
    (date(2021, 5, 31), "已完成", False),
    (None, "正在推进", False),
])
def test_is_overdue(due: date | None, status: str, expected: bool) -> None:
    closed = Closing(date(2021, 5, 1)) if status == "已完成" else None
    subject = issue(on(due) if due else None, status=status, closed=closed)
    assert is_overdue(subject, FEEDBACK, date(2021, 6, 1)) is expected
