"""`ledger import`: a notice, a Word notice or an office's Excel/CSV ledger in, a ledger out.

The steps live in `ledger.notice_import` (parsing → typed records → writing);
this module runs them for the CLI and keeps the plain-data view (`parse`,
`dump`, `issue_record`) that tests and tools use to look at what an import
would write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ledger.core.errors import RefusedError, UsageError
from ledger.core.model import Problem
from ledger.edit.yamlout import dump
from ledger.notice_import.records import UNGROUPED, Parsed
from ledger.notice_import.report import ImportReport, describe
from ledger.notice_import.sheet import parse_column_map
from ledger.notice_import.source import read_notice
from ledger.notice_import.text import match_label, split_measures
from ledger.notice_import.text import parse as parse_notice_text
from ledger.notice_import.write import (
    existing_ledger,
    header_data,
    issue_data,
    issue_record,
    notice_data,
    write_all,
    write_error,
)
from ledger.notice_import.write import files as record_files

__all__ = ["UNGROUPED", "ImportReport", "Imported", "describe", "dump", "files",
           "import_notice", "issue_record", "match_label", "parse", "parse_column_map",
           "read_notice",
           "split_measures"]

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")


@dataclass
class Imported:
    """What a notice holds, as the plain data of the files an import writes."""

    header: dict[str, Any]
    notice: dict[str, Any]
    issues: list[dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)
    parsed: Parsed | None = field(default=None, compare=False, repr=False)


def plain(parsed: Parsed) -> Imported:
    """The records as the plain data of the files (what `dump` writes)."""
    return Imported(header_data(parsed.header),
                    notice_data(parsed.notice) if parsed.notice is not None else {},
                    [issue_data(issue) for issue in parsed.issues], parsed.problems, parsed)


def parse(text: str, relpath: str = "notice.txt") -> Imported:
    """A notice's text to the data of the ledger's files, with warnings for what did not fit."""
    return plain(parse_notice_text(text, relpath))


def files(imported: Imported) -> dict[str, str]:
    """Relative path → text of every file the import writes."""
    assert imported.parsed is not None
    return record_files(imported.parsed)


def parse_source(source: Path, today: date, column_map: dict[str, str] | None = None) -> Parsed:
    """Any importable file to records: a notice (text or .docx) or a ledger sheet."""
    if source.suffix.lower() in SHEET_SUFFIXES:
        from ledger.notice_import.sheet import parse_sheet_file

        return parse_sheet_file(source, column_map or {}, today)
    if column_map:
        raise UsageError("--map 只用于 Excel/CSV 台账表", "通报不按列导入;请去掉 --map")
    return parse_notice_text(read_notice(source), source.name)


def import_notice(source: Path, into: Path, force: bool = False, dry_run: bool = False,
                  column_map: dict[str, str] | None = None,
                  today: date | None = None) -> ImportReport:
    """Read `source`, write the ledger's files under `into`; refuse to overwrite without force.

    A ledger an interrupted import left half-written (IMPORT_MARKER) is overwritten
    without --force: finishing that import is what the marker asks for.

    A readable header is always written, even when no problem list was found
    (a warning says so); only an unreadable input or an existing ledger is refused.
    """
    parsed = parse_source(source, today or date.today(), column_map)
    if not _readable(parsed):
        raise RefusedError(f"在 {source} 中没有找到通报的标题、发文机关、检查信息或问题,"
                           "未写入文件",
                           "请确认这是通报正文(标题如 关于…整改情况的通报);"
                           "台账表请用 .xlsx 或 .csv 文件")
    planned = record_files(parsed)
    try:
        into = into.resolve()
    except (OSError, RuntimeError) as exc:
        raise write_error(into, exc) from None
    existing, old_issues, resuming = existing_ledger(into)
    if (existing or old_issues) and not force and not resuming:
        raise RefusedError(f"{into} 中已有台账({(existing or old_issues)[0]}),未覆盖",
                           "确实要用通报重新生成台账,请加 --force")
    removed = [f"data/issues/{name}" for name in old_issues
               if f"data/issues/{name}" not in planned]
    if not dry_run:
        write_all(into, planned, removed, source)
    return ImportReport(into, tuple(planned), tuple(removed), _aspects(parsed),
                        len(parsed.header.subjects), len(parsed.issues),
                        tuple(parsed.problems), parsed.lines, parsed.notes, dry_run)


def _readable(parsed: Parsed) -> bool:
    """Anything worth a header: a title, an issuer, an inspection fact, or a problem."""
    header = parsed.header
    return bool(parsed.issues or header.title or header.issuer or header.kind
                or header.feedback or header.start)


def _aspects(parsed: Parsed) -> int:
    return sum(1 for aspect in parsed.header.aspects if aspect.title != UNGROUPED)
