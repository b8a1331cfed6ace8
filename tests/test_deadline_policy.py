"""ledger.deadline.policy as a pure function: levels, boundaries, tiers, what binds a deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.model import (
    Closing,
    Deadline,
    Evidence,
    Extension,
    Issue,
    Location,
    Measure,
    Policy,
)
from ledger.deadline.policy import classify, number_ranges, policy_warnings
from ledger.deadline.standing import LEVELS

FEEDBACK = date(2021, 2, 7)
TODAY = date(2021, 8, 1)
PATH = "data/issues/001.yaml"


def make(deadline: Deadline | None = None, **fields: object) -> Issue:
    where = {"deadline": Location(PATH, 7, 11)} if deadline is not None else {}
    where.update(fields.pop("where", {}))  # type: ignore[call-overload]
    return Issue(number=1, aspect=1, title="问题。", path=PATH, deadline=deadline,
                 loc=Location(PATH, 1, 1), where=where, **fields)  # type: ignore[arg-type]


def on(day: date) -> Deadline:
    return Deadline(date=day)


@pytest.mark.parametrize(("days", "level"), [
    (-1, "red"), (0, "yellow"), (10, "yellow"), (11, "green"), (20, "green"), (21, "ok"),
])
def test_level_boundaries_of_the_default_policy(days: int, level: str) -> None:
    result = classify(make(on(TODAY + timedelta(days=days))), FEEDBACK, Policy(), TODAY)
    assert (result.level, result.days, result.fails) == (level, days, level == "red")


@pytest.mark.parametrize(("tier", "due"), [
    ("立行立改", date(2021, 2, 7)), ("短期", date(2021, 4, 7)),
    ("中期", date(2021, 8, 7)), ("长期", date(2022, 2, 7)),
])
def test_tiers_resolve_from_the_feedback_date(tier: str, due: date) -> None:
    result = classify(make(Deadline(tier=tier)), FEEDBACK, Policy(), TODAY)
    assert (result.deadline, result.days, result.deadline_label.split(" ")[0]) == (
        due, (due - TODAY).days, tier)


def test_tier_is_clamped_to_the_month_end() -> None:
    result = classify(make(Deadline(tier="中期")), date(2021, 8, 31), Policy(), TODAY)
    assert result.deadline == date(2022, 2, 28)


def test_tier_without_feedback_date_has_no_deadline() -> None:
    result = classify(make(Deadline(tier="短期")), None, Policy(), TODAY)
    assert (result.level, result.fails) == ("no-deadline", False)


def test_earlier_open_measure_binds_and_is_pointed_at() -> None:
    measures = (Measure("甲", on(date(2021, 3, 1)), done=True),
                Measure("乙", on(date(2021, 7, 20))))
    issue = make(on(date(2021, 12, 31)), measures=measures,
                 where={"measures.2.deadline": Location(PATH, 12, 15)})
    result = classify(issue, FEEDBACK, Policy(), TODAY)
    assert (result.level, result.days, result.basis) == ("red", -12, "measure")
    assert result.location == Location(PATH, 12, 15)
    assert result.deadline_label == "2021年7月20日(第2项措施)"


def test_measure_on_the_same_day_leaves_the_problem_deadline_binding() -> None:
    issue = make(on(date(2021, 8, 5)), measures=(Measure("甲", on(date(2021, 8, 5))),),
                 where={"measures.1.deadline": Location(PATH, 9, 15)})
    result = classify(issue, FEEDBACK, Policy(), TODAY)
    assert (result.basis, result.location) == ("deadline", Location(PATH, 7, 11))


def test_last_extension_binds() -> None:
    extensions = (Extension(date(2021, 4, 1), date(2021, 6, 1)),
                  Extension(date(2021, 5, 20), date(2021, 9, 1)))
    issue = make(Deadline(tier="短期"), extensions=extensions,
                 where={"extensions.2.to": Location(PATH, 14, 9)})
    result = classify(issue, FEEDBACK, Policy(), TODAY)
    assert (result.level, result.days, result.basis) == ("ok", 31, "extension")
    assert (result.location, result.deadline_label) == (Location(PATH, 14, 9),
                                                        "2021年9月1日(已延期)")


def test_open_measure_earlier_than_the_extension_still_binds() -> None:
    issue = make(Deadline(tier="短期"), extensions=(Extension(date(2021, 4, 1),
                                                               date(2021, 9, 1)),),
                 measures=(Measure("甲", on(date(2021, 7, 1))),))
    result = classify(issue, FEEDBACK, Policy(), TODAY)
    assert (result.level, result.basis) == ("red", "measure")
    # No position recorded for the measure's deadline: fall back to the deadline field.
    assert result.location == Location(PATH, 7, 11)


def test_ongoing_never_fails_even_when_its_date_passed() -> None:
    everything = Policy(fail_on=("green", "yellow", "red"))
    by_status = classify(make(on(date(2021, 3, 1)), status="长期坚持"), FEEDBACK, everything,
                         TODAY)
    by_tier = classify(make(Deadline(tier="长期坚持")), FEEDBACK, everything, TODAY)
    for result in (by_status, by_tier):
        assert (result.level, result.fails, result.days) == ("ongoing", False, None)


def test_mostly_done_is_still_open() -> None:
    result = classify(make(on(date(2021, 7, 1)), status="基本完成"), FEEDBACK, Policy(), TODAY)
    assert (result.level, result.fails) == ("red", True)


def closed(on_day: date) -> Closing:
    return Closing(on_day, evidence=(Evidence("材料"),))


@pytest.mark.parametrize(("closed_on", "level", "days"), [
    (date(2021, 6, 30), "closed", 0),
    (date(2021, 7, 1), "closed-late", -1),
])
def test_closed_late_is_reported_not_failed(closed_on: date, level: str, days: int) -> None:
    issue = make(on(date(2021, 6, 30)), status="已完成", closed=closed(closed_on))
    result = classify(issue, FEEDBACK, Policy(fail_on=("green", "yellow", "red")), TODAY)
    assert (result.level, result.days, result.fails, result.is_open) == (level, days, False,
                                                                          False)


def test_closed_without_deadline_or_ongoing_is_closed() -> None:
    for deadline in (None, Deadline(tier="长期坚持")):
        issue = make(deadline, status="已完成", closed=closed(date(2021, 5, 1)))
        assert classify(issue, FEEDBACK, Policy(), TODAY).level == "closed"


def test_no_deadline_points_at_the_record() -> None:
    result = classify(make(None), FEEDBACK, Policy(), TODAY)
    assert (result.level, result.location, result.deadline_label) == (
        "no-deadline", Location(PATH, 1, 1), "")


@pytest.mark.parametrize(("numbers", "text"), [
    ([], ""), ([4], "4"), ([1, 2, 3], "1–3"), ([7, 1, 3, 2, 5, 6], "1–3、5–7"),
    ([1, 1, 3], "1、3"),
])
def test_number_ranges(numbers: list[int], text: str) -> None:
    assert number_ranges(numbers) == text


def test_number_ranges_are_cut_after_the_limit() -> None:
    assert number_ranges([1, 3, 5, 7, 8], limit=3) == "1、3、5等"
    assert number_ranges([1, 3, 5, 7, 8], limit=4) == "1、3、5、7–8"


def test_policy_warnings() -> None:
    assert list(policy_warnings(Policy())) == []
    assert list(policy_warnings(Policy(fail_on=("yellow", "red")))) == []
    assert [w.split(":")[0] for w in policy_warnings(Policy(fail_on=("green",)))] == [
        "预警规则 fail_on 含 green 却不含 yellow"]


URGENCY = {"red": 0, "yellow": 1, "green": 2, "ok": 3}


@given(st.integers(-400, 400), st.integers(0, 400), st.integers(0, 60), st.integers(0, 60),
       st.sets(st.sampled_from(("green", "yellow", "red"))))
def test_an_earlier_deadline_is_never_less_urgent(later: int, gap: int, green: int,
                                                  yellow: int, fail_on: set[str]) -> None:
    policy = Policy(max(green, yellow), min(green, yellow), tuple(sorted(fail_on)))
    late = classify(make(on(TODAY + timedelta(days=later))), FEEDBACK, policy, TODAY)
    early = classify(make(on(TODAY + timedelta(days=later - gap))), FEEDBACK, policy, TODAY)
    assert URGENCY[early.level] <= URGENCY[late.level]
    for result in (early, late):
        assert result.level in LEVELS
        assert result.fails == (result.level in fail_on)
