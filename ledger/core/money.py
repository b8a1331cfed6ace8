"""Money and side results (issue 14): exact amounts, their totals, and the sentences offices write.

Amounts are `decimal.Decimal` built from the text the file holds ("123.45"),
never from a float: the loader composes YAML without resolving types, so a
float-looking scalar arrives here as its characters. Sums of amounts with at
most MAX_DIGITS digits stay well inside Decimal's 28 significant digits, so
every total is exact. The completion rate is `completion_rate` here, the
same function the progress sentence uses.

What it does not do: read files (the loader does), decide what is an error
(checks do), or format tables (templates do, from `render.context`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from ledger.core.model import MONEY_DECIMALS, WAYS, Header, Tally
from ledger.core.record import record

if TYPE_CHECKING:
    from ledger.core.model import Facts

# Integer digits an amount may have: 15 digits of 万元 is more than any budget, and
# a million such amounts still sum inside Decimal's 28 digits without rounding.
MAX_DIGITS = 15
MAX_DECIMALS = 6
_AMOUNT = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")

# The closed vocabulary of side results: label, unit ("" = the ledger's money unit)
# and the phrase offices write, in the order notices name them.
MONEY = ""
RESULT_KINDS: Mapping[str, tuple[str, str]] = {
    "问责": ("人", "问责{n}人"),
    "党纪政务处分": ("人", "给予党纪政务处分{n}人"),
    "组织处理": ("人", "组织处理{n}人"),
    "诫勉": ("人", "诫勉{n}人"),
    "移送问题线索": ("件", "移送问题线索{n}件"),
    "制定完善制度": ("项", "制定完善制度{n}项"),
    "追缴资金": (MONEY, "追缴资金{n}{unit}"),
    "挽回经济损失": (MONEY, "挽回经济损失{n}{unit}"),
}


def parse_amount(text: str) -> tuple[Decimal | None, str, str]:
    """An amount as written ("80", "123.45") to a Decimal; else (None, reason, hint)."""
    value = text.strip()
    if _AMOUNT.fullmatch(value):
        whole, _, fraction = value.partition(".")
        if len(whole) > MAX_DIGITS:
            return None, f"金额 \"{text}\" 超过{MAX_DIGITS}位整数", "请核对金额和单位"
        if len(fraction) > MAX_DECIMALS:
            return None, f"金额 \"{text}\" 的小数超过{MAX_DECIMALS}位", "请核对金额"
        return Decimal(value), "", ""
    hint = "金额只写阿拉伯数字和小数点,例如 \"123.45\""
    if value.startswith("-"):
        reason = f"金额不能为负数(\"{text}\")"
    elif "," in value or "," in value:
        reason, hint = f"金额 \"{text}\" 中有千位分隔符", "去掉逗号,例如 \"1234.56\""
    elif value.endswith(("万元", "元", "万", "亿元")):
        reason, hint = (f"金额 \"{text}\" 带了单位",
                        "单位只在 data/ledger.yaml 的 money_unit 中写一次,这里只写数字")
    elif re.fullmatch(r"[0-9.]+", value) and len(value) > 1 and value[0] == "0":
        reason, hint = f"金额 \"{text}\" 以 0 开头", "去掉开头多余的 0"
    elif any("0" <= ch <= "9" for ch in value):
        reason = f"金额 \"{text}\" 不是数字"
    elif value and all("０" <= ch <= "９" or ch == "." for ch in value):
        reason, hint = f"金额 \"{text}\" 用了全角数字", "请改用半角数字"
    else:
        reason = f"金额 \"{text}\" 不是数字"
    return None, reason, hint


def decimals_of(value: Decimal) -> int:
    """How many decimals the amount was written with ("80.50" has 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def format_amount(value: Decimal, decimals: int = MONEY_DECIMALS) -> str:
    """The amount with the ledger's decimals, as offices print it: 1234.50 (no separators)."""
    return f"{value.quantize(Decimal(1).scaleb(-decimals)):f}"


def money_totals(issues: Iterable[Facts]) -> tuple[Decimal, Decimal, dict[str, Decimal]]:
    """(involved, rectified, by way) over the problems that carry amounts, exact.

    A problem without `rectified` counts as 0 rectified. Ways come in the
    order of model.WAYS, then other labels in the order first met.
    """
    involved = rectified = Decimal(0)
    by_way: dict[str, Decimal] = dict.fromkeys(WAYS, Decimal(0))
    for issue in issues:
        amounts = issue.amounts
        if amounts is None:
            continue
        involved += amounts.involved
        if amounts.rectified is not None:
            rectified += amounts.rectified
        for way in amounts.ways:
            by_way[way.label] = by_way.get(way.label, Decimal(0)) + way.amount
    seen = {way.label for issue in issues if issue.amounts for way in issue.amounts.ways}
    return involved, rectified, {label: total for label, total in by_way.items()
                                 if label in seen}


def has_money(issues: Iterable[Facts]) -> bool:
    return any(issue.amounts is not None for issue in issues)


@record(frozen=True, slots=True)
class ResultTotal:
    """One side result summed over the header and the problems."""

    label: str
    unit: str  # MONEY ("") for amounts in the ledger's unit
    value: int | Decimal

    @property
    def is_money(self) -> bool:
        return isinstance(self.value, Decimal)


def result_unit(item: Tally) -> str:
    """The unit a tally is counted in: its kind's, its own, or the money unit (\"\")."""
    if item.amount is not None:
        return MONEY
    known = RESULT_KINDS.get(item.label)
    return known[0] if known is not None else item.unit


def result_totals(header: Header, issues: Sequence[Facts]) -> list[ResultTotal]:
    """Side results added up: the header's own plus every problem's, known kinds first."""
    sums: dict[tuple[str, str], int | Decimal] = {}
    for item in (*header.results, *(tally for issue in issues for tally in issue.results)):
        key = (item.label, result_unit(item))
        value: int | Decimal = item.amount if item.amount is not None else item.count or 0
        sums[key] = sums.get(key, 0) + value
    order = list(RESULT_KINDS)

    def rank(key: tuple[str, str]) -> int:
        return order.index(key[0]) if key[0] in RESULT_KINDS else len(order)

    keys = sorted(sums, key=rank)  # sorted is stable: free labels keep their first order
    return [ResultTotal(label, unit, sums[(label, unit)]) for label, unit in keys]


def result_phrase(total: ResultTotal, money_unit: str, decimals: int) -> str:
    """问责3人 / 追缴资金12.50万元 / 召开警示教育大会2次."""
    if isinstance(total.value, Decimal):
        number = format_amount(total.value, decimals)
    else:
        number = str(total.value)
    known = RESULT_KINDS.get(total.label)
    if known is not None and known[0] == total.unit:
        return known[1].format(n=number, unit=money_unit)
    return f"{total.label}{number}{total.unit or money_unit}"


def results_sentence(totals: Sequence[ResultTotal], money_unit: str, decimals: int) -> str:
    """问责3人,制定完善制度5项,追缴资金12.50万元。 — empty when there is nothing to say."""
    if not totals:
        return ""
    return ",".join(result_phrase(total, money_unit, decimals) for total in totals) + "。"


def completion_rate(done: int | Decimal, total: int | Decimal) -> str:
    """done ÷ total as a percentage to two decimals, trailing zeros dropped: 13.04, 76, 0.

    The one rate formula: problems done of problems (完成率) and money rectified of
    money involved (整改率, exact Decimals from money.money_rate) alike.
    """
    if total <= 0:
        return "0"
    value = (Decimal(done) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_rate(involved: Decimal, rectified: Decimal) -> str:
    """整改率: rectified ÷ involved by the one completion-rate formula (two decimals)."""
    return completion_rate(rectified, involved)


def money_sentence(involved: Decimal, rectified: Decimal, unit: str, decimals: int,
                   audit: bool) -> str:
    """审计查出问题金额X万元,已整改Y万元,整改率Z%。"""
    lead = "审计查出问题金额" if audit else "问题金额"
    return (f"{lead}{format_amount(involved, decimals)}{unit},"
            f"已整改{format_amount(rectified, decimals)}{unit},"
            f"整改率{money_rate(involved, rectified)}%。")
