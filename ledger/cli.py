"""The command line: Typer only. Each command declares its parameters, opens the ledger
through the library face (`ledger.api.Ledger`), hands the result to presentation and
exits with the right code.

Exit codes (README's table; tests/test_cli_exits.py runs every command to each):
0 clean; 1 problems found or edit refused; 2 usage error or no ledger found;
3 policy breached (`ledger check`); 4 a file could not be written; 5 the ledger is
locked by another command; 70 internal defect.

One error boundary: `run` (what `main` and the command group's `main` call) turns
every failure into a Chinese message and an exit code. Environment variables are
read in one place, `Environment.read`, and passed down as parameters.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from ledger.core.errors import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_POLICY,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    EXIT_WRITE,
    LedgerError,
    UsageError,
)
from ledger.core.record import record
from ledger.present.safetext import visible

if TYPE_CHECKING:
    from ledger.edit.lifecycle import Change

    from .api import Ledger

F = TypeVar("F", bound=Callable[..., Any])

# The argument parser writes its help in English; users read Chinese.
_HELP_WORDS = (
    ("Usage: ", "用法:"), ("Options:", "选项:"), ("Commands:", "命令:"),
    ("Arguments:", "参数:"), ("Show this message and exit.", "显示本帮助并退出。"),
    ("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."), ("[ARGS]...", "[参数]..."),
    ("[default: ", "[默认:"), ("[required]", "[必填]"),
)
# Metavars: what a value is, in Chinese; a Chinese character is two columns wide, so the
# column is taken from the padding that follows.
_METAVARS = (("<path>", "<路径>"), ("<str>", "<文字>"), ("<int>", "<整数>"))


def _chinese_help(text: str) -> str:
    for english, chinese in _HELP_WORDS:
        text = text.replace(english, chinese)
    for english, chinese in _METAVARS:
        text = text.replace(english + "  ", chinese + " ").replace(english, chinese)
    return text


# Options every command accepts, before or after the command name (moved to the front).
GLOBAL_OPTIONS = ("--root", "--today", "--as-of")


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """`ledger check --today D` → `ledger --today D check`: global options anywhere."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        if arg.split("=", 1)[0] in GLOBAL_OPTIONS:
            width = 1 if "=" in arg else 2
            front.extend(args[index:index + width])
            index += width
            continue
        rest.append(arg)
        index += 1
    return front + rest


class _Command(TyperCommand):
    """A command, with its help and its parser's complaints in Chinese."""

    def get_help(self, ctx: Any) -> str:
        return _chinese_help(super().get_help(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.allow_extra_args = True  # extra arguments are refused below, in Chinese
        rest: list[str] = super().parse_args(ctx, args)
        if ctx.args:
            raise UsageError(f"多余的参数:{' '.join(ctx.args)}",
                             f"运行 ledger {self.name} --help 查看用法")
        return rest


class _Group(TyperGroup):
    """The command group: Chinese help, did-you-mean for commands, one error boundary."""

    def get_help(self, ctx: Any) -> str:
        return _chinese_help(super().get_help(ctx))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.5)
            guess = f"您是不是想写 ledger {close[0]}?" if close else ""
            raise UsageError(f"没有这个命令:{name}", f"{guess}运行 ledger --help 查看全部命令")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        if not ctx._protected_args and not ctx.args:
            raise UsageError("缺少命令", "运行 ledger --help 查看全部命令")
        return super().invoke(ctx)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        """Every way in (the console script, `python -m ledger`, a test's runner) goes
        through the one boundary, `run`."""
        code = run(list(sys.argv[1:] if args is None else args), self)
        if standalone_mode:
            sys.exit(code)
        return code

    def _main(self, args: list[str]) -> Any:
        return super().main(args, "ledger", standalone_mode=False)


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


# ---------------------------------------------------------------- environment and settings


@record(frozen=True)
class Environment:
    """Every environment variable ledger reads, read here and nowhere else."""

    root: str = ""
    today: str = ""
    user: str = ""
    no_cache: bool = False
    jobs: str = ""
    lock_timeout: str = ""
    template_seconds: str = ""
    template_max_mb: str = ""
    step_summary: str = ""
    workspace: str = ""
    debug: bool = False
    docs_url: str = ""
    progress: str = ""

    @classmethod
    def read(cls) -> Environment:
        get = os.environ.get
        return cls(get("LEDGER_ROOT", ""), get("LEDGER_TODAY", ""), get("LEDGER_USER", ""),
                   get("LEDGER_NO_CACHE", "") not in ("", "0"), get("LEDGER_JOBS", ""),
                   get("LEDGER_LOCK_TIMEOUT", ""), get("LEDGER_TEMPLATE_SECONDS", ""),
                   get("LEDGER_TEMPLATE_MAX_MB", ""), get("GITHUB_STEP_SUMMARY", ""),
                   get("GITHUB_WORKSPACE", ""), bool(get("LEDGER_DEBUG")),
                   get("LEDGER_DOCS_URL", ""), get("LEDGER_PROGRESS", ""))


@record
class Settings:
    """The global options and the environment of this run, shared by every command."""

    env: Environment = field(default_factory=Environment)
    root: Path | None = None
    today: date | None = None
    as_of: date | None = None
    bars: list[Any] = field(default_factory=list)  # progress bars to end when the run ends


_settings = Settings()


def _say(line: str, err: bool = False) -> None:
    """Print one line of a message: data in it (a title, a path, an argument) shown visibly."""
    typer.echo(visible(line), err=err)


def _say_lines(text: str, err: bool = False) -> None:
    """Print text of several lines (a summary, a diff): control characters shown visibly."""
    typer.echo(visible(text, multiline=True), err=err)


def _today() -> date:
    if _settings.today is not None:
        return _settings.today
    if _settings.env.today:
        return _parse_day(_settings.env.today, "LEDGER_TODAY")
    return date.today()


def _parse_day(text: str, what: str) -> date:
    from ledger.core.dates import parse_date

    value, reason = parse_date(text)
    if value is None:
        raise UsageError(f"{what} 的日期无效:{reason}")
    return value


def _day_or_none(text: str | None, option: str) -> date | None:
    return _parse_day(text, option) if text else None


def _root() -> Path:
    from ledger.read.root import find_root

    explicit = _settings.root
    if explicit is None and _settings.env.root:
        explicit = Path(_settings.env.root)
    return find_root(Path.cwd(), explicit)


def _lock_timeout() -> float:
    if not _settings.env.lock_timeout:  # the usual case: no need to import the lock module
        from .api import DEFAULT_TIMEOUT

        return DEFAULT_TIMEOUT
    from ledger.edit.lock import parse_timeout

    return parse_timeout(_settings.env.lock_timeout)


def _open() -> Ledger:
    """The ledger this run works on: --root/LEDGER_ROOT, --today, --as-of, the environment."""
    from .api import Ledger

    book = Ledger(_root(), _today(), not _settings.env.no_cache, _settings.as_of,
                  _lock_timeout(), _settings.env.user, _progress("读取台账文件"))
    if book.as_of is not None:
        _ = book.loaded
        typer.echo(book.as_of_note, err=True)
    return book


def _progress(label: str) -> Callable[[int, int], None] | None:
    """A progress bar on stderr for long work: when stderr is a terminal (LEDGER_PROGRESS=1:
    also when it is not, e.g. a CI log; 0: never). None otherwise: nothing is drawn and
    nothing is imported for it."""
    wanted = _settings.env.progress.strip()
    if wanted == "0" or (wanted != "1" and not _is_terminal(sys.stderr)):
        return None
    from ledger.present.tables import ProgressBar

    bar = ProgressBar(label, sys.stderr)
    _settings.bars.append(bar)
    return bar


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no such method, or closed
        return False


# Commands that read the ledger and can read it as committed on a past date.
_AS_OF_COMMANDS = ("list", "show", "stats", "board", "render", "check", "validate")


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"ledger {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    ctx: typer.Context,
    root: Annotated[Path | None, typer.Option(
        "--root", metavar="<目录>",
        help="台账目录(含 data/ledger.yaml);默认从当前目录向上查找,也可用环境变量 LEDGER_ROOT。",
        show_default=False)] = None,
    today: Annotated[str | None, typer.Option(
        "--today", metavar="<日期>",
        help="把这一天当作今天(YYYY-MM-DD),用于核对和复现;也可用环境变量 LEDGER_TODAY。",
        show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="<日期>",
        help="按这一天(YYYY-MM-DD)及之前最后一次 git 提交中的台账回答(不检出,"
        "不计未提交的修改);可用于 list show stats board render check validate 。",
        show_default=False)] = None,
    version: Annotated[bool, typer.Option(
        "--version", help="显示版本号并退出。", callback=_version, is_eager=True)] = False,
) -> None:
    """整改台账:用纯文本文件和 git 管理巡视、巡察、审计、督察反馈问题的整改。

    全局选项 --root、--today、--as-of 写在命令名之前或之后均可。"""
    _settings.root = root
    _settings.today = _parse_day(today, "--today") if today else None
    _settings.as_of = _parse_day(as_of, "--as-of") if as_of else None
    if _settings.as_of is not None and ctx.invoked_subcommand not in _AS_OF_COMMANDS:
        raise UsageError(f"--as-of 不能用于 {ctx.invoked_subcommand}:"
                         "过去的台账只能查看,不能修改",
                         f"可用于:{'、'.join(_AS_OF_COMMANDS)}")
    _settings.today = _settings.today or _settings.as_of  # counted on that day


