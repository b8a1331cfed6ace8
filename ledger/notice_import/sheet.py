"""Parse an office's Excel or CSV ledger (台账表) into records.

The layouts offices use: a merged title row, one or two header rows, columns
known by their usual names and synonyms, vertically merged cells for an aspect
or a problem, measures as numbered lines in one cell or one row each under a
merged problem cell, real Excel dates or text deadlines (2021年6月底前,
立行立改, 长期坚持), one sheet per aspect or all in one. Columns it does not
know are kept in each problem's `remarks`, never dropped; every choice it made
is in `Parsed.notes` (the report printed before writing).

openpyxl is imported here, inside `read_workbook`, only when a workbook is given.
No YAML and no writing here.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ledger.core.errors import UsageError
from ledger.core.model import (
    INSPECTION_KINDS,
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_MOSTLY_DONE,
    STATUS_ONGOING,
    TIERS,
    Location,
    Problem,
    cn_date,
)
from ledger.core.numerals import parse_cn_number

from .records import (
    UNGROUPED,
    AspectRec,
    ClosedRec,
    HeaderRec,
    IssueRec,
    MeasureRec,
    NoteRec,
    Parsed,
)
from .source import MAX_DOCUMENT_BYTES, decode_text, read_input
from .text import match_label, split_measures

Cell = str | int | float | date | datetime | None

# Field → the column names offices use for it (compared without spaces and brackets).
FIELDS: Mapping[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "问题序号", "问题编号", "序"),
    "aspect": ("方面", "问题类别", "问题类型", "类别", "问题方面", "反馈问题类别", "问题分类",
               "所属方面"),
    "title": ("反馈问题", "存在问题", "问题表现", "问题", "问题描述", "具体问题", "问题清单",
              "反馈意见", "主要问题", "问题内容", "巡视反馈问题", "巡察反馈问题"),
    "measures": ("整改措施", "措施", "整改举措", "具体措施", "整改任务", "整改措施及要求"),
    "leader": ("责任领导", "分管领导", "牵头领导", "责任校领导", "领导", "牵头责任领导"),
    "unit": ("牵头单位", "责任单位", "责任部门", "牵头部门", "责任处室", "牵头处室",
             "责任科室", "牵头科室"),
    "co_units": ("配合单位", "协办单位", "配合部门", "协同单位", "协办部门", "参与单位"),
    "owner": ("责任人", "具体责任人", "经办人", "联系人"),
    "deadline": ("整改时限", "完成时限", "时限", "完成时间", "整改期限", "整改时间"),
    "progress": ("整改进展", "完成情况", "整改进展情况", "进展情况", "整改完成情况",
                 "工作进展"),
    "status": ("是否销号", "整改状态", "状态", "销号情况", "完成状态"),
    "closed": ("销号日期", "销号时间"),
    "remarks": ("备注",),
    "skip": ("预警", "预警等级", "预警状态"),  # worked out by ledger, not data
}
FIELD_NAMES: Mapping[str, str] = {
    "number": "序号", "aspect": "方面", "title": "问题", "measures": "整改措施",
    "leader": "责任领导", "unit": "责任单位", "co_units": "协办单位", "owner": "责任人",
    "deadline": "整改时限", "progress": "整改进展", "status": "状态", "closed": "销号日期",
    "remarks": "备注", "skip": "(不导入)"}
_BRACKETS = re.compile(r"[((][^))]*[))]")
_SPACES = re.compile(r"[\s\u3000]+")


def normal_name(text: str) -> str:
    """A header cell compared without spaces, line breaks, brackets and a trailing colon."""
    return _BRACKETS.sub("", _SPACES.sub("", text)).rstrip(":").rstrip(":")


_BY_NAME = {normal_name(name): key for key, names in FIELDS.items() for name in names}


def field_of(name: str, column_map: Mapping[str, str]) -> str | None:
    """The field a column named `name` holds, or None when it is not one ledger knows."""
    if name in column_map:
        return column_map[name]
    return _BY_NAME.get(normal_name(name))


def parse_column_map(items: Sequence[str]) -> dict[str, str]:
    """--map 列名=字段 (字段 as the English key or its Chinese name) to {列名: key}."""
    by_cn = {cn: key for key, cn in FIELD_NAMES.items()}
    out: dict[str, str] = {}
    for item in items:
        name, sep, target = item.partition("=")
        target = target.strip()
        key = target if target in FIELD_NAMES else by_cn.get(target)
        if not sep or not name.strip() or key is None:
            fields = "、".join(f"{key}({cn})" for key, cn in FIELD_NAMES.items())
            raise UsageError(f"--map 的写法应为 列名=字段:\"{item}\"", f"可用的字段:{fields}")
        out[name.strip()] = key
    return out


# ---------------------------------------------------------------- reading cells


@dataclass
class Sheet:
    """One sheet's cells, merged ranges already filled with their value."""

    name: str
    rows: list[list[Cell]]
    merged_rows: set[int] = field(default_factory=set)  # rows that are one merged cell


