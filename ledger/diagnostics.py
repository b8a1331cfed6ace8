"""The one diagnostic format, for people and for machines.

Text: `path:line:col: error[CODE]: message`, the offending line with a caret
under the column, then the hint. JSON: a list of objects. GitHub: workflow
commands that annotate the file. Plain strings only: no rich, no colour.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from .model import Problem

LineSource = Callable[[str, int], "str | None"]

SEVERITY_WORD = {"error": "错误", "warning": "警告"}


def width(text: str) -> int:
    """Terminal columns of `text`: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def format_text(problems: Sequence[Problem], source: LineSource) -> str:
    blocks = [_one(problem, source) for problem in problems]
    return "".join(blocks) + summary(problems)


def _one(problem: Problem, source: LineSource) -> str:
    loc = problem.location
    out = [f"{loc}: {problem.severity}[{problem.code}]: {problem.message}\n"]
    line = source(loc.path, loc.line) if loc.line > 0 else None
    if line is not None:
        shown = line.replace("\t", " ")
        gutter = f"{loc.line:>5} | "
        out.append(f"{gutter}{shown}\n")
        pad = width(shown[: max(loc.col - 1, 0)])
        out.append(f"{'':>5} | {' ' * pad}^\n")
    if problem.hint:
        out.append(f"  提示:{problem.hint}\n")
    return "".join(out)


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
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def github_data(text: str) -> str:
    """Escape a GitHub workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """Escape a GitHub workflow command's property value (file, title)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Sequence[Problem]) -> str:
    lines = []
    for problem in problems:
        loc = problem.location
        props = [f"file={github_property(loc.path)}"]
        if loc.line > 0:
            props += [f"line={loc.line}", f"col={loc.col}"]
        props.append(f"title={github_property(problem.code)}")
        body = problem.message + (f"(提示:{problem.hint})" if problem.hint else "")
        lines.append(f"::{problem.severity} {','.join(props)}::{github_data(body)}\n")
    return "".join(lines)
