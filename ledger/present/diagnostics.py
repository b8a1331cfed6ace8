"""The one diagnostic format, for people and for machines.

Text: `path:line:col: error[CODE]: message`, the offending line with a caret
under the column, then the hint. JSON: a list of objects. GitHub: workflow
commands that annotate the file. Plain strings only: no rich, no colour.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence

from ledger.core.model import Problem
from ledger.present.safetext import json_safe, visible

LineSource = Callable[[str, int], "str | None"]

SEVERITY_WORD = {"error": "错误", "warning": "警告"}


def width(text: str) -> int:
    """Terminal columns of `text`: East Asian wide and full-width characters take two."""
    if text.isascii():
        return len(text)
    return len(text) + sum(map(_EXTRA.__getitem__, text))


class _Extra(dict[str, int]):
    """A character's columns beyond one (1 for wide and full-width, else 0), looked up
    once per distinct character: tables of 100,000 rows measure millions of them."""

    def __missing__(self, char: str) -> int:
        extra = self[char] = 1 if unicodedata.east_asian_width(char) in "WF" else 0
        return extra


_EXTRA = _Extra()


EXCERPT = 40  # characters of context either side of the column on a long line


def excerpt(line: str, col: int) -> tuple[str, int]:
    """A long line cut to a window around `col` (0-based), with the column in it."""
    if len(line) <= 2 * EXCERPT + 20:
        return line, col
    start = max(col - EXCERPT, 0)
    end = min(col + EXCERPT, len(line))
    head = "…" if start > 0 else ""
    tail = "…" if end < len(line) else ""
    return head + line[start:end] + tail, col - start + len(head)


def format_text(problems: Sequence[Problem], source: LineSource) -> str:
    blocks = [_one(problem, source) for problem in problems]
    return "".join(blocks) + summary(problems)


def _one(problem: Problem, source: LineSource) -> str:
    """One problem's lines; each is one line, data in it shown visibly (see `safetext`)."""
    loc = problem.location
    out = [f"{loc}: {problem.severity}[{problem.code}]: {problem.message}"]
    line = source(loc.path, loc.line) if loc.line > 0 else None
    if line is not None:
        shown, col = excerpt(line.replace("\t", " "), max(loc.col - 1, 0))
        out.append(f"{loc.line:>5} | {shown}")
        out.append(f"{'':>5} | {' ' * width(visible(shown[:col]))}^")
    if problem.hint:
        out.append(f"  提示:{problem.hint}")
    return "".join(visible(text) + "\n" for text in out)


def summary(problems: Iterable[Problem]) -> str:
    errors = warnings = 0
    for problem in problems:
        if problem.severity == "error":
            errors += 1
        else:
            warnings += 1
    if not errors and not warnings:
        return "检查通过:没有发现问题。\n"
    return f"共 {errors} 个错误,{warnings} 个警告。\n"


def format_json(problems: Sequence[Problem]) -> str:
    items = [
        {
            "path": problem.location.path,
            "line": problem.location.line,
            "column": problem.location.col,
            "severity": problem.severity,
            "code": problem.code,
            "message": problem.message,
            "hint": problem.hint,
        }
        for problem in problems
    ]
    import json  # here: only the JSON format needs it

    return json_safe(json.dumps(items, ensure_ascii=False, indent=2)) + "\n"


def github_data(text: str) -> str:
    """Escape a GitHub workflow command's message (control characters shown, see `safetext`)."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(escaped, multiline=True)


def github_property(text: str) -> str:
    """Escape a GitHub workflow command's property value (file, title)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Sequence[Problem], prefix: str = "") -> str:
    """GitHub workflow annotations; `prefix` is the ledger root relative to the repository
    (`docs/ledger/`), so that a ledger in a subfolder is annotated at the right file."""
    lines = []
    for problem in problems:
        loc = problem.location
        props = [f"file={github_property(prefix + loc.path)}"]
        if loc.line > 0:
            props += [f"line={loc.line}", f"col={loc.col}"]
        props.append(f"title={github_property(problem.code)}")
        body = problem.message + (f"(提示:{problem.hint})" if problem.hint else "")
        lines.append(f"::{problem.severity} {','.join(props)}::{github_data(body)}\n")
    return "".join(lines)
