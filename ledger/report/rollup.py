"""The roll-up for a supervising office: many inspected units' ledgers, one table and totals.

Each member ledger is loaded and validated on its own (`checks.CHECKS`); a
broken member is reported with its errors and left out of the totals, so
the others still count. The numbers are `stats.count` over each member's
standings: the same counting as `ledger stats`. No printing here.
`table` is the seam for other writers (the xlsx writer takes headers + rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ledger.core.model import Problem
from ledger.deadline.standing import Level, Standing
from ledger.read.loader import HEADER_PATH, Loaded
from ledger.report.stats import Counts, count, counts_data

HEADERS = ("单位", "检查", "问题数", "已完成", "完成率", "超期(红色预警)", "黄色预警", "绿色提醒",
           "状态")


@dataclass(frozen=True, slots=True)
class Member:
    """One member ledger: where it is, who it is, its counts, or why it does not count."""

    path: str
    issuer: str = ""
    inspection: str = ""
    counts: Counts | None = None
    errors: tuple[str, ...] = ()
    standings: tuple[Standing, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class Rollup:
    """Every member, and the totals over the members that count."""

    today: date
    members: tuple[Member, ...]
    total: Counts

    @property
    def counted(self) -> tuple[Member, ...]:
        return tuple(member for member in self.members if member.ok)

    @property
    def broken(self) -> tuple[Member, ...]:
        return tuple(member for member in self.members if not member.ok)


def read_list(path: Path) -> list[str]:
    """The folders named in a list file: one per line, `#` starts a comment, relative paths
    taken from the list file's folder."""
    folders = []
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "://" in line or line.startswith("git@"):
            folders.append(line)  # a URL: reported as not cloned
            continue
        folder = Path(line).expanduser()
        folders.append(str(folder if folder.is_absolute() else path.parent / folder))
    return folders


def member(folder: str, today: date) -> Member:
    """One member ledger loaded, validated and counted; errors instead when it is broken."""
    from ledger.cache import load
    from ledger.report.query import standings
    from ledger.validate.rules import CHECKS, validate

    if "://" in folder or folder.startswith("git@"):
        return Member(folder, errors=(f"{folder}:这是仓库地址,请先克隆到本地,在清单中写本地目录",))
    root = Path(folder)
    if not (root / HEADER_PATH).is_file():
        return Member(folder, errors=(f"{folder}:不是台账目录(找不到 {HEADER_PATH})",))
    loaded: Loaded = load(root)
    problems: list[Problem] = validate(loaded, today, CHECKS)
    header = loaded.ledger.header
    inspection = " ".join(part for part in (header.inspection.by, header.inspection.kind)
                          if part)
    errors = tuple(f"{folder}/{problem.location}: {problem.message}" for problem in problems
                   if problem.severity == "error")
    if errors:
        return Member(folder, header.issuer, inspection, errors=errors)
    items = tuple(standings(loaded.ledger, today))
    return Member(folder, header.issuer, inspection, count(items), standings=items)


def rollup(folders: Sequence[str], today: date,
           progress: Callable[[int, int], None] | None = None) -> Rollup:
    """Every member ledger read and counted; `progress` is told (ledgers done, in all)."""
    found = []
    for folder in folders:
        found.append(member(folder, today))
        if progress is not None:
            progress(len(found), len(folders))
    members = tuple(found)
    every = [item for one in members if one.ok for item in one.standings]
    return Rollup(today, members, count(every))


def sentence(result: Rollup) -> str:
    """The aggregate as offices publish it: 汇总3个单位…反馈问题500个,完成整改480个,…总体完成率96%。
    """
    total = result.total
    parts = [f"完成整改{total.closed}个"]
    for number, word in ((total.mostly_done, "基本完成"), (total.in_progress, "正在推进"),
                         (total.ongoing, "长期坚持")):
        if number:
            parts.append(f"{word}{number}个")
    text = (f"汇总{len(result.counted)}个单位的整改台账:反馈问题{total.total}个,"
            f"{','.join(parts)},总体完成率{total.rate_text}")
    text += f";超期未完成{total.overdue}个。" if total.overdue else "。"
    if result.broken:
        text += f"另有{len(result.broken)}个台账有错误,未计入合计。"
    return text


def member_rows(result: Rollup) -> list[list[str]]:
    """One row per member, then 合计: text cells for every format."""
    rows = []
    for one in result.members:
        name = one.issuer or Path(one.path).name
        if one.counts is None:
            rows.append([name, one.inspection or "—", "—", "—", "—", "—", "—", "—",
                         f"有错误({len(one.errors)}个),未计入"])
            continue
        rows.append(_row(name, one.inspection or "—", one.counts, "已计入"))
    rows.append(_row("合计", f"{len(result.counted)}个单位", result.total, ""))
    return rows


def _row(name: str, inspection: str, counts: Counts, state: str) -> list[str]:
    return [name, inspection, str(counts.total), str(counts.closed), counts.rate_text,
            str(counts.overdue), str(counts.level(Level.YELLOW)), str(counts.level(Level.GREEN)),
            state]


def table(result: Rollup) -> tuple[tuple[str, ...], list[list[str]]]:
    """Headers and rows: the seam for writers of other formats (xlsx)."""
    return HEADERS, member_rows(result)


def as_data(result: Rollup) -> dict[str, Any]:
    return {
        "today": result.today.isoformat(), "summary": sentence(result),
        "total": counts_data(result.total),
        "members": [{"path": one.path, "issuer": one.issuer, "inspection": one.inspection,
                     "counted": one.ok,
                     "counts": counts_data(one.counts) if one.counts is not None else None,
                     "errors": list(one.errors)} for one in result.members],
    }


def as_markdown(result: Rollup) -> str:
    from ledger.report.stats import markdown_cell

    out = ["# 整改情况汇总", "", sentence(result), "",
           "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    out += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |"
            for row in member_rows(result)]
    if result.broken:
        out += ["", "## 有错误的台账(未计入)", ""]
        out += [f"- {markdown_cell(error)}" for one in result.broken for error in one.errors]
    return "\n".join(out) + "\n"


def as_csv(result: Rollup) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(member_rows(result))
    return "\ufeff" + buffer.getvalue()
