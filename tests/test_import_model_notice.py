"""`ledger import`: the model notice in, the ledger's files out, and back again by render."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.numerals import cn_number, label, measure_label, parse_cn_number
from ledger.notice_import.run import match_label, parse, split_measures

from ._notice import MODEL, MODEL_CLUTTER, REPO, TODAY, model_text, normal
from .conftest import Run

# The model notice's problems as it reads: (aspect, subject or None, number of
# measures). This is the specification the import is held to, written from the
# notice by hand: (9) has a single measure without 一是, (22) and (23) sit
# directly under aspect (四).
MODEL_TABLE = {
    1: (1, 1, 3), 2: (1, 1, 5), 3: (1, 2, 3), 4: (1, 2, 5), 5: (1, 3, 5), 6: (1, 3, 5),
    7: (2, 4, 3), 8: (2, 5, 2), 9: (2, 5, 1), 10: (2, 6, 2), 11: (2, 7, 4), 12: (2, 7, 3),
    13: (3, 8, 2), 14: (3, 8, 3), 15: (3, 9, 3), 16: (3, 9, 2), 17: (3, 10, 2),
    18: (3, 10, 2), 19: (3, 10, 3), 20: (3, 11, 2), 21: (3, 11, 4), 22: (4, None, 3),
    23: (4, None, 3),
}


@pytest.fixture
def imported(run: Run, tmp_path: Path) -> Path:
    """The model notice imported through the CLI into an empty folder."""
    into = tmp_path / "imported"
    result = run("import", MODEL, "--into", into)
    assert result.exit_code == 0, result.output
    return into


def test_golden_round_trip(run: Run, imported: Path) -> None:
    result = run("--root", imported, "--today", TODAY, "render", "--format", "txt")
    assert result.exit_code == 0, result.output
    original = model_text()
    assert sum(line.strip() in MODEL_CLUTTER for line in original.splitlines()) == 2
    assert normal(result.stdout) == normal(original, MODEL_CLUTTER)


def test_shipped_data_renders_the_model_notice(run: Run) -> None:
    result = run("--root", REPO, "--today", TODAY, "render")
    assert result.exit_code == 0, result.output
    assert normal(result.stdout) == normal(model_text(), MODEL_CLUTTER)


def test_import_regenerates_shipped_data_byte_for_byte(imported: Path) -> None:
    made = {path.relative_to(imported).as_posix(): path.read_bytes()
            for path in sorted((imported / "data").rglob("*")) if path.is_file()}
    shipped = {path.relative_to(REPO).as_posix(): path.read_bytes()
               for path in sorted((REPO / "data").rglob("*")) if path.is_file()}
    assert sorted(made) == sorted(shipped)
    for name, data in made.items():
        assert data == shipped[name], name


def test_import_is_deterministic(tmp_path: Path) -> None:
    first, second = parse(model_text()), parse(model_text())
    assert first == second


def test_model_problems_table(imported: Path, run: Run) -> None:
    from ledger.read.loader import load

    ledger = load(imported).ledger
    titles = dict(re.findall(r"^\s*\((\d+)\)(.+)$", model_text(), flags=re.MULTILINE))
    assert [issue.number for issue in ledger.issues] == list(MODEL_TABLE)
    for issue in ledger.issues:
        aspect, subject, measures = MODEL_TABLE[issue.number]
        assert (issue.aspect, issue.subject, len(issue.measures)) == (aspect, subject, measures)
        assert issue.title == titles[str(issue.number)].strip()
        assert not any(m.text.startswith(measure_label(1)) for m in issue.measures)
    assert len(ledger.header.aspects) == 4
    assert [s.aspect for s in ledger.header.subjects] == [1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
    # The rendered table agrees: one CSV row per problem, measures one per line.
    result = run("--root", imported, "--today", TODAY, "render", "-t", "table", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert len(rows) == 1 + len(MODEL_TABLE)
    for row in rows[1:]:
        number = int(row[0])
        aspect, _, measures = MODEL_TABLE[number]
        assert row[1] == label("(一)", aspect)
        assert row[2] == titles[str(number)].strip()
        assert len(row[3].split("\n")) == measures


def test_single_measure_has_no_prefix_and_comes_back_verbatim(imported: Path) -> None:
    text = (imported / "data" / "issues" / "009.yaml").read_text(encoding="utf-8")
    assert "  - 设置机关纪委专职书记" in text
    assert "一是" not in text


def test_issue_file_layout(imported: Path) -> None:
    text = (imported / "data" / "issues" / "022.yaml").read_text(encoding="utf-8")
    keys = [line.split(":")[0] for line in text.splitlines() if not line.startswith(" ")]
    assert keys == ["number", "aspect", "title", "measures", "leader", "unit", "co_units",
                    "owner", "deadline", "status"]
    assert "\nleader:\nunit:\nco_units: []\nowner:\ndeadline:\nstatus: 正在推进\n" in text
    # Half-width punctuation as in the notice, no line folding however long the text.
    assert "落实整改“两个责任”不力的问题。" in text
    assert all(len(line) < 2000 for line in text.splitlines())


def test_header_and_narrative(imported: Path) -> None:
    from ledger.read.loader import load
    from ledger.read.notice import load_notice

    header = load(imported).ledger.header
    assert header.issuer == "中共山东省人民防空办公室党组"
    assert header.title == "关于十一届省委第八轮巡视整改进展情况的通报"
    inspection = header.inspection
    assert (inspection.kind, inspection.by) == ("巡视", "省委第十一巡视组")
    assert [d.isoformat() if d else None for d in
            (inspection.start, inspection.end, inspection.feedback)] == [
        "2020-09-27", "2020-12-25", "2021-02-07"]
    notice, problems = load_notice(imported)
    assert problems == []
    assert notice is not None
    assert (notice.breadcrumb, notice.source_line) == MODEL_CLUTTER
    assert [s.heading for s in notice.sections] == [
        "整改工作基本情况", "省委巡视组反馈意见整改落实情况", "今后整改工作打算"]
    counted = notice.sections[0].paragraphs[0]
    assert counted.counted and counted.text == "省委巡视反馈意见指出省人防办党组"
    assert len(notice.sections[0].points) == len(notice.sections[2].points) == 4
    assert notice.closing[0].text.startswith("欢迎广大干部群众")


def test_import_refuses_to_overwrite_without_force(run: Run, imported: Path) -> None:
    before = {p: p.read_bytes() for p in imported.rglob("*") if p.is_file()}
    result = run("import", MODEL, "--into", imported)
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert {p: p.read_bytes() for p in imported.rglob("*") if p.is_file()} == before


def test_force_replaces_and_removes_stale_problem_files(run: Run, imported: Path) -> None:
    stale = imported / "data" / "issues" / "099.yaml"
    stale.write_text("number: 99\n", encoding="utf-8")
    (imported / "data" / "issues" / "001.yaml").write_text("edited\n", encoding="utf-8")
    result = run("import", MODEL, "--into", imported, "--force")
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert (imported / "data" / "issues" / "001.yaml").read_text(encoding="utf-8") \
        .startswith("number: 1\n")


def test_import_writes_only_inside_into(run: Run, tmp_path: Path) -> None:
    notice = tmp_path / "in" / "notice.txt"
    notice.parent.mkdir()
    notice.write_text(model_text(), encoding="utf-8")
    into = tmp_path / "out"
    result = run("import", notice, "--into", into)
    assert result.exit_code == 0, result.output
    everything = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert everything - {notice} == {p for p in into.rglob("*") if p.is_file()}
    assert len(everything) == 1 + 2 + 23


def test_unplaced_text_is_reported_with_its_line_and_import_goes_on(run: Run,
                                                                    tmp_path: Path) -> None:
    lines = model_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("(二)关于落实全面"))
    lines[at + 1:at + 1] = ["", "  这是一段无法归类的文字。"]
    notice = tmp_path / "notice.txt"
    notice.write_text("\n".join(lines), encoding="utf-8")
    result = run("import", notice, "--into", tmp_path / "out")
    assert result.exit_code == 6  # written, with a warning to review
    assert f"notice.txt:{at + 3}:1: warning[import-unplaced]" in result.stderr
    assert "这是一段无法归类的文字。" in result.stderr
    assert result.stderr.count("import-unplaced") == 1
    assert len(list((tmp_path / "out" / "data" / "issues").glob("*.yaml"))) == 23


def test_text_without_problems_writes_the_header(run: Run, tmp_path: Path) -> None:
    # Issue 11: a readable header is never refused; the text is kept as narrative.
    notice = tmp_path / "notice.txt"
    notice.write_text("关于某事的通报\n\n  这里没有任何问题清单。\n", encoding="utf-8")
    result = run("import", notice, "--into", tmp_path / "out")
    assert result.exit_code == 6
    assert "notice.txt:3:1: warning[import-no-problems]" in result.stderr
    assert "已导入0个问题" in result.stdout
    assert (tmp_path / "out" / "data" / "ledger.yaml").is_file()
    assert "这里没有任何问题清单。" in (tmp_path / "out" / "data" / "notice.yaml").read_text(
        encoding="utf-8")
    assert not list((tmp_path / "out" / "data" / "issues").glob("*.yaml"))


def test_text_with_nothing_readable_is_refused(run: Run, tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("【打印】【关闭】\n\n  这里什么也没有。\n", encoding="utf-8")
    result = run("import", notice, "--into", tmp_path / "out")
    assert result.exit_code == 1
    assert "没有找到通报的标题、发文机关、检查信息或问题,未写入文件" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_notice_file_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    result = run("import", tmp_path / "nope.txt", "--into", tmp_path / "out")
    assert result.exit_code == 2
    assert "无法读取" in result.stderr


def test_crlf_and_bom_are_read_like_plain_text() -> None:
    crlf = "\ufeff" + model_text().replace("\n", "\r\n")
    assert parse(crlf).issues == parse(model_text()).issues


# ---------------------------------------------------------------- pieces


@pytest.mark.parametrize(("number", "text"), [
    (1, "一"), (2, "二"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (23, "二十三"),
    (99, "九十九"), (100, "一百"), (101, "一百零一"), (110, "一百一十"),
])
def test_cn_number(number: int, text: str) -> None:
    assert cn_number(number) == text
    assert parse_cn_number(text) == number


@given(st.integers(min_value=1, max_value=199))
def test_cn_number_round_trips(number: int) -> None:
    assert parse_cn_number(cn_number(number)) == number


def test_labels() -> None:
    assert [label(style, 4) for style in ("一、", "(一)", "1.", "(1)")] == [
        "四、", "(四)", "4.", "(4)"]
    assert match_label("(22)落实整改") == ("(1)", 22, "落实整改")
    assert match_label("十一、今后") == ("一、", 11, "今后")
    assert match_label("2021年2月7日") is None


_WORDS = st.text(alphabet="改进制度建设学习会议督导通知落实", min_size=1, max_size=12)


@given(st.lists(_WORDS, min_size=2, max_size=12),
       st.sampled_from(["。", ";", ";", ","]))
def test_split_measures_inverts_joining(bodies: list[str], stop: str) -> None:
    measures = [body + stop for body in bodies]
    paragraph = "".join(measure_label(i) + m for i, m in enumerate(measures, start=1))
    assert split_measures(paragraph) == measures


def test_split_measures_keeps_prose_markers_and_single_measures() -> None:
    # 二是 not after a break is prose, not a new measure.
    assert split_measures("一是统一二是非断点。二是确有其事。") == [
        "统一二是非断点。", "确有其事。"]
    assert split_measures("设置专职书记。") == ["设置专职书记。"]
    assert split_measures("一是只有一项。") == ["一是只有一项。"]


# ---------------------------------------------------------------- what the import reports


def _codes(text: str) -> list[str]:
    return [problem.code for problem in parse(text).problems]


def test_reports_restarted_numbering() -> None:
    text = ("关于某巡察整改情况的通报\n"
            "一、关于甲方面问题\n(1)甲一的问题。\n一是甲;二是乙。\n(2)甲二的问题。\n改了。\n"
            "二、关于乙方面问题\n(1)乙一的问题。\n改了。\n"
            "某某党组\n2022年1月2日\n")
    imported = parse(text)
    assert [p.code for p in imported.problems] == ["import-renumbered", "import-no-inspection"]
    assert imported.problems[0].location.line == 8
    assert [issue["number"] for issue in imported.issues] == [1, 2, 3]


def test_reports_inconsistent_layout() -> None:
    text = ("关于某巡察整改情况的通报\n"
            "2022年1月1日,县委第一巡察组反馈了巡察意见。\n"
            "一、关于甲的问题。\n整改情况:一是甲;二是乙。\n二、关于乙的问题。\n改了。\n"
            "某某党组\n2022年1月2日\n")
    assert _codes(text) == ["import-layout"]


def test_reports_missing_title_date_and_inspection() -> None:
    text = "(一)甲的问题。\n一是甲;二是乙。\n"
    assert sorted(_codes(text)) == ["import-no-date", "import-no-inspection", "import-no-title"]


_LINES = model_text().split("\n")


@given(st.lists(st.sampled_from(_LINES), max_size=60), st.text(max_size=200))
def test_any_jumble_of_notice_lines_imports_without_crashing(lines: list[str],
                                                             noise: str) -> None:
    imported = parse("\n".join([*lines, noise]))
    for issue in imported.issues:
        assert issue["number"] >= 1 and isinstance(issue["title"], str)
    assert all(problem.severity == "warning" for problem in imported.problems)


@given(st.text(alphabet="(一二三四五六七八九十)（）1234567890.、是。;问题关于\n 整改情况:该已完成",
               max_size=300))
def test_label_soup_imports_without_crashing(text: str) -> None:
    parse(text)


def test_gb18030_notice_is_read(run: Run, tmp_path: Path) -> None:
    # Text saved from Windows tools is often GBK/GB18030 rather than UTF-8.
    notice = tmp_path / "notice.txt"
    notice.write_bytes(model_text().encode("gb18030"))
    result = run("import", notice, "--into", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "data" / "issues" / "023.yaml").read_bytes() == (
        REPO / "data" / "issues" / "023.yaml").read_bytes()


def test_utf16_notice_is_read(run: Run, tmp_path: Path) -> None:
    # Notepad's "Unicode" is UTF-16 with a BOM.
    notice = tmp_path / "notice.txt"
    notice.write_bytes(model_text().encode("utf-16"))
    result = run("import", notice, "--into", tmp_path / "out")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("data", "fragment", "code"), [
    (b"", "未写入文件", 1),  # readable, but nothing in it: refused
    (b"\x00\x01\x02binary\xff", "不是文本文件", 2),  # not a notice at all: usage
    (b"\xff\xfe\x00", "UTF-16 编码已损坏", 2),
])
def test_unusable_notice_files_are_refused(run: Run, tmp_path: Path, data: bytes,
                                           fragment: str, code: int) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_bytes(data)
    result = run("import", notice, "--into", tmp_path / "out")
    assert result.exit_code == code, result.output
    assert fragment in result.stderr and str(notice) in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_huge_notice_is_refused_without_reading_it(run: Run, tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    with notice.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    result = run("import", notice, "--into", tmp_path / "out")
    assert result.exit_code == 2
    assert "过大" in result.stderr
    assert not (tmp_path / "out").exists()


def test_import_never_follows_a_link_out_of_into(run: Run, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    into = tmp_path / "ledger"
    into.mkdir()
    (into / "data").symlink_to(outside, target_is_directory=True)
    result = run("import", MODEL, "--into", into)
    assert result.exit_code == 1
    assert "台账目录之外" in result.stderr
    assert list(outside.iterdir()) == []


def test_import_output_exact(run: Run, tmp_path: Path) -> None:
    into = tmp_path / "ledger"
    result = run("import", MODEL, "--into", into)
    assert result.exit_code == 0
    assert result.stdout == f"已导入4个方面、11个事项、23个问题,写入 {into} 下 25 个文件。\n"
    assert result.stderr == ""
