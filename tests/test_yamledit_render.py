"""yamledit's rendering of new values: the exact text for each kind of scalar and collection."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.edit.yamledit import Layout, Raw, Value, render_flow, render_scalar


@pytest.mark.parametrize(("value", "block", "flow"), [
    ("中文", "中文", "中文"),
    ("it's", "it's", "it's"),
    ("a:b", "a:b", "'a:b'"),  # plain in block context only
    ("a,b", "a,b", "'a,b'"),
    ("[a]", "'[a]'", "'[a]'"),
    ("a: b", "'a: b'", "'a: b'"),
    ("x #y", "'x #y'", "'x #y'"),
    ("it's: x", "'it''s: x'", "'it''s: x'"),
    ("", "''", "''"),
    (" lead", "' lead'", "' lead'"),
    # What YAML 1.1 or 1.2 would read as something else than text
    ("no", "'no'", "'no'"), ("null", "'null'", "'null'"), ("~", "'~'", "'~'"),
    ("0755", "'0755'", "'0755'"), ("2021-03-05", "'2021-03-05'", "'2021-03-05'"),
    ("1e3", "'1e3'", "'1e3'"), ("0o17", "'0o17'", "'0o17'"), ("0x1F", "'0x1F'", "'0x1F'"),
    (".inf", "'.inf'", "'.inf'"), ("-.Inf", "'-.Inf'", "'-.Inf'"), (".NaN", "'.NaN'", "'.NaN'"),
    ("+1", "'+1'", "'+1'"), ("-.5", "'-.5'", "'-.5'"), ("1.", "'1.'", "'1.'"),
    ("0o8", "0o8", "0o8"), ("1e", "1e", "1e"),
])
def test_strings(value: str, block: str, flow: str) -> None:
    assert render_scalar(value) == block
    assert render_scalar(value, flow=True) == flow


@pytest.mark.parametrize(("value", "rendered"), [
    ("两行\n文本", '"两行\\n文本"'),
    ("a\tb", '"a\\tb"'),
    ("a\x00b\x07\x08\x0b\x0c\rc", '"a\\0b\\a\\b\\v\\f\\rc"'),
    ('"\\\n', '"\\"\\\\\\n"'),
    ("\x1b\x85\xa0\u2028\u2029", '"\\e\\N\\_\\L\\P"'),
    ("\x01\x1f\x7f\x9f", '"\\x01\\x1F\\x7F\\x9F"'),
    ("a\ufeffb\ufffe\uffff\n", '"a\\uFEFFb\\uFFFE\\uFFFF\\n"'),
    ("\ud800\udfff\n", '"\\uD800\\uDFFF\\n"'),
    ("\x7e\xa1\n", '"~¡\\n"'),
    ("a b\n", '"a b\\n"'),
    ("\ud7ff\ue000\xff\n", '"\ud7ff\ue000\xff\\n"'),
])
def test_double_quoted_escapes(value: str, rendered: str) -> None:
    assert render_scalar(value) == rendered


def test_other_scalars() -> None:
    assert [render_scalar(v) for v in (None, True, False, 0, 17, date(2021, 3, 5))] == [
        "", "true", "false", "0", "17", "2021-03-05"]
    assert render_scalar(None, flow=True) == "null"
    assert render_scalar(Raw("'保留 原样'")) == "'保留 原样'"
    with pytest.raises(TypeError) as raised:
        render_scalar(1.5)  # type: ignore[arg-type]
    assert str(raised.value) == "not a scalar: 1.5"


def test_flow_collections() -> None:
    value: Value = {"text": "a,b", "done": None, "list": [1, [], "x y"], "map": {}}
    assert render_flow(value) == "{text: 'a,b', done: null, list: [1, [], x y], map: {}}"
    assert render_flow([]) == "[]"
    assert render_flow("a") == "a"


def test_block_layout_of_each_kind_of_value() -> None:
    layout = Layout()
    assert layout.entry("k", None, 0) == ["k:"]
    assert layout.entry("k", "", 2) == ["  k: ''"]
    assert layout.entry("k", {}, 2) == ["  k: {}"]
    assert layout.entry("k", [], 0) == ["k: []"]
    assert layout.entry("k", {"a": 1, "b": [1, 2]}, 0) == [
        "k:", "  a: 1", "  b:", "    - 1", "    - 2"]
    assert layout.item(None, 2) == ["  -"]
    assert layout.item([], 2) == ["  - []"]
    assert layout.item({"a": 1, "b": {"c": 2}}, 2) == ["  - a: 1", "    b:", "      c: 2"]
    assert layout.item([[1, 2]], 0) == ["- - - 1", "    - 2"]
    assert Layout(step=4, seq_offset=0).entry("k", {"a": [1]}, 0) == ["k:", "    a:", "    - 1"]