# ---------------------------------------------------------------- shared parameters

_NUMBER = Annotated[int, typer.Argument(help="问题序号。", metavar="序号", show_default=False)]
_DRY_RUN = Annotated[bool, typer.Option(
    "--dry-run", help="只显示将要做的修改(统一 diff 格式),不写入文件。")]
_DATE = Annotated[str | None, typer.Option(
    "--date", metavar="<日期>", help="日期(YYYY-MM-DD),默认今天。", show_default=False)]


class DiagnosticFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _print_problems(problems: list[Any], fmt: str, root: Path) -> None:
    from ledger.present import diagnostics

    if fmt == "json":
        sys.stdout.write(diagnostics.format_json(problems))
    elif fmt == "github":
        sys.stdout.write(diagnostics.format_github(problems, _repo_prefix(root)))
    else:
        sys.stdout.write(diagnostics.format_text(problems, _line_source(root)))


def _line_source(root: Path) -> Callable[[str, int], str | None]:
    """The lines diagnostics quote, read with the loader's guards (no pipes, no links out)."""
    from ledger.read.loader import read_bytes
    from ledger.read.yamlsrc import split_lines

    cache: dict[str, list[str]] = {}

    def source(path: str, line: int) -> str | None:
        if path not in cache:
            data, _ = read_bytes(root, path)
            cache[path] = split_lines(data.decode("utf-8", "replace")) if data else []
        lines = cache[path]
        return lines[line - 1] if 0 < line <= len(lines) else None

    return source


def _repo_prefix(root: Path) -> str:
    """The ledger root relative to the repository (GITHUB_WORKSPACE, else the working directory),
    so that CI finds the files it annotates; empty when the root is not inside it."""
    base = Path(_settings.env.workspace or Path.cwd()).resolve()
    try:
        relative = root.resolve().relative_to(base)
    except ValueError:
        return ""
    return "" if relative == Path() else relative.as_posix() + "/"


# ---------------------------------------------------------------- reading


@app.command()
def validate(
    fmt: Annotated[DiagnosticFormat, typer.Option(
        "--format", "-f", help="输出格式:text(给人看)、json(给脚本)、github(GitHub 注释)。")
    ] = DiagnosticFormat.text,
) -> None:
    """检查全部台账文件,一次报告所有错误和警告(有错误时退出码为 1)。"""
    from ledger.validate.rules import has_errors

    book = _open()
    problems = book.diagnostics()
    _print_problems(problems, fmt.value, book.root)
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


def _opened_for_reading(whole: bool = False) -> Ledger:
    """The ledger for list, show, stats and board: they answer on a broken ledger too.
    `whole`: the command reads whole records (show), so the findings come from them
    rather than from the briefs as well (which would read the ledger twice)."""
    book = _open()
    if whole:
        _ = book.loaded
    _warn_if_invalid(book.diagnostics(full=False))
    return book


