"""Where each problem stands on a given day: the one place derived facts are computed.

A `Standing` holds, for one problem, the deadline in force and what set it
(the problem's own deadline or tier, a measure's deadline, an extension), the
original deadline, the days left (or, once closed, the days to spare), the
warning level under the office's policy, whether that level fails `ledger
check`, the status as a reader sees it (正在推进(超期、已延期)), and the slip
caused by extensions. `list`, `show`, the template rows and every `check`
format are views of it: none of them works out a deadline, a level or a
wording of days again.

Pure: `today`, the feedback date and the policy are parameters; no I/O.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING

from ledger.core import dates
from ledger.core.model import STATUS_DONE, Location, Policy, cn_date
from ledger.core.record import record

if TYPE_CHECKING:
    from ledger.core.model import Facts


class Level(str, Enum):
    """A problem's warning level (see DOMAIN.md: green 20 days before, yellow 10, red overdue)."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    OK = "ok"
    ONGOING = "ongoing"
    CLOSED_LATE = "closed-late"
    CLOSED = "closed"
    NO_DEADLINE = "no-deadline"

    def __str__(self) -> str:  # the same text on Python 3.10 and 3.11+ in f-strings
        return self.value


LEVEL_NAMES: dict[Level, str] = {
    Level.RED: "红色预警",
    Level.YELLOW: "黄色预警",
    Level.GREEN: "绿色提醒",
    Level.OK: "时限未到",
    Level.ONGOING: "长期坚持",
    Level.CLOSED_LATE: "逾期完成",
    Level.CLOSED: "按期完成",
    Level.NO_DEADLINE: "未设时限",
}

# Report order: the most urgent first.
LEVELS: tuple[Level, ...] = tuple(Level)
# Only these can fail a run: the colours of the offices' warning scheme.
POLICY_LEVELS: tuple[Level, ...] = (Level.GREEN, Level.YELLOW, Level.RED)
OPEN_LEVELS: tuple[Level, ...] = (Level.RED, Level.YELLOW, Level.GREEN, Level.OK,
                                  Level.ONGOING, Level.NO_DEADLINE)
# Levels whose days count down to a deadline that is still ahead or just passed.
COUNTDOWN_LEVELS: tuple[Level, ...] = (Level.RED, Level.YELLOW, Level.GREEN, Level.OK)


class Basis(str, Enum):
    """What set the deadline in force."""

    DEADLINE = "deadline"
    EXTENSION = "extension"
    MEASURE = "measure"

    def __str__(self) -> str:
        return self.value


# Words added to the stored status for a reader.
DERIVED_OVERDUE = "超期"
DERIVED_EXTENDED = "已延期"
DERIVED_LATE = "逾期完成"


