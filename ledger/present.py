"""Drawing for people: tables and detail views. The only module that imports rich.

rich is imported lazily, and only when a table goes to a terminal; output to a
pipe or file is plain aligned text that costs no import. Colour follows rich,
which honours NO_COLOR.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from typing import Any, TextIO

from . import dates
from .diagnostics import width
from .model import Issue, Ledger, cn_date
from .safetext import visible

LIST_HEADERS = ("序号", "方面", "问题", "责任单位", "时限", "状态", "剩余天数")


def days_text(days: int | None) -> str:
    if days is None:
        return "—"
    if days < 0:
        return f"超期{-days}天"
    return f"{days}天"


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    """A row's cells as one line each, nothing a terminal would act on (see `safetext`)."""
    return tuple(visible(cell) for cell in (
        str(row["number"]),
        str(row["aspect"]),
        row["title"],
        row["unit"] or "—",
        row["deadline_label"] or "—",
        row["display_status"],
        days_text(row["days_left"]),
    ))


def list_table(rows: Sequence[dict[str, Any]], stream: TextIO | None = None) -> None:
    """`ledger list`: a rich table on a terminal, aligned plain text elsewhere."""
    stream = stream or sys.stdout
    if stream.isatty():
        _rich_table(rows, stream)
    else:
        stream.write(plain_table(rows))
    stream.write(f"共 {len(rows)} 项\n")


def plain_table(rows: Sequence[dict[str, Any]]) -> str:
    table = [LIST_HEADERS, *(_cells(row) for row in rows)]
    sized = [[(cell, width(cell)) for cell in line] for line in table]  # measured once
    widths = [max(line[index][1] for line in sized) for index in range(len(LIST_HEADERS))]
    out = []
    for line in sized:
        padded = [cell + " " * (widths[i] - size) for i, (cell, size) in enumerate(line)]
        out.append("  ".join(padded).rstrip() + "\n")
    return "".join(out)


def _rich_table(rows: Sequence[dict[str, Any]], stream: TextIO) -> None:
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
        style = "red" if (row["days_left"] is not None and row["days_left"] < 0) else None
        # Text, not str: rich parses neither markup ([red], [/]) nor :emoji: in it.
        table.add_row(*(Text(cell) for cell in _cells(row)), style=style)
    Console(file=stream, markup=False, emoji=False, highlight=False).print(table)


def show_issue(issue: Issue, ledger: Ledger, today: date) -> str:
    """`ledger show N`: everything about one problem, as plain text."""
    from .query import derived_status

    header = ledger.header
    feedback = header.inspection.feedback
    aspect = next((a.title for a in header.aspects if a.number == issue.aspect), "")
    subject = next((s.title for s in header.subjects if s.number == issue.subject), "")
    out = [f"问题 {issue.number}:{issue.title}", f"文件:{issue.path}",
           f"方面:{issue.aspect} {aspect}"]
    if issue.subject is not None:
        out.append(f"事项:{issue.subject} {subject}")
    out.append(f"状态:{derived_status(issue, feedback, today)}")
    out += [f"责任领导:{issue.leader or '—'}", f"责任单位:{issue.unit or '—'}"]
    if issue.co_units:
        out.append(f"协办单位:{'、'.join(issue.co_units)}")
    out.append(f"责任人:{issue.owner or '—'}")
    out.append(f"整改时限:{_deadline_line(issue, ledger, today)}")
    for extension in issue.extensions:
        approved = f",批准人 {extension.approved_by}" if extension.approved_by else ""
        out.append(f"  延期:{cn_date(extension.date)} 延至 {cn_date(extension.to)},"
                   f"理由:{extension.reason}{approved}")
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
                for note in issue.progress]
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


def _deadline_line(issue: Issue, ledger: Ledger, today: date) -> str:
    feedback = ledger.header.inspection.feedback
    if dates.is_ongoing(issue):
        return "长期坚持"
    original = dates.original_deadline(issue, feedback)
    current = dates.current_deadline(issue, feedback)
    if current is None:
        return issue.deadline.tier if issue.deadline and issue.deadline.tier else "未设定"
    text = cn_date(current)
    if issue.deadline is not None and issue.deadline.tier:
        text = f"{issue.deadline.tier}({text})"
    if issue.extensions and original is not None:
        slipped = (current - original).days
        text += f",原时限 {cn_date(original)},已延期{len(issue.extensions)}次共{slipped}天"
    if not issue.is_closed:
        text += f",{days_text(dates.days_left(issue, feedback, today))}"
    return text
