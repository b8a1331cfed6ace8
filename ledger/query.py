"""Reports over the ledger as plain data: which problems, and what a row says.

Filtering and the derived facts a reader wants (days left, overdue, extended,
closed late) are computed here from records and `today`. No printing: the
presentation layer draws these rows, the CLI turns them into JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import dates
from .errors import RefusedError
from .loader import ISSUES_DIR, Loaded, issue_filename
from .model import STATUS_DONE, STATUSES, Issue, Ledger, cn_date

DERIVED_OVERDUE = "超期"
DERIVED_EXTENDED = "已延期"
DERIVED_LATE = "逾期完成"


@dataclass(frozen=True)
class Filters:
    """What `ledger list` was asked to show."""

    open: bool = False
    closed: bool = False
    overdue: bool = False
    status: str | None = None
    unit: str | None = None
    aspect: int | None = None


def derived_status(issue: Issue, feedback: date | None, today: date) -> str:
    """The status as a reader should see it: stored word plus 超期/已延期/逾期完成."""
    deadline = dates.current_deadline(issue, feedback)
    return _status_text(issue, deadline, _days(issue, deadline, today))


def _days(issue: Issue, deadline: date | None, today: date) -> int | None:
    """dates.days_left, from a current deadline already worked out (rows need it thrice)."""
    return None if deadline is None or dates.is_ongoing(issue) else (deadline - today).days


def _status_text(issue: Issue, deadline: date | None, days: int | None) -> str:
    if issue.is_closed:
        late = issue.closed is not None and deadline is not None and issue.closed.date > deadline
        return f"{STATUS_DONE}({DERIVED_LATE})" if late else STATUS_DONE
    words = [issue.status]
    if days is not None and days < 0:
        words.append(DERIVED_OVERDUE)
    if issue.extensions:
        words.append(DERIVED_EXTENDED)
    return words[0] + (f"({'、'.join(words[1:])})" if len(words) > 1 else "")


def deadline_label(issue: Issue, feedback: date | None) -> str:
    """时限 as a table shows it: the date in force, the tier in front when there is one."""
    return _label(issue, dates.current_deadline(issue, feedback))


def _label(issue: Issue, when: date | None) -> str:
    if dates.is_ongoing(issue):
        return "长期坚持"
    tier = issue.deadline.tier if issue.deadline is not None else None
    if when is None:
        return tier or ""
    return f"{tier} {cn_date(when)}" if tier and not issue.extensions else cn_date(when)


def select(ledger: Ledger, filters: Filters, today: date) -> list[Issue]:
    """The problems that pass every filter, in number order."""
    feedback = ledger.header.inspection.feedback
    chosen = []
    for issue in ledger.issues:
        if filters.open and issue.is_closed:
            continue
        if filters.closed and not issue.is_closed:
            continue
        if filters.overdue and not dates.is_overdue(issue, feedback, today):
            continue
        if filters.status is not None and filters.status not in (
                issue.status, *_derived_words(issue, feedback, today)):
            continue
        if filters.unit is not None and not any(
                filters.unit in unit for unit in (issue.unit, *issue.co_units)):
            continue
        if filters.aspect is not None and issue.aspect != filters.aspect:
            continue
        chosen.append(issue)
    return chosen


def _derived_words(issue: Issue, feedback: date | None, today: date) -> Sequence[str]:
    word = derived_status(issue, feedback, today)
    return [part for part in (DERIVED_OVERDUE, DERIVED_EXTENDED, DERIVED_LATE) if part in word]


STATUS_FILTER_WORDS = (*STATUSES, DERIVED_OVERDUE, DERIVED_EXTENDED, DERIVED_LATE)


def row(issue: Issue, ledger: Ledger, today: date) -> dict[str, Any]:
    """One problem as a flat record: what `list` shows and `list --json` prints."""
    deadline = dates.current_deadline(issue, ledger.header.inspection.feedback)
    days = _days(issue, deadline, today)
    return {
        "number": issue.number,
        "aspect": issue.aspect,
        "subject": issue.subject,
        "title": issue.title,
        "unit": issue.unit,
        "leader": issue.leader,
        "owner": issue.owner,
        "deadline": deadline.isoformat() if deadline is not None else None,
        "deadline_label": _label(issue, deadline),
        "status": issue.status,
        "display_status": _status_text(issue, deadline, days),
        "days_left": None if issue.is_closed else days,
        "closed": issue.closed.date.isoformat() if issue.closed is not None else None,
        "extensions": len(issue.extensions),
        "measures": len(issue.measures),
        "measures_done": sum(1 for measure in issue.measures if measure.done),
        "path": issue.path,
    }


def lookup(loaded: Loaded, number: int) -> Issue:
    """The problem numbered `number`, or a refusal that says why it is not there.

    A file that exists but could not be read is named with its first error,
    rather than reported as a missing number; a missing number gets the
    nearest numbers as a hint. Duplicates are refused: which file is meant?
    """
    found = [issue for issue in loaded.ledger.issues if issue.number == number]
    if len(found) == 1:
        return found[0]
    if found:
        raise RefusedError(f"序号 {number} 同时出现在 {'、'.join(i.path for i in found)}",
                           "请先修正重复的序号(ledger validate 会列出)")
    relpath = f"{ISSUES_DIR}/{issue_filename(number)}"
    errors = [p for p in loaded.problems if p.location.path == relpath and p.severity == "error"]
    if errors:
        raise RefusedError(f"问题 {number} 的文件 {relpath} 无法读取:{errors[0].message}",
                           errors[0].hint or "请先运行 ledger validate 修正这个文件",
                           errors[0].location)
    numbers = sorted(issue.number for issue in loaded.ledger.issues)
    if not numbers:
        raise RefusedError(f"没有序号为 {number} 的问题", "台账中还没有问题;可用 ledger new 新增")
    near = sorted(sorted(numbers, key=lambda n: (abs(n - number), n))[:3])
    raise RefusedError(f"没有序号为 {number} 的问题",
                       f"相近的序号:{'、'.join(map(str, near))}"
                       f"(现有 {numbers[0]}–{numbers[-1]},共{len(numbers)}个)")
