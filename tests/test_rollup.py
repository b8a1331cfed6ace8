"""`ledger rollup`: three member ledgers, one broken; totals, phrasing, exit code, board."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ._stats import HEADER, PROBLEMS, TODAY, problem, write_ledger
from .conftest import Run


@pytest.fixture
def members(tmp_path: Path) -> list[Path]:
    first = write_ledger(tmp_path / "a")  # 7 problems, 2 closed, 1 overdue, 1 yellow, 1 green
    second = write_ledger(tmp_path / "b", {
        1: problem(1, 1, unit="办公室", deadline="2021-12-31", closed="2021-09-01"),
        2: problem(2, 1, unit="办公室", deadline="2021-09-01"),
        3: problem(3, 2, unit="综合科", deadline="2021-12-31", closed="2021-09-10"),
    }, header=HEADER.replace("中共某某局党组", "中共某某区卫健局党组"))
    broken = write_ledger(tmp_path / "c", {1: PROBLEMS[1], 2: "number: [\n"},
                          header=HEADER.replace("中共某某局党组", "中共某某区水务局党组"))
    return [first, second, broken]


def test_totals_and_phrase_with_a_broken_member(run: Run, members: list[Path]) -> None:
    result = run("--today", TODAY, "rollup", *members, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    total = data["total"]
    assert (total["total"], total["closed"], total["rate"], total["overdue"]) == \
        (10, 4, "40%", 2)
    assert data["summary"] == (
        "汇总2个单位的整改台账:反馈问题10个,完成整改4个,基本完成1个,正在推进4个,长期坚持1个,"
        "总体完成率40%;超期未完成2个。另有1个台账有错误,未计入合计。")
    assert [m["counted"] for m in data["members"]] == [True, True, False]
    assert data["members"][2]["issuer"] == "中共某某区水务局党组"
    assert data["members"][2]["errors"][0].startswith(f"{members[2]}/data/issues/002.yaml:")
    assert f"台账有错误,未计入合计:{members[2]}" in result.stderr


def test_text_rows(run: Run, members: list[Path]) -> None:
    result = run("--today", TODAY, "rollup", *members)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("汇总2个单位的整改台账:反馈问题10个")
    rows = [line.split() for line in lines[4:]]
    assert rows == [
        ["中共某某局党组", "市委第一巡察组", "巡察", "7", "2", "28.57%", "1", "1", "1", "已计入"],
        ["中共某某区卫健局党组", "市委第一巡察组", "巡察", "3", "2", "66.67%", "1", "0", "0",
         "已计入"],
        ["中共某某区水务局党组", "市委第一巡察组", "巡察", "—", "—", "—", "—", "—", "—",
         "有错误(1个),未计入"],
        ["合计", "2个单位", "10", "4", "40%", "2", "1", "1"],
    ]


def test_all_valid_exits_zero_and_list_file(run: Run, members: list[Path],
                                            tmp_path: Path) -> None:
    listing = tmp_path / "units.txt"
    listing.write_text("# 本区两个单位\na\nb  # 卫健局\n", encoding="utf-8")
    result = run("--today", TODAY, "rollup", "--list", listing, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "合计,2个单位,10,4,40%,2,1,1,"


def test_url_and_missing_folder_are_broken_members(run: Run, members: list[Path],
                                                   tmp_path: Path) -> None:
    result = run("--today", TODAY, "rollup", members[0], tmp_path / "nowhere",
                 "https://example.org/x.git", "--format", "json")
    assert result.exit_code == 1
    errors = [m["errors"] for m in json.loads(result.stdout)["members"]]
    assert errors[1] == [f"{tmp_path / 'nowhere'}:不是台账目录(找不到 data/ledger.yaml)"]
    assert errors[2] == ["https://example.org/x.git:这是仓库地址,请先克隆到本地,在清单中写本地目录"]


def test_no_members_is_a_usage_error(run: Run) -> None:
    assert run("rollup").exit_code == 2


def test_board_one_band_per_unit(run: Run, members: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "汇总.html"
    result = run("--today", TODAY, "rollup", *members, "--board", out, "--format", "md")
    assert result.exit_code == 1
    html = out.read_text(encoding="utf-8")
    assert html.count('<section class="band">') == 2
    assert html.count("data-number=") == 10
    assert html.count('data-member="中共某某区卫健局党组"') == 3
    assert "| 合计 | 2个单位 | 10 | 4 | 40% | 2 | 1 | 1 |  |" in result.stdout
