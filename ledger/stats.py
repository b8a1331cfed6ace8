"""The ledger's numbers: totals, rates and breakdowns, as offices report them upward.

Everything here is counted from `query.standings` (one `Standing` per problem):
no deadline, warning level, slip or closed-late is worked out again. The rate
is `notice.completion_rate`, the same function the notice's progress sentence
uses, so the two can never disagree. Pure: no I/O, no printing; the
presentation layer draws a `Stats`, the CLI turns it into JSON, Markdown or
CSV with the helpers at the end, and the xlsx 统计 sheet reads `table_rows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .model import (
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_MOSTLY_DONE,
    STATUS_ONGOING,
    TIERS,
    LedgerData,
)
from .notice import completion_rate
from .standing import LEVEL_NAMES, LEVELS, Level, Standing

# The breakdowns `--by` can choose, with their column heading.
BREAKDOWNS: dict[str, str] = {"aspect": "方面", "unit": "责任单位", "leader": "责任领导",
                              "tier": "时限类别"}
UNFILLED = "(未填写)"
TIER_DATE = "指定日期"
TIER_NONE = "未设时限"
_TIER_ORDER = (*TIERS, TIER_DATE, TIER_NONE)


@dataclass(frozen=True, slots=True)
class Counts:
    """The numbers of one set of problems (the whole ledger, or one group of a breakdown)."""

    total: int = 0
    closed: int = 0          # 已完成 (closed, 销号)
    mostly_done: int = 0     # 基本完成
    in_progress: int = 0     # 正在推进
    ongoing: int = 0         # 长期坚持
    measures: int = 0
    measures_done: int = 0
    # Problems at each warning level, in `standing.LEVELS` order.
    levels: tuple[tuple[Level, int], ...] = ()
    extended: int = 0        # problems with at least one extension
    extensions: int = 0      # extension records
    slipped: int = 0         # problems whose extensions moved a known deadline
    slip_days: int = 0       # the sum of those slips
    longest_slip: int | None = None
    longest_slip_number: int | None = None

    @property
    def rate(self) -> str:
        """完成率 as offices write it, without the % sign: 13.04, 80, 0."""
        return completion_rate(self.closed, self.total)

    @property
    def rate_text(self) -> str:
        return f"{self.rate}%"

    def level(self, level: Level) -> int:
        return dict(self.levels).get(level, 0)

    @property
    def overdue(self) -> int:
        return self.level(Level.RED)

    @property
    def closed_on_time(self) -> int:
        return self.level(Level.CLOSED)

    @property
    def closed_late(self) -> int:
        return self.level(Level.CLOSED_LATE)

    @property
    def average_slip(self) -> Decimal | None:
        """Average days the extensions moved a deadline, to one decimal; None without any."""
        if not self.slipped:
            return None
        return (Decimal(self.slip_days) / self.slipped).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Group:
    """One row of a breakdown: a key (aspect number, unit name …), its label and its counts."""

    key: str
    label: str
    counts: Counts
    # Unit breakdown only: problems this unit helps with as a co-unit (协办), and of them closed.
    co_total: int = 0
    co_closed: int = 0


@dataclass(frozen=True, slots=True)
class Breakdown:
    """The problems grouped one way (`by` is a key of BREAKDOWNS)."""

    by: str
    groups: tuple[Group, ...]

    @property
    def heading(self) -> str:
        return BREAKDOWNS[self.by]


@dataclass(frozen=True, slots=True)
class Stats:
    """The whole ledger's numbers on `today`, with the breakdowns asked for."""

    today: date
    issuer: str
    title: str
    total: Counts
    breakdowns: tuple[Breakdown, ...] = ()

    def breakdown(self, by: str) -> Breakdown:
        return next(item for item in self.breakdowns if item.by == by)


def count(items: Iterable[Standing]) -> Counts:
    """The counts of these problems, from their standings."""
    statuses = dict.fromkeys((STATUS_DONE, STATUS_MOSTLY_DONE, STATUS_IN_PROGRESS,
                              STATUS_ONGOING), 0)
    levels = dict.fromkeys(LEVELS, 0)
    total = measures = measures_done = extended = extensions = slipped = slip_days = 0
    longest: tuple[int, int] | None = None  # (slip, -number): the longest, then the lowest number
    for item in items:
        issue = item.issue
        total += 1
        status = STATUS_DONE if issue.is_closed else issue.status
        statuses[status] = statuses.get(status, 0) + 1
        levels[item.level] += 1
        measures += len(issue.measures)
        measures_done += sum(1 for measure in issue.measures if measure.done)
        if issue.extensions:
            extended += 1
            extensions += len(issue.extensions)
        slip = item.slip
        if slip is not None:
            slipped += 1
            slip_days += slip
            if longest is None or (slip, -issue.number) > longest:
                longest = (slip, -issue.number)
    return Counts(
        total=total, closed=statuses[STATUS_DONE], mostly_done=statuses[STATUS_MOSTLY_DONE],
        in_progress=statuses[STATUS_IN_PROGRESS], ongoing=statuses[STATUS_ONGOING],
        measures=measures, measures_done=measures_done,
        levels=tuple((level, levels[level]) for level in LEVELS),
        extended=extended, extensions=extensions, slipped=slipped, slip_days=slip_days,
        longest_slip=longest[0] if longest is not None else None,
        longest_slip_number=-longest[1] if longest is not None else None)