@app.command("list")
def list_(
    open_: Annotated[bool, typer.Option("--open", help="只列未销号的问题。")] = False,
    closed: Annotated[bool, typer.Option("--closed", help="只列已销号的问题。")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列超期未完成的问题。")] = False,
    status: Annotated[str | None, typer.Option(
        "--status", metavar="<状态>",
        help="按状态筛选:正在推进、基本完成、已完成、长期坚持、超期、已延期、逾期完成。",
        show_default=False)] = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", metavar="<单位>", help="按责任单位或协办单位筛选(包含这段文字即可)。",
        show_default=False)] = None,
    aspect: Annotated[int | None, typer.Option(
        "--aspect", metavar="<序号>", help="按方面序号筛选。", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON,供脚本使用。")] = False,
) -> None:
    """列出问题:序号、方面、问题、责任单位、时限、状态、剩余天数。"""
    from ledger.present import tables as present

    _list_filters_valid(status, open_, closed)
    book = _opened_for_reading()
    rows = book.select(open=open_, closed=closed, overdue=overdue, status=status, unit=unit,
                       aspect=aspect)
    if as_json:
        sys.stdout.write(_list_json(rows))
    else:
        present.list_table(rows)


def _list_json(rows: list[Any]) -> str:
    import json  # only here: nothing else at start-up imports json

    from ledger.present.safetext import json_safe
    from ledger.report.query import row

    return json_safe(json.dumps([row(item) for item in rows], ensure_ascii=False, indent=2)) + "\n"


def _list_filters_valid(status: str | None, open_: bool, closed: bool) -> None:
    from ledger.report.query import STATUS_FILTER_WORDS

    if status is not None and status not in STATUS_FILTER_WORDS:
        raise UsageError(f"未知的状态 \"{status}\"", f"可选:{'、'.join(STATUS_FILTER_WORDS)}")
    if open_ and closed:
        raise UsageError("--open 和 --closed 不能同时使用")


@app.command()
def show(number: _NUMBER) -> None:
    """显示一个问题的全部内容:措施、责任人、时限及其来源、剩余天数、进展、销号记录、操作记录。"""
    from ledger.present.tables import show_issue

    book = _opened_for_reading(whole=True)
    sys.stdout.write(show_issue(book.standing(number), book.problem(number), book.data))


# ---------------------------------------------------------------- edits


# The library names the input an error is about; the command line names its flag.
FIELD_FLAGS = {
    "reason": "--reason", "evidence": "--evidence", "force": "--force", "title": "--title",
    "involved": "--involved", "rectified": "--rectified", "way": "--way",
    "amounts": "--rectified、--way 或 --involved",
    "text": "进展内容", "measures": "措施序号或 --all",
}


@contextlib.contextmanager
def _locked(root: Path, dry_run: bool = False, take_over_stale: bool = False
            ) -> Iterator[None]:
    """Hold the ledger's lock around an edit: read, check, write and rename (not for --dry-run).

    Waits LEDGER_LOCK_TIMEOUT seconds (default 5) for another command, then exits 5.
    """
    if dry_run:
        yield
        return
    from ledger.edit.lock import ledger_lock

    with ledger_lock(root, _lock_timeout(), take_over_stale=take_over_stale) as held:
        for relpath in held.cleaned:
            typer.echo(f"已删除被中断的修改留下的临时文件 {relpath}", err=True)
        yield


def _edit(make: Callable[[Ledger], Change | None], dry_run: bool, unchanged: str = "") -> None:
    """Run one edit: under the lock, build it; print the diff (--dry-run) or write it and
    print its summary; `unchanged` is said when there is nothing to change."""
    book = _open()
    with _locked(book.root, dry_run):
        change = make(book)
        if change is None:
            _say(unchanged)
        elif dry_run:
            sys.stdout.write(visible(change.diff(), multiline=True))
            typer.echo("(演练:以上为将要做的修改,未写入任何文件)", err=True)
        else:
            change.apply(book.lock_timeout)
            _say_lines(change.summary)


@app.command()
def close(
    number: _NUMBER,
    more: Annotated[list[str] | None, typer.Argument(
        help="紧跟在 --evidence 之后的更多佐证材料。", metavar="材料", show_default=False)] = None,
    evidence: Annotated[list[str] | None, typer.Option(
        "--evidence", "-e", metavar="<材料>", help="佐证材料:台账目录内的文件路径(记录 sha256),"
        "或材料说明;可跟多项。", show_default=False)] = None,
    on: _DATE = None,
    by: Annotated[str | None, typer.Option(
        "--by", metavar="<姓名>", help="操作人,默认取环境变量 LEDGER_USER,其次 git 的 user.name。",
        show_default=False)] = None,
    note: Annotated[str, typer.Option("--note", metavar="<文字>", help="销号说明。")] = "",
    force: Annotated[bool, typer.Option(
        "--force", help="仍有措施未完成时也销号(记入操作记录)。")] = False,
    reason: Annotated[str, typer.Option(
        "--reason", metavar="<理由>", help="已整改金额少于问题金额时必填:未足额整改的理由"
        "(如 分阶段整改),记入操作记录。")] = "",
    dry_run: _DRY_RUN = False,
) -> None:
    """销号:凭佐证材料把问题标记为已完成,写入销号记录和操作记录。"""
    if more and not evidence:
        raise UsageError(f"多余的参数:{' '.join(more)}", "佐证材料请写在 --evidence 之后")
    items, when = [*(evidence or []), *(more or [])], _day_or_none(on, "--date")
    if by is not None:
        _settings.env = _with_user(by)
    _edit(lambda book: book.close(number, items, when=when, note=note, force=force,
                                  reason=reason), dry_run)


def _with_user(name: str) -> Environment:
    from dataclasses import replace

    return replace(_settings.env, user=name)


@app.command()
def reopen(
    number: _NUMBER,
    reason: Annotated[str, typer.Option("--reason", metavar="<原因>", help="重新打开的原因。",
                                        show_default=False)],
    dry_run: _DRY_RUN = False,
) -> None:
    """重新打开已销号的问题(整改不到位、问题反弹),状态改回正在推进。"""
    _edit(lambda book: book.reopen(number, reason), dry_run)


@app.command()
def extend(
    number: _NUMBER,
    to: Annotated[str, typer.Option("--to", metavar="<日期>", help="新的整改时限(YYYY-MM-DD)。",
                                    show_default=False)],
    reason: Annotated[str, typer.Option("--reason", metavar="<理由>", help="延期理由。",
                                        show_default=False)],
    approved_by: Annotated[str, typer.Option("--approved-by", metavar="<姓名>",
                                             help="批准人。")] = "",
    dry_run: _DRY_RUN = False,
) -> None:
    """延期:记录新的整改时限、理由和批准人;原时限保留在 deadline 中。"""
    new_day = _parse_day(to, "--to")
    _edit(lambda book: book.extend(number, new_day, reason, approved_by), dry_run)


@app.command("log")
def log_(
    number: _NUMBER,
    text: Annotated[str, typer.Argument(help="进展内容。", metavar="内容", show_default=False)],
    on: _DATE = None,
    dry_run: _DRY_RUN = False,
) -> None:
    """记录一条整改进展(一周一调度)。"""
    when = _day_or_none(on, "--date")
    _edit(lambda book: book.log(number, text, when), dry_run)


_MEASURES = Annotated[list[int] | None, typer.Argument(
    help="措施序号(从 1 起),可给多个。", metavar="措施", show_default=False)]


@app.command()
def done(
    number: _NUMBER,
    measures: _MEASURES = None,
    all_: Annotated[bool, typer.Option("--all", help="把全部未完成的措施标记为完成。")] = False,
    on: _DATE = None,
    dry_run: _DRY_RUN = False,
) -> None:
    """把整改措施标记为完成,记录完成日期(可一次标记多项,或 --all 全部)。"""
    if bool(measures) == all_:
        raise UsageError("请给出措施序号,或用 --all 标记全部措施(二者选一)",
                         f"例如:ledger done {number} 1 2,或 ledger done {number} --all")
    when = _day_or_none(on, "--date")
    _edit(lambda book: book.done(number, None if all_ else measures, when), dry_run)


@app.command()
def undone(number: _NUMBER, measures: _MEASURES = None, dry_run: _DRY_RUN = False) -> None:
    """撤销误标的完成:把措施改回未完成,记入操作记录。"""
    if not measures:
        raise UsageError("请给出要撤销完成标记的措施序号", f"例如:ledger undone {number} 2")
    _edit(lambda book: book.undone(number, measures), dry_run)


@app.command()
def status(
    number: _NUMBER,
    value: Annotated[str, typer.Argument(help="新状态:正在推进、基本完成或长期坚持"
                                         "(已完成只能通过 ledger close 销号)。",
                                         metavar="状态", show_default=False)],
    dry_run: _DRY_RUN = False,
) -> None:
    """修改问题状态(正在推进、基本完成、长期坚持),记入操作记录。"""
    _edit(lambda book: book.set_status(number, value), dry_run,
          f"问题 {number} 的状态已是{value},未作修改。")


def parse_numbers(text: str) -> list[int]:
    """`1-5,9` → [1, 2, 3, 4, 5, 9]: problem numbers, ranges and lists (、 and , too)."""
    numbers: list[int] = []
    for part in re.split(r"[,,、]", text):
        match = re.fullmatch(r"\s*(\d{1,6})\s*(?:[-–~至]\s*(\d{1,6})\s*)?", part)
        if match is None:
            raise UsageError(f"问题序号写法不对:\"{text}\"", "写成 11,或 1-5,9(范围和逗号)")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first or last - first > 100_000:
            raise UsageError(f"问题序号范围不对:\"{part.strip()}\"", "范围写成 小-大,例如 1-5")
        numbers.extend(range(first, last + 1))
    return numbers


@app.command("set")
def set_(
    numbers: Annotated[str, typer.Argument(
        help="问题序号:11,或范围和列表 1-5,9。", metavar="序号", show_default=False)],
    assignments: Annotated[list[str], typer.Argument(
        help="字段=值,可给多个。字段: leader 责任领导; unit 责任单位; co_units 协办单位"
        "(逗号分隔); owner 责任人; deadline 整改时限(日期,或 立行立改/短期/中期/长期/长期坚持);"
        " public 是否公开(是/否); title 问题描述。值为空表示清除。", metavar="字段=值",
        show_default=False)],
    dry_run: _DRY_RUN = False,
) -> None:
    """修改问题的字段(可一次改多个问题:全部写入或全部不写),每个问题记一条操作记录。"""
    from ledger.edit.lifecycle import parse_assignment

    chosen, fields = parse_numbers(numbers), [parse_assignment(item) for item in assignments]
    _edit(lambda book: book.set(chosen, fields), dry_run, "所给的值与现有的相同,未作修改。")


@app.command()
def amount(
    number: _NUMBER,
    rectified: Annotated[str | None, typer.Option(
        "--rectified", metavar="<金额>", help="已整改金额(累计数,单位见 money_unit)。",
        show_default=False)] = None,
    way: Annotated[list[str] | None, typer.Option(
        "--way", metavar="<方式=金额>", help="整改方式及其累计金额,写成 方式=金额"
        "(如 上缴财政=30),可重复。", show_default=False)] = None,
    involved: Annotated[str | None, typer.Option(
        "--involved", metavar="<金额>", help="问题金额(第一次记录金额时必填)。",
        show_default=False)] = None,
    dry_run: _DRY_RUN = False,
) -> None:
    """记录问题金额和已整改金额(审计整改):金额为累计数,写入操作记录。"""
    _edit(lambda book: book.amount(number, involved=involved, rectified=rectified,
                                   ways=way or ()), dry_run,
          f"问题 {number} 的金额与所给的相同,未作修改。")


def _text_option(flag: str, help_text: str) -> Any:
    return typer.Option(flag, metavar="<文字>", help=help_text, show_default=False)


@app.command()
def new(
    aspect: Annotated[int, typer.Option("--aspect", metavar="<序号>", help="所属方面的序号。",
                                        show_default=False)],
    title: Annotated[str, _text_option("--title", "问题描述(照反馈意见原文)。")],
    subject: Annotated[int | None, typer.Option(
        "--subject", metavar="<序号>", help="所属事项的序号(可选)。", show_default=False)] = None,
    leader: Annotated[str | None, _text_option("--leader", "责任领导。")] = None,
    unit: Annotated[str | None, _text_option("--unit", "责任单位。")] = None,
    co_units: Annotated[str | None, _text_option("--co-units", "协办单位,逗号分隔。")] = None,
    owner: Annotated[str | None, _text_option("--owner", "责任人。")] = None,
    deadline: Annotated[str | None, _text_option(
        "--deadline", "整改时限:日期,或 立行立改/短期/中期/长期/长期坚持。")] = None,
    public: Annotated[str | None, _text_option("--public", "是否公开:是 或 否。")] = None,
    dry_run: _DRY_RUN = False,
) -> None:
    """新增问题:取下一个空闲序号,按 templates/issue.yaml 生成问题文件,可同时填写字段。"""
    given = {"leader": leader, "unit": unit, "co_units": co_units, "owner": owner,
             "deadline": deadline, "public": public}
    fields = [(key, value) for key, value in given.items() if value is not None]
    if dry_run:
        _edit(lambda book: book.new(aspect, title, subject, fields), dry_run)
        return
    book = _open()
    with _locked(book.root):  # add writes the file itself, taking the next number if taken
        _say_lines(book.add(aspect, title, subject, fields).summary)


# ---------------------------------------------------------------- notice (issue 3)


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(
        help="通报(文本文件,从网页复制;或 Word 文档 .docx),或本单位的 Excel/CSV 台账"
        "(.xlsx、.csv)。", metavar="文件", show_default=False)],
    into: Annotated[Path | None, typer.Option(
        "--into", metavar="<目录>", help="写入的台账目录;默认为 --root 或当前目录。"
        "只在这个目录内写文件。", show_default=False)] = None,
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
    from ledger.core.errors import EXIT_IMPORT_WARNINGS
    from ledger.notice_import.run import describe, import_notice, parse_column_map
    from ledger.present.diagnostics import format_text
    from ledger.read.loader import IMPORT_MARKER

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
    from ledger.core.errors import EXIT_IMPORT_WARNINGS

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
    dry_run: _DRY_RUN = False,
) -> None:
    """新建台账:写入 data/ledger.yaml(巡视信息)和空的 data/issues/;再用 aspect add 添加方面。"""
    from ledger.edit import scaffold

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


