"""The life of a problem: close (销号), reopen, extend, log progress, mark measures, new.

Each command reads what it touches (the header and the problem's own file, see
`_Scope`), refuses with a clear reason when the edit
makes no sense (`RefusedError`, exit 1, nothing written), splices the change
into the problem's file with `yamledit` (every other byte stays as it was),
re-parses and re-checks the result, and returns an `Edit`: the new bytes and
a summary in Chinese. `apply` writes it atomically; `Edit.diff` is what
`--dry-run` prints. The audit trail (`history:`) is written here.

Callers that write hold `lock.ledger_lock(root)` around both the command and
`apply`, so that nothing changes between the read and the rename (the CLI does);
`apply` takes the lock itself when its caller did not, and then refuses an
edit whose file changed since it was read.

What it does not do: print, parse command lines, or decide today's date or
the user's name on its own (callers pass them; `default_user` helps).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ledger.cache import load, remember
from ledger.core import atomic
from ledger.core.dates import current_deadline
from ledger.core.errors import LedgerError, RefusedError, UsageError
from ledger.core.model import (
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUSES,
    Header,
    Issue,
    LedgerData,
    Problem,
    cn_date,
)
from ledger.core.paths import inside_root
from ledger.edit import yamledit
from ledger.edit.lock import DEFAULT_TIMEOUT, LOCK_NAME, ledger_lock
from ledger.edit.yamledit import Document, Raw, Value
from ledger.read import yamlsrc
from ledger.read.loader import (
    ISSUES_DIR,
    Loaded,
    check_complete,
    issue_filename,
    parse_issue,
    read_bytes,
    read_header,
    status_hint,
)
from ledger.report.query import lookup
from ledger.validate.evidence import file_sha256

if TYPE_CHECKING:
    from importlib.abc import Traversable

# History actions as people read them in the file and in `ledger show`.
ACTION_CLOSE = "销号"
ACTION_REOPEN = "重新打开"
ACTION_STATUS = "状态变更"
ACTION_NEW = "新增"
ACTION_AMOUNT = "金额"
ACTION_DONE = "措施完成"
ACTION_UNDONE = "撤销措施完成"
ACTION_EXTEND = "延期"
ACTION_LOG = "进展"
ACTION_SET = "修改"

SETTABLE_STATUSES = tuple(status for status in STATUSES if status != STATUS_DONE)
# The most lines plus commas of a problem file an edit will touch (see _check_bulk).
# Editing re-composes the file after each splice and re-checks the result, so cost and
# memory grow with its entries (bench/big_edit.py: a legal 7 MB file of 240,000 progress
# notes took minutes and 1 GB; at this cap an edit takes a second or two and 60 MB).
# Real problem files have tens of lines: this is years of weekly notes.
EDIT_MAX_ITEMS = 20_000
TEMPLATE_PATH = "templates/issue.yaml"


@dataclass(frozen=True)
class Edit:
    """One file's change, ready to write: old bytes (None for a new file), new bytes, summary."""

    path: Path
    relpath: str
    old: bytes | None
    new: bytes
    summary: str
    # What `new` parses to, for the parse cache once written (see `_remember`).
    parsed: tuple[Issue | None, list[Problem]] | None = field(default=None, repr=False,
                                                               compare=False)

    def diff(self) -> str:
        """A unified diff, as `git diff` would show it."""
        old = [] if self.old is None else self.old.decode("utf-8").splitlines(keepends=True)
        new = self.new.decode("utf-8").splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, "/dev/null" if self.old is None
                                     else f"a/{self.relpath}", f"b/{self.relpath}")
        return "".join(line if line.endswith("\n") else line + "\n\\ 文件末尾没有换行\n"
                       for line in lines)

    def apply(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Write it (see the module's `apply`): under the lock, never over a change."""
        apply(self, timeout)


@dataclass(frozen=True)
class EditSet:
    """Several files' changes made together (`ledger set 1-5,9 …`): all written, or none."""

    root: Path
    edits: tuple[Edit, ...]
    summary: str

    def diff(self) -> str:
        return "".join(edit.diff() for edit in self.edits)

    def apply(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Write every file or none, under the lock."""
        apply(self, timeout)


Change = Edit | EditSet


def apply(edit: Change, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Write the edit atomically under the ledger's lock; a new file is never written over one
    that appeared meanwhile, nor a changed file over its changes. An EditSet is checked whole
    before its first write, and a failed write puts back the files already written."""
    if isinstance(edit, EditSet):
        with ledger_lock(edit.root, timeout):
            _apply_all(edit.edits)
        return
    with ledger_lock(edit_root(edit), timeout):
        _apply(edit)


def _apply_all(edits: tuple[Edit, ...]) -> None:
    for edit in edits:
        try:
            current = edit.path.read_bytes()
        except OSError:
            current = None
        if current != edit.old:
            raise RefusedError(f"{edit.relpath} 在修改期间被改动过,未写入任何文件",
                               "请重新运行这条命令")
    written: list[Edit] = []
    try:
        for edit in edits:
            atomic.write_atomic(edit.path, edit.new)
            written.append(edit)
    except LedgerError:
        for edit in reversed(written):
            assert edit.old is not None
            atomic.write_atomic(edit.path, edit.old)
        raise
    for edit in edits:
        _remember(edit)


def _remember(edit: Edit) -> None:
    """Tell the parse cache what the file just written parses to, so that the next load
    does not parse it again (cache.remember; nothing when the cache is off)."""
    if edit.parsed is not None:
        remember(edit_root(edit), edit.relpath, edit.new, edit.parsed)


def edit_root(edit: Edit) -> Path:
    """The ledger root an edit belongs to (its path minus its relative path)."""
    return edit.path.parents[len(Path(edit.relpath).parts) - 1]


def _apply(edit: Edit) -> None:
    if edit.old is None:
        if not atomic.create_exclusive(edit.path, edit.new):
            raise RefusedError(f"{edit.relpath} 已经存在(可能有人同时新增了问题),未写入",
                               "请重新运行 ledger new,会取下一个空闲序号")
        _remember(edit)
        return
    try:
        current = edit.path.read_bytes()
    except OSError:
        current = None
    if current != edit.old:
        raise RefusedError(f"{edit.relpath} 在修改期间被改动过,未写入", "请重新运行这条命令")
    atomic.write_atomic(edit.path, edit.new)
    _remember(edit)


def default_user(root: Path, given: str = "") -> str:
    """Who is editing: the name given (the CLI passes LEDGER_USER), else git's user.name,
    else nobody."""
    name = given.strip()
    if name:
        return name
    try:
        result = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True,
                                text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


# ---------------------------------------------------------------- commands


def close(root: Path, number: int, evidence: Iterable[str], *, today: date, by: str = "",
          when: date | None = None, note: str = "", force: bool = False,
          cwd: Path | None = None, reason: str = "") -> Edit:
    """销号: status 已完成, a `closed:` record with evidence, and a history entry.

    A problem whose rectified amount is below the amount involved closes only
    with a reason (分阶段整改 …), written into the history entry.
    """
    target = _Target.find(root, number, today)
    issue = target.issue
    if issue.status == STATUS_DONE or issue.closed is not None:
        closed_on = f"已于{cn_date(issue.closed.date)}销号" if issue.closed else "状态已是已完成"
        raise RefusedError(f"问题 {number} {closed_on},不能重复销号",
                           "如需重新整改,请先重新打开这个问题(ledger reopen),并说明原因")
    items = [resolve_evidence(root, item, cwd or Path.cwd()) for item in evidence]
    if not items:
        raise RefusedError(f"问题 {number} 没有提供佐证材料,不能销号",
                           "请给出佐证材料:台账目录内的文件路径,"
                           "或材料说明(如\"会议纪要 2021-03-05\"),可给多项", field="evidence")
    open_measures = [index for index, measure in enumerate(issue.measures, start=1)
                     if not measure.done]
    if open_measures and not force:
        listed = "、".join(str(index) for index in open_measures)
        raise RefusedError(f"问题 {number} 还有 {len(open_measures)} 项整改措施未完成"
                           f"(第{listed}项),不能销号",
                           f"先用 ledger done {number} 措施序号 标记完成;"
                           "确需先行销号的,可强制销号(会记入操作记录)", field="force")
    short = _short_of_involved(target, reason)
    day = when or today
    closing: dict[str, Value] = {"date": day}
    if by:
        closing["by"] = by
    closing["evidence"] = items
    if note:
        closing["note"] = note
    history_note = f"佐证材料{len(items)}项"
    if open_measures:
        history_note += f";强制销号,第{'、'.join(map(str, open_measures))}项措施未完成"
    if short:
        history_note += f";{short}"
    doc = target.document()
    doc.set(("status",), STATUS_DONE)
    doc.set(("closed",), closing)
    doc.append(("history",), _history(day, ACTION_CLOSE, by, history_note))
    summary = [f"问题 {number} 已销号({cn_date(day)})", f"  佐证材料:{_describe(items)}"]
    if open_measures:
        summary.append(f"  注意:第{'、'.join(map(str, open_measures))}项措施未完成,已记入操作记录")
    if short:
        summary.append(f"  {short}(已记入操作记录)")
    return target.finish(doc, "\n".join(summary))


def _short_of_involved(target: _Target, reason: str) -> str:
    """The history words for closing with money still unrectified; refused without a reason."""
    from ledger.core.money import format_amount

    amounts = target.issue.amounts
    if amounts is None:
        return ""
    rectified = amounts.rectified if amounts.rectified is not None else Decimal(0)
    if rectified >= amounts.involved:
        return ""
    header = target.ledger.header
    unit, decimals = header.money_unit, header.money_decimals
    gap = (f"已整改{format_amount(rectified, decimals)}{unit},"
           f"问题金额{format_amount(amounts.involved, decimals)}{unit},"
           f"未整改{format_amount(amounts.involved - rectified, decimals)}{unit}")
    number = target.issue.number
    if not reason.strip():
        raise RefusedError(f"问题 {number} {gap},销号须说明理由",
                           "请说明未足额整改的理由(如 分阶段整改);金额有新进展请先用 "
                           f"ledger amount {number} 记录已整改金额", field="reason")
    return f"{gap};理由:{reason.strip()}"


def reopen(root: Path, number: int, reason: str, *, today: date, by: str = "") -> Edit:
    """Undo a closing whose fix did not hold: back to 正在推进, the closing kept in history."""
    reason = _required(reason, "reason", "重新打开的原因")
    target = _Target.find(root, number, today)
    issue = target.issue
    if issue.status != STATUS_DONE and issue.closed is None:
        raise RefusedError(f"问题 {number} 没有销号(状态:{issue.status}),无需重新打开")
    note = reason
    if issue.closed is not None:
        note += f"(撤销{cn_date(issue.closed.date)}的销号)"
    doc = target.document()
    doc.set(("status",), STATUS_IN_PROGRESS)
    if doc.has(("closed",)):
        doc.delete(("closed",))
    doc.append(("history",), _history(today, ACTION_REOPEN, by, note))
    return target.finish(doc, f"问题 {number} 已重新打开,状态改为{STATUS_IN_PROGRESS}\n"
                              f"  原因:{reason}")


def extend(root: Path, number: int, to: date, reason: str, *, today: date, by: str = "",
           approved_by: str = "") -> Edit:
    """延期: append to `extensions:`; `deadline:` keeps the original on record."""
    reason = _required(reason, "reason", "延期理由")
    target = _Target.find(root, number, today)
    issue = target.issue
    if issue.is_closed:
        raise RefusedError(f"问题 {number} 已销号,无需延期")
    current = current_deadline(issue, target.ledger.header.inspection.feedback)
    if current is None:
        raise RefusedError(f"问题 {number} 没有可延期的时限(时限:"
                           f"{issue.deadline.label if issue.deadline else '未填写'})",
                           "长期坚持的问题没有时限;没有填写时限的,请先在文件中填写 deadline")
    if to <= current:
        raise RefusedError(f"新时限 {to.isoformat()} 不晚于当前时限 {current.isoformat()}",
                           "延期后的时限必须晚于当前时限")
    record: dict[str, Value] = {"date": today, "to": to, "reason": reason}
    if approved_by:
        record["approved_by"] = approved_by
    if by:
        record["by"] = by
    doc = target.document()
    doc.append(("extensions",), record)
    count = len(issue.extensions) + 1
    doc.append(("history",), _history(today, ACTION_EXTEND, by,
                                      f"{current.isoformat()} → {to.isoformat()}"))
    return target.finish(doc, f"问题 {number} 已延期至{cn_date(to)}(第{count}次延期,"
                              f"原时限{cn_date(current)})\n  理由:{reason}")


def log(root: Path, number: int, text: str, *, today: date, by: str = "",
        when: date | None = None) -> Edit:
    """A dated progress note under `progress:`."""
    text = _required(text, "text", "进展内容")
    target = _Target.find(root, number, today)
    day = when or today
    note: dict[str, Value] = {"date": day, "text": text}
    if by:
        note["by"] = by
    doc = target.document()
    doc.append(("progress",), note)
    doc.append(("history",), _history(today, ACTION_LOG, by, _excerpt(text)))
    return target.finish(doc, f"问题 {number} 已记录进展({cn_date(day)}):{text}")


def done(root: Path, number: int, measures: Iterable[int] | None, *, today: date,
         by: str = "", when: date | None = None) -> Edit:
    """Mark measures (1-based) done on a date; `None` marks every measure not yet done.

    One history entry names them all.
    """
    target = _Target.find(root, number, today)
    issue = target.issue
    count = len(issue.measures)
    if measures is None:
        chosen = [index for index, item in enumerate(issue.measures, start=1) if not item.done]
        if not chosen:
            raise RefusedError(f"问题 {number} 没有未完成的整改措施" if count
                               else f"问题 {number} 还没有整改措施")
    else:
        chosen = _measure_numbers(number, measures, count)
        already = [index for index in chosen if issue.measures[index - 1].done]
        if already:
            found = issue.measures[already[0] - 1]
            when_done = f"已于{cn_date(found.done_date)}" if found.done_date else "已经"
            raise RefusedError(f"问题 {number} 的第{_listed(already)}项措施{when_done}标记完成",
                               "撤销完成标记用 ledger undone" if len(already) == 1 else "")
    day = when or today
    doc = target.document()
    for index in chosen:
        found = issue.measures[index - 1]
        node = doc.node(("measures", index - 1))
        if isinstance(node, yaml.ScalarNode):
            # Keep the measure's text exactly as written when it sits on one line.
            source = doc.text[node.start_mark.index:node.end_mark.index]
            text: Value = Raw(source) if node.style not in ("|", ">") and "\n" not in source \
                and "\r" not in source else found.text
            doc.set(("measures", index - 1), {"text": text, "done": day})
        else:
            doc.set(("measures", index - 1, "done"), day)
    doc.append(("history",), _history(today, ACTION_DONE, by, f"第{_listed(chosen)}项措施完成"
                                      f"({day.isoformat()})"))
    return target.finish(doc, f"问题 {number} 第{_listed(chosen)}项措施已标记完成({cn_date(day)})")


def undone(root: Path, number: int, measures: Iterable[int], *, today: date,
           by: str = "") -> Edit:
    """Take back a mistaken done mark: the measure reads as it did before `done`."""
    target = _Target.find(root, number, today)
    issue = target.issue
    if issue.is_closed:
        raise RefusedError(f"问题 {number} 已销号,不能撤销措施的完成标记",
                           "如需重新整改,请先重新打开这个问题(ledger reopen),并说明原因")
    chosen = _measure_numbers(number, measures, len(issue.measures))
    not_done = [index for index in chosen if not issue.measures[index - 1].done]
    if not_done:
        raise RefusedError(f"问题 {number} 的第{_listed(not_done)}项措施没有标记完成,无需撤销")
    doc = target.document()
    for index in chosen:
        node = doc.node(("measures", index - 1))
        keys = {key.value for key, _ in node.value} if isinstance(node, yaml.MappingNode) else set()
        if keys == {"text", "done"}:
            # Back to the one-line form `done` made of it, the text as written.
            text_node = doc.node(("measures", index - 1, "text"))
            assert text_node is not None
            source = doc.text[text_node.start_mark.index:text_node.end_mark.index]
            plain = isinstance(text_node, yaml.ScalarNode) and "\n" not in source \
                and "\r" not in source and text_node.style not in ("|", ">")
            doc.set(("measures", index - 1),
                    Raw(source) if plain else issue.measures[index - 1].text)
        else:
            doc.delete(("measures", index - 1, "done"))
    doc.append(("history",), _history(today, ACTION_UNDONE, by,
                                      f"第{_listed(chosen)}项措施改为未完成"))
    return target.finish(doc, f"问题 {number} 第{_listed(chosen)}项措施已改为未完成")


def _measure_numbers(number: int, measures: Iterable[int], count: int) -> list[int]:
    chosen = sorted(set(measures))
    if not chosen:
        raise RefusedError("没有给出措施序号", "请给出措施序号(从 1 起),或全部措施",
                           field="measures")
    wrong = [index for index in chosen if not 1 <= index <= count]
    if wrong:
        raise RefusedError(f"问题 {number} 没有第{_listed(wrong)}项整改措施(共{count}项)",
                           f"措施序号从 1 到 {count}" if count else "这个问题还没有整改措施")
    return chosen


def _listed(numbers: Iterable[int]) -> str:
    return "、".join(map(str, numbers))


def _excerpt(text: str, limit: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + "…"


def set_status(root: Path, number: int, value: str, *, today: date, by: str = "") -> Edit | None:
    """Set a stored status other than 已完成; None when it already has that status."""
    if value == STATUS_DONE:
        raise RefusedError(f"不能直接把状态改为{STATUS_DONE}",
                           f"销号须有佐证材料:请用 ledger close {number} 凭佐证材料销号")
    if value not in SETTABLE_STATUSES:
        raise UsageError(f"未知的状态 \"{value}\"", status_hint(value))
    target = _Target.find(root, number, today)
    issue = target.issue
    if issue.is_closed:
        raise RefusedError(f"问题 {number} 已销号,不能改为{value}",
                           "如需重新整改,请先重新打开这个问题(ledger reopen),并说明原因")
    if issue.status == value:
        return None
    doc = target.document()
    doc.set(("status",), value)
    doc.append(("history",), _history(today, ACTION_STATUS, by, f"{issue.status} → {value}"))
    return target.finish(doc, f"问题 {number} 状态:{issue.status} → {value}")


# The fields `ledger set` and `ledger new` maintain, with the words people use for them.
SET_FIELDS: dict[str, str] = {
    "title": "问题描述", "leader": "责任领导", "unit": "责任单位", "co_units": "协办单位",
    "owner": "责任人", "deadline": "整改时限", "public": "是否公开",
}
_FIELD_ALIASES = {name: key for key, name in SET_FIELDS.items()}
_TRUE = ("true", "yes", "是", "公开")
_FALSE = ("false", "no", "否", "不公开")


def parse_assignment(text: str) -> tuple[str, str]:
    """`unit=办公室` (or `责任单位=办公室`) → ("unit", "办公室"); refused when malformed."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"\"{text}\" 不是 字段=值 的写法",
                         f"例如 unit=办公室;可改的字段:{_field_list()}", field="fields")
    key = _FIELD_ALIASES.get(key, key)
    if key not in SET_FIELDS:
        close = difflib.get_close_matches(key, [*SET_FIELDS, *_FIELD_ALIASES], n=1, cutoff=0.5)
        guess = f"您是不是想写 {close[0]}?" if close else ""
        raise UsageError(f"没有可修改的字段 \"{key}\"", f"{guess}可改的字段:{_field_list()}",
                         field="fields")
    return key, value.strip()


def _field_list() -> str:
    return "、".join(f"{key}({name})" for key, name in SET_FIELDS.items())


def field_value(key: str, text: str) -> Value:
    """The YAML value of a field as typed: a date or tier, a yes/no, a comma list, text."""
    from ledger.core.model import TIERS

    if key == "title":
        return _required(text, "title", "问题描述")
    if key == "co_units":
        return [part.strip() for part in re.split(r"[,,、]", text) if part.strip()]
    if key == "public":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise UsageError(f"是否公开只能写 是 或 否,不是 \"{text}\"", field="public")
    if key == "deadline":
        if not text or text in TIERS:
            return text or None
        from ledger.core.dates import parse_date

        day, reason = parse_date(text)
        if day is None:
            raise UsageError(f"整改时限 {reason}",
                             f"也可写时限类别:{'、'.join(TIERS)}", field="deadline")
        return day
    return text or None


def set_fields(root: Path, numbers: Iterable[int], fields: Iterable[tuple[str, str]], *,
               today: date, by: str = "") -> EditSet | None:
    """Set maintained fields (SET_FIELDS) on one or many problems: one file edit each, each
    with one history entry saying what changed from what. Every file is edited and checked
    before anything is written (`apply` writes all or none); None when nothing changes."""
    wanted = {key: field_value(key, text) for key, text in fields}
    if not wanted:
        raise UsageError("没有给出要修改的字段", f"写成 字段=值,可改的字段:{_field_list()}",
                         field="fields")
    chosen = sorted(set(numbers))
    scope = _Scope(root)
    edits: list[Edit] = []
    for number in chosen:
        target = _Target.find(root, number, today, scope)
        edit = _set_one(target, wanted, today, by)
        if edit is not None:
            edits.append(edit)
    if not edits:
        return None
    unchanged = len(chosen) - len(edits)
    tail = f"\n  另有 {unchanged} 个问题原已如此,未作修改" if unchanged else ""
    return EditSet(root, tuple(edits), "\n".join(edit.summary for edit in edits) + tail)


def _set_one(target: _Target, wanted: dict[str, Value], today: date, by: str) -> Edit | None:
    issue = target.issue
    doc = target.document()
    changes: list[str] = []
    for key, value in wanted.items():
        before = _shown_value(_current_field(issue, key))
        after = _shown_value(value)
        if before == after:
            continue
        doc.set((key,), value)
        changes.append(f"{SET_FIELDS[key]}:{before or '未填'} → {after or '未填'}")
    if not changes:
        return None
    doc.append(("history",), _history(today, ACTION_SET, by, ";".join(changes)))
    return target.finish(doc, f"问题 {issue.number} " + ";".join(changes))


def _current_field(issue: Issue, key: str) -> object:
    if key == "deadline":
        deadline = issue.deadline
        return None if deadline is None else deadline.date or deadline.tier
    if key == "co_units":
        return list(issue.co_units)
    return getattr(issue, key)


def _shown_value(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return "" if value is None else str(value)


def amount(root: Path, number: int, *, today: date, by: str = "",
           involved: str | None = None, rectified: str | None = None,
           ways: Iterable[str] = ()) -> Edit | None:
    """Record a problem's amounts as they come in: the cumulative rectified amount, ways, involved.

    Each value is the total so far (not an increment), in the header's money
    unit; a history entry says what changed from what. None when nothing changes.
    """
    from ledger.core.money import format_amount

    given_ways = [_way_option(item) for item in ways]
    if involved is None and rectified is None and not given_ways:
        raise UsageError("没有给出要记录的金额", "请给出已整改金额、整改方式及金额或问题金额",
                         field="amounts")
    target = _Target.find(root, number, today)
    header = target.ledger.header
    unit, decimals = header.money_unit, header.money_decimals
    if not unit:
        raise RefusedError("data/ledger.yaml 没有写金额单位 money_unit,不能记录金额",
                           "请先在 data/ledger.yaml 中写明 money_unit: 万元(或 元)")
    new_involved = _amount_option(involved, "问题金额", decimals, "involved")
    new_rectified = _amount_option(rectified, "已整改金额", decimals, "rectified")
    way_values = [(label, _amount_option(text, f"整改方式 {label} 的金额", decimals, "way"))
                  for label, text in given_ways]
    old = target.issue.amounts
    if old is None and new_involved is None:
        raise RefusedError(f"问题 {number} 还没有问题金额,请同时给出问题金额", field="involved")
    involved_now = new_involved if new_involved is not None else (
        old.involved if old is not None else Decimal(0))
    rectified_before = old.rectified if old is not None else None
    rectified_now = new_rectified if new_rectified is not None else rectified_before

    def shown(value: Decimal | None) -> str:
        return "未填" if value is None else f"{format_amount(value, decimals)}{unit}"

    if rectified_now is not None and rectified_now > involved_now:
        raise RefusedError(f"已整改金额 {shown(rectified_now)} 大于问题金额 "
                           f"{shown(involved_now)},未写入",
                           "请核对金额;金额均为累计数,不是本次新增数")

    changes: list[str] = []
    doc = target.document()
    if old is None:
        fresh: dict[str, Value] = {"involved": format_amount(involved_now, decimals)}
        if rectified_now is not None:
            fresh["rectified"] = format_amount(rectified_now, decimals)
        if way_values:
            fresh["ways"] = {label: format_amount(value, decimals) for label, value in way_values
                             if value is not None}
        doc.set(("amounts",), fresh)
    else:
        old_ways = {way.label: way.amount for way in old.ways}
        if new_involved is not None and new_involved != old.involved:
            doc.set(("amounts", "involved"), format_amount(new_involved, decimals))
        if new_rectified is not None and new_rectified != old.rectified:
            doc.set(("amounts", "rectified"), format_amount(new_rectified, decimals))
        for label, value in way_values:
            assert value is not None
            if value == old_ways.get(label):
                continue
            if doc.has(("amounts", "ways")) and isinstance(doc.node(("amounts", "ways")),
                                                            yaml.MappingNode):
                doc.set(("amounts", "ways", label), format_amount(value, decimals))
            else:
                doc.set(("amounts", "ways"), {label: format_amount(value, decimals)})
    before_ways = {way.label: way.amount for way in old.ways} if old is not None else {}
    for what, before, after in (
            ("问题金额", old.involved if old is not None else None, new_involved),
            ("已整改金额", rectified_before, new_rectified),
            *((label, before_ways.get(label), value) for label, value in way_values)):
        if after is not None and after != before:
            changes.append(f"{what} {shown(before)} → {shown(after)}")
    if not changes:
        return None
    doc.append(("history",), _history(today, ACTION_AMOUNT, by, ";".join(changes)))
    return target.finish(doc, f"问题 {number} 已记录金额:" + ";".join(changes))


def _way_option(text: str) -> tuple[str, str]:
    """--way 上缴财政=30 → (上缴财政, 30)."""
    label, sep, value = text.partition("=")
    if not sep or not label.strip() or not value.strip():
        raise UsageError(f"整改方式的写法不对:\"{text}\"", "写成 方式=金额,例如 上缴财政=30",
                         field="way")
    return label.strip(), value.strip()


def _amount_option(text: str | None, option: str, decimals: int,
                   field: str = "") -> Decimal | None:
    from ledger.core.money import decimals_of, parse_amount

    if text is None:
        return None
    value, reason, hint = parse_amount(text)
    if value is None:
        raise UsageError(f"{option}:{reason}", hint, field=field)
    if decimals_of(value) > decimals:
        raise UsageError(f"{option}:金额 {text} 的小数多于台账规定的 {decimals} 位",
                         "按 data/ledger.yaml 的 money_decimals 书写", field=field)
    return value


def new(root: Path, aspect: int, title: str, *, today: date, by: str = "",
        subject: int | None = None, fields: Iterable[tuple[str, str]] = ()) -> Edit:
    """A new problem file with the next free number, from templates/issue.yaml."""
    title = _required(title, "title", "问题描述")
    try:  # a symlink loop: RuntimeError on Python 3.10/3.11, OSError since
        inside = inside_root(root, root / ISSUES_DIR)
    except (OSError, RuntimeError):
        raise RefusedError(f"{ISSUES_DIR} 是循环的链接,无法在其中新增问题",
                           f"请把 {ISSUES_DIR} 换成真实的目录") from None
    if not inside:
        raise RefusedError(f"{ISSUES_DIR} 是指向台账目录之外的链接,拒绝在那里新增文件",
                           f"问题文件必须在台账目录之内:请把 {ISSUES_DIR} 换成真实的目录")
    scope = _Scope(root)
    header = scope.header
    aspects = {item.number for item in header.aspects}
    if aspect not in aspects:
        raise RefusedError(f"方面 {aspect} 不存在",
                           f"data/ledger.yaml 中的方面:{'、'.join(map(str, sorted(aspects)))}"
                           if aspects else "data/ledger.yaml 中还没有方面")
    if subject is not None:
        subjects = {item.number: item for item in header.subjects}
        if subject not in subjects:
            raise RefusedError(f"事项 {subject} 不存在",
                               f"data/ledger.yaml 中的事项:{'、'.join(map(str, sorted(subjects)))}"
                               if subjects else "data/ledger.yaml 中没有事项")
        if subjects[subject].aspect != aspect:
            raise RefusedError(f"事项 {subject} 属于方面 {subjects[subject].aspect},"
                               f"不属于方面 {aspect}")
    number = next_number(root, scope.full.ledger if scope.full is not None else None)
    relpath = f"{ISSUES_DIR}/{issue_filename(number)}"
    values: dict[str, Value] = {"number": number, "aspect": aspect, "subject": subject,
                                "title": title, "today": today, "user": by or None}
    text = fill_template(read_template(root), values)
    data = text.encode("utf-8")
    wanted = {key: field_value(key, value) for key, value in fields if key != "title"}
    if wanted:
        doc = Document.from_bytes(data)
        for key, value in wanted.items():
            doc.set((key,), value)
        data = doc.to_bytes()
    errors = _new_file_errors(scope, relpath, data, today)
    if errors:
        shown = ";".join(f"{p.location} [{p.code}] {p.message}" for p in errors[:3])
        more = f"等 {len(errors)} 个错误" if len(errors) > 3 else ""
        raise RefusedError(f"模板 {TEMPLATE_PATH} 生成的文件 {relpath} 将出现错误,未写入:"
                           f"{shown}{more}",
                           f"请修正 {TEMPLATE_PATH}(新增的问题须通过 ledger validate)")
    return Edit(root / relpath, relpath, None, data,
                f"已新增问题 {number}({relpath})\n  方面 {aspect}:{title}",
                parse_issue(relpath, data))


def _new_file_errors(scope: _Scope, relpath: str, data: bytes, today: date) -> list[Problem]:
    """The errors a new problem file would add to the ledger: its own (parse and schema) and
    those the checks across files find once it is in (duplicate number, unknown aspect …)."""
    from ledger.validate.rules import CHECKS

    issue, problems = parse_issue(relpath, data)
    errors = [problem for problem in problems if problem.severity == "error"]
    if issue is None:
        return errors
    # Read alone (see _Scope), the ledger is the header and the file named after the new
    # problem's number, if any (a template may write a number of its own): the checks
    # then see what the new file adds against the header and that number's owner.
    ledger = scope.loaded().ledger
    if scope.full is None:
        ledger = replace(ledger, issues=scope.named(issue.number)[:1])
    before = Counter(_error_key(problem) for check in CHECKS for problem in check(ledger, today)
                     if problem.severity == "error")
    grown = replace(ledger, issues=tuple(sorted((*ledger.issues, issue),
                                                key=lambda item: (item.number, item.path))))
    for check in CHECKS:
        for problem in check(grown, today):
            key = _error_key(problem)
            if problem.severity != "error":
                continue
            if before[key]:
                before[key] -= 1
            else:
                errors.append(problem)
    return errors


def _error_key(problem: Problem) -> tuple[str, str, str]:
    # Without line and column: the same error elsewhere in the ledger is not a new one.
    return problem.location.path, problem.code, problem.message


def add(root: Path, aspect: int, title: str, *, today: date, by: str = "",
        subject: int | None = None, attempts: int = 5,
        timeout: float = DEFAULT_TIMEOUT, fields: Iterable[tuple[str, str]] = ()) -> Edit:
    """`new` and write it, under the lock; when a program that does not take the lock
    creates the file first, take the next number."""
    with ledger_lock(root, timeout):
        for _ in range(attempts):
            edit = new(root, aspect, title, today=today, by=by, subject=subject, fields=fields)
            if atomic.create_exclusive(edit.path, edit.new):
                _remember(edit)
                return edit
    raise RefusedError(f"连续 {attempts} 次取号都被其他人抢先,未新增问题",
                       "请稍后重新运行 ledger new")


def next_number(root: Path, ledger: LedgerData | None = None) -> int:
    """One more than the highest number in use: the file names in data/issues (a listing,
    nothing parsed), and the numbers of `ledger`'s problems when given."""
    used = [issue.number for issue in ledger.issues] if ledger is not None else []
    folder = root / ISSUES_DIR
    if folder.is_dir():
        used += [int(match.group(1)) for entry in folder.iterdir()
                 if (match := re.fullmatch(r"(\d+)\.ya?ml", entry.name))]
    return max(used, default=0) + 1


# ---------------------------------------------------------------- evidence


def resolve_evidence(root: Path, item: str, cwd: Path) -> Value:
    """An evidence item: a file inside the ledger root becomes {path, sha256}; else text.

    Refused: files of the ledger's own machinery (data/, the cache, .git, the lock),
    and text that looks like a path (see `_looks_like_path`) naming no file.
    """
    text = item.strip()
    if not text:
        raise RefusedError("佐证材料不能为空", "请给出文件路径或材料说明")
    real_root = root.resolve()
    given = Path(text)
    candidates = [given] if given.is_absolute() else [cwd / given, root / given]
    for candidate in candidates:
        if not os.path.lexists(candidate):
            continue
        real = candidate.resolve()
        if not inside_root(real_root, real):
            raise RefusedError(f"佐证材料 {text} 位于台账目录之外", f"请把材料放进台账目录"
                               f"({root})后再引用,或改写为材料说明")
        relative = real.relative_to(real_root)
        internal = _internal_file(relative)
        if internal:
            raise RefusedError(f"佐证材料 {text} {internal},不能作为佐证材料",
                               "请给出保存在台账目录中的材料文件(如 evidence/ 下的扫描件),"
                               "或材料说明")
        if not real.exists():
            raise RefusedError(f"佐证材料 {text} 是一个失效的链接")
        if real.is_dir():
            raise RefusedError(f"佐证材料 {text} 是目录,不是文件", "请逐个列出目录中的文件")
        if not real.is_file():  # a pipe or device: hashing it would wait forever
            raise RefusedError(f"佐证材料 {text} 不是普通文件(是管道或设备)",
                               "请给出保存在台账目录中的材料文件")
        return {"path": relative.as_posix(), "sha256": file_sha256(real)}
    if given.is_absolute() or Path(os.path.normpath(text)).parts[:1] == (os.pardir,):
        raise RefusedError(f"佐证材料 {text} 不在台账目录内(且文件不存在)",
                           "文件须放在台账目录之内,以相对路径引用")
    rule = _looks_like_path(text)
    if rule:
        near = _nearest_file(root, text, candidates)
        suggestion = f"您是不是想写 {near}?" if near else ""
        raise RefusedError(f"佐证材料 {text} 文件不存在(看起来是文件路径:{rule})",
                           f"{suggestion}请检查文件名和所在目录(路径相对于当前目录或台账目录)。"
                           "如果这是纸质材料的说明而不是文件,请不要写 /,也不要以 .pdf 等"
                           "扩展名结尾(日期可写成 2021-03-05)")
    return text


# What ends a file name, not a sentence: the documents, images and archives an office keeps.
EVIDENCE_EXTENSIONS = frozenset({
    "pdf", "ofd", "doc", "docx", "wps", "rtf", "odt", "txt", "md", "xls", "xlsx", "et", "csv",
    "ods", "ppt", "pptx", "dps", "odp", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff",
    "webp", "heic", "mp3", "wav", "m4a", "mp4", "mov", "avi", "zip", "rar", "7z", "tar", "gz",
    "html", "htm", "xml", "json", "yaml", "yml",
})
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
# Where nearest-name suggestions look, and how many files at most (a huge archive stays fast).
EVIDENCE_DIR = "evidence"
_SUGGEST_LIMIT = 5000


def _internal_file(relative: Path) -> str:
    """Why a file inside the root is the ledger's machinery, not evidence; "" when it is not."""
    parts = relative.parts
    if not parts:
        return "是台账目录本身"
    if parts[0] == "data":
        return "是台账自身的数据文件(data/ 目录)"
    if parts[0].startswith(".ledger-cache"):
        return "是解析缓存(.ledger-cache)中的文件"
    if ".git" in parts:
        return "位于 .git 目录中(git 的内部文件)"
    if parts == (LOCK_NAME,):
        return "是台账的锁文件"
    return ""


def _looks_like_path(text: str) -> str:
    """The rule by which text names a file rather than describes paper; "" for a description."""
    if _URL.fullmatch(text):
        return ""
    if "/" in text or "\\" in text:
        return "含有 /" if "/" in text else "含有 \\"
    stem, dot, extension = text.rpartition(".")
    if dot and stem and not stem.endswith((" ", "\u3000")) \
            and extension.lower() in EVIDENCE_EXTENSIONS:
        return f"以 .{extension} 结尾"
    return ""


def _nearest_file(root: Path, text: str, candidates: list[Path]) -> str:
    """The existing file whose root-relative path (else name) is closest to `text`: looked
    for beside where the text points and anywhere under evidence/."""
    real_root = root.resolve()
    files: dict[str, str] = {}  # root-relative path -> name
    searches = [(candidate.parent, False) for candidate in candidates]
    searches.append((root / EVIDENCE_DIR, True))
    for folder, deep in searches:
        try:
            real = folder.resolve()
            if not real.is_dir() or not inside_root(real_root, real):
                continue
            walk = os.walk(real) if deep else [(str(real), [], [p.name for p in real.iterdir()])]
            for base, dirs, names in walk:
                dirs[:] = [name for name in dirs if not name.startswith(".")]
                for name in names:
                    path = Path(base) / name
                    relative = path.relative_to(real_root)
                    if not name.startswith(".") and not _internal_file(relative) \
                            and path.is_file():
                        files[relative.as_posix()] = name
                if len(files) >= _SUGGEST_LIMIT:
                    break
        except (OSError, RuntimeError):  # unreadable folder, link loop: suggest from the rest
            continue
    wanted = text.replace("\\", "/")
    close = difflib.get_close_matches(wanted, list(files), n=1, cutoff=0.6)
    if close:
        return close[0]
    by_name: dict[str, str] = {}
    for found, name in sorted(files.items()):
        by_name.setdefault(name.lower(), found)
    close = difflib.get_close_matches(wanted.rsplit("/", 1)[-1].lower(), list(by_name), n=1,
                                      cutoff=0.6)
    return by_name[close[0]] if close else ""


# ---------------------------------------------------------------- templates


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_BUILTIN_TEMPLATE = """\
number: {number}
aspect: {aspect}
subject: {subject}
title: {title}
measures: []
leader:
unit:
co_units: []
owner:
deadline:
status: 正在推进
history:
  - date: {today}
    action: 新增
    by: {user}
"""


def read_template(root: Path) -> str:
    """The ledger's own templates/issue.yaml, else the one shipped with the code, else the
    built-in text (found as `ledger render` finds its templates: read.templates)."""
    from ledger.read.templates import find_template

    found = find_template(root, "issue.yaml")
    return _read_template(found) if found is not None else _BUILTIN_TEMPLATE


def _read_template(path: Traversable) -> str:
    try:
        text: str = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RefusedError(f"无法读取模板 {TEMPLATE_PATH}",
                           "模板须为 UTF-8 文本文件,且可读") from exc
    return text


def fill_template(template: str, values: dict[str, Value]) -> str:
    """Replace {name} with the value as a YAML scalar; a line whose value is empty ends at `:`.

    No str.format (braces in YAML flow style would trip it) and no Jinja: an
    unknown placeholder is an error, not an empty string.
    """
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise RefusedError(f"模板 {TEMPLATE_PATH} 中有未知的占位符 {{{name}}}",
                               f"可用的占位符:{'、'.join('{' + key + '}' for key in values)}")
        return yamledit.render_scalar(values[name])

    lines = [_PLACEHOLDER.sub(substitute, line) for line in template.splitlines(keepends=True)]
    return "".join(line.rstrip(" \r\n") + line[len(line.rstrip("\r\n")):] for line in lines)


# ---------------------------------------------------------------- plumbing


@dataclass(frozen=True)
class _Target:
    """The problem being edited: its record, file bytes, and the ledger around it."""

    root: Path
    loaded: Loaded
    issue: Issue
    data: bytes
    today: date

    @property
    def ledger(self) -> LedgerData:
        return self.loaded.ledger

    @classmethod
    def find(cls, root: Path, number: int, today: date, scope: _Scope | None = None) -> _Target:
        loaded, issue, data = (scope or _Scope(root)).find(number)
        return cls(root, loaded, issue, data, today)

    def document(self) -> Document:
        doc = _FileDocument.from_bytes(self.data)
        assert isinstance(doc, _FileDocument)
        doc.relpath = self.issue.path
        return doc

    def finish(self, doc: Document, summary: str) -> Edit:
        """Re-parse and re-check the edited file; refuse if it gained any error."""
        new = doc.to_bytes()
        relpath = self.issue.path
        issue, problems = parse_issue(relpath, new)
        if issue is None:
            raise RefusedError(f"修改后 {relpath} 将无法读取,未写入:{_first(problems)}",
                               "请先运行 ledger validate 修正这个文件")
        loaded_problems = [p for p in self.loaded.problems if p.location.path == relpath]
        before = self._errors(self.issue, loaded_problems)
        after = self._errors(issue, problems)
        gained = after - before
        if gained:
            first = sorted(gained.elements())[0]
            raise RefusedError(f"修改后 {relpath} 将出现错误,未写入:{first[1]}",
                               "请先运行 ledger validate 检查这个问题")
        return Edit(self.root / relpath, relpath, self.data, new, summary, (issue, problems))

    def _errors(self, issue: Issue, parse_problems: list[Problem]) -> Counter[tuple[str, str]]:
        """This file's errors (code, message); positions left out because edits shift lines.

        Read alone (see _Scope), the ledger holds the header and this problem only: every
        check then finds for this file what it finds in the whole ledger, except a number
        another file has too (check_issue_numbers), which no edit changes (none sets
        `number`), so it would count the same before and after.
        """
        from ledger.validate.rules import CHECKS

        ledger = self.ledger
        issues = tuple(issue if item.path == issue.path else item for item in ledger.issues)
        edited = replace(ledger, issues=issues)
        found = list(parse_problems)
        # CHECKS are the pure checks: evidence is hashed when it is recorded, and
        # re-hashing every evidence file per edit would make edits as slow as scans.
        for check in CHECKS:
            found.extend(check(edited, self.today))
        return Counter((p.code, p.message) for p in found
                       if p.severity == "error" and p.location.path == issue.path)


# Tests set this to read the whole ledger for every edit, as edits did before they read only
# what they touch: the reference the narrow reads must agree with (tests/test_edit_cost.py).
FULL_RELOAD = False


class _Scope:
    """What an edit reads of the ledger: the header (data/ledger.yaml), and each problem's
    own file, found by the naming rule (data/issues/011.yaml for 11).

    Only when that file does not hold that number (missing, unreadable, renamed, another
    number in it) is the whole ledger read, once, so that the refusal or the file found
    is what a full read gives. Facts across files that an edit cannot change (another
    file claiming the same number, the notice's stated counts) are `validate`'s, not
    re-checked per edit.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.full: Loaded | None = None
        self.header: Header
        if FULL_RELOAD:
            self.full = load(root)
            self.header = self.full.ledger.header
        else:
            check_complete(root)
            self.header, _ = read_header(root)

    def loaded(self) -> Loaded:
        """The ledger as far as read: all of it, or the header alone."""
        if self.full is not None:
            return self.full
        return Loaded(LedgerData(str(self.root), self.header, ()), ())

    def named(self, number: int) -> tuple[Issue, list[Problem], bytes] | tuple[()]:
        """The file the naming rule gives `number`, when it holds that number: its record,
        problems and bytes; () otherwise."""
        relpath = f"{ISSUES_DIR}/{issue_filename(number)}"
        data, failure = read_bytes(self.root, relpath)
        if failure is not None or data is None:
            return ()
        _check_bulk(self.root, relpath, data)  # sized before it is parsed
        issue, problems = parse_issue(relpath, data)
        if issue is None or issue.number != number:
            return ()
        return issue, problems, data

    def find(self, number: int) -> tuple[Loaded, Issue, bytes]:
        """The ledger as the edit sees it, problem `number`, and its file's bytes."""
        relpath = f"{ISSUES_DIR}/{issue_filename(number)}"
        if self.full is None:
            found = self.named(number)
            if found:
                issue, problems, data = found
                ledger = LedgerData(str(self.root), self.header, (issue,))
                return Loaded(ledger, tuple(problems)), issue, data
            self.full = load(self.root)
        else:
            # The file the number names by convention is sized before anything is parsed.
            _check_bulk(self.root, relpath)
        issue = lookup(self.full, number)
        _check_bulk(self.root, issue.path)
        try:
            data = (self.root / issue.path).read_bytes()
        except OSError as exc:
            raise RefusedError(f"无法读取 {issue.path}:{exc.strerror}") from exc
        _check_bulk(self.root, issue.path, data)
        return self.full, issue, data


class _FileDocument(Document):
    """A problem file under edit: a refusal names the file and says nothing was written."""

    relpath = ""

    def set(self, path: yamledit.KeyPath, value: Value) -> None:
        with self._named():
            super().set(path, value)

    def append(self, path: yamledit.KeyPath, item: Value) -> None:
        with self._named():
            super().append(path, item)

    def delete(self, path: yamledit.KeyPath) -> None:
        with self._named():
            super().delete(path)

    @contextlib.contextmanager
    def _named(self) -> Iterator[None]:
        try:
            yield
        except yamledit.EditError as exc:
            raise RefusedError(f"{self.relpath}:{exc.message},未写入", exc.hint) from None


def _check_bulk(root: Path, relpath: str, data: bytes | None = None) -> None:
    """Refuse to edit a problem file with more than EDIT_MAX_ITEMS lines and commas.

    Parsing costs per token, not per byte (a 600 KB title is one cheap scalar), and
    every entry of a block list starts a line, every entry of a flow list follows a
    comma: their count bounds the work. Counted on the bytes before any parse; a file
    too big, linked out of the ledger or unreadable is left for the loader to report.
    """
    if data is None:
        path = root / relpath
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > yamlsrc.MAX_BYTES \
                    or not inside_root(root, path):
                return
            data = path.read_bytes()
        except (OSError, RuntimeError):
            return
    items = data.count(b"\n") + data.count(b",") + 1
    if items > EDIT_MAX_ITEMS:
        raise RefusedError(
            f"问题文件 {relpath} 内容过多(约 {items:,} 项,按行和逗号计),"
            f"超过修改命令处理的上限 {EDIT_MAX_ITEMS:,} 项,未修改",
            "一个问题的文件通常只有几十行;这么多多半是进展或操作记录积累过多,或误存了其他内容。"
            "请把早期的记录整理归并(例如按月汇总)后再用 ledger 修改;"
            "ledger validate 仍可检查这个文件")


def _history(day: date, action: str, by: str, note: str) -> dict[str, Value]:
    entry: dict[str, Value] = {"date": day, "action": action}
    if by:
        entry["by"] = by
    if note:
        entry["note"] = note
    return entry


def _required(text: str, field: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise RefusedError(f"{what}不能为空", f"请给出{what}", field=field)
    return text


def _describe(items: list[Value]) -> str:
    return "、".join(str(item["path"]) if isinstance(item, dict) else str(item) for item in items)


def _first(problems: list[Problem]) -> str:
    return f"{problems[0].location} {problems[0].message}" if problems else "原因不明"
