"""Chinese numerals and the numbering labels of official documents.

Turns integers into 一 二 … 十一 … 九十九 and back, and builds the labels of the
heading ladder (一、 (一) 1. (1)) and of measures (一是 二是). It does not decide
which level uses which label; the renderer and importer do.
"""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 105 → 一百零五, 10001 → 一万零一, 110000 → 十一万.

    1 ≤ n < 10**16: a problem with 10,000 measures is numbered on past 九千九百九十九.
    """
    if not 1 <= n < 10**16:
        raise ValueError(f"cannot write {n} as a Chinese numeral")
    if n < 20:
        # Documents write 十一 and 十一万, never 一十一.
        return _DIGITS[n] if n < 10 else "十" + (_DIGITS[n % 10] if n % 10 else "")
    groups = []  # four-digit groups, highest first: 万 and 亿 name them
    rest = n
    while rest:
        rest, group = divmod(rest, 10000)
        groups.append(group)
    out: list[str] = []
    pending_zero = False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if not group:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or group < 1000):
            out.append("零")
        out.append(_below_10000(group, first=not out) + ("", "万", "亿", "万亿")[index])
        pending_zero = False
    return "".join(out)


def _below_10000(n: int, first: bool) -> str:
    """1–9999 as a four-digit group: 十一 starts a number, 一十一 follows a higher group."""
    if first and 10 <= n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    out = []
    rest = n
    pending_zero = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十")):
        digit, rest = divmod(rest, value)
        if digit:
            if pending_zero:
                out.append("零")
            out.append(_DIGITS[digit] + name)
            pending_zero = False
        elif out:
            pending_zero = True
    if rest:
        if pending_zero:
            out.append("零")
        out.append(_DIGITS[rest])
    return "".join(out)


def parse_cn_number(text: str) -> int | None:
    """The inverse of `cn_number`; None when `text` is not a numeral it would write."""
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS.index(ch)
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]  # 十一: a bare 十 is one ten
            digit = 0
        else:
            return None
    total += digit
    # Only the way cn_number writes a number reads back (not 一十一, 十十 or 零).
    return total if 1 <= total <= 9999 and cn_number(total) == text else None


_UNITS = {"十": 10, "百": 100, "千": 1000}


# The label styles of the heading ladder, as `str.format` patterns over the
# numeral. Half-width parentheses are what web copies (and the model notice) carry.
STYLES: dict[str, str] = {
    "一、": "{cn}、",
    "(一)": "({cn})",
    "（一）": "（{cn}）",
    "1.": "{n}.",
    "1、": "{n}、",
    "1．": "{n}．",
    "(1)": "({n})",
    "（1）": "（{n}）",
}


# How deep each style sits on the ladder of GB/T 9704: 一、 黑体 1, (一) 楷体 2, 1. 3, (1) 4.
DEPTH: dict[str, int] = {"一、": 1, "(一)": 2, "（一）": 2, "1.": 3, "1、": 3, "1．": 3,
                         "(1)": 4, "（1）": 4}


def label(style: str, n: int) -> str:
    """The label of item `n` in `style` (a key of STYLES): label("(一)", 4) → "(四)"."""
    try:
        pattern = STYLES[style]
    except KeyError:
        raise ValueError(f"unknown numbering style {style!r}") from None
    # Arabic styles take any number; only Chinese ones need the numeral.
    return pattern.format(cn=cn_number(n) if "{cn}" in pattern else "", n=n)


def measure_label(n: int) -> str:
    """一是, 二是 … as measures are introduced in one paragraph."""
    return cn_number(n) + "是"