def read_workbook(source: Path) -> list[Sheet]:
    """Every visible sheet of an .xlsx, values only (formulas' cached results)."""
    import zipfile

    data = read_input(source, MAX_DOCUMENT_BYTES)
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise UsageError("读取 Excel 需要 openpyxl", "请安装:pip install openpyxl") from exc
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UsageError(f"{source} 不是有效的 Excel 工作簿(.xlsx)",
                         "请用 Excel 或 WPS 另存为 .xlsx;旧的 .xls 格式请先转换,"
                         "或另存为 CSV") from exc
    sheets: list[Sheet] = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        width = max((len(row) for row in rows), default=0)
        rows = [row + [None] * (width - len(row)) for row in rows]
        merged_rows: set[int] = set()
        for cells in sheet.merged_cells.ranges:
            value = rows[cells.min_row - 1][cells.min_col - 1]
            for row in range(cells.min_row, cells.max_row + 1):
                for col in range(cells.min_col, cells.max_col + 1):
                    rows[row - 1][col - 1] = value
            if cells.min_col == 1 and cells.max_col >= width and cells.min_row == cells.max_row:
                merged_rows.add(cells.min_row - 1)
        sheets.append(Sheet(sheet.title, rows, merged_rows))
    return sheets


def _cell(value: object) -> Cell:
    """openpyxl's value as one of ours: rich text, times and formulas' leftovers as text."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or isinstance(value, str | int | float | date):
        return value
    return str(value)


def read_csv(source: Path) -> list[Sheet]:
    text = decode_text(source, read_input(source))
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    rows: list[list[Cell]] = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    width = max((len(row) for row in rows), default=0)
    return [Sheet(source.stem, [row + [None] * (width - len(row)) for row in rows])]


def text_of(cell: Cell) -> str:
    """A cell as text: numbers without a spurious .0, dates as 2021年6月30日."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cn_date(cell.date())
    if isinstance(cell, date):
        return cn_date(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


# ---------------------------------------------------------------- values


_YMD = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
_YM = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*月?(?:份)?\s*(?:底|末|前|内|止)")
_YM_BARE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:份)?$")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:年?底|年末|全年|12月底)")
_HALF = re.compile(r"(\d{4})\s*年\s*(上|下)半年")
_QUARTER = re.compile(r"(\d{4})\s*年\s*(?:第)?([一二三四1-4])季度")


def deadline_of(cell: Cell) -> tuple[date | str | None, str]:
    """A deadline cell to a date or a tier word; (None, "") when empty; (None, text) unread."""
    if isinstance(cell, datetime):
        return cell.date(), ""
    if isinstance(cell, date):
        return cell, ""
    text = text_of(cell)
    if not text:
        return None, ""
    for tier in sorted(TIERS, key=len, reverse=True):
        if text.startswith(tier):
            return tier, ""
    if "持续" in text and "长期" in text:
        return "长期坚持", ""
    found = _YMD.search(text)
    if found is not None:
        try:
            return date(int(found[1]), int(found[2]), int(found[3])), ""
        except ValueError:
            return None, text
    found = _YM.search(text) or _YM_BARE.search(text)
    if found is not None and 1 <= int(found[2]) <= 12:
        year, month = int(found[1]), int(found[2])
        return date(year, month, calendar.monthrange(year, month)[1]), ""
    found = _YEAR_END.search(text)
    if found is not None:
        return date(int(found[1]), 12, 31), ""
    found = _HALF.search(text)
    if found is not None:
        return (date(int(found[1]), 6, 30) if found[2] == "上"
                else date(int(found[1]), 12, 31)), ""
    found = _QUARTER.search(text)
    if found is not None:
        quarter = "一二三四".find(found[2]) + 1 if not found[2].isdigit() else int(found[2])
        month = quarter * 3
        year = int(found[1])
        return date(year, month, calendar.monthrange(year, month)[1]), ""
    return None, text


