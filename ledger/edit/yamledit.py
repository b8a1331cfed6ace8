"""Surgical edits to YAML text: change one field, leave every other byte alone.

PyYAML's `dump` loses comments, key order and quoting, so the lifecycle
commands never re-serialise a file. Instead this module composes the text
into nodes, reads each node's span from its marks and splices new text into
that span only: replace a value, add or remove a key, append a list item.
New text follows the file's own layout (indentation step, whether lists sit
under their key or are indented, line endings). Inside a flow collection
(`[a, b]`, `{text: x}`) edits stay in flow style.

What it does not do: check that the result means anything (the lifecycle
module re-parses it with the loader), read or write files, or edit documents
that are not a single mapping at the top.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias, TypeGuard

import yaml
from yaml.emitter import Emitter
from yaml.resolver import Resolver

from ledger.core.errors import RefusedError
from ledger.read.yamlsrc import is_null

# Same choice as ledger.yamlsrc: libyaml when the wheel has it.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class EditError(RefusedError):
    """The file's shape does not allow the edit (a key is not a mapping, a list is not a list)."""


@dataclass(frozen=True, slots=True)
class Raw:
    """Source text copied verbatim into a rendering (an existing scalar keeps its quoting)."""

    text: str


# What can be written. Keys are str (mappings) or int (list positions, 0-based).
Value: TypeAlias = (
    "str | int | bool | date | Raw | Sequence[Value] | Mapping[str, Value] | None"
)
Key: TypeAlias = "str | int"
KeyPath = tuple[Key, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_BREAK = re.compile("\r\n|\r|\n")
# Numbers in YAML 1.2 that PyYAML (1.1) reads as text: quoted too, for other readers' sake.
_YAML12_NUMBER = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
_emitter = Emitter(io.StringIO(), allow_unicode=True)
_resolver = Resolver()


# ---------------------------------------------------------------- scalars


def render_scalar(value: Value, flow: bool = False) -> str:
    """One scalar as YAML source: plain when it reads back as the same string, else quoted."""
    if isinstance(value, Raw):
        return value.text
    if value is None:
        return "null" if flow else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError(f"not a scalar: {value!r}")
    return _render_str(value, flow)


def _render_str(text: str, flow: bool) -> str:
    analysis = _emitter.analyze_scalar(text)
    if analysis.multiline or not analysis.allow_single_quoted or "\t" in text:
        return _double_quoted(text)
    plain_ok = analysis.allow_flow_plain if flow else analysis.allow_block_plain
    # A plain scalar must also resolve back to a string for any YAML reader:
    # `no`, `0755`, `2021-03-05` typed as text get quotes.
    if plain_ok and text and _resolve(text) == _STR_TAG and not _YAML12_NUMBER.fullmatch(text):
        return text
    return "'" + text.replace("'", "''") + "'"


_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
            "\f": "\\f", "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\",
            "\x85": "\\N", "\xa0": "\\_", "\u2028": "\\L", "\u2029": "\\P"}