def _edit_done(edit: Any, dry_run: bool) -> None:
    """Print the diff (--dry-run) or write an edit already built and print its summary."""
    from ledger.edit import lifecycle

    if dry_run:
        sys.stdout.write(visible(edit.diff(), multiline=True))
        typer.echo("(演练:以上为将要做的修改,未写入任何文件)", err=True)
        return
    lifecycle.apply(edit, _lock_timeout())
    _say_lines(edit.summary)


def _only_add(action: str, what: str) -> None:
    if action != "add":
        raise UsageError(f"未知的操作 \"{action}\"", f"用法:ledger {what} add 标题")


@app.command("aspect")
def aspect_(
    action: Annotated[str, typer.Argument(help="操作:add(添加)。", metavar="add",
                                          show_default=False)],
    title: Annotated[str, typer.Argument(help="方面的标题(照反馈意见原文)。", metavar="标题",
                                         show_default=False)],
    dry_run: _DRY_RUN = False,
) -> None:
    """方面:ledger aspect add 标题,添加一个方面,序号取下一个。"""
    from ledger.edit import scaffold

    _only_add(action, "aspect")
    root = _root()
    with _locked(root, dry_run):
        _edit_done(scaffold.aspect_add(root, title), dry_run)


@app.command("subject")
def subject_(
    action: Annotated[str, typer.Argument(help="操作:add(添加)。", metavar="add",
                                          show_default=False)],
    title: Annotated[str, typer.Argument(help="事项的标题。", metavar="标题", show_default=False)],
    aspect: Annotated[int, typer.Option("--aspect", help="所属方面的序号。", show_default=False)],
    dry_run: _DRY_RUN = False,
) -> None:
    """事项:ledger subject add 标题 --aspect 1,在一个方面下添加事项,序号跨方面接续。"""
    from ledger.edit import scaffold

    _only_add(action, "subject")
    root = _root()
    with _locked(root, dry_run):
        _edit_done(scaffold.subject_add(root, aspect, title), dry_run)


