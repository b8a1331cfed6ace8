"""`ledger import` of an office's own Excel/CSV ledger, the weekly --progress round trip,
Word notices, and a ledger from nothing (init + aspect add + subject add + new).

The workbooks are built here with openpyxl in the layouts DOMAIN.md lists.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from ledger.core.dates import resolve
from ledger.notice_import.sheet import deadline_of, measures_of
from ledger.read.loader import load

from ._notice import MODEL, REPO, model_text, shipped_copy
from .conftest import Run


def _save(book: Workbook, path: Path) -> Path:
    book.save(path)
    return path


def merged_title_workbook(path: Path) -> Path:
    """Merged title row, one header row, aspects merged down, measures as numbered lines."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["中共某某局党组巡察反馈问题整改台账"])
    sheet.merge_cells("A1:J1")
    sheet.append(["序号", "问题类别", "存在问题", "整改措施", "分管领导", "牵头单位",
                  "配合单位", "完成时限", "整改目标", "预警"])
    sheet.append([1, "一、政治建设方面", "理论学习不深入的问题",
                  "1.修订学习制度\n2.开展专题读书班", "张副局长", "办公室", "人事科、机关党委",
                  datetime(2021, 6, 30), "建立长效机制", "红色预警"])
    sheet.append([2, None, "意识形态责任落实不到位的问题", "一是明确责任清单;二是每季度专题研究",
                  "李副局长", "宣传科", None, "2021年6月底前", None, None])
    sheet.merge_cells("B3:B4")
    sheet.append([3, "二、作风建设方面", "会议多文件多的问题", "精简会议文件", "王副局长",
                  "办公室", None, "立行立改", None, None])
    sheet.append([4, None, "调查研究不深入的问题", "(1)制定调研计划;(2)形成调研报告", "王副局长",
                  "政策法规科", None, "长期坚持", None, None])
    sheet.merge_cells("B5:B6")
    return _save(book, path)


def test_merged_title_numbered_lines_dates_and_remarks(run: Run, tmp_path: Path) -> None:
    into = tmp_path / "ledger"
    workbook = merged_title_workbook(tmp_path / "台账.xlsx")
    result = run("--today", "2021-03-01", "import", workbook, "--into", into)
    assert result.exit_code == 6, result.output  # the sheet has no feedback date: warned
    assert "warning[import-no-inspection]" in result.stderr
    assert "分管领导→责任领导" in result.stdout and "完成时限→整改时限" in result.stdout
    assert "未识别的列 整改目标" in result.stdout
    ledger = load(into).ledger
    assert ledger.header.title == "中共某某局党组巡察反馈问题整改台账"
    assert ledger.header.issuer == "中共某某局党组"
    assert ledger.header.inspection.kind == "巡察"
    assert [a.title for a in ledger.header.aspects] == ["政治建设方面", "作风建设方面"]
    issues = ledger.issues
    assert [(i.number, i.aspect) for i in issues] == [(1, 1), (2, 1), (3, 2), (4, 2)]
    assert [m.text for m in issues[0].measures] == ["修订学习制度", "开展专题读书班"]
    assert [m.text for m in issues[1].measures] == ["明确责任清单;", "每季度专题研究"]
    assert [m.text for m in issues[3].measures] == ["制定调研计划;", "形成调研报告"]
    assert (issues[0].leader, issues[0].unit, issues[0].co_units) == (
        "张副局长", "办公室", ("人事科", "机关党委"))
    assert [i.deadline.date if i.deadline and i.deadline.date else
            (i.deadline.tier if i.deadline else None) for i in issues] == [
        date(2021, 6, 30), date(2021, 6, 30), "立行立改", "长期坚持"]
    assert dict(issues[0].remarks) == {"整改目标": "建立长效机制"}
    assert dict(issues[1].remarks) == {}