@record(frozen=True, slots=True)
class Standing:
    """One problem's derived facts on `today` under the office's policy."""

    issue: Facts
    level: Level
    fails: bool
    # The deadline in force, what set it, and the `where` key of the value that set it.
    deadline: date | None
    basis: Basis
    source_key: str
    # The problem's own deadline as first set, before any extension.
    original: date | None
    # Days from today to the deadline in force (negative: overdue); for a
    # closed problem, from the closing date to the deadline (negative: late).
    days: int | None

    # -- the record's own fields, for views that show them beside the facts

    @property
    def number(self) -> int:
        return self.issue.number

    @property
    def title(self) -> str:
        return self.issue.title

    @property
    def unit(self) -> str:
        return self.issue.unit

    @property
    def leader(self) -> str:
        return self.issue.leader

    @property
    def aspect(self) -> int:
        return self.issue.aspect

    @property
    def closed(self) -> date | None:
        return self.issue.closed_date

    @property
    def location(self) -> Location:
        """The line to point at: the value that set the deadline in force."""
        return self.issue.where.get(self.source_key) or self.issue.at("deadline")

    # -- derived

    @property
    def is_open(self) -> bool:
        return self.level in OPEN_LEVELS

    @property
    def is_overdue(self) -> bool:
        return self.level is Level.RED

    @property
    def closed_late(self) -> bool:
        return self.level is Level.CLOSED_LATE

    @property
    def days_left(self) -> int | None:
        """Days to the deadline in force for an open problem with one; None otherwise."""
        return self.days if self.level in COUNTDOWN_LEVELS else None

    @property
    def slip(self) -> int | None:
        """Days the extensions moved the deadline; None without extensions or an original."""
        if not self.issue.extension_dates or self.original is None or self.deadline is None:
            return None
        return (self.deadline - self.original).days

    @property
    def tier(self) -> str | None:
        deadline = self.issue.deadline
        return deadline.tier if deadline is not None else None

    @property
    def deadline_label(self) -> str:
        """时限 as reports show it: 短期 2021年4月7日, 2021年8月15日(已延期), …(第2项措施)."""
        if self.level is Level.ONGOING:
            return LEVEL_NAMES[Level.ONGOING]
        when = self.deadline
        if when is None:
            return self.tier or ""
        if self.basis is Basis.EXTENSION:
            return f"{cn_date(when)}(已延期)"
        if self.basis is Basis.MEASURE:
            return f"{cn_date(when)}(第{self.source_key.split('.')[1]}项措施)"
        return f"{self.tier} {cn_date(when)}" if self.tier else cn_date(when)

    @property
    def source(self) -> str:
        """Where the deadline in force comes from, for `show`: 问题时限(中期), 第2项措施时限 …"""
        if self.basis is Basis.EXTENSION:
            text = f"已延期{len(self.issue.extension_dates)}次"
            if self.original is not None:
                text += f",原时限{cn_date(self.original)}"
            return text + (f",共延后{self.slip}天" if self.slip is not None else "")
        if self.basis is Basis.MEASURE:
            return f"第{self.source_key.split('.')[1]}项措施时限"
        return f"问题时限,{self.tier}" if self.tier else "问题时限"

    @property
    def deadline_text(self) -> str:
        """The deadline line of `show`: the date in force and where it comes from, days left."""
        if self.level is Level.ONGOING:
            return "长期坚持(不设时限)"
        if self.deadline is None:
            return f"{self.tier}(反馈日期未填,无法推算日期)" if self.tier else "未设定"
        days = self.days_text
        return f"{cn_date(self.deadline)}({self.source})" + (f",{days}" if days else "")

    @property
    def days_text(self) -> str:
        """超期 3 天 / 今天到期 / 还剩 5 天 / 逾期 10 天完成(2021年7月10日销号); else empty."""
        days = self.days
        if self.level is Level.CLOSED_LATE and days is not None and self.closed is not None:
            return f"逾期 {-days} 天完成({cn_date(self.closed)}销号)"
        if self.level not in COUNTDOWN_LEVELS or days is None:
            return ""
        if days < 0:
            return f"超期 {-days} 天"
        return "今天到期" if days == 0 else f"还剩 {days} 天"

    @property
    def derived_words(self) -> tuple[str, ...]:
        """The words a reader sees besides the stored status: 超期, 已延期, 逾期完成."""
        if self.issue.is_closed:
            return (DERIVED_LATE,) if self._closed_after_deadline else ()
        words = []
        if self.days is not None and self.days < 0 and self.level is not Level.ONGOING:
            words.append(DERIVED_OVERDUE)
        if self.issue.extension_dates:
            words.append(DERIVED_EXTENDED)
        return tuple(words)

    @property
    def display_status(self) -> str:
        """The status as a reader should see it: 正在推进(超期、已延期), 已完成(逾期完成)."""
        stored = STATUS_DONE if self.issue.is_closed else self.issue.status
        words = self.derived_words
        return stored + (f"({'、'.join(words)})" if words else "")

    @property
    def _closed_after_deadline(self) -> bool:
        closed = self.closed
        return closed is not None and self.deadline is not None and closed > self.deadline


def standing(issue: Facts, feedback: date | None, policy: Policy, today: date) -> Standing:
    """One problem's standing under `policy` on `today`."""
    when, basis, key = _binding(issue, feedback)
    original = dates.original_deadline(issue, feedback)
    days: int | None
    if issue.is_closed:
        closed = issue.closed_date
        late = closed is not None and when is not None and closed > when
        level = Level.CLOSED_LATE if late else Level.CLOSED
        days = (when - closed).days if when is not None and closed is not None else None
    elif dates.is_ongoing(issue):
        level, days = Level.ONGOING, None
    elif when is None:
        level, days = Level.NO_DEADLINE, None
    else:
        days = (when - today).days
        level = (Level.RED if days < 0 else Level.YELLOW if days <= policy.yellow_days
                 else Level.GREEN if days <= policy.green_days else Level.OK)
    fails = (level in POLICY_LEVELS and level.value in policy.fail_on) or (
        level is Level.NO_DEADLINE and policy.no_deadline == "fail")
    return Standing(issue, level, fails, when, basis, key, original, days)


def _binding(issue: Facts, feedback: date | None) -> tuple[date | None, Basis, str]:
    """The deadline in force, what set it, and the `where` key of the value that set it.

    `dates.current_deadline` decides the date; this only finds its source so
    that the annotation lands on the line that holds that date. The problem's
    own deadline wins a tie with a measure's.
    """
    when = dates.current_deadline(issue, feedback)
    extended = issue.extension_dates
    if extended:
        if when == extended[-1]:
            return when, Basis.EXTENSION, f"extensions.{len(extended)}.to"
    elif when is not None and when == dates.original_deadline(issue, feedback):
        return when, Basis.DEADLINE, "deadline"
    for measure in issue.dated_measures:
        if not measure.done and when is not None and \
                dates.resolve(measure.deadline, feedback) == when:
            return when, Basis.MEASURE, f"measures.{measure.index}.deadline"
    return when, Basis.DEADLINE, "deadline"