def compute(ledger: LedgerData, today: date, by: str | Sequence[str] = tuple(BREAKDOWNS)) -> Stats:
    """The ledger's numbers on `today`, broken down each way in `by`."""
    from .query import standings

    items = standings(ledger, today)
    wanted = (by,) if isinstance(by, str) else tuple(by)
    for name in wanted:
        if name not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {name!r}")
    header = ledger.header
    return Stats(today, header.issuer, header.title, count(items),
                 tuple(breakdown(ledger, items, name) for name in wanted))


def breakdown(ledger: LedgerData, items: Sequence[Standing], by: str) -> Breakdown:
    """`items` grouped by aspect, lead unit, leader or deadline tier, in report order."""
    if by == "unit":
        return _by_unit(items)
    buckets: dict[str, list[Standing]] = {}
    labels: dict[str, str] = {}
    if by == "aspect":
        titles = {aspect.number: aspect.title for aspect in ledger.header.aspects}
        for aspect in sorted(titles):  # every aspect, even one without problems
            labels[str(aspect)] = titles[aspect]
            buckets[str(aspect)] = []
        for item in sorted(items, key=lambda item: item.aspect):
            key = str(item.aspect)
            labels.setdefault(key, titles.get(item.aspect, f"方面{item.aspect}"))
            buckets.setdefault(key, []).append(item)
    else:
        keyed = [(_tier(item) if by == "tier" else item.leader.strip() or UNFILLED, item)
                 for item in items]
        # Tiers in their own order; leaders as the ledger first names them, the unfilled last.
        keyed.sort(key=lambda pair: _TIER_ORDER.index(pair[0]) if by == "tier"
                   else pair[0] == UNFILLED)
        for key, item in keyed:
            labels[key] = key
            buckets.setdefault(key, []).append(item)
    return Breakdown(by, tuple(Group(key, labels[key], count(group))
                               for key, group in buckets.items()))


def _by_unit(items: Sequence[Standing]) -> Breakdown:
    """Lead units with their problems' counts; co-units counted apart (co_total, co_closed).

    A problem counts once, under its lead unit, so the rows add up to the total;
    a unit that only helps (协办) still gets a row, with zero problems of its own.
    """
    lead: dict[str, list[Standing]] = {}
    co: dict[str, list[Standing]] = {}
    for item in items:
        lead.setdefault(item.unit.strip() or UNFILLED, []).append(item)
        for unit in dict.fromkeys(name.strip() for name in item.issue.co_units):
            if unit and unit != item.unit.strip():
                co.setdefault(unit, []).append(item)
    # As the ledger first names them (lead units first), the unfilled last.
    names = sorted(dict.fromkeys([*lead, *co]), key=lambda name: name == UNFILLED)
    return Breakdown("unit", tuple(
        Group(name, name, count(lead.get(name, ())), len(co.get(name, ())),
              sum(1 for item in co.get(name, ()) if item.issue.is_closed))
        for name in names))


def _tier(item: Standing) -> str:
    deadline = item.issue.deadline
    if deadline is None:
        return TIER_NONE
    if deadline.tier is not None:
        return deadline.tier if deadline.tier in TIERS else TIER_NONE
    return TIER_DATE if deadline.date is not None else TIER_NONE


# ---------------------------------------------------------------- phrasing and tables


def summary_sentence(counts: Counts, noun: str = "反馈问题") -> str:
    """反馈问题23个,已完成整改3个、正在推进20个,整改完成率13.04%。 — the phrasing of notices."""
    parts = [f"已完成整改{counts.closed}个"]
    for number, word in ((counts.mostly_done, "基本完成"), (counts.in_progress, "正在推进"),
                         (counts.ongoing, "长期坚持")):
        if number:
            parts.append(f"{word}{number}个")
    return f"{noun}{counts.total}个,{'、'.join(parts)},整改完成率{counts.rate_text}。"


