"""What the office submits: the notice as a GB/T 9704 Word document, the ledger as a workbook.

`ledger render` picks docx/xlsx from -o, refuses a --format that contradicts
the file name and a binary to a terminal; the Word notice is opened with
python-docx (page, fonts, sizes, spacing, indents, page numbers, the txt
render's text), a ledger's own templates/notice.docx is filled through docxtpl,
the workbook is opened with openpyxl. And `ledger list` loads none of it.
"""

from __future__ import annotations

import csv
import io
import os
import pty
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.shared import Length, Mm

from ._notice import TODAY, close_in_file, normal, replace_in, shipped_copy
from .conftest import REPO, Run


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return shipped_copy(tmp_path)


def _issue(root: Path, number: int) -> Path:
    return root / "data" / "issues" / f"{number:03d}.yaml"


def _out(run: Run, root: Path, target: Path, *args: str) -> Path:
    result = run("--root", root, "--today", TODAY, "render", *args, "-o", target)
    assert result.exit_code == 0, result.output
    return target


def _text(run: Run, root: Path, *args: str) -> list[str]:
    result = run("--root", root, "--today", TODAY, "render", *args)
    assert result.exit_code == 0, result.output
    return [line for line in normal(result.stdout) if line]


# ---------------------------------------------------------------- choosing the format


def test_docx_file_name_gives_a_word_document_not_text(run: Run, root: Path,
                                                       tmp_path: Path) -> None:
    page = _out(run, root, tmp_path / "通报.docx")
    assert page.read_bytes().startswith(b"PK\x03\x04")
    assert docx.Document(str(page)).paragraphs[0].text == "中共山东省人民防空办公室党组"
    sheet = _out(run, root, tmp_path / "台账.xlsx", "-t", "table")
    assert openpyxl.load_workbook(sheet).sheetnames == ["台账", "统计"]