_ITEM = re.compile(r"^\s*(?:\d+[.、．)）]|[((]\d+[))]|[①-⑳]|[一二三四五六七八九十]+、)\s*")
_INLINE_ITEM = re.compile(r"(?:(?<=^)|(?<=[。;;]))\s*(?:\d+[.、．](?!\d)|[((]\d+[))]|[①-⑳])")


def measures_of(text: str) -> list[str]:
    """A measures cell: numbered lines (1. 2.), 一是…二是…, or one measure."""
    text = text.strip()
    if not text:
        return []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and sum(1 for line in lines if _ITEM.match(line)) >= len(lines) - 1:
        merged: list[str] = []
        for line in lines:
            if _ITEM.match(line) or not merged:
                merged.append(_ITEM.sub("", line, count=1))
            else:
                merged[-1] += line
        return merged
    if len(lines) == 1:
        joined = lines[0]
        if joined.startswith("一是"):
            found = split_measures(joined)
            if len(found) > 1:
                return found
        starts = [m.start() for m in _INLINE_ITEM.finditer(joined)]
        if len(starts) > 1 and starts[0] == 0:
            parts = [joined[a:b] for a, b in zip(starts, [*starts[1:], len(joined)], strict=True)]
            return [_ITEM.sub("", part.strip(), count=1) for part in parts]
        return [_ITEM.sub("", joined, count=1) if _ITEM.match(joined) else joined]
    return ["\n".join(lines)]


def status_of(text: str) -> str | None:
    """是否销号 / 整改状态 cells: 是, 已销号, 已完成 … to a stored status; None when empty."""
    value = text.strip()
    if not value:
        return None
    if value in ("是", "已销号", "销号", "已完成", "完成", "已整改", "已整改到位", "立行立改",
                 "已完成整改", "√", "✓"):
        return STATUS_DONE
    if "基本完成" in value:
        return STATUS_MOSTLY_DONE
    if "长期坚持" in value or "持续" in value:
        return STATUS_ONGOING
    return STATUS_IN_PROGRESS


def _number_of(text: str) -> int | None:
    value = text.strip().rstrip(".、")
    if value.isdigit():
        return int(value)
    found = match_label(value)
    if found is not None and not found[2].strip():
        return found[1]
    return parse_cn_number(value) if value else None


# ---------------------------------------------------------------- the layout


@dataclass
class Columns:
    """Which field each column holds, found in the header row(s)."""

    header_rows: list[int]  # 0-based rows of the header
    fields: dict[int, str]  # column → field
    names: dict[int, str]  # column → its header text
    unknown: list[int]  # columns kept in remarks


def _header_names(rows: list[list[Cell]], at: int, two: bool) -> list[str]:
    first = [text_of(cell) for cell in rows[at]]
    if not two:
        return first
    second = [text_of(cell) for cell in rows[at + 1]]
    # The lower row names the columns a merged upper cell groups (责任主体 → 责任领导 …).
    return [low if low and low != high else high for high, low in zip(first, second, strict=True)]


