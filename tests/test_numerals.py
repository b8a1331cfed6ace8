"""ledger.core.numerals: Chinese numerals at every range edge, every label style at its depth."""

from __future__ import annotations

import pytest

from ledger.core.numerals import DEPTH, STYLES, cn_number, label, measure_label, parse_cn_number


@pytest.mark.parametrize(("number", "text"), [
    (1, "一"), (9, "九"), (10, "十"), (15, "十五"), (20, "二十"), (40, "四十"),
    (100, "一百"), (105, "一百零五"), (200, "二百"), (999, "九百九十九"),
    (1000, "一千"), (1001, "一千零一"), (1005, "一千零五"), (1010, "一千零一十"),
    (1050, "一千零五十"), (1100, "一千一百"), (2345, "二千三百四十五"),
    (9999, "九千九百九十九"),
])
def test_cn_number_and_its_inverse(number: int, text: str) -> None:
    assert cn_number(number) == text
    assert parse_cn_number(text) == number


@pytest.mark.parametrize("number", [0, -1, -20, 10**16])
def test_numbers_outside_the_written_range_are_refused(number: int) -> None:
    with pytest.raises(ValueError) as raised:
        cn_number(number)
    assert str(raised.value) == f"cannot write {number} as a Chinese numeral"


@pytest.mark.parametrize("text", ["", "零", "一十一", "两", "二百零", "一万", "十十", "1",
                                  "五千五千", "九千九千九千"])
def test_parse_cn_number_rejects_what_cn_number_never_writes(text: str) -> None:
    assert parse_cn_number(text) is None


def test_parse_cn_number_reads_two_hundred_and_beyond() -> None:
    # It once stopped at 199: 二百 was not a number.
    assert parse_cn_number("二百") == 200
    assert parse_cn_number("三千零二") == 3002


def test_parse_cn_number_inverts_every_numeral() -> None:
    assert [n for n in range(1, 10000) if parse_cn_number(cn_number(n)) != n] == []


@pytest.mark.parametrize(("style", "twelve", "depth"), [
    ("一、", "十二、", 1),
    ("(一)", "(十二)", 2),
    ("（一）", "（十二）", 2),
    ("1.", "12.", 3),
    ("1、", "12、", 3),
    ("1．", "12．", 3),
    ("(1)", "(12)", 4),
    ("（1）", "（12）", 4),
])
def test_every_label_style_at_its_depth(style: str, twelve: str, depth: int) -> None:
    assert label(style, 12) == twelve
    assert label(style, 1) == style
    assert DEPTH[style] == depth


def test_the_styles_are_exactly_the_eight_of_the_ladder() -> None:
    assert list(STYLES) == ["一、", "(一)", "（一）", "1.", "1、", "1．", "(1)", "（1）"]
    assert list(DEPTH) == list(STYLES)


def test_arabic_labels_take_numbers_no_chinese_numeral_can_write() -> None:
    assert label("1.", 10000) == "10000."
    assert label("（1）", 0) == "（0）"


def test_chinese_labels_refuse_what_has_no_numeral() -> None:
    with pytest.raises(ValueError) as raised:
        label("(一)", 0)
    assert str(raised.value) == "cannot write 0 as a Chinese numeral"


def test_an_unknown_style_is_named() -> None:
    with pytest.raises(ValueError) as raised:
        label("第一", 1)
    assert str(raised.value) == "unknown numbering style '第一'"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


@pytest.mark.parametrize(("number", "text"), [(1, "一是"), (3, "三是"), (12, "十二是")])
def test_measure_labels(number: int, text: str) -> None:
    assert measure_label(number) == text
