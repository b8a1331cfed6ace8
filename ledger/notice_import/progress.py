"""The weekly round trip (一周一调度): progress the units wrote in their rows, into the ledger.

The office sends each unit its rows (`ledger render -t table --unit … -o x.xlsx`);
the unit fills in 整改进展 / 完成情况 and sends the sheet back. `plan_progress`
matches each returned row to a problem by 序号, checks that its problem text
still matches, and plans a progress entry (author: the row's unit) for every
line not already in the problem's progress. Nothing else is touched. Writing
goes through `lifecycle.log`, the same edit as `ledger log`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ledger.core.errors import RefusedError
from ledger.core.model import Issue

from .records import NoteRec
from .sheet import parse_sheet_file


@dataclass
class ProgressPlan:
    """What the returned sheet adds: new entries, rows with nothing new, and conflicts."""

    source: str
    added: list[tuple[int, NoteRec]] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        lines = [f"{self.source}:新增进展 {len(self.added)} 条,无新内容 {len(self.unchanged)} 行,"
                 f"冲突 {len(self.conflicts)} 行。"]
        lines += [f"  新增 问题 {number}({note.by or '未写单位'},{note.date.isoformat()}):"
                  f"{note.text}" for number, note in self.added]
        if self.unchanged:
            lines.append("  无新内容:问题 " + "、".join(str(n) for n in self.unchanged))
        lines += [f"  冲突 {text}" for text in self.conflicts]
        return lines


def _same(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def plan_progress(root: Path, source: Path, column_map: dict[str, str], today: date
                  ) -> ProgressPlan:
    """Match the returned rows to the ledger's problems and plan the new progress entries."""
    from ledger.read.loader import load

    parsed = parse_sheet_file(source, column_map, today)
    if not parsed.issues:
        raise RefusedError(f"在 {source} 中没有找到任何问题行,未记入进展",
                           "请用 ledger render -t table -o 台账.xlsx 导出的表格式返回")
    ledger = load(root).ledger
    by_number: dict[int, Issue] = {issue.number: issue for issue in ledger.issues}
    plan = ProgressPlan(source.name)
    for row in parsed.issues:
        where = f"第 {row.line} 行"
        if row.source_number is None:
            plan.conflicts.append(f"{where}:没有序号,无法对应到问题")
            continue
        issue = by_number.get(row.source_number)
        if issue is None:
            plan.conflicts.append(f"{where}:序号 {row.source_number} 在台账中不存在")
            continue
        if not _same(issue.title, row.title):
            plan.conflicts.append(f"{where}:序号 {issue.number} 的问题描述与台账不一致"
                                  f"(表中为「{row.title[:20]}」),未记入")
            continue
        known = [note.text for note in issue.progress]
        new = [note for note in row.progress
               if not any(_same(note.text, text) for text in known)]
        if not new:
            plan.unchanged.append(issue.number)
            continue
        for note in new:
            note.by = note.by or issue.unit
            plan.added.append((issue.number, note))
    return plan


def apply_progress(root: Path, plan: ProgressPlan, today: date) -> None:
    """Write the planned entries, each as `ledger log` would (one atomic edit per entry)."""
    from ledger.edit import lifecycle

    for number, note in plan.added:
        edit = lifecycle.log(root, number, note.text, today=today, by=note.by, when=note.date)
        lifecycle.apply(edit)
