"""What an import did, in words: the summary line and the outcome's exit code.

No parsing and no writing: the CLI prints what these functions return.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger.core.errors import EXIT_IMPORT_WARNINGS, EXIT_OK
from ledger.core.model import Problem


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote (or, with --dry-run, would write) and what it could not place."""

    into: Path
    written: tuple[str, ...]
    removed: tuple[str, ...]
    aspects: int
    subjects: int
    issues: int
    problems: tuple[Problem, ...]
    lines: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # the report before writing (columns, amounts found …)
    dry_run: bool = False

    def line(self, _path: str, number: int) -> str | None:
        """Line `number` of the input, for diagnostics that show the line."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else None

    @property
    def exit_code(self) -> int:
        """0 written cleanly, 6 written with warnings (refusals raise before this)."""
        return EXIT_IMPORT_WARNINGS if self.problems else EXIT_OK


def describe(report: ImportReport) -> str:
    """The import's outcome in one or two sentences."""
    parts = [f"{report.aspects}个方面"] if report.aspects else []
    if report.subjects:
        parts.append(f"{report.subjects}个事项")
    parts.append(f"{report.issues}个问题")
    verb = "将导入" if report.dry_run else "已导入"
    where = "写入" if not report.dry_run else "将写入"
    text = f"{verb}{'、'.join(parts)},{where} {report.into} 下 {len(report.written)} 个文件"
    if report.removed:
        text += f",删除 {len(report.removed)} 个旧的问题文件"
    text += "。"
    if report.dry_run:
        text += "(演练:未写入任何文件)"
    if report.problems:
        text += f"\n有 {len(report.problems)} 条警告,见下方说明;请核对原文,需要时手工补充。"
    return text
