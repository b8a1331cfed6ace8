"""YAML in, model records and problems out.

Reads data/ledger.yaml and data/issues/*.yaml. Each file is turned into a
record by walking its node tree against the schema below: a value is read
from its source text in the type its key expects, so YAML 1.1 surprises
(`no`, `0755`, a date where text belongs) cannot happen silently. Problems are
collected, never raised; a file that cannot be read at all yields no record.
Cross-file rules (duplicate numbers, unknown aspects …) live in `checks`.
"""

from __future__ import annotations

import difflib
import errno
import importlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ledger.core.dates import parse_date
from ledger.core.errors import UsageError
from ledger.core.model import (
    INSPECTION_KINDS,
    MONEY_DECIMALS,
    MONEY_UNITS,
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUSES,
    TIERS,
    Amounts,
    Aspect,
    Brief,
    Closing,
    Deadline,
    Evidence,
    Extension,
    Header,
    HistoryEntry,
    Inspection,
    Issue,
    LedgerData,
    Location,
    Measure,
    Note,
    Policy,
    Problem,
    Severity,
    Stated,
    Subject,
    Summary,
    Tally,
    Way,
)
from ledger.core.money import MONEY, RESULT_KINDS, parse_amount
from ledger.core.paths import inside_root
from ledger.core.record import record


class _Later:
    """A module imported on first use and then bound in its stand-in's place.

    A warm run takes the header and every problem file from the parse cache and
    parses nothing: PyYAML (about 13 ms to import) and yamlsrc are imported only
    when a file is parsed. After the first use the module's global is the module
    itself, so the parser pays nothing per access.
    """

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._module)
        globals()[self._name] = module
        return getattr(module, attr)


if TYPE_CHECKING:
    import yaml

    from ledger.read import yamlsrc
else:
    yaml = _Later("yaml", "yaml")
    yamlsrc = _Later("ledger.read.yamlsrc", "yamlsrc")

SCHEMA_VERSION = 1
MAX_DIGITS = 9
HEADER_PATH = "data/ledger.yaml"
ISSUES_DIR = "data/issues"
# Written first and removed last by an import that cannot switch data/ in with one
# rename (see importer): while it exists, the ledger is half-written and refused.
IMPORT_MARKER = "data/.import-incomplete"

T = TypeVar("T")

# Words people write for a status, mapped to the stored word they mean.
STATUS_SYNONYMS = {
    "完成": STATUS_DONE, "已销号": STATUS_DONE, "已整改": STATUS_DONE,
    "已整改到位": STATUS_DONE, "整改完成": STATUS_DONE, "立行立改": STATUS_DONE,
    "正在整改": STATUS_IN_PROGRESS, "整改中": STATUS_IN_PROGRESS, "推进中": STATUS_IN_PROGRESS,
    "部分整改": STATUS_IN_PROGRESS, "未完成": STATUS_IN_PROGRESS, "未整改": STATUS_IN_PROGRESS,
    "持续整改": "长期坚持",
}



class IncompleteImportError(UsageError):
    """An interrupted `ledger import` left the ledger half-written (exit 2, like no ledger)."""