def _holds_ledger(folder: Path, relpath: str = "data/ledger.yaml") -> bool:
    """Is there a ledger in `folder` already (so an import into it must take its lock)?"""
    try:
        return (folder / relpath).is_file()
    except OSError:  # a name too long, a loop: the import itself says what is wrong
        return False



class RenderFormat(str, Enum):
    txt = "txt"
    md = "md"
    html = "html"
    csv = "csv"
    docx = "docx"
    xlsx = "xlsx"


@app.command("render")
def render_(
    template: Annotated[str, typer.Option(
        "--template", "-t", metavar="<模板>",
        help="模板:notice(通报)、table(台账表),或 templates/ 中的文件名。")] = "notice",
    fmt: Annotated[RenderFormat | None, typer.Option(
        "--format", "-f", help="格式:txt(发布版式)、md、html(公文版式网页)、docx(公文版式 Word)、"
        "csv、xlsx(台账表);默认取 -o 文件的扩展名,否则通报为 txt、台账表为 md。",
        show_default=False)] = None,
    public: Annotated[bool, typer.Option(
        "--public", help="公开版:不列 public: false 的问题,问题总数仍按反馈的正式数目;"
        "只涉及内部材料的错误(如佐证材料文件被移动)只提示,不妨碍生成。")] = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="<文件>", help="写入文件;默认输出到屏幕(docx、xlsx 须用 -o)。",
        show_default=False)] = None,
    open_: Annotated[bool, typer.Option("--open", help="台账表只列未销号的问题。")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="台账表只列超期未完成的问题。")
                       ] = False,
    unit: Annotated[str | None, typer.Option(
        "--unit", metavar="<单位>", help="台账表只列该责任单位或协办单位的问题(包含这段文字即可)。",
        show_default=False)] = None,
    aspect: Annotated[int | None, typer.Option(
        "--aspect", metavar="<序号>", help="台账表只列该方面的问题。", show_default=False)] = None,
) -> None:
    """按模板生成通报或台账表;台账有错误时拒绝生成(退出码 1)。"""
    chosen = _render_format(template, fmt, output, open_ or overdue or bool(unit) or bool(aspect))
    book = _open()
    _render_gate(book, public)
    only, scope = _render_rows(book, open_, overdue, unit, aspect)
    result = book.render(template, chosen, public, only, scope, _template_limits())
    _deliver(result, output)


def _render_format(template: str, fmt: RenderFormat | None, output: Path | None,
                   filtered: bool) -> str:
    from ledger.present import render as rendering

    chosen = rendering.choose_format(template, fmt.value if fmt else None, output)
    if filtered and template == "notice":
        raise UsageError("--open、--overdue、--unit、--aspect 只用于台账表",
                         "例如:ledger render -t table --unit 办公室 -o 台账.xlsx")
    if chosen in rendering.BINARY and output is None and sys.stdout.isatty():
        example = f"{'通报' if chosen == 'docx' else '台账'}.{chosen}"
        raise UsageError(f"{chosen} 文件不能输出到终端", f"用 -o 指定文件,例如 -o {example}")
    return chosen


