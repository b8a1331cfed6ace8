"""Hypothesis fuzzing of the editing commands: random command sequences with hostile arguments.

Each example takes the small base ledger, rewrites problem 1 in a random
emitter style (flow or block, CRLF or CR line ends, BOM, folded long lines) with
hostile text, then runs a random sequence of close / reopen / extend / log /
done / status / new with arguments a clerk or a paste could produce (quotes,
colons, #, YAML 1.1 words, Jinja, line breaks, control characters). Each command
must be refused with every byte kept, or write one file, add no error anywhere,
and record exactly what was asked (tests/_fuzz.py: check_edits).
tests/test_yamledit_property.py proves the splicing keeps untouched lines; this
file proves the commands over whole ledgers.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.core.model import STATUSES

from ._fuzz import SCALE, base_files, check_edits, dump

ARG = st.one_of(
    st.sampled_from(["no", "on", "0755", "~", "null", "2021-13-45", "a: b", "x # y", "- z",
                     "'", '"', "{{ 7*7 }}", "<b>&</b>", "&a", "*a", "!!python/name:os.system",
                     "多行\n文字", "行尾空格  ", "\t制表", "\u2028", "\x85", "#", "|", ">",
                     "会议纪要 2021-10-05", "整改完成。"]),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=16),
)
NUMBER = st.sampled_from([1, 1, 1, 2, 3])  # 3 exists only after a `new`
DAY = st.dates(min_value=date(2021, 6, 2), max_value=date(2031, 12, 31))
OP = st.one_of(
    st.fixed_dictionaries({"op": st.just("close"), "number": NUMBER,
                           "evidence": st.lists(ARG, min_size=1, max_size=2),
                           "force": st.booleans(), "note": ARG}),
    st.fixed_dictionaries({"op": st.just("reopen"), "number": NUMBER,
                           "reason": ARG}),
    st.fixed_dictionaries({"op": st.just("extend"), "number": NUMBER,
                           "to": DAY.map(date.isoformat), "reason": ARG,
                           "approved_by": ARG}),
    st.fixed_dictionaries({"op": st.just("log"), "number": NUMBER, "text": ARG,
                           "by": ARG}),
    st.fixed_dictionaries({"op": st.just("done"), "number": NUMBER,
                           "measure": st.integers(0, 3)}),
    st.fixed_dictionaries({"op": st.just("status"), "number": NUMBER,
                           "value": st.sampled_from([*STATUSES, "超期", "no"])}),
    st.fixed_dictionaries({"op": st.just("new"), "aspect": st.integers(1, 3), "title": ARG}),
)
STYLE = st.fixed_dictionaries({
    "default_flow_style": st.sampled_from([False, None, True]),
    "width": st.sampled_from([16, 10**6]),
    "indent": st.sampled_from([2, 4]),
    "line_break": st.sampled_from(["\n", "\r\n", "\r"]),
})
TEXT = st.one_of(ARG, st.just("学习走过场的问题。")).filter(lambda text: bool(text.strip()))


@st.composite
def first_issue(draw: st.DrawFn) -> bytes:
    values: dict[str, Any] = {
        "number": 1, "aspect": 1, "subject": 1, "title": draw(TEXT),
        "measures": draw(st.lists(st.one_of(TEXT, st.fixed_dictionaries(
            {"text": TEXT}, optional={"deadline": DAY})), min_size=1, max_size=3)),
        "leader": draw(st.one_of(st.none(), TEXT)), "unit": draw(TEXT),
        "co_units": draw(st.lists(TEXT, max_size=2)), "owner": None,
        "deadline": draw(st.one_of(DAY, st.sampled_from(["短期", "中期", "长期", "长期坚持"]))),
        "status": "正在推进",
    }
    if draw(st.booleans()):
        day = draw(DAY)
        values["progress"] = [{"date": day, "text": draw(TEXT)}]
        values["extensions"] = [{"date": day, "to": day + timedelta(days=400),
                                 "reason": draw(TEXT)}]
    data = dump(values, **draw(STYLE))
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


@settings(max_examples=120 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first_issue(), st.lists(OP, min_size=1, max_size=5))
def test_any_command_sequence_keeps_the_ledger_sound(issue: bytes,
                                                      ops: list[dict[str, Any]]) -> None:
    files = base_files()
    files["data/issues/001.yaml"] = issue
    check_edits(files, ops)
