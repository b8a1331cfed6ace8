"""Date arithmetic of the ledger: parsing, deadline tiers, current deadline, days left.

Pure functions: `today` is always a parameter, never read from the clock here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from ledger.core.model import TIER_MONTHS, TIER_ONGOING, Deadline

if TYPE_CHECKING:
    from ledger.core.model import Facts

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CN = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


def month_days(year: int, month: int) -> int:
    """How many days the month has (calendar.monthrange, without importing calendar)."""
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def parse_date(text: str) -> tuple[date | None, str]:
    """Parse 2021-08-26 or 2021年8月26日; on failure return (None, a Chinese reason)."""
    text = text.strip()
    match = _ISO.match(text) or _CN.match(text)
    if match is None:
        return None, f"\"{text}\"不是有效日期,日期格式应为 YYYY-MM-DD(例如 2021-08-26)"
    year, month, day = (int(group) for group in match.groups())
    if not 1 <= month <= 12:
        return None, f"月份{month}不存在"
    last = month_days(year, month)
    if not 1 <= day <= last:
        return None, f"{year}年{month}月没有{day}日(这个月只有{last}天)"
    return date(year, month, day), ""


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (8月31日 + 6个月 = 2月28/29日)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, month_days(year, month)))


def resolve(deadline: Deadline | None, feedback: date | None) -> date | None:
    """The date a deadline stands for: its own date, or its tier counted from the feedback."""
    if deadline is None:
        return None
    if deadline.date is not None:
        return deadline.date
    if deadline.tier is None or deadline.tier == TIER_ONGOING or feedback is None:
        return None
    key = (feedback, deadline.tier)
    found = _TIER_DATES.get(key)
    if found is None:  # a ledger has one feedback date and four tiers: computed once each
        found = _TIER_DATES[key] = add_months(feedback, TIER_MONTHS[deadline.tier])
    return found


_TIER_DATES: dict[tuple[date, str], date] = {}


def is_ongoing(issue: Facts) -> bool:
    """长期坚持: by nature never finished, never overdue."""
    return issue.status == TIER_ONGOING or (
        issue.deadline is not None and issue.deadline.tier == TIER_ONGOING)


def original_deadline(issue: Facts, feedback: date | None) -> date | None:
    """The problem's own deadline as first set, before any extension."""
    return resolve(issue.deadline, feedback)


def current_deadline(issue: Facts, feedback: date | None) -> date | None:
    """The deadline in force: the last extension's date, else the problem's own.

    A measure's own deadline counts when it is earlier and the measure is not done.
    """
    extended = issue.extension_dates
    own = extended[-1] if extended else original_deadline(issue, feedback)
    candidates = [own] if own is not None else []
    for measure in issue.dated_measures:
        if not measure.done:
            when = resolve(measure.deadline, feedback)
            if when is not None:
                candidates.append(when)
    return min(candidates) if candidates else None


def days_left(issue: Facts, feedback: date | None, today: date) -> int | None:
    """Days until the current deadline (negative when overdue); None without a deadline."""
    if is_ongoing(issue):
        return None
    when = current_deadline(issue, feedback)
    return None if when is None else (when - today).days


def is_overdue(issue: Facts, feedback: date | None, today: date) -> bool:
    """Open and past its current deadline."""
    left = days_left(issue, feedback, today)
    return not issue.is_closed and left is not None and left < 0
