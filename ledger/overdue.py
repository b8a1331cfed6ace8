"""The overdue policy of `ledger check`: every problem classified against the office's rules.

Each problem gets one level: red (open, past its deadline in force), yellow
(open, due within `yellow_days`), green (open, due within `green_days`), ok
(open, due later), ongoing (长期坚持: listed, never failing), closed-late
(closed after its deadline), closed (closed in time) or no-deadline (open,
nothing to count from: a warning, never a failure). Deadlines come from
`ledger.dates`, so tiers, measure deadlines and extensions mean here what they
mean in `list` and `show`.

Pure: `today` and the policy are parameters; no I/O, no formatting (that is
`ledger.ci_formats`). One pass over the problems: linear in their number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from . import dates
from .model import Issue, Ledger, Location, Policy, cn_date

RED = "red"
YELLOW = "yellow"
GREEN = "green"
OK = "ok"
ONGOING = "ongoing"
CLOSED_LATE = "closed-late"
CLOSED = "closed"
NO_DEADLINE = "no-deadline"

# Report order: the most urgent first.
LEVELS: tuple[str, ...] = (RED, YELLOW, GREEN, OK, ONGOING, CLOSED_LATE, CLOSED, NO_DEADLINE)
# Only these can fail a run: the colours of the offices' warning scheme.
POLICY_LEVELS: tuple[str, ...] = (GREEN, YELLOW, RED)
OPEN_LEVELS: tuple[str, ...] = (RED, YELLOW, GREEN, OK, ONGOING, NO_DEADLINE)

LEVEL_NAMES: dict[str, str] = {
    RED: "红色预警",
    YELLOW: "黄色预警",
    GREEN: "绿色提醒",
    OK: "时限未到",
    ONGOING: "长期坚持",
    CLOSED_LATE: "逾期完成",
    CLOSED: "按期完成",
    NO_DEADLINE: "未设时限",
}

# What bound the deadline in force, for the label and the annotation's line.
BASIS_DEADLINE = "deadline"
BASIS_EXTENSION = "extension"
BASIS_MEASURE = "measure"


@dataclass(frozen=True, slots=True)
class Result:
    """One problem's standing under the policy, with the place to point at."""

    number: int
    title: str
    unit: str
    leader: str
    aspect: int
    level: str
    fails: bool
    deadline: date | None
    deadline_label: str
    # Days from today to the deadline in force (negative: overdue); for a
    # closed problem, from the closing date to the deadline (negative: late).
    days: int | None
    closed: date | None
    location: Location
    basis: str = BASIS_DEADLINE

    @property
    def is_open(self) -> bool:
        return self.level in OPEN_LEVELS


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of `ledger check`: every problem's result, counts, warnings, verdict."""

    today: date
    policy: Policy
    results: tuple[Result, ...]
    counts: dict[str, int]
    warnings: tuple[str, ...]

    @property
    def failing(self) -> tuple[Result, ...]:
        return tuple(result for result in self.results if result.fails)

    @property
    def passed(self) -> bool:
        return not any(result.fails for result in self.results)

    def at_level(self, level: str) -> list[Result]:
        """The results of one level, the most urgent first (fewest days left), then by number."""
        chosen = [result for result in self.results if result.level == level]
        if level in (RED, YELLOW, GREEN, OK):
            chosen.sort(key=lambda result: (result.days or 0, result.number))
        return chosen


def classify(issue: Issue, feedback: date | None, policy: Policy, today: date) -> Result:
    """One problem's level under `policy` on `today`."""
    when, basis, where = _binding(issue, feedback)
    label = _label(issue, when, basis, where)
    closed = issue.closed.date if issue.closed is not None else None
    days: int | None
    if issue.is_closed:
        late = closed is not None and when is not None and closed > when
        level = CLOSED_LATE if late else CLOSED
        days = (when - closed).days if when is not None and closed is not None else None
    elif dates.is_ongoing(issue):
        level, days, label = ONGOING, None, LEVEL_NAMES[ONGOING]
    elif when is None:
        level, days = NO_DEADLINE, None
    else:
        days = (when - today).days
        level = (RED if days < 0 else YELLOW if days <= policy.yellow_days
                 else GREEN if days <= policy.green_days else OK)
    return Result(
        number=issue.number,
        title=issue.title,
        unit=issue.unit,
        leader=issue.leader,
        aspect=issue.aspect,
        level=level,
        fails=level in POLICY_LEVELS and level in policy.fail_on,
        deadline=when,
        deadline_label=label,
        days=days,
        closed=closed,
        location=issue.where.get(where) or issue.at("deadline"),
        basis=basis,
    )


