"""Render the ledger through Jinja templates: the notice (通报) and the ledger table (台账).

The one Jinja environment lives here: sandboxed (a ledger's own templates are
untrusted input), StrictUndefined (a missing field is an error, never an empty
string), autoescape for HTML. Templates get a context computed from the model:
numbering (一、 (一) 1. (1) 一是), counts, dates as 2021年8月26日. Data is only
ever passed as values, never compiled as a template, so `{{ 7*7 }}` in a
title stays those characters. This module does not load or validate the
ledger (see `loader`, `checks`) and does not write files (the CLI does).
jinja2 is imported lazily: the CLI must start fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ledger.core.errors import RenderError, UsageError
from ledger.core.model import Issue, LedgerData, Problem, cn_date
from ledger.core.money import (
    format_amount,
    has_money,
    money_rate,
    money_sentence,
    money_totals,
    result_phrase,
    result_totals,
    results_sentence,
)
from ledger.core.numerals import DEPTH, label, measure_label
from ledger.deadline.standing import LEVEL_NAMES, Standing, standing
from ledger.present.safetext import markdown, markdown_cell
from ledger.present.titles import sense_lines
from ledger.read.notice import (
    DEFAULT_NOTICE,
    Notice,
    Paragraph,
    count_phrase,
    level_styles,
    load_notice,
    progress_sentence,
)
from ledger.read.templates import own_folder, own_template, shipped_templates

if TYPE_CHECKING:

    import jinja2

TEMPLATE_SUFFIX = ".j2"
FORMATS: dict[str, tuple[str, ...]] = {"notice": ("txt", "md", "html", "docx"),
                                       "table": ("md", "csv", "xlsx")}
# Formats that are files, not text: written by a library, never through a text template.
BINARY = ("docx", "xlsx")
# File extensions that name a format (-o 通报.htm means html).
EXTENSIONS = {"txt": "txt", "md": "md", "html": "html", "htm": "html", "csv": "csv",
              "docx": "docx", "xlsx": "xlsx"}
BOM = "\ufeff"



# ---------------------------------------------------------------- limits
#
# A ledger's own templates/ is code anyone with commit access wrote: it runs in the
# sandbox, and with limits checked from inside it (no threads, no signals: both break
# in-process use). Each `range` item, call, attribute or item lookup and piece of
# output looks at the clock; the output is counted while it streams. The shipped
# templates are trusted and run unlimited (a 100,000-problem table takes seconds).

TEMPLATE_SECONDS = 5.0
TEMPLATE_MAX_MB = 64
# No single operation in any template may build more than this (characters or items),
# nor an integer of more bits (about 4,000 digits: Python cannot print longer ones).
MAX_VALUE_ITEMS = 16 * 1024 * 1024
MAX_INT_BITS = 13_000
_now = time.monotonic  # tests replace the clock


@dataclass(frozen=True)
class Limits:
    """What a ledger's own template may use: wall time (seconds) and output (MiB)."""

    seconds: float = TEMPLATE_SECONDS
    max_mb: int = TEMPLATE_MAX_MB


class TemplateLimitError(Exception):
    """A template went past a limit; raised inside the sandbox, reported as a RenderError."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class _Guard:
    """The clock and counters of one render; enforcing once a ledger's own template is used."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.active = False
        self.deadline = _now() + limits.seconds

    def start(self) -> None:
        self.deadline = _now() + self.limits.seconds

    def tick(self) -> None:
        if self.active and _now() > self.deadline:
            raise TemplateLimitError(
                f"模板运行超过 {self.limits.seconds:g} 秒,已停止(可能是死循环)",
                "请检查模板中的循环;确需更长时间,可设置环境变量 LEDGER_TEMPLATE_SECONDS(秒)")

    def output(self, size: int) -> None:
        if self.active and size > self.limits.max_mb * 1024 * 1024:
            raise TemplateLimitError(
                f"模板输出超过 {self.limits.max_mb} MiB,已停止",
                "请检查模板是否重复输出;确需更大的输出,可设置环境变量 LEDGER_TEMPLATE_MAX_MB")


