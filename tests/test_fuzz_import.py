"""Hypothesis fuzzing of the importer: notices built from the grammar of real ones, and noise.

A generated notice has the model's shape (title, issuer, intro with the
inspection's dates, 一、 sections, aspects (一), subjects 1., problems (1),
measures 一是…二是…, status sentences, closing, date) in any of the label
styles offices use, with hostile text in every slot and web-page noise lines
around it. Whatever comes in, the import must not raise, must warn only at real
lines, and must write a ledger that validates without one error; a clean
notice must come back with its problems and measures word for word.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.core.numerals import label, measure_label
from ledger.notice_import.run import parse

from ._fuzz import SCALE, check_import

# Text that sits inside a sentence: Chinese, digits, quotes, web-page and template specials.
WORD = st.text(st.sampled_from(list(
    "整改落实问题制度机制建设学习工作人防管理监督检查" "abcXYZ0123456789"
    "“”‘’\"'《》<>&{}%#*_`|\\:[]~!@$^+=/?")), min_size=1, max_size=14)
SENTENCE = st.builds(lambda words: "".join(words) + "。", st.lists(WORD, min_size=1, max_size=3))
NOISE = st.sampled_from(["首页>工作之窗>巡视巡察", "来源:某某网站 发布时间:2021-08-26",
                         "【打印】【关闭】", "", "   ", "\u3000\u3000", "分享到:", "{{ 7*7 }}",
                         "<script>x</script>", "上一篇:关于…的通知", "\t"])
INTRO = ("根据市委统一部署,2021年3月1日至4月30日,市委第一巡察组对某某局党组进行了巡察。"
         "2021年6月1日,巡察组反馈了巡察意见。现将整改进展情况予以公布。")


@st.composite
def notice(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """A notice text and the problems it states (title and measures of each)."""
    aspect_style = draw(st.sampled_from(["(一)", "（一）"]))
    problem_style = draw(st.sampled_from(["(1)", "（1）"]))
    indent = draw(st.sampled_from(["", "  ", "\u3000\u3000"]))
    problems: list[dict[str, Any]] = []
    lines = [draw(NOISE), "中共某某局党组", "关于巡察整改进展情况的通报", "",
             indent + INTRO,
             indent + "一、整改工作基本情况", indent + draw(SENTENCE),
             indent + "二、巡察反馈问题整改落实情况"]
    for aspect in range(1, draw(st.integers(1, 3)) + 1):
        lines.append(indent + label(aspect_style, aspect) + "关于" + draw(WORD) + "方面问题")
        for _ in range(draw(st.integers(1, 3))):
            number = len(problems) + 1
            title = draw(WORD) + "的问题。"
            measures = draw(st.lists(SENTENCE, min_size=1, max_size=3))
            problems.append({"title": title, "measures": measures})
            lines.append(indent + label(problem_style, number) + title)
            if len(measures) == 1:
                lines.append(indent + measures[0])
            else:
                lines.append(indent + "".join(measure_label(index) + text
                                              for index, text in enumerate(measures, start=1)))
            if draw(st.booleans()):
                lines.append(draw(NOISE))
    lines += [indent + "三、今后整改工作打算", indent + draw(SENTENCE),
              indent + "欢迎广大干部群众对巡察整改落实情况进行监督。联系电话:0000-1234567。",
              "中共某某局党组", "2021年8月26日", draw(NOISE)]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines), problems


@settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notice())
def test_generated_notices_import_into_a_valid_ledger_word_for_word(
        case: tuple[str, list[dict[str, Any]]]) -> None:
    text, problems = case
    check_import(text)
    imported = parse(text, "notice.txt")
    assert [issue["title"] for issue in imported.issues] == [p["title"] for p in problems]
    assert [issue["measures"] for issue in imported.issues] == [p["measures"] for p in problems]


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notice(), st.lists(st.tuples(st.integers(0, 10_000), st.one_of(
    NOISE, WORD, st.text(max_size=30), st.sampled_from(
        ["(1)", "(一)", "1.", "一是", "二是", "一、", "该问题已完成整改。", "整改情况:", "\r",
         "\x85", "\u2028", "\ufeff", "\x00", "2021年13月45日"]))), max_size=5))
def test_damaged_notices_never_break_the_import(case: tuple[str, list[dict[str, Any]]],
                                                edits: list[tuple[int, str]]) -> None:
    text = case[0]
    for position, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at:]
    check_import(text)