def shorten(text: str, limit: int = 80) -> str:
    """A path or value for a message: long ones keep their start and end."""
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-(limit // 3):]}"


def check_complete(root: Path) -> None:
    """Refuse a ledger whose import was interrupted (IMPORT_MARKER present)."""
    marker = root / IMPORT_MARKER
    if not os.path.lexists(marker):
        return
    notice = "通报文件"
    try:  # the marker names the notice; it is never followed or read past 4 KiB
        fd = os.open(marker, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                lines = os.read(fd, 4096).decode("utf-8", "replace").splitlines()
                if len(lines) > 1 and lines[1].strip() and lines[1].isprintable():
                    notice = shorten(lines[1].strip())
        finally:
            os.close(fd)
    except OSError:
        pass
    raise IncompleteImportError(
        "台账不完整:上次导入(ledger import)在写入文件时被中断,data/ 中只写入了一部分文件;"
        "在导入完成之前,所有命令都拒绝使用这个台账",
        f"请重新运行导入:ledger import {notice} --into {shorten(str(root))}"
        f"(不必加 --force;会重新写入全部文件,完成后自动删除 {IMPORT_MARKER})")


@record(frozen=True)
class Loaded:
    """A ledger as read from disk, with every problem met while reading it."""

    ledger: LedgerData
    problems: tuple[Problem, ...]


def summary_of(loaded: Loaded) -> Summary:
    """The loaded ledger as checks and reports read it (its records are read the same way
    as the cache's briefs)."""
    data = loaded.ledger
    return Summary(data.root, data.header, data.issues, loaded.problems)


def issue_filename(number: int) -> str:
    """data/issues/011.yaml for problem 11: three digits, more when needed."""
    return f"{number:03d}.yaml"


class Reader:
    """Walks one file's nodes against the schema, collecting problems."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.where: dict[str, Location] = {}

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def report(self, node: yaml.Node, code: str, message: str, hint: str = "",
               severity: Severity = "error") -> None:
        self.problems.append(Problem(self.loc(node), code, severity, message, hint))

    def fresh(self, node: yaml.Node, name: str, at: yaml.Node | None = None) -> bool:
        """Refuse aliases: composing shares one node wherever an alias points to it."""
        if id(node) in self.seen:
            self.report(at or node, "yaml-alias", f"{name}使用了 YAML 锚点/别名(& 和 *)",
                        "台账文件不使用锚点和别名;请直接写出内容")
            return False
        self.seen.add(id(node))
        return True

    def admit(self, node: yaml.Node, name: str) -> bool:
        """Refuse tags that would build objects."""
        if node.tag not in yamlsrc.SAFE_TAGS:
            self.report(node, "yaml-tag", f"{name}带有不允许的 YAML 标签 {node.tag}",
                        "台账文件不使用 !! 标签;请删除标签,直接写值")
            return False
        return True

    def mapping(self, node: yaml.Node, name: str, keys: tuple[str, ...],
                required: tuple[str, ...], prefix: str = "") -> dict[str, yaml.Node] | None:
        if not self.admit(node, name):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.report(node, "wrong-type", f"{name}应当是\"键: 值\"形式的映射",
                        "请参照 docs/formats.md 中的文件示例书写")
            return None
        out: dict[str, yaml.Node] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.report(key_node, "wrong-type", f"{name}中的键必须是简单文本")
                continue
            key = key_node.value
            if key in first:
                self.report(key_node, "duplicate-key", f"键 {key} 重复出现",
                            f"第{first[key].start_mark.line + 1}行已有 {key};请删除其中一个"
                            "(常见于合并分支之后)")
                continue
            first[key] = key_node
            if not self.fresh(value_node, f"{name}的 {key}", key_node):
                continue
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
                hint = f"您是不是想写 {close[0]}?" if close else ""
                allowed = "、".join(keys)
                self.report(key_node, "unknown-key", f"{name}中有未知的键 {key}",
                            f"{hint}允许的键:{allowed}")
                continue
            out[key] = value_node
            self.where[prefix + key] = self.loc(value_node)
        for key in required:
            if key not in out or _is_blank(out[key]):
                self.report(first.get(key, node), "missing-field",
                            f"{name}缺少必填字段 {key}", f"请添加 \"{key}: …\"")
        return out

    @staticmethod
    def mapping_keys(node: yaml.Node) -> tuple[str, ...]:
        """The keys a free-form mapping (labels chosen by the office) allows: its own."""
        if not isinstance(node, yaml.MappingNode):
            return ()
        return tuple(key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode))

    def scalar(self, node: yaml.Node | None, name: str) -> str | None:
        """The source text of a scalar; None for an empty value."""
        if node is None or not self.admit(node, name):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.report(node, "wrong-type", f"{name}应当是一个值,而不是列表或映射")
            return None
        if yamlsrc.is_null(node):
            return None
        return str(node.value)

    def text(self, node: yaml.Node | None, name: str) -> str:
        value = self.scalar(node, name)
        return "" if value is None else value

    def integer(self, node: yaml.Node | None, name: str) -> int | None:
        value = self.scalar(node, name)
        if value is None or node is None:
            return None
        if not yamlsrc.is_plain(node):
            self.report(node, "wrong-type", f"{name}应当是整数,这里写成了带引号的文本",
                        f"去掉引号:{value}")
            return None
        if not value.isascii() or not value.isdigit():
            self.report(node, "wrong-type", f"{name}应当是正整数,不是 \"{value}\"")
            return None
        if len(value) > MAX_DIGITS:  # int() refuses 4,300 digits; no count needs ten
            self.report(node, "wrong-type", f"{name}的数值过大({len(value)} 位数字)",
                        f"序号和天数不超过 {MAX_DIGITS} 位数字;请检查是否误写")
            return None
        if len(value) > 1 and value.startswith("0"):
            self.report(node, "wrong-type", f"{name}不能以 0 开头(\"{value}\")",
                        f"写成 {int(value)};以 0 开头的数在 YAML 中可能被当作八进制")
            return None
        return int(value)

    def day(self, node: yaml.Node | None, name: str) -> date | None:
        value = self.scalar(node, name)
        if value is None or node is None:
            return None
        parsed, reason = _plausible_date(value)
        if parsed is None:
            self.report(node, "bad-date", f"{name}:{reason}", "日期写成 YYYY-MM-DD,例如 2021-08-26")
        return parsed

    def boolean(self, node: yaml.Node | None, name: str) -> bool | None:
        value = self.scalar(node, name)
        if value is None or node is None:
            return None
        if yamlsrc.is_plain(node) and value in ("true", "false"):
            return value == "true"
        self.report(node, "wrong-type", f"{name}只能是 true 或 false,不是 \"{value}\"",
                    "YAML 中 yes/no/on/off 含义含糊;请写 true 或 false")
        return None

    def sequence(self, node: yaml.Node | None, name: str) -> list[yaml.Node]:
        if node is None or not self.admit(node, name):
            return []
        if yamlsrc.is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.report(node, "wrong-type", f"{name}应当是列表(每项以 \"- \" 开头)")
            return []
        return [item for index, item in enumerate(node.value, start=1)
                if self.fresh(item, f"{name}第{index}项")]

    def items(self, node: yaml.Node | None, name: str,
              read: Callable[[yaml.Node, str, str], T | None], prefix: str) -> Iterator[T]:
        for index, item in enumerate(self.sequence(node, name), start=1):
            self.where[f"{prefix}.{index}"] = self.loc(item)
            value = read(item, f"{name}第{index}项", f"{prefix}.{index}.")
            if value is not None:
                yield value

    def deadline(self, node: yaml.Node | None, name: str) -> Deadline | None:
        value = self.scalar(node, name)
        if value is None or node is None:
            return None
        if value in TIERS:
            return Deadline(tier=value)
        parsed, reason = _plausible_date(value)
        if parsed is None:
            tiers = "、".join(TIERS)
            self.report(node, "bad-deadline", f"{name}:{reason}",
                        f"时限写日期(YYYY-MM-DD)或以下之一:{tiers}")
            return None
        return Deadline(date=parsed)


    def amount(self, node: yaml.Node | None, name: str) -> Decimal | None:
        """An exact amount from the scalar's source text: "123.45" or 123.45, never a float."""
        value = self.scalar(node, name)
        if value is None or node is None:
            return None
        parsed, reason, hint = parse_amount(value)
        if parsed is None:
            self.report(node, "bad-amount", f"{name}:{reason}", hint)
        return parsed


def top_mapping(relpath: str, data: bytes, name: str, keys: tuple[str, ...],
                required: tuple[str, ...], empty_hint: str
                ) -> tuple[Reader, yaml.Node, dict[str, yaml.Node]] | list[Problem]:
    """Compose a file and read its top-level mapping by schema; or the problems why not."""
    node, problems = yamlsrc.compose(relpath, data)
    if problems:
        return problems
    if node is None:
        return [Problem(Location(relpath, 1, 1), "empty-file", "error", "文件是空的", empty_hint)]
    reader = Reader(relpath)
    fields = reader.mapping(node, name, keys, required)
    if fields is None:
        return reader.problems
    return reader, node, fields


# ---------------------------------------------------------------- problem files

ISSUE_KEYS = ("number", "aspect", "subject", "title", "measures", "leader", "unit",
              "co_units", "owner", "deadline", "status", "public", "progress", "closed",
              "extensions", "history", "amounts", "results", "preface", "remarks")
ISSUE_REQUIRED = ("number", "aspect", "title", "status")


# Words the tool works out from dates (ledger.standing): never stored, never suggested.
COMPUTED_STATUS_WORDS = ("超期", "已延期", "延期", "逾期完成", "逾期")


def status_hint(status: str) -> str:
    """What to write instead of an unknown status; never a value that would do harm (a
    near word like 长期坚持 for 超期 would make the problem never overdue)."""
    allowed = f"状态只能是:{'、'.join(STATUSES)}"
    if status in COMPUTED_STATUS_WORDS:
        return f"{status}由工具推算,不必填写:请保留原状态(如 {STATUS_IN_PROGRESS});{allowed}"
    if STATUS_SYNONYMS.get(status) == STATUS_DONE:
        return (f"整改完成但未销号的,写 基本完成;已有佐证材料的,用 ledger close 销号"
                f"(状态随之改为{STATUS_DONE});{allowed}")
    suggestion = STATUS_SYNONYMS.get(status) or next(
        iter(difflib.get_close_matches(status, SAFE_SUGGESTIONS, n=1, cutoff=0.3)), "")
    hint = f"您是不是想写 {suggestion}?" if suggestion else ""
    return f"{hint}{allowed}(超期、延期由工具推算,不必填写)"


# Only these are offered as near words: 已完成 needs a closing, 长期坚持 stops the clock.
SAFE_SUGGESTIONS = (STATUS_IN_PROGRESS, "基本完成")


def parse_issue(relpath: str, data: bytes) -> tuple[Issue | None, list[Problem]]:
    """One problem file to an Issue, plus every problem found in it."""
    opened = top_mapping(relpath, data, "问题文件", ISSUE_KEYS, ISSUE_REQUIRED,
                         "问题文件至少要有 number、aspect、title、status;可用 ledger new 生成")
    if isinstance(opened, list):
        return None, opened
    reader, node, fields = opened
    number = reader.integer(fields.get("number"), "number(序号)")
    aspect = reader.integer(fields.get("aspect"), "aspect(方面)")
    title = reader.text(fields.get("title"), "title(问题)")
    status = reader.text(fields.get("status"), "status(状态)") or STATUS_IN_PROGRESS
    if "status" in fields and status not in STATUSES:
        reader.report(fields["status"], "unknown-status", f"未知的状态 \"{status}\"",
                      status_hint(status))
    public = reader.boolean(fields.get("public"), "public(是否公开)")
    issue = Issue(
        number=number if number is not None else 0,
        aspect=aspect if aspect is not None else 0,
        subject=reader.integer(fields.get("subject"), "subject(事项)"),
        title=title,
        path=relpath,
        measures=tuple(reader.items(fields.get("measures"), "measures(整改措施)",
                                    lambda n, name, p: _measure(reader, n, name, p),
                                    "measures")),
        leader=reader.text(fields.get("leader"), "leader(责任领导)"),
        unit=reader.text(fields.get("unit"), "unit(责任单位)"),
        co_units=tuple(reader.items(fields.get("co_units"), "co_units(协办单位)",
                                    lambda n, name, p: reader.scalar(n, name), "co_units")),
        owner=reader.text(fields.get("owner"), "owner(责任人)"),
        deadline=reader.deadline(fields.get("deadline"), "deadline(整改时限)"),
        status=status,
        progress=tuple(reader.items(fields.get("progress"), "progress(进展)",
                                    lambda n, name, p: _note(reader, n, name, p), "progress")),
        closed=_closing(reader, fields["closed"]) if "closed" in fields else None,
        extensions=tuple(reader.items(fields.get("extensions"), "extensions(延期)",
                                      lambda n, name, p: _extension(reader, n, name, p),
                                      "extensions")),
        history=tuple(reader.items(fields.get("history"), "history(记录)",
                                   lambda n, name, p: _history(reader, n, name, p), "history")),
        public=True if public is None else public,
        amounts=_amounts(reader, fields["amounts"]) if "amounts" in fields else None,
        results=_tallies(reader, fields.get("results"), "results(成果)", "results"),
        preface=reader.text(fields.get("preface"), "preface(措施前的引言)"),
        remarks=_remarks(reader, fields.get("remarks")),
        loc=reader.loc(node),
        where=reader.where,
    )
    if number is None or aspect is None:
        return None, reader.problems
    return issue, reader.problems


def _remarks(reader: Reader, node: yaml.Node | None) -> dict[str, str]:
    """remarks: {列名: 文字}, the office table's own columns, kept as text."""
    if node is None or yamlsrc.is_null(node):
        return {}
    if not isinstance(node, yaml.MappingNode):
        reader.report(node, "wrong-type", "remarks(备注)应当是 列名: 文字 的映射",
                      "例如 remarks: {整改目标: 建立长效机制}")
        return {}
    out: dict[str, str] = {}
    for key, value in node.value:
        name = reader.scalar(key, "remarks 的列名")
        text = reader.scalar(value, f"remarks.{name}") if name is not None else None
        if name is not None and text is not None:
            out[name] = text
    return out


def _measure(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Measure | None:
    if isinstance(node, yaml.ScalarNode):
        text = reader.scalar(node, name)
        return None if text is None else Measure(text=text, loc=reader.loc(node))
    fields = reader.mapping(node, name, ("text", "deadline", "unit", "done"), ("text",), prefix)
    if fields is None:
        return None
    done_node = fields.get("done")
    done, done_date = False, None
    raw = reader.scalar(done_node, f"{name}的 done") if done_node is not None else None
    if raw in ("true", "false") and done_node is not None and yamlsrc.is_plain(done_node):
        done = raw == "true"
    elif raw is not None:
        done_date = reader.day(done_node, f"{name}的 done(完成日期)")
        done = done_date is not None
    return Measure(
        text=reader.text(fields.get("text"), f"{name}的 text"),
        deadline=reader.deadline(fields.get("deadline"), f"{name}的 deadline"),
        unit=reader.text(fields.get("unit"), f"{name}的 unit"),
        done=done,
        done_date=done_date,
        loc=reader.loc(node),
    )


def _note(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Note | None:
    fields = reader.mapping(node, name, ("date", "text", "by"), ("date", "text"), prefix)
    if fields is None:
        return None
    when = reader.day(fields.get("date"), f"{name}的日期")
    text = reader.text(fields.get("text"), f"{name}的内容")
    if when is None:
        return None
    return Note(when, text, reader.text(fields.get("by"), f"{name}的 by"), reader.loc(node))


def _evidence(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Evidence | None:
    if isinstance(node, yaml.ScalarNode):
        text = reader.scalar(node, name)
        return None if text is None else Evidence(text=text, loc=reader.loc(node))
    fields = reader.mapping(node, name, ("path", "sha256", "text"), ("path",), prefix)
    if fields is None:
        return None
    return Evidence(
        text=reader.text(fields.get("text"), f"{name}的 text"),
        path=reader.text(fields.get("path"), f"{name}的 path"),
        sha256=reader.text(fields.get("sha256"), f"{name}的 sha256"),
        loc=reader.loc(node),
    )


def _closing(reader: Reader, node: yaml.Node) -> Closing | None:
    if yamlsrc.is_null(node):
        return None  # `closed:` left empty
    fields = reader.mapping(node, "closed(销号记录)", ("date", "by", "evidence", "note"),
                            ("date", "evidence"), "closed.")
    if fields is None:
        return None
    when = reader.day(fields.get("date"), "closed.date(销号日期)")
    evidence = tuple(reader.items(fields.get("evidence"), "closed.evidence(佐证材料)",
                                  lambda n, name, p: _evidence(reader, n, name, p),
                                  "closed.evidence"))
    if when is None:
        return None
    return Closing(when, reader.text(fields.get("by"), "closed.by"), evidence,
                   reader.text(fields.get("note"), "closed.note"), reader.loc(node))


def _extension(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Extension | None:
    fields = reader.mapping(node, name, ("date", "to", "reason", "approved_by", "by"),
                            ("date", "to", "reason"), prefix)
    if fields is None:
        return None
    when = reader.day(fields.get("date"), f"{name}的日期")
    to = reader.day(fields.get("to"), f"{name}的新时限")
    if when is None or to is None:
        return None
    return Extension(when, to, reader.text(fields.get("reason"), f"{name}的理由"),
                     reader.text(fields.get("approved_by"), f"{name}的批准人"),
                     reader.text(fields.get("by"), f"{name}的 by"), reader.loc(node))


def _history(reader: Reader, node: yaml.Node, name: str, prefix: str) -> HistoryEntry | None:
    fields = reader.mapping(node, name, ("date", "action", "by", "note"), ("date", "action"),
                            prefix)
    if fields is None:
        return None
    when = reader.day(fields.get("date"), f"{name}的日期")
    if when is None:
        return None
    return HistoryEntry(when, reader.text(fields.get("action"), f"{name}的 action"),
                        reader.text(fields.get("by"), f"{name}的 by"),
                        reader.text(fields.get("note"), f"{name}的 note"), reader.loc(node))


def _amounts(reader: Reader, node: yaml.Node) -> Amounts | None:
    if yamlsrc.is_null(node):
        return None  # `amounts:` left empty
    fields = reader.mapping(node, "amounts(金额)", ("involved", "rectified", "ways"),
                            ("involved",), "amounts.")
    if fields is None:
        return None
    involved = reader.amount(fields.get("involved"), "amounts.involved(问题金额)")
    rectified = reader.amount(fields.get("rectified"), "amounts.rectified(已整改金额)")
    ways = _ways(reader, fields.get("ways"), "amounts.ways(整改方式)", "amounts.ways.")
    if involved is None:
        return None
    return Amounts(involved, rectified, ways, reader.loc(node))


def _ways(reader: Reader, node: yaml.Node | None, name: str, prefix: str) -> tuple[Way, ...]:
    """`ways: {上缴财政: "50.00", 归还原渠道: "30.00"}`: any label, each an amount."""
    if node is None or yamlsrc.is_null(node):
        return ()
    labels = reader.mapping_keys(node)
    fields = reader.mapping(node, name, labels, (), prefix)
    if fields is None:
        return ()
    ways = []
    for label, value in fields.items():
        amount = reader.amount(value, f"{name}的 {label}")
        if amount is not None:
            ways.append(Way(label, amount, reader.loc(value)))
    return tuple(ways)


TALLY_KEYS = ("label", "count", "amount", "unit")


def _tallies(reader: Reader, node: yaml.Node | None, name: str,
             prefix: str) -> tuple[Tally, ...]:
    return tuple(reader.items(node, name, lambda n, label, p: _tally(reader, n, label, p),
                              prefix))


def _tally(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Tally | None:
    """{label: 问责, count: 3}, {label: 追缴资金, amount: "12.50"}, {label: …, unit: 次, count: 2}.

    A known label fixes the unit and whether it is a count or an amount.
    """
    fields = reader.mapping(node, name, TALLY_KEYS, ("label",), prefix)
    if fields is None:
        return None
    label = reader.text(fields.get("label"), f"{name}的 label(成果名称)")
    count = reader.integer(fields.get("count"), f"{name}的 count(数量)")
    amount = reader.amount(fields.get("amount"), f"{name}的 amount(金额)")
    unit = reader.text(fields.get("unit"), f"{name}的 unit(单位)")
    if not label:
        return None
    known = RESULT_KINDS.get(label)
    kinds = "、".join(f"{kind}({unit or '金额'})" for kind, (unit, _) in RESULT_KINDS.items())
    if ("count" in fields) == ("amount" in fields):
        reader.report(node, "bad-value", f"{name}要写 count(数量)或 amount(金额)二者之一",
                      "人数、项数写 count: 3;金额写 amount: \"12.50\"")
        return None
    if count is None and amount is None:
        return None  # the value's own problem is reported
    if known is not None:
        wanted = "amount" if known[0] == MONEY else "count"
        if wanted not in fields:
            what = "金额,请写 amount" if wanted == "amount" else f"数量(单位:{known[0]}),请写 count"
            reader.report(fields["count" if wanted == "amount" else "amount"], "bad-value",
                          f"{label}是{what}", f"常用成果:{kinds}")
            return None
        if unit and unit != known[0]:
            reader.report(fields["unit"], "bad-value",
                          f"{label}的单位是{known[0] or '台账的金额单位'},不是 \"{unit}\"",
                          "常用成果的单位是固定的,删除 unit 即可")
            return None
        unit = known[0]
    elif amount is not None and unit:
        reader.report(fields["unit"], "bad-value", f"{name}是金额,不能另写单位 \"{unit}\"",
                      "金额的单位由 data/ledger.yaml 的 money_unit 统一规定;删除 unit")
        return None
    elif count is not None and not unit:
        reader.report(node, "missing-field", f"{name}({label})缺少计量单位 unit",
                      f"例如 unit: 次;常用成果不必写单位:{kinds}")
        return None
    return Tally(label, count, amount, unit, reader.loc(node))


# ---------------------------------------------------------------- the header

HEADER_KEYS = ("schema", "issuer", "title", "inspection", "aspects", "subjects", "policy",
               "money_unit", "money_decimals", "results", "stated")
HEADER_REQUIRED = ("schema", "issuer", "title", "inspection", "aspects")
POLICY_LEVELS = ("green", "yellow", "red")


def parse_header(relpath: str, data: bytes) -> tuple[Header | None, list[Problem]]:
    """data/ledger.yaml to a Header, plus every problem found in it."""
    opened = top_mapping(relpath, data, "台账头文件", HEADER_KEYS, HEADER_REQUIRED,
                         "ledger.yaml 要写明 schema、issuer、title、inspection、aspects")
    if isinstance(opened, list):
        return None, opened
    reader, node, fields = opened
    schema = reader.integer(fields.get("schema"), "schema(格式版本)")
    if schema is not None and schema != SCHEMA_VERSION:
        reader.report(fields["schema"], "schema-version",
                      f"不支持的格式版本 {schema}(本工具支持 {SCHEMA_VERSION})",
                      "请升级 ledger,或把 schema 改回本工具支持的版本")
    header = Header(
        schema=schema or SCHEMA_VERSION,
        issuer=reader.text(fields.get("issuer"), "issuer(发文机关)"),
        title=reader.text(fields.get("title"), "title(标题)"),
        inspection=_inspection(reader, fields.get("inspection")),
        aspects=tuple(reader.items(fields.get("aspects"), "aspects(方面)",
                                   lambda n, name, p: _aspect(reader, n, name, p), "aspects")),
        subjects=tuple(reader.items(fields.get("subjects"), "subjects(事项)",
                                    lambda n, name, p: _subject(reader, n, name, p),
                                    "subjects")),
        policy=_policy(reader, fields.get("policy")),
        money_unit=_money_unit(reader, fields.get("money_unit")),
        money_decimals=_money_decimals(reader, fields.get("money_decimals")),
        results=_tallies(reader, fields.get("results"), "results(成果)", "results"),
        stated=_stated(reader, fields["stated"]) if "stated" in fields else None,
        path=relpath,
        loc=reader.loc(node),
        where=reader.where,
    )
    return header, reader.problems


def _inspection(reader: Reader, node: yaml.Node | None) -> Inspection:
    if node is None:
        return Inspection()
    fields = reader.mapping(node, "inspection(巡视信息)",
                            ("kind", "by", "start", "end", "feedback"), ("kind", "feedback"),
                            "inspection.")
    if fields is None:
        return Inspection()
    kind = reader.text(fields.get("kind"), "inspection.kind(类别)")
    if kind and kind not in INSPECTION_KINDS:
        reader.report(fields["kind"], "bad-value", f"未知的检查类别 \"{kind}\"",
                      f"类别只能是:{'、'.join(INSPECTION_KINDS)}")
    return Inspection(
        kind=kind,
        by=reader.text(fields.get("by"), "inspection.by(巡视组)"),
        start=reader.day(fields.get("start"), "inspection.start(开始日期)"),
        end=reader.day(fields.get("end"), "inspection.end(结束日期)"),
        feedback=reader.day(fields.get("feedback"), "inspection.feedback(反馈日期)"),
        loc=reader.loc(node),
    )


def _aspect(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Aspect | None:
    fields = reader.mapping(node, name, ("number", "title"), ("number", "title"), prefix)
    if fields is None:
        return None
    number = reader.integer(fields.get("number"), f"{name}的 number")
    if number is None:
        return None
    return Aspect(number, reader.text(fields.get("title"), f"{name}的 title"), reader.loc(node))


def _subject(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Subject | None:
    fields = reader.mapping(node, name, ("number", "aspect", "title"),
                            ("number", "aspect", "title"), prefix)
    if fields is None:
        return None
    number = reader.integer(fields.get("number"), f"{name}的 number")
    aspect = reader.integer(fields.get("aspect"), f"{name}的 aspect")
    if number is None or aspect is None:
        return None
    return Subject(number, aspect, reader.text(fields.get("title"), f"{name}的 title"),
                   reader.loc(node))


def _policy(reader: Reader, node: yaml.Node | None) -> Policy:
    if node is None:
        return Policy()
    fields = reader.mapping(node, "policy(预警规则)", ("green_days", "yellow_days", "fail_on",
                                                         "no_deadline"),
                            (), "policy.")
    if fields is None:
        return Policy()
    default = Policy()
    green = reader.integer(fields.get("green_days"), "policy.green_days(绿色提醒天数)")
    yellow = reader.integer(fields.get("yellow_days"), "policy.yellow_days(黄色预警天数)")
    levels: list[str] = []
    for item in reader.sequence(fields.get("fail_on"), "policy.fail_on"):
        level = reader.scalar(item, "policy.fail_on 的一项")
        if level is not None and level not in POLICY_LEVELS:
            reader.report(item, "bad-value", f"未知的预警级别 \"{level}\"",
                          "级别只能是 green(绿)、yellow(黄)、red(红)")
        elif level is not None:
            levels.append(level)
    green_days = default.green_days if green is None else green
    yellow_days = default.yellow_days if yellow is None else yellow
    if yellow_days > green_days:
        reader.report(fields.get("yellow_days") or node, "bad-value",
                      f"黄色预警天数({yellow_days})大于绿色提醒天数({green_days})",
                      "黄色预警应当比绿色提醒更接近时限,例如 green_days: 20、yellow_days: 10")
    no_deadline = reader.scalar(fields.get("no_deadline"), "policy.no_deadline") or "warn"
    if no_deadline not in NO_DEADLINE_CHOICES:
        reader.report(fields.get("no_deadline") or node, "bad-value",
                      f"policy.no_deadline 只能是 warn 或 fail,不是 \"{no_deadline}\"",
                      "warn:未设时限的问题只提示;fail:有未设时限的未销号问题时检查不通过")
        no_deadline = "warn"
    return Policy(green_days, yellow_days,
                  tuple(levels) if "fail_on" in fields else default.fail_on, reader.loc(node),
                  no_deadline)


NO_DEADLINE_CHOICES = ("warn", "fail")


def _money_unit(reader: Reader, node: yaml.Node | None) -> str:
    unit = reader.text(node, "money_unit(金额单位)")
    if unit and unit not in MONEY_UNITS and node is not None:
        reader.report(node, "bad-value", f"未知的金额单位 \"{unit}\"",
                      f"金额单位只能是:{'、'.join(MONEY_UNITS)}")
        return ""
    return unit


# An office's amounts carry two decimals (万元 and 元 alike); up to 6 may be declared.
def _money_decimals(reader: Reader, node: yaml.Node | None) -> int:
    decimals = reader.integer(node, "money_decimals(金额小数位数)")
    if decimals is None:
        return MONEY_DECIMALS
    if decimals > 6 and node is not None:
        reader.report(node, "bad-value", f"金额小数位数 {decimals} 过多",
                      "小数位数为 0 到 6;万元、元通常都保留 2 位")
        return MONEY_DECIMALS
    return decimals


STATED_COUNTS = ("aspects", "problems", "measures", "done", "ongoing")
STATED_KEYS = (*STATED_COUNTS, "rate", "involved", "rectified", "ways", "results")


def _stated(reader: Reader, node: yaml.Node) -> Stated | None:
    """What the notice states (通报所述), kept verbatim; `validate` compares it with the ledger."""
    if yamlsrc.is_null(node):
        return None
    fields = reader.mapping(node, "stated(通报所述)", STATED_KEYS, (), "stated.")
    if fields is None:
        return None
    counts = {key: reader.integer(fields.get(key), f"stated.{key}") for key in STATED_COUNTS}
    rate = None
    if "rate" in fields:
        text = reader.scalar(fields["rate"], "stated.rate(完成率)")
        if text is not None:
            rate = parse_amount(text.removesuffix("%"))[0]
            if rate is None:
                reader.report(fields["rate"], "bad-value",
                              f"stated.rate(完成率)\"{text}\" 不是百分数",
                              "照通报原文写百分数的数字,例如 rate: \"80\" 或 \"96.5%\"")
    return Stated(
        aspects=counts["aspects"], problems=counts["problems"], measures=counts["measures"],
        done=counts["done"], ongoing=counts["ongoing"], rate=rate,
        involved=reader.amount(fields.get("involved"), "stated.involved(问题金额)"),
        rectified=reader.amount(fields.get("rectified"), "stated.rectified(已整改金额)"),
        ways=_ways(reader, fields.get("ways"), "stated.ways(整改方式)", "stated.ways."),
        results=_tallies(reader, fields.get("results"), "stated.results(成果)",
                         "stated.results"),
        loc=reader.loc(node),
    )


# Years a rectification record can carry. A typo such as 9999 would otherwise pass, and
# counting a tier (长期 = 12 months) from it runs past the calendar's last year.
YEARS = (1900, 2199)


def _plausible_date(text: str) -> tuple[date | None, str]:
    parsed, reason = parse_date(text)
    if parsed is not None and not YEARS[0] <= parsed.year <= YEARS[1]:
        return None, f"年份{parsed.year}超出合理范围({YEARS[0]}–{YEARS[1]}),可能是笔误"
    return parsed, reason


def _is_blank(node: yaml.Node) -> bool:
    """Null, or a scalar of white space only: a required field left empty."""
    return yamlsrc.is_null(node) or (
        isinstance(node, yaml.ScalarNode) and not str(node.value).strip())


# ---------------------------------------------------------------- the whole ledger

def read_bytes(root: Path, relpath: str) -> tuple[bytes | None, Problem | None]:
    """Read a ledger file, refusing directories, pipes, unreadable files, links out of the
    root, link loops and files over the size cap (found by `stat`, before any read)."""
    path = root / relpath
    where = Location(relpath, 0, 0)
    try:
        if not inside_root(root, path):
            return None, Problem(where, "outside-root", "error",
                                 "文件是指向台账目录之外的链接,已拒绝读取",
                                 "台账文件必须位于台账目录之内;请用真实文件替换这个链接")
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            return None, Problem(where, "not-a-file", "error", "这里应当是文件,却是一个目录",
                                 "请删除或改名这个目录")
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO would wait forever
            return None, Problem(where, "not-a-file", "error",
                                 "这里应当是普通文件,却是管道或设备文件",
                                 "请删除它,换成真正的 YAML 文件")
        if info.st_size > yamlsrc.MAX_BYTES:  # a 2 GB (sparse) file is never read
            return None, yamlsrc.too_large(relpath, info.st_size)
        return path.read_bytes(), None
    except RuntimeError:  # Python 3.10/3.11: resolve() on a link loop
        return None, _link_loop(where)
    except FileNotFoundError:
        return None, Problem(where, "unreadable", "error", "文件不存在(可能是失效的链接)",
                             "请恢复这个文件,或删除失效的链接")
    except PermissionError:
        return None, Problem(where, "unreadable", "error", "没有读取这个文件的权限",
                             "请检查文件权限(chmod)")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, _link_loop(where)
        return None, Problem(where, "unreadable", "error", f"无法读取文件:{exc.strerror}",
                             "请检查文件是否存在、是否可读")


def _link_loop(where: Location) -> Problem:
    return Problem(where, "unreadable", "error", "文件是循环的链接(链接最终指向自己)",
                   "请删除这个链接,换成真实的文件")


def visible_name(name: str) -> str:
    """A file name as text that can be printed: bytes that are not UTF-8 shown as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_utf8_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def issue_paths(root: Path) -> list[str]:
    """Relative paths of the problem files, in name order (names that are not UTF-8 too)."""
    try:
        # Names only (no Path per entry): 100,000 of them in 0.06 s rather than 0.11 s.
        names = sorted(os.listdir(f"{root}/{ISSUES_DIR}"))  # noqa: PTH208
    except OSError:
        return []
    return [f"{ISSUES_DIR}/{name}" for name in names if name.endswith((".yaml", ".yml"))]


def _bad_name(relpath: str) -> Problem:
    return Problem(Location(visible_name(relpath)), "unreadable", "error",
                   "文件名不是有效的 UTF-8 编码,未读取",
                   "请把文件改名,只用数字和字母(如 003.yaml);常见于从 GBK 系统拷来的文件")


FileResult = tuple[Issue | None, list[Problem]]
# The guarded reader (read_bytes) and the parser of one problem file (parse_issue).
Read = Callable[[Path, str], tuple[bytes | None, Problem | None]]
Parse = Callable[[str, bytes], FileResult]
# Every problem file's result, in the order given: `parse_files(root, relpaths, read, parse)`.
ParseFiles = Callable[[Path, list[str], Read, Parse], list[FileResult]]
# data/ledger.yaml's bytes to its header (None when it is not one) and problems.
ParseHeader = Callable[[str, bytes], tuple[Header | None, list[Problem]]]
# The header as `read_header(root)` gives it.
ReadHeader = Callable[[Path], tuple[Header, list[Problem]]]


def parse_each(root: Path, relpaths: list[str], read: Read, parse: Parse) -> list[FileResult]:
    """Each problem file read with `read` and parsed with `parse`, one after another."""
    out: list[FileResult] = []
    for relpath in relpaths:
        data, failure = read(root, relpath)
        if failure is not None:
            out.append((None, [failure]))
            continue
        assert data is not None
        out.append(parse(relpath, data))
    return out


def read_header(root: Path, parse: ParseHeader | None = None) -> tuple[Header, list[Problem]]:
    """data/ledger.yaml as `load` reads it, with its problems (an unreadable one gives an
    empty header marked `readable=False`). Edits read it alone (see lifecycle._Scope).
    `parse` replaces `parse_header` (the parse cache passes one that remembers)."""
    problems: list[Problem] = []
    data, failure = read_bytes(root, HEADER_PATH)
    header: Header | None = None
    if failure is not None:
        problems.append(failure)
    elif data is not None:
        header, found = (parse or parse_header)(HEADER_PATH, data)
        problems.extend(found)
    return header_of(header, problems)


def header_of(header: Header | None, problems: list[Problem]) -> tuple[Header, list[Problem]]:
    """The header as `read_header` gives it from a parse's result: an empty one marked
    `readable=False` stands in when there is none."""
    if header is None:
        header = Header(schema=SCHEMA_VERSION, issuer="", title="", inspection=Inspection(),
                        path=HEADER_PATH, readable=False)
    return header, problems


def load(root: Path, *, parse_files: ParseFiles | None = None,
         header: ReadHeader | None = None) -> Loaded:
    """Read the header and every problem file under `root`; never raises for bad data
    (only IncompleteImportError, for a ledger an interrupted import left half-written).

    `parse_files` replaces the step that reads and parses the problem files (it is
    given this module's reader and parser, and must return what they would), and
    `header` the reading of the header (`read_header`), which runs after it; the
    parse cache (`ledger.cache.load`) wraps the loader this way.
    """
    paths, folder = listing(root)
    results = (parse_files or parse_each)(root, paths, read_bytes, parse_issue)
    head, problems = (header or read_header)(root)
    issues, problems = collect(problems, folder, results)
    return Loaded(LedgerData(str(root), head, tuple(issues)), tuple(problems))


def listing(root: Path) -> tuple[list[str], list[Problem]]:
    """The problem files to read (relpaths, in name order), and what is wrong with the
    folder itself: no data/issues, names that are not UTF-8 (never read: they could not
    be named in a message, a record or the cache). IncompleteImportError first, for a
    ledger an interrupted import left half-written."""
    check_complete(root)
    problems: list[Problem] = []
    if not (root / ISSUES_DIR).is_dir():
        problems.append(Problem(Location(ISSUES_DIR), "no-issues-dir", "error",
                                "找不到问题目录 data/issues", "请创建 data/issues 目录"))
    paths = []
    for relpath in issue_paths(root):
        if is_utf8_name(relpath):
            paths.append(relpath)
        else:
            problems.append(_bad_name(relpath))
    return paths, problems


R = TypeVar("R", Issue, Brief)


def collect(header_problems: list[Problem], folder: list[Problem],
            results: Sequence[tuple[R | None, Sequence[Problem]]]
            ) -> tuple[list[R], list[Problem]]:
    """The records of the problem files, by number (then path), and every problem met:
    the header's, the folder's, each file's. `load` and the cache's `summary` both end here."""
    problems = [*header_problems, *folder]
    records: list[R] = []
    for item, found in results:
        problems.extend(found)
        if item is not None:
            records.append(item)
    records.sort(key=lambda item: (item.number, item.path))
    return records, problems


def load_files(root: str, read: Callable[[str], bytes | None], paths: list[str],
               parse: Callable[[str, bytes], tuple[Issue | None, list[Problem]]] = parse_issue,
               ) -> Loaded:
    """The ledger from a reader function instead of the folder: `read(relpath)` gives a
    file's bytes (None when absent), `paths` are the problem files. `ledger --as-of`
    reads git blobs this way; `parse` lets it reuse the records of unchanged blobs.
    """
    problems: list[Problem] = []
    data = read(HEADER_PATH)
    header: Header | None = None
    if data is None:
        problems.append(Problem(Location(HEADER_PATH), "unreadable", "error",
                                "文件不存在", "请恢复这个文件"))
    else:
        header, found = parse_header(HEADER_PATH, data)
        problems.extend(found)
    if header is None:
        header = Header(schema=SCHEMA_VERSION, issuer="", title="", inspection=Inspection(),
                        path=HEADER_PATH, readable=False)
    issues: list[Issue] = []
    for relpath in paths:
        data = read(relpath)
        if data is None:
            continue
        issue, found = parse(relpath, data)
        problems.extend(found)
        if issue is not None:
            issues.append(issue)
    issues.sort(key=lambda item: (item.number, item.path))
    return Loaded(LedgerData(root, header, tuple(issues)), tuple(problems))
