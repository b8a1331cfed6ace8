"""Strict YAML in: bytes to a node tree with positions, or problems.

This layer decodes, screens for the mistakes people actually make (merge
conflict markers, tabs, wrong encodings) and composes the YAML node graph with
PyYAML's C parser when the wheel has it. It never constructs Python objects
from tags: turning nodes into values is the loader's job, directed by the
schema, so no tag can build an object and `no` stays the text "no".
"""

from __future__ import annotations

import re

import yaml

from ledger.core.model import Location, Problem

try:  # libyaml is about 7x faster; the pure loader is the fallback.
    _Base: type[yaml.CSafeLoader | yaml.SafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the wheel
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Composes without guessing types: the schema reads each scalar's text itself.

    With no implicit resolvers every plain scalar is tagged str, which spares a
    regex per scalar (about 10% of composing) and changes nothing we read.
    """

    yaml_implicit_resolvers: dict[str, list[tuple[str, object]]] = {}  # noqa: RUF012

    def resolve(self, kind: type[yaml.Node], value: object, implicit: object) -> str:
        """The default tag of each kind: called per node, so the general one was ~20% of compose."""
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

MAX_BYTES = 8 * 1024 * 1024

# The line breaks YAML recognises; used so our line numbers match PyYAML's marks.
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?:\s|$)")
_LEADING_TAB = re.compile(r"^ *\t")
_MARKERS = ("<" * 7, "=" * 7, ">" * 7, "|" * 7)

_STR, _SEQ, _MAP = ("tag:yaml.org,2002:" + name for name in ("str", "seq", "map"))

# Tags the resolver assigns implicitly, or that name plain data when written.
SAFE_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null",
                                             "timestamp", "seq", "map")
)


# What a plain (unquoted) scalar writes for "no value"; quoted, the same text is text.
NULLS = frozenset(("", "~", "null", "Null", "NULL"))


def is_plain(node: yaml.Node) -> bool:
    """A plain (unquoted) scalar: the only kind whose text can mean null, a number or a bool."""
    return isinstance(node, yaml.ScalarNode) and node.style in (None, "")


def is_null(node: yaml.Node) -> bool:
    """An empty value: `key:`, `key: ~`, `key: null`, but not `key: ""`."""
    return is_plain(node) and node.value in NULLS


def split_lines(text: str) -> list[str]:
    """Split text at YAML's line breaks, so index i is line i + 1 of the marks."""
    return _BREAKS.split(text)


def decode(relpath: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """Decode a file as UTF-8 (a UTF-8 BOM is allowed), or explain why it is not text."""
    where = Location(relpath, 1, 1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        return None, [Problem(where, "encoding", "error", "文件是 UTF-16 编码,无法读取",
                              "请用文本编辑器把文件另存为 UTF-8 编码")]
    if b"\x00" in data:
        return None, [Problem(where, "encoding", "error", "文件含有空字节,不是文本文件",
                              "请确认这是台账的 YAML 文件;二进制文件不能放在这里")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace")
        lines = split_lines(before)
        loc = Location(relpath, len(lines), len(lines[-1]) + 1)
        if exc.reason == "unexpected end of data":  # the last character is cut in half
            return None, [Problem(loc, "encoding", "error",
                                  f"文件在第{loc.line}行的一个字符中间结束,可能被截断(保存或复制时中断)",
                                  "请从备份或 git 历史中恢复这个文件(git diff 可查看改动)")]
        hint = "请把文件另存为 UTF-8 编码(不要用 GBK/GB2312)"
        if _is_gb18030(data):
            hint = "文件看来是 GBK/GB18030 编码:请用文本编辑器另存为 UTF-8 编码"
        message = f"第{loc.line}行含有不是 UTF-8 的字节(0x{data[exc.start]:02x})"
        return None, [Problem(loc, "encoding", "error", message, hint)]


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: the keys are ASCII, so every other byte of the start is zero."""
    sample = data[:64]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return min(even, odd) == 0 and max(even, odd) * 2 >= len(sample) // 2


def _is_gb18030(data: bytes) -> bool:
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def screen(relpath: str, text: str) -> list[Problem]:
    """Find merge-conflict markers and tab indentation before the parser trips on them."""
    problems: list[Problem] = []
    if "\t" not in text and not any(marker in text for marker in _MARKERS):
        return problems  # the usual case, decided without splitting the file into lines
    for number, line in enumerate(split_lines(text), start=1):
        if _CONFLICT.match(line):
            problems.append(Problem(
                Location(relpath, number, 1), "merge-conflict", "error",
                f"第{number}行有未解决的合并冲突标记 {line[:7]}",
                f"请在 {relpath} 中解决冲突:保留正确的内容,删除 <<<<<<<、=======、>>>>>>> 标记行"))
        elif _LEADING_TAB.match(line):
            problems.append(Problem(
                Location(relpath, number, line.index("\t") + 1), "tab-indent", "error",
                "缩进中有制表符(Tab)", "YAML 缩进只能用空格:请把行首的 Tab 换成空格"))
    return problems


def too_large(relpath: str, size: int) -> Problem:
    """A file over MAX_BYTES, whether found by `stat` before reading or by length after."""
    return Problem(Location(relpath, 1, 1), "file-too-large", "error",
                   f"文件过大({size // 1024} KiB,上限 {MAX_BYTES // 1024} KiB)",
                   "一个问题一个文件;请检查文件是否误存了其他内容")


def compose(relpath: str, data: bytes) -> tuple[yaml.Node | None, list[Problem]]:
    """Parse one YAML document into nodes with marks; problems instead of exceptions."""
    if len(data) > MAX_BYTES:
        return None, [too_large(relpath, len(data))]
    text, problems = decode(relpath, data)
    if text is None:
        return None, problems
    problems = screen(relpath, text)
    if problems:
        return None, problems
    try:
        node = yaml.compose(text, Loader=_Loader)  # compose builds no objects
    except yaml.MarkedYAMLError as exc:
        return None, [_person_fault(relpath, text, exc) or _syntax_problem(relpath, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [Problem(Location(relpath, 1, 1), "yaml-syntax", "error",
                              f"YAML 语法错误:{exc}", "请检查文件格式")]
    except RecursionError:
        return None, [Problem(Location(relpath, 1, 1), "yaml-syntax", "error",
                              "YAML 嵌套层次过深", "台账文件不需要这么深的嵌套;请检查文件内容")]
    return node, []


_SYNTAX_HINTS = (
    ("found character '\\t'", "YAML 缩进只能用空格,不能用 Tab"),
    ("mapping values are not allowed", "冒号后面要有空格;如果文本本身含有\": \",请给整个值加引号"),
    ("found unexpected end of stream", "引号或括号没有配对,请检查是否漏了结尾的引号"),
    ("expected a single document", "一个文件只能有一个 YAML 文档;请删除多余的 --- 分隔线"),
    ("maximum nesting depth", "台账文件不需要这么深的嵌套;请检查文件内容"),
    ("could not find expected ':'", "每个键后面要有冒号和空格,例如 \"status: 正在推进\""),
    ("found undefined alias", "台账文件不使用锚点(&)和别名(*);请直接写出内容"),
)


# Faults a person makes, found on the line that has them: the parser often notices
# only later (a full-width colon at the end of the file, a missing space at the next key).
_KEY = r"^(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>[A-Za-z_][A-Za-z0-9_]*)"
_FULL_WIDTH_COLON = re.compile(_KEY + r"[ ]*\uff1a")
_NO_SPACE = re.compile(_KEY + r":(?=[^ \r\n#])")
_QUOTED_START = re.compile(_KEY + r":[ ]+(?P<quote>[\"'])")


def _person_fault(relpath: str, text: str, exc: yaml.MarkedYAMLError) -> Problem | None:
    """The first line up to the parser's error with a fault people make, pointed at
    where it is: a full-width colon, no space after a colon, a tab, an unclosed quote."""
    mark = exc.problem_mark or exc.context_mark
    last = mark.line + 1 if mark is not None else None
    for number, line in enumerate(split_lines(text), start=1):
        if last is not None and number > last:
            break
        found = _line_fault(line)
        if found is not None:
            col, message, hint = found
            return Problem(Location(relpath, number, col), "yaml-syntax", "error",
                           f"YAML 语法错误:{message}", hint)
    return None


def _line_fault(line: str) -> tuple[int, str, str] | None:
    if "\t" in line[:len(line) - len(line.lstrip(" \t"))]:
        return (line.index("\t") + 1, "缩进中有制表符(Tab)",
                "YAML 缩进只能用空格,不能用 Tab:请把这一行开头的 Tab 换成空格")
    match = _FULL_WIDTH_COLON.match(line)
    if match:
        return (match.end(), f"键 {match.group('key')} 后面是全角冒号\"\uff1a\"",
                f"请改为半角冒号加空格,例如 \"{match.group('key')}: 值\"")
    match = _NO_SPACE.match(line)
    if match:
        key = match.group("key")
        return (match.end() + 1, f"键 {key} 的冒号后面缺少空格",
                f"冒号后面要有一个空格,例如 \"{key}: 值\"")
    match = _QUOTED_START.match(line)
    if match:
        quote = match.group("quote")
        rest = line[match.end():]
        closed = rest.replace("''", "").find("'") if quote == "'" else _closing_double(rest)
        if closed < 0:
            return (match.end(), "引号没有配对",
                    f"这一行的值以 {quote} 开头,但这一行没有结尾的 {quote}:请补上结尾的引号,"
                    "或去掉开头的引号")
    return None


def _closing_double(rest: str) -> int:
    escaped = False
    for index, char in enumerate(rest):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return index
    return -1


def _syntax_problem(relpath: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = exc.problem or exc.context or "无法解析"
    hint = "请检查这一行的缩进、冒号和引号"
    for needle, text in _SYNTAX_HINTS:
        if needle in str(exc):
            hint = text
            break
    return Problem(Location(relpath, line, col), "yaml-syntax", "error",
                   f"YAML 语法错误:{_translate(what)}", hint)


_TRANSLATIONS = {
    "mapping values are not allowed here": "此处不能出现键值对",
    "found unexpected end of stream": "文件意外结束",
    "found character '\\t' that cannot start any token": "出现了制表符(Tab)",
    "could not find expected ':'": "找不到应有的冒号",
    "did not find expected key": "找不到应有的键",
    "did not find expected '-' indicator": "找不到应有的列表项标记 -",
    "found undefined alias": "引用了未定义的别名",
    "but found another document": "文件中有多个文档",
    "exceeded maximum nesting depth": "嵌套层次过深",
    "found unexpected ':'": "出现了意外的冒号",
    "found unknown escape character": "引号内有无效的转义字符",
}


def _translate(what: str) -> str:
    for english, chinese in _TRANSLATIONS.items():
        if what.startswith(english):
            return chinese
    return what