def find_columns(rows: list[list[Cell]], column_map: Mapping[str, str]) -> Columns | None:
    """The header: the first row (of the first 12) naming at least two known fields."""
    for at in range(min(len(rows), 12)):
        names = [text_of(cell) for cell in rows[at]]
        known = {field_of(name, column_map) for name in names if name} - {None}
        if len(known) < 2 or (not known & {"title", "measures"} and "title" not in known \
                and len(known) < 3):
            continue
        two = False
        if at + 1 < len(rows):
            lower = [text_of(cell) for cell in rows[at + 1]]
            lower_known = sum(1 for name, high in zip(lower, names, strict=True)
                              if name and name != high and field_of(name, column_map))
            first_col = lower[0] if lower else ""
            if lower_known and _number_of(first_col) is None:
                two = True
        heads = _header_names(rows, at, two)
        fields: dict[int, str] = {}
        names_of: dict[int, str] = {}
        unknown: list[int] = []
        for col, name in enumerate(heads):
            if not name:
                continue
            names_of[col] = name
            key = field_of(name, column_map)
            if key is None:
                unknown.append(col)
            elif key not in fields.values() or key in ("remarks", "skip", "progress"):
                fields[col] = key
            else:
                unknown.append(col)  # a second column of the same field: kept, not merged
        return Columns([at, at + 1] if two else [at], fields, names_of, unknown)
    return None


# ---------------------------------------------------------------- rows → problems


@dataclass
class _Builder:
    relpath: str
    today: date
    column_map: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    aspects: list[AspectRec] = field(default_factory=list)
    issues: list[IssueRec] = field(default_factory=list)
    numbers: list[int | None] = field(default_factory=list)
    title: str = ""

    def warn(self, line: int, code: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(Location(self.relpath, line, 1), code, "warning",
                                     message, hint))

    def aspect(self, title: str) -> int:
        title = title.strip()
        found = match_label(title)
        if found is not None and found[2].strip():
            title = found[2].strip()
        for aspect in self.aspects:
            if aspect.title == title:
                return aspect.number
        self.aspects.append(AspectRec(len(self.aspects) + 1, title))
        return len(self.aspects)


def _row_label(sheet: Sheet, index: int, many: bool) -> str:
    return f"工作表「{sheet.name}」第 {index + 1} 行" if many else f"第 {index + 1} 行"


