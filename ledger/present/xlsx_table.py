"""The ledger table as the offices' Excel workbook (台账.xlsx), written with openpyxl.

Sheet 台账: a merged title row, a bold frozen header with an auto-filter, one
row per problem with the office's columns, measures as numbered lines in one
wrapped cell, deadlines and closing dates as real Excel dates, rows filled by
warning level (red, yellow, green; closed grey), set up to print on A4
landscape with the header rows on every page; when problems carry amounts, two
money columns (问题金额, 已整改金额) and a 合计 row. Sheet 统计: the tables of
`ledger stats --by aspect` and `--by unit` (`stats.tables`): counts with the
completion rate, and money by aspect and unit and the side results when the
ledger has them.

Amounts are real numbers that display exactly as the ledger writes them: the
cell holds the Decimal's own digits ("356.80", never a float's) with the
ledger's decimals as the number format; an amount longer than the 15 digits
Excel can show is written as text instead, so no figure is ever rounded.

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
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger.core.model import LedgerData
from ledger.core.money import format_amount
from ledger.report.stats import Stats, compute, money_lines, summary_sentence, tables

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
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
# Excel keeps numbers as doubles and shows at most 15 significant digits.
EXCEL_DIGITS = 15
TOTAL = "合计"


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
    money = data["money"]
    columns: tuple[str, ...] = COLUMNS
    if money is not None:
        columns = (*COLUMNS, f"问题金额({money['unit']})", f"已整改金额({money['unit']})")
    body = [_cells(row, data["public"], money is not None) for row in rows]
    total = None
    if money is not None:  # the 合计 row under the 序号 column, totals under the money columns
        total = [TOTAL, *[None] * (len(COLUMNS) - 1), Decimal(money["involved"]),
                 Decimal(money["rectified"])]
    _table(sheet, title_of(data), body, [row["level"] for row in rows], columns, total,
           ledger.header.money_decimals)
    shown = {row["number"] for row in rows}
    chosen = replace(ledger, issues=tuple(i for i in ledger.issues if i.number in shown))
    _stats(book.create_sheet(STATS_SHEET), title_of(data),
           compute(chosen, today, by=("aspect", "unit")))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(row: dict[str, Any], public: bool, money: bool) -> list[Any]:
    """One problem's cells in COLUMNS order, from the render row's own cells.

    With money, the row's amounts follow as Decimals of their text ("356.80"), None when
    the problem has none.
    """
    deadline: Any = row["deadline"]
    if row["level"] != "ongoing" and row["deadline_date"] is not None:
        deadline = row["deadline_date"]
    cells = [row["seq"] if public else row["number"],
             row["aspect_label"] + row["aspect_title"], row["title"], row["measures_lines"],
             row["leader"], row["unit"], "、".join(row["co_units"]), row["owner"], deadline,
             row["status"], row["level_name"], row["progress"], row["closed_date"]]
    if money:
        cells += [Decimal(row[key]) if row[key] else None for key in ("involved", "rectified")]
    return cells


def put_amount(cell: Cell | MergedCell, value: Decimal, decimals: int) -> None:
    """An amount as a number that shows exactly the ledger's text (356.80).

    openpyxl writes a Decimal through a float ("%.16g"); the cell gets the Decimal's
    own digits instead, and the declared decimals as its number format. An amount
    of more than EXCEL_DIGITS significant digits goes in as text: Excel would round it.
    """
    text = format_amount(value, decimals)
    if len(text.replace(".", "").lstrip("0")) > EXCEL_DIGITS:
        cell.value = text
    else:
        cell.value = value  # data type "n"
        setattr(cell, "_value", text)  # noqa: B010 — the exact digits, not a float's
        cell.number_format = "0." + "0" * decimals if decimals else "0"
    from openpyxl.styles import Alignment

    cell.alignment = Alignment(horizontal="right", vertical="top")


def _table(sheet: Worksheet, title: str, body: list[list[Any]], levels: list[str],
           columns: tuple[str, ...] = COLUMNS, total: list[Any] | None = None,
           decimals: int = 2) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    last = get_column_letter(len(columns))
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.append([title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(name=HEAD_FONT, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[1].height = 36
    sheet.append(list(columns))
    for cell in sheet[2]:
        cell.font = Font(name=HEAD_FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    body_font = Font(name=BODY_FONT, size=10)
    for values, level in zip(body, levels, strict=True):
        sheet.append(values)
        fill = PatternFill("solid", fgColor=FILLS[level]) if level in FILLS else None
        for head, cell, value in zip(columns, sheet[sheet.max_row], values, strict=True):
            cell.font = body_font
            cell.border = border
            centred = head in ("序号", "整改时限", "状态", "预警", "销号日期")
            cell.alignment = Alignment(vertical="top", wrap_text=True,
                                       horizontal="center" if centred else "left")
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            if isinstance(value, Decimal):
                put_amount(cell, value, decimals)
            if fill is not None:
                cell.fill = fill
    filtered = max(sheet.max_row, 2)  # the 合计 row stays out of the filter (and its sorting)
    if total is not None:
        sheet.append(total)
        bold = Font(name=BODY_FONT, size=10, bold=True)
        for cell, value in zip(sheet[sheet.max_row], total, strict=True):
            cell.font = bold
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="top")
            if isinstance(value, Decimal):
                put_amount(cell, value, decimals)
    widths = [_width(head, [values[index] for values in body])
              for index, head in enumerate(columns)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, values in enumerate(body, start=3):
        lines = max(_lines(value, width) for value, width in zip(values, widths, strict=True))
        sheet.row_dimensions[number].height = max(1, lines) * LINE_HEIGHT + 4
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{last}{filtered}"
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
    for line in money_lines(stats):  # 金额:…, 整改方式:…, 整改成果:… (only when there are)
        sheet.append([line])
    for table in tables(stats):
        sheet.append([])
        sheet.append(list(table.headers))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(name=HEAD_FONT, bold=True)
        for row in table.rows:
            sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
            sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
            for index in table.money_columns:
                if row[index]:  # the text is the amount in the ledger's decimals
                    put_amount(sheet.cell(sheet.max_row, index + 1), Decimal(row[index]),
                               stats.money_decimals)
            if row[0] == TOTAL:
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
