"""The ledger table as the offices' Excel workbook (台账.xlsx), written with openpyxl.

Sheet 台账: a merged title row, a bold frozen header with an auto-filter, one
row per problem with the office's columns, measures as numbered lines in one
wrapped cell, deadlines and closing dates as real Excel dates, rows filled by
warning level (red, yellow, green; closed grey), set up to print on A4
landscape with the header rows on every page. Sheet 统计: counts by aspect and
by unit with the completion rate (`ledger.stats`).

Every cell's value comes from the render context's table rows (the cells the
text table shows: 时限, 状态 and the level from `ledger check`); nothing is
worked out again here. openpyxl is imported inside `build_workbook` only: no
other command pays for it. openpyxl also reads workbooks, which the import of
an office's own workbook will need: one library for both.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from .model import LedgerData
from .stats import Stats, compute, headers, summary_sentence, table_rows

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET = "台账"
STATS_SHEET = "统计"
COLUMNS = ("序号", "方面", "问题", "整改措施", "责任领导", "责任单位", "协办单位", "责任人",
           "整改时限", "状态", "预警", "整改进展", "销号日期")
# The widest a column grows, in Excel's character units (a Chinese character is two).
_MAX_WIDTH = {"方面": 16, "问题": 24, "整改措施": 48, "整改进展": 28}
_DEFAULT_MAX = 16
# Points per line of 10 pt text: Excel and LibreOffice do not size wrapped rows of a
# written file themselves, so each row gets the height its longest cell needs.
LINE_HEIGHT = 12.75
# Fills by level, soft enough to print in black and white: the offices' red, yellow,
# green warnings, and grey for what is closed.
FILLS = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE",
         "closed": "D9D9D9", "closed-late": "D9D9D9"}
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
BODY_FONT = "宋体"
HEAD_FONT = "黑体"


def title_of(data: dict[str, Any]) -> str:
    """XX党组巡视反馈问题整改台账, with what the filters chose: (责任单位:办公室)."""
    kind = data["inspection"]["kind"] or ""
    title = f"{data['issuer']}{kind}反馈问题整改台账"
    return f"{title}({data['scope']})" if data["scope"] else title


def build_workbook(data: dict[str, Any], ledger: LedgerData, today: date) -> bytes:
    """The workbook for the render context `data` (its rows already filtered)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = SHEET
    rows: list[dict[str, Any]] = data["problems"]
    _table(sheet, title_of(data), [_cells(row, data["public"]) for row in rows],
           [row["level"] for row in rows])
    shown = {row["number"] for row in rows}
    chosen = replace(ledger, issues=tuple(i for i in ledger.issues if i.number in shown))
    _stats(book.create_sheet(STATS_SHEET), title_of(data),
           compute(chosen, today, by=("aspect", "unit")))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(row: dict[str, Any], public: bool) -> list[Any]:
    """One problem's cells in COLUMNS order, from the render row's own cells."""
    deadline: Any = row["deadline"]
    if row["level"] != "ongoing" and row["deadline_date"] is not None:
        deadline = row["deadline_date"]
    return [row["seq"] if public else row["number"],
            row["aspect_label"] + row["aspect_title"], row["title"], row["measures_lines"],
            row["leader"], row["unit"], "、".join(row["co_units"]), row["owner"], deadline,
            row["status"], row["level_name"], row["progress"], row["closed_date"]]


def _table(sheet: Worksheet, title: str, body: list[list[Any]], levels: list[str]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    last = get_column_letter(len(COLUMNS))
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.append([title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(name=HEAD_FONT, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[1].height = 36
    sheet.append(list(COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(name=HEAD_FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    body_font = Font(name=BODY_FONT, size=10)
    for values, level in zip(body, levels, strict=True):
        sheet.append(values)
        fill = PatternFill("solid", fgColor=FILLS[level]) if level in FILLS else None
        for head, cell in zip(COLUMNS, sheet[sheet.max_row], strict=True):
            cell.font = body_font
            cell.border = border
            centred = head in ("序号", "整改时限", "状态", "预警", "销号日期")
            cell.alignment = Alignment(vertical="top", wrap_text=True,
                                       horizontal="center" if centred else "left")
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            if fill is not None:
                cell.fill = fill
    widths = [_width(head, [values[index] for values in body])
              for index, head in enumerate(COLUMNS)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, values in enumerate(body, start=3):
        lines = max(_lines(value, width) for value, width in zip(values, widths, strict=True))
        sheet.row_dimensions[number].height = max(1, lines) * LINE_HEIGHT + 4
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{last}{max(sheet.max_row, 2)}"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    footer = sheet.oddFooter
    if footer is not None:
        footer.center.text = "第 &P 页,共 &N 页"


def _stats(sheet: Worksheet, title: str, stats: Stats) -> None:
    """The 统计 sheet: the same tables as `ledger stats --by aspect` and `--by unit`."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append([f"{title} 统计"])
    sheet["A1"].font = Font(name=HEAD_FONT, size=14)
    sheet.append([summary_sentence(stats.total)])
    for item in stats.breakdowns:
        sheet.append([])
        sheet.append(list(headers(item)))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(name=HEAD_FONT, bold=True)
        for row in table_rows(stats, item):
            sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
            sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
            if row[0] == "合计":
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(name=BODY_FONT, bold=True)
    sheet.column_dimensions["A"].width = 40
    for index in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 10


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped cell of `width` character units shows."""
    if value is None or isinstance(value, date):
        return 1
    return sum(max(1, -(-_display_width(line) // max(1, int(width))))
               for line in str(value).split("\n"))


def _width(head: str, column: list[Any]) -> float:
    """A width that fits the column's longest line, within the column's cap."""
    widest = _display_width(head)
    for value in column:
        if isinstance(value, date):
            widest = max(widest, 16)
        elif value is not None:
            widest = max(widest, *(_display_width(line) for line in str(value).split("\n")))
    return min(widest, _MAX_WIDTH.get(head, _DEFAULT_MAX)) + 2