def _render_gate(book: Ledger, public: bool) -> None:
    """Refuse on errors; the public version only warns about internal-only ones."""
    from ledger.core.errors import RefusedError
    from ledger.present.diagnostics import format_text

    blocking, internal = book.render_blockers(public)
    if internal:
        sys.stderr.write(format_text(internal, _line_source(book.root)))
        typer.echo("注意:以上错误只涉及内部材料,公开版照常生成;请尽快改正。", err=True)
    if blocking:
        sys.stderr.write(format_text(blocking, _line_source(book.root)))
        raise RefusedError("台账有错误,未生成", "请先改正以上错误(ledger validate 可单独检查)")


def _render_rows(book: Ledger, open_: bool, overdue: bool, unit: str | None,
                 aspect: int | None) -> tuple[set[int] | None, str]:
    if not (open_ or overdue or unit is not None or aspect is not None):
        return None, ""
    chosen = book.select(open=open_, overdue=overdue, unit=unit, aspect=aspect)
    return {item.number for item in chosen}, _scope(open_, overdue, unit, aspect)


def _deliver(result: str | bytes, output: Path | None) -> None:
    """A document to its file, or to stdout: a terminal is shown its controls visibly."""
    if output is None:
        if isinstance(result, bytes):  # a pipe or a file (a terminal was refused)
            sys.stdout.flush()
            sys.stdout.buffer.write(result)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(visible(result, multiline=True) if sys.stdout.isatty() else result)
        return
    from ledger.core.atomic import write_atomic

    write_atomic(output, result if isinstance(result, bytes) else result.encode("utf-8"))
    _say(f"已生成 {output}", err=True)


def _scope(open_: bool, overdue: bool, unit: str | None, aspect: int | None) -> str:
    """What the table's filters chose, in words for its title: 责任单位:办公室,未销号."""
    parts = []
    if unit is not None:
        parts.append(f"责任单位:{unit}")
    if aspect is not None:
        from ledger.core.numerals import cn_number

        parts.append(f"第{cn_number(aspect)}方面")
    if overdue:
        parts.append("超期未完成")
    elif open_:
        parts.append("未销号")
    return ",".join(parts)



def _template_limits() -> Any:
    """The limits of a ledger's own templates: LEDGER_TEMPLATE_SECONDS, LEDGER_TEMPLATE_MAX_MB."""
    from ledger.present.render import TEMPLATE_MAX_MB, TEMPLATE_SECONDS, Limits

    values: list[float] = []
    env = _settings.env
    for name, text, default in (
            ("LEDGER_TEMPLATE_SECONDS", env.template_seconds, TEMPLATE_SECONDS),
            ("LEDGER_TEMPLATE_MAX_MB", env.template_max_mb, TEMPLATE_MAX_MB)):
        text = text.strip()
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
def templates() -> None:
    """列出可用的模板及其来源(内置,或本台账 templates/ 中的同名文件覆盖内置)。"""
    from ledger.core.errors import NoLedgerError
    from ledger.present.render import available

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
def check(
    fmt: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="输出格式:text(给人看)、json(给脚本)、"
        "github(GitHub 注释和作业摘要)、junit(GitLab/Jenkins 测试报告)、sarif(代码扫描)。")
    ] = CheckFormat.text,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="<文件>",
        help="把该格式的结果写入文件(如 junit 报告),终端仍显示文字报告。",
        show_default=False)] = None,
) -> None:
    """按预警规则检查整改时限:超期红色、临近黄色/绿色;数据有错退出码 1,规则不通过退出码 3。"""
    from ledger.validate.rules import has_errors

    book = _open()
    problems = book.diagnostics()
    if has_errors(problems):
        _print_problems(problems, fmt.value if fmt.value in DiagnosticFormat.__members__
                        else "text", book.root)
        raise typer.Exit(EXIT_PROBLEMS)
    report = book.check(sum(1 for problem in problems if problem.severity == "warning"))
    _check_outputs(report, fmt.value, output, _repo_prefix(book.root))
    raise typer.Exit(EXIT_OK if report.passed else EXIT_POLICY)


def _check_outputs(report: Any, fmt: str, output: Path | None, prefix: str) -> None:
    """The report in its format (to -o, with text on the terminal), and the job summary."""
    from ledger.present import ci_formats

    if fmt == "text" and output is None:  # a line at a time: the usual case, at any size
        sys.stdout.writelines(ci_formats.text_lines(report, prefix))
        return
    if fmt == "sarif":
        text = ci_formats.format_sarif(report, prefix, _docs_url())
    else:
        text = ci_formats.FORMATS[fmt](report, prefix)
    if output is not None:
        from ledger.core.atomic import write_atomic

        write_atomic(output, text.encode("utf-8"))
        text = ci_formats.format_text(report, prefix)
    sys.stdout.write(text)
    if fmt == "github" and _settings.env.step_summary:
        _append_summary(Path(_settings.env.step_summary), ci_formats.github_summary(report))


def _docs_url() -> str:
    """LEDGER_DOCS_URL, the absolute http(s) address of ledger's docs/ folder, ending in "/"."""
    url = _settings.env.docs_url.strip()
    if not url:
        return ""
    from urllib.parse import quote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment:
        raise UsageError(f"环境变量 LEDGER_DOCS_URL 应为 ledger 的 docs 目录的完整网址"
                         f"(以 https:// 开头,不带 ? 和 #),现在是 {url}")
    url = quote(url, safe="/:%@!$&'()*+,;=~-._")
    return url if url.endswith("/") else url + "/"


def _append_summary(path: Path, text: str) -> None:
    from ledger.core.errors import WriteError

    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as exc:
        raise WriteError(f"无法写入 GitHub 作业摘要 {path}:{exc.strerror}") from exc


# ---------------------------------------------------------------- statistics and time (issue 13)


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
    from ledger.core.atomic import write_atomic

    write_atomic(output, text.encode("utf-8"))
    typer.echo(f"已生成 {output}", err=True)


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@app.command()
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
    if history:
        _stats_history(every.value, fmt)
        return
    book = _open()
    problems = book.diagnostics(full=False)
    _warn_if_invalid(problems)
    _stats_output(book.stats(by.value if by else None), fmt)
    if any(problem.severity == "error" for problem in problems):
        raise typer.Exit(EXIT_PROBLEMS)