def _sheet(builder: _Builder, sheet: Sheet, many: bool, line_base: int) -> bool:
    """Parse one sheet; False when it has no header this parser knows."""
    rows = sheet.rows
    columns = find_columns(rows, builder.column_map)
    where = f"工作表「{sheet.name}」" if many else "表"
    if columns is None:
        if any(text_of(cell) for row in rows for cell in row):
            builder.notes.append(f"{where}:找不到表头(序号、问题、整改措施等),未导入")
        return False
    top = columns.header_rows[0]
    for row in rows[:top]:
        texts = {text_of(cell) for cell in row} - {""}
        if len(texts) == 1 and not builder.title:
            builder.title = texts.pop()
    mapped = ",".join(f"{columns.names[col]}→{FIELD_NAMES[key]}"
                      for col, key in sorted(columns.fields.items()))
    builder.notes.append(f"{where}:表头在第 {', '.join(str(r + 1) for r in columns.header_rows)}"
                         f" 行;{mapped}")
    if columns.unknown:
        builder.notes.append(f"{where}:未识别的列 "
                             f"{'、'.join(columns.names[col] for col in columns.unknown)}"
                             ",内容保存在每个问题的 remarks 中(可用 --map 列名=字段 指定)")
    if "title" not in columns.fields.values():
        builder.warn(line_base + top + 1, "import-sheet-columns",
                     f"{where}的表头中没有问题列(反馈问题、存在问题、问题表现…),未导入这张表",
                     "请用 --map 列名=title 指出哪一列是问题")
        return False
    col_of = {key: col for col, key in columns.fields.items()}
    header_texts = [normal_name(name) for name in columns.names.values()]
    sheet_aspect: int | None = None
    if "aspect" not in col_of and many:
        sheet_aspect = builder.aspect(sheet.name)
    current_aspect = sheet_aspect
    last: IssueRec | None = None
    last_key: tuple[str, str] | None = None
    skipped: list[str] = []
    for index in range(columns.header_rows[-1] + 1, len(rows)):
        row = rows[index]
        cells = [text_of(cell) for cell in row]
        line = line_base + index + 1
        label = _row_label(sheet, index, many)
        filled = {text for text in cells if text}
        if not filled:
            continue
        if [normal_name(text) for text in cells if text] == [t for t in header_texts if t] \
                or sum(1 for text in cells if field_of(text, builder.column_map)) >= 3:
            skipped.append(f"{label}(重复的表头)")
            continue
        if len(filled) == 1 and (index in sheet.merged_rows or not cells[col_of["title"]]):
            only = filled.pop()
            if "aspect" not in col_of:
                current_aspect = builder.aspect(only)
                builder.notes.append(f"{label}:方面「{builder.aspects[current_aspect - 1].title}」")
            else:
                skipped.append(f"{label}(只有一格文字:{only[:20]})")
            continue

        def get(key: str, cells: list[str] = cells) -> str:
            col = col_of.get(key)
            return cells[col] if col is not None else ""

        title = get("title")
        number_text = get("number")
        if "aspect" in col_of and get("aspect"):
            current_aspect = builder.aspect(get("aspect"))
        key = (number_text, title)
        measure_texts = measures_of(get("measures"))
        if last is not None and (not title or key == last_key):
            # Another row of the same problem (merged, or left blank below it): a measure.
            for text in measure_texts:
                if text not in [measure.text for measure in last.measures]:
                    last.measures.append(MeasureRec(text, deadline=_cell_deadline(
                        builder, row, col_of, line) if _differs(last, row, col_of) else None))
            continue
        if not title:
            skipped.append(f"{label}(没有问题描述)")
            continue
        issue = IssueRec(0, current_aspect or 0, title,
                         [MeasureRec(text) for text in measure_texts], line=line)
        builder.numbers.append(_number_of(number_text) if number_text else None)
        issue.source_number = builder.numbers[-1]
        issue.leader = get("leader")
        issue.unit = get("unit")
        issue.owner = get("owner")
        issue.co_units = [part for part in re.split(r"[、,,;;\s]+", get("co_units")) if part]
        issue.deadline = _cell_deadline(builder, row, col_of, line)
        _status(builder, issue, get("status"), get("closed"), line)
        progress = "\n".join(cells[col] for col, key in sorted(columns.fields.items())
                             if key == "progress" and cells[col])
        _progress(builder, issue, progress, get("unit"))
        for col in [*columns.unknown,
                    *(col for col, key in columns.fields.items() if key == "remarks")]:
            if cells[col]:
                issue.remarks[columns.names[col]] = cells[col]
        builder.issues.append(issue)
        last, last_key = issue, key
    if skipped:
        builder.notes.append(f"{where}:跳过 " + "、".join(skipped))
    return True


def _differs(issue: IssueRec, row: list[Cell], col_of: Mapping[str, int]) -> bool:
    """Whether a measure row's deadline differs from its problem's (then the measure keeps it)."""
    col = col_of.get("deadline")
    if col is None:
        return False
    value, _ = deadline_of(row[col])
    return value is not None and value != issue.deadline


def _cell_deadline(builder: _Builder, row: list[Cell], col_of: Mapping[str, int],
                   line: int) -> date | str | None:
    col = col_of.get("deadline")
    if col is None:
        return None
    value, unread = deadline_of(row[col])
    if unread:
        builder.warn(line, "import-sheet-value", f"整改时限「{unread[:30]}」无法识别为日期或档次,"
                     "未导入", "请填写日期(如 2021年6月30日)或 立行立改/短期/中期/长期/长期坚持")
    return value


def _status(builder: _Builder, issue: IssueRec, status_text: str, closed_text: str,
            line: int) -> None:
    status = status_of(status_text)
    closed_on: date | None = None
    if closed_text:
        value, _ = deadline_of(closed_text)
        closed_on = value if isinstance(value, date) else None
    if status is None and closed_on is not None:
        status = STATUS_DONE
    if status is None:
        if issue.deadline == STATUS_ONGOING:
            issue.status = STATUS_ONGOING
        return
    issue.status = status
    if status == STATUS_DONE:
        on = closed_on or builder.today
        for measure in issue.measures:
            measure.done = on
        issue.closed = ClosedRec(on, f"台账表({builder.relpath})",
                                 f"导入时据台账表:{status_text or '销号日期 ' + closed_text}")


