"""Counts of problems and their completion rate, as offices state them.

完成率 = closed ÷ total, to two decimals with trailing zeros dropped (13.04%,
80%): the same figure the notice's progress sentence gives. One small tally
that the workbook's 统计 sheet uses and a `ledger stats` can build on.
No I/O, no formatting beyond the rate's digits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .model import Issue
from .notice import completion_rate

__all__ = ["Tally", "completion_rate", "tally", "tally_by"]


@dataclass(frozen=True, slots=True)
class Tally:
    """How many problems a group has, how many are closed (已完成), and the rate."""

    name: str
    total: int
    done: int

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def rate(self) -> str:
        """The completion rate's digits: 13.04, 80, 0 (write a % after it)."""
        return completion_rate(self.done, self.total)


def tally(issues: Iterable[Issue], name: str = "合计") -> Tally:
    """All of `issues` as one group."""
    chosen = list(issues)
    return Tally(name, len(chosen), sum(1 for issue in chosen if issue.is_closed))


def tally_by(issues: Iterable[Issue], key: Callable[[Issue], str]) -> list[Tally]:
    """One tally per value of `key`, in the order each value first appears."""
    groups: dict[str, list[Issue]] = {}
    for issue in issues:
        groups.setdefault(key(issue), []).append(issue)
    return [tally(members, name) for name, members in groups.items()]