def detail_lines(counts: Counts) -> list[str]:
    """The headline numbers under the sentence: measures, warnings, closing, extensions."""
    lines = [f"整改措施:{counts.measures}项,已完成{counts.measures_done}项"]
    warned = [f"{LEVEL_NAMES[level]}{counts.level(level)}个"
              for level in (Level.RED, Level.YELLOW, Level.GREEN, Level.OK, Level.ONGOING,
                            Level.NO_DEADLINE)]
    lines.append(f"未销号:{'、'.join(warned)}")
    lines.append(f"已销号:按期完成{counts.closed_on_time}个、逾期完成{counts.closed_late}个")
    extension = f"延期:{counts.extended}个问题共延期{counts.extensions}次"
    if counts.slipped:
        extension += (f",平均延后{counts.average_slip}天,最长延后{counts.longest_slip}天"
                      f"(问题{counts.longest_slip_number})")
    lines.append(extension)
    return lines


TABLE_HEADERS = ("问题数", "已完成", "基本完成", "正在推进", "长期坚持", "完成率", "措施完成",
                 "红色预警", "黄色预警", "绿色提醒", "按期完成", "逾期完成", "延期", "平均延后",
                 "最长延后")


def headers(item: Breakdown) -> tuple[str, ...]:
    extra = ("协办", "协办已完成") if item.by == "unit" else ()
    return (item.heading, *TABLE_HEADERS, *extra)


def cells(label: str, counts: Counts) -> list[str]:
    """One table row's cells after the label, as text (the same in every format)."""
    average = counts.average_slip
    return [label, str(counts.total), str(counts.closed), str(counts.mostly_done),
            str(counts.in_progress), str(counts.ongoing), counts.rate_text,
            f"{counts.measures_done}/{counts.measures}", str(counts.overdue),
            str(counts.level(Level.YELLOW)), str(counts.level(Level.GREEN)),
            str(counts.closed_on_time), str(counts.closed_late), str(counts.extended),
            "—" if average is None else f"{average}天",
            "—" if counts.longest_slip is None else f"{counts.longest_slip}天"]


def table_rows(stats: Stats, item: Breakdown) -> list[list[str]]:
    """The breakdown as rows of text cells, a 合计 row last: what text, md, csv and xlsx show."""
    rows = []
    for group in item.groups:
        label = f"{group.key} {group.label}" if item.by == "aspect" else group.label
        row = cells(label, group.counts)
        if item.by == "unit":
            row += [str(group.co_total), str(group.co_closed)]
        rows.append(row)
    total = cells("合计", stats.total)
    if item.by == "unit":
        total += ["—", "—"]
    rows.append(total)
    return rows


def counts_data(counts: Counts) -> dict[str, Any]:
    """Counts as JSON-ready data."""
    average = counts.average_slip
    return {
        "total": counts.total, "closed": counts.closed, "mostly_done": counts.mostly_done,
        "in_progress": counts.in_progress, "ongoing": counts.ongoing,
        "rate": counts.rate_text,
        "measures": counts.measures, "measures_done": counts.measures_done,
        "overdue": counts.overdue,
        "levels": {level.value: number for level, number in counts.levels},
        "closed_on_time": counts.closed_on_time, "closed_late": counts.closed_late,
        "extended": counts.extended, "extensions": counts.extensions,
        "average_slip_days": None if average is None else float(average),
        "longest_slip_days": counts.longest_slip,
        "longest_slip_number": counts.longest_slip_number,
    }


def as_data(stats: Stats) -> dict[str, Any]:
    """The whole `Stats` as JSON-ready data (what `stats --format json` prints)."""
    out: dict[str, Any] = {"today": stats.today.isoformat(), "issuer": stats.issuer,
                           "title": stats.title, "summary": summary_sentence(stats.total),
                           "total": counts_data(stats.total)}
    for item in stats.breakdowns:
        groups = []
        for group in item.groups:
            entry: dict[str, Any] = {"key": group.key, "label": group.label,
                                     **counts_data(group.counts)}
            if item.by == "unit":
                entry.update(co_total=group.co_total, co_closed=group.co_closed)
            groups.append(entry)
        out[f"by_{item.by}"] = groups
    return out


def markdown_cell(text: str) -> str:
    """A value inside a Markdown table cell: pipes escaped, no line breaks."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def as_markdown(stats: Stats) -> str:
    out = [f"# {markdown_cell(stats.title)}:整改统计({stats.today.isoformat()})", "",
           summary_sentence(stats.total), ""]
    out += [f"- {line}" for line in detail_lines(stats.total)]
    for item in stats.breakdowns:
        out += ["", f"## 按{item.heading}", ""]
        names = headers(item)
        out.append("| " + " | ".join(names) + " |")
        out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(names))) + "|")
        out += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |"
                for row in table_rows(stats, item)]
    return "\n".join(out) + "\n"


def as_csv(stats: Stats) -> str:
    """Each breakdown's table one after another, a blank line between, UTF-8 with BOM for Excel."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, item in enumerate(stats.breakdowns):
        if index:
            writer.writerow([])
        writer.writerow(headers(item))
        writer.writerows(table_rows(stats, item))
    return "\ufeff" + buffer.getvalue()