def two_header_rows_workbook(path: Path) -> Path:
    """Two header rows (责任主体 over 领导/单位/责任人); a row per measure, problem cell merged."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["某某县审计局巡视反馈问题整改台账"])
    sheet.merge_cells("A1:G1")
    sheet.append(["序号", "反馈问题", "整改措施", "责任主体", None, None, "整改时限"])
    sheet.append([None, None, None, "责任领导", "责任单位", "责任人", None])
    sheet.merge_cells("D2:F2")
    for col in "ABCG":
        sheet.merge_cells(f"{col}2:{col}3")
    sheet.append([1, "专项资金管理不规范的问题", "清理专项资金", "赵局长", "财务科", "钱某",
                  "2021年9月30日"])
    sheet.append([1, "专项资金管理不规范的问题", "修订资金管理办法", "赵局长", "财务科", "钱某",
                  "2021年12月31日"])
    sheet.merge_cells("A4:A5")
    sheet.merge_cells("B4:B5")
    sheet.append([2, "审计整改跟踪不及时的问题", "建立整改跟踪台账", "孙副局长", "法规科", "周某",
                  "2021年第三季度"])
    return _save(book, path)


def test_two_header_rows_and_measures_as_rows(run: Run, tmp_path: Path) -> None:
    into = tmp_path / "ledger"
    result = run("import", two_header_rows_workbook(tmp_path / "t.xlsx"), "--into", into)
    assert result.exit_code == 6, result.output
    assert "表头在第 2, 3 行" in result.stdout
    ledger = load(into).ledger
    first, second = ledger.issues
    assert [m.text for m in first.measures] == ["清理专项资金", "修订资金管理办法"]
    assert first.measures[1].deadline is not None
    assert first.measures[1].deadline.date == date(2021, 12, 31)  # its own, later deadline
    assert (first.leader, first.unit, first.owner) == ("赵局长", "财务科", "钱某")
    assert first.deadline is not None and first.deadline.date == date(2021, 9, 30)
    assert second.deadline is not None and second.deadline.date == date(2021, 9, 30)
    assert ledger.header.inspection.kind == "巡视"


def test_one_sheet_per_aspect(run: Run, tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "政治建设"
    first.append(["序号", "问题表现", "整改措施", "责任单位"])
    first.append([1, "甲问题", "甲措施", "办公室"])
    second = book.create_sheet("作风建设")
    second.append(["序号", "问题表现", "整改措施", "责任单位"])
    second.append([2, "乙问题", "乙措施", "人事科"])
    into = tmp_path / "ledger"
    result = run("import", _save(book, tmp_path / "t.xlsx"), "--into", into)
    assert result.exit_code == 6, result.output
    ledger = load(into).ledger
    assert [a.title for a in ledger.header.aspects] == ["政治建设", "作风建设"]
    assert [(i.number, i.aspect, i.title) for i in ledger.issues] == [
        (1, 1, "甲问题"), (2, 2, "乙问题")]


def test_csv_with_map_and_dry_run(run: Run, tmp_path: Path) -> None:
    sheet = tmp_path / "台账.csv"
    sheet.write_text("编号,问题,具体措施,牵头处室,要求\n1,甲问题,甲措施,综合处,年底前\n",
                     encoding="utf-8-sig")
    into = tmp_path / "ledger"
    dry = run("import", sheet, "--into", into, "--map", "牵头处室=unit", "--dry-run")
    assert dry.exit_code == 6, dry.output
    assert "将导入1个问题" in dry.stdout and "(演练:未写入任何文件)" in dry.stdout
    assert not into.exists()
    result = run("import", sheet, "--into", into, "--map", "牵头处室=责任单位")
    assert result.exit_code == 6
    issue = load(into).ledger.issues[0]
    assert (issue.title, [m.text for m in issue.measures], issue.unit) == (
        "甲问题", ["甲措施"], "综合处")
    assert dict(issue.remarks) == {"要求": "年底前"}
    bad = run("import", sheet, "--into", tmp_path / "x", "--map", "牵头处室")
    assert bad.exit_code == 2 and "列名=字段" in bad.stderr


def test_a_sheet_without_a_problem_column_is_reported(run: Run, tmp_path: Path) -> None:
    sheet = tmp_path / "t.csv"
    sheet.write_text("某某局巡察整改台账,,\n序号,责任单位,整改时限\n1,办公室,2021-06-30\n",
                     encoding="utf-8")
    result = run("import", sheet, "--into", tmp_path / "ledger")
    assert result.exit_code == 6  # the title is a readable header: written, warned
    assert "warning[import-sheet-columns]" in result.stderr
    assert "warning[import-no-problems]" in result.stderr
    bare = tmp_path / "bare.csv"
    bare.write_text("序号,责任单位\n1,办公室\n", encoding="utf-8")
    refused = run("import", bare, "--into", tmp_path / "other")
    assert refused.exit_code == 1  # nothing readable at all: refused, nothing written
    assert "未写入文件" in refused.stderr and not (tmp_path / "other").exists()


def test_unreadable_deadline_is_warned_and_kept_out(run: Run, tmp_path: Path) -> None:
    sheet = tmp_path / "t.csv"
    sheet.write_text("序号,存在问题,整改措施,整改时限\n1,甲问题,甲措施,尽快\n", encoding="utf-8")
    result = run("import", sheet, "--into", tmp_path / "ledger")
    assert result.exit_code == 6
    assert "warning[import-sheet-value]" in result.stderr and "尽快" in result.stderr
    assert load(tmp_path / "ledger").ledger.issues[0].deadline is None


@pytest.mark.parametrize(("cell", "value"), [
    ("2021年6月底前", date(2021, 6, 30)), ("2021年12月31日前", date(2021, 12, 31)),
    ("2021.6.30", date(2021, 6, 30)), ("2021年底", date(2021, 12, 31)),
    ("2022年上半年", date(2022, 6, 30)), ("2022年第一季度", date(2022, 3, 31)),
    ("立行立改", "立行立改"), ("长期坚持", "长期坚持"), ("中期", "中期"),
    (datetime(2021, 7, 1, 0, 0), date(2021, 7, 1)), ("", None),
])
def test_deadline_cells(cell: object, value: object) -> None:
    assert deadline_of(cell)[0] == value  # type: ignore[arg-type]


def test_measures_cells() -> None:
    assert measures_of("1.甲\n2.乙\n3.丙") == ["甲", "乙", "丙"]
    assert measures_of("1、甲;2、乙") == ["甲;", "乙"]
    assert measures_of("一是甲;二是乙。") == ["甲;", "乙。"]
    assert measures_of("只有一项") == ["只有一项"]


def _fill_people_and_deadlines(root: Path) -> None:
    for path in sorted((root / "data" / "issues").glob("*.yaml")):
        number = int(path.stem)
        text = path.read_text(encoding="utf-8")
        text = text.replace("leader:\n", f"leader: 领导{number % 3}\n", 1)
        text = text.replace("unit:\n", f"unit: 单位{number % 4}\n", 1)
        text = text.replace("owner:\n", f"owner: 责任人{number}\n", 1)
        deadline = ["2021-06-30", "中期", "长期坚持"][number % 3]
        text = text.replace("deadline:\n", f"deadline: {deadline}\n", 1)
        path.write_text(text, encoding="utf-8")


def test_shipped_ledger_exported_to_xlsx_imports_back(run: Run, tmp_path: Path) -> None:
    root = shipped_copy(tmp_path)
    _fill_people_and_deadlines(root)
    workbook = tmp_path / "台账.xlsx"
    made = run("--root", root, "--today", "2021-09-01", "render", "-t", "table", "-o", workbook)
    assert made.exit_code == 0, made.output
    into = tmp_path / "back"
    result = run("--today", "2021-09-01", "import", workbook, "--into", into)
    assert result.exit_code == 6, result.output  # no feedback date in a workbook: warned
    original, back = load(root).ledger, load(into).ledger
    feedback = original.header.inspection.feedback
    assert len(back.issues) == len(original.issues) == 23
    assert [a.title for a in back.header.aspects] == [a.title for a in original.header.aspects]
    for old, new in zip(original.issues, back.issues, strict=True):
        assert (new.number, new.aspect, new.title) == (old.number, old.aspect, old.title)
        assert [m.text for m in new.measures] == [m.text for m in old.measures]
        assert (new.leader, new.unit, new.owner) == (old.leader, old.unit, old.owner)
        # A tier is exported as the date it stands for; 长期坚持 stays a tier.
        assert resolve(new.deadline, feedback) == resolve(old.deadline, feedback)
        assert (new.deadline.tier if new.deadline else None) == (
            "长期坚持" if old.deadline and old.deadline.tier == "长期坚持" else None)


def _returned(tmp_path: Path, root: Path, unit: str) -> Path:
    sheet = tmp_path / f"{unit}.xlsx"
    made = run_cli(root, "render", "-t", "table", "--unit", unit, "-o", sheet)
    assert made == 0
    return sheet


def run_cli(root: Path, *args: str | Path) -> int:
    from typer.testing import CliRunner

    from ledger.cli import app

    result = CliRunner().invoke(app, ["--root", str(root), "--today", "2021-09-01",
                                      *map(str, args)])
    return result.exit_code


def test_weekly_progress_round_trip(run: Run, tmp_path: Path) -> None:
    root = shipped_copy(tmp_path)
    _fill_people_and_deadlines(root)
    sheet = _returned(tmp_path, root, "单位1")
    book = load_workbook(sheet)
    table = book["台账"]
    heads = [cell.value for cell in table[2]]
    progress_col = heads.index("整改进展") + 1
    numbers = [row[0].value for row in table.iter_rows(min_row=3)]
    assert numbers[:3] == [1, 5, 9]
    table.cell(3, progress_col, "2021年8月30日 已召开专题会议部署整改")
    table.cell(4, heads.index("问题") + 1, "改过的问题描述")  # problem 5: a conflict
    table.cell(5, progress_col, "完成制度修订初稿")  # problem 9, no date: dated today
    table.cell(6, 1, 99)  # a number the ledger does not have
    book.save(sheet)
    before = (root / "data" / "issues" / "001.yaml").read_bytes()
    dry = run("--root", root, "--today", "2021-09-01", "import", sheet, "--progress",
              "--dry-run")
    assert dry.exit_code == 6, dry.output
    assert "新增进展 2 条" in dry.stdout and "冲突 2 行" in dry.stdout
    assert "序号 99 在台账中不存在" in dry.stdout and "序号 5 的问题描述与台账不一致" in dry.stdout
    assert (root / "data" / "issues" / "001.yaml").read_bytes() == before
    result = run("--root", root, "--today", "2021-09-01", "import", sheet, "--progress")
    assert result.exit_code == 6, result.output
    ledger = load(root).ledger
    first = ledger.issues[0]
    assert [(n.date, n.text, n.by) for n in first.progress] == [
        (date(2021, 8, 30), "已召开专题会议部署整改", "单位1")]
    ninth = ledger.issues[8]
    assert [(n.date, n.text, n.by) for n in ninth.progress] == [
        (date(2021, 9, 1), "完成制度修订初稿", "单位1")]
    assert first.title == load(REPO).ledger.issues[0].title  # nothing else touched
    # The same sheet again: everything is already there.
    sheet2 = _returned(tmp_path, root, "单位1")
    again = run("--root", root, "--today", "2021-09-01", "import", sheet2, "--progress")
    assert again.exit_code == 0, again.output
    assert "新增进展 0 条" in again.stdout and "冲突 0 行" in again.stdout


def test_word_notice_imports_like_its_text(run: Run, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in model_text().split("\n"):
        document.add_paragraph(line)
    word = tmp_path / "通报.docx"
    document.save(str(word))
    from_word, from_text = tmp_path / "w", tmp_path / "t"
    assert run("import", word, "--into", from_word).exit_code == 0
    assert run("import", MODEL, "--into", from_text).exit_code == 0
    for path in sorted((from_text / "data").rglob("*.yaml")):
        assert (from_word / path.relative_to(from_text)).read_bytes() == path.read_bytes()


def test_a_broken_word_file_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    word = tmp_path / "通报.docx"
    word.write_bytes(b"not a zip")
    result = run("import", word, "--into", tmp_path / "x")
    assert result.exit_code == 2 and "不是有效的 Word 文档" in result.stderr


def test_init_aspect_subject_and_new_build_a_ledger(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "新台账"
    steps = [
        ["init", "--issuer", "中共某某局党组", "--title", "关于市委巡察反馈意见整改情况的通报",
         "--kind", "巡察", "--feedback", "2024-03-01", "--by", "市委第一巡察组",
         "--start", "2023-11-01", "--end", "2023-12-20"],
        ["aspect", "add", "关于党的领导方面问题"],
        ["aspect", "add", "关于作风建设方面问题"],
        ["subject", "add", "关于学习不深入问题", "--aspect", "1"],
        ["new", "--aspect", "1", "--subject", "1", "--title", "学习走过场的问题。"],
        ["new", "--aspect", "2", "--title", "会议多的问题。"],
    ]
    for step in steps:
        result = run("--root", root, "--today", "2024-03-05", *step)
        assert result.exit_code == 0, (step, result.output)
    assert run("--root", root, "subject", "add", "x", "--aspect", "9").exit_code == 1
    again = run("--root", root, "init", "--issuer", "x", "--title", "y", "--kind", "巡察",
                "--feedback", "2024-03-01")
    assert again.exit_code == 1 and "已有台账" in again.stderr
    validated = run("--root", root, "--today", "2024-03-05", "validate")
    assert validated.exit_code == 0, validated.output
    rendered = run("--root", root, "--today", "2024-03-05", "render")
    assert rendered.exit_code == 0
    assert "一、关于党的领导方面问题" in rendered.stdout
    assert "(一)关于学习不深入问题" in rendered.stdout
    assert "1.学习走过场的问题。" in rendered.stdout and "2.会议多的问题。" in rendered.stdout
    ledger = load(root).ledger
    assert ledger.header.inspection.by == "市委第一巡察组"
    assert [i.subject for i in ledger.issues] == [1, None]


def test_init_refuses_an_unknown_kind(run: Run, tmp_path: Path) -> None:
    result = run("--root", tmp_path / "l", "init", "--issuer", "x", "--title", "y",
                 "--kind", "检查", "--feedback", "2024-03-01")
    assert result.exit_code == 2 and "未知的检查类别" in result.stderr
    assert not (tmp_path / "l").exists()