def _operand(value: object) -> str:
    if isinstance(value, int) and value.bit_length() < 64:
        return str(value)
    if isinstance(value, int):
        return f"{value.bit_length()} 位二进制的整数"
    if isinstance(value, str | list | tuple):
        return f"长度为 {len(value)} 的{'文字' if isinstance(value, str) else '列表'}"
    return type(value).__name__


def _check_binop(operator: str, left: object, right: object) -> None:
    """Refuse `*`, `**` and `+` whose result would be huge, before computing it."""
    too_big = False
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and ints:
        assert isinstance(left, int) and isinstance(right, int)
        too_big = right > 0 and abs(left) > 1 and right * abs(left).bit_length() > MAX_INT_BITS
    elif operator == "*" and ints:
        assert isinstance(left, int) and isinstance(right, int)
        too_big = left.bit_length() + right.bit_length() > MAX_INT_BITS
    elif operator == "*":
        seq, count = (left, right) if isinstance(right, int) else (right, left)
        too_big = (isinstance(count, int) and isinstance(seq, str | list | tuple)
                   and len(seq) * count > MAX_VALUE_ITEMS)
    elif operator == "+" and isinstance(left, str | list | tuple) \
            and isinstance(right, str | list | tuple):
        too_big = len(left) + len(right) > MAX_VALUE_ITEMS
    if too_big:
        raise TemplateLimitError(f"运算结果过大({_operand(left)} {operator} {_operand(right)})",
                                 "模板中的数不能超过约 4000 位,文字和列表不能超过 1600 万项")


class _Range:
    """`range` in templates: the sandbox's (at most MAX_RANGE items), looking at the clock
    for every item, so nested loops stop at the time limit even when they print nothing."""

    __slots__ = ("_guard", "_range")

    def __init__(self, values: range, guard: _Guard) -> None:
        self._range, self._guard = values, guard

    def __iter__(self) -> Iterator[int]:
        tick = self._guard.tick
        for value in self._range:
            tick()
            yield value

    def __reversed__(self) -> Iterator[int]:
        tick = self._guard.tick
        for value in reversed(self._range):
            tick()
            yield value

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index: Any) -> Any:
        return self._range[index]

    def __contains__(self, value: object) -> bool:
        return value in self._range

    def __repr__(self) -> str:
        return repr(self._range)


# ---------------------------------------------------------------- templates


def available(root: Path | None) -> list[tuple[str, str]]:
    """(name, origin) of every template, a ledger's own overriding shipped ones by file name."""
    found: dict[str, str] = {}
    for entry in shipped_templates().iterdir():
        if entry.name.endswith(TEMPLATE_SUFFIX):
            found[entry.name] = "内置"
    own = own_folder(root)
    if own is not None:
        for path in sorted([*own.glob(f"*{TEMPLATE_SUFFIX}"), *own.glob("*.docx")]):
            if own_template(root, path.name) is not None:
                found[path.name] = "本台账 templates/" + (
                    "(覆盖内置)" if found.get(path.name) == "内置" else "")
    return sorted(found.items())


MAX_TEMPLATE_BYTES = 1024 * 1024


