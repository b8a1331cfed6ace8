"""Money on the output side (issue 14): `ledger stats`, the workbook and `ledger show`.

Every figure is checked exactly on a copy of examples/audit; the workbook's
amounts are numbers whose stored digits and number format show the ledger's
own text, and its 统计 sheet holds the same money figures as `stats --format csv`.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ledger.read.loader import load
from ledger.report.stats import as_csv, as_data, compute, money_lines, tables

from .conftest import REPO, Run

EXAMPLE = REPO / "examples" / "audit"
TODAY = "2024-12-20"
DAY = date.fromisoformat(TODAY)

MONEY_LINES = [
    "金额:审计查出问题金额1752.66万元,已整改1267.30万元,整改率72.31%。",
    "整改方式:上缴财政356.80万元、归还原渠道110.50万元、调整账目600.00万元、盘活资金200.00万元",
    "整改成果:问责5人,给予党纪政务处分1人,制定完善制度4项,追缴资金40.00万元。",
]
WAYS_HEADS = ["上缴财政(万元)", "归还原渠道(万元)", "调整账目(万元)", "盘活资金(万元)"]
MONEY_HEADS = ["涉及金额的问题数", "问题金额(万元)", "已整改金额(万元)", "未整改金额(万元)",
               "整改率", *WAYS_HEADS]
# By aspect: 1 = problems 1 and 2 (356.80 + 1045.36), 2 = problems 3 and 4 (120.00 + 230.50);
# aspect 3 (problem 5) carries no amounts and has no money row.
BY_ASPECT = [
    ["方面", *MONEY_HEADS],
    ["1 预算管理方面", "2", "1402.16", "956.80", "445.36", "68.24%",
     "356.80", "0.00", "600.00", "0.00"],
    ["2 专项资金管理使用方面", "2", "350.50", "310.50", "40.00", "88.59%",
     "0.00", "110.50", "0.00", "200.00"],
    ["合计", "4", "1752.66", "1267.30", "485.36", "72.31%", "356.80", "110.50", "600.00", "200.00"],
]
BY_UNIT = [
    ["责任单位", *MONEY_HEADS],
    ["预算股", "1", "356.80", "356.80", "0.00", "100%", "356.80", "0.00", "0.00", "0.00"],
    ["会计核算中心", "1", "1045.36", "600.00", "445.36", "57.4%", "0.00", "0.00", "600.00", "0.00"],
    ["农业股", "2", "350.50", "310.50", "40.00", "88.59%", "0.00", "110.50", "0.00", "200.00"],
    ["合计", "4", "1752.66", "1267.30", "485.36", "72.31%", "356.80", "110.50", "600.00", "200.00"],
]
RESULTS = [
    ["整改成果", "数量", "单位", "金额(万元)"],
    ["问责", "5", "人", ""],
    ["党纪政务处分", "1", "人", ""],
    ["制定完善制度", "4", "项", ""],
    ["追缴资金", "", "", "40.00"],
]


@pytest.fixture
def audit(tmp_path: Path) -> Path:
    root = tmp_path / "audit"
    shutil.copytree(EXAMPLE, root)
    return root


def _issue(root: Path, number: int) -> Path:
    return root / "data" / "issues" / f"{number:03d}.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _csv_tables(text: str) -> list[list[list[str]]]:
    """`stats --format csv` split into its tables (a blank line between)."""
    out: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))):
        if row:
            out[-1].append(row)
        else:
            out.append([])
    return out


# ---------------------------------------------------------------- ledger stats


def test_stats_money_is_exact_by_aspect_and_unit(audit: Path) -> None:
    stats = compute(load(audit).ledger, DAY)
    assert stats.money is not None
    assert (stats.money.problems, stats.money.involved, stats.money.rectified) == \
        (4, Decimal("1752.66"), Decimal("1267.30"))
    assert stats.money.rate == "72.31"  # the completion-rate formula: 1267.30 ÷ 1752.66
    assert money_lines(stats) == MONEY_LINES
    found = {table.title: [list(table.headers), *table.rows] for table in tables(stats)}
    assert list(found) == ["按方面", "按方面(金额)", "按责任单位", "按责任单位(金额)",
                           "按责任领导", "按时限类别", "整改成果"]
    assert found["按方面(金额)"] == BY_ASPECT
    assert found["按责任单位(金额)"] == BY_UNIT
    assert found["整改成果"] == RESULTS


def test_stats_text_shows_money_lines_and_tables(run: Run, audit: Path) -> None:
    result = run("--root", audit, "--today", TODAY, "stats", "--by", "unit")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[6:9] == MONEY_LINES
    at = lines.index("按责任单位(金额):")
    assert [line.split() for line in lines[at + 1:at + 6]] == BY_UNIT
    assert "按方面(金额):" not in lines  # only the breakdowns asked for
    at = lines.index("整改成果:")
    assert [line.split() for line in lines[at + 1:at + 6]] == [
        ["整改成果", "数量", "单位", "金额(万元)"], ["问责", "5", "人"],
        ["党纪政务处分", "1", "人"], ["制定完善制度", "4", "项"], ["追缴资金", "40.00"]]


def test_stats_csv_has_the_money_tables(run: Run, audit: Path) -> None:
    result = run("--root", audit, "--today", TODAY, "stats", "--by", "aspect", "-f", "csv")
    assert result.exit_code == 0, result.output
    found = _csv_tables(result.stdout)
    assert len(found) == 3
    assert found[0][0][:2] == ["方面", "问题数"]
    assert found[1:] == [BY_ASPECT, RESULTS]


def test_stats_markdown_has_the_money_sections(run: Run, audit: Path) -> None:
    md = run("--root", audit, "--today", TODAY, "stats", "--by", "aspect", "-f", "md").stdout
    for line in MONEY_LINES:
        assert f"- {line}\n" in md
    assert "\n## 按方面(金额)\n\n| 方面 | 涉及金额的问题数 | 问题金额(万元) |" in md
    assert ("| 合计 | 4 | 1752.66 | 1267.30 | 485.36 | 72.31% | 356.80 | 110.50 | 600.00 "
            "| 200.00 |") in md
    assert "\n## 整改成果\n\n| 整改成果 | 数量 | 单位 | 金额(万元) |" in md
    assert "| 追缴资金 |  |  | 40.00 |" in md


def test_stats_json_money_is_exact_text(run: Run, audit: Path) -> None:
    result = run("--root", audit, "--today", TODAY, "stats", "-f", "json")
    data = json.loads(result.stdout)
    assert data["money"] == {
        "unit": "万元", "problems": 4, "involved": "1752.66", "rectified": "1267.30",
        "unrectified": "485.36", "rate": "72.31%",
        "ways": {"上缴财政": "356.80", "归还原渠道": "110.50", "调整账目": "600.00",
                 "盘活资金": "200.00"},
        "sentence": "审计查出问题金额1752.66万元,已整改1267.30万元,整改率72.31%。"}
    assert data["results"][3] == {"label": "追缴资金", "unit": "万元", "value": "40.00",
                                  "text": "追缴资金40.00万元"}
    assert data["results"][0] == {"label": "问责", "unit": "人", "value": 5, "text": "问责5人"}
    unit = {group["key"]: group.get("money") for group in data["by_unit"]}
    assert unit["会计核算中心"] == {
        "problems": 1, "involved": "1045.36", "rectified": "600.00", "unrectified": "445.36",
        "rate": "57.4%", "ways": {"调整账目": "600.00"}}
    assert unit["办公室"] == {"problems": 0, "involved": "0.00", "rectified": "0.00",
                            "unrectified": "0.00", "rate": "0%", "ways": {}}
    assert all("money" not in group for group in data["by_leader"])


def test_stats_money_path_has_no_float(audit: Path) -> None:
    """Compute and every output of stats with float operations trapped in Decimal."""
    with decimal.localcontext() as ctx:
        ctx.traps[decimal.FloatOperation] = True
        stats = compute(load(audit).ledger, DAY)
        data = as_data(stats)
        text = as_csv(stats)
    assert stats.money is not None
    for value in (stats.money.involved, stats.money.rectified,
                  *(amount for _, amount in stats.money.ways)):
        assert type(value) is Decimal
    money_parts = [data["money"], data["results"], *(group["money"]
                   for by in ("by_aspect", "by_unit") for group in data[by])]
    assert not re.search(r"\d\.\d{3,}|e[+-]", json.dumps(money_parts))  # no float's digits
    assert "1752.66,1267.30,485.36,72.31%" in text


def test_stats_sums_thousands_of_amounts_exactly(audit: Path) -> None:
    """3000 problems of 0.10 … under one unit: the unit's and the ledger's sums are exact."""
    template = _issue(audit, 3).read_text(encoding="utf-8")
    cents = 0
    for number in range(6, 3006):
        value = f"{number // 7}.{number % 100:02d}"
        cents += (number // 7) * 100 + number % 100
        _issue(audit, number).write_text(
            template.replace("number: 3", f"number: {number}")
            .replace('involved: "120.00"', f'involved: "{value}"')
            .replace('rectified: "80.00"', f'rectified: "{value}"')
            .replace('归还原渠道: "80.00"', f'归还原渠道: "{value}"'), encoding="utf-8")
    stats = compute(load(audit).ledger, DAY, by="unit")
    unit = next(group for group in stats.breakdown("unit").groups if group.key == "农业股")
    assert unit.money is not None
    total = Decimal(cents) / 100
    assert unit.money.involved == total + Decimal("350.50")
    assert unit.money.way("归还原渠道") == total + Decimal("110.50")
    assert stats.money is not None
    assert stats.money.involved == total + Decimal("1752.66")


def test_stats_without_money_or_results_unchanged(run: Run, base_ledger: Path) -> None:
    text = run("--root", base_ledger, "--today", "2021-09-01", "stats").stdout
    data = json.loads(run("--root", base_ledger, "--today", "2021-09-01", "stats",
                          "-f", "json").stdout)
    assert "金额" not in text and "整改成果" not in text
    assert "money" not in data and "results" not in data
    assert all("money" not in group for group in data["by_aspect"])


def test_stats_results_without_money(run: Run, base_ledger: Path) -> None:
    """A 巡察 ledger with side results but no amounts: the results table, no money column."""
    header = base_ledger / "data" / "ledger.yaml"
    _edit(header, "aspects:", "results:\n  - {label: 问责, count: 2}\n"
          "  - {label: 召开警示教育大会, count: 1, unit: 次}\naspects:")
    result = run("--root", base_ledger, "--today", "2021-09-01", "stats", "-f", "csv")
    assert result.exit_code == 0, result.output
    found = _csv_tables(result.stdout)
    assert found[-1] == [["整改成果", "数量", "单位"], ["问责", "2", "人"],
                         ["召开警示教育大会", "1", "次"]]
    assert not any("涉及金额的问题数" in table[0] for table in found)
    text = run("--root", base_ledger, "--today", "2021-09-01", "stats").stdout
    assert "整改成果:问责2人,召开警示教育大会1次。\n" in text and "金额:" not in text


# ---------------------------------------------------------------- the workbook


def _render_xlsx(run: Run, root: Path, *args: str) -> Path:
    out = root / "台账.xlsx"
    result = run("--root", root, "--today", TODAY, "render", "-t", "table", "-o", out, *args)
    assert result.exit_code == 0, result.output
    return out


def _stored(path: Path, sheet: int) -> dict[str, str]:
    """The number cells of a sheet as stored in its XML: coordinate → the <v> text."""
    with zipfile.ZipFile(path) as book:
        xml = book.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    return dict(re.findall(r'<c r="([A-Z]+[0-9]+)"[^>]*t="n"[^>]*><v>([^<]*)</v>', xml))


def _shown(cell: Any) -> str:
    """What a spreadsheet shows for a cell: a number in its 0 / 0.00 format, else the text."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and re.fullmatch(r"0(\.0+)?", cell.number_format):
        places = len(cell.number_format) - 2 if "." in cell.number_format else 0
        return f"{Decimal(repr(value)).quantize(Decimal(1).scaleb(-places)):f}"
    return str(value)


