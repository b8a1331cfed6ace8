"""The wall chart (挂图作战): one self-contained HTML file, every problem a coloured cell.

Builds the chart's context from the standings (the level of each cell is
`Standing.level`, its words are `Standing`'s) and the counts from
`stats.count`; the burndown is `history.series`. The page itself is
templates/board.html.j2, rendered in the one Jinja environment of
`ledger.render` (autoescaped, strict), with inline CSS and SVG: no script,
no network. Every cell carries data-number and data-level for scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.core.model import Policy, cn_date
from ledger.deadline.standing import LEVEL_NAMES, Level, Standing
from ledger.report.stats import UNFILLED, Counts, count, summary_sentence

if TYPE_CHECKING:
    from ledger.core.model import View
    from ledger.report.rollup import Rollup

TEMPLATE = "board.html.j2"
DEFAULT_POLICY = Policy()
BY = ("aspect", "unit")
# Legend order: what needs action first.
LEGEND = (Level.RED, Level.YELLOW, Level.GREEN, Level.OK, Level.NO_DEADLINE, Level.ONGOING,
          Level.CLOSED_LATE, Level.CLOSED)


@dataclass(frozen=True, slots=True)
class Band:
    """One group of cells: an aspect, a unit, or a member ledger in a roll-up."""

    label: str
    counts: Counts
    cells: tuple[dict[str, Any], ...]


def cell(item: Standing, member: str = "") -> dict[str, Any]:
    """One problem's cell: what it shows, its hover text, its printed details."""
    issue = item.issue
    title = " ".join(issue.title.split())
    details = [f"责任单位:{issue.unit or '—'}"
               + (f"(协办:{'、'.join(issue.co_units)})" if issue.co_units else ""),
               f"责任领导:{issue.leader or '—'}",
               f"时限:{item.deadline_label or '—'}",
               f"状态:{item.display_status}" + (f",{item.days_text}" if item.days_text else "")]
    hover = "\n".join([f"{member + ' ' if member else ''}问题{issue.number}:{title}",
                       *details, f"预警:{LEVEL_NAMES[item.level]}"])
    return {"number": issue.number, "level": item.level.value, "title": title,
            "details": details, "hover": hover, "member": member,
            "level_name": LEVEL_NAMES[item.level]}


def bands(ledger: View, items: Sequence[Standing], by: str) -> list[Band]:
    """The cells grouped by aspect (every aspect of the header) or by lead unit."""
    groups: dict[str, list[Standing]] = {}
    if by == "aspect":
        titles = {aspect.number: aspect.title for aspect in ledger.header.aspects}
        for number in sorted(titles):
            groups[f"{number}、{titles[number]}"] = []
        for item in items:
            groups.setdefault(f"{item.aspect}、{titles.get(item.aspect, '')}".rstrip("、"),
                              []).append(item)
    else:
        for item in items:
            groups.setdefault(item.unit.strip() or UNFILLED, []).append(item)
        if UNFILLED in groups:
            groups[UNFILLED] = groups.pop(UNFILLED)  # last
    return [Band(label, count(group), tuple(cell(item) for item in group))
            for label, group in groups.items()]


def headline(counts: Counts) -> list[dict[str, str]]:
    """The big numbers across the top."""
    return [
        {"label": "问题总数", "value": str(counts.total), "kind": "total"},
        {"label": "已完成", "value": str(counts.closed), "kind": "closed"},
        {"label": "整改完成率", "value": counts.rate_text, "kind": "rate"},
        {"label": "红色预警", "value": str(counts.overdue), "kind": "red"},
        {"label": "黄色预警", "value": str(counts.level(Level.YELLOW)), "kind": "yellow"},
        {"label": "逾期完成", "value": str(counts.closed_late), "kind": "closed-late"},
        {"label": "整改措施完成", "value": f"{counts.measures_done}/{counts.measures}",
         "kind": "measures"},
    ]


def band_note(counts: Counts) -> str:
    parts = [f"{counts.total}个问题", f"已完成{counts.closed}个", f"完成率{counts.rate_text}"]
    if counts.overdue:
        parts.append(f"超期{counts.overdue}个")
    return ",".join(parts)