def _double_quoted(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif (code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code <= 0xDFFF
              or ch in "\ufeff\ufffe\uffff"):
            out.append(f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def render_flow(value: Value) -> str:
    """A value in flow style: `[a, b]`, `{text: x, done: 2021-03-05}`."""
    if isinstance(value, Mapping):
        inner = ", ".join(f"{render_scalar(k, flow=True)}: {render_flow(v)}"
                          for k, v in value.items())
        return "{" + inner + "}"
    if _is_list(value):
        return "[" + ", ".join(render_flow(v) for v in value) + "]"
    return render_scalar(value, flow=True)


def _resolve(text: str) -> str:
    tag: str = _resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _is_flow(node: yaml.Node) -> bool:
    return isinstance(node, yaml.CollectionNode) and bool(node.flow_style)


def _is_list(value: Value) -> TypeGuard[Sequence[Value]]:
    return isinstance(value, Sequence) and not isinstance(value, (str, Raw))


def _inline(value: Value) -> str:
    """A scalar or an empty collection on the current line (`[]`, `{}`); "" for null."""
    return render_flow(value) if _is_empty_collection(value) else render_scalar(value)


def _is_empty_collection(value: Value) -> bool:
    return (isinstance(value, Mapping) or _is_list(value)) and not value


# ---------------------------------------------------------------- layout


@dataclass(frozen=True, slots=True)
class Layout:
    """How the file indents: mapping step, and how far a list sits right of its key."""

    step: int = 2
    seq_offset: int = 2
    newline: str = "\n"

    def entry(self, key: str, value: Value, indent: int) -> list[str]:
        """Lines of `key: value` in a block mapping at `indent`."""
        pad = " " * indent
        name = render_scalar(key)
        if isinstance(value, Mapping) and value:
            return [f"{pad}{name}:", *self.mapping(value, indent + self.step)]
        if _is_list(value) and value:
            return [f"{pad}{name}:", *self.sequence(value, indent + self.seq_offset)]
        text = _inline(value)
        return [f"{pad}{name}:" + (f" {text}" if text else "")]

    def mapping(self, value: Mapping[str, Value], indent: int) -> list[str]:
        lines: list[str] = []
        for key, item in value.items():
            lines.extend(self.entry(key, item, indent))
        return lines

    def sequence(self, value: Sequence[Value], indent: int) -> list[str]:
        lines: list[str] = []
        for item in value:
            lines.extend(self.item(item, indent))
        return lines

    def item(self, value: Value, indent: int) -> list[str]:
        """Lines of one `- item` of a block sequence whose dashes sit at `indent`."""
        pad = " " * indent
        inner = self.block(value, indent + 2)
        if inner is None:
            return [f"{pad}- {_inline(value)}".rstrip(" ")]
        return [f"{pad}- {inner[0][indent + 2:]}", *inner[1:]]

    def block(self, value: Value, indent: int) -> list[str] | None:
        """A non-empty collection as block lines at `indent`; None for anything else."""
        if isinstance(value, Mapping) and value:
            return self.mapping(value, indent)
        if _is_list(value) and value:
            return self.sequence(value, indent)
        return None


def _detect_layout(text: str, root: yaml.Node) -> Layout:
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"
    step: int | None = None
    seq_offset: int | None = None
    stack: list[yaml.Node] = [root]
    while stack and (step is None or seq_offset is None):
        node = stack.pop()
        if isinstance(node, yaml.MappingNode) and not node.flow_style:
            for key, value in node.value:
                on_new_line = value.start_mark.line > key.start_mark.line
                if (isinstance(value, yaml.MappingNode) and not value.flow_style and on_new_line
                        and step is None):
                    step = value.start_mark.column - key.start_mark.column
                if (isinstance(value, yaml.SequenceNode) and not value.flow_style and on_new_line
                        and seq_offset is None):
                    seq_offset = value.start_mark.column - key.start_mark.column
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    step = step if step and step > 0 else 2
    seq_offset = seq_offset if seq_offset is not None and seq_offset >= 0 else step
    return Layout(step, seq_offset, newline)


# ---------------------------------------------------------------- document


class Document:
    """YAML text under edit. Each edit splices text and re-composes, so marks stay true."""

    def __init__(self, text: str) -> None:
        # The BOM is kept aside: marks then count from the first real character.
        self.bom = text.startswith("\ufeff")
        self.text = text[1:] if self.bom else text
        self._root: yaml.MappingNode | None = None

    @classmethod
    def from_bytes(cls, data: bytes) -> Document:
        try:
            return cls(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise EditError("文件不是 UTF-8 编码,无法修改",
                            "请先运行 ledger validate 查看问题") from exc

    def to_text(self) -> str:
        return ("\ufeff" if self.bom else "") + self.text

    def to_bytes(self) -> bytes:
        return self.to_text().encode("utf-8")

    # -- reading

    @property
    def root(self) -> yaml.MappingNode:
        if self._root is None:
            try:
                node = yaml.compose(self.text, Loader=_Loader)  # compose builds no objects
            except yaml.YAMLError as exc:
                raise EditError("文件有 YAML 语法错误,无法修改",
                                "请先运行 ledger validate 查看并修正问题") from exc
            if not isinstance(node, yaml.MappingNode):
                raise EditError("文件的顶层不是键值映射,无法修改",
                                "问题文件应以 number:、aspect:、title: 等键开头")
            self._root = node
        return self._root

    @property
    def layout(self) -> Layout:
        return _detect_layout(self.text, self.root)

    def node(self, path: KeyPath) -> yaml.Node | None:
        """The node at `path`, or None when a key or position is absent."""
        node: yaml.Node = self.root
        for key in path:
            found = _child(node, key)
            if found is None:
                return None
            node = found[1]
        return node

    def has(self, path: KeyPath) -> bool:
        return self.node(path) is not None

    # -- edits

    def set(self, path: KeyPath, value: Value) -> None:
        """Give `path` the value, replacing the old one or adding the key at the mapping's end."""
        parent = self._container(path[:-1])
        key = path[-1]
        found = _child(parent, key)
        if found is None:
            if not isinstance(parent, yaml.MappingNode) or not isinstance(key, str):
                raise EditError(f"{_dotted(path)} 不存在,无法修改")
            self._insert_key(parent, key, value)
        else:
            self._replace(parent, found[0], found[1], value)

    def append(self, path: KeyPath, item: Value) -> None:
        """Append `item` to the list at `path`; an absent or empty key becomes a one-item list."""
        node = self.node(path)
        if node is None or (is_null(node)):
            self.set(path, [item])
            return
        if not isinstance(node, yaml.SequenceNode):
            raise EditError(f"{_dotted(path)} 不是列表,无法追加",
                            f"请把 {_dotted(path)} 改成列表(每项以 - 开头)")
        if node.value:
            last = node.value[-1]
            if node.flow_style:
                self._splice(last.end_mark.index, last.end_mark.index, ", " + render_flow(item))
            else:
                at = self._after_line(self._content_end(last))
                lines = self.layout.item(item, node.start_mark.column)
                self._insert_lines(at, lines)
            return
        parent = self._container(path[:-1])
        found = _child(parent, path[-1])
        assert found is not None
        self._replace(parent, found[0], node, [item])

    def delete(self, path: KeyPath) -> None:
        """Remove a key and its value from a mapping (no-op when absent)."""
        parent = self._container(path[:-1])
        key = path[-1]
        if not isinstance(parent, yaml.MappingNode):
            raise EditError(f"{_dotted(path[:-1])} 不是键值映射")
        pairs = parent.value
        index = next((i for i, (k, _) in enumerate(pairs) if k.value == key), None)
        if index is None:
            return
        key_node, value_node = pairs[index]
        if parent.flow_style:
            if index > 0:
                start, end = pairs[index - 1][1].end_mark.index, value_node.end_mark.index
            elif len(pairs) > 1:
                start, end = key_node.start_mark.index, pairs[1][0].start_mark.index
            else:
                start, end = key_node.start_mark.index, value_node.end_mark.index
            self._splice(start, end, "")
            return
        if len(pairs) == 1:
            raise EditError(f"不能删除 {_dotted(path)}:它是所在映射中唯一的键")
        start = key_node.start_mark.index
        line_start = self._line_start(start)
        end = self._after_line(self._content_end(value_node))
        if self.text[line_start:start].strip():
            # The key shares its line with a `- ` marker: pull the next key up instead.
            # Only an item's first key sits there, and a lone key was refused above.
            self._splice(start, pairs[index + 1][0].start_mark.index, "")
        else:
            self._splice(line_start, end, "")

    # -- internals

    def _container(self, path: KeyPath) -> yaml.Node:
        node = self.node(path)
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            raise EditError(f"{_dotted(path) or '文件顶层'} 不是映射或列表,无法修改")
        return node

    def _replace(self, parent: yaml.Node, key_node: yaml.Node | None, node: yaml.Node,
                 value: Value) -> None:
        start, end = node.start_mark.index, self._content_end(node)
        flow_value = isinstance(node, yaml.CollectionNode) and bool(node.flow_style)
        if _is_flow(parent) or (flow_value and (
                not (isinstance(value, Mapping) or _is_list(value)) or not value)):
            # Inside flow, or a flow value replaced by a scalar or empty collection.
            self._splice(start, end, render_flow(value))
            return
        block_scalar = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
        nl = self.layout.newline
        if key_node is None:
            # An item of a block sequence: a new collection starts on the dash's line.
            column = node.start_mark.column
            lines = self.layout.block(value, column)
            line_end = self._line_end(end)
            rest = self._line_comment(start) if block_scalar else self.text[end:line_end]
            if lines is None:
                self._splice(start, line_end, _inline(value) + rest)
            else:
                self._splice(start, line_end, nl.join([lines[0][column:] + rest, *lines[1:]]))
            return
        colon = self._after_colon(key_node)
        key_line_end = self._line_end(colon)
        # The old value's span runs past the key's line: keep the comment on that line.
        below = start > key_line_end or block_scalar  # the key's line holds no value text
        keep = self._line_comment(colon) if end > key_line_end and below else ""
        lines = self.layout.block(value, 0)
        if lines is None:
            text = _inline(value)
            text = " " + text if text else ""
            if start == end or not isinstance(node, yaml.ScalarNode) or block_scalar \
                    or end > key_line_end or not text:
                # Empty value right after `key:`, a value below it, or a value cleared (no
                # blanks left after the colon): write it after the colon.
                self._splice(colon, end, text + keep)
            else:
                self._splice(start, end, text[1:])
            return
        # A block collection starts below its key, indented by the file's step.
        column = key_node.start_mark.column
        indent = column + (self.layout.step if isinstance(value, Mapping)
                           else self.layout.seq_offset)
        lines = self.layout.block(value, indent)
        assert lines is not None
        line_end = self._line_end(end)
        rest = "" if block_scalar else self.text[end:line_end]
        if end > key_line_end:
            new = keep + nl + nl.join(lines) + rest
        else:
            new = rest + nl + nl.join(lines)
        self._splice(colon, line_end, new)

    def _line_comment(self, index: int) -> str:
        """The comment, with the blanks before it, on the rest of the line from `index`."""
        rest = self.text[index:self._line_end(index)]
        match = re.search(r"[ \t]+#", rest)
        return rest[match.start():] if match else ""

    def _insert_key(self, mapping: yaml.MappingNode, key: str, value: Value) -> None:
        if mapping.flow_style:
            entry = f"{render_scalar(key, flow=True)}: {render_flow(value)}"
            if mapping.value:
                at = mapping.value[-1][1].end_mark.index
                self._splice(at, at, ", " + entry)
            else:
                self._splice(mapping.start_mark.index, mapping.end_mark.index,
                                   "{" + entry + "}")
            return
        column = mapping.value[0][0].start_mark.column
        at = self._after_line(self._content_end(mapping.value[-1][1]))
        self._insert_lines(at, self.layout.entry(key, value, column))

    def _insert_lines(self, at: int, lines: list[str]) -> None:
        nl = self.layout.newline
        text = nl.join(lines) + nl
        if at > 0 and self.text[at - 1] not in "\r\n":
            text = nl + text  # the file ended without a line break
        self._splice(at, at, text)

    def _splice(self, start: int, end: int, text: str) -> None:
        self.text = self.text[:start] + text + self.text[end:]
        self._root = None

    def _content_end(self, node: yaml.Node) -> int:
        """Where a node's own text ends: block scalars and collections without trailing lines."""
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark.index
            if node.style in ("|", ">"):
                while end > node.start_mark.index and self.text[end - 1] in " \r\n":
                    end -= 1
                end = self._line_end(end)
            return end
        if not isinstance(node, yaml.CollectionNode) or node.flow_style or not node.value:
            return int(node.end_mark.index)
        last = node.value[-1]
        return self._content_end(last[1] if isinstance(node, yaml.MappingNode) else last)

    def _line_start(self, index: int) -> int:
        return max(self.text.rfind("\n", 0, index), self.text.rfind("\r", 0, index)) + 1

    def _line_end(self, index: int) -> int:
        match = _BREAK.search(self.text, index)
        return match.start() if match else len(self.text)

    def _after_line(self, index: int) -> int:
        match = _BREAK.search(self.text, index)
        return match.end() if match else len(self.text)

    def _after_colon(self, key_node: yaml.Node) -> int:
        index = self.text.index(":", key_node.end_mark.index)
        return index + 1


def _child(node: yaml.Node, key: Key) -> tuple[yaml.Node | None, yaml.Node] | None:
    """(key node, value node) of a mapping entry, or (None, item) of a list position."""
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return None, node.value[key]
    return None


def _dotted(path: KeyPath) -> str:
    return ".".join(str(k + 1) if isinstance(k, int) else k for k in path)

