"""Issue 16 and 17.1: the library face, the command line's face and the daily work without YAML.

The library (`ledger.Ledger`) imports no Typer and names no flag; the CLI accepts global
options anywhere, speaks only Chinese (a walk over every command's help and the parser's
error paths), gives one exit code per kind of outcome (README's table, every command),
and its edits (`set` on ranges, `done` on several measures, `undone`) each write one
history entry. The scripted first day of an office ends the file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.core import TyperGroup

import ledger
from ledger.cli import app, hoist_global_options, parse_numbers
from ledger.core import errors
from ledger.edit import lock

from .conftest import REPO, Run

GROUP = typer.main.get_command(app)
assert isinstance(GROUP, TyperGroup)
COMMANDS = sorted(GROUP.commands)
TODAY = "2021-09-01"


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """The shipped ledger (23 problems, no deadlines, units or leaders) in a git repository."""
    root = tmp_path / "ledger"
    shutil.copytree(REPO / "data", root / "data")
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "0"],
                   check=True)
    return root


def issue(root: Path, number: int) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (root / f"data/issues/{number:03d}.yaml").read_text(encoding="utf-8"))
    return data


# ---------------------------------------------------------------- the library face


def test_library_opens_and_counts_without_typer(shipped: Path) -> None:
    code = ("import sys, ledger; l = ledger.Ledger.open('.'); print(len(l.problems()));"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=shipped, capture_output=True,
                         text=True, check=True).stdout
    assert out == "23\n[]\n"


def test_library_example_in_docs_runs(shipped: Path) -> None:
    page = (REPO / "docs" / "library.md").read_text(encoding="utf-8")
    example = re.findall(r"^```python\n(.*?)^```", page, flags=re.M | re.S)[0]
    example = example.replace('"data-root"', repr(str(shipped)))
    out = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines() == ["23", "0", "未设定", "23", "3", "办公室"]


def test_library_edits_diff_then_apply_and_name_no_flags(shipped: Path) -> None:
    from datetime import date

    book = ledger.Ledger.open(shipped, today=date(2021, 9, 1), cache=False, user="甲")
    with pytest.raises(errors.RefusedError) as refused:
        book.reopen(11, "  ")
    assert "--" not in refused.value.message + refused.value.hint
    assert refused.value.field == "reason"
    change = book.done(11, [1, 2])
    assert "+  - text: 进一步核实" in change.diff()
    change.apply()
    assert issue(shipped, 11)["history"][-1]["by"] == "甲"
    assert ledger.api.DEFAULT_TIMEOUT == lock.DEFAULT_TIMEOUT


def test_diagnostics_are_composed_once_for_validate_render_and_library(shipped: Path) -> None:
    from ledger.present import render
    from ledger.validate import rules as checks

    source = (REPO / "ledger" / "cli.py").read_text(encoding="utf-8")
    assert "FULL_CHECKS" not in source and "load_notice" not in source
    assert "checked(" in Path(render.__file__).read_text(encoding="utf-8")
    assert callable(checks.checked)


# ---------------------------------------------------------------- the command line's face


def test_global_options_after_the_command_name(run: Run, shipped: Path) -> None:
    before = run("--root", shipped, "--today", TODAY, "check")
    after = run("check", "--today", TODAY, "--root", str(shipped))
    assert before.exit_code == 0
    assert (after.exit_code, after.stdout) == (before.exit_code, before.stdout)
    assert hoist_global_options(["log", "1", "--", "--root"]) == ["log", "1", "--", "--root"]
    assert hoist_global_options(["list", "--as-of=2021-01-01"]) == ["--as-of=2021-01-01", "list"]


def test_version(run: Run) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"ledger {ledger.__version__}\n")


@pytest.mark.parametrize(("args", "says"), [
    (["lst"], "没有这个命令:lst\n  提示:您是不是想写 ledger list?"),
    (["list", "--opne"], "没有这个选项 --opne\n  提示:您是不是想写 --open?"),
    (["check", "--todya", TODAY], "您是不是想写 --today?"),
])
def test_did_you_mean(run: Run, shipped: Path, args: list[str], says: str) -> None:
    result = run("--root", shipped, *args)
    assert result.exit_code == 2
    assert says in result.stderr


# Words that may appear in help and messages: command and option names, formats, values.
ALLOWED = {
    *COMMANDS, "ledger", "yaml", "data", "issues", "notice", "table", "templates", "issue",
    "txt", "md", "html", "csv", "docx", "xlsx", "json", "text", "github", "junit", "sarif",
    "aspect", "unit", "leader", "tier", "commit", "week", "month", "public", "false", "git",
    "user", "name", "sha256", "YYYY", "MM", "DD", "HTML", "JSON", "GitHub", "GitLab",
    "Jenkins", "Word", "LEDGER_ROOT", "LEDGER_TODAY", "LEDGER_USER", "co_units", "owner",
    "deadline", "title", "money_unit", "A3", "diff", "UTF", "h", "help", "o", "f", "t", "e",
    "add",  # the action of `ledger aspect add` and `ledger subject add`
}


def ascii_words(text: str) -> set[str]:
    """ASCII words outside option names (--x), paths (data/x.yaml) and allowed names."""
    text = re.sub(r"(?<![\w-])-{1,2}[a-z][\w-]*", " ", text)
    text = re.sub(r"[\w.-]*/[\w./-]*", " ", text)
    return {word for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)
            if (word not in ALLOWED and not word.isupper()) or word in ("Usage", "Options")}


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_help_has_no_english(run: Run, name: str | None) -> None:
    result = run(*([name] if name else []), "--help")
    assert result.exit_code == 0
    assert not ascii_words(result.stdout), (name, ascii_words(result.stdout))
    assert "‹" not in result.stdout and "<str>" not in result.stdout
    assert "(必填)。 [必填]" not in result.stdout


ERROR_PATHS = [
    ["validate", "--format", "xml"], ["list", "--aspect", "二"], ["show"], ["show", "二"],
    ["reopen", "11"], ["reopen", "11", "--reason"], ["extend", "11", "--to"],
    ["log", "11", "进展", "多余"], ["done"], ["done", "11", "一"], ["set", "11"],
    ["set", "11", "unti=办公室"], ["set", "1-x", "unit=办公室"], ["set", "11", "unit"],
    ["new", "--aspect", "1"], ["close", "11", "--date", "明天", "-e", "x"],
    ["render", "-f", "pdf"], ["stats", "--by", "year"], ["board", "--by"],
    ["check", "--format"], ["nosuch"], ["--today", "2021-13-01", "list"], ["list", "--open=1"],
    ["status", "11", "超期"], ["status", "11", "完成"], ["log", "11", ""], ["amount", "11"],
]


@pytest.mark.parametrize("args", ERROR_PATHS, ids=" ".join)
def test_errors_are_chinese_without_parameter_names(run: Run, shipped: Path,
                                                     args: list[str]) -> None:
    result = run("--root", shipped, "--today", TODAY, *args)
    assert result.exit_code in (1, 2)  # which one: test_exit_code_per_kind_of_outcome
    assert result.stderr.strip(), args
    said = result.stderr
    for token in args:  # the user's own words may be quoted back
        said = re.sub(rf"(?<![\w-]){re.escape(token.split('=')[0])}(?![\w-])", " ", said)
    words = ascii_words(said)
    assert not words, (args, words, result.stderr)
    for internal in ("fmt", "number", "measures", "assignments", "numbers", "open_", "reason "):
        assert f" {internal}" not in result.stderr, (args, result.stderr)


# ---------------------------------------------------------------- exit codes


def test_readme_exit_codes_are_the_constants() -> None:
    table = (REPO / "README.md").read_text(encoding="utf-8").split("## 退出码")[1]
    codes = [int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.M)]
    constants = sorted(value for name, value in vars(errors).items() if name.startswith("EXIT_"))
    assert codes == constants


# One run per command to each outcome it can have (exit code → arguments after --root/--today).
OUTCOMES: dict[str, dict[int, list[str]]] = {
    "validate": {0: ["validate"], 2: ["validate", "-f", "xml"]},
    "list": {0: ["list"], 2: ["list", "--status", "坏"]},
    "show": {0: ["show", "11"], 1: ["show", "99"], 2: ["show", "x"]},
    "check": {0: ["check"], 2: ["check", "-f", "x"]},
    "set": {0: ["set", "11", "unit=办公室"], 1: ["set", "11", "deadline=2020-01-01"],
            2: ["set", "11", "nokey=1"]},
    "done": {0: ["done", "11", "1", "2"], 1: ["done", "11", "9"], 2: ["done", "11"]},
    "undone": {0: ["undone", "11", "1"], 1: ["undone", "11", "3"], 2: ["undone", "11"]},
    "log": {0: ["log", "11", "进展"], 1: ["log", "11", " "], 2: ["log"]},
    "status": {0: ["status", "11", "基本完成"], 1: ["status", "11", "已完成"],
               2: ["status", "11", "坏"]},
    "extend": {1: ["extend", "12", "--to", "2022-01-01", "--reason", "因"],
               2: ["extend", "12", "--to", "坏", "--reason", "因"]},
    "close": {1: ["close", "12", "-e", "材料"], 2: ["close", "12", "--date", "坏", "-e", "x"]},
    "reopen": {1: ["reopen", "12", "--reason", "因"], 2: ["reopen", "12"]},
    "amount": {1: ["amount", "12", "--rectified", "1"], 2: ["amount", "12"]},
    "new": {0: ["new", "--aspect", "1", "--title", "新问题。", "--unit", "办公室"],
            1: ["new", "--aspect", "9", "--title", "新问题。"], 2: ["new", "--aspect", "1"]},
    "render": {0: ["render"], 2: ["render", "-f", "pdf"]},
    "templates": {0: ["templates"], 2: ["templates", "x"]},
    "stats": {0: ["stats"], 2: ["stats", "--by", "x"]},
    "board": {0: ["board"], 2: ["board", "--by", "x"]},
    "rollup": {0: ["rollup", "."], 1: ["rollup", "nowhere"], 2: ["rollup"]},
    "import": {2: ["import"]},
    "init": {1: ["init", "--issuer", "甲", "--title", "乙", "--kind", "巡察",
                 "--feedback", "2021-01-01"],
             2: ["init", "--issuer", "甲", "--title", "乙", "--kind", "巡察",
                 "--feedback", "坏"]},
    "aspect": {0: ["aspect", "add", "新的方面"], 2: ["aspect", "remove", "新的方面"]},
    "subject": {0: ["subject", "add", "新的事项", "--aspect", "1"],
                2: ["subject", "add", "新的事项"]},
}


def test_every_command_has_its_outcomes_listed() -> None:
    assert sorted(OUTCOMES) == COMMANDS


@pytest.mark.parametrize(("name", "code"), [(name, code) for name, runs in OUTCOMES.items()
                                             for code in runs])
def test_exit_code_per_kind_of_outcome(run: Run, shipped: Path, name: str, code: int,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shipped)
    if (name, code) == ("undone", 0):
        assert run("--root", shipped, "done", "11", "1").exit_code == 0
    result = run("--root", shipped, "--today", TODAY, *OUTCOMES[name][code])
    assert result.exit_code == code, result.output


def test_exit_3_and_5(run: Run, shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("--root", shipped, "set", "11", "deadline=立行立改").exit_code == 0
    assert run("check", "--root", shipped, "--today", TODAY).exit_code == 3
    monkeypatch.setenv("LEDGER_LOCK_TIMEOUT", "0")
    with lock.ledger_lock(shipped):  # held: the command below must not see it as its own
        held = dict(lock._held)
        lock._held.clear()
        try:
            assert run("--root", shipped, "log", "11", "进展").exit_code == 5
        finally:
            lock._held.update(held)


# ---------------------------------------------------------------- set, done, undone, history


def test_parse_numbers() -> None:
    assert parse_numbers("1-5,9") == [1, 2, 3, 4, 5, 9]
    assert parse_numbers("3、7,8") == [3, 7, 8]


def test_set_on_a_range_is_all_or_nothing(run: Run, shipped: Path) -> None:
    before = {n: (shipped / f"data/issues/{n:03d}.yaml").read_bytes() for n in range(1, 24)}
    result = run("--root", shipped, "--today", TODAY, "set", "1-5,99", "unit=办公室")
    assert result.exit_code == 1 and "99" in result.stderr
    assert {n: (shipped / f"data/issues/{n:03d}.yaml").read_bytes()
            for n in range(1, 24)} == before
    dry = run("--root", shipped, "--today", TODAY, "set", "1-5,9", "unit=办公室", "--dry-run")
    assert dry.exit_code == 0 and dry.stdout.count("+unit: 办公室") == 6
    assert {n: (shipped / f"data/issues/{n:03d}.yaml").read_bytes()
            for n in range(1, 24)} == before
    done = run("--root", shipped, "--today", TODAY, "set", "1-5,9", "unit=办公室",
               "co_units=财务处,法规处", "public=否", "deadline=2021-12-31")
    assert done.exit_code == 0, done.output
    record = issue(shipped, 9)
    assert (record["unit"], record["co_units"], record["public"]) == (
        "办公室", ["财务处", "法规处"], False)
    assert str(record["deadline"]) == "2021-12-31"
    assert record["history"][-1]["action"] == "修改"
    assert issue(shipped, 6)["unit"] is None


def test_done_several_all_and_undone(run: Run, shipped: Path) -> None:
    base = ("--root", shipped, "--today", TODAY)
    assert run(*base, "done", "11", "1", "3").exit_code == 0
    measures = issue(shipped, 11)["measures"]
    assert [isinstance(m, dict) for m in measures] == [True, False, True, False]
    assert run(*base, "done", "11", "--all").exit_code == 0
    assert all(isinstance(m, dict) for m in issue(shipped, 11)["measures"])
    original = (REPO / "data/issues/011.yaml").read_text(encoding="utf-8")
    assert run(*base, "undone", "11", "1", "2", "3", "4").exit_code == 0
    text = (shipped / "data/issues/011.yaml").read_text(encoding="utf-8")
    assert text.split("history:")[0] == original.rstrip("\n").rsplit("status:", 1)[0] + \
        "status:" + original.rsplit("status:", 1)[1].split("\n")[0] + "\n"


@pytest.mark.parametrize("args", [
    ["done", "11", "1"], ["extend", "12", "--to", "2021-12-31", "--reason", "因"],
    ["log", "11", "进展"], ["set", "11", "unit=办公室"], ["status", "11", "基本完成"],
    ["close", "12", "-e", "材料", "--force"], ["new", "--aspect", "1", "--title", "新。"],
])
def test_every_edit_writes_one_history_entry(run: Run, shipped: Path, args: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    base = ("--root", shipped, "--today", TODAY)
    if args[0] == "extend":
        assert run(*base, "set", "12", "deadline=2021-10-31").exit_code == 0
    number = 24 if args[0] == "new" else int(args[1])
    before = issue(shipped, number).get("history", []) if number != 24 else []
    monkeypatch.setenv("LEDGER_USER", "王五")
    result = run(*base, *args)
    assert result.exit_code == 0, result.output
    after = issue(shipped, number)["history"]
    assert len(after) == len(before or []) + 1
    assert after[-1]["by"] == "王五" and str(after[-1]["date"]) == TODAY and after[-1]["action"]


# ---------------------------------------------------------------- suggestions and the first day


@pytest.mark.parametrize(("word", "says", "never"), [
    ("超期", "超期由工具推算,不必填写", "长期坚持?"),
    ("已延期", "已延期由工具推算,不必填写", "?"),
    ("完成", "写 基本完成;已有佐证材料的,用 ledger close 销号", "已完成?"),
])
def test_suggestions_are_never_harmful(run: Run, shipped: Path, word: str, says: str,
                                       never: str) -> None:
    path = shipped / "data/issues/011.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: 正在推进", f"status: {word}"),
                    encoding="utf-8")
    result = run("--root", shipped, "validate")
    assert result.exit_code == 1
    assert says in result.stdout and never not in result.stdout


def test_the_first_day_of_an_office(run: Run, shipped: Path) -> None:
    """Issue 16's scripted session: everything through commands, `git diff` only the lines meant."""
    base = ("--root", shipped, "--today", TODAY)
    steps = [
        ["set", "1-23", "unit=办公室", "leader=张主任"],
        ["set", "1-10", "deadline=短期"], ["set", "11-20", "deadline=中期"],
        ["set", "21-23", "deadline=长期", "unit=人防指挥处"],
    ]
    steps += [["done", str(n), "--all"] for n in (1, 2, 3)]
    (shipped / "evidence").mkdir()
    for n in (1, 2, 3):
        (shipped / "evidence" / f"{n:03d}.pdf").write_bytes(b"%PDF scan")
        steps.append(["close", str(n), "--evidence", f"evidence/{n:03d}.pdf"])
    steps.append(["extend", "11", "--to", "2021-12-31", "--reason", "需住建部门配合"])
    for step in steps:
        result = run(*base, *step)
        assert result.exit_code == 0, (step, result.output)
    checked = run("check", "--today", TODAY, "--root", str(shipped))
    assert checked.exit_code == 3, checked.output
    assert ("合计 23 个问题:红色预警 16,黄色预警 0,绿色提醒 0,时限未到 4,长期坚持 0,"
            "逾期完成 3,按期完成 0,未设时限 0。") in checked.stdout
    assert "问题 11" not in checked.stdout.split("红色预警")[1].split("\n\n")[0]
    diff = subprocess.run(["git", "-C", str(shipped), "diff", "--numstat"], capture_output=True,
                          text=True, check=True).stdout.splitlines()
    assert len(diff) == 23
    removed = subprocess.run(["git", "-C", str(shipped), "diff", "-U0"], capture_output=True,
                             text=True, check=True).stdout
    minus = [line for line in removed.splitlines()
             if line.startswith("-") and not line.startswith("---")]
    allowed = re.compile(r"^-(leader|unit|deadline|status): ?.*$|^-  - .+$")
    assert all(allowed.match(line) for line in minus), minus


