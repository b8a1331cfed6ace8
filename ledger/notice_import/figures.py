"""The numbers a notice states, read from its sentences: counts, rate, money and side results.

"巡察反馈30个问题,已完成整改24个、正在整改6个,整改完成率80%" → stated counts;
"问责5人,制定完善制度4项,追缴资金40万元" → side results; "问题金额1200万元,
已整改800万元,其中上缴财政300万元" → a problem's amounts. Verbatim numbers, exact
Decimals, never floats; the text itself stays in the notice as written. Pure
functions over strings: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from ledger.core.model import WAYS
from ledger.core.money import RESULT_KINDS
from ledger.core.numerals import parse_cn_number
from ledger.notice_import.records import AmountsRec, StatedRec, TallyRec

_N = r"(\d+|[一二三四五六七八九十两百]+)"


def _int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return parse_cn_number(text.replace("两", "二"))


_COUNTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aspects", re.compile(_N + r"个方面")),
    ("problems", re.compile(r"(?:反馈|指出|发现|查出)[^。;;]{0,12}?(?:问题)?(\d+)(?:个|项|条)"
                            r"(?!方面)"
                            r"|(\d+)(?:个|项|条)(?:突出|具体|整改)?问题")),
    ("measures", re.compile(r"(\d+)(?:项|条)(?:具体)?整改措施|整改措施(\d+)(?:项|条)")),
    ("done", re.compile(r"(?:已完成整改|已整改到位|已完成|完成整改|已整改|已办结|已销号)"
                        r"(\d+)(?:个|项|条)"
                        r"|(\d+)(?:个|项|条)(?:问题)?已(?:完成整改|整改到位|完成|销号)")),
    ("ongoing", re.compile(r"(?:正在整改|正在推进|未完成|持续整改|基本完成|未整改)"
                           r"(\d+)(?:个|项|条)")),
)
_RATE = re.compile(r"(?:整改)?完成率(?:为|达到?|是)?(\d+(?:\.\d+)?)%")


def stated_counts(paragraphs: Iterable[str]) -> StatedRec:
    """The first of each count the paragraphs state (ongoing: the sum of the not-done kinds)."""
    stated = StatedRec()
    for text in paragraphs:
        for sentence in re.split(r"[。;;]", text):
            for key, pattern in _COUNTS:
                if key == "ongoing":
                    found = [_int(m.group(1)) for m in pattern.finditer(sentence)]
                    numbers = [n for n in found if n is not None]
                    if numbers and stated.ongoing is None:
                        stated.ongoing = sum(numbers)
                    continue
                match = pattern.search(sentence)
                if match is None or getattr(stated, key) is not None:
                    continue
                value = _int(next(group for group in match.groups() if group))
                setattr(stated, key, value)
            rate = _RATE.search(sentence)
            if rate is not None and stated.rate is None:
                stated.rate = rate.group(1)
    return stated


_MONEY = r"(\d[\d,,]*(?:\.\d+)?)\s*(万元|元)"


def amount_of(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace(",", ""))
    except InvalidOperation:
        return None


# Phrases of side results other than the fixed ones: 制定修订制度 is 制定完善制度.
_RESULT_WORDS: tuple[tuple[str, str], ...] = (
    ("问责", r"问责(?:处理)?(?:干部)?"),
    ("党纪政务处分", r"(?:给予)?党纪政务处分"),
    ("组织处理", r"组织处理"),
    ("诫勉", r"诫勉(?:谈话)?"),
    ("移送问题线索", r"移送(?:问题)?线索"),
    ("制定完善制度", r"(?:制定|修订|完善|建立健全|新建)(?:、?(?:修订|完善|健全))?(?:各项|相关)?"
                     r"(?:规章)?制度"),
    ("追缴资金", r"追缴(?:违纪|违规)?资金"),
    ("挽回经济损失", r"挽回(?:经济)?损失"),
)


def side_results(paragraphs: Iterable[str]) -> tuple[list[TallyRec], str]:
    """问责5人、制定完善制度4项、追缴资金40万元 …: the first of each kind, and the money unit."""
    found: dict[str, TallyRec] = {}
    unit = ""
    for text in paragraphs:
        for label, words in _RESULT_WORDS:
            if label in found:
                continue
            kind_unit = RESULT_KINDS[label][0]
            if kind_unit:
                match = re.search(words + r"(?:共计|共|累计)?(\d+)(?:名|个)?" + kind_unit, text)
                if match is not None:
                    found[label] = TallyRec(label, count=int(match.group(1)))
            else:
                match = re.search(words + r"(?:共计|共|累计)?" + _MONEY, text)
                if match is not None:
                    value = amount_of(match.group(1))
                    if value is not None:
                        found[label] = TallyRec(label, amount=value)
                        unit = unit or match.group(2)
    order = [label for label, _ in _RESULT_WORDS]
    return [found[label] for label in order if label in found], unit


_INVOLVED = re.compile(r"(?:问题金额|涉及(?:金额|资金)|金额(?:共计|合计)?)(?:共计|合计|计)?"
                       + _MONEY)
_RECTIFIED = re.compile(r"(?:已整改(?:到位)?|整改到位|已完成整改|已纠正|已追回)(?:资金|金额)?"
                        r"(?:共计|合计)?" + _MONEY)
_WAY = re.compile("(" + "|".join(WAYS) + r")(?:资金)?" + _MONEY)


def problem_amounts(text: str) -> tuple[AmountsRec | None, str]:
    """A problem's amounts from its text: involved (first), rectified, ways; and the unit."""
    involved = _INVOLVED.search(text)
    if involved is None:
        return None, ""
    value = amount_of(involved.group(1))
    if value is None:
        return None, ""
    unit = involved.group(2)
    amounts = AmountsRec(value)
    rest = text[involved.end():]
    rectified = _RECTIFIED.search(rest)
    if rectified is not None and rectified.group(2) == unit:
        amounts.rectified = amount_of(rectified.group(1))
    for way in _WAY.finditer(rest):
        amount = amount_of(way.group(2))
        if amount is not None and way.group(3) == unit:
            amounts.ways[way.group(1)] = amounts.ways.get(way.group(1), Decimal(0)) + amount
    if amounts.rectified is None and amounts.ways:
        amounts.rectified = sum(amounts.ways.values(), Decimal(0))
    if amounts.rectified is not None and amounts.rectified > amounts.involved:
        amounts.rectified = None  # a sentence about something else: not guessed
        amounts.ways = {}
    return amounts, unit


def stated_money(paragraphs: Iterable[str]) -> tuple[Decimal | None, Decimal | None, str]:
    """审计查出问题金额X万元,已整改Y万元 in the intro: (involved, rectified, unit)."""
    for text in paragraphs:
        found, unit = problem_amounts(text)
        if found is not None and ("审计" in text or "问题金额" in text):
            return found.involved, found.rectified, unit
    return None, None, ""
