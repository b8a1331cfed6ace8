"""yamledit's splices at the edges: first keys in list items, flow mappings, line breaks,
alignment, properties, block scalars in lists, and the file's own indentation."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.edit.yamledit import Document, EditError, KeyPath, Raw, Value


def edit(text: str, action: str, path: KeyPath, value: Value = None) -> str:
    doc = Document(text)
    if action == "delete":
        doc.delete(path)
    else:
        getattr(doc, action)(path, value)
    return doc.to_text()


# ---------------------------------------------------------------- deleting


def test_deleting_the_first_key_of_a_mapping_in_a_list_item_pulls_the_next_key_up() -> None:
    text = "measures:\n  - text: a\n    done: 2021-01-01\n    unit: 甲\n  - b\n"
    assert edit(text, "delete", ("measures", 0, "text")) == (
        "measures:\n  - done: 2021-01-01\n    unit: 甲\n  - b\n")
    assert edit(text, "delete", ("measures", 0, "done")) == (
        "measures:\n  - text: a\n    unit: 甲\n  - b\n")
    assert edit(text, "delete", ("measures", 0, "unit")) == (
        "measures:\n  - text: a\n    done: 2021-01-01\n  - b\n")


def test_deleting_in_a_flow_mapping() -> None:
    assert edit("closed: {date: 2021-01-01}\nx: 1\n", "delete", ("closed", "date")) == (
        "closed: {}\nx: 1\n")
    assert edit("c: {a: 1, b: 2}\n", "delete", ("c", "a")) == "c: {b: 2}\n"
    assert edit("c: {a: 1, b: 2}\n", "delete", ("c", "b")) == "c: {a: 1}\n"
    three = "closed: {date: 2021-01-01, by: 甲, note: 乙}\n"
    assert edit(three, "delete", ("closed", "date")) == "closed: {by: 甲, note: 乙}\n"
    assert edit(three, "delete", ("closed", "by")) == "closed: {date: 2021-01-01, note: 乙}\n"
    assert edit(three, "delete", ("closed", "note")) == "closed: {date: 2021-01-01, by: 甲}\n"


def test_deleting_an_absent_key_changes_nothing() -> None:
    text = "a: 1\nb: 2\n"
    assert edit(text, "delete", ("c",)) == text


def test_deleting_the_last_key_of_a_block_mapping_keeps_what_follows() -> None:
    text = "a: 1\nb:\n  - x  # 注释\n\n# 尾注\n"
    assert edit(text, "delete", ("b",)) == "a: 1\n\n# 尾注\n"


@pytest.mark.parametrize(("text", "path", "message", "hint"), [
    ("a: 1\n", ("a",), "不能删除 a:它是所在映射中唯一的键", ""),
    ("a: [1]\n", ("a", "x"), "a 不是键值映射", ""),
    ("a:\n  - b: 1\n", ("a", 0, "b"), "不能删除 a.1.b:它是所在映射中唯一的键", ""),
])
def test_deletions_refused(text: str, path: KeyPath, message: str, hint: str) -> None:
    with pytest.raises(EditError) as raised:
        edit(text, "delete", path)
    assert (raised.value.message, raised.value.hint) == (message, hint)


# ---------------------------------------------------------------- line breaks


def test_a_file_without_any_line_break() -> None:
    assert edit("number: 1", "set", ("status",), "正在推进") == "number: 1\nstatus: 正在推进\n"
    assert edit("number: 1", "set", ("number",), 2) == "number: 2"
    assert edit("a: [x]", "append", ("a",), "y") == "a: [x, y]"


def test_a_file_with_lone_carriage_returns_keeps_them() -> None:
    text = "number: 1\rstatus: a\r"
    assert edit(text, "set", ("history",), ["销号"]) == "number: 1\rstatus: a\rhistory:\r  - 销号\r"
    assert edit(text, "set", ("status",), "b") == "number: 1\rstatus: b\r"
    assert edit("number: 1\rstatus: a", "set", ("x",), "y") == "number: 1\rstatus: a\rx: y\r"
    assert edit("l:\r  - a\rz: 1\r", "append", ("l",), "b") == "l:\r  - a\r  - b\rz: 1\r"


def test_deleting_in_files_with_other_line_breaks() -> None:
    assert edit("a: 1\rb: 2\r", "delete", ("a",)) == "b: 2\r"
    assert edit("a: 1\r\nb: 2\r\n", "delete", ("b",)) == "a: 1\r\n"
    assert edit("m:\r  a: 1\r  b: 2\rz: 0\r", "delete", ("m", "b")) == "m:\r  a: 1\rz: 0\r"


def test_crlf_wins_over_a_stray_carriage_return() -> None:
    text = "a: 1\r\nb: 2\r\n"
    assert edit(text, "set", ("c",), {"d": 1}) == "a: 1\r\nb: 2\r\nc:\r\n  d: 1\r\n"


# ---------------------------------------------------------------- replacing


def test_aligned_values_keep_their_column() -> None:
    text = "status:   正在推进  # 状态\nunit:     办公室\n"
    assert edit(text, "set", ("status",), "已完成") == (
        "status:   已完成  # 状态\nunit:     办公室\n")
    # Cleared: no blanks are left behind the colon (it once kept "unit:     ").
    assert edit(text, "set", ("unit",), None) == "status:   正在推进  # 状态\nunit:\n"
    assert edit(text, "set", ("status",), None) == "status:  # 状态\nunit:     办公室\n"


def test_an_anchor_or_tag_goes_with_the_value_it_marks() -> None:
    assert edit("a: &anc 1\nb: 2\n", "set", ("a",), 5) == "a: 5\nb: 2\n"
    assert edit("a: !!str 1\nb: 2\n", "set", ("a",), "z") == "a: z\nb: 2\n"


def test_a_block_scalar_item_with_a_comment_on_its_dash_line() -> None:
    text = "measures:\n  - |  # 重点\n    措施一\n    续行\n  - 措施二\n"
    assert edit(text, "set", ("measures", 0), {"text": "措施一", "done": date(2021, 1, 2)}) == (
        "measures:\n  - text: 措施一  # 重点\n    done: 2021-01-02\n  - 措施二\n")
    assert edit(text, "set", ("measures", 0), "新措施") == (
        "measures:\n  - 新措施  # 重点\n  - 措施二\n")


def test_a_block_scalar_value_with_a_comment_on_its_key_line() -> None:
    text = "title: |  # 标题\n  第一行\n  第二行\n\nstatus: x\n"
    assert edit(text, "set", ("title",), "新题目") == "title: 新题目  # 标题\n\nstatus: x\n"
    assert edit(text, "set", ("title",), ["a"]) == "title:  # 标题\n  - a\n\nstatus: x\n"


def test_a_scalar_on_the_key_line_becomes_a_block_collection_below_it() -> None:
    text = "measures: 无  # 待定\nstatus: x\n"
    assert edit(text, "set", ("measures",), ["a", "b"]) == (
        "measures:  # 待定\n  - a\n  - b\nstatus: x\n")
    assert edit(text, "set", ("measures",), {"k": Raw("'v'")}) == (
        "measures:  # 待定\n  k: 'v'\nstatus: x\n")


def test_an_empty_value_gets_the_new_one_after_the_colon() -> None:
    assert edit("a:\nb: 1\n", "set", ("a",), "x") == "a: x\nb: 1\n"
    assert edit("a:   # 空\nb: 1\n", "set", ("a",), "x") == "a: x   # 空\nb: 1\n"
    assert edit("a: x\nb: 1\n", "set", ("a",), "") == "a: ''\nb: 1\n"


def test_a_flow_value_replaced_by_a_block_collection_or_inside_flow() -> None:
    # A whole flow value replaced by a non-empty collection becomes a block one.
    assert edit("a: [1, 2]  # c\nb: 1\n", "set", ("a",), ["x"]) == "a:  # c\n  - x\nb: 1\n"
    assert edit("a: {k: 1}\nb: 1\n", "set", ("a",), []) == "a: []\nb: 1\n"
    # A flow value replaced by a scalar is written in its place, as flow text.
    assert edit("a: [1]  # c\nb: 2\n", "set", ("a",), "a,b") == "a: 'a,b'  # c\nb: 2\n"
    assert edit("a: {k: 1}\n", "set", ("a", "k"), [1, 2]) == "a: {k: [1, 2]}\n"
    assert edit("a: [1, {k: v}]\n", "set", ("a", 1), "w") == "a: [1, w]\n"


def test_a_list_item_replaced_by_a_scalar_or_an_empty_collection() -> None:
    text = "l:\n  - a  # c\n  - b\n"
    assert edit(text, "set", ("l", 1), "z") == "l:\n  - a  # c\n  - z\n"
    assert edit(text, "set", ("l", 0), {}) == "l:\n  - {}  # c\n  - b\n"
    assert edit(text, "set", ("l", 0), ["x", "y"]) == "l:\n  - - x  # c\n    - y\n  - b\n"


# ---------------------------------------------------------------- adding


def test_new_keys_follow_the_nested_mappings_indentation() -> None:
    text = "closed:\n    date: 2021-01-01\nl:\n- a\n"
    assert edit(text, "set", ("closed", "by"), "甲") == (
        "closed:\n    date: 2021-01-01\n    by: 甲\nl:\n- a\n")
    assert edit(text, "set", ("m",), {"x": ["y"]}) == text + "m:\n    x:\n    - y\n"


def test_flow_collections_do_not_set_the_layout() -> None:
    # No block list in the file: lists sit one step right of their key.
    text = "a: {b: 1}\nc: [1]\nd:\n   e: 1\n"
    assert edit(text, "set", ("f",), {"g": [1]}) == text + "f:\n   g:\n      - 1\n"
    listed = "a: [x]\nd:\n   e: 1\nl:\n- a\n"
    assert edit(listed, "set", ("f",), {"g": [1]}) == listed + "f:\n   g:\n   - 1\n"


def test_a_deeper_list_sets_the_list_offset() -> None:
    text = "a:\n  b:\n      - 1\n"
    assert edit(text, "set", ("c",), {"d": [2]}) == text + "c:\n  d:\n      - 2\n"


def test_the_layout_search_goes_on_until_both_steps_are_found() -> None:
    # The list (searched first) does not end the search for the mapping step.
    text = "m:\n    x: 1\nl:\n  - a\n"
    assert edit(text, "set", ("k",), {"z": {"y": 1}}) == text + "k:\n    z:\n        y: 1\n"


def test_a_list_under_an_indented_key_sets_the_offset_from_that_key() -> None:
    text = "m:\n  l:\n  - a\n"
    assert edit(text, "set", ("x",), ["y"]) == text + "x:\n- y\n"


def test_the_layout_is_read_inside_list_items_and_at_one_space() -> None:
    text = "l:\n- k:\n      z: 1\n"
    assert edit(text, "set", ("m",), {"n": 1}) == text + "m:\n    n: 1\n"
    assert edit("a:\n b: 1\n", "set", ("m",), {"n": 1}) == "a:\n b: 1\nm:\n n: 1\n"


def test_keys_are_added_to_flow_mappings() -> None:
    assert edit("a: {}\n", "set", ("a", "k"), "v") == "a: {k: v}\n"
    assert edit("a: {x: 1}\n", "set", ("a", "k"), ["v"]) == "a: {x: 1, k: [v]}\n"
    assert edit("a: {x: 1, y: 2}\n", "set", ("a", "k"), "v") == "a: {x: 1, y: 2, k: v}\n"


def test_deleting_the_first_key_after_a_leading_blank_line_keeps_it() -> None:
    assert edit("\na: 1\nb: 2\n", "delete", ("a",)) == "\nb: 2\n"
    assert edit("\ra: 1\rb: 2\r", "delete", ("a",)) == "\rb: 2\r"


def test_keys_written_in_other_ways() -> None:
    assert edit("k :  v\nb: 1\n", "set", ("k",), "z") == "k :  z\nb: 1\n"
    assert edit("k :\nb: 1\n", "set", ("k",), "x") == "k : x\nb: 1\n"
    assert edit("'k:x': v\nb: 1\n", "set", ("k:x",), "z") == "'k:x': z\nb: 1\n"


def test_a_block_scalar_keeps_the_blank_lines_after_it() -> None:
    text = "a: 1\nb: |\n  x\n\n\nc: 3\n"
    assert edit(text, "set", ("b",), "y") == "a: 1\nb: y\n\n\nc: 3\n"
    assert edit("a: 1\nb: >\n  x\n", "append", ("l",), "y") == "a: 1\nb: >\n  x\nl:\n  - y\n"


def test_appending() -> None:
    assert edit("a: [x]\n", "append", ("a",), {"t": 1}) == "a: [x, {t: 1}]\n"
    assert edit("a: ~\nb: 1\n", "append", ("a",), "x") == "a:\n  - x\nb: 1\n"
    assert edit("a: null  # n\nb: 1\n", "append", ("a",), "x") == "a:  # n\n  - x\nb: 1\n"
    assert edit("l: []\nz: 1\n", "append", ("l",), "a") == "l:\n  - a\nz: 1\n"
    assert edit("z: 1\n", "append", ("l",), {"a": 1}) == "z: 1\nl:\n  - a: 1\n"
    assert edit("l:\nz: 1\n", "append", ("l",), "a") == "l:\n  - a\nz: 1\n"
    assert edit("m:\n  l: []\n", "append", ("m", "l"), "a") == "m:\n  l:\n    - a\n"
    assert edit("l:\n  - |\n    a\n\nz: 1\n", "append", ("l",), "b") == (
        "l:\n  - |\n    a\n  - b\n\nz: 1\n")


@pytest.mark.parametrize(("text", "action", "path", "message", "hint"), [
    ("a: 1\n", "append", ("a",), "a 不是列表,无法追加", "请把 a 改成列表(每项以 - 开头)"),
    ("a: [1]\n", "set", ("a", 3), "a.4 不存在,无法修改", ""),
    ("a: 1\n", "set", ("a", "b"), "a 不是映射或列表,无法修改", ""),
    ("a:\n  b: 1\n", "set", ("a", 0), "a.1 不存在,无法修改", ""),
    ("a:\n  - 1\n", "set", ("a", "b"), "a.b 不存在,无法修改", ""),
    ("- a\n", "set", ("x",), "文件的顶层不是键值映射,无法修改",
     "问题文件应以 number:、aspect:、title: 等键开头"),
    ("a: [\n", "set", ("x",), "文件有 YAML 语法错误,无法修改",
     "请先运行 ledger validate 查看并修正问题"),
])
def test_edits_refused(text: str, action: str, path: KeyPath, message: str, hint: str) -> None:
    with pytest.raises(EditError) as raised:
        edit(text, action, path, "v")
    assert (raised.value.message, raised.value.hint) == (message, hint)


def test_bytes_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(EditError) as raised:
        Document.from_bytes(b"a: \xff\n")
    assert (raised.value.message, raised.value.hint) == (
        "文件不是 UTF-8 编码,无法修改", "请先运行 ledger validate 查看问题")


def test_reading_nodes() -> None:
    doc = Document("\ufeffa:\n  - b: 1\n")
    assert doc.bom is True and doc.text == "a:\n  - b: 1\n"
    assert doc.has(("a", 0, "b")) is True
    assert doc.has(("a", 1)) is False
    assert doc.has(("a", -1)) is False
    assert doc.has(("a", "b")) is False
    assert doc.has(("c",)) is False
    assert doc.to_bytes() == "\ufeffa:\n  - b: 1\n".encode()
