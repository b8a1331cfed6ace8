"""The diagnostic codes are documented and exemplified: the docs cannot drift.

Every kebab-case string in the package that is used as a code must be in
ledger.codes.CODES; every code there must have an example under tests/ and a
section in docs/errors.md (written by tests/gen_errors.py).
"""

from __future__ import annotations

import ast
import re

from ledger.codes import CODES

from .conftest import REPO, TESTS
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


def test_every_code_has_an_example() -> None:
    examples = covered_codes()
    test_text = "".join(path.read_text(encoding="utf-8") for path in TESTS.glob("test_*.py"))
    missing = [code for code in CODES
               if code not in examples and f'"{code}"' not in test_text]
    assert not missing, f"no broken-ledger example for: {missing}"


def test_errors_md_lists_every_code() -> None:
    catalogue = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = [code for code in CODES
               if f"\n## `{code}`\n" not in catalogue or f"[`{code}`](#{code})" not in catalogue]
    assert not missing, f"docs/errors.md lacks: {missing} (run python -m tests.gen_errors)"