def _report_output(module: Any, result: Any, fmt: StatsFormat, table: str) -> None:
    """A report (stats, rollup) in the chosen format: the module's as_data / as_markdown /
    as_csv, or the terminal table `present.tables.<table>` for text."""
    if fmt is StatsFormat.json:
        sys.stdout.write(_json(module.as_data(result)))
    elif fmt is StatsFormat.md:
        sys.stdout.write(module.as_markdown(result))
    elif fmt is StatsFormat.csv:
        sys.stdout.write(module.as_csv(result))
    else:
        from ledger.present import tables

        getattr(tables, table)(result)


def _stats_output(result: Any, fmt: StatsFormat) -> None:
    from ledger.report import stats as counting

    _report_output(counting, result, fmt, "stats_report")


def _stats_history(every: str, fmt: StatsFormat) -> None:
    from ledger.report import history

    points = history.series(_root(), every, _settings.as_of or _today(),
                            _progress("读取历史时点"))
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
        from ledger.present.tables import aligned

        sys.stdout.write(aligned(history.HISTORY_HEADERS, rows) + f"共 {len(rows)} 个时点\n")


class BoardBy(str, Enum):
    aspect = "aspect"
    unit = "unit"


@app.command()
def board(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="<文件>", help="写入的 HTML 文件(如 挂图.html);默认输出到屏幕。",
        show_default=False)] = None,
    by: Annotated[BoardBy, typer.Option(
        "--by", help="分组:aspect(方面)或 unit(责任单位)。")] = BoardBy.aspect,
    every: Annotated[Every, typer.Option(
        "--every", help="燃尽图的时点:commit、week、month。")] = Every.week,
) -> None:
    """挂图作战:生成一个独立的 HTML 文件,每个问题一格,按预警颜色标示,附燃尽图;可打印为 A3 横版。"""
    from ledger.present import board as chart

    book = _opened_for_reading()
    trend, note = _trend(book.root, book.summary, every.value, book.today)
    page = chart.render(book.root, chart.build(book.summary, book.today, by.value, trend, note))
    _emit(page, output)


def _trend(root: Path, ledger: Any, every: str, today: date) -> tuple[list[Any], str]:
    """The burndown's points from git, ending with the ledger as read now; or why there are none."""
    from ledger.report import history
    from ledger.report.query import standings
    from ledger.report.stats import count

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
def rollup(
    folders: Annotated[list[str] | None, typer.Argument(
        help="各单位的台账目录。", metavar="目录", show_default=False)] = None,
    from_list: Annotated[Path | None, typer.Option(
        "--list", metavar="<文件>", help="清单文件:每行一个台账目录(相对清单所在目录),# 后为注释。",
        show_default=False)] = None,
    fmt: Annotated[StatsFormat, typer.Option(
        "--format", "-f", help="输出格式:text、json、md、csv。")] = StatsFormat.text,
    board_output: Annotated[Path | None, typer.Option(
        "--board", metavar="<文件>", help="同时生成汇总挂图(HTML,每个单位一栏)。",
        show_default=False)] = None,
) -> None:
    """汇总多个单位的台账:每个台账一行,另附合计和汇总句;有错误的台账单独列出、不计入合计。
    退出码:0 全部台账有效;1 有台账出错(其余照常汇总)。"""
    from ledger.report import rollup as rolling

    result = rolling.rollup(_rollup_names(folders, from_list), _today(), _progress("汇总台账"))
    _rollup_output(result, fmt)
    if board_output is not None:
        from ledger.present.board import render as draw
        from ledger.present.board import rollup_board

        _emit(draw(None, rollup_board(result)), board_output)
    raise typer.Exit(EXIT_PROBLEMS if result.broken else EXIT_OK)


def _rollup_names(folders: list[str] | None, from_list: Path | None) -> list[str]:
    from ledger.report import rollup as rolling

    names = list(folders or [])
    if from_list is not None:
        if not from_list.is_file():
            raise UsageError(f"找不到清单文件 {from_list}")
        names += rolling.read_list(from_list)
    if not names:
        raise UsageError("没有给出台账目录", "用法:ledger rollup 目录1 目录2 …,或 --list 清单文件")
    return names


def _rollup_output(result: Any, fmt: StatsFormat) -> None:
    from ledger.report import rollup as rolling

    _report_output(rolling, result, fmt, "rollup_report")
    for one in result.broken:
        typer.echo(f"台账有错误,未计入合计:{one.path}", err=True)
        for error in one.errors:
            typer.echo(f"  {error}", err=True)


# ---------------------------------------------------------------- the error boundary


# The ledger's own environment variables; the text of each is used as is.
_ENV_TEXT = ("LEDGER_USER", "LEDGER_ROOT", "LEDGER_TODAY")


def _not_utf8(args: Sequence[str]) -> str | None:
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

    for index, arg in enumerate(args, start=1):
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


def main() -> NoReturn:
    """Console entry point (`ledger`, `python -m ledger`)."""
    sys.exit(run(sys.argv[1:]))


def run(args: list[str], group: Any = None) -> int:
    """The one error boundary: run the command line `args` and return its exit code.

    Usage errors (the parser's and the commands' own) and refusals become a Chinese
    message with a hint; a defect of the program becomes exit 70.
    """
    from typer import _click as click

    env = Environment.read()
    _settings.__init__(env)  # type: ignore[misc]  # a fresh run: nothing left from the last
    from .cache import configure

    configure(cache=not env.no_cache,
              jobs=int(env.jobs) if env.jobs.isdigit() and int(env.jobs) > 0 else None)
    problem = _not_utf8(args)
    if problem is not None:
        typer.echo(f"用法错误:{problem}", err=True)
        typer.echo("  提示:请用 UTF-8 编码输入参数和环境变量(检查终端的字符编码设置)", err=True)
        return EXIT_USAGE
    args = hoist_global_options(args)
    command = group if group is not None else _command_group(args)
    assert isinstance(command, _Group)
    try:
        try:
            code = command._main(args)
        finally:  # a bar left by failed work: removed before any message is printed
            for bar in _settings.bars:
                bar.close()
        sys.stdout.flush()  # here, not at exit: a full disk must become exit 4
    except click.exceptions.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx is not None else "", err=True)
        return EXIT_USAGE
    except click.exceptions.UsageError as exc:
        return _failed(UsageError(_usage_message(exc), _usage_hint(exc)), "用法错误")
    except typer.Exit as exc:
        return int(exc.exit_code)
    except LedgerError as exc:
        return _failed(exc)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("已中止。", err=True)
        return EXIT_PROBLEMS
    except OSError as exc:
        if not _stdout_failed(exc):
            return _internal(exc)
        from ledger.core.atomic import _REASONS

        reason = _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
        typer.echo(f"错误:无法写出结果:{reason}", err=True)
        typer.echo("  提示:输出(标准输出)无法写入;请检查磁盘空间,或用 -o 写入其他位置", err=True)
        return EXIT_WRITE
    except Exception as exc:
        return _internal(exc)
    return code if isinstance(code, int) else EXIT_OK