def test_workbook_amount_columns_are_exact_numbers(run: Run, audit: Path) -> None:
    path = _render_xlsx(run, audit)
    sheet = openpyxl.load_workbook(path)["台账"]
    assert [cell.value for cell in sheet[2]][-3:] == ["销号日期", "问题金额(万元)",
                                                      "已整改金额(万元)"]
    stored = _stored(path, 1)
    table = run("--root", audit, "--today", TODAY, "render", "-t", "table", "-f", "csv").stdout
    rows = list(csv.reader(io.StringIO(table.removeprefix("\ufeff"))))[1:]
    assert len(rows) == 6  # five problems and 合计
    for number, row in enumerate(rows, start=3):
        for column, text in (("N", row[10]), ("O", row[11])):
            cell = sheet[f"{column}{number}"]
            if not text:
                assert cell.value is None
                continue
            # The file holds the ledger's digits, the format its decimals: shown = text.
            assert stored[f"{column}{number}"] == text
            assert cell.number_format == "0.00"
            assert isinstance(cell.value, float)
            assert _shown(cell) == text
    assert [sheet["A8"].value, _shown(sheet["N8"]), _shown(sheet["O8"])] == \
        ["合计", "1752.66", "1267.30"]
    assert sheet["A8"].font.bold and sheet["N8"].font.bold
    assert sheet.auto_filter.ref == "A2:O7"  # the 合计 row is not sorted with the problems
    assert sheet["A1"].value == "某县财政局党组审计反馈问题整改台账"
    assert "A1:O1" in {str(cells) for cells in sheet.merged_cells.ranges}