def burndown(points: Sequence[tuple[date, int, int, int]], width: int = 1100,
             height: int = 200) -> dict[str, Any] | None:
    """SVG geometry for open / closed / overdue over time; None with fewer than two points."""
    if len(points) < 2:
        return None
    left, right, top, bottom = 48, 16, 12, 42
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    peak = max(max(total - closed, closed, overdue) for _, total, closed, overdue in points)
    peak = max(peak, 1)
    step = _nice_step(peak)
    top_value = -(-peak // step) * step

    def x(day: date) -> float:
        return round(left + (width - left - right) * (day - first).days / span, 1)

    def y(value: int) -> float:
        return round(top + (height - top - bottom) * (1 - value / top_value), 1)

    def line(values: list[tuple[date, int]]) -> str:
        # A step line: a count holds until the next point.
        out = [f"{x(values[0][0])},{y(values[0][1])}"]
        for (_, before), (day, value) in pairwise(values):
            out.append(f"{x(day)},{y(before)}")
            out.append(f"{x(day)},{y(value)}")
        return " ".join(out)

    ticks = [{"y": y(value), "label": str(value)} for value in range(0, top_value + 1, step)]
    return {
        "width": width, "height": height, "left": left, "right": width - right,
        "bottom": height - bottom, "top": top, "ticks": ticks,
        "first": {"x": x(first), "label": cn_date(first)},
        "last": {"x": x(last), "label": cn_date(last)},
        "months": [{"x": x(day), "label": label} for day, label in _months(first, last)],
        "open": line([(day, total - closed) for day, total, closed, _ in points]),
        "closed": line([(day, closed) for day, _, closed, _ in points]),
        "overdue": line([(day, overdue) for day, _, _, overdue in points]),
        "now": {"open": points[-1][1] - points[-1][2], "closed": points[-1][2],
                "overdue": points[-1][3]},
    }


def _months(first: date, last: date) -> list[tuple[date, str]]:
    """Month starts strictly inside (first, last), at most about a dozen: 8月 / 2022年1月."""
    starts = []
    day = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    while day < last:
        starts.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    stride = max(1, -(-len(starts) // 12))
    return [(day, f"{day.year}年1月" if day.month == 1 else f"{day.month}月")
            for day in starts[::stride]]


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if peak / step <= 5:
            return step
    return 10000


def context(title: str, subtitle: str, today: date, total: Counts, groups: Sequence[Band],
            by_label: str, trend: dict[str, Any] | None, trend_note: str,
            policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    return {
        "policy_note": f"红色:已超期;黄色:{policy.yellow_days}天内到期;"
                       f"绿色:{policy.green_days}天内到期",
        "title": title, "subtitle": subtitle, "today": cn_date(today),
        "summary": summary_sentence(total), "headline": headline(total),
        "bands": [{"label": band.label, "note": band_note(band.counts), "cells": band.cells}
                  for band in groups],
        "by_label": by_label,
        "legend": [{"level": level.value, "name": LEVEL_NAMES[level],
                    "count": total.level(level)} for level in LEGEND],
        "burndown": trend, "burndown_note": trend_note,
    }


def build(ledger: View, today: date, by: str = "aspect",
          history: Sequence[tuple[date, int, int, int]] = (), history_note: str = ""
          ) -> dict[str, Any]:
    """The chart's context for one ledger; `history` is (day, total, closed, overdue)."""
    from ledger.report.query import standings

    items = standings(ledger, today)
    header = ledger.header
    subtitle = " ".join(part for part in (header.issuer, header.inspection.by) if part)
    return context(f"{header.title or '整改台账'} · 挂图作战", subtitle, today, count(items),
                   bands(ledger, items, by), "方面" if by == "aspect" else "责任单位",
                   burndown(history), history_note, header.policy)


def render(root: Path | None, board: dict[str, Any]) -> str:
    """The HTML page."""
    from ledger.present.render import render_template

    return render_template(root, TEMPLATE, board)


def rollup_board(result: Rollup) -> dict[str, Any]:
    """The wall chart over the roll-up: one band per member that counts."""
    from ledger.report.rollup import sentence

    bands = []
    for one in result.counted:
        assert one.counts is not None
        name = one.issuer or Path(one.path).name
        bands.append(Band(name, one.counts, tuple(cell(item, name) for item in one.standings)))
    note = "汇总看板不含燃尽图(各单位的历史请在各自台账中用 ledger board 查看)。"
    return context("整改情况汇总 · 挂图作战", sentence(result), result.today, result.total, bands,
                   "单位", None, note)
