"""`ledger import` on the notice corpus (tests/notices): every shape of issue 11, each checked.

Each NAME.txt is imported through the CLI; NAME.expected.yaml says, in plain
YAML, the exit code, the header (issuer, kind, group, dates, stated numbers),
every problem (title, number of measures, status) and the warning codes. Then
`render` of the imported ledger must contain every body line of the notice
(only the web page's furniture, kept under `source`, is left out).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ledger.read.loader import load
from ledger.read.notice import load_notice

from .conftest import Run

CORPUS = Path(__file__).parent / "notices"
NOTICES = sorted(CORPUS.glob("*.txt"))


def expected(notice: Path) -> dict[str, Any]:
    data = yaml.safe_load(notice.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_corpus_has_every_pattern() -> None:
    assert len(NOTICES) >= 20
    names = {path.stem for path in NOTICES}
    for needed in ("09-aggregate-of-units", "13-metadata-only", "14-cut-off-page",
                   "15-traditional", "16-audit-report", "17-side-counts"):
        assert needed in names


def _day(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


@pytest.mark.parametrize("notice", NOTICES, ids=lambda path: path.stem)
def test_notice_imports_as_expected(run: Run, tmp_path: Path, notice: Path) -> None:
    want = expected(notice)
    root = tmp_path / "ledger"
    result = run("import", notice, "--into", root)
    assert result.exit_code == want["exit"], result.output
    codes = sorted(set(re.findall(r"warning\[([a-z-]+)\]", result.stderr)))
    assert codes == sorted(want["warnings"]), result.stderr
    ledger = load(root).ledger
    header = ledger.header
    inspection = header.inspection
    assert header.issuer == want["issuer"]
    assert header.title == want["title"]
    assert (inspection.kind or None) == want["kind"]
    assert (inspection.by or None) == want["by"]
    assert (inspection.start, inspection.end, inspection.feedback) == (
        _day(want["start"]), _day(want["end"]), _day(want["feedback"]))
    loaded, _ = load_notice(root)
    assert loaded is not None
    assert loaded.date == _day(want["date"])
    assert [[issue.title, len(issue.measures), issue.status] for issue in ledger.issues] == \
        want["problems"]
    if "aspects" in want:
        assert [aspect.title for aspect in header.aspects] == want["aspects"]
    if "prefaces" in want:
        assert [issue.preface for issue in ledger.issues] == want["prefaces"]
    if "furniture" in want:
        kept = [line for line in (loaded.breadcrumb, loaded.source_line) if line]
        assert len(kept) + len(loaded.source_meta) == want["furniture"]
    assert header.money_unit == want.get("money_unit", "")
    stated = dict(want.get("stated", {}))
    results = stated.pop("results", {})
    if header.stated is None:
        assert not stated and not results
    else:
        got = {key: getattr(header.stated, key) for key in (
            "aspects", "problems", "measures", "done", "ongoing", "rate", "involved",
            "rectified") if getattr(header.stated, key) is not None}
        assert got == {key: Decimal(str(value)) if key in ("rate", "involved", "rectified")
                       else value for key, value in stated.items()}
        assert {tally.label: tally.count if tally.count is not None else tally.amount
                for tally in header.stated.results} == {
            label: value if isinstance(value, int) else Decimal(value)
            for label, value in results.items()}
    if "amounts" in want:
        got_amounts = [[amounts.involved, amounts.rectified,
                        {way.label: way.amount for way in amounts.ways}]
                       for issue in ledger.issues if (amounts := issue.amounts) is not None]
        assert got_amounts == [[Decimal(a), Decimal(b), {k: Decimal(v) for k, v in ways.items()}]
                               for a, b, ways in want["amounts"]]


def _fill_what_the_notice_lacks(root: Path) -> None:
    """What a clerk fills in after an import warned (kind, feedback, issuer), nothing else."""
    path = root / "data" / "ledger.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  kind:\n", "  kind: 巡察\n").replace("  feedback:\n",
                                                                "  feedback: 2020-01-01\n")
    text = text.replace("issuer: ''\n", "issuer: 某单位\n")
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("notice", NOTICES, ids=lambda path: path.stem)
def test_render_keeps_every_body_line(run: Run, tmp_path: Path, notice: Path) -> None:
    root = tmp_path / "ledger"
    run("import", notice, "--into", root)
    _fill_what_the_notice_lacks(root)
    rendered = run("--root", root, "--today", "2025-01-01", "render", "--format", "txt")
    assert rendered.exit_code == 0, rendered.output
    loaded, _ = load_notice(root)
    assert loaded is not None
    furniture = {loaded.breadcrumb, loaded.source_line, *loaded.source_meta}
    text = "".join(rendered.stdout.split())
    lost = [line.strip() for line in notice.read_text(encoding="utf-8").splitlines()
            if line.strip() and line.strip() not in furniture
            and "".join(line.split()) not in text]
    assert lost == []
    assert "2025年1月1日" not in rendered.stdout  # never the day it is rendered


@pytest.mark.parametrize(("name", "code", "line"), [
    ("09-aggregate-of-units", "import-no-problems", 4),
    ("13-metadata-only", "import-no-problems", 4),
    ("14-cut-off-page", "import-cut-off", 12),
    ("16-audit-report", "import-no-date", 26),
])
def test_warnings_name_the_line(name: str, code: str, line: int) -> None:
    from ledger.notice_import.run import parse

    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    found = [problem for problem in parse(text, f"{name}.txt").problems if problem.code == code]
    assert [problem.location.line for problem in found] == [line]


def test_sheet_warning_codes_are_the_documented_ones() -> None:
    from ledger.core.codes import CODES

    for code in ("import-sheet-columns", "import-sheet-value", "import-no-problems",
                 "import-cut-off"):
        assert code in CODES
