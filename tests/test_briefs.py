"""Briefs (issue 15): what list, check, validate and stats read of each problem.

A `Brief` is made only by `Issue.brief` and must answer every question checks and
reports ask exactly as its Issue does; the cache keeps briefs in their own file
(.ledger-cache/briefs.jsonl) and a warm list, check or validate never builds a whole
record. These tests hold the briefs to the whole records on every broken-ledger case,
the hostile corpus and records of every kind.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from ledger.cache import codec, store
from ledger.cache import summary as cached_summary
from ledger.core.model import Brief, Issue, Summary
from ledger.deadline.standing import standing
from ledger.read import loader
from ledger.report.query import row
from ledger.report.stats import BREAKDOWNS, compute
from ledger.validate.rules import checked

from .conftest import BASE, BROKEN, TESTS
from .test_cache import EXTRA, Counter, outputs

CASES = sorted(path.name for path in BROKEN.iterdir() if not path.name.startswith("_"))
TODAY = date(2021, 9, 1)


def corpus() -> list[tuple[str, bytes]]:
    files = [(path.name, path.read_bytes()) for folder in ("broken", "hostile")
             for path in sorted((TESTS / folder).rglob("*.yaml"))]
    return files + [(name, text.encode()) for name, text in sorted(EXTRA.items())]


def briefed(loaded: loader.Loaded) -> Summary:
    data = loaded.ledger
    return Summary(data.root, data.header, tuple(issue.brief() for issue in data.issues),
                   loaded.problems)


def assert_answers_alike(brief: Brief, issue: Issue) -> None:
    for name in Brief._fields:
        if name != "where":
            assert getattr(brief, name) == getattr(issue, name), name
    assert brief.is_closed == issue.is_closed
    for key, place in brief.where.items():
        assert issue.where[key] == place, key
    # Every key a check or report looks up is kept: at() never falls back where the
    # record would not (the full list of keys is what `Issue.brief` keeps).
    for key in issue.where:
        if key in brief.where:
            assert brief.at(key) == issue.at(key)


@pytest.mark.parametrize(("name", "data"), corpus(), ids=[name for name, _ in corpus()])
def test_a_brief_answers_as_its_issue_and_survives_the_cache(name: str, data: bytes) -> None:
    relpath = f"data/issues/{name}"
    issue, problems = loader.parse_issue(relpath, data)
    if issue is None:
        return  # an unreadable file has no brief: its problems are all there is
    brief = issue.brief()
    assert_answers_alike(brief, issue)
    decoded = codec.decode_brief(relpath, codec.encode_brief(relpath, (brief, problems)))
    assert decoded == (brief, tuple(problems))


@pytest.mark.parametrize("case", CASES)
def test_every_broken_case_reads_the_same_from_briefs(case: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / case
    shutil.copytree(BASE, root)
    shutil.copytree(BROKEN / case, root, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("expected.txt"))
    loaded = loader.load(root)
    whole = loader.summary_of(loaded)
    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)  # every file old enough to keep
    counter = Counter(monkeypatch)
    fresh = cached_summary(root, cache=True, jobs=1)
    assert counter.take() == len(loader.issue_paths(root))
    again = cached_summary(root, cache=True, jobs=1)
    assert counter.take() == 0  # from .ledger-cache/briefs.jsonl
    for view in (briefed(loaded), fresh, again):
        assert view is not None
        assert checked(view, TODAY) == checked(whole, TODAY)
        assert compute(view, TODAY, tuple(BREAKDOWNS)) == compute(whole, TODAY, tuple(BREAKDOWNS))
        header = view.header
        for brief, issue in zip(view.issues, whole.issues, strict=True):
            mine = standing(brief, header.inspection.feedback, header.policy, TODAY)
            theirs = standing(issue, header.inspection.feedback, header.policy, TODAY)
            assert row(mine) == row(theirs)
            assert (mine.location, mine.deadline_text, mine.source, mine.fails) == (
                theirs.location, theirs.deadline_text, theirs.source, theirs.fails)


def test_warm_list_check_validate_stats_never_build_a_whole_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the briefs cached, the commands that read briefs never decode nor parse a whole
    record: the decoder of whole records is made to fail, and their output is unchanged."""
    root = tmp_path / "ledger"
    shutil.copytree(BASE, root)
    for name, text in EXTRA.items():
        (root / "data" / "issues" / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)
    commands = (("validate",), ("list", "--open"), ("list", "--json"), ("check",),
                ("check", "--format", "json"), ("stats", "--format", "json"))
    reference = outputs(root, monkeypatch, cached=False, commands=commands)
    assert outputs(root, monkeypatch, cached=True, commands=commands) == reference

    real = codec._fn

    def guarded(name: str) -> object:
        if name == "dec_Issue":
            raise AssertionError("a whole record was decoded")
        return real(name)

    monkeypatch.setattr(codec, "_fn", guarded)
    counter = Counter(monkeypatch)
    assert outputs(root, monkeypatch, cached=True, commands=commands) == reference
    assert counter.take() == 0


def _guarded_outputs(root: Path, monkeypatch: pytest.MonkeyPatch,
                     commands: tuple[tuple[str, ...], ...], refused: str) -> None:
    """The commands' outputs equal the uncached ones with decoding `refused` made to fail."""
    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)
    reference = outputs(root, monkeypatch, cached=False, commands=commands)
    assert outputs(root, monkeypatch, cached=True, commands=commands) == reference
    real = codec._fn

    def guarded(name: str) -> object:
        if name == refused:
            raise AssertionError(f"{refused} was called")
        return real(name)

    monkeypatch.setattr(codec, "_fn", guarded)
    assert outputs(root, monkeypatch, cached=True, commands=commands) == reference


def test_commands_that_read_whole_records_read_no_briefs(base_ledger: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """show and render read whole records, and take their findings from those: the ledger
    is read once, not once as briefs and again as records."""
    _guarded_outputs(base_ledger, monkeypatch, (("show", "1"), ("render",),
                                                ("render", "--template", "table")), "dec_Brief")


def test_board_reads_briefs_only(base_ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _guarded_outputs(base_ledger, monkeypatch, (("board",), ("board", "--by", "unit")),
                     "dec_Issue")