@pytest.mark.parametrize(("args", "message"), [
    (["-f", "docx", "-o", "通报.txt"], "--format docx 与输出文件"),
    (["-f", "txt", "-o", "通报.docx"], "--format txt 与输出文件"),
    (["-t", "table", "-f", "csv", "-o", "台账.xlsx"], "--format csv 与输出文件"),
    (["-o", "通报.xlsx"], "模板 notice 没有 xlsx 格式"),
    (["-t", "table", "-o", "台账.docx"], "模板 table 没有 docx 格式"),
    (["-t", "notice.txt.j2", "-o", "通报.docx"], "不能写入"),
    (["-t", "table", "--unit", "办公室"], "只用于台账表"),
])
def test_contradictions_are_usage_errors_and_write_nothing(run: Run, root: Path, tmp_path: Path,
                                                           args: list[str], message: str) -> None:
    args = [str(tmp_path / arg) if "." in arg and not arg.endswith(".j2") else arg
            for arg in args]
    if "--unit" in args:
        args = ["-t", "notice", "--unit", "办公室"]
    result = run("--root", root, "--today", TODAY, "render", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not [path for path in tmp_path.iterdir() if path.name != "shipped"]


def test_binary_to_a_terminal_is_refused_but_a_pipe_gets_it(root: Path) -> None:
    env = {**os.environ, "LEDGER_NO_CACHE": "1"}
    command = [sys.executable, "-m", "ledger", "--root", str(root), "--today", TODAY,
               "render", "-t", "table", "-f", "xlsx"]
    main, secondary = pty.openpty()
    try:
        done = subprocess.run(command, stdout=secondary, stderr=subprocess.PIPE, env=env,
                              timeout=60, check=False)
    finally:
        os.close(secondary)
        os.close(main)
    assert done.returncode == 2
    said = done.stderr.decode()
    assert "xlsx 文件不能输出到终端" in said and "-o 台账.xlsx" in said
    piped = subprocess.run(command, capture_output=True, env=env, timeout=60, check=False)
    assert piped.returncode == 0, piped.stderr.decode()
    assert piped.stdout.startswith(b"PK\x03\x04")


# ---------------------------------------------------------------- the Word notice


def _mm(length: Length | None) -> float:
    assert length is not None
    return float(length.mm)


def _ind(para: Any) -> Any:
    """A paragraph's w:ind element (python-docx has no reader for the *Chars indents)."""
    return para._p.pPr.find(qn("w:ind"))


def _paragraph_texts(document: Any) -> list[str]:
    return [p.text.replace("\n", "") for p in document.paragraphs if p.text]


def _fonts(run: Any) -> dict[str, str | None]:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return {key: fonts.get(qn(f"w:{key}")) for key in ("eastAsia", "ascii")}


def test_word_notice_page_and_text(run: Run, root: Path, tmp_path: Path) -> None:
    document = docx.Document(str(_out(run, root, tmp_path / "通报.docx")))
    section = document.sections[0]
    width, height = _mm(section.page_width), _mm(section.page_height)
    top, bottom = _mm(section.top_margin), _mm(section.bottom_margin)
    left, right = _mm(section.left_margin), _mm(section.right_margin)
    assert [round(value) for value in (width, height, top, bottom, left, right)] == [
        210, 297, 37, 35, 28, 26]
    # 版心 156 × 225 mm.
    assert (round(width - left - right), round(height - top - bottom)) == (156, 225)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("lines", "579")
    # Paragraph for paragraph the txt render's text.
    assert _paragraph_texts(document) == _text(run, root)


def test_word_notice_fonts_sizes_spacing_indents(run: Run, root: Path, tmp_path: Path) -> None:
    document = docx.Document(str(_out(run, root, tmp_path / "通报.docx")))
    paragraphs = [p for p in document.paragraphs if p.text]
    by_text: dict[str, Any] = {}
    for para in paragraphs:  # the first of each text: the title's issuer, not the signature's
        by_text.setdefault(para.text.replace("\n", ""), para)

    def check(text: str, font: str, size: float, align: str, indent_chars: int) -> None:
        para = by_text[text]
        assert para.alignment is not None and para.alignment.name == align, text
        fmt = para.paragraph_format
        assert fmt.line_spacing is not None and round(fmt.line_spacing.pt, 2) == 28.95
        assert fmt.line_spacing_rule is not None and fmt.line_spacing_rule.name == "EXACTLY"
        ind = para._p.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:firstLineChars")) == str(indent_chars * 100), text
        first = para.runs[0]
        assert _fonts(first) == {"eastAsia": font, "ascii": font}, text
        assert first.font.size is not None and first.font.size.pt == size, text

    title = "关于十一届省委第八轮巡视整改进展情况的通报"
    check("中共山东省人民防空办公室党组", "方正小标宋简体", 22, "CENTER", 0)
    check(title, "方正小标宋简体", 22, "CENTER", 0)
    # Broken at a sense unit, not "…的通 / 报".
    assert by_text[title].text == "关于十一届省委第八轮巡视\n整改进展情况的通报"
    check("一、整改工作基本情况", "黑体", 16, "JUSTIFY", 2)
    aspect = next(text for text in by_text if text.startswith("(一)关于贯彻落实"))
    check(aspect, "楷体_GB2312", 16, "JUSTIFY", 2)
    check(next(text for text in by_text if text.startswith("1.关于学习贯彻")),
          "仿宋_GB2312", 16, "JUSTIFY", 2)
    check(next(text for text in by_text if text.startswith("(23)")), "仿宋_GB2312", 16,
          "JUSTIFY", 2)
    check(next(text for text in by_text if text.startswith("根据省委统一部署")),
          "仿宋_GB2312", 16, "JUSTIFY", 2)
    # A narrative point: the lead sentence 楷体, the rest 仿宋.
    point = by_text[next(text for text in by_text if text.startswith("(一)提高政治站位"))]
    lead = point.runs[0]
    assert lead.text == "(一)提高政治站位,深化思想认识。"
    assert _fonts(lead)["eastAsia"] == "楷体_GB2312"
    assert _fonts(point.runs[1])["eastAsia"] == "仿宋_GB2312"
    # One blank line under the title, one above the issuer.
    texts = [p.text for p in document.paragraphs]
    assert texts[2] == "" and texts[3].startswith("根据")
    assert texts[-3:] == ["", "中共山东省人民防空办公室党组", "2021年8月26日"]
    # Issuer 右空二字; the date's first character two to the right of the issuer's.
    issuer, when = document.paragraphs[-2], document.paragraphs[-1]
    assert issuer.alignment is not None and issuer.alignment.name == "RIGHT"
    assert _ind(issuer).get(qn("w:rightChars")) == "200"
    assert when.alignment is not None and when.alignment.name == "LEFT"
    # 28 characters a line: issuer begins at 28 − 2 − 14 = 12, the date at 14.
    assert _ind(when).get(qn("w:leftChars")) == "1400"


def test_word_notice_page_numbers(run: Run, root: Path, tmp_path: Path) -> None:
    document = docx.Document(str(_out(run, root, tmp_path / "通报.docx")))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    # The number's line starts 7 mm below the text block (35 mm bottom margin).
    assert round(_mm(section.footer_distance) + Mm(4.94).mm + 7) == 35
    for footer, side, indent in ((section.footer, "RIGHT", "w:rightChars"),
                                 (section.even_page_footer, "LEFT", "w:leftChars")):
        para = footer.paragraphs[0]
        assert para.text == "— 1 —"  # the PAGE field's last result
        assert para.alignment is not None and para.alignment.name == side
        assert para._p.pPr.find(qn("w:ind")).get(qn(indent)) == "100"
        instr = "".join(node.text for node in para._p.iter(qn("w:instrText")))
        assert instr.strip() == "PAGE"
        kinds = [node.get(qn("w:fldCharType")) for node in para._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        for part in para.runs:
            assert _fonts(part) == {"eastAsia": "宋体", "ascii": "宋体"}
            assert part.font.size is not None and part.font.size.pt == 14


def test_word_notice_public_version_is_the_public_text(run: Run, root: Path,
                                                       tmp_path: Path) -> None:
    replace_in(_issue(root, 5), "status: 正在推进\n", "status: 正在推进\npublic: false\n")
    document = docx.Document(str(_out(run, root, tmp_path / "公开版.docx", "--public")))
    public = _text(run, root, "--public")
    assert _paragraph_texts(document) == public
    assert public != _text(run, root)


def test_word_notice_escapes_nothing_and_runs_nothing(run: Run, root: Path,
                                                      tmp_path: Path) -> None:
    path = _issue(root, 5)
    path.write_text(re.sub(r"^title: (.*)$", r"title: '{{ 7*7 }}<b>&</b>\1'",
                           path.read_text(encoding="utf-8"), flags=re.MULTILINE),
                    encoding="utf-8")
    document = docx.Document(str(_out(run, root, tmp_path / "通报.docx")))
    assert any(p.text.startswith("(5){{ 7*7 }}<b>&</b>") for p in document.paragraphs)


# ---------------------------------------------------------------- the office's own template


def _word_template(path: Path, *paragraphs: str | tuple[str, ...]) -> None:
    """A .docx whose paragraphs hold Jinja tags; a tuple is one paragraph in several runs."""
    document = docx.Document()
    for item in paragraphs:
        para = document.add_paragraph()
        for piece in (item,) if isinstance(item, str) else item:
            para.add_run(piece)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def test_own_word_template_is_filled_with_the_same_context(run: Run, root: Path,
                                                           tmp_path: Path) -> None:
    _word_template(root / "templates" / "notice.docx",
                   "红头:{{ issuer }}",
                   ("{{ ti", "tle }}"),  # Word split the tag over two runs
                   "{%p for b in blocks %}", "{{ b.label }}{{ b.text }}", "{%p endfor %}",
                   "{{ signature }}", "{{ date }}")
    replace_in(_issue(root, 5), "title: ", "title: <b>&")
    document = docx.Document(str(_out(run, root, tmp_path / "通报.docx")))
    texts = [p.text for p in document.paragraphs]
    expected = _text(run, root)
    assert texts[:2] == ["红头:中共山东省人民防空办公室党组",
                         "关于十一届省委第八轮巡视整改进展情况的通报"]
    assert texts[2:] == expected[2:]
    assert any(text.startswith("(5)<b>&") for text in texts)
    listed = run("--root", root, "templates")
    assert "notice.docx\t本台账 templates/" in listed.stdout


@pytest.mark.parametrize(("tag", "named", "message"), [
    ("{{ titel }}", "{{ titel }}", "不存在的字段('titel' is undefined)"),
    ("{{ title | }}", "{{ title | }}", "模板语法错误"),
    ("{{ issuer.__class__.__mro__ }}", "{{ issuer.__class__.__mro__ }}", "模板"),
])
def test_a_broken_tag_names_template_and_tag(run: Run, root: Path, tmp_path: Path, tag: str,
                                            named: str, message: str) -> None:
    _word_template(root / "templates" / "notice.docx", "{{ issuer }}", f"正文 {tag} 结束")
    target = tmp_path / "通报.docx"
    result = run("--root", root, "--today", TODAY, "render", "-o", target)
    assert result.exit_code == 1, result.output
    assert f"Word 模板 templates/notice.docx,标签 {named}" in result.stderr
    assert message in result.stderr
    assert not target.exists()


def test_a_word_template_that_is_not_a_docx_is_an_error(run: Run, root: Path,
                                                        tmp_path: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "notice.docx").write_text("不是 Word 文件", encoding="utf-8")
    result = run("--root", root, "render", "-o", tmp_path / "通报.docx")
    assert result.exit_code == 1
    assert "无法读取 Word 模板 templates/notice.docx" in result.stderr


# ---------------------------------------------------------------- the workbook


def _workbook(run: Run, root: Path, tmp_path: Path, *args: str) -> Any:
    return openpyxl.load_workbook(_out(run, root, tmp_path / "台账.xlsx", "-t", "table", *args))


def test_workbook_layout(run: Run, root: Path, tmp_path: Path) -> None:
    book = _workbook(run, root, tmp_path)
    sheet = book["台账"]
    assert sheet["A1"].value == "中共山东省人民防空办公室党组巡视反馈问题整改台账"
    assert "A1:M1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert [cell.value for cell in sheet[2]] == [
        "序号", "方面", "问题", "整改措施", "责任领导", "责任单位", "协办单位", "责任人",
        "整改时限", "状态", "预警", "整改进展", "销号日期"]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.max_row - 2 == 23
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:M25"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) == 9
    assert sheet["D3"].alignment.wrap_text
    assert sheet["D3"].value.split("\n")[1].startswith("2. 组织召开三次数据工程整改推进专题会议")
    # Chinese text is two units wide: the 问题 column is wider than 序号, within its cap.
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["C"].width <= 26


def test_workbook_cells_are_the_text_tables_cells(run: Run, root: Path, tmp_path: Path) -> None:
    replace_in(_issue(root, 1), "deadline:\n", "deadline: 中期\n")
    replace_in(_issue(root, 2), "deadline:\n", "deadline: 长期坚持\n")
    close_in_file(root, 3, on="2021-08-20")
    sheet = _workbook(run, root, tmp_path)["台账"]
    table = run("--root", root, "--today", TODAY, "render", "-t", "table", "-f", "csv").stdout
    rows = list(csv.reader(io.StringIO(table.removeprefix("\ufeff"))))[1:]
    for number, row in enumerate(rows, start=3):
        assert sheet.cell(number, 10).value == row[7]  # 状态
    first = sheet.cell(3, 9)
    assert first.value.date() == date(2021, 8, 7) and first.number_format == 'yyyy"年"m"月"d"日"'
    assert rows[0][6] == "中期 2021年8月7日"
    assert sheet.cell(4, 9).value == "长期坚持" == rows[1][6]
    assert sheet.cell(5, 13).value.date() == date(2021, 8, 20)
    assert [sheet.cell(n, 11).value for n in (3, 4, 5, 6)] == [
        "红色预警", "长期坚持", "按期完成", "未设时限"]


def test_workbook_fills_by_level(run: Run, root: Path, tmp_path: Path) -> None:
    for number, deadline in ((1, "2021-08-01"), (2, "2021-09-05"), (3, "2021-09-15"),
                             (4, "2021-12-31")):
        replace_in(_issue(root, number), "deadline:\n", f"deadline: {deadline}\n")
    close_in_file(root, 5)
    sheet = _workbook(run, root, tmp_path)["台账"]
    levels = [sheet.cell(n, 11).value for n in range(3, 8)]
    assert levels == ["红色预警", "黄色预警", "绿色提醒", "时限未到", "按期完成"]
    colours = [sheet.cell(n, 3).fill.fgColor.rgb if sheet.cell(n, 3).fill.fill_type else None
               for n in range(3, 8)]
    assert colours == ["00FFC7CE", "00FFEB9C", "00C6EFCE", None, "00D9D9D9"]
    # The whole row carries its colour.
    assert {sheet.cell(3, column).fill.fgColor.rgb for column in range(1, 14)} == {"00FFC7CE"}


def test_workbook_statistics_equal_the_progress_sentence(run: Run, root: Path,
                                                         tmp_path: Path) -> None:
    for number in (3, 11, 22):
        close_in_file(root, number)
    replace_in(root / "data" / "issues" / "011.yaml", "unit:\n", "unit: 办公室\n")
    replace_in(root / "data" / "notice.yaml", "progress_sentence: false",
               "progress_sentence: true")
    sentence = next(line for line in _text(run, root) if "整改完成率" in line)
    assert sentence == "目前,已完成整改3项、正在推进20项,整改完成率13.04%。"
    sheet = _workbook(run, root, tmp_path)["统计"]
    rows = [tuple("" if cell is None else str(cell) for cell in row if cell is not None)
            for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sheet["A2"].value == "反馈问题23个,已完成整改3个、正在推进20个,整改完成率13.04%。"
    # The sheet holds exactly the tables `ledger stats` prints for the same ledger.
    expected = [tuple(row) for by in ("aspect", "unit") for row in csv.reader(io.StringIO(
        run("--root", root, "--today", TODAY, "stats", "--by", by, "--format", "csv")
        .stdout.removeprefix("\ufeff")))]
    assert [row for row in rows if any(row)] == [row for row in expected if row]
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[:3] + total[6:7] == ("合计", "23", "3", "13.04%")


# ---------------------------------------------------------------- the list's filters


def test_filters_choose_the_tables_rows_in_every_format(run: Run, root: Path,
                                                        tmp_path: Path) -> None:
    for number in (4, 9):
        replace_in(_issue(root, number), "unit:\n", "unit: 工程处\n")
    close_in_file(root, 9)
    table = run("--root", root, "--today", TODAY, "render", "-t", "table", "-f", "csv",
                "--unit", "工程处").stdout
    assert [row[0] for row in csv.reader(io.StringIO(table.removeprefix("\ufeff")))] == [
        "序号", "4", "9"]
    md = run("--root", root, "--today", TODAY, "render", "-t", "table", "--unit", "工程处",
             "--open").stdout
    assert md.startswith("# 整改台账(责任单位:工程处,未销号)\n\n中共山东省")
    unfiltered = run("--root", root, "--today", TODAY, "render", "-t", "table").stdout
    assert unfiltered.startswith("# 整改台账\n\n中共山东省")  # as before filters existed
    assert [line.split(" | ")[0] for line in md.splitlines() if line.startswith("| 4")] == ["| 4"]
    assert "| 9 |" not in md
    # An aspect's problems keep their labels: (二) stays (二) when (一) is left out.
    sheet = _workbook(run, root, tmp_path, "--aspect", "2")["台账"]
    assert sheet["A1"].value == "中共山东省人民防空办公室党组巡视反馈问题整改台账(第二方面)"
    assert [sheet.cell(n, 1).value for n in range(3, sheet.max_row + 1)] == list(range(7, 13))
    assert sheet["B3"].value.startswith("(二)关于落实全面从严治党责任")
    book = _workbook(run, root, tmp_path, "--unit", "工程处")
    assert book["台账"]["A1"].value.endswith("(责任单位:工程处)")
    assert book["台账"].max_row == 4
    total = list(book["统计"].iter_rows(values_only=True))[-1]
    assert (total[0], total[1], total[2], total[6]) == ("合计", 2, 1, "50%")


def test_overdue_filter(run: Run, root: Path) -> None:
    replace_in(_issue(root, 2), "deadline:\n", "deadline: 2021-08-01\n")
    table = run("--root", root, "--today", TODAY, "render", "-t", "table", "-f", "csv",
                "--overdue").stdout
    assert [row[0] for row in csv.reader(io.StringIO(table.removeprefix("\ufeff")))] == [
        "序号", "2"]


# ---------------------------------------------------------------- start-up cost

_PROBE = """
import sys
from ledger.cli import main
sys.argv = ["ledger", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
office = {"docx", "docxtpl", "openpyxl", "lxml"}
heavy = sorted({name.split(".")[0] for name in sys.modules} & office)
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
"""


def _heavy_modules(*args: str) -> str:
    env = {**os.environ, "LEDGER_NO_CACHE": "1", "LEDGER_TODAY": TODAY}
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                          env=env, timeout=60, check=False, cwd=REPO)
    found = re.search(r"HEAVY=(.*)", done.stderr.decode())
    assert found is not None, done.stderr.decode()
    return found.group(1)


def test_list_and_text_render_import_no_office_library(tmp_path: Path) -> None:
    root = shipped_copy(tmp_path)
    assert _heavy_modules("--root", str(root), "list") == ""
    assert _heavy_modules("--root", str(root), "render", "-t", "table", "-f", "csv") == ""
    # The probe sees them when they are used.
    out = tmp_path / "台账.xlsx"
    assert _heavy_modules("--root", str(root), "render", "-t", "table", "-o", str(out)) == (
        "lxml,openpyxl")  # openpyxl uses lxml when it is installed
    out = tmp_path / "通报.docx"
    assert _heavy_modules("--root", str(root), "render", "-o", str(out)) == "docx,lxml"
