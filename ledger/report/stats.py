"""The ledger's numbers: totals, rates and breakdowns, as offices report them upward.

Everything here is counted from `query.standings` (one `Standing` per problem):
no deadline, warning level, slip or closed-late is worked out again. The rate
is `money.completion_rate`, the function the notice's progress sentence
uses, so the two can never disagree. Pure: no I/O, no printing; the
presentation layer draws a `Stats`, the CLI turns it into JSON, Markdown or
CSV with the helpers at the end, and the xlsx 统计 sheet reads `tables`.

Money (issue 14): when problems carry amounts, `Stats.money` holds the exact
Decimal totals, each aspect and unit group its own, and the side results are
added up (`money.result_totals`); the money rate is `money.money_rate`, the
same completion-rate formula. Nothing on the money path is a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ledger.core.model import (
    MONEY_DECIMALS,
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_MOSTLY_DONE,
    STATUS_ONGOING,
    TIERS,
)
from ledger.core.money import (
    ResultTotal,
    completion_rate,
    format_amount,
    money_rate,
    money_sentence,
    money_totals,
)
from ledger.deadline.standing import LEVEL_NAMES, LEVELS, Level, Standing

if TYPE_CHECKING:
    from ledger.core.model import View

# The breakdowns `--by` can choose, with their column heading.
BREAKDOWNS: dict[str, str] = {"aspect": "方面", "unit": "责任单位", "leader": "责任领导",
                              "tier": "时限类别"}
UNFILLED = "(未填写)"
TIER_DATE = "指定日期"
TIER_NONE = "未设时限"
_TIER_ORDER = (*TIERS, TIER_DATE, TIER_NONE)
# The breakdowns that also get a money table when problems carry amounts.
MONEY_BREAKDOWNS = ("aspect", "unit")


@dataclass(frozen=True, slots=True)
class Money:
    """The exact amounts of one set of problems, in the ledger's money unit."""

    problems: int = 0                  # problems carrying amounts
    involved: Decimal = Decimal(0)     # 问题金额
    rectified: Decimal = Decimal(0)    # 已整改金额
    ways: tuple[tuple[str, Decimal], ...] = ()  # 整改方式, in model.WAYS order then as met

    @property
    def unrectified(self) -> Decimal:
        return self.involved - self.rectified

    @property
    def rate(self) -> str:
        """整改率 without the % sign: the one completion-rate formula (money.money_rate)."""
        return money_rate(self.involved, self.rectified)

    @property
    def rate_text(self) -> str:
        return f"{self.rate}%"

    def way(self, label: str) -> Decimal:
        return dict(self.ways).get(label, Decimal(0))


def money_of(items: Iterable[Standing]) -> Money:
    """The money of these problems (exact; a problem without amounts adds nothing)."""
    issues = [item.issue for item in items if item.issue.amounts is not None]
    involved, rectified, by_way = money_totals(issues)
    return Money(len(issues), involved, rectified, tuple(by_way.items()))


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
    # Aspect and unit breakdowns of a ledger with amounts: this group's money.
    money: Money | None = None


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
    # Money (None when no problem carries amounts) and the side results added up.
    money: Money | None = None
    results: tuple[ResultTotal, ...] = ()
    money_unit: str = ""
    money_decimals: int = MONEY_DECIMALS
    audit: bool = False  # 审计: the money sentence says 审计查出问题金额

    def amount(self, value: Decimal) -> str:
        """An amount as the ledger writes it: its declared decimals, no separators."""
        return format_amount(value, self.money_decimals)

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
        measures += issue.measure_count
        measures_done += issue.measures_done
        if issue.extension_dates:
            extended += 1
            extensions += len(issue.extension_dates)
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


def compute(ledger: View, today: date, by: str | Sequence[str] = tuple(BREAKDOWNS)) -> Stats:
    """The ledger's numbers on `today`, broken down each way in `by`."""
    from ledger.report.query import standings

    items = standings(ledger, today)
    wanted = (by,) if isinstance(by, str) else tuple(by)
    for name in wanted:
        if name not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {name!r}")
    from ledger.core.money import result_totals

    header = ledger.header
    money = money_of(items) if any(item.issue.amounts for item in items) else None
    groups = []
    for name in wanted:
        found = breakdown(ledger, items, name)
        if money is not None and name in MONEY_BREAKDOWNS:
            found = _with_money(found, items)
        groups.append(found)
    return Stats(today, header.issuer, header.title, count(items), tuple(groups),
                 money=money, results=tuple(result_totals(header, ledger.issues)),
                 money_unit=header.money_unit, money_decimals=header.money_decimals,
                 audit=header.inspection.kind == "审计")


def _with_money(found: Breakdown, items: Sequence[Standing]) -> Breakdown:
    """The breakdown with each group's money: by aspect, or by lead unit (as it counts)."""
    buckets: dict[str, list[Standing]] = {}
    for item in items:
        key = str(item.aspect) if found.by == "aspect" else item.unit.strip() or UNFILLED
        buckets.setdefault(key, []).append(item)
    return Breakdown(found.by, tuple(replace(group, money=money_of(buckets.get(group.key, ())))
                                     for group in found.groups))


def breakdown(ledger: View, items: Sequence[Standing], by: str) -> Breakdown:
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