def check(ledger: Ledger, today: date, data_warnings: int = 0) -> Report:
    """Classify every problem of `ledger`; `data_warnings` counts validation warnings to mention."""
    policy = ledger.header.policy
    feedback = ledger.header.inspection.feedback
    results = tuple(classify(issue, feedback, policy, today) for issue in ledger.issues)
    counts = Counter(result.level for result in results)
    warnings = list(policy_warnings(policy))
    missing = [result.number for result in results if result.level == NO_DEADLINE]
    if missing:
        shown = number_ranges(missing, 10)
        warnings.append(f"{len(missing)} 个未销号问题没有整改时限(问题 {shown}),"
                        "无法判断是否超期;请在 deadline 中填写日期"
                        "或 立行立改/短期/中期/长期/长期坚持。")
    if data_warnings:
        warnings.append(f"台账数据有 {data_warnings} 个警告;请运行 ledger validate 查看。")
    return Report(today, policy, results, {level: counts[level] for level in LEVELS},
                  tuple(warnings))


def policy_warnings(policy: Policy) -> Iterable[str]:
    """A policy that fails on a level but not on a worse one is almost surely a slip."""
    for milder, worse in ((GREEN, YELLOW), (YELLOW, RED)):
        if milder in policy.fail_on and worse not in policy.fail_on:
            yield (f"预警规则 fail_on 含 {milder} 却不含 {worse}:{LEVEL_NAMES[worse]}的问题"
                   f"不会使检查不通过;如需判为不通过,请把 {worse} 也写进 fail_on。")


def number_ranges(numbers: Sequence[int], limit: int = 0) -> str:
    """1、3、5–7: problem numbers with consecutive runs folded; past `limit` runs, 等."""
    ordered = sorted(set(numbers))
    runs: list[list[int]] = []
    for number in ordered:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    parts = [str(first) if first == last else f"{first}–{last}" for first, last in runs]
    if limit and len(parts) > limit:
        return "、".join(parts[:limit]) + "等"
    return "、".join(parts)


def _binding(issue: Issue, feedback: date | None) -> tuple[date | None, str, str]:
    """The deadline in force, what set it, and the `where` key of the value that set it.

    `dates.current_deadline` decides the date; this only finds its source so
    that the annotation lands on the line that holds that date. The problem's
    own deadline wins a tie with a measure's.
    """
    when = dates.current_deadline(issue, feedback)
    if issue.extensions:
        count = len(issue.extensions)
        if when == issue.extensions[-1].to:
            return when, BASIS_EXTENSION, f"extensions.{count}.to"
    elif when is not None and when == dates.original_deadline(issue, feedback):
        return when, BASIS_DEADLINE, "deadline"
    for index, measure in enumerate(issue.measures, start=1):
        if not measure.done and when is not None and \
                dates.resolve(measure.deadline, feedback) == when:
            return when, BASIS_MEASURE, f"measures.{index}.deadline"
    return when, BASIS_DEADLINE, "deadline"


def _label(issue: Issue, when: date | None, basis: str, where: str) -> str:
    """时限 as the reports show it: 短期 2021年4月7日, 2021年8月15日(已延期), …(第2项措施)."""
    if when is None:
        return ""
    if basis == BASIS_EXTENSION:
        return f"{cn_date(when)}(已延期)"
    if basis == BASIS_MEASURE:
        return f"{cn_date(when)}(第{where.split('.')[1]}项措施)"
    tier = issue.deadline.tier if issue.deadline is not None else None
    return f"{tier} {cn_date(when)}" if tier else cn_date(when)
