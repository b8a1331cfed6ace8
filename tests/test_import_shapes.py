"""`ledger import` on the other shapes of notice (DOMAIN.md), each a small notice in fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.read.loader import load
from ledger.read.notice import load_notice

from ._notice import SHAPES, normal
from .conftest import Run

SHAPE_FILES = sorted(SHAPES.glob("*.txt"))


def _import(run: Run, name: str, into: Path) -> Path:
    result = run("import", SHAPES / name, "--into", into)
    assert result.exit_code == 0, result.output
    return into


def test_there_are_shape_fixtures() -> None:
    assert {path.name for path in SHAPE_FILES} >= {
        "counts-first.txt", "top-level.txt", "no-aspects.txt", "bare-list.txt"}


@pytest.mark.parametrize("notice", SHAPE_FILES, ids=lambda path: path.stem)
def test_every_shape_round_trips(run: Run, tmp_path: Path, notice: Path) -> None:
    root = _import(run, notice.name, tmp_path / "ledger")
    validated = run("--root", root, "--today", "2023-06-01", "validate")
    assert validated.exit_code == 0, validated.output
    rendered = run("--root", root, "--today", "2023-06-01", "render")
    assert rendered.exit_code == 0, rendered.output
    loaded, _ = load_notice(root)
    assert loaded is not None
    clutter = tuple(line for line in (loaded.breadcrumb, loaded.source_line) if line)
    assert normal(rendered.stdout) == normal(notice.read_text(encoding="utf-8"), clutter)


def test_counts_first_with_label_status_sentence_and_progress(run: Run, tmp_path: Path) -> None:
    root = _import(run, "counts-first.txt", tmp_path / "ledger")
    notice, problems = load_notice(root)
    assert problems == [] and notice is not None
    assert notice.sections == () and notice.problems  # no narrative: problems at the top
    assert notice.progress_sentence  # 目前,已完成整改1项… is computed, not stored
    assert notice.intro[1].counted  # 两个方面3项整改问题 comes from the data
    assert notice.measures_label == "整改情况:"
    assert notice.breadcrumb == "首页>巡察工作>整改公开"
    ledger = load(root).ledger
    assert [a.title for a in ledger.header.aspects] == [
        "关于落实主体责任不到位方面问题", "关于作风建设方面问题"]
    assert [(i.aspect, i.status, len(i.measures)) for i in ledger.issues] == [
        (1, "已完成", 2), (1, "正在推进", 2), (2, "正在推进", 1)]
    first = ledger.issues[0]
    assert first.closed is not None and first.closed.evidence  # the notice is the evidence
    assert all(measure.done for measure in first.measures)
    assert ledger.issues[1].measures[0].text == "制定谈心谈话计划;"
    assert ledger.header.inspection.kind == "巡察"
    assert ledger.header.inspection.feedback is not None
    assert ledger.header.inspection.feedback.isoformat() == "2022-05-20"


def test_top_level_problems_without_aspects(run: Run, tmp_path: Path) -> None:
    root = _import(run, "top-level.txt", tmp_path / "ledger")
    notice, _ = load_notice(root)
    assert notice is not None
    assert notice.problems and not notice.aspects and notice.issuer_in_title
    assert not notice.status_inline
    ledger = load(root).ledger
    assert ledger.header.issuer == "中共某某市住房和城乡建设局党组"
    assert ledger.header.title == "关于市委巡察反馈意见整改情况的通报"
    assert [i.title for i in ledger.issues][2] == "关于{{ 7*7 }}问题台账不健全的问题。"
    assert [i.status for i in ledger.issues] == ["已完成", "正在推进", "正在推进"]
    assert [len(i.measures) for i in ledger.issues] == [2, 1, 3]


def test_no_aspects_inside_a_section(run: Run, tmp_path: Path) -> None:
    root = _import(run, "no-aspects.txt", tmp_path / "ledger")
    notice, _ = load_notice(root)
    assert notice is not None
    assert [s.problems for s in notice.sections] == [False, True, False]
    assert not notice.aspects
    assert notice.sections[0].paragraphs[0].counted  # 3项整改问题
    ledger = load(root).ledger
    assert {i.aspect for i in ledger.issues} == {1}
    assert [i.subject for i in ledger.issues] == [None, None, None]
    assert notice.closing[0].text.startswith("欢迎社会各界")


def test_bare_list_keeps_full_width_parentheses(run: Run, tmp_path: Path) -> None:
    root = _import(run, "bare-list.txt", tmp_path / "ledger")
    notice, _ = load_notice(root)
    assert notice is not None
    assert dict(notice.numbering) == {"problem": "（一）"}
    ledger = load(root).ledger
    assert [i.title for i in ledger.issues] == ["村级财务管理不规范的问题。",
                                                "基层党组织软弱涣散的问题。"]


def test_measures_in_paragraphs_of_their_own(run: Run, tmp_path: Path) -> None:
    root = _import(run, "measure-paragraphs.txt", tmp_path / "ledger")
    notice, _ = load_notice(root)
    assert notice is not None and notice.measure_paragraphs
    assert [s.problems for s in notice.sections] == [True, False]
    ledger = load(root).ledger
    assert [(i.aspect, i.subject, len(i.measures), i.status) for i in ledger.issues] == [
        (1, None, 3, "正在推进"), (1, None, 2, "已完成"), (2, None, 1, "正在推进")]
    assert ledger.issues[1].measures[1].text == "实行办理时限预警。"


def test_text_after_a_problems_measures_is_reported(run: Run, tmp_path: Path) -> None:
    text = (SHAPES / "measure-paragraphs.txt").read_text(encoding="utf-8")
    heading = "  2.信访件办理超时的问题。"
    text = text.replace(heading, "  另有一段说明。\n\n" + heading)
    notice = tmp_path / "notice.txt"
    notice.write_text(text, encoding="utf-8")
    result = run("import", notice, "--into", tmp_path / "ledger")
    assert result.exit_code == 6
    assert "notice.txt:18:1: warning[import-unplaced]" in result.stderr
    assert "另有一段说明。" in result.stderr
    assert len(load(tmp_path / "ledger").ledger.issues) == 3
