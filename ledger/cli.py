"""The command line: Typer only. Each command declares its parameters, calls one
library function, hands the result to presentation and exits with the right code.

Exit codes: 0 clean; 1 problems found or edit refused; 2 usage error or no
ledger found; 3 policy breached (`ledger check`); 4 a file could not be written;
5 the ledger is locked by another command (`ledger.lock`).
Failures become output in one place: `_guard` for the commands' own errors,
`main` for usage errors from the argument parser.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from .errors import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    LedgerError,
    UsageError,
)
from .safetext import visible

F = TypeVar("F", bound=Callable[..., Any])

# The argument parser writes its help in English; users read Chinese.
_HELP_WORDS = (
    ("Usage: ", "用法:"), ("Options:", "选项:"), ("Commands:", "命令:"),
    ("Arguments:", "参数:"), ("Show this message and exit.", "显示本帮助并退出。"),
    ("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."),
    ("[default: ", "[默认:"), ("[required]", "[必填]"), ("<path>", "<路径>"),
    # A Chinese metavar is one column wider: take the column from the padding.
    ("<str>  ", "<文字> "), ("<int>  ", "<整数> "), ("<str>", "<文字>"), ("<int>", "<整数>"),
)


def _chinese_help(text: str) -> str:
    for english, chinese in _HELP_WORDS:
        text = text.replace(english, chinese)
    return text


class _Group(TyperGroup):
    """The command group, with its help in Chinese."""

    def get_help(self, ctx: Any) -> str:
        return _chinese_help(super().get_help(ctx))


class _Command(TyperCommand):
    """A command, with its help in Chinese."""

    def get_help(self, ctx: Any) -> str:
        return _chinese_help(super().get_help(ctx))


class _App(typer.Typer):
    """The Typer app whose commands all print Chinese help."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


app = _App(
    cls=_Group,
    name="ledger",
    help="整改台账:用纯文本文件和 git 管理巡视、巡察、审计、督察反馈问题的整改。",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

@dataclass
class Settings:
    """Options given before the command name, shared by every command."""

    root: Path | None = None
    today: date | None = None
    as_of: date | None = None


_settings = Settings()


def _guard(func: F) -> F:
    """The commands' error boundary: a LedgerError becomes a message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LedgerError as exc:
            where = f"{exc.location}: " if exc.location is not None else ""
            _say(f"{where}错误:{exc.message}", err=True)
            if exc.hint:
                _say(f"  提示:{exc.hint}", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def _say(line: str, err: bool = False) -> None:
    """Print one line of a message: data in it (a title, a path, an argument) shown visibly."""
    typer.echo(visible(line), err=err)


def _say_lines(text: str, err: bool = False) -> None:
    """Print text of several lines (a summary, a diff): control characters shown visibly."""
    typer.echo(visible(text, multiline=True), err=err)


def _today() -> date:
    if _settings.today is not None:
        return _settings.today
    text = os.environ.get("LEDGER_TODAY")
    if text:
        return _parse_day(text, "LEDGER_TODAY")
    return date.today()


def _parse_day(text: str, what: str) -> date:
    from .dates import parse_date

    value, reason = parse_date(text)
    if value is None:
        raise UsageError(f"{what} 的日期无效:{reason}")
    return value


def _root() -> Path:
    from .root import find_root

    explicit = _settings.root
    if explicit is None and os.environ.get("LEDGER_ROOT"):
        explicit = Path(os.environ["LEDGER_ROOT"])
    return find_root(Path.cwd(), explicit)


# Commands that read the ledger and can read it as committed on a past date.
_AS_OF_COMMANDS = ("list", "show", "stats", "board", "render", "check", "validate")


@app.callback()
@_guard
def _options(
    ctx: typer.Context,
    root: Annotated[Path | None, typer.Option(
        "--root",
        help="台账目录(含 data/ledger.yaml);默认从当前目录向上查找,也可用环境变量 LEDGER_ROOT。",
        show_default=False)] = None,
    today: Annotated[str | None, typer.Option(
        "--today", help="把这一天当作今天(YYYY-MM-DD),用于核对和复现;也可用环境变量 LEDGER_TODAY。",
        show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="按这一天(YYYY-MM-DD)及之前最后一次 git 提交中的台账回答(不检出,"
        "不计未提交的修改);list、show、stats、board、render、check、validate 可用。",
        show_default=False)] = None,
) -> None:
    """整改台账:用纯文本文件和 git 管理巡视、巡察、审计、督察反馈问题的整改。"""
    _settings.root = root
    _settings.today = _parse_day(today, "--today") if today else None
    _settings.as_of = _parse_day(as_of, "--as-of") if as_of else None
    if _settings.as_of is not None:
        if ctx.invoked_subcommand not in _AS_OF_COMMANDS:
            raise UsageError(f"--as-of 不能用于 {ctx.invoked_subcommand}:"
                             "过去的台账只能查看,不能修改",
                             f"可用于:{'、'.join(_AS_OF_COMMANDS)}")
        _settings.today = _settings.today or _settings.as_of  # counted on that day


class DiagnosticFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _load_checked(full: bool = True) -> tuple[Any, list[Any]]:
    """Load the ledger and run the checks: (Loaded, problems).

    `full` adds the checks that read more than the ledger's own files (evidence
    hashes, data/notice.yaml); `list` and `show` skip them to stay instant.
    """
    from .checks import CHECKS, FULL_CHECKS
    from .checks import validate as run_checks
    from .loader import load

    if _settings.as_of is not None:
        return _load_as_of(full)
    loaded = load(_root())
    problems = run_checks(loaded, _today(), FULL_CHECKS if full else CHECKS)
    if full:
        from .notice import load_notice

        problems = sorted([*problems, *load_notice(Path(loaded.ledger.root))[1]],
                          key=lambda problem: problem.sort_key)
    return loaded, problems


def _print_problems(problems: list[Any], fmt: DiagnosticFormat, root: Path) -> None:
    from . import diagnostics

    if fmt is DiagnosticFormat.json:
        sys.stdout.write(diagnostics.format_json(problems))
    elif fmt is DiagnosticFormat.github:
        sys.stdout.write(diagnostics.format_github(problems))
    else:
        sys.stdout.write(diagnostics.format_text(problems, _line_source(root)))


def _line_source(root: Path) -> Callable[[str, int], str | None]:
    """The lines diagnostics quote, read with the loader's guards (no pipes, no links out)."""
    from .loader import read_bytes
    from .yamlsrc import split_lines

    cache: dict[str, list[str]] = {}

    def source(path: str, line: int) -> str | None:
        if path not in cache:
            data, _ = read_bytes(root, path)
            cache[path] = split_lines(data.decode("utf-8", "replace")) if data else []
        lines = cache[path]
        return lines[line - 1] if 0 < line <= len(lines) else None

    return source