@pytest.mark.parametrize(("line", "col", "says"), [
    ("status\uff1a正在推进", 7, "键 status 后面是全角冒号"),
    ("unit:办公室", 6, "键 unit 的冒号后面缺少空格"),
    ('title: "学习不够', 8, "引号没有配对"),
])
def test_yaml_faults_are_pointed_at_their_line(run: Run, shipped: Path, line: str, col: int,
                                               says: str) -> None:
    path = shipped / "data/issues/011.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(4, line)  # line 5, before measures: the parser notices only later
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("--root", shipped, "validate")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"data/issues/011.yaml:5:{col}: error[yaml-syntax]: "
                                    f"YAML 语法错误:{says}"), result.stdout


def test_validate_github_paths_from_the_repository_root(run: Run, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo" / "整改" / "台账"
    shutil.copytree(REPO / "data", root / "data")
    path = root / "data/issues/011.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: 正在推进", "status: 坏"),
                    encoding="utf-8")
    monkeypatch.chdir(tmp_path / "repo")
    result = run("--root", root, "validate", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=整改/台账/data/issues/011.yaml,line=")


def test_public_notice_keeps_the_count_and_only_warns_about_moved_evidence(
        run: Run, shipped: Path) -> None:
    base = ("--root", shipped, "--today", TODAY)
    (shipped / "evidence").mkdir()
    (shipped / "evidence" / "纪要.pdf").write_bytes(b"scan")
    assert run(*base, "set", "2", "public=否").exit_code == 0
    assert run(*base, "close", "1", "--force", "-e", "evidence/纪要.pdf").exit_code == 0
    (shipped / "evidence" / "纪要.pdf").rename(shipped / "evidence" / "纪要-旧.pdf")
    internal = run(*base, "render")
    assert internal.exit_code == 1 and "evidence-missing" in internal.stderr
    public = run(*base, "render", "--public")
    assert public.exit_code == 0, public.stderr
    assert "evidence-missing" in public.stderr and "公开版照常生成" in public.stderr
    assert "4个方面23项整改问题" in public.stdout.replace("四", "4")
