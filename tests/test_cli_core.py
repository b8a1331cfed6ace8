"""The core commands through the CLI: exit codes, exact output, filters, root discovery."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ledger.core.model import Issue, Policy
from ledger.deadline.standing import standing
from ledger.present.diagnostics import width
from ledger.present.tables import plain_table

from .conftest import Run

TODAY = "2021-09-01"


def test_list_plain_text_exact(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "--today", TODAY, "list")
    assert result.exit_code == 0
    assert result.stdout == (
        "序号  方面  问题                  责任单位  时限               状态            剩余天数\n"
        "1     1     学习走过场的问题。    办公室    短期 2021年8月1日  正在推进(超期)  超期 31 天\n"  # noqa: E501
        "2     2     会议多文件多的问题。  综合科    2021年12月31日     已完成          —\n"
        "共 2 项\n"
    )


def test_list_columns_align_with_wide_characters(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "--today", TODAY, "list")
    lines = result.stdout.splitlines()[:-1]
    # The 责任单位 column starts at the same display column on every line.
    starts = {width(line[: line.index(unit)])
              for line, unit in zip(lines, ("责任单位", "办公室", "综合科"), strict=True)}
    assert len(starts) == 1


def test_list_filters(run: Run, base_ledger: Path) -> None:
    def numbers(*args: str) -> list[int]:
        result = run("--root", base_ledger, "--today", TODAY, "list", "--json", *args)
        assert result.exit_code == 0, result.output
        return [row["number"] for row in json.loads(result.stdout)]

    assert numbers() == [1, 2]
    assert numbers("--open") == [1]
    assert numbers("--closed") == [2]
    assert numbers("--overdue") == [1]
    assert numbers("--status", "已完成") == [2]
    assert numbers("--status", "超期") == [1]
    assert numbers("--unit", "综合") == [2]
    assert numbers("--aspect", "1") == [1]


def test_list_json_fields(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "--today", TODAY, "list", "--json")
    first = json.loads(result.stdout)[0]
    assert first["deadline"] == "2021-08-01"  # 短期 = feedback 2021-06-01 + 2 months
    assert first["days_left"] == -31
    assert first["display_status"] == "正在推进(超期)"


def test_measure_deadline_earlier_counts(run: Run, base_ledger: Path) -> None:
    path = base_ledger / "data/issues/001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("2021-09-30", "2021-07-15"),
                    encoding="utf-8")
    result = run("--root", base_ledger, "--today", TODAY, "list", "--json", "--open")
    assert json.loads(result.stdout)[0]["deadline"] == "2021-07-15"


def test_list_rejects_unknown_status(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "list", "--status", "完成")
    assert result.exit_code == 2
    assert "未知的状态" in result.output


def test_list_open_and_closed_together(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "list", "--open", "--closed")
    assert result.exit_code == 2


def test_show_exact(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "--today", TODAY, "show", "2")
    assert result.exit_code == 0
    assert result.stdout == (
        "问题 2:会议多文件多的问题。\n"
        "文件:data/issues/002.yaml\n"
        "方面:2 关于作风建设方面问题\n"
        "状态:已完成\n"
        "责任领导:—\n"
        "责任单位:综合科\n"
        "责任人:—\n"
        "整改时限:2021年12月31日(问题时限)\n"
        "整改措施(1项):\n"
        "  1. [完成] 精简会议。(完成于 2021年10月1日)\n"
        "销号:2021年10月8日,经办人 张三\n"
        "  佐证:会议纪要 2021-10-05\n"
        "记录:\n"
        "  2021年10月8日 销号(张三)\n"
    )


def test_show_days_left(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "--today", "2021-07-20", "show", "1")
    assert "整改时限:2021年8月1日(问题时限,短期),还剩 12 天\n" in result.stdout


def test_show_unknown_number_suggests(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "show", "7")
    assert result.exit_code == 1
    assert "没有序号为 7 的问题" in result.output
    assert "相近的序号:1、2" in result.output


def test_invalid_ledger_still_lists_with_warning(run: Run, base_ledger: Path) -> None:
    (base_ledger / "data/issues/003.yaml").write_text("number: [\n", encoding="utf-8")
    result = run("--root", base_ledger, "list")
    assert result.exit_code == 0
    assert "台账有 1 个错误" in result.output


def test_root_found_from_subfolder(run: Run, base_ledger: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(base_ledger / "data" / "issues")
    result = run("validate")
    assert result.exit_code == 0


def test_root_from_environment(run: Run, base_ledger: Path, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGER_ROOT", str(base_ledger))
    assert run("validate").exit_code == 0


def test_no_ledger_exit_2(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("list")
    assert result.exit_code == 2
    assert "找不到 data/ledger.yaml" in result.output


def test_bad_root_exit_2(run: Run, tmp_path: Path) -> None:
    result = run("--root", tmp_path / "nowhere", "validate")
    assert result.exit_code == 2
    assert "不是台账目录" in result.output


def test_bad_today_exit_2(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "--today", "2021-02-30", "list")
    assert result.exit_code == 2
    assert "2021年2月没有30日" in result.output


def test_warnings_alone_exit_0(run: Run, base_ledger: Path) -> None:
    path = base_ledger / "data/issues/002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: 已完成", "status: 正在推进"),
                    encoding="utf-8")
    result = run("--root", base_ledger, "validate")
    assert result.exit_code == 0
    assert "warning[closing-on-open]" in result.stdout
    assert result.stdout.endswith("共 0 个错误,1 个警告。\n")


def test_text_diagnostic_has_line_caret_and_hint(run: Run, base_ledger: Path) -> None:
    path = base_ledger / "data/issues/001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: 正在推进", "status: 完成"),
                    encoding="utf-8")
    result = run("--root", base_ledger, "validate")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "data/issues/001.yaml:14:9: error[unknown-status]: 未知的状态 \"完成\"\n"
        "   14 | status: 完成\n"
        "      |         ^\n"
        "  提示:整改完成但未销号的,写 基本完成;已有佐证材料的,用 ledger close 销号")


def test_caret_counts_wide_characters(run: Run, base_ledger: Path) -> None:
    path = base_ledger / "data/issues/001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "co_units: []", "co_units: []\n协办: 某处"), encoding="utf-8")
    result = run("--root", base_ledger, "validate")
    assert "   12 | 协办: 某处\n      | ^\n" in result.stdout


def test_github_format(run: Run, base_ledger: Path) -> None:
    path = base_ledger / "data/issues/001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("aspect: 1", "aspect: 9"),
                    encoding="utf-8")
    result = run("--root", base_ledger, "validate", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "::error file=data/issues/001.yaml,line=2,col=9,title=unknown-aspect::方面 9 不存在")


def test_plain_table_pads_by_display_width() -> None:
    issue = Issue(number=1, aspect=1, title="中文", path="data/issues/001.yaml", unit="a")
    lines = plain_table([standing(issue, None, Policy(), date(2021, 1, 1))]).splitlines()
    assert width(lines[0].split("问题")[0]) == width(lines[1].split("中文")[0])


def _console(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "from ledger.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, check=False)


def test_usage_errors_in_chinese_exit_2(base_ledger: Path) -> None:
    result = _console("list", "--bogus", cwd=base_ledger)
    assert result.returncode == 2
    assert result.stderr.startswith("用法错误:没有这个选项 --bogus")
    result = _console("show", cwd=base_ledger)
    assert result.returncode == 2
    assert "缺少参数" in result.stderr
    result = _console("show", "abc", cwd=base_ledger)
    assert result.returncode == 2
    assert "的值无效" in result.stderr
    result = _console("frobnicate", cwd=base_ledger)
    assert result.returncode == 2
    assert "没有这个命令" in result.stderr


def test_console_exit_codes(base_ledger: Path) -> None:
    assert _console("validate", cwd=base_ledger).returncode == 0
    (base_ledger / "data/issues/003.yaml").write_text("{", encoding="utf-8")
    result = _console("validate", cwd=base_ledger)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_internal_defect_is_a_message_not_a_traceback(
        base_ledger: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from ledger import cli
    from ledger.report import query

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(query, "select", broken)
    monkeypatch.setattr(sys, "argv", ["ledger", "--root", str(base_ledger), "list"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 70
    err = capsys.readouterr().err
    assert err.startswith("程序内部错误:RuntimeError: boom\n")
    assert "Traceback" not in err


def test_long_line_is_cut_around_the_column(run: Run, base_ledger: Path) -> None:
    (base_ledger / "data/issues/003.yaml").write_text(
        "number: 3\naspect: 1\ntitle: x\nstatus: 正在推进\nmeasures: [" + "长, " * 50_000
        + "!!python/name:os.system x]\n", encoding="utf-8")
    result = run("--root", base_ledger, "validate")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "data/issues/003.yaml:5:150012: error[yaml-tag]: " \
        "measures(整改措施)第50001项带有不允许的 YAML 标签 tag:yaml.org,2002:python/name:os.system"
    assert lines[1] == "    5 | … " + "长, " * 13 + "!!python/name:os.system x]"
    assert width(lines[1][:lines[1].index("!!")]) == lines[2].index("^")
