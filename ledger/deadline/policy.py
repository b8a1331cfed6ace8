"""The deadline policy of `ledger check`: every problem's standing, counted and judged.

Each problem gets one level (see `ledger.standing`): red (open, past its
deadline in force), yellow (open, due within `yellow_days`), green (open, due
within `green_days`), ok (open, due later), ongoing (长期坚持: listed, never
failing), closed-late, closed or no-deadline (open, nothing to count from: a
warning, never a failure). This module adds what the run as a whole says:
counts per level, the policy's own warnings, the verdict.

Pure: `today` and the policy are parameters; no I/O, no formatting (that is
`ledger.ci_formats`). One pass over the problems: linear in their number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ledger.core.model import Policy
from ledger.deadline.standing import (
    COUNTDOWN_LEVELS,
    LEVEL_NAMES,
    LEVELS,
    Level,
    Standing,
    standing,
)

if TYPE_CHECKING:
    from ledger.core.model import View

# `classify` is the name the check reports have always used for one problem's standing.
classify = standing


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of `ledger check`: every problem's standing, counts, warnings, verdict."""

    today: date
    policy: Policy
    results: tuple[Standing, ...]
    counts: dict[str, int]
    warnings: tuple[str, ...]

    @property
    def failing(self) -> tuple[Standing, ...]:
        return tuple(result for result in self.results if result.fails)

    @property
    def passed(self) -> bool:
        return not any(result.fails for result in self.results)

    def at_level(self, level: Level | str) -> list[Standing]:
        """The results of one level, the most urgent first (fewest days left), then by number."""
        level = Level(level)
        chosen = [result for result in self.results if result.level is level]
        if level in COUNTDOWN_LEVELS:
            chosen.sort(key=lambda result: (result.days or 0, result.number))
        return chosen


def check(ledger: View, today: date, data_warnings: int = 0) -> Report:
    """Classify every problem of `ledger`; `data_warnings` counts validation warnings to mention."""
    policy = ledger.header.policy
    feedback = ledger.header.inspection.feedback
    results = tuple(standing(issue, feedback, policy, today) for issue in ledger.issues)
    counts = Counter(result.level for result in results)
    warnings = list(policy_warnings(policy))
    missing = [result.number for result in results if result.level is Level.NO_DEADLINE]
    if missing:
        shown = number_ranges(missing, 10)
        tracked = sum(1 for result in results if result.level in COUNTDOWN_LEVELS)
        warnings.append(f"{len(missing)} 个未销号问题没有整改时限(问题 {shown}),"
                        "无法判断是否超期;请在 deadline 中填写日期"
                        "或 立行立改/短期/中期/长期/长期坚持。")
        if not tracked:
            warnings.append(NOTHING_TRACKED)
        if policy.no_deadline == "fail":
            warnings.append(NO_DEADLINE_FAILS)
    if data_warnings:
        warnings.append(f"台账数据有 {data_warnings} 个警告;请运行 ledger validate 查看。")
    return Report(today, policy, results, {level.value: counts[level] for level in LEVELS},
                  tuple(warnings))


# Said when not one problem's deadline is being counted down (a fresh import, say).
NOTHING_TRACKED = ("没有任何问题的整改时限在被跟踪:检查通过不代表按期整改。"
                   "可用 ledger set 序号 deadline=日期或时限类别 填写时限;"
                   "要让未设时限判为不通过,在 data/ledger.yaml 的 policy 中写 no_deadline: fail。")
NO_DEADLINE_FAILS = "预警规则 no_deadline: fail:未设时限的未销号问题判为不通过。"


def policy_warnings(policy: Policy) -> Iterable[str]:
    """A policy that fails on a level but not on a worse one is almost surely a slip."""
    for milder, worse in ((Level.GREEN, Level.YELLOW), (Level.YELLOW, Level.RED)):
        if milder.value in policy.fail_on and worse.value not in policy.fail_on:
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