@app.command()
@_guard
def validate(
    fmt: Annotated[DiagnosticFormat, typer.Option(
        "--format", "-f", help="输出格式:text(给人看)、json(给脚本)、github(GitHub 注释)。")
    ] = DiagnosticFormat.text,
) -> None:
    """检查全部台账文件,一次报告所有错误和警告(有错误时退出码为 1)。"""
    from .checks import has_errors

    loaded, problems = _load_checked()
    _print_problems(problems, fmt, Path(loaded.ledger.root))
    raise typer.Exit(EXIT_PROBLEMS if has_errors(problems) else EXIT_OK)


def _warn_if_invalid(problems: list[Any]) -> None:
    """list and show still answer on a broken ledger, but say where it is broken."""
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        # The header first: when it is broken, everything else follows from it.
        errors.sort(key=lambda problem: problem.location.path != "data/ledger.yaml")
        places = list(dict.fromkeys(str(problem.location) for problem in errors))
        shown = "、".join(places[:3]) + ("等" if len(places) > 3 else "")
        _say(f"注意:台账有 {len(errors)} 个错误({shown}),以下结果可能不完整;"
             "请运行 ledger validate 查看。", err=True)


@app.command("list")
@_guard
def list_(
    open_: Annotated[bool, typer.Option("--open", help="只列未销号的问题。")] = False,
    closed: Annotated[bool, typer.Option("--closed", help="只列已销号的问题。")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列超期未完成的问题。")] = False,
    status: Annotated[str | None, typer.Option(
        "--status",
        help="按状态筛选:正在推进、基本完成、已完成、长期坚持、超期、已延期、逾期完成。",
        show_default=False)] = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", help="按责任单位或协办单位筛选(包含这段文字即可)。", show_default=False)] = None,
    aspect: Annotated[int | None, typer.Option(
        "--aspect", help="按方面序号筛选。", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON,供脚本使用。")] = False,
) -> None:
    """列出问题:序号、方面、问题、责任单位、时限、状态、剩余天数。"""
    from . import query

    if status is not None and status not in query.STATUS_FILTER_WORDS:
        raise UsageError(f"未知的状态 \"{status}\"",
                         f"可选:{'、'.join(query.STATUS_FILTER_WORDS)}")
    if open_ and closed:
        raise UsageError("--open 和 --closed 不能同时使用")
    loaded, problems = _load_checked(full=False)
    _warn_if_invalid(problems)
    today = _today()
    ledger = loaded.ledger
    filters = query.Filters(open_, closed, overdue, status, unit, aspect)
    rows = query.select(ledger, filters, today)
    if as_json:
        import json  # only here: nothing else at start-up imports json

        from .safetext import json_safe

        sys.stdout.write(json_safe(json.dumps([query.row(item) for item in rows],
                                              ensure_ascii=False, indent=2)) + "\n")
        return
    from .present import list_table

    list_table(rows)


@app.command()
@_guard
def show(
    number: Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)],
) -> None:
    """显示一个问题的全部内容:措施、责任人、时限和剩余天数、进展、销号记录、操作记录。"""
    from .present import show_issue
    from .query import lookup
    from .standing import standing

    loaded, problems = _load_checked(full=False)
    _warn_if_invalid(problems)
    header = loaded.ledger.header
    item = standing(lookup(loaded, number), header.inspection.feedback, header.policy, _today())
    sys.stdout.write(show_issue(item, loaded.ledger))


# ---------------------------------------------------------------- lifecycle (issue 4)


def _edit_done(edit: Any, dry_run: bool) -> None:
    """Print the diff (--dry-run) or write the edit and print its summary."""
    from . import lifecycle

    if dry_run:
        sys.stdout.write(visible(edit.diff(), multiline=True))
        typer.echo("(演练:以上为将要做的修改,未写入任何文件)", err=True)
        return
    lifecycle.apply(edit)
    _say_lines(edit.summary)


@contextlib.contextmanager
def _locked(root: Path, dry_run: bool = False, take_over_stale: bool = False
            ) -> Iterator[None]:
    """Hold the ledger's lock around an edit: read, check, write and rename (not for --dry-run).

    Waits LEDGER_LOCK_TIMEOUT seconds (default 5) for another command, then exits 5.
    """
    if dry_run:
        yield
        return
    from .lock import ledger_lock, timeout_from_env

    with ledger_lock(root, timeout_from_env(), take_over_stale=take_over_stale) as held:
        for relpath in held.cleaned:
            typer.echo(f"已删除被中断的修改留下的临时文件 {relpath}", err=True)
        yield


def _editor(by: str | None, root: Path) -> str:
    from . import lifecycle

    return by if by is not None else lifecycle.default_user(root)


def _day_or_none(text: str | None, option: str) -> date | None:
    return _parse_day(text, option) if text else None


_DRY_RUN_HELP = "只显示将要做的修改(统一 diff 格式),不写入文件。"
_DATE_HELP = "日期(YYYY-MM-DD),默认今天。"
_BY_HELP = "操作人,默认取环境变量 LEDGER_USER,其次 git 的 user.name。"


@app.command()
@_guard
def close(
    number: Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)],
    more: Annotated[list[str] | None, typer.Argument(
        help="紧跟在 --evidence 之后的更多佐证材料。", metavar="材料", show_default=False)] = None,
    evidence: Annotated[list[str] | None, typer.Option(
        "--evidence", "-e", help="佐证材料:台账目录内的文件路径(记录 sha256),或材料说明;"
        "可跟多项。", show_default=False)] = None,
    on: Annotated[str | None, typer.Option("--date", help=_DATE_HELP, show_default=False)] = None,
    by: Annotated[str | None, typer.Option("--by", help=_BY_HELP, show_default=False)] = None,
    note: Annotated[str, typer.Option("--note", help="销号说明。")] = "",
    force: Annotated[bool, typer.Option(
        "--force", help="仍有措施未完成时也销号(记入操作记录)。")] = False,
    reason: Annotated[str, typer.Option(
        "--reason", help="已整改金额少于问题金额时必填:未足额整改的理由(如 分阶段整改),"
        "记入操作记录。")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """销号:凭佐证材料把问题标记为已完成,写入销号记录和操作记录。"""
    from . import lifecycle

    if more and not evidence:
        raise UsageError(f"多余的参数:{' '.join(more)}", "佐证材料请写在 --evidence 之后")
    root = _root()
    items = [*(evidence or []), *(more or [])]
    with _locked(root, dry_run):
        edit = lifecycle.close(root, number, items, today=_today(), by=_editor(by, root),
                               when=_day_or_none(on, "--date"), note=note, force=force,
                               reason=reason)
        _edit_done(edit, dry_run)


@app.command()
@_guard
def reopen(
    number: Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="重新打开的原因(必填)。",
                                        show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """重新打开已销号的问题(整改不到位、问题反弹),状态改回正在推进。"""
    from . import lifecycle

    root = _root()
    with _locked(root, dry_run):
        edit = lifecycle.reopen(root, number, reason, today=_today(), by=_editor(None, root))
        _edit_done(edit, dry_run)


@app.command()
@_guard
def extend(
    number: Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)],
    to: Annotated[str, typer.Option("--to", help="新的整改时限(YYYY-MM-DD)。",
                                    show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="延期理由(必填)。", show_default=False)],
    approved_by: Annotated[str, typer.Option("--approved-by", help="批准人。")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """延期:记录新的整改时限、理由和批准人;原时限保留在 deadline 中。"""
    from . import lifecycle

    root = _root()
    with _locked(root, dry_run):
        edit = lifecycle.extend(root, number, _parse_day(to, "--to"), reason, today=_today(),
                                by=_editor(None, root), approved_by=approved_by)
        _edit_done(edit, dry_run)


@app.command("log")
@_guard
def log_(
    number: Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)],
    text: Annotated[str, typer.Argument(help="进展内容。", metavar="内容", show_default=False)],
    on: Annotated[str | None, typer.Option("--date", help=_DATE_HELP, show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """记录一条整改进展(一周一调度)。"""
    from . import lifecycle

    root = _root()
    with _locked(root, dry_run):
        edit = lifecycle.log(root, number, text, today=_today(), by=_editor(None, root),
                             when=_day_or_none(on, "--date"))
        _edit_done(edit, dry_run)


@app.command()
@_guard
def done(
    number: Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)],
    measure: Annotated[int, typer.Argument(help="措施序号(从 1 起)。", metavar="措施",
                                           show_default=False)],
    on: Annotated[str | None, typer.Option("--date", help=_DATE_HELP, show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """把一项整改措施标记为完成,记录完成日期。"""
    from . import lifecycle

    root = _root()
    with _locked(root, dry_run):
        edit = lifecycle.done(root, number, measure, today=_today(),
                              when=_day_or_none(on, "--date"))
        _edit_done(edit, dry_run)


@app.command()
@_guard
def status(
    number: Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)],
    value: Annotated[str, typer.Argument(help="新状态:正在推进、基本完成或长期坚持"
                                         "(已完成只能通过 ledger close 销号)。",
                                         metavar="状态", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """修改问题状态(正在推进、基本完成、长期坚持),记入操作记录。"""
    from . import lifecycle

    root = _root()
    with _locked(root, dry_run):
        edit = lifecycle.set_status(root, number, value, today=_today(), by=_editor(None, root))
        if edit is None:
            _say(f"问题 {number} 的状态已是{value},未作修改。")
            return
        _edit_done(edit, dry_run)


@app.command()
@_guard
def amount(
    number: Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)],
    rectified: Annotated[str | None, typer.Option(
        "--rectified", help="已整改金额(累计数,单位见 money_unit)。", show_default=False)] = None,
    way: Annotated[list[str] | None, typer.Option(
        "--way", help="整改方式及其累计金额,写成 方式=金额(如 上缴财政=30),可重复。",
        show_default=False)] = None,
    involved: Annotated[str | None, typer.Option(
        "--involved", help="问题金额(第一次记录金额时必填)。", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """记录问题金额和已整改金额(审计整改):金额为累计数,写入操作记录。"""
    from . import lifecycle

    root = _root()
    with _locked(root, dry_run):
        edit = lifecycle.amount(root, number, today=_today(), by=_editor(None, root),
                                involved=involved, rectified=rectified, ways=way or ())
        if edit is None:
            _say(f"问题 {number} 的金额与所给的相同,未作修改。")
            return
        _edit_done(edit, dry_run)


@app.command()
@_guard
def new(
    aspect: Annotated[int, typer.Option("--aspect", help="所属方面的序号。", show_default=False)],
    title: Annotated[str, typer.Option("--title", help="问题描述(照反馈意见原文)。",
                                       show_default=False)],
    subject: Annotated[int | None, typer.Option("--subject", help="所属事项的序号(可选)。",
                                                show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """新增问题:取下一个空闲序号,按 templates/issue.yaml 生成问题文件。"""
    from . import lifecycle

    root = _root()
    if dry_run:
        _edit_done(lifecycle.new(root, aspect, title, today=_today(), by=_editor(None, root),
                                 subject=subject), dry_run)
        return
    with _locked(root):
        edit = lifecycle.add(root, aspect, title, today=_today(), by=_editor(None, root),
                             subject=subject)
    _say_lines(edit.summary)


# ---------------------------------------------------------------- notice (issue 3)


@app.command("import")
@_guard
def import_(
    source: Annotated[Path, typer.Argument(
        help="通报(文本文件,从网页复制;或 Word 文档 .docx),或本单位的 Excel/CSV 台账"
        "(.xlsx、.csv)。", metavar="文件", show_default=False)],
    into: Annotated[Path | None, typer.Option(
        "--into", help="写入的台账目录;默认为 --root 或当前目录。只在这个目录内写文件。",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖目录中已有的台账。")] = False,
    column_map: Annotated[list[str] | None, typer.Option(
        "--map", help="台账表的列名对应的字段,写成 列名=字段(如 --map 牵头处室=unit),可重复;"
        "字段见 docs/commands.md。", show_default=False)] = None,
    progress: Annotated[bool, typer.Option(
        "--progress", help="每周调度:把返回的台账表中新填写的整改进展、完成情况按序号记入"
        "已有台账的问题(只增加进展,不改其他字段)。")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="只报告将要导入的内容,不写入文件。")] = False,
) -> None:
    """导入通报(文本、Word)或 Excel/CSV 台账:生成台账文件;--progress 记入各单位返回的进展。

    退出码:0 已写入且没有警告;6 已写入,但有需要核对的警告;1 拒绝导入,未写入任何文件。
    """
    from .diagnostics import format_text
    from .errors import EXIT_IMPORT_WARNINGS
    from .importer import describe, import_notice, parse_column_map
    from .loader import IMPORT_MARKER

    mapping = parse_column_map(column_map or [])
    if progress:
        _import_progress(source, mapping, dry_run)
        return
    target = into or _settings.root or Path.cwd()
    # Into an existing ledger: hold its lock, as every other edit does.
    # Re-running an interrupted import (its marker is there) may take over the lock its
    # killed run left: it rewrites every file, so nothing that run did is lost.
    with _locked(target, dry_run=dry_run or not _holds_ledger(target),
                 take_over_stale=_holds_ledger(target, IMPORT_MARKER)):
        report = import_notice(source, target, force, dry_run=dry_run, column_map=mapping,
                               today=_today())
    for note in report.notes:
        _say_lines(note)
    _say_lines(describe(report))
    if report.problems:
        typer.echo(format_text(report.problems, report.line), err=True, nl=False)
    raise typer.Exit(EXIT_IMPORT_WARNINGS if report.problems else EXIT_OK)


def _import_progress(source: Path, mapping: dict[str, str], dry_run: bool) -> None:
    """`import --progress`: the units' returned rows become progress entries (an edit)."""
    from .errors import EXIT_IMPORT_WARNINGS
    from .notice_import.progress import apply_progress, plan_progress

    root = _root()
    with _locked(root, dry_run):
        plan = plan_progress(root, source, mapping, _today())
        for line in plan.report_lines():
            _say_lines(line)
        if dry_run:
            typer.echo("(演练:以上为将要记入的进展,未写入任何文件)", err=True)
        else:
            apply_progress(root, plan, _today())
    raise typer.Exit(EXIT_IMPORT_WARNINGS if plan.conflicts else EXIT_OK)


# ---------------------------------------------------------------- a ledger from nothing


@app.command()
@_guard
def init(
    issuer: Annotated[str, typer.Option(
        "--issuer", help="发文机关(被检查单位),如 中共某某局党组。", show_default=False)],
    title: Annotated[str, typer.Option(
        "--title", help="标题,如 关于市委巡察反馈意见整改情况的通报。", show_default=False)],
    kind: Annotated[str, typer.Option("--kind", help="检查类别:巡视、巡察、审计、督察或督查。",
                                      show_default=False)],
    feedback: Annotated[str, typer.Option(
        "--feedback", help="反馈日期(YYYY-MM-DD),时限档次从这天算起。", show_default=False)],
    by: Annotated[str, typer.Option("--by", help="检查组,如 市委第三巡察组。")] = "",
    start: Annotated[str | None, typer.Option("--start", help="检查开始日期(YYYY-MM-DD)。",
                                              show_default=False)] = None,
    end: Annotated[str | None, typer.Option("--end", help="检查结束日期(YYYY-MM-DD)。",
                                            show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """新建台账:写入 data/ledger.yaml(巡视信息)和空的 data/issues/;再用 aspect add 添加方面。"""
    from . import scaffold

    target = _settings.root or Path.cwd()
    fields = scaffold.InitFields(issuer, title, kind, _parse_day(feedback, "--feedback"), by,
                                 _day_or_none(start, "--start"), _day_or_none(end, "--end"))
    edit = scaffold.init(target, fields)
    if dry_run:
        _edit_done(edit, dry_run)
        return
    target.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        scaffold.apply_init(target, edit)
    _say_lines(edit.summary)


def _only_add(action: str, what: str) -> None:
    if action != "add":
        raise UsageError(f"未知的操作 \"{action}\"", f"用法:ledger {what} add 标题")


@app.command("aspect")
@_guard
def aspect_(
    action: Annotated[str, typer.Argument(help="操作:add(添加)。", metavar="add",
                                          show_default=False)],
    title: Annotated[str, typer.Argument(help="方面的标题(照反馈意见原文)。", metavar="标题",
                                         show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """方面:ledger aspect add 标题,添加一个方面,序号取下一个。"""
    from . import scaffold

    _only_add(action, "aspect")
    root = _root()
    with _locked(root, dry_run):
        _edit_done(scaffold.aspect_add(root, title), dry_run)


@app.command("subject")
@_guard
def subject_(
    action: Annotated[str, typer.Argument(help="操作:add(添加)。", metavar="add",
                                          show_default=False)],
    title: Annotated[str, typer.Argument(help="事项的标题。", metavar="标题", show_default=False)],
    aspect: Annotated[int, typer.Option("--aspect", help="所属方面的序号。", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
) -> None:
    """事项:ledger subject add 标题 --aspect 1,在一个方面下添加事项,序号跨方面接续。"""
    from . import scaffold

    _only_add(action, "subject")
    root = _root()
    with _locked(root, dry_run):
        _edit_done(scaffold.subject_add(root, aspect, title), dry_run)


class RenderFormat(str, Enum):
    txt = "txt"
    md = "md"
    html = "html"
    csv = "csv"
    docx = "docx"
    xlsx = "xlsx"


@app.command("render")
@_guard
def render_(
    template: Annotated[str, typer.Option(
        "--template", "-t", help="模板:notice(通报)、table(台账表),或 templates/ 中的文件名。")
    ] = "notice",
    fmt: Annotated[RenderFormat | None, typer.Option(
        "--format", "-f", help="格式:txt(发布版式)、md、html(公文版式网页)、docx(公文版式 Word)、"
        "csv、xlsx(台账表);默认取 -o 文件的扩展名,否则通报为 txt、台账表为 md。",
        show_default=False)] = None,
    public: Annotated[bool, typer.Option(
        "--public", help="公开版:不含 public: false 的问题,编号和计数按所列问题重排。")] = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="写入文件;默认输出到屏幕(docx、xlsx 须用 -o)。",
        show_default=False)] = None,
    open_: Annotated[bool, typer.Option("--open", help="台账表只列未销号的问题。")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="台账表只列超期未完成的问题。")
                       ] = False,
    unit: Annotated[str | None, typer.Option(
        "--unit", help="台账表只列该责任单位或协办单位的问题(包含这段文字即可)。",
        show_default=False)] = None,
    aspect: Annotated[int | None, typer.Option(
        "--aspect", help="台账表只列该方面的问题。", show_default=False)] = None,
) -> None:
    """按模板生成通报或台账表;台账有错误时拒绝生成(退出码 1)。"""
    from . import render as rendering
    from .diagnostics import format_text
    from .errors import RefusedError

    chosen = rendering.choose_format(template, fmt.value if fmt else None, output)
    filtered = open_ or overdue or unit is not None or aspect is not None
    if filtered and template == "notice":
        raise UsageError("--open、--overdue、--unit、--aspect 只用于台账表",
                         "例如:ledger render -t table --unit 办公室 -o 台账.xlsx")
    if chosen in rendering.BINARY and output is None and sys.stdout.isatty():
        example = f"{'通报' if chosen == 'docx' else '台账'}.{chosen}"
        raise UsageError(f"{chosen} 文件不能输出到终端", f"用 -o 指定文件,例如 -o {example}")
    root = _root()
    today = _today()
    ledger, notice, problems = _prepare(root)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        sys.stderr.write(format_text(errors, _line_source(root)))
        raise RefusedError("台账有错误,未生成", "请先改正以上错误(ledger validate 可单独检查)")
    only = scope = None
    if filtered:
        from . import query

        chosen_issues = query.select(
            ledger, query.Filters(open=open_, overdue=overdue, unit=unit, aspect=aspect), today)
        only = {issue.number for issue in chosen_issues}
        scope = _scope(open_, overdue, unit, aspect)
    if chosen in rendering.BINARY:
        data = rendering.render_file(root, ledger, notice, today, template, chosen, public,
                                     only, scope or "")
        if output is None:  # a pipe or a file (a terminal was refused above)
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
    else:
        text = rendering.render(root, ledger, notice, today, template, chosen, public,
                                only, scope or "", _template_limits())
        if output is None:
            # A document goes to a file or pipe as written; a terminal is shown its controls.
            sys.stdout.write(visible(text, multiline=True) if sys.stdout.isatty() else text)
            return
        data = text.encode("utf-8")
    from .atomic import write_atomic

    write_atomic(output, data)
    _say(f"已生成 {output}", err=True)


def _scope(open_: bool, overdue: bool, unit: str | None, aspect: int | None) -> str:
    """What the table's filters chose, in words for its title: 责任单位:办公室,未销号."""
    parts = []
    if unit is not None:
        parts.append(f"责任单位:{unit}")
    if aspect is not None:
        from .numerals import cn_number

        parts.append(f"第{cn_number(aspect)}方面")
    if overdue:
        parts.append("超期未完成")
    elif open_:
        parts.append("未销号")
    return ",".join(parts)


def _holds_ledger(folder: Path, relpath: str = "data/ledger.yaml") -> bool:
    """Is there a ledger in `folder` already (so an import into it must take its lock)?"""
    try:
        return (folder / relpath).is_file()
    except OSError:  # a name too long, a loop: the import itself says what is wrong
        return False


def _template_limits() -> Any:
    """The limits of a ledger's own templates: LEDGER_TEMPLATE_SECONDS, LEDGER_TEMPLATE_MAX_MB."""
    from .render import TEMPLATE_MAX_MB, TEMPLATE_SECONDS, Limits

    values: list[float] = []
    for name, default in (("LEDGER_TEMPLATE_SECONDS", TEMPLATE_SECONDS),
                          ("LEDGER_TEMPLATE_MAX_MB", TEMPLATE_MAX_MB)):
        text = os.environ.get(name, "").strip()
        try:
            value = float(text) if text else float(default)
        except ValueError:
            value = -1.0
        if not 0 < value < 1e9:
            raise UsageError(f"环境变量 {name} 应当是正数,不是 \"{text[:40]}\"",
                             f"例如 {name}={default:g};不设置时为 {default:g}")
        values.append(value)
    return Limits(values[0], max(1, int(values[1])))


@app.command()
@_guard
def templates() -> None:
    """列出可用的模板及其来源(内置,或本台账 templates/ 中的同名文件覆盖内置)。"""
    from .errors import NoLedgerError
    from .render import available

    try:
        root: Path | None = _root()
    except NoLedgerError:
        root = None
    for name, origin in available(root):
        typer.echo(f"{visible(name)}\t{visible(origin)}")


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"
    sarif = "sarif"


@app.command()
@_guard
def check(
    fmt: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="输出格式:text(给人看)、json(给脚本)、"
        "github(GitHub 注释和作业摘要)、junit(GitLab/Jenkins 测试报告)、sarif(代码扫描)。")
    ] = CheckFormat.text,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="把该格式的结果写入文件(如 junit 报告),终端仍显示文字报告。",
        show_default=False)] = None,
) -> None:
    """按预警规则检查整改时限:超期红色、临近黄色/绿色;数据有错退出码 1,规则不通过退出码 3。"""
    from . import ci_formats, overdue
    from .checks import has_errors
    from .errors import EXIT_POLICY

    loaded, problems = _load_checked()
    root = Path(loaded.ledger.root)
    if has_errors(problems):
        diag = fmt.value if fmt.value in DiagnosticFormat.__members__ else "text"
        _print_problems(problems, DiagnosticFormat(diag), root)
        raise typer.Exit(EXIT_PROBLEMS)
    warned = sum(1 for problem in problems if problem.severity == "warning")
    report = overdue.check(loaded.ledger, _today(), warned)
    prefix = _repo_prefix(root)
    text = ci_formats.FORMATS[fmt.value](report, prefix)
    if output is not None:
        from .atomic import write_atomic

        write_atomic(output, text.encode("utf-8"))
        text = ci_formats.format_text(report, prefix)
    sys.stdout.write(text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt is CheckFormat.github and summary:
        _append_summary(Path(summary), ci_formats.github_summary(report))
    raise typer.Exit(EXIT_OK if report.passed else EXIT_POLICY)


def _repo_prefix(root: Path) -> str:
    """The ledger root relative to the repository (GITHUB_WORKSPACE, else the working directory),
    so that CI finds the files it annotates; empty when the root is not inside it."""
    base = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        relative = root.resolve().relative_to(base)
    except ValueError:
        return ""
    return "" if relative == Path() else relative.as_posix() + "/"


def _append_summary(path: Path, text: str) -> None:
    from .errors import WriteError

    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as exc:
        raise WriteError(f"无法写入 GitHub 作业摘要 {path}:{exc.strerror}") from exc


# ---------------------------------------------------------------- statistics and time (issue 13)


def _load_as_of(full: bool) -> tuple[Any, list[Any]]:
    """`_load_checked` for --as-of: the ledger and its notice as committed, checked on that day.

    The evidence check is left out: it hashes files in the working tree, not the commit's.
    """
    from .checks import CHECKS
    from .checks import validate as run_checks
    from .history import NOTICE_FILE, Repository, as_of_note
    from .notice import parse_notice

    assert _settings.as_of is not None
    root = _root()
    with Repository(root) as repo:
        commit = repo.commit_on(_settings.as_of)
        typer.echo(as_of_note(commit, _settings.as_of, repo.dirty()), err=True)
        loaded = repo.load(commit)
        problems = run_checks(loaded, _today(), CHECKS)
        notice_bytes = repo.read(commit, NOTICE_FILE) if full else None
    if notice_bytes is not None:
        problems = sorted([*problems, *parse_notice(NOTICE_FILE, notice_bytes)[1]],
                          key=lambda problem: problem.sort_key)
    return loaded, problems


def _prepare(root: Path) -> tuple[Any, Any, list[Any]]:
    """render's inputs (ledger, notice, problems): from the folder, or as committed (--as-of)."""
    from . import render as rendering

    if _settings.as_of is None:
        return rendering.prepare(root, _today())
    from .history import NOTICE_FILE, Repository
    from .notice import parse_notice

    loaded, problems = _load_as_of(full=False)
    with Repository(root) as repo:
        data = repo.read(repo.commit_on(_settings.as_of), NOTICE_FILE)
    notice, found = parse_notice(NOTICE_FILE, data) if data is not None else (None, [])
    return loaded.ledger, notice, sorted([*problems, *found], key=lambda p: p.sort_key)


class StatsFormat(str, Enum):
    text = "text"
    json = "json"
    md = "md"
    csv = "csv"


class StatsBy(str, Enum):
    aspect = "aspect"
    unit = "unit"
    leader = "leader"
    tier = "tier"


class Every(str, Enum):
    commit = "commit"
    week = "week"
    month = "month"


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from .atomic import write_atomic

    write_atomic(output, text.encode("utf-8"))
    typer.echo(f"已生成 {output}", err=True)


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@app.command()
@_guard
def stats(
    by: Annotated[StatsBy | None, typer.Option(
        "--by", help="分组方式:aspect(方面)、unit(责任单位,协办单位另计)、leader(责任领导)、"
        "tier(时限类别);默认四种都列。", show_default=False)] = None,
    fmt: Annotated[StatsFormat, typer.Option(
        "--format", "-f", help="输出格式:text、json、md、csv。")] = StatsFormat.text,
    history: Annotated[bool, typer.Option(
        "--history", help="按 git 历史给出每个时点的问题数、已完成、未销号、超期(燃尽图的数据)。")
    ] = False,
    every: Annotated[Every, typer.Option(
        "--every", help="--history 的时点:commit(每次提交)、week(每周日)、month(每月末)。")
    ] = Every.commit,
) -> None:
    """统计:问题总数、已完成、基本完成、正在推进、长期坚持、完成率、措施完成数、预警、按期/逾期、延期;
    台账有错误时照常统计,但提示并以退出码 1 结束。"""
    from . import stats as counting

    if history:
        _stats_history(every.value, fmt)
        return
    loaded, problems = _load_checked(full=False)
    _warn_if_invalid(problems)
    wanted = by.value if by else tuple(counting.BREAKDOWNS)
    result = counting.compute(loaded.ledger, _today(), wanted)
    if fmt is StatsFormat.json:
        sys.stdout.write(_json(counting.as_data(result)))
    elif fmt is StatsFormat.md:
        sys.stdout.write(counting.as_markdown(result))
    elif fmt is StatsFormat.csv:
        sys.stdout.write(counting.as_csv(result))
    else:
        from .present import stats_report

        stats_report(result)
    if any(problem.severity == "error" for problem in problems):
        raise typer.Exit(EXIT_PROBLEMS)


def _stats_history(every: str, fmt: StatsFormat) -> None:
    from . import history

    points = history.series(_root(), every, _settings.as_of or _today())
    rows = list(history.iter_rows(points))
    if fmt is StatsFormat.json:
        sys.stdout.write(_json([history.point_data(point) for point in points]))
    elif fmt is StatsFormat.md:
        sys.stdout.write("| " + " | ".join(history.HISTORY_HEADERS) + " |\n|"
                         + "---|" * len(history.HISTORY_HEADERS) + "\n"
                         + "".join("| " + " | ".join(row) + " |\n" for row in rows))
    elif fmt is StatsFormat.csv:
        sys.stdout.write("\ufeff" + ",".join(history.HISTORY_HEADERS) + "\r\n"
                         + "".join(",".join(row) + "\r\n" for row in rows))
    else:
        from .present import aligned

        sys.stdout.write(aligned(history.HISTORY_HEADERS, rows) + f"共 {len(rows)} 个时点\n")


class BoardBy(str, Enum):
    aspect = "aspect"
    unit = "unit"


@app.command()
@_guard
def board(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="写入的 HTML 文件(如 挂图.html);默认输出到屏幕。",
        show_default=False)] = None,
    by: Annotated[BoardBy, typer.Option(
        "--by", help="分组:aspect(方面)或 unit(责任单位)。")] = BoardBy.aspect,
    every: Annotated[Every, typer.Option(
        "--every", help="燃尽图的时点:commit、week、month。")] = Every.week,
) -> None:
    """挂图作战:生成一个独立的 HTML 文件,每个问题一格,按预警颜色标示,附燃尽图;可打印为 A3 横版。"""
    from . import board as chart

    loaded, problems = _load_checked(full=False)
    _warn_if_invalid(problems)
    root = Path(loaded.ledger.root)
    today = _today()
    trend, note = _trend(root, loaded.ledger, every.value, today)
    page = chart.render(root, chart.build(loaded.ledger, today, by.value, trend, note))
    _emit(page, output)


def _trend(root: Path, ledger: Any, every: str, today: date) -> tuple[list[Any], str]:
    """The burndown's points from git, ending with the ledger as read now; or why there are none."""
    from . import history
    from .query import standings
    from .stats import count

    try:
        points = history.series(root, every, today)
    except UsageError as exc:
        return [], f"没有可用的 git 历史({exc.message}),未绘制燃尽图。"
    trend = [(p.day, p.counts.total, p.counts.closed, p.counts.overdue) for p in points
             if p.day < today]
    now = count(standings(ledger, today))
    trend.append((today, now.total, now.closed, now.overdue))
    return trend, "git 历史中只有一个时点,燃尽图需要至少两个时点。"


@app.command()
@_guard
def rollup(
    folders: Annotated[list[str] | None, typer.Argument(
        help="各单位的台账目录。", metavar="目录", show_default=False)] = None,
    from_list: Annotated[Path | None, typer.Option(
        "--list", help="清单文件:每行一个台账目录(相对清单所在目录),# 后为注释。",
        show_default=False)] = None,
    fmt: Annotated[StatsFormat, typer.Option(
        "--format", "-f", help="输出格式:text、json、md、csv。")] = StatsFormat.text,
    board_output: Annotated[Path | None, typer.Option(
        "--board", help="同时生成汇总挂图(HTML,每个单位一栏)。", show_default=False)] = None,
) -> None:
    """汇总多个单位的台账:每个台账一行,另附合计和汇总句;有错误的台账单独列出、不计入合计。
    退出码:0 全部台账有效;1 有台账出错(其余照常汇总)。"""
    from . import rollup as rolling

    names = list(folders or [])
    if from_list is not None:
        if not from_list.is_file():
            raise UsageError(f"找不到清单文件 {from_list}")
        names += rolling.read_list(from_list)
    if not names:
        raise UsageError("没有给出台账目录", "用法:ledger rollup 目录1 目录2 …,或 --list 清单文件")
    result = rolling.rollup(names, _today())
    if fmt is StatsFormat.json:
        sys.stdout.write(_json(rolling.as_data(result)))
    elif fmt is StatsFormat.md:
        sys.stdout.write(rolling.as_markdown(result))
    elif fmt is StatsFormat.csv:
        sys.stdout.write(rolling.as_csv(result))
    else:
        from .present import rollup_report

        rollup_report(result)
    for one in result.broken:
        typer.echo(f"台账有错误,未计入合计:{one.path}", err=True)
        for error in one.errors:
            typer.echo(f"  {error}", err=True)
    if board_output is not None:
        from .board import render as draw

        _emit(draw(None, rolling.board(result)), board_output)
    raise typer.Exit(EXIT_PROBLEMS if result.broken else EXIT_OK)


# The ledger's own environment variables; the text of each is used as is.
_ENV_TEXT = ("LEDGER_USER", "LEDGER_ROOT", "LEDGER_TODAY")


def _not_utf8() -> str | None:
    """What in argv or the ledger's environment is not valid UTF-8, said visibly; or None.

    Undecodable bytes reach Python as lone surrogates (surrogateescape); anything built
    from them fails much later, when it is printed or written into a file.
    """
    def bad(text: str) -> bool:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False

    def shown(text: str) -> str:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")

    for index, arg in enumerate(sys.argv[1:], start=1):
        if bad(arg):
            return f"参数不是有效的 UTF-8:第 {index} 个参数 {shown(arg)[:80]}"
    for name in _ENV_TEXT:
        value = os.environ.get(name)
        if value is not None and bad(value):
            return f"环境变量 {name} 不是有效的 UTF-8:{shown(value)[:80]}"
    return None


# Errors of writing: every file ledger writes goes through atomic (WriteError) or is
# the cache (failures swallowed), so one of these reaching main() is the output's.
_WRITE_ERRNOS = frozenset((errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EPIPE))


def _stdout_failed(exc: OSError) -> bool:
    """Did writing the results fail (`> /dev/full`, a closed pipe), rather than something else?

    Either the error is one of writing, or flushing stdout fails again (a small output
    fails only at the flush, and keeps its bytes in the buffer). The broken stream is
    then pointed at /dev/null, so that Python's own flush at exit has nothing left to
    complain about (it would print "Exception ignored" and exit 120).
    """
    if exc.errno not in _WRITE_ERRNOS:
        try:
            sys.stdout.flush()
        except OSError:
            pass
        else:
            return False
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return True


def main() -> None:
    """Console entry point: run the app, turning parser errors into Chinese messages."""
    from typer import _click as click

    from .errors import EXIT_WRITE

    problem = _not_utf8()
    if problem is not None:
        typer.echo(f"用法错误:{problem}", err=True)
        typer.echo("  提示:请用 UTF-8 编码输入参数和环境变量(检查终端的字符编码设置)", err=True)
        sys.exit(EXIT_USAGE)
    try:
        code = app(standalone_mode=False)
        sys.stdout.flush()  # here, not at exit: a full disk must become exit 4
    except click.exceptions.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx is not None else "", err=True)
        sys.exit(EXIT_USAGE)
    except click.exceptions.UsageError as exc:
        _say(f"用法错误:{_usage_message(exc)}", err=True)
        typer.echo("  提示:运行 ledger --help 或 ledger 命令 --help 查看用法", err=True)
        sys.exit(EXIT_USAGE)
    except typer.Abort:
        typer.echo("已中止。", err=True)
        sys.exit(EXIT_PROBLEMS)
    except OSError as exc:
        if not _stdout_failed(exc):
            _internal(exc)
        from .atomic import _REASONS

        reason = _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
        typer.echo(f"错误:无法写出结果:{reason}", err=True)
        typer.echo("  提示:输出(标准输出)无法写入;请检查磁盘空间,或用 -o 写入其他位置", err=True)
        sys.exit(EXIT_WRITE)
    except Exception as exc:
        _internal(exc)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _internal(exc: Exception) -> None:
    """A defect of ledger itself, not of the user's input: say so plainly (exit 70)."""
    if os.environ.get("LEDGER_DEBUG"):
        raise exc
    _say(f"程序内部错误:{type(exc).__name__}: {exc}", err=True)
    typer.echo("  提示:这是 ledger 的缺陷,不是您的数据有误;请把命令和这段输出报告给维护人员。"
               "设置环境变量 LEDGER_DEBUG=1 可看到完整的调用栈", err=True)
    sys.exit(EXIT_INTERNAL)


def _usage_message(exc: Any) -> str:
    from typer import _click as click

    errors = click.exceptions
    if isinstance(exc, errors.NoSuchOption):
        close = f"(您是不是想写 {exc.possibilities[0]}?)" if exc.possibilities else ""
        return f"没有这个选项 {exc.option_name}{close}"
    if isinstance(exc, errors.MissingParameter):
        name = exc.param.human_readable_name if exc.param is not None else "参数"
        return f"缺少参数 {name}"
    if isinstance(exc, errors.BadParameter):
        name = exc.param.human_readable_name if exc.param is not None else "参数"
        return f"参数 {name} 的值无效:{exc.message}"
    if isinstance(exc, errors.BadOptionUsage):
        return f"选项 {exc.option_name} 用法不对:{exc.message}"
    if "No such command" in exc.message:
        return f"没有这个命令:{exc.message.split(chr(39))[1] if chr(39) in exc.message else ''}"
    if "Got unexpected extra argument" in exc.message:
        return f"多余的参数:{exc.message.split('(')[-1].rstrip(')')}"
    return str(exc.message)
