"""Drawing for people: tables and detail views. The only module that imports rich.

rich is imported lazily, and only when a table goes to a terminal; output to a
pipe or file is plain aligned text that costs no import. Colour follows rich,
which honours NO_COLOR.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ledger.core.model import LedgerData, cn_date
from ledger.deadline.standing import Standing
from ledger.present.diagnostics import width
from ledger.present.safetext import visible

if TYPE_CHECKING:
    from ledger.core.model import Header, Issue
    from ledger.report.rollup import Rollup
    from ledger.report.stats import Stats

LIST_HEADERS = ("序号", "方面", "问题", "责任单位", "时限", "状态", "剩余天数")


def _cells(item: Standing) -> tuple[str, ...]:
    """A row's cells as one line each, nothing a terminal would act on (see `safetext`)."""
    issue = item.issue
    return tuple(visible(cell) for cell in (
        str(issue.number),
        str(issue.aspect),
        issue.title,
        issue.unit or "—",
        item.deadline_label or "—",
        item.display_status,
        item.days_text or "—",
    ))


def list_table(rows: Sequence[Standing], stream: TextIO | None = None) -> None:
    """`ledger list`: a rich table on a terminal, aligned plain text elsewhere."""
    stream = stream or sys.stdout
    if stream.isatty():
        _rich_table(rows, stream)
    else:
        stream.writelines(aligned_lines(LIST_HEADERS, [_cells(row) for row in rows]))
    stream.write(f"共 {len(rows)} 项\n")


def plain_table(rows: Sequence[Standing]) -> str:
    return aligned(LIST_HEADERS, [_cells(row) for row in rows])


