"""Lifecycle commands through the CLI: what they write, and every refusal (message, exit code,
file untouched)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import cast

import pytest
import yaml
from typer.testing import CliRunner, Result

from ledger.cli import app
from ledger.core.errors import RefusedError
from ledger.edit import lifecycle
from ledger.read.loader import load
from ledger.validate.evidence import check_evidence
from ledger.validate.rules import CHECKS, validate
from tests._lifecycle import ISSUES, issue_path, make_ledger


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Evidence paths are looked up from the working directory first: run where no
    # folder of the repository (docs/, tests/) can stand in for the ledger's own.
    monkeypatch.chdir(tmp_path)
    return make_ledger(tmp_path / "ledger")


def cli(root: Path, *args: str) -> Result:
    env = {"LEDGER_USER": "王五", "LEDGER_TODAY": "2021-10-01"}
    return CliRunner().invoke(app, ["--root", str(root), *args], env=env)


def data(root: Path, number: int) -> dict[str, object]:
    loaded = yaml.safe_load(issue_path(root, number).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def refused(root: Path, number: int, args: list[str], message: str, code: int = 1) -> Result:
    """Run a command that must be refused: exit code, message, and the file byte-identical."""
    before = {p: p.read_bytes() for p in (root / "data" / "issues").iterdir()}
    result = cli(root, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    after = {p: p.read_bytes() for p in (root / "data" / "issues").iterdir()}
    assert after == before
    return result


def evidence_file(root: Path, name: str = "docs/会议纪要.txt", body: bytes = b"minutes") -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return name


# ---------------------------------------------------------------- close


def test_close_writes_status_closing_record_and_history_only(root: Path) -> None:
    name = evidence_file(root)
    cli(root, "done", "1", "1")
    before = issue_path(root, 1).read_text(encoding="utf-8")
    result = cli(root, "close", "1", "--evidence", name, "会议纪要 2021-09-30", "--note", "已核查")
    assert result.exit_code == 0, result.output
    assert "问题 1 已销号(2021年10月1日)" in result.stdout
    after = issue_path(root, 1).read_text(encoding="utf-8")
    record = data(root, 1)
    assert record["status"] == "已完成"
    assert record["closed"] == {
        "date": date(2021, 10, 1), "by": "王五", "note": "已核查",
        "evidence": [{"path": name, "sha256": hashlib.sha256(b"minutes").hexdigest()},
                     "会议纪要 2021-09-30"]}
    history = cast(list[dict[str, object]], record["history"])
    assert history[-1] == {"date": date(2021, 10, 1), "action": "销号", "by": "王五",
                           "note": "佐证材料2项"}
    assert [entry["action"] for entry in history] == ["措施完成", "销号"]
    old_lines, new_lines = before.splitlines(), after.splitlines()
    changed = [line for line in old_lines if line not in new_lines]
    assert changed == ["status: 正在推进   # 状态"]
    assert new_lines[: len(old_lines)] == [line.replace("正在推进", "已完成")
                                           for line in old_lines]
    loaded = load(root)
    assert not [p for p in validate(loaded, date(2021, 10, 1), (*CHECKS,
                check_evidence)) if p.severity == "error"]


def test_close_with_evidence_given_relative_to_the_working_directory(root: Path) -> None:
    evidence_file(root, "docs/a.pdf")
    edit = lifecycle.close(root, 3, ["a.pdf"], today=date(2021, 10, 1), cwd=root / "docs")
    lifecycle.apply(edit)
    closed = data(root, 3)["closed"]
    assert isinstance(closed, dict)
    assert closed["evidence"][0]["path"] == "docs/a.pdf"


def test_close_with_open_measures_is_refused_with_the_flag_in_the_hint(root: Path) -> None:
    result = refused(root, 1, ["close", "1", "-e", "纪要"],
                     "问题 1 还有 1 项整改措施未完成(第1项),不能销号")
    # The command line's flag joins the hint's own parenthesis, never a second one.
    assert result.stderr.splitlines()[-1] == (
        "  提示:先用 ledger done 1 措施序号 标记完成;确需先行销号的,"
        "可强制销号(会记入操作记录;命令行加 --force)")


def test_close_with_force_records_the_open_measures(root: Path) -> None:
    result = cli(root, "close", "1", "-e", "纪要", "--force")
    assert result.exit_code == 0, result.output
    assert "第1项措施未完成" in result.stdout
    history = data(root, 1)["history"]
    assert isinstance(history, list)
    assert "强制销号,第1项措施未完成" in history[-1]["note"]


def test_close_dry_run_prints_the_diff_and_writes_nothing(root: Path) -> None:
    before = issue_path(root, 3).read_bytes()
    result = cli(root, "close", "3", "-e", "纪要", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "--- a/data/issues/003.yaml" in result.stdout
    assert "-status: 基本完成\n+status: 已完成\n" in result.stdout
    assert "+closed:\n" in result.stdout
    assert "未写入" in result.stderr
    assert issue_path(root, 3).read_bytes() == before


def test_close_refuses_a_missing_number_and_suggests_near_ones(root: Path) -> None:
    result = refused(root, 9, ["close", "9", "-e", "纪要"], "没有序号为 9 的问题")
    assert "相近的序号:3、4、5" in result.stderr


def test_close_refuses_an_already_closed_problem(root: Path) -> None:
    assert cli(root, "close", "3", "-e", "纪要").exit_code == 0
    refused(root, 3, ["close", "3", "-e", "纪要"], "问题 3 已于2021年10月1日销号,不能重复销号")


def test_close_refuses_open_measures_without_force(root: Path) -> None:
    result = refused(root, 1, ["close", "1", "-e", "纪要"], "还有 1 项整改措施未完成(第1项)")
    assert "--force" in result.stderr


def test_close_refuses_without_evidence(root: Path) -> None:
    refused(root, 3, ["close", "3"], "没有提供佐证材料,不能销号")


def test_close_refuses_evidence_outside_the_root(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    refused(root, 3, ["close", "3", "-e", str(outside)], "位于台账目录之外")
    refused(root, 3, ["close", "3", "-e", "../secret.txt"], "位于台账目录之外")
    refused(root, 3, ["close", "3", "-e", "../../nowhere.pdf"], "不在台账目录内")
    # A name the repository (the tests' working folder, searched first) does not have.
    (root / "材料").mkdir()
    (root / "材料" / "link.txt").symlink_to(outside)
    refused(root, 3, ["close", "3", "-e", "材料/link.txt"], "位于台账目录之外")
    refused(root, 3, ["close", "3", "-e", "材料"], "是目录,不是文件")


def test_close_refuses_when_the_result_would_be_invalid(root: Path) -> None:
    refused(root, 3, ["close", "3", "-e", "纪要", "--date", "2021-05-01"],
            "将出现错误,未写入:销号日期 2021-05-01 早于反馈日期 2021-06-01")


def test_a_changed_or_missing_evidence_file_is_reported(root: Path) -> None:
    name = evidence_file(root, "docs/a.txt")
    gone = evidence_file(root, "docs/b.txt")
    assert cli(root, "close", "3", "-e", name, gone).exit_code == 0
    (root / name).write_bytes(b"edited later")
    (root / gone).unlink()
    problems = validate(load(root), date(2021, 10, 1), (*CHECKS, check_evidence))
    found = {(p.code, p.location.path, p.location.line) for p in problems}
    text = issue_path(root, 3).read_text(encoding="utf-8").splitlines()
    line_a = next(i for i, line in enumerate(text, 1) if "path: docs/a.txt" in line)
    assert ("evidence-changed", "data/issues/003.yaml", line_a) in found
    assert ("evidence-missing", "data/issues/003.yaml", line_a + 2) in found


def test_a_recorded_evidence_path_out_of_the_ledger_is_reported_and_never_read(
        root: Path, tmp_path: Path) -> None:
    assert cli(root, "close", "3", "-e", "纪要").exit_code == 0
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"x")
    path = issue_path(root, 3)
    text = path.read_text(encoding="utf-8")
    pad = text[text.index("- 纪要") - 1::-1].index("\n") * " "
    path.write_text(text.replace(f"{pad}- 纪要", f"{pad}- path: ../secret.pdf\n{pad}  sha256: '0'"
                                 f"\n{pad}- path: {secret}"), encoding="utf-8")
    problems = [p for p in validate(load(root), date(2021, 10, 1), (check_evidence,))
                if p.location.path == "data/issues/003.yaml"]
    assert [(p.code, p.message) for p in problems] == [
        ("evidence-missing", "佐证材料 ../secret.pdf 不在台账目录内,视为不存在"),
        ("evidence-missing", f"佐证材料 {secret} 不在台账目录内,视为不存在")]


# ---------------------------------------------------------------- reopen


def test_reopen_restores_the_status_and_keeps_the_closing_in_history(root: Path) -> None:
    original = issue_path(root, 3).read_text(encoding="utf-8")
    assert cli(root, "close", "3", "-e", "纪要").exit_code == 0
    result = cli(root, "reopen", "3", "--reason", "问题反弹")
    assert result.exit_code == 0, result.output
    record = data(root, 3)
    assert record["status"] == "正在推进"
    assert "closed" not in record
    assert record["history"][-1] == {  # type: ignore[index]
        "date": date(2021, 10, 1), "action": "重新打开", "by": "王五",
        "note": "问题反弹(撤销2021年10月1日的销号)"}
    now = issue_path(root, 3).read_text(encoding="utf-8")
    assert now.startswith(original.replace("status: 基本完成", "status: 正在推进"))


def test_reopen_refuses_an_open_problem(root: Path) -> None:
    refused(root, 1, ["reopen", "1", "--reason", "x"],
            "问题 1 没有销号(状态:正在推进),无需重新打开")


def test_reopen_needs_a_reason(root: Path) -> None:
    # A refusal (1), not a usage error: the option was given, its text is empty.
    refused(root, 1, ["reopen", "1", "--reason", "  "], "重新打开的原因不能为空", code=1)


# ---------------------------------------------------------------- extend, log, done, status


def test_extend_appends_and_keeps_the_original_deadline(root: Path) -> None:
    result = cli(root, "extend", "1", "--to", "2022-03-31", "--reason", "需协调",
                 "--approved-by", "赵局长")
    assert result.exit_code == 0, result.output
    assert "第1次延期,原时限2021年12月31日" in result.stdout
    record = data(root, 1)
    assert record["deadline"] == date(2021, 12, 31)
    assert record["extensions"] == [{"date": date(2021, 10, 1), "to": date(2022, 3, 31),
                                     "reason": "需协调", "approved_by": "赵局长", "by": "王五"}]
    result = cli(root, "extend", "1", "--to", "2022-06-30", "--reason", "再议")
    assert "第2次延期,原时限2022年3月31日" in result.stdout


def test_extend_into_an_empty_flow_list(root: Path) -> None:
    assert cli(root, "extend", "2", "--to", "2022-01-31", "--reason", "x").exit_code == 0
    text = issue_path(root, 2).read_text(encoding="utf-8")
    assert "extensions:\n  - date: 2021-10-01\n    to: 2022-01-31\n" in text


@pytest.mark.parametrize(("number", "to", "message"), [
    (1, "2021-12-31", "新时限 2021-12-31 不晚于当前时限 2021-12-31"),
    (4, "2022-01-01", "没有可延期的时限"),
])
def test_extend_refusals(root: Path, number: int, to: str, message: str) -> None:
    refused(root, number, ["extend", str(number), "--to", to, "--reason", "x"], message)


def test_extend_refuses_a_closed_problem(root: Path) -> None:
    assert cli(root, "close", "3", "-e", "纪要").exit_code == 0
    refused(root, 3, ["extend", "3", "--to", "2022-01-01", "--reason", "x"], "已销号,无需延期")


def test_log_appends_a_dated_note(root: Path) -> None:
    result = cli(root, "log", "1", "召开推进会: 部署整改", "--date", "2021-09-15")
    assert result.exit_code == 0, result.output
    assert data(root, 1)["progress"] == [
        {"date": date(2021, 7, 2), "text": "已召开动员会"},
        {"date": date(2021, 9, 15), "text": "召开推进会: 部署整改", "by": "王五"}]


def test_today_comes_from_the_global_option(root: Path) -> None:
    result = CliRunner().invoke(app, ["--root", str(root), "--today", "2021-11-11", "log", "5",
                                      "进展"], env={"LEDGER_USER": "甲"})
    assert result.exit_code == 0, result.output
    assert data(root, 5)["progress"] == [{"date": date(2021, 11, 11), "text": "进展", "by": "甲"}]


def test_done_turns_a_string_measure_into_a_mapping_keeping_its_text(root: Path) -> None:
    result = cli(root, "done", "2", "1", "--date", "2021-09-01")
    assert result.exit_code == 0, result.output
    text = issue_path(root, 2).read_text(encoding="utf-8")
    assert 'measures: [{text: "修订制度", done: 2021-09-01}, {text: 开展检查' in text
    assert cli(root, "done", "4", "1").exit_code == 0
    assert issue_path(root, 4).read_bytes().startswith(
        b"number: 4\r\naspect: 2\r\ntitle: \xe9\x95\xbf")
    assert data(root, 4)["measures"] == [{"text": "建立长效机制", "done": date(2021, 10, 1)}]


@pytest.mark.parametrize(("args", "message"), [
    (["done", "1", "3"], "问题 1 没有第3项整改措施(共2项)"),
    (["done", "1", "0"], "问题 1 没有第0项整改措施(共2项)"),
    (["done", "1", "2"], "问题 1 的第2项措施已于2021年7月1日标记完成"),
])
def test_done_refusals(root: Path, args: list[str], message: str) -> None:
    refused(root, 1, args, message)


def test_status_changes_and_is_recorded(root: Path) -> None:
    result = cli(root, "status", "1", "基本完成")
    assert result.exit_code == 0, result.output
    assert "问题 1 状态:正在推进 → 基本完成" in result.stdout
    record = data(root, 1)
    assert record["status"] == "基本完成"
    assert record["history"] == [{"date": date(2021, 10, 1), "action": "状态变更", "by": "王五",
                                  "note": "正在推进 → 基本完成"}]
    before = issue_path(root, 1).read_bytes()
    again = cli(root, "status", "1", "基本完成")
    assert again.exit_code == 0 and "未作修改" in again.stdout
    assert issue_path(root, 1).read_bytes() == before


@pytest.mark.parametrize(("value", "message", "code"), [
    ("已完成", "不能直接把状态改为已完成", 1),
    ("超期", "未知的状态 \"超期\"", 2),
])
def test_status_refusals(root: Path, value: str, message: str, code: int) -> None:
    refused(root, 1, ["status", "1", value], message, code)


def test_status_refuses_a_closed_problem(root: Path) -> None:
    assert cli(root, "close", "3", "-e", "纪要").exit_code == 0
    refused(root, 3, ["status", "3", "正在推进"], "问题 3 已销号,不能改为正在推进")


# ---------------------------------------------------------------- new


def test_new_takes_the_next_free_number_from_the_template(root: Path) -> None:
    result = cli(root, "new", "--aspect", "1", "--subject", "1", "--title", "台账不规范: 问题。")
    assert result.exit_code == 0, result.output
    assert "已新增问题 6(data/issues/006.yaml)" in result.stdout
    record = data(root, 6)
    assert record["number"] == 6 and record["subject"] == 1
    assert record["title"] == "台账不规范: 问题。"
    assert record["history"] == [{"date": date(2021, 10, 1), "action": "新增", "by": "王五"}]
    assert not [p for p in validate(load(root), date(2021, 10, 1)) if p.severity == "error"]


def test_new_uses_the_ledgers_own_template(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "issue.yaml").write_text(
        "number: {number}\naspect: {aspect}\ntitle: {title}\nstatus: 正在推进\n# 本局模板\n",
        encoding="utf-8")
    assert cli(root, "new", "--aspect", "2", "--title", "no").exit_code == 0
    assert issue_path(root, 6).read_text(encoding="utf-8") == (
        "number: 6\naspect: 2\ntitle: 'no'\nstatus: 正在推进\n# 本局模板\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--aspect", "9", "--title", "x"], "方面 9 不存在"),
    (["--aspect", "2", "--subject", "1", "--title", "x"], "事项 1 属于方面 1,不属于方面 2"),
    (["--aspect", "1", "--subject", "5", "--title", "x"], "事项 5 不存在"),
])
def test_new_refusals(root: Path, args: list[str], message: str) -> None:
    refused(root, 0, ["new", *args], message)


def test_new_refuses_a_template_with_an_unknown_placeholder(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "issue.yaml").write_text("number: {numbr}\n", encoding="utf-8")
    refused(root, 0, ["new", "--aspect", "1", "--title", "x"], "未知的占位符 {numbr}")


def test_new_never_overwrites_a_file_that_appeared_meanwhile(root: Path) -> None:
    edit = lifecycle.new(root, 1, "x", today=date(2021, 10, 1))
    issue_path(root, 6).write_text("someone else's\n", encoding="utf-8")
    with pytest.raises(RefusedError, match="已经存在"):
        lifecycle.apply(edit)
    assert issue_path(root, 6).read_text(encoding="utf-8") == "someone else's\n"


def test_an_edit_is_not_written_over_a_file_changed_since_it_was_read(root: Path) -> None:
    edit = lifecycle.log(root, 1, "x", today=date(2021, 10, 1))
    issue_path(root, 1).write_text(ISSUES[1] + "# 刚加的\n", encoding="utf-8")
    with pytest.raises(RefusedError, match="被改动过"):
        lifecycle.apply(edit)
    assert issue_path(root, 1).read_text(encoding="utf-8").endswith("# 刚加的\n")


# ---------------------------------------------------------------- names


def test_the_name_comes_from_ledger_user_then_git(root: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert lifecycle.default_user(root, "甲") == "甲"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(root / "no-global"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    assert lifecycle.default_user(root) == ""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.name", "乙"], check=True)
    assert lifecycle.default_user(root) == "乙"


def test_an_unreadable_problem_file_is_named_not_reported_missing(root: Path) -> None:
    issue_path(root, 3).write_text("number: 3\naspect: [\n", encoding="utf-8")
    result = refused(root, 3, ["log", "3", "x"], "问题 3 的文件 data/issues/003.yaml 无法读取")
    assert "data/issues/003.yaml:" in result.stderr
    assert "没有序号" not in result.stderr


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_failed_write_exits_4_and_changes_nothing(root: Path, monkeypatch: pytest.MonkeyPatch,
                                                   step: str) -> None:
    import os

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    before = issue_path(root, 3).read_bytes()
    monkeypatch.setattr(os, step, fail)
    result = cli(root, "close", "3", "-e", "纪要")
    monkeypatch.undo()
    assert result.exit_code == 4, result.output
    assert "无法写入 003.yaml:磁盘空间已满" in result.stderr
    assert issue_path(root, 3).read_bytes() == before
    assert sorted(p.name for p in issue_path(root, 3).parent.iterdir()) == [
        "001.yaml", "002.yaml", "003.yaml", "004.yaml", "005.yaml"]


def test_a_template_linked_from_outside_the_ledger_is_not_used(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "evil.yaml"
    outside.write_text("number: {number}\naspect: {aspect}\ntitle: 外来模板\nstatus: 正在推进\n",
                       encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "issue.yaml").symlink_to(outside)
    assert cli(root, "new", "--aspect", "1", "--title", "本台账的问题").exit_code == 0
    assert data(root, 6)["title"] == "本台账的问题"


def test_an_unreadable_template_is_refused(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "issue.yaml").write_bytes(b"title: \xb9\xfa\n")
    refused(root, 0, ["new", "--aspect", "1", "--title", "x"], "无法读取模板 templates/issue.yaml")


@pytest.mark.parametrize(("template", "code", "message"), [
    ("number: 1\naspect: {aspect}\ntitle: {title}\nmeasures: [措施]\nstatus: 正在推进\n",
     "duplicate-number", "问题序号 1 与 data/issues/001.yaml 重复"),
    ("number: {number}\naspect: 9\ntitle: {title}\nmeasures: [措施]\nstatus: 正在推进\n",
     "unknown-aspect", "方面 9 不存在"),
    ("number: {number}\naspect: {aspect}\ntitle: {title}\nmeasures: [措施]\nstatus: 已完成\n",
     "done-without-closing", "没有销号记录"),
    ("number: {number}\naspect: {aspect}\ntitle: {title}\nmeasures: [措施]\ndeadline: 下周\n"
     "status: 正在推进\n", "bad-deadline", "下周"),
])
def test_new_refuses_when_the_ledgers_template_would_add_an_error(
        root: Path, template: str, code: str, message: str) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "issue.yaml").write_text(template, encoding="utf-8")
    result = refused(root, 0, ["new", "--aspect", "1", "--title", "x"],
                     "模板 templates/issue.yaml 生成的文件 data/issues/006.yaml 将出现错误,未写入")
    assert f"[{code}]" in result.stderr and message in result.stderr, result.stderr
    assert "请修正 templates/issue.yaml" in result.stderr
    assert not (root / ".ledger.lock").exists()


# ---------------------------------------------------------------- what cannot be evidence


@pytest.mark.parametrize(("make", "given", "message"), [
    (None, "data/issues/001.yaml", "是台账自身的数据文件(data/ 目录),不能作为佐证材料"),
    (None, "data/ledger.yaml", "是台账自身的数据文件(data/ 目录),不能作为佐证材料"),
    (".ledger-cache/issues.jsonl", ".ledger-cache/issues.jsonl",
     "是解析缓存(.ledger-cache)中的文件,不能作为佐证材料"),
    (".git/config", ".git/config", "位于 .git 目录中(git 的内部文件),不能作为佐证材料"),
    ("docs/.git/HEAD", "docs/.git/HEAD", "位于 .git 目录中(git 的内部文件),不能作为佐证材料"),
    (None, ".ledger.lock", "是台账的锁文件,不能作为佐证材料"),
])
def test_close_refuses_files_that_cannot_be_evidence(root: Path, make: str | None, given: str,
                                                     message: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)  # as people run it (the repository's own data/ is not in the way)
    if make is not None:
        evidence_file(root, make, b"internal")
    result = refused(root, 3, ["close", "3", "-e", given], f"佐证材料 {given} {message}")
    assert "请给出保存在台账目录中的材料文件" in result.stderr


def test_close_refuses_a_link_to_a_data_file(root: Path) -> None:
    (root / "evidence").mkdir()
    (root / "evidence" / "纪要.pdf").symlink_to(issue_path(root, 1))
    refused(root, 3, ["close", "3", "-e", "evidence/纪要.pdf"],
            "佐证材料 evidence/纪要.pdf 是台账自身的数据文件(data/ 目录),不能作为佐证材料")


@pytest.mark.parametrize(("given", "rule", "suggestion"), [
    ("evidence/003/会议纪要2.pdf", "含有 /", "evidence/003/会议纪要.pdf"),
    ("会议纪要2.pdf", "以 .pdf 结尾", "evidence/003/会议纪要.pdf"),
    ("evidence/003/照片.JPG", "含有 /", "evidence/003/照片.jpg"),
    ("docs/整改方案.docx", "含有 /", "evidence/003/整改方案.docx"),
])
def test_close_refuses_a_path_that_does_not_exist_and_suggests_the_nearest(
        root: Path, given: str, rule: str, suggestion: str) -> None:
    for name in ("会议纪要.pdf", "照片.jpg", "整改方案.docx"):
        evidence_file(root, f"evidence/003/{name}")
    result = refused(root, 3, ["close", "3", "-e", given],
                     f"佐证材料 {given} 文件不存在(看起来是文件路径:{rule})")
    assert f"您是不是想写 {suggestion}?" in result.stderr, result.stderr
    assert "如果这是纸质材料的说明" in result.stderr


def test_a_missing_path_with_nothing_near_gets_no_suggestion(root: Path) -> None:
    result = refused(root, 3, ["close", "3", "-e", "扫描件/x.pdf"],
                     "佐证材料 扫描件/x.pdf 文件不存在(看起来是文件路径:含有 /)")
    assert "您是不是想写" not in result.stderr


@pytest.mark.parametrize("text", ["会议纪要 2021-03-05", "党组会议记录(第3.5条)", "整改报告 v1.0",
                                  "https://www.example.gov.cn/zwgk/2021/tb.html"])
def test_text_that_does_not_look_like_a_path_stays_a_description(root: Path, text: str) -> None:
    result = cli(root, "close", "3", "-e", text)
    assert result.exit_code == 0, result.output
    closed = data(root, 3)["closed"]
    assert isinstance(closed, dict)
    assert closed["evidence"] == [text]


# ---------------------------------------------------------------- the size an edit will touch


def big_problem(root: Path, items: int) -> bytes:
    """Problem 5 with legal progress notes up to at least `items` lines and commas."""
    note = "- {date: 2021-07-01, text: 调度}\n"
    data = (ISSUES[5] + "\nprogress:\n" + note * (items // 2 + 1)).encode("utf-8")
    issue_path(root, 5).write_bytes(data)
    return data


def items(data: bytes) -> int:
    return data.count(b"\n") + data.count(b",") + 1


def test_an_edit_refuses_a_problem_file_over_the_cap_before_parsing_it(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.core.model import Problem
    from ledger.read import yamlsrc

    data = big_problem(root, lifecycle.EDIT_MAX_ITEMS + 1)
    composed: list[int] = []
    real_compose = yamlsrc.compose

    def counting(relpath: str, raw: bytes) -> tuple[yaml.Node | None, list[Problem]]:
        composed.append(len(raw))
        return real_compose(relpath, raw)

    monkeypatch.setattr(yamlsrc, "compose", counting)
    for args in (["log", "5", "x"], ["close", "5", "-e", "纪要", "--force"], ["done", "5", "1"],
                 ["status", "5", "基本完成"], ["reopen", "5", "--reason", "x"],
                 ["extend", "5", "--to", "2021-12-31", "--reason", "x"]):
        result = refused(root, 5, args, f"问题文件 data/issues/005.yaml 内容过多(约 "
                         f"{items(data):,} 项,按行和逗号计),超过修改命令处理的上限 20,000 项,"
                         "未修改")
        assert "ledger validate 仍可检查这个文件" in result.stderr
    assert [size for size in composed if size == len(data)] == []  # refused before any parse
    assert issue_path(root, 5).read_bytes() == data


def test_the_cap_is_inclusive(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = big_problem(root, 200)
    monkeypatch.setattr(lifecycle, "EDIT_MAX_ITEMS", items(data) - 1)
    with pytest.raises(RefusedError, match="超过修改命令处理的上限"):
        lifecycle.log(root, 5, "x", today=date(2021, 10, 1))
    monkeypatch.setattr(lifecycle, "EDIT_MAX_ITEMS", items(data))
    lifecycle.apply(lifecycle.log(root, 5, "x", today=date(2021, 10, 1)))
    assert issue_path(root, 5).read_bytes().startswith(data)


def test_a_misnamed_file_over_the_cap_is_refused_too(root: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = big_problem(root, 200)
    issue_path(root, 5).rename(issue_path(root, 5).with_name("05.yaml"))
    monkeypatch.setattr(lifecycle, "EDIT_MAX_ITEMS", items(data) - 1)
    message = f"问题文件 data/issues/05.yaml 内容过多(约 {items(data):,} 项"
    with pytest.raises(RefusedError, match=re.escape(message)):
        lifecycle.log(root, 5, "x", today=date(2021, 10, 1))


def test_a_long_line_is_not_bulk(root: Path) -> None:
    """Parsing costs per entry, not per byte: a 600 KB title is edited as usual."""
    text = ISSUES[5].replace("title: no", "title: " + "长" * 200_000)
    issue_path(root, 5).write_text(text, encoding="utf-8")
    result = cli(root, "log", "5", "x")
    assert result.exit_code == 0, result.output
