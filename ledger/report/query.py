"""Reports over the ledger as plain data: which problems, and what a row says.

Filtering, and each problem's row built from its `Standing` (the derived
facts are computed in `ledger.standing`, not here). No printing: the
presentation layer draws these rows, the CLI turns them into JSON.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ledger.core.errors import RefusedError
from ledger.core.model import STATUSES, Issue
from ledger.core.record import record
from ledger.deadline.standing import (
    DERIVED_EXTENDED,
    DERIVED_LATE,
    DERIVED_OVERDUE,
    Standing,
    standing,
)
from ledger.read.loader import ISSUES_DIR, Loaded, issue_filename

if TYPE_CHECKING:
    from ledger.core.model import View


@record(frozen=True)
class Filters:
    """What `ledger list` was asked to show."""

    open: bool = False
    closed: bool = False
    overdue: bool = False
    status: str | None = None
    unit: str | None = None
    aspect: int | None = None


STATUS_FILTER_WORDS = (*STATUSES, DERIVED_OVERDUE, DERIVED_EXTENDED, DERIVED_LATE)


def standings(ledger: View, today: date) -> list[Standing]:
    """Every problem's standing on `today`, in number order."""
    feedback = ledger.header.inspection.feedback
    policy = ledger.header.policy
    return [standing(issue, feedback, policy, today) for issue in ledger.issues]


def select(ledger: View, filters: Filters, today: date) -> list[Standing]:
    """The problems that pass every filter, in number order, with their standing."""
    chosen = []
    feedback = ledger.header.inspection.feedback
    policy = ledger.header.policy
    for issue in ledger.issues:  # one standing at a time: only those chosen are kept
        item = standing(issue, feedback, policy, today)
        if filters.open and issue.is_closed:
            continue
        if filters.closed and not issue.is_closed:
            continue
        if filters.overdue and not item.is_overdue:
            continue
        if filters.status is not None and filters.status not in (
                issue.status, *item.derived_words):
            continue
        if filters.unit is not None and not any(
                filters.unit in unit for unit in (issue.unit, *issue.co_units)):
            continue
        if filters.aspect is not None and issue.aspect != filters.aspect:
            continue
        chosen.append(item)
    return chosen


def row(item: Standing) -> dict[str, Any]:
    """One problem as a flat record: what `list --json` prints."""
    issue = item.issue
    return {
        "number": issue.number,
        "aspect": issue.aspect,
        "subject": issue.subject,
        "title": issue.title,
        "unit": issue.unit,
        "leader": issue.leader,
        "owner": issue.owner,
        "deadline": item.deadline.isoformat() if item.deadline is not None else None,
        "deadline_label": item.deadline_label,
        "status": issue.status,
        "display_status": item.display_status,
        "level": item.level.value,
        "days_left": item.days_left,
        "closed": issue.closed_date.isoformat() if issue.closed_date is not None else None,
        "extensions": len(issue.extension_dates),
        "measures": issue.measure_count,
        "measures_done": issue.measures_done,
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