_PROGRESS_DATE = re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2})\s*")


def progress_notes(text: str, today: date, by: str) -> list[NoteRec]:
    """A progress cell: lines "2021年3月5日 …" keep their dates; other text is dated today."""
    notes: list[NoteRec] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        found = _PROGRESS_DATE.match(line)
        on = today
        if found is not None:
            value, _ = deadline_of(found[1])
            if isinstance(value, date):
                on, line = value, line[found.end():]
        if notes and found is None and notes[-1].date == on and on == today:
            notes[-1].text += "\n" + line
            continue
        notes.append(NoteRec(on, line, by))
    return notes


def _progress(builder: _Builder, issue: IssueRec, text: str, unit: str) -> None:
    issue.progress = progress_notes(text, builder.today, unit)


# ---------------------------------------------------------------- the whole file


def parse_sheets(sheets: Sequence[Sheet], relpath: str, column_map: Mapping[str, str],
                 today: date) -> Parsed:
    """Sheets' cells to records: the ledger's header (from the title row) and its problems."""
    builder = _Builder(relpath, today, column_map)
    with_data = [sheet for sheet in sheets
                 if any(text_of(cell) for row in sheet.rows for cell in row)]
    many = len(with_data) > 1
    base = 0
    for sheet in with_data:
        _sheet(builder, sheet, many, base if not many else 0)
    if not builder.issues:
        builder.warn(1, "import-no-problems", "表中没有找到任何问题行,只写入了台账头文件",
                     "请检查表头(序号、反馈问题、整改措施…),或用 --map 列名=字段 指定列")
    _number(builder)
    header = _header(builder)
    for issue in builder.issues:
        if issue.aspect == 0:
            issue.aspect = 1
    lines = tuple("\t".join(text_of(cell) for cell in row)
                  for row in with_data[0].rows) if len(with_data) == 1 else ()
    return Parsed(header, None, builder.issues, builder.problems, lines, tuple(builder.notes))


def _number(builder: _Builder) -> None:
    """序号 when they are distinct positive numbers; otherwise 1, 2, 3 … in row order."""
    numbers = builder.numbers
    usable = all(n is not None and n > 0 for n in numbers) and len(set(numbers)) == len(numbers)
    if not usable and any(n is not None for n in numbers):
        builder.notes.append("序号有重复或空缺,已按行的顺序重新编号 1、2、3…")
    for index, issue in enumerate(builder.issues, start=1):
        number = numbers[index - 1] if usable else None
        issue.number = number if number is not None else index


def _header(builder: _Builder) -> HeaderRec:
    title = builder.title
    kind = next((word for word in INSPECTION_KINDS if word in title), None)
    issuer = ""
    cut = re.search(r"关于|巡视|巡察|审计|督察|督查|反馈|整改", title)
    if cut is not None and re.search(r"(党组|党委|委员会|政府|局|院|厅|办公室|公司|大学|学院)$",
                                     title[:cut.start()]):
        issuer = title[:cut.start()]
    header = HeaderRec(issuer=issuer, title=title, kind=kind,
                       aspects=builder.aspects or [AspectRec(1, UNGROUPED)])
    if not title:
        builder.warn(1, "import-no-title", "表中没有标题行(如 某某党组巡视反馈问题整改台账)",
                     "请在 data/ledger.yaml 中填写 issuer 和 title")
    missing = "反馈日期" if kind else "检查类别和反馈日期"
    builder.warn(1, "import-no-inspection", f"台账表中没有{missing}",
                 "请在 data/ledger.yaml 的 inspection 中填写 kind 和 feedback"
                 "(时限档次从反馈日期算起)")
    return header


def parse_sheet_file(source: Path, column_map: Mapping[str, str], today: date) -> Parsed:
    sheets = read_csv(source) if source.suffix.lower() == ".csv" else read_workbook(source)
    return parse_sheets(sheets, source.name, column_map, today)