def _rich_table(rows: Sequence[Standing], stream: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold")
    for header in LIST_HEADERS:
        if header == "问题":
            table.add_column(header, ratio=1, overflow="fold", min_width=12)
        else:
            table.add_column(header, no_wrap=header in ("序号", "方面", "剩余天数"))
    for row in rows:
        style = "red" if row.is_overdue else None
        # Text, not str: rich parses neither markup ([red], [/]) nor :emoji: in it.
        table.add_row(*(Text(cell) for cell in _cells(row)), style=style)
    Console(file=stream, markup=False, emoji=False, highlight=False).print(table)


def show_issue(item: Standing, issue: Issue, ledger: LedgerData) -> str:
    """`ledger show N`: everything about one problem (`item` is its standing), as plain text."""
    header = ledger.header
    aspect = next((a.title for a in header.aspects if a.number == issue.aspect), "")
    subject = next((s.title for s in header.subjects if s.number == issue.subject), "")
    out = [f"问题 {issue.number}:{issue.title}", f"文件:{issue.path}",
           f"方面:{issue.aspect} {aspect}"]
    if issue.subject is not None:
        out.append(f"事项:{issue.subject} {subject}")
    out.append(f"状态:{item.display_status}")
    out += [f"责任领导:{issue.leader or '—'}", f"责任单位:{issue.unit or '—'}"]
    if issue.co_units:
        out.append(f"协办单位:{'、'.join(issue.co_units)}")
    out.append(f"责任人:{issue.owner or '—'}")
    out.append(f"整改时限:{item.deadline_text}")
    for extension in issue.extensions:
        approved = f",批准人 {extension.approved_by}" if extension.approved_by else ""
        out.append(f"  延期:{cn_date(extension.date)} 延至 {cn_date(extension.to)},"
                   f"理由:{extension.reason}{approved}")
    out += _money_lines(issue, header)
    out.append(f"整改措施({len(issue.measures)}项):")
    for index, measure in enumerate(issue.measures, start=1):
        mark = "[完成]" if measure.done else "[未完成]"
        extra = []
        if measure.done_date is not None:
            extra.append(f"完成于 {cn_date(measure.done_date)}")
        if measure.deadline is not None:
            extra.append(f"时限 {measure.deadline.label}")
        if measure.unit:
            extra.append(f"单位 {measure.unit}")
        tail = f"({','.join(extra)})" if extra else ""
        out.append(f"  {index}. {mark} {measure.text}{tail}")
    if issue.progress:
        out.append("进展:")
        out += [f"  {cn_date(note.date)} {note.text}" + (f"({note.by})" if note.by else "")
                for note in sorted(issue.progress, key=lambda note: note.date)]
    if issue.closed is not None:
        closed = issue.closed
        out.append(f"销号:{cn_date(closed.date)}" + (f",经办人 {closed.by}" if closed.by else ""))
        for evidence in closed.evidence:
            if evidence.path:
                out.append(f"  佐证:{evidence.path}(sha256 {evidence.sha256[:12]}…)")
            else:
                out.append(f"  佐证:{evidence.text}")
        if closed.note:
            out.append(f"  说明:{closed.note}")
    if issue.history:
        out.append("记录:")
        out += [f"  {cn_date(entry.date)} {entry.action}"
                + (f"({entry.by})" if entry.by else "") + (f":{entry.note}" if entry.note else "")
                for entry in issue.history]
    if not issue.public:
        out.append("公开:否(公开版通报中不出现)")
    # Each entry is one line: a line break or control character of the data is shown, not done.
    return "".join(visible(line) + "\n" for line in out)


def _money_lines(issue: Issue, header: Header) -> list[str]:
    """问题金额, 已整改 (with its rate), 整改方式 and 整改成果 of one problem; none without them."""
    from dataclasses import replace

    from ledger.core.money import format_amount, money_rate, result_totals, results_sentence

    unit, decimals = header.money_unit, header.money_decimals
    out = []
    amounts = issue.amounts
    if amounts is not None:
        rectified = amounts.rectified
        out.append(f"问题金额:{format_amount(amounts.involved, decimals)}{unit}")
        if rectified is None:
            out.append("已整改金额:未填写(合计时按 0 计)")
        else:
            out.append(f"已整改金额:{format_amount(rectified, decimals)}{unit}"
                       f"(整改率{money_rate(amounts.involved, rectified)}%)")
        if amounts.ways:
            out.append("整改方式:" + "、".join(
                f"{way.label}{format_amount(way.amount, decimals)}{unit}" for way in amounts.ways))
    if issue.results:
        # This problem's own results only: result_totals of an empty header.
        totals = result_totals(replace(header, results=()), [issue])
        out.append("整改成果:" + results_sentence(totals, unit, decimals))
    return out


# ---------------------------------------------------------------- statistics (issue 13)


def aligned(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned plain text, columns two spaces apart (display width, CJK counts 2)."""
    return "".join(aligned_lines(headers, rows))


def aligned_lines(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Iterator[str]:
    """`aligned`, a line at a time: a table of 100,000 rows is never one string. Each
    cell is measured once; the measures are kept as machine integers, not objects."""
    from array import array

    widths = [width(cell) for cell in headers]
    sizes = array("L")
    for row in rows:
        for index, cell in enumerate(row):
            size = width(cell)
            sizes.append(size)
            if size > widths[index]:
                widths[index] = size
    yield "  ".join(cell + " " * (widths[i] - width(cell))
                    for i, cell in enumerate(headers)).rstrip() + "\n"
    measured = iter(sizes)
    for row in rows:
        yield "  ".join([cell + " " * (widths[i] - next(measured))
                         for i, cell in enumerate(row)]).rstrip() + "\n"


def _titled_tables(heading: Sequence[str], tables: Sequence[tuple[str, Sequence[str],
                                                                  Sequence[Sequence[str]]]],
                   stream: TextIO | None) -> None:
    """Heading lines, then titled tables: rich on a terminal, aligned text elsewhere."""
    stream = stream or sys.stdout
    clean = [[[visible(cell) for cell in row] for row in rows] for _, _, rows in tables]
    if not stream.isatty():
        out = [line + "\n" for line in heading]
        for (title, headers, _), rows in zip(tables, clean, strict=True):
            out.append(f"\n{title}:\n")
            out.append(aligned(headers, rows))
        stream.write("".join(out))
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream)
    for line in heading:
        console.print(Text(line))
    for (title, headers, _), rows in zip(tables, clean, strict=True):
        table = Table(title=Text(title), title_justify="left", header_style="bold",
                      box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
        for index, name in enumerate(headers):
            if index == 0:
                table.add_column(name, overflow="fold", min_width=6, max_width=30)
            else:
                table.add_column(name, justify="right", no_wrap=True,
                                 min_width=max(width(row[index]) for row in rows))
        for number, row in enumerate(rows):
            bold = number == len(rows) - 1 and row[0] in ("合计", "总计")
            table.add_row(*(Text(cell) for cell in row), style="bold" if bold else None)
        plain = aligned(headers, rows)
        if max(width(line) for line in plain.splitlines()) > console.width:
            # Too many columns for this terminal: rich would cut the numbers; plain text
            # keeps every one (the terminal wraps long lines, nothing is lost).
            console.print(Text(f"\n{title}:"))
            console.file.write(plain)
            continue
        console.print(table)


def stats_report(stats: Stats, stream: TextIO | None = None) -> None:
    """`ledger stats`: the headline sentence and numbers, then one table per breakdown."""
    from ledger.report.stats import detail_lines, money_lines, summary_sentence, tables

    who = f"{stats.title}({stats.issuer})" if stats.issuer else stats.title
    who = visible(who)
    heading = [f"{who},截至{cn_date(stats.today)}", summary_sentence(stats.total),
               *detail_lines(stats.total), *(visible(line) for line in money_lines(stats))]
    drawn = [(table.title, table.headers, table.rows) for table in tables(stats)]
    _titled_tables(heading, drawn, stream)


def rollup_report(rollup: Rollup, stream: TextIO | None = None) -> None:
    """`ledger rollup`: the aggregate sentence, one row per member ledger, then broken members."""
    from ledger.report.rollup import HEADERS, member_rows, sentence

    heading = [sentence(rollup)]
    _titled_tables(heading, [("各单位", HEADERS, member_rows(rollup))], stream)


# ---------------------------------------------------------------- progress

# Work shorter than this draws nothing (a bar that flashes up and vanishes is noise).
PROGRESS_DELAY = 1.0


class ProgressBar:
    """A progress callback `(done, total)` for long work, shown on `stream` (stderr) once the
    work has run `delay` seconds and is not finished. On a terminal: a rich bar with what
    it is doing, the counts and the time left, removed when the work is done (`close` also
    ends it when the work fails); rich is imported only when the bar is first drawn.
    Elsewhere (a CI log, when asked for): a plain line about every `every` seconds and one
    at the end, nothing that needs a terminal to read.
    """

    def __init__(self, label: str, stream: TextIO, delay: float | None = None,
                 every: float = 5.0) -> None:
        import time

        self.label = label
        self.stream = stream
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.every = every
        self._clock = time.monotonic
        self._start = time.monotonic()
        self._said = 0.0  # when the last plain line was written
        self._terminal = stream.isatty()
        self._progress: Any = None
        self._task: Any = None
        self._shown = False
        self._finished = False

    def __call__(self, done: int, total: int) -> None:
        if self._finished:
            return
        now = self._clock()
        if not self._shown:
            if done >= total or now - self._start < self.delay:
                return
            self._shown = True
            if self._terminal:
                self._begin(total)
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)
        elif done >= total or now - self._said >= self.every:
            self._said = now
            self.stream.write(self._line(done, total, now - self._start) + "\n")
            self.stream.flush()
        if done >= total:
            self.close()

    def _line(self, done: int, total: int, spent: float) -> str:
        line = f"{visible(self.label)}:{done}/{total},已用 {spent:.0f} 秒"
        if 0 < done < total:
            line += f",预计还需 {spent / done * (total - done):.0f} 秒"
        return line

    def _begin(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(file=self.stream, markup=False, emoji=False, highlight=False)
        self._progress = Progress(
            TextColumn(visible(self.label)), BarColumn(), MofNCompleteColumn(),
            TextColumn("已用"), TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
            console=console, transient=True)
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=total)

    def close(self) -> None:
        """Stop drawing (and remove the bar); later calls draw nothing."""
        self._finished = True
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
