"""data/notice.yaml is read strictly: exact places for every mistake, never an exception."""

from __future__ import annotations

from ledger.read.notice import level_styles, parse_notice


def _codes(text: str) -> list[tuple[str, int]]:
    _, problems = parse_notice("data/notice.yaml", text.encode("utf-8"))
    return [(problem.code, problem.location.line) for problem in problems]


def test_a_minimal_notice() -> None:
    notice, problems = parse_notice("data/notice.yaml", b"date: 2021-08-26\nproblems: true\n")
    assert problems == []
    assert notice is not None and notice.problems and notice.date is not None


def test_mistakes_are_located() -> None:
    text = ("date: 2021-02-30\n"
            "intro:\n  - 甲\n  - {before: 乙, afterwards: 丙}\n"
            "sections:\n  - heading: 一\n    problems: yes\n"
            "numbering: {problem: '[1]'}\n"
            "status_sentences: {完成: 该问题已完成整改。}\n"
            "date: 2021-08-26\n")
    assert _codes(text) == [
        ("bad-date", 1), ("unknown-key", 4), ("wrong-type", 7), ("bad-value", 8),
        ("unknown-key", 9), ("duplicate-key", 10)]


def test_problems_in_two_places_is_refused() -> None:
    text = "problems: true\nsections:\n  - heading: 甲\n    problems: true\n"
    assert _codes(text) == [("bad-value", 1)]


def test_yaml_that_is_not_a_mapping() -> None:
    assert _codes("- a\n- b\n") == [("wrong-type", 1)]
    assert _codes("date: [\n") == [("yaml-syntax", 2)]


def test_the_ladder() -> None:
    from ledger.read.notice import Notice

    inside = Notice()
    assert level_styles(inside, True, True) == {
        "section": "一、", "point": "(一)", "aspect": "(一)", "subject": "1.", "problem": "(1)"}
    assert level_styles(inside, False, False)["problem"] == "(一)"
    top = Notice(problems=True)
    assert level_styles(top, True, False)["problem"] == "(一)"
    assert level_styles(top, False, False)["problem"] == "一、"
    assert level_styles(Notice(numbering={"problem": "（1）"}), True, True)["problem"] == "（1）"


def test_progress_sentence_without_a_count_paragraph_ends_the_intro() -> None:
    from datetime import date

    from ledger.present.render import context
    from ledger.read.loader import load
    from ledger.read.notice import Notice, Paragraph

    from .conftest import BASE

    ledger = load(BASE).ledger
    notice = Notice(intro=(Paragraph("导语。"),), problems=True, progress_sentence=True,
                    closing=(Paragraph("结尾。"),))
    texts = [block["text"] for block in context(ledger, notice, date(2021, 9, 1))["blocks"]]
    assert texts[:2] == ["导语。", "目前,已完成整改1项、正在推进1项,整改完成率50%。"]
    assert texts[-1] == "结尾。"
