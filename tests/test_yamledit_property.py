"""Property: on any hand-written-looking problem file, an edit gives the intended data and
changes no line outside the edited field.

Files are generated with comments, blank lines, plain/single/double quoting, block
lists at three indentations and flow lists and mappings. For each edit the test
works out, from the original file's own node marks, which lines belong to the
edited field; every other line must come through unchanged, in order.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.edit.yamledit import Document, Raw
from ledger.read.loader import parse_issue

ALPHABET = st.sampled_from(list("问题整改措施落实abcXYZ019 :#-,'\"[]{}&*!|>%@`?…。"))
TEXT = st.text(ALPHABET, min_size=1, max_size=12).filter(lambda t: t.strip() == t)
DAY = st.dates(min_value=date(2021, 6, 2), max_value=date(2022, 12, 31))


def _reads_as(source: str, value: Any, flow: bool) -> bool:
    try:
        wrapped = f"k: [{source}]\n" if flow else f"k: {source}\n"
        loaded = yaml.safe_load(wrapped)
    except yaml.YAMLError:
        return False
    return bool(loaded == {"k": [value] if flow else value})


@st.composite
def scalar_source(draw: st.DrawFn, value: str, flow: bool = False) -> str:
    """The string written plain, single- or double-quoted (plain only when it reads back)."""
    styles = ["single", "double"]
    if _reads_as(value, value, flow) and "#" not in value:
        styles.append("plain")
    style = draw(st.sampled_from(styles))
    if style == "plain":
        return value
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Entry:
    key: str
    lines: list[str]


def comment(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "", "  # 注释", "   #备注: x"]))


@st.composite
def string_list(draw: st.DrawFn, key: str, values: list[Any], indent: int | None,
                flow: bool) -> Entry:
    def flow_value(value: Any) -> str:
        return draw(scalar_source(value, flow=True)) if isinstance(value, str) else str(value)

    if flow:
        parts = [flow_value(v) if isinstance(v, str)
                 else "{" + ", ".join(f"{k}: {flow_value(x)}" for k, x in v.items()) + "}"
                 for v in values]
        return Entry(key, [f"{key}: [{', '.join(parts)}]{comment(draw)}"])
    assert indent is not None
    lines = [f"{key}:{comment(draw)}"]
    pad = " " * indent
    for value in values:
        if isinstance(value, str):
            lines.append(f"{pad}- {draw(scalar_source(value))}{comment(draw)}")
        else:
            gap = draw(st.sampled_from([1, 3]))
            first = True
            for k, x in value.items():
                src = draw(scalar_source(x)) if isinstance(x, str) else str(x)
                lead = f"{pad}-{' ' * gap}" if first else " " * (indent + 1 + gap)
                lines.append(f"{lead}{k}: {src}{comment(draw)}")
                first = False
    return Entry(key, lines)


@st.composite
def issue_file(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = {"number": draw(st.integers(1, 999)), "aspect": 1}
    measures = draw(st.lists(st.one_of(
        TEXT, st.builds(lambda t, d: {"text": t, "done": d}, TEXT, DAY),
        st.builds(lambda t: {"text": t}, TEXT)), min_size=1, max_size=3))
    data["title"] = draw(TEXT)
    data["measures"] = measures
    data["unit"] = draw(TEXT)
    data["co_units"] = draw(st.lists(TEXT, max_size=2))
    data["status"] = draw(st.sampled_from(["正在推进", "基本完成"]))
    progress = draw(st.sampled_from(["absent", "null", "empty", "items"]))
    if progress != "absent":
        data["progress"] = {"null": None, "empty": []}.get(progress) if progress != "items" else \
            draw(st.lists(st.builds(lambda d, t: {"date": d, "text": t}, DAY, TEXT),
                          min_size=1, max_size=2))
    indent = draw(st.sampled_from([0, 2, 4]))
    entries: list[Entry] = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            entries.append(draw(string_list(key, value, indent, draw(st.booleans()))))
        elif isinstance(value, list):
            entries.append(Entry(key, [f"{key}: []{comment(draw)}"]))
        elif value is None:
            entries.append(Entry(key, [f"{key}:{comment(draw)}"]))
        elif key == "title" and draw(st.booleans()):
            # A literal block scalar, as people paste long titles.
            entries.append(Entry(key, [f"{key}: |-{comment(draw)}", f"  {value}"]))
        elif isinstance(value, str):
            entries.append(Entry(key, [f"{key}: {draw(scalar_source(value))}{comment(draw)}"]))
        else:
            entries.append(Entry(key, [f"{key}: {value}{comment(draw)}"]))
    order = draw(st.permutations(entries))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# 手写的文件头注释")
    for entry in order:
        lines.extend(entry.lines)
        lines.extend(draw(st.sampled_from([[], [], [""], ["# 段落注释"]])))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join(lines) + newline, data


EDITS = st.sampled_from(["status", "title", "closed", "progress", "history", "co_units",
                         "done", "delete-unit"])


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _node_lines(text: str, path: tuple[str | int, ...]) -> tuple[int, int] | None:
    """0-based first and last line of the field at `path` in the original text (key included)."""
    node: Any = yaml.compose(text)
    first = None
    for key in path:
        if isinstance(key, str):
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                return None
            first, node = pair[0].start_mark.line, pair[1]
        else:
            node = node.value[key]
            first = node.start_mark.line
    assert first is not None
    end = node.end_mark
    last = end.line if end.column > 0 else end.line - 1
    return first, max(first, last)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue_file(), EDITS, TEXT, DAY, st.integers(0, 2))
def test_an_edit_changes_its_field_and_nothing_else(
        generated: tuple[str, dict[str, Any]], edit: str, text: str, day: date,
        which: int) -> None:
    source, data = generated
    assert yaml.safe_load(source) == data  # the generator itself is sound
    expected = copy.deepcopy(data)
    doc = Document(source)
    allowed: tuple[int, int] | None = None  # original lines the edit may touch
    if edit == "status":
        doc.set(("status",), "已完成")
        expected["status"] = "已完成"
        allowed = _node_lines(source, ("status",))
    elif edit == "title":
        doc.set(("title",), text + "\n第二行")
        expected["title"] = text + "\n第二行"
        allowed = _node_lines(source, ("title",))
    elif edit == "closed":
        record: dict[str, Any] = {"date": day, "by": text, "evidence": [text, {"path": "a/b.pdf",
                                                               "sha256": "0" * 64}]}
        doc.set(("closed",), record)
        expected["closed"] = record
    elif edit in ("progress", "history", "co_units"):
        item: Any = (text if edit == "co_units" else {"date": day, "text": text}
                     if edit == "progress" else {"date": day, "action": text})
        doc.append((edit,), item)
        old = expected.get(edit) or []
        expected[edit] = [*old, item]
        if data.get(edit) is None or data.get(edit) == [] or source.count(f"{edit}: [") \
                or edit not in data:
            allowed = _node_lines(source, (edit,))
    elif edit == "done":
        index = which % len(data["measures"])
        measure = data["measures"][index]
        if isinstance(measure, str):
            node = doc.node(("measures", index))
            assert node is not None
            doc.set(("measures", index),
                    {"text": Raw(source[node.start_mark.index:node.end_mark.index]),
                     "done": day})
            expected["measures"][index] = {"text": measure, "done": day}
        else:
            doc.set(("measures", index, "done"), day)
            expected["measures"][index] = {**measure, "done": day}
        allowed = _node_lines(source, ("measures", index))
        if source.count("measures: ["):
            allowed = _node_lines(source, ("measures",))
    else:
        doc.delete(("unit",))
        del expected["unit"]
        allowed = _node_lines(source, ("unit",))

    result = doc.to_text()
    assert yaml.safe_load(result) == expected
    issue, problems = parse_issue("data/issues/001.yaml", result.encode())
    assert issue is not None and not problems, problems

    old, new = _lines(source), _lines(result)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(old), len(new)) - prefix
           and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]):
        suffix += 1
    changed = range(prefix, len(old) - suffix)  # original lines not carried over verbatim
    if allowed is None:
        assert not changed, f"lines {list(changed)} changed by a pure insertion"
    else:
        assert all(allowed[0] <= line <= allowed[1] for line in changed), (changed, allowed)
    if edit != "delete-unit":  # comments survive, even on the edited line
        assert result.count("注释") == source.count("注释")
        assert result.count("备注") == source.count("备注")
    if "\r\n" in source:
        assert result.count("\r\n") == result.count("\n")


# ---------------------------------------------------------------- any YAML PyYAML can write

KEYS = st.sampled_from(["a", "b", "c", "x y", "no"])
SCALARS = st.one_of(st.text(max_size=6), st.integers(-5, 5), st.none(), DAY)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)), max_leaves=10)


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...],
                                                                        Any]]:
    found: list[tuple[tuple[str | int, ...], Any]] = []
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        found.append(((*prefix, key), item))
        found.extend(_paths(item, (*prefix, key)))
    return found


def _get(value: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, min_size=1, max_size=4), st.sampled_from([None, True, False]),
       st.sampled_from([2, 3, 4]), st.data(), VALUES,
       st.sampled_from(["set", "append", "delete", "add"]))
def test_any_edit_at_any_depth_gives_the_intended_data(
        data: dict[str, Any], flow: bool | None, indent: int, draw: st.DataObject, value: Any,
        action: str) -> None:
    source = yaml.safe_dump(data, default_flow_style=flow, indent=indent, allow_unicode=True,
                            sort_keys=False, width=30)
    if yaml.safe_load(source) != data:  # PyYAML cannot round-trip a few control characters
        return
    path, current = draw.draw(st.sampled_from(_paths(data)))
    expected = copy.deepcopy(data)
    doc = Document(source)
    parent = _get(expected, path[:-1])
    if action == "set":
        doc.set(path, value)
        parent[path[-1]] = value
    elif action == "append" and isinstance(path[-1], str) and (current is None
                                                               or isinstance(current, list)):
        doc.append(path, value)
        parent[path[-1]] = [*(current or []), value]
    elif action == "add" and isinstance(current, dict):
        key = draw.draw(KEYS)
        doc.set((*path, key), value)
        _get(expected, path)[key] = value
    elif action == "delete" and isinstance(path[-1], str) and len(parent) > 1:
        doc.delete(path)
        del parent[path[-1]]
    else:
        return
    assert yaml.safe_load(doc.to_text()) == expected, doc.to_text()