def test_workbook_amounts_keep_declared_decimals_and_long_amounts_stay_text(
        run: Run, audit: Path) -> None:
    _edit(audit / "data" / "ledger.yaml", "money_decimals: 2", "money_decimals: 3")
    _edit(_issue(audit, 1), 'involved: "356.80"', 'involved: "123456789012345.678"')
    _edit(_issue(audit, 2), 'involved: "1045.36"', 'involved: "1234567890.125"')
    path = _render_xlsx(run, audit)
    sheet = openpyxl.load_workbook(path)["台账"]
    stored = _stored(path, 1)
    # 18 digits: more than a spreadsheet number shows, so the exact text instead.
    assert (sheet["N3"].value, sheet["N3"].data_type) == ("123456789012345.678", "s")
    assert (stored["N4"], sheet["N4"].number_format, _shown(sheet["N4"])) == \
        ("1234567890.125", "0.000", "1234567890.125")
    assert (stored["O3"], _shown(sheet["O3"])) == ("356.800", "356.800")
    total = Decimal("123456789012345.678") + Decimal("1234567890.125") + Decimal("350.50")
    assert sheet["N8"].value == f"{total:f}" == "123458023580586.303"


def test_workbook_statistics_money_equals_stats_csv(run: Run, audit: Path) -> None:
    path = _render_xlsx(run, audit)
    sheet = openpyxl.load_workbook(path)["统计"]
    assert [sheet[f"A{row}"].value for row in (3, 4, 5)] == MONEY_LINES
    found: list[list[list[str]]] = [[]]
    for row in sheet.iter_rows(min_row=7):
        cells = [_shown(cell) for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            found[-1].append(cells)
        else:
            found.append([])
    result = run("--root", audit, "--today", TODAY, "stats", "--format", "csv")
    expected = _csv_tables(result.stdout)

    def money(tables: list[list[list[str]]]) -> list[list[list[str]]]:
        """The money and results tables, each row cut after its last filled cell."""
        return [[row[:max(i for i, cell in enumerate(row, start=1) if cell)] for row in table]
                for table in tables
                if "涉及金额的问题数" in table[0] or table[0][0] == "整改成果"]

    assert money(found) == money(expected) == money([BY_ASPECT, BY_UNIT, RESULTS])
    stored = set(_stored(path, 2).values())
    assert {"1752.66", "1267.30", "485.36", "1402.16", "956.80", "40.00"} <= stored


def test_workbook_without_money_has_no_amount_columns(run: Run, base_ledger: Path) -> None:
    out = base_ledger / "台账.xlsx"
    result = run("--root", base_ledger, "--today", "2021-09-01", "render", "-t", "table",
                 "-o", out)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["台账"]
    assert sheet.max_column == 13
    assert all(cell.value != "合计" for cell in sheet["A"])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_shows_the_ledgers_amounts(run: Run, audit: Path, tmp_path: Path) -> None:
    """A real spreadsheet program's displayed text ("save as shown") equals the ledger's."""
    path = _render_xlsx(run, audit)
    filters = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1'
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", filters, "--outdir", str(tmp_path / "out"), str(path)],
                   check=True, capture_output=True, timeout=300)
    shown = (tmp_path / "out" / "台账-台账.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(shown)))
    assert [row[-2:] for row in rows[2:]] == [
        ["356.80", "356.80"], ["1045.36", "600.00"], ["120.00", "80.00"],
        ["230.50", "230.50"], ["", ""], ["1752.66", "1267.30"]]
    stats = list(csv.reader(io.StringIO(
        (tmp_path / "out" / "台账-统计.csv").read_text(encoding="utf-8"))))
    assert [cell for cell in stats[15] if cell] == BY_ASPECT[-1]


# ---------------------------------------------------------------- ledger show


def test_show_has_the_problems_amounts_and_results(run: Run, audit: Path) -> None:
    out = run("--root", audit, "--today", TODAY, "show", "3").stdout.splitlines()
    at = next(index for index, line in enumerate(out) if line.startswith("整改时限"))
    assert out[at + 1:at + 5] == ["问题金额:120.00万元", "已整改金额:80.00万元(整改率66.67%)",
                                  "整改方式:归还原渠道80.00万元",
                                  "整改成果:问责2人,追缴资金40.00万元。"]
    four = run("--root", audit, "--today", TODAY, "show", "4").stdout
    assert "\n整改方式:盘活资金200.00万元、归还原渠道30.50万元\n" in four
    five = run("--root", audit, "--today", TODAY, "show", "5").stdout
    assert "\n整改成果:制定完善制度4项。\n" in five and "金额" not in five


def test_show_without_rectified_and_unsafe_labels(run: Run, audit: Path) -> None:
    _edit(_issue(audit, 3), '  rectified: "80.00"\n  ways:\n    归还原渠道: "80.00"\n', "")
    _edit(_issue(audit, 3), "{label: 问责, count: 2}",
          '{label: "警示\\u202e教育\\x1b[2J", count: 2, unit: 次}')
    result = run("--root", audit, "--today", TODAY, "show", "3")
    out = result.stdout
    assert "\n问题金额:120.00万元\n已整改金额:未填写(合计时按 0 计)\n" in out
    assert "整改成果:追缴资金40.00万元,警示\\u202e教育\\x1b[2J2次。\n" in out
    assert "\x1b" not in out and "\u202e" not in out


def test_show_without_money_says_nothing_of_it(run: Run, base_ledger: Path) -> None:
    out = run("--root", base_ledger, "--today", "2021-09-01", "show", "1").stdout
    assert "金额" not in out and "整改成果" not in out
