"""Replay every case the fuzzers (or the hostile corpus work) found: tests/fuzz_regressions/*.yaml.

Each file names its target (loader, import, edits), the input, and where it was
found. The case is run through the same property the fuzzer checks
(tests/_fuzz.py), strictly: the allowances the fuzzers make for known defects
do not apply here. A case with `gap:` is a known defect in a module the
harness does not own: a strict xfail, so the test fails once the defect is
fixed and the `gap:` must go.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ._fuzz import base_files, check_edits, check_import, check_loader

CASES = sorted((Path(__file__).parent / "fuzz_regressions").glob("*.yaml"))


def _replay(case: dict[str, Any]) -> None:
    target = case["target"]
    if target == "loader":
        check_loader(str(case["input"]).encode("utf-8"))
    elif target == "import":
        check_import(str(case["input"]), strict=True)
    elif target == "edits":
        files = base_files()
        if "issue" in case:
            files["data/issues/001.yaml"] = str(case["issue"]).encode("utf-8")
        check_edits(files, list(case["ops"]))
    else:
        raise AssertionError(f"unknown target {target}")


def test_there_are_regression_cases() -> None:
    targets = {yaml.safe_load(path.read_text(encoding="utf-8"))["target"] for path in CASES}
    assert targets == {"loader", "import", "edits"}


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_found_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert case.get("about") and case.get("found_by"), "say what the case is and who found it"
    gap = case.get("gap")
    if not gap:
        _replay(case)
        return
    try:
        _replay(case)
    except AssertionError:
        pytest.xfail(gap)
    pytest.fail(f"known defect fixed, remove `gap:` from {path.name}: {gap}")
