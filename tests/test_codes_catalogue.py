"""The diagnostic codes are documented and exemplified: the docs cannot drift.

Every kebab-case string in the package that is used as a code must be in
ledger.codes.CODES; every code there must have an example that produces it
(a broken ledger under tests/broken/, a case built in code in
test_validate_corpus.BUILT, or a notice in IMPORT_CASES below) and a
section in docs/errors.md (written by tests/gen_errors.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ledger.core.codes import CODES

from .conftest import REPO, Run
from .test_validate_corpus import covered_codes

KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
# Kebab-case strings in the package that are not diagnostic codes.
NOT_CODES = frozenset({
    "closed-late", "no-deadline", "text-align", "font-family", "font-size", "line-height",
    "margin-top", "margin-bottom", "text-indent", "letter-spacing", "font-weight",
    # SARIF rule ids and JUnit element names of `ledger check`'s reports
    "deadline-red", "deadline-yellow", "deadline-green", "system-out",
    "ledger-cache",
    # git subcommands that ledger.history runs (--as-of, stats --history)
    "cat-file", "rev-parse",
})


def strings_in_package() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "ledger").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and KEBAB.match(node.value):
                found.add(node.value)
    return found


def test_every_code_used_is_catalogued() -> None:
    missing = strings_in_package() - set(CODES) - NOT_CODES
    assert not missing, f"add these to ledger/codes.py (or NOT_CODES): {sorted(missing)}"


_TITLE = "关于某巡察整改情况的通报\n"
_LEAD = "2022年1月1日,县委第一巡察组反馈了巡察意见。\n"
_END = "某某党组\n2022年1月2日\n"

# Notices that make `ledger import` report each of its codes: code → (text, every
# diagnostic the import gives, as `line:col: code`).
IMPORT_CASES: dict[str, tuple[str, list[str]]] = {
    "import-unplaced": (
        _TITLE + _LEAD + "一、关于甲方面问题\n(一)甲一的问题。\n改了。\n\n"
        "  这是一段无法归类的文字。\n(二)甲二的问题。\n改了。\n" + _END,
        ["7:1: import-unplaced"]),
    "import-renumbered": (
        _TITLE + _LEAD + "一、关于甲方面问题\n(1)甲一的问题。\n改了。\n(2)甲二的问题。\n改了。\n"
        "二、关于乙方面问题\n(1)乙一的问题。\n改了。\n" + _END,
        ["9:1: import-renumbered"]),
    "import-layout": (
        _TITLE + _LEAD + "一、关于甲的问题。\n整改情况:一是甲;二是乙。\n"
        "二、关于乙的问题。\n改了。\n" + _END,
        ["6:1: import-layout"]),
    "import-no-title": ("(一)甲的问题。\n一是甲;二是乙。\n",
                        ["1:1: import-no-title", "3:1: import-no-date",
                         "1:1: import-no-inspection"]),
    "import-no-date": (_TITLE + _LEAD + "一、关于甲的问题。\n改了。\n",
                       ["5:1: import-no-date"]),  # at the end, where it would stand
    "import-no-inspection": (_TITLE + "一、关于甲的问题。\n改了。\n" + _END,
                             ["1:1: import-no-inspection"]),
    "import-no-problems": (_TITLE + _LEAD + "这里只有一段叙述。\n" + _END,
                           ["2:1: import-no-problems"]),
    "import-cut-off": (_TITLE + _LEAD + "(一)甲的问题。\n一是甲;二是组织学习,重点学习\n",
                       ["5:1: import-no-date", "4:1: import-cut-off"]),
}
# Office tables (CSV) that make the import report the codes of its table reader.
SHEET_CASES: dict[str, tuple[str, list[str]]] = {
    "import-sheet-columns": ("某某局巡察整改台账,,\n序号,责任单位,整改时限\n1,办公室,2021-06-30\n",
                             ["1:1: import-no-problems", "1:1: import-no-inspection",
                              "2:1: import-sheet-columns"]),
    "import-sheet-value": ("序号,存在问题,整改措施,整改时限\n1,甲问题,甲措施,尽快\n",
                           ["1:1: import-no-title", "1:1: import-no-inspection",
                            "2:1: import-sheet-value"]),
}


@pytest.mark.parametrize("code", sorted(IMPORT_CASES))
def test_import_case(run: Run, tmp_path: Path, code: str) -> None:
    text, expected = IMPORT_CASES[code]
    notice = tmp_path / "notice.txt"
    notice.write_text(text, encoding="utf-8")
    result = run("import", notice, "--into", tmp_path / "out")
    found = re.findall(r"^notice\.txt:(\d+:\d+): warning\[([a-z-]+)\]", result.stderr, re.M)
    assert [f"{place}: {found_code}" for place, found_code in found] == expected
    assert result.exit_code == 6, result.output  # written, with warnings to review


@pytest.mark.parametrize("code", sorted(SHEET_CASES))
def test_sheet_case(run: Run, tmp_path: Path, code: str) -> None:
    text, expected = SHEET_CASES[code]
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(text, encoding="utf-8")
    result = run("import", sheet, "--into", tmp_path / "out")
    found = re.findall(r"^sheet\.csv:(\d+:\d+): warning\[([a-z-]+)\]", result.stderr, re.M)
    assert sorted(f"{place}: {found_code}" for place, found_code in found) == sorted(expected)
    assert result.exit_code == 6, result.output


def test_every_code_has_an_example() -> None:
    examples = covered_codes() | set(IMPORT_CASES) | set(SHEET_CASES)
    missing = [code for code in CODES if code not in examples]
    assert not missing, f"no example (tests/broken, BUILT or IMPORT_CASES) for: {missing}"


def test_errors_md_lists_every_code() -> None:
    catalogue = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = [code for code in CODES
               if f"\n## `{code}`\n" not in catalogue or f"[`{code}`](#{code})" not in catalogue]
    assert not missing, f"docs/errors.md lacks: {missing} (run python -m tests.gen_errors)"