def _command_group(args: Sequence[str]) -> Any:
    """The command group for this command line: only the command it names, when it names
    one first (after the global options); else every command, built for the listing
    (help, a mistyped name) or whole (completion). Typer reads every command's
    parameters to build one: the 23 commands cost more at start-up than the command
    being run."""
    import copy

    name = _command_name(args)
    chosen = [info for info in app.registered_commands
              if name is not None and _registered_name(info) == name]
    if app.registered_groups or (not chosen and _completing()):
        return typer.main.get_command(app)
    single = copy.copy(app)
    # No command named: the group's help, its errors (a mistyped name, an unknown
    # option) and --version read only each command's name and summary (the output is
    # the same either way: tests/test_startup.py).
    single.registered_commands = chosen or [_listed(info) for info in app.registered_commands]
    return typer.main.get_command(single)


def _listed(info: Any) -> Any:
    """A command as the group's listing reads it: name and help, no parameters to read."""
    import copy
    import inspect

    listed = copy.copy(info)
    listed.name = _registered_name(info)
    listed.help = info.help if info.help is not None else inspect.getdoc(info.callback)
    listed.callback = _never_run
    return listed


def _never_run() -> None:  # pragma: no cover - a listed command is never invoked
    raise AssertionError("a command built for the listing ran")


def _completing() -> bool:
    """Shell completion is asking (Click's variable for the program `ledger`): it reads
    every command's options."""
    return "_LEDGER_COMPLETE" in os.environ


def _command_name(args: Sequence[str]) -> str | None:
    """The word after the (hoisted) global options, when that is where the command is."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.split("=", 1)[0] not in GLOBAL_OPTIONS:
            return None if arg.startswith("-") else arg
        index += 1 if "=" in arg else 2
    return None


def _registered_name(info: Any) -> str:
    return str(info.name or typer.main.get_command_name(info.callback.__name__))


def _failed(exc: LedgerError, label: str = "错误") -> int:
    """A command's own failure: message, hint (with the flag for the field it is about)."""
    where = f"{exc.location}: " if exc.location is not None else ""
    _say(f"{where}{label}:{exc.message}", err=True)
    hint = exc.hint
    if exc.field in FIELD_FLAGS:
        hint = _with_flag(hint, FIELD_FLAGS[exc.field])
    if hint:
        _say(f"  提示:{hint}", err=True)
    return exc.exit_code


def _with_flag(hint: str, flag: str) -> str:
    """The library's hint (which names no flag) with the command line's flag added: inside
    the hint's own closing parenthesis when it ends with one, never a second pair."""
    if not hint:
        return f"请用 {flag} 给出"
    hint = hint.rstrip("。")
    if hint.endswith(")"):
        return f"{hint[:-1]};命令行加 {flag})"
    return f"{hint}(命令行加 {flag})"


def _internal(exc: BaseException) -> int:
    """A defect of ledger itself, not of the user's input: say so plainly (exit 70)."""
    if _settings.env.debug:
        raise exc
    _say(f"程序内部错误:{type(exc).__name__}: {exc}", err=True)
    typer.echo("  提示:这是 ledger 的缺陷,不是您的数据有误;请把命令和这段输出报告给维护人员。"
               "设置环境变量 LEDGER_DEBUG=1 可看到完整的调用栈", err=True)
    return EXIT_INTERNAL


def _param_name(param: Any) -> str:
    """How a parameter is named to a person: its flag (--reason) or its Chinese metavar."""
    if param is None:
        return "参数"
    if getattr(param, "param_type_name", "") == "option":
        return str(max(param.opts, key=len))
    return str(param.metavar or "参数")


def _usage_message(exc: Any) -> str:
    """The parser's complaint in Chinese, from the exception's type and fields (its English
    text is never shown)."""
    from typer import _click as click

    errors = click.exceptions
    if isinstance(exc, errors.NoSuchOption):
        return f"没有这个选项 {exc.option_name}"
    if isinstance(exc, errors.BadOptionUsage):
        return f"选项 {exc.option_name} 后面缺少值" if "requires" in exc.message \
            else f"选项 {exc.option_name} 不带值"
    if isinstance(exc, errors.MissingParameter):
        return f"缺少{'选项' if _is_option(exc.param) else '参数'} {_param_name(exc.param)}"
    if isinstance(exc, errors.BadParameter):
        return f"{_param_name(exc.param)} 的值无效:{_bad_value(exc)}"
    return "命令写法不对"


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def _bad_value(exc: Any) -> str:
    from typer import _click as click

    kind = getattr(exc.param, "type", None)
    choices = getattr(kind, "choices", None)
    if choices:
        return f"可选的值:{'、'.join(map(str, choices))}"
    quoted = re.search(r"'(.*)'", exc.message)
    value = f" {quoted.group(1)}" if quoted else ""
    if isinstance(kind, (click.types.IntParamType, click.types.IntRange)):
        return f"应当是整数(阿拉伯数字),不是{value}"
    if isinstance(kind, click.types.FloatParamType):
        return f"应当是数字,不是{value}"
    return f"无法识别{value}"


def _usage_hint(exc: Any) -> str:
    from typer import _click as click

    command = exc.ctx.command_path.replace("ledger", "", 1).strip() if exc.ctx else ""
    where = f"ledger {command} --help" if command else "ledger --help"
    if isinstance(exc, click.exceptions.NoSuchOption) and exc.ctx is not None:
        names = [name for param in exc.ctx.command.params for name in getattr(param, "opts", [])
                 if name.startswith("--")]
        names += [name for name in GLOBAL_OPTIONS if name not in names]
        close = difflib.get_close_matches(exc.option_name, names, n=1, cutoff=0.5)
        if close:
            return f"您是不是想写 {close[0]}?运行 {where} 查看全部选项"
    return f"运行 {where} 查看用法"
