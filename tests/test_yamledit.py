"""ledger.edit.yamledit: each edit changes only its field; the rest stays byte for byte."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.errors import RefusedError
from ledger.edit.yamledit import Document, Raw, render_flow, render_scalar


def edit(text: str, action: str, path: tuple[str | int, ...], value: Any = None) -> str:
    doc = Document(text)
    getattr(doc, action)(path, *(() if action == "delete" else (value,)))
    return doc.to_text()


def test_replacing_a_scalar_keeps_its_comment_and_every_other_line() -> None:
    text = "# 头部注释\nnumber: 1\nstatus: 正在推进   # 状态\n\nunit: '0755'\n"
    new = edit(text, "set", ("status",), "已完成")
    assert new == text.replace("正在推进", "已完成")


def test_an_empty_value_gets_a_space_after_the_colon() -> None:
    text = "leader:\nunit: 办公室\n"
    assert edit(text, "set", ("leader",), "张三") == "leader: 张三\nunit: 办公室\n"


def test_a_new_key_goes_after_the_last_entry_and_before_trailing_comments() -> None:
    text = "number: 1\nmeasures:\n  - a\n  - b\n# 文件末尾的注释\n"
    new = edit(text, "set", ("closed",), {"date": date(2021, 3, 5), "evidence": ["纪要"]})
    assert new == ("number: 1\nmeasures:\n  - a\n  - b\n"
                   "closed:\n  date: 2021-03-05\n  evidence:\n    - 纪要\n# 文件末尾的注释\n")


def test_new_lists_follow_the_files_own_indentation() -> None:
    text = "progress:\n- date: 2021-01-01\n  text: a\nstatus: x\n"
    new = edit(text, "append", ("history",), {"date": date(2021, 3, 5), "action": "销号"})
    assert new.endswith("status: x\nhistory:\n- date: 2021-03-05\n  action: 销号\n")
    wide = "a:\n    b: 1\nc:\n    - x\n"
    assert edit(wide, "set", ("d",), {"e": [1]}) == wide + "d:\n    e:\n        - 1\n"


def test_appending_to_a_block_list_keeps_the_dash_column() -> None:
    text = "progress:\n    -   date: 2021-01-01\n        text: a  # 注释\nstatus: x\n"
    new = edit(text, "append", ("progress",), {"date": date(2021, 2, 1), "text": "b"})
    assert new == ("progress:\n    -   date: 2021-01-01\n        text: a  # 注释\n"
                   "    - date: 2021-02-01\n      text: b\nstatus: x\n")


def test_appending_to_a_flow_list_stays_in_flow_style() -> None:
    text = "co_units: [人事科, '财务科',]  # 协办\n"
    new = edit(text, "append", ("co_units",), "办公室")
    assert new == "co_units: [人事科, '财务科', 办公室,]  # 协办\n"
    assert yaml.safe_load(new) == {"co_units": ["人事科", "财务科", "办公室"]}


def test_an_empty_flow_list_becomes_a_block_list_keeping_its_comment() -> None:
    text = "progress: []  # 暂无\nstatus: x\n"
    new = edit(text, "append", ("progress",), {"date": date(2021, 2, 1), "text": "b"})
    assert new == "progress:  # 暂无\n  - date: 2021-02-01\n    text: b\nstatus: x\n"


def test_a_null_key_becomes_a_list() -> None:
    text = "history: ~\nstatus: x\n"
    new = edit(text, "append", ("history",), "a")
    assert new == "history:\n  - a\nstatus: x\n"


def test_a_string_list_item_becomes_a_mapping_in_place() -> None:
    text = "measures:\n  - 一项措施  # 重点\n  - 二项\nx: 1\n"
    new = edit(text, "set", ("measures", 0), {"text": Raw("一项措施"), "done": date(2021, 3, 5)})
    assert new == "measures:\n  - text: 一项措施  # 重点\n    done: 2021-03-05\n  - 二项\nx: 1\n"


def test_a_key_is_added_to_a_flow_mapping_inside_a_flow_list() -> None:
    text = 'measures: ["修订制度", {text: 检查}]\n'
    new = edit(text, "set", ("measures", 1, "done"), date(2021, 3, 5))
    assert new == 'measures: ["修订制度", {text: 检查, done: 2021-03-05}]\n'


def test_deleting_a_key_removes_exactly_its_lines() -> None:
    text = ("status: 已完成\nclosed:\n  date: 2021-03-05\n  evidence:\n  - a\n"
            "history:  # 记录\n  - x\n")
    assert edit(text, "delete", ("closed",)) == "status: 已完成\nhistory:  # 记录\n  - x\n"


def test_block_scalars_are_replaced_whole() -> None:
    text = "title: >-\n  作风不实的\n  问题。\nstatus: x\n"
    assert edit(text, "set", ("title",), "新题目") == "title: 新题目\nstatus: x\n"


def test_a_multi_line_quoted_value_is_replaced_without_picking_up_its_text() -> None:
    text = 'title: "问题 # 不是注释\n  第二行"\nstatus: x\n'
    assert edit(text, "set", ("title",), "新题目") == "title: 新题目\nstatus: x\n"
    assert edit(text, "set", ("title",), ["a"]) == "title:\n  - a\nstatus: x\n"


def test_a_value_below_its_key_keeps_the_comment_on_the_key_line() -> None:
    text = "measures:  # 措施\n  - a\n  - b\nstatus: x\n"
    assert edit(text, "set", ("measures",), "无") == "measures: 无  # 措施\nstatus: x\n"
    assert edit(text, "set", ("measures",), {"k": 1}) == (
        "measures:  # 措施\n  k: 1\nstatus: x\n")


def test_crlf_files_stay_crlf_and_a_missing_final_break_is_added_only_where_needed() -> None:
    text = "number: 4\r\nstatus: 长期坚持"
    new = edit(text, "append", ("history",), "a")
    assert new == "number: 4\r\nstatus: 长期坚持\r\nhistory:\r\n  - a\r\n"


def test_a_byte_order_mark_is_kept() -> None:
    doc = Document.from_bytes("\ufeffstatus: 正在推进\n".encode())
    doc.set(("status",), "已完成")
    assert doc.to_bytes() == "\ufeffstatus: 已完成\n".encode()


@pytest.mark.parametrize(("text", "action", "path", "message"), [
    ("- a\n", "set", ("x",), "顶层不是键值映射"),
    ("a: [\n", "set", ("x",), "语法错误"),
    ("a: 1\n", "append", ("a",), "不是列表"),
    ("a: 1\n", "delete", ("a",), "唯一的键"),
])
def test_shapes_that_cannot_be_edited_are_refused(text: str, action: str,
                                                  path: tuple[str, ...], message: str) -> None:
    with pytest.raises(RefusedError) as info:
        edit(text, action, path, "v")
    assert message in info.value.message


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)


@given(TEXT)
def test_any_string_reads_back_as_the_same_string_in_block_context(value: str) -> None:
    assert yaml.safe_load(f"k: {render_scalar(value)}\n") == {"k": value}


@given(st.lists(TEXT, max_size=4))
def test_any_strings_read_back_the_same_in_flow_context(values: list[str]) -> None:
    assert yaml.safe_load(f"k: {render_flow({'x': values})}\n") == {"k": {"x": values}}


@pytest.mark.parametrize("word", ["no", "yes", "0755", "2021-03-05", "null", "", "1e3", "- a",
                                  "a: b", "#x", "x #y", "'q'", "true"])
def test_words_yaml_would_misread_are_quoted(word: str) -> None:
    rendered = render_scalar(word)
    assert rendered != word
    assert yaml.safe_load(f"k: {rendered}") == {"k": word}