def _read_template(path: Path, shown: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:  # refused by stat, never read
            raise RenderError(f"模板 {shown} 过大({size // 1024} KiB,上限 "
                              f"{MAX_TEMPLATE_BYTES // 1024} KiB)", "请检查模板是否误存了其他内容")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RenderError(f"无法读取模板 {shown}", "模板须为 UTF-8 文本文件,且可读") from exc


def environment(root: Path | None, limits: Limits | None = None) -> jinja2.Environment:
    """The one Jinja environment: sandboxed, strict, HTML autoescaped, own templates first.

    A ledger's own template switches the environment's limits on (see `Limits`).
    """
    import jinja2

    guard = _Guard(limits or Limits())
    shipped = shipped_templates()

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        if "/" in name or "\\" in name or name.startswith("."):
            return None  # templates are plain file names; no paths out of the folders
        path = own_template(root, name)
        if path is not None:
            guard.active = True
            mtime = path.stat().st_mtime
            return (_read_template(path, f"templates/{name}"), str(path),
                    lambda: path.is_file() and path.stat().st_mtime == mtime)
        entry = shipped / name
        if entry.is_file():
            return entry.read_text(encoding="utf-8"), f"templates/{name}", lambda: True
        return None

    env: jinja2.Environment = _sandbox()(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2", "htm")),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.guard = guard  # type: ignore[attr-defined]
    from jinja2.sandbox import safe_range

    env.globals["range"] = lambda *args: _Range(safe_range(*args), guard)
    env.globals.pop("lipsum", None)  # builds text of any length asked for
    env.filters["md"] = md_escape
    env.filters["md_cell"] = md_cell
    env.filters["csv_row"] = csv_row
    env.filters["sense_lines"] = sense_lines
    return env


_SANDBOX: list[type[Any]] = []


def _sandbox() -> type[Any]:
    """The sandbox with the limits' hooks (a class made on first use: jinja2 loads lazily)."""
    if _SANDBOX:
        return _SANDBOX[0]
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        """SandboxedEnvironment that looks at the clock on every call and lookup, and
        refuses arithmetic with huge results (these operators are also never folded
        at compile time, so `{{ 10**5000 }}` fails when run, naming its line)."""

        intercepted_binops = frozenset(("*", "**", "+"))
        guard: _Guard

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _check_binop(operator, left, right)
            self.guard.tick()
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any,
                 **kwargs: Any) -> Any:
            __self.guard.tick()
            return super().call(__context, __obj, *args, **kwargs)

        def getattr(self, obj: Any, attribute: str) -> Any:
            self.guard.tick()
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            self.guard.tick()
            return super().getitem(obj, argument)

    _SANDBOX.append(Sandbox)
    return Sandbox


def choose_format(template: str, fmt: str | None, output: Path | None) -> str:
    """The format asked for; else the output file's extension; else the template's first.

    A --format that contradicts the extension of -o is refused, and so is a
    file-named template (weekly.md) asked for another format: 通报.docx holding
    text, or 台账.csv holding a workbook, is never written.
    """
    suffix = output.suffix.lstrip(".").lower() if output is not None else ""
    named = EXTENSIONS.get(suffix)
    if "." in template:  # a file name names its format itself: weekly.md(.j2), 红头.docx
        own = template.removesuffix(TEMPLATE_SUFFIX).rsplit(".", 1)[-1].lower()
        own = EXTENSIONS.get(own, own)
        if fmt is not None and fmt != own:
            raise UsageError(f"模板 {template} 生成 {own},与 --format {fmt} 不一致",
                             "去掉 --format,或换一个模板")
        if named is not None and named != own:
            raise UsageError(f"模板 {template} 生成 {own},不能写入 {output}",
                             f"把输出文件名改为 .{own}")
        return own
    if fmt is not None:
        if named is not None and named != fmt:
            raise UsageError(f"--format {fmt} 与输出文件 {output} 的扩展名 .{suffix} 不一致",
                             f"去掉 --format(按扩展名生成 {named}),或把文件名改为 .{fmt}")
        return fmt
    if named is not None:
        return named  # template_name refuses a format the template does not have
    formats = FORMATS.get(template, ())
    if suffix and not formats:
        return suffix
    return formats[0] if formats else "txt"


def template_name(template: str, fmt: str) -> str:
    """notice + txt → notice.txt.j2; a name with a dot is taken as a file name."""
    if "." in template:
        return template if template.endswith(TEMPLATE_SUFFIX) else template + TEMPLATE_SUFFIX
    formats = FORMATS.get(template)
    if formats is not None and fmt not in formats:
        raise UsageError(f"模板 {template} 没有 {fmt} 格式", f"可用的格式:{'、'.join(formats)}")
    return f"{template}.{fmt}{TEMPLATE_SUFFIX}"


def render_template(root: Path | None, name: str, context: dict[str, Any],
                    limits: Limits | None = None) -> str:
    """Render one template; any template failure becomes a RenderError naming file and line."""
    import jinja2

    env = environment(root, limits)
    guard: _Guard = env.guard  # type: ignore[attr-defined]
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound:
        names = "、".join(found for found, _ in available(root))
        raise UsageError(f"找不到模板 {name}", f"可用的模板:{names}(用 ledger templates 查看)"
                         ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(name, exc.lineno, f"模板语法错误:{exc.message}") from None
    except RenderError:
        raise
    except Exception as exc:
        # Compiling runs code too (constant folding, a parser nested past the stack).
        raise _template_error(name, None, f"模板无法编译:{type(exc).__name__}",
                              "请简化模板中的这个表达式") from None
    guard.start()
    try:
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            guard.output(size)
            guard.tick()
            chunks.append(chunk)
        text = "".join(chunks)
    except TemplateLimitError as exc:
        line = _template_line(exc.__traceback__, template.filename)
        raise _template_error(name, line, f"模板出错:{exc.message}", exc.hint) from None
    except jinja2.UndefinedError as exc:
        line = _template_line(exc.__traceback__, template.filename)
        raise _template_error(name, line, f"模板引用了不存在的字段({exc.message})",
                              "请检查字段名;可用字段见 docs/formats.md 的“模板”一节") from None
    except jinja2.TemplateError as exc:
        line = _template_line(exc.__traceback__, template.filename)
        raise _template_error(name, line, f"模板出错:{exc}") from None
    except Exception as exc:
        # A template is code its author wrote (range(10**9) overflows in the
        # sandbox, a division by zero …): its failure is the template's, exit 1.
        line = _template_line(exc.__traceback__, template.filename)
        raise _template_error(name, line, f"模板运行出错:{type(exc).__name__}: {exc}",
                              "请检查模板中的这一行") from None
    if name.endswith(".csv" + TEMPLATE_SUFFIX):
        text = BOM + text  # Excel reads UTF-8 only with the BOM
    return text


def _template_error(name: str, line: int | None, message: str, hint: str = "") -> RenderError:
    where = f"第{line}行" if line else ""
    return RenderError(f"模板 {name} {where}:{message}", hint)


def _template_line(tb: TracebackType | None, filename: str | None) -> int | None:
    """The innermost line of the template in a (Jinja-rewritten) traceback."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in (filename, "<template>"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# ---------------------------------------------------------------- filters


def md_escape(value: object) -> str:
    """Text as Markdown shows it literally, wherever it stands (see `safetext.markdown`)."""
    return markdown(value)


def md_cell(value: object) -> str:
    """A Markdown table cell: escaped, line breaks as <br> (see `safetext.markdown_cell`)."""
    return markdown_cell(value)


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_row(values: Iterable[object]) -> str:
    """One CSV record (RFC 4180): fields quoted when they hold a comma, quote or line break.

    Text that a spreadsheet would run as a formula gets a leading apostrophe, so
    a problem's text can never compute anything in Excel.
    """
    out = []
    for value in values:
        text = "" if value is None else str(value)
        if isinstance(value, str) and text.startswith(_FORMULA_START):
            text = "'" + text
        if any(char in text for char in ',"\n\r'):
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    return ",".join(out)


# ---------------------------------------------------------------- context


@dataclass(frozen=True)
class _Group:
    aspect: int | None
    issues: list[Issue]


def context(ledger: LedgerData, notice: Notice | None, today: date,
            public: bool = False, only: Collection[int] | None = None,
            scope: str = "") -> dict[str, Any]:
    """Everything a template may use, numbered and counted for what is shown.

    issuer, title, title_lines, signature, date (2021年8月26日), today, public,
    source {breadcrumb, line}, inspection {kind, by, start, end, feedback};
    blocks: the notice's body in order, each {kind, depth, label, text, lead, rest}
    with kind heading | point | aspect | subject | problem | measures | status |
    paragraph (depth 1–4 is the ladder level: 一、 (一) 1. (1));
    intro, closing (blocks), sections [{heading, blocks}];
    aspects [{label, number, title, problems}], problems (the table's rows:
    seq, number, label, aspect_label, aspect_title, subject_label, subject_title,
    title, measures, measures_text, measures_lines, leader, unit, co_units,
    owner, deadline, status, progress, closed, public);
    counts {aspects, problems, done, phrase, progress, money_sentence,
    results_sentence}; columns (the table's heads, with the amount columns when
    problems carry amounts); money (None, or {unit, involved, rectified,
    unrectified, rate, ways [{label, amount}], sentence}: totals over the rows the
    table lists, the rows' `involved` and `rectified` cells filled); results
    [{label, unit, value, text}] (side results added up).
    A row also has level (red, yellow, green, ok, ongoing, closed-late, closed,
    no-deadline: `ledger check`'s level), level_name (红色预警 …), deadline_date
    and closed_date (dates, for a workbook).
    `only`: the numbers of the problems the table lists (the filters of
    `ledger list`); they keep the labels and numbers they have in the whole
    table; `scope` says in words what was chosen (责任单位:办公室), else "".
    Filters: md, md_cell, csv_row, sense_lines (a title line cut at sense units).
    """
    notice = notice or DEFAULT_NOTICE
    header = ledger.header
    shown = [issue for issue in ledger.issues if issue.public or not public]
    show_aspects = notice.aspects and bool(header.aspects)
    styles = level_styles(notice, show_aspects,
                          any(issue.subject is not None for issue in shown))
    tree, rows, problem_blocks = _problems(ledger, shown, notice, styles, show_aspects, today)
    if only is not None:
        rows = [row for row in rows if row["number"] in only]
        for node in tree:
            node["problems"] = [row for row in node["problems"] if row["number"] in only]
    shown_aspects = sum(1 for node in tree if node["label"])
    # The public version leaves withheld problems out of the body, never out of the
    # count: the phrase and the progress are the inspection's official numbers.
    counted = list(ledger.issues)
    counted_aspects = shown_aspects if len(counted) == len(shown) else sum(
        1 for group in _groups(ledger, counted, show_aspects) if group.aspect is not None) \
        if show_aspects else 0
    phrase = count_phrase(counted_aspects, len(counted))
    progress = progress_sentence([issue.status for issue in counted])
    money = _money(ledger, shown, shown)
    money_said = money["sentence"] if money else ""
    if money is not None and only is not None:
        # The table's totals are those of the rows it lists; the sentences stay the notice's.
        money = _money(ledger, shown, [issue for issue in shown if issue.number in only])
    results, results_text = _results(ledger, shown)
    # The computed sentences follow the count phrase: progress (when the notice
    # asks for it), then money and side results (when the ledger has them).
    sentences = "".join((progress if notice.progress_sentence else "", money_said,
                         results_text))
    intro, sections, closing = _narrative(notice, styles, problem_blocks, phrase, sentences)
    blocks = [*intro, *(problem_blocks if notice.problems_at_top else [])]
    for section in sections:
        blocks += [section["heading"], *section["blocks"]]
    blocks += closing
    issuer = header.issuer
    return {
        "issuer": issuer,
        "title": header.title,
        "title_lines": [issuer + header.title] if notice.issuer_in_title
        else [line for line in (issuer, header.title) if line],
        "signature": notice.signature or issuer,
        # A notice without a date of its own prints none: never the day it is rendered.
        "date": (notice.date_text or cn_date(notice.date)) if notice.date is not None else "",
        "source": {"breadcrumb": notice.breadcrumb, "line": notice.source_line,
                   "meta": list(notice.source_meta)},
        "inspection": {
            "kind": header.inspection.kind, "by": header.inspection.by,
            "start": _cn(header.inspection.start), "end": _cn(header.inspection.end),
            "feedback": _cn(header.inspection.feedback)},
        "blocks": blocks,
        "intro": intro,
        "sections": sections,
        "closing": closing,
        "aspects": tree,
        "problems": rows,
        "counts": {"aspects": counted_aspects, "problems": len(counted),
                   "done": sum(1 for issue in counted if issue.is_closed),
                   "shown": len(shown),
                   "phrase": phrase, "progress": progress,
                   "money_sentence": money_said,
                   "results_sentence": results_text},
        "public": public,
        "scope": scope,
        "today": cn_date(today),
        "columns": ["序号", "方面", "问题", "整改措施", "责任领导", "责任单位", "时限", "状态",
                    "进展", "销号日期",
                    *((f"问题金额({money['unit']})", f"已整改金额({money['unit']})")
                      if money else ())],
        "money": money,
        "results": results,
    }


def _money(ledger: LedgerData, shown: list[Issue], listed: list[Issue]) -> dict[str, Any] | None:
    """The money totals of the problems `listed`, as text in the ledger's unit and decimals.

    None when none of the problems `shown` carries amounts: then there are no
    amount columns. A table filtered to problems without amounts keeps the
    columns and totals 0.
    """
    if not has_money(shown):
        return None
    header = ledger.header
    unit, decimals = header.money_unit, header.money_decimals
    involved, rectified, by_way = money_totals(listed)
    return {
        "unit": unit,
        "involved": format_amount(involved, decimals),
        "rectified": format_amount(rectified, decimals),
        "unrectified": format_amount(involved - rectified, decimals),
        "rate": money_rate(involved, rectified),
        "ways": [{"label": label, "amount": format_amount(total, decimals)}
                 for label, total in by_way.items()],
        "sentence": money_sentence(involved, rectified, unit, decimals,
                                   header.inspection.kind == "审计"),
    }


def _results(ledger: LedgerData, shown: list[Issue]) -> tuple[list[dict[str, Any]], str]:
    """Side results added up (header and problems shown), and the sentence naming them."""
    header = ledger.header
    totals = result_totals(header, shown)
    unit, decimals = header.money_unit, header.money_decimals
    items = [{"label": total.label, "unit": total.unit or unit,
              "value": format_amount(total.value, decimals) if isinstance(total.value, Decimal)
              else total.value,
              "text": result_phrase(total, unit, decimals)} for total in totals]
    return items, results_sentence(totals, unit, decimals)


def _problems(ledger: LedgerData, shown: list[Issue], notice: Notice, styles: dict[str, str],
              show_aspects: bool, today: date
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Aspects → subjects → problems numbered on across aspects: tree, table rows, blocks."""
    aspects = {aspect.number: aspect for aspect in ledger.header.aspects}
    subjects = {subject.number: subject for subject in ledger.header.subjects}
    tree: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    subject_count = 0
    for index, group in enumerate(_groups(ledger, shown, show_aspects), start=1):
        aspect = aspects.get(group.aspect) if group.aspect is not None else None
        node: dict[str, Any] = {"label": "", "number": index, "title": "", "problems": []}
        if show_aspects and aspect is not None:
            node.update(label=label(styles["aspect"], index), title=aspect.title)
            blocks.append(_block("aspect", styles["aspect"], node["label"], aspect.title))
        tree.append(node)
        current: int | None = None
        subject_label = subject_title = ""
        for issue in group.issues:
            if issue.subject is not None and issue.subject != current:
                subject_count += 1
                subject = subjects.get(issue.subject)
                subject_label = label(styles["subject"], subject_count)
                subject_title = subject.title if subject is not None else ""
                blocks.append(_block("subject", styles["subject"], subject_label,
                                     subject_title))
            current = issue.subject
            seq = len(rows) + 1
            problem_label = label(styles["problem"], seq)
            blocks.append(_block("problem", styles["problem"], problem_label, issue.title,
                                 number=issue.number))
            blocks.extend(_measure_blocks(issue, notice))
            row = _row(issue, seq, problem_label, node, ledger, today)
            if issue.subject is not None:
                row.update(subject_label=subject_label, subject_title=subject_title)
            rows.append(row)
            node["problems"].append(row)
    return tree, rows, blocks


def _narrative(notice: Notice, styles: dict[str, str], problem_blocks: list[dict[str, Any]],
               phrase: str, sentence: str
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Intro, sections and closing as blocks; the count phrase and progress sentence filled in.

    The progress sentence follows the paragraph with the count phrase; with no
    such paragraph it ends the intro.
    """
    pending = [sentence] if sentence else []

    def paragraphs(items: Sequence[Paragraph]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            text = item.text + phrase + item.after if item.counted else item.text
            out.append(_block("paragraph", "", "", text))
            if item.counted and pending:
                out.append(_block("paragraph", "", "", pending.pop()))
        return out

    intro = paragraphs(notice.intro)
    sections: list[dict[str, Any]] = []
    for number, section in enumerate(notice.sections, start=1):
        heading = _block("heading", styles["section"], label(styles["section"], number),
                         section.heading)
        inner = paragraphs(section.paragraphs)
        inner += [_point(styles["point"], index, text)
                  for index, text in enumerate(section.points, start=1)]
        if section.problems:
            inner += problem_blocks
        sections.append({"heading": heading, "blocks": inner})
    closing = paragraphs(notice.closing)
    if pending:
        intro.append(_block("paragraph", "", "", pending.pop()))
    return intro, sections, closing


def _cn(value: date | None) -> str:
    return cn_date(value) if value is not None else ""


def _groups(ledger: LedgerData, shown: list[Issue], show_aspects: bool) -> list[_Group]:
    """Problems by aspect (in aspect order), subjects kept together in order of first problem."""
    if not show_aspects:
        return [_Group(None, _by_subject(shown))] if shown else []
    known = {aspect.number for aspect in ledger.header.aspects}
    groups = []
    for aspect in sorted(ledger.header.aspects, key=lambda item: item.number):
        mine = [issue for issue in shown if issue.aspect == aspect.number]
        if mine:  # an aspect with nothing shown is left out, and the rest number on
            groups.append(_Group(aspect.number, _by_subject(mine)))
    stray = [issue for issue in shown if issue.aspect not in known]
    if stray:
        groups.append(_Group(None, _by_subject(stray)))
    return groups


def _by_subject(issues: list[Issue]) -> list[Issue]:
    first: dict[int | None, int] = {}
    for issue in sorted(issues, key=lambda item: item.number):
        first.setdefault(issue.subject, issue.number)
    return sorted(issues, key=lambda item: (first[item.subject], item.number))


def _block(kind: str, style: str, label_text: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "depth": DEPTH.get(style, 0), "label": label_text, "text": text,
            "lead": label_text + text, "rest": "", **extra}


def _point(style: str, number: int, text: str) -> dict[str, Any]:
    """A narrative point: its first sentence is the heading (楷体), the rest body text."""
    block = _block("point", style, label(style, number), text)
    cut = text.find("。")
    if 0 <= cut < len(text) - 1:
        block.update(lead=block["label"] + text[:cut + 1], rest=text[cut + 1:])
    return block


def measures_text(issue: Issue) -> str:
    """一是…二是… in one paragraph; a single measure has no 一是."""
    if len(issue.measures) == 1:
        return issue.preface + issue.measures[0].text
    return issue.preface + "".join(measure_label(index) + measure.text
                                   for index, measure in enumerate(issue.measures, start=1))


def _measure_blocks(issue: Issue, notice: Notice) -> list[dict[str, Any]]:
    """The measures paragraph(s) after a problem, with the label and status sentence."""
    if notice.measure_paragraphs and len(issue.measures) > 1:
        texts = [measure_label(index) + measure.text
                 for index, measure in enumerate(issue.measures, start=1)]
        texts[0] = issue.preface + texts[0]
    else:
        texts = [measures_text(issue)] if issue.measures else []
    sentence = notice.status_sentences.get(issue.status, "")
    if sentence and notice.status_before and texts:
        texts[0], sentence = sentence + texts[0], ""
    if texts:
        texts[0] = notice.measures_label + texts[0]
    if sentence and notice.status_inline and texts:
        texts[-1], sentence = texts[-1] + sentence, ""
    blocks = [_block("measures", "", "", text) for text in texts]
    if sentence:
        blocks.append(_block("status", "", "", sentence))
    return blocks


def _row(issue: Issue, seq: int, problem_label: str, aspect: dict[str, Any],
         ledger: LedgerData, today: date) -> dict[str, Any]:
    row = _Row(issue, ledger, today)
    row.update({
        "seq": seq,
        "number": issue.number,
        "label": problem_label,
        "aspect_label": aspect["label"],
        "aspect_title": aspect["title"],
        "subject_label": "",
        "subject_title": "",
        "title": issue.title,
        "leader": issue.leader,
        "unit": issue.unit,
        "co_units": list(issue.co_units),
        "owner": issue.owner,
        "closed": cn_date(issue.closed.date) if issue.closed is not None else "",
        "public": issue.public,
    })
    return row


def _measures_lines(issue: Issue) -> str:
    if len(issue.measures) == 1:
        return issue.measures[0].text
    return "\n".join(f"{index}. {measure.text}"
                     for index, measure in enumerate(issue.measures, start=1))


# The costly cells of a table row, worked out only when a template reads them:
# the notice never does, and at 100,000 problems they were a third of its time.
_LAZY_CELLS: dict[str, Callable[[_Row], Any]] = {
    "measures": lambda row: [measure.text for measure in row.issue.measures],
    "measures_text": lambda row: measures_text(row.issue),
    "measures_lines": lambda row: _measures_lines(row.issue),
    "deadline": lambda row: row.standing().deadline_label,
    "status": lambda row: row.standing().display_status,
    # The warning cells: `ledger check`'s level of the problem under the policy.
    "level": lambda row: row.standing().level.value,
    "level_name": lambda row: LEVEL_NAMES[row.standing().level],
    "deadline_date": lambda row: row.standing().deadline,
    "closed_date": lambda row: row.issue.closed.date if row.issue.closed else None,
    "progress": lambda row: "\n".join(
        f"{cn_date(note.date)} {note.text}" for note in row.issue.progress),
    "involved": lambda row: row.amount("involved"),
    "rectified": lambda row: row.amount("rectified"),
}



class _Row(dict[str, Any]):
    """A table row (a plain mapping to templates) whose costly cells are filled on first read."""

    __slots__ = ("_ledger", "_standing", "_today", "issue")
    issue: Issue

    def __init__(self, issue: Issue, ledger: LedgerData, today: date) -> None:
        super().__init__()
        self.issue, self._ledger, self._today = issue, ledger, today
        self._standing: Standing | None = None

    def standing(self) -> Standing:
        if self._standing is None:
            header = self._ledger.header
            self._standing = standing(self.issue, header.inspection.feedback, header.policy,
                                      self._today)
        return self._standing

    def amount(self, key: str) -> str:
        """A money cell: the amount in the ledger's decimals, empty when not recorded."""
        amounts = self.issue.amounts
        value = getattr(amounts, key) if amounts is not None else None
        return "" if value is None else format_amount(value, self._ledger.header.money_decimals)

    def __missing__(self, key: str) -> Any:
        compute = _LAZY_CELLS.get(key)
        if compute is None:
            raise KeyError(key)  # an unknown field: StrictUndefined reports it
        value = self[key] = compute(self)
        return value


# ---------------------------------------------------------------- the whole job


def prepare(root: Path, today: date) -> tuple[LedgerData, Notice | None, list[Problem]]:
    """Load the ledger and its notice; every problem of both, checks included, sorted."""
    from ledger.cache import load
    from ledger.read.loader import summary_of
    from ledger.validate.rules import checked

    loaded = load(root)
    notice, found = load_notice(root)
    return loaded.ledger, notice, checked(summary_of(loaded), today, True, found)


def render(root: Path | None, ledger: LedgerData, notice: Notice | None, today: date,
           template: str = "notice", fmt: str = "txt", public: bool = False,
           only: Collection[int] | None = None, scope: str = "",
           limits: Limits | None = None) -> str:
    """The chosen template rendered over the ledger (which the caller has validated)."""
    name = template_name(template, fmt)
    return render_template(root, name, context(ledger, notice, today, public, only, scope),
                           limits)


def render_file(root: Path | None, ledger: LedgerData, notice: Notice | None, today: date,
                template: str = "notice", fmt: str = "docx", public: bool = False,
                only: Collection[int] | None = None, scope: str = "") -> bytes:
    """A Word document or an Excel workbook (a BINARY format) over the validated ledger.

    docx: the ledger's own templates/notice.docx (or the .docx named by
    `template`) filled in the sandbox, else the GB/T 9704 notice built here.
    xlsx: the table as the offices' workbook. The libraries are imported here
    and in the modules below only: no other command loads them.
    """
    name = template_name(template, fmt) if "." not in template else template
    data = context(ledger, notice, today, public, only, scope)
    if fmt == "docx":
        own_name = name if "." in template else f"{template}.docx"
        own = own_template(root, own_name)
        if own is not None:
            from ledger.present.docx_template import fill

            return fill(own, f"templates/{own_name}", data, environment(root))
        if "." in template:
            raise UsageError(f"找不到 Word 模板 templates/{own_name}",
                             "Word 模板放在台账的 templates/ 中;不写 -t 时用内置的公文版式")
        from ledger.present.docx_notice import build_notice

        return build_notice(data)
    if fmt == "xlsx" and "." not in template:
        from ledger.present.xlsx_table import build_workbook

        return build_workbook(data, ledger, today)
    raise UsageError(f"模板 {template} 不能生成 {fmt}",
                     "xlsx 只用于台账表:ledger render -t table -o 台账.xlsx")