def money_lines(stats: Stats) -> list[str]:
    """The money and side-result lines under the detail lines; none without them.

    金额:审计查出问题金额1752.66万元,已整改1267.30万元,整改率72.31%。 — the notice's sentence;
    整改方式:上缴财政356.80万元、… ; 整改成果:问责5人,… — the notice's results sentence.
    """
    from ledger.core.money import results_sentence

    unit, lines = stats.money_unit, []
    money = stats.money
    if money is not None:
        lines.append("金额:" + money_sentence(money.involved, money.rectified, unit,
                                              stats.money_decimals, stats.audit))
        if money.ways:
            lines.append("整改方式:" + "、".join(f"{label}{stats.amount(value)}{unit}"
                                                 for label, value in money.ways))
    if stats.results:
        lines.append("整改成果:" + results_sentence(stats.results, unit, stats.money_decimals))
    return lines


@dataclass(frozen=True, slots=True)
class Table:
    """One titled table of text cells, as every format shows it (the xlsx makes numbers)."""

    title: str
    headers: tuple[str, ...]
    rows: list[list[str]]
    # Columns holding amounts written with the ledger's decimals (the xlsx's money cells).
    money_columns: tuple[int, ...] = ()


def money_headers(stats: Stats, item: Breakdown) -> tuple[str, ...]:
    unit = stats.money_unit
    ways = [label for label, _ in stats.money.ways] if stats.money else []
    return (item.heading, "涉及金额的问题数", f"问题金额({unit})", f"已整改金额({unit})",
            f"未整改金额({unit})", "整改率", *(f"{label}({unit})" for label in ways))


def money_cells(stats: Stats, label: str, money: Money) -> list[str]:
    ways = [way for way, _ in stats.money.ways] if stats.money else []
    return [label, str(money.problems), stats.amount(money.involved),
            stats.amount(money.rectified), stats.amount(money.unrectified), money.rate_text,
            *(stats.amount(money.way(way)) for way in ways)]


def money_rows(stats: Stats, item: Breakdown) -> list[list[str]]:
    """The groups whose problems carry amounts, a 合计 row (the whole ledger's) last."""
    rows = [money_cells(stats, f"{group.key} {group.label}" if item.by == "aspect"
                        else group.label, group.money)
            for group in item.groups if group.money is not None and group.money.problems]
    if stats.money is not None:
        rows.append(money_cells(stats, "合计", stats.money))
    return rows


RESULT_HEADERS = ("整改成果", "数量", "单位")


def result_rows(stats: Stats) -> list[list[str]]:
    """整改成果 | 数量 | 单位 (| 金额): a count with its unit, or an amount in the money column;
    the money column only when some result is an amount."""
    amounts = any(total.is_money for total in stats.results)
    return [[total.label, "", "", stats.amount(total.value)] if isinstance(total.value, Decimal)
            else [total.label, str(total.value), total.unit, *([""] if amounts else [])]
            for total in stats.results]


def tables(stats: Stats) -> list[Table]:
    """Every table of the report in order: each breakdown's counts, then its money (aspect and
    unit, when problems carry amounts); the side results last. Text, md, csv and xlsx alike."""
    out = []
    for item in stats.breakdowns:
        out.append(Table(f"按{item.heading}", headers(item), table_rows(stats, item)))
        if stats.money is not None and item.by in MONEY_BREAKDOWNS:
            names = money_headers(stats, item)
            out.append(Table(f"按{item.heading}(金额)", names, money_rows(stats, item),
                             (2, 3, 4, *range(6, len(names)))))
    if stats.results:
        amounts = any(total.is_money for total in stats.results)
        out.append(Table("整改成果", (*RESULT_HEADERS, *([f"金额({stats.money_unit})"]
                                                         if amounts else [])),
                         result_rows(stats), (3,) if amounts else ()))
    return out


def money_data(stats: Stats, money: Money) -> dict[str, Any]:
    """Money as JSON-ready data: amounts as exact strings in the ledger's decimals."""
    return {"problems": money.problems, "involved": stats.amount(money.involved),
            "rectified": stats.amount(money.rectified),
            "unrectified": stats.amount(money.unrectified), "rate": money.rate_text,
            "ways": {label: stats.amount(value) for label, value in money.ways}}


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
            if group.money is not None:
                entry["money"] = money_data(stats, group.money)
            groups.append(entry)
        out[f"by_{item.by}"] = groups
    if stats.money is not None:
        out["money"] = {"unit": stats.money_unit, **money_data(stats, stats.money),
                        "sentence": money_sentence(stats.money.involved, stats.money.rectified,
                                                   stats.money_unit, stats.money_decimals,
                                                   stats.audit)}
    if stats.results:
        from ledger.core.money import result_phrase

        out["results"] = [
            {"label": total.label, "unit": total.unit or stats.money_unit,
             "value": stats.amount(total.value) if isinstance(total.value, Decimal)
             else total.value,
             "text": result_phrase(total, stats.money_unit, stats.money_decimals)}
            for total in stats.results]
    return out


def markdown_cell(text: str) -> str:
    """A value inside a Markdown table cell: pipes escaped, no line breaks."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def as_markdown(stats: Stats) -> str:
    out = [f"# {markdown_cell(stats.title)}:整改统计({stats.today.isoformat()})", "",
           summary_sentence(stats.total), ""]
    out += [f"- {line}" for line in (*detail_lines(stats.total), *money_lines(stats))]
    for table in tables(stats):
        out += ["", f"## {table.title}", ""]
        names = table.headers
        out.append("| " + " | ".join(names) + " |")
        out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(names))) + "|")
        out += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |"
                for row in table.rows]
    return "\n".join(out) + "\n"


def as_csv(stats: Stats) -> str:
    """Every table (`tables`) one after another, a blank line between, UTF-8 with BOM for Excel."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, table in enumerate(tables(stats)):
        if index:
            writer.writerow([])
        writer.writerow(table.headers)
        writer.writerows(table.rows)
    return "\ufeff" + buffer.getvalue()

