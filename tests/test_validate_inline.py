"""Rule tests on inline YAML: each check and date rule, without the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.core.dates import add_months, parse_date, resolve
from ledger.core.model import Deadline
from ledger.read.loader import load, parse_issue
from ledger.validate.rules import CHECKS, validate

from .conftest import BASE


def codes(root: Path) -> list[tuple[str, int, str]]:
    return [(p.location.path, p.location.line, p.code)
            for p in validate(load(root), date(2021, 9, 1), CHECKS)]


def test_header_duplicates_and_unknown_aspect(base_ledger: Path) -> None:
    header = base_ledger / "data/ledger.yaml"
    header.write_text(header.read_text(encoding="utf-8") + """  - number: 1
    aspect: 5
    title: 重复的事项。
""", encoding="utf-8")
    text = header.read_text(encoding="utf-8").replace(
        "  - number: 2\n    title: 关于作风", "  - number: 1\n    title: 关于作风")
    header.write_text(text, encoding="utf-8")
    assert codes(base_ledger) == [
        ("data/issues/002.yaml", 2, "unknown-aspect"),
        ("data/ledger.yaml", 13, "duplicate-number"),
        ("data/ledger.yaml", 19, "duplicate-number"),
        ("data/ledger.yaml", 19, "unknown-aspect"),
    ]


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2021, 2, 7), 2, date(2021, 4, 7)),
    (date(2021, 8, 31), 6, date(2022, 2, 28)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2021, 11, 30), 3, date(2022, 2, 28)),
    (date(2021, 1, 15), 12, date(2022, 1, 15)),
])
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("tier", "expected"), [
    ("立行立改", date(2021, 2, 7)), ("短期", date(2021, 4, 7)), ("中期", date(2021, 8, 7)),
    ("长期", date(2022, 2, 7)), ("长期坚持", None),
])
def test_tiers_resolve_from_feedback(tier: str, expected: date | None) -> None:
    assert resolve(Deadline(tier=tier), date(2021, 2, 7)) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("2021-13-45", "月份13不存在"),
    ("2021-02-29", "2021年2月没有29日"),
    ("2021/08/26", "不是有效日期"),
    ("明年", "不是有效日期"),
])
def test_bad_dates_say_why(text: str, reason: str) -> None:
    value, why = parse_date(text)
    assert value is None and reason in why


def test_chinese_dates_accepted() -> None:
    assert parse_date("2021年8月26日") == (date(2021, 8, 26), "")


def test_yaml_11_surprises_stay_text() -> None:
    data = (BASE / "data/issues/001.yaml").read_bytes()
    data = data.replace("unit: 办公室".encode(), b"unit: 0755").replace(
        "owner: 李四".encode(), b"owner: no")
    issue, problems = parse_issue("data/issues/001.yaml", data)
    assert problems == []
    assert issue is not None and issue.unit == "0755" and issue.owner == "no"


def test_locations_are_recorded_for_nested_fields() -> None:
    issue, _ = parse_issue("data/issues/002.yaml", (BASE / "data/issues/002.yaml").read_bytes())
    assert issue is not None
    assert str(issue.at("closed.date")) == "data/issues/002.yaml:13:9"
    assert str(issue.at("measures.1")) == "data/issues/002.yaml:5:5"
    assert str(issue.at("measures.1.done")) == "data/issues/002.yaml:6:11"
