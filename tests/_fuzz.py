"""Properties shared by the fuzz tests and the replay of found cases (tests/fuzz_regressions/).

Each `check_*` function states what must hold for ONE input, whoever made it:
Hypothesis in tests/test_fuzz_*.py, or a saved regression file. Keeping them
here means a found case is replayed against exactly the property that found it.
What this module does not do: generate inputs (the test files do) or choose
how many (their settings keep all fuzzing under a minute on two cores).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ledger.core.codes import CODES
from ledger.core.errors import LedgerError
from ledger.core.model import STATUS_DONE, Problem
from ledger.edit import lifecycle
from ledger.notice_import.run import files as import_files
from ledger.notice_import.run import parse as import_parse
from ledger.read.loader import HEADER_PATH, load, parse_header, parse_issue
from ledger.read.notice import NOTICE_PATH, parse_notice
from ledger.read.yamlsrc import split_lines
from ledger.validate.rules import validate

from .conftest import BASE

TODAY = date(2021, 11, 1)
# CI runs the fuzzers at scale 1 (all of them together well under a minute on two
# cores); LEDGER_FUZZ_SCALE=50 runs fifty times as many examples for a deep search.
SCALE = max(1, int(os.environ.get("LEDGER_FUZZ_SCALE", "1") or 1))
Parser = Callable[[str, bytes], tuple[Any, list[Problem]]]
PARSERS: dict[str, tuple[str, Parser]] = {
    "issue": ("data/issues/001.yaml", parse_issue),
    "header": ("data/ledger.yaml", parse_header),
    "notice": (NOTICE_PATH, parse_notice),
}


# ---------------------------------------------------------------- the loader


def check_loader(data: bytes) -> None:
    """Any bytes, read as each kind of ledger file: problems, never an exception.

    Every problem names the file, sits on a line the file has (0 = the whole
    file), uses a catalogued code; no record without an error; same answer twice.
    """
    text = data.decode("utf-8", "replace")
    lines = len(split_lines(text.removeprefix("\ufeff")))
    for relpath, parser in PARSERS.values():
        record, problems = parser(relpath, data)
        assert parser(relpath, data) == (record, problems), "parsing is not deterministic"
        for problem in problems:
            loc = problem.location
            assert loc.path == relpath, problem
            assert 0 <= loc.line <= lines + 1 and loc.col >= 0, (problem, lines)
            assert problem.code in CODES, problem.code
            assert problem.severity in ("error", "warning")
            assert problem.message
        if record is None and data.strip(b" \t\r\n\xef\xbb\xbf"):
            assert any(p.severity == "error" for p in problems), problems


def check_issue_round_trip(values: dict[str, Any], data: bytes) -> None:
    """A file written by any YAML emitter from valid values reads back as exactly them."""
    issue, problems = parse_issue("data/issues/001.yaml", data)
    assert not problems, (problems, data)
    assert issue is not None
    assert issue.number == values["number"] and issue.aspect == values["aspect"]
    assert issue.title == values["title"]
    assert [m.text for m in issue.measures] == [
        m if isinstance(m, str) else m["text"] for m in values["measures"]]
    assert (issue.leader, issue.unit, issue.owner) == (
        values["leader"] or "", values["unit"] or "", values["owner"] or "")
    assert list(issue.co_units) == values["co_units"]
    assert issue.status == values["status"]
    assert [(n.date, n.text) for n in issue.progress] == [
        (n["date"], n["text"]) for n in values.get("progress", [])]


# ---------------------------------------------------------------- the importer


def known_import_gap(relpath: str, errors: list[Problem]) -> str:
    """The name of a known importer defect these errors show, or "" (see the report to
    the lead; each has a strict-xfail case in tests/fuzz_regressions/)."""
    if errors and all(e.code == "missing-field" and ("title" in e.message or "heading"
                                                     in e.message) for e in errors):
        # A label alone on its line (三、, (一), (1): a web page's own line break) is
        # written with an empty title or heading, and no warning is given.
        return "bare-label"
    return ""


def check_import(text: str, strict: bool = False) -> None:
    """Any notice text: the importer never raises, reports only warnings at real lines,
    and whatever it writes is a ledger the loader reads without a single error.

    Known importer defects (`known_import_gap`) are let through unless `strict`."""
    imported = import_parse(text, "notice.txt")
    lines = len(text.splitlines()) + 1  # a lone CR, NEL or U+2028 ends a line in editors too
    for problem in imported.problems:
        assert problem.severity == "warning", problem
        assert 0 <= problem.location.line <= lines, problem
    if not imported.issues:
        return
    numbers = [issue["number"] for issue in imported.issues]
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    # What the import could not place (the inspection's dates, the issuer) it has warned
    # about, and the header then lacks it: the only errors a fresh import may carry.
    # (Stricter, per case: tests/fuzz_regressions/import-*.yaml.)
    warned = bool(imported.problems)
    written = import_files(imported)
    for relpath, body in written.items():
        data = body.encode("utf-8")
        parser = parse_notice if relpath == NOTICE_PATH else (
            parse_header if relpath.endswith("ledger.yaml") else parse_issue)
        record, problems = parser(relpath, data)
        errors = [p for p in problems if p.severity == "error"]
        assert record is not None, (relpath, problems, body)
        if errors and not strict and known_import_gap(relpath, errors):
            return
        assert not errors or (warned and relpath == HEADER_PATH), (relpath, errors)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for relpath, body in written.items():
            (root / relpath).parent.mkdir(parents=True, exist_ok=True)
            (root / relpath).write_text(body, encoding="utf-8")
        found = [p for p in validate(load(root), TODAY) if p.severity == "error"
                 and not (warned and p.location.path == HEADER_PATH)]
        assert not found, found


# ---------------------------------------------------------------- the edits


def _snapshot(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.startswith(".ledger-cache")}


def _errors(root: Path) -> Counter[tuple[str, str]]:
    return Counter((p.location.path, p.code) for p in validate(load(root), TODAY)
                   if p.severity == "error")


def run_op(root: Path, op: dict[str, Any]) -> lifecycle.Edit | None:
    """One lifecycle command as the CLI would call it."""
    kind, number = op["op"], int(op.get("number", 1))
    by = str(op.get("by", "测试员"))
    if kind == "close":
        return lifecycle.close(root, number, op["evidence"], today=TODAY, by=by,
                               note=op.get("note", ""), force=bool(op.get("force")), cwd=root)
    if kind == "reopen":
        return lifecycle.reopen(root, number, op["reason"], today=TODAY, by=by)
    if kind == "extend":
        return lifecycle.extend(root, number, date.fromisoformat(op["to"]), op["reason"],
                                today=TODAY, by=by, approved_by=op.get("approved_by", ""))
    if kind == "log":
        return lifecycle.log(root, number, op["text"], today=TODAY, by=by)
    if kind == "done":
        return lifecycle.done(root, number, [int(op["measure"])], today=TODAY)
    if kind == "status":
        return lifecycle.set_status(root, number, op["value"], today=TODAY, by=by)
    if kind == "new":
        return lifecycle.new(root, int(op.get("aspect", 1)), op["title"], today=TODAY, by=by)
    raise ValueError(kind)


def check_edits(files: dict[str, bytes], ops: list[dict[str, Any]]) -> None:
    """Any sequence of commands on a ledger: each one is refused with every byte kept, or
    writes one file, adds no error anywhere, and records exactly what was asked."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ledger"
        for relpath, data in files.items():
            (root / relpath).parent.mkdir(parents=True, exist_ok=True)
            (root / relpath).write_bytes(data)
        for op in ops:
            before, errors = _snapshot(root), _errors(root)
            try:
                edit = run_op(root, op)
                if edit is not None:
                    lifecycle.apply(edit)
            except LedgerError as exc:
                assert exc.message
                assert _snapshot(root) == before, f"refused {op} but files changed"
                continue
            after = _snapshot(root)
            touched = [path for path in after if before.get(path) != after[path]]
            assert len(touched) <= 1 and set(before) <= set(after), touched
            assert len(after) - len(before) == (1 if op["op"] == "new" else 0)
            gained = _errors(root) - errors
            assert not gained, (op, gained)
            if touched:
                _check_recorded(root, touched[0], op)


def _check_recorded(root: Path, relpath: str, op: dict[str, Any]) -> None:
    issue, _ = parse_issue(relpath, (root / relpath).read_bytes())
    assert issue is not None
    kind = op["op"]
    if kind == "log":
        assert issue.progress[-1].text == op["text"].strip()
    elif kind == "close":
        assert issue.status == STATUS_DONE and issue.closed is not None
        assert [e.text or e.path for e in issue.closed.evidence] == [
            str(item).strip() for item in op["evidence"]]
    elif kind == "reopen":
        assert issue.status != STATUS_DONE and issue.closed is None
        assert issue.history[-1].note.startswith(op["reason"].strip())
    elif kind == "extend":
        assert issue.extensions[-1].reason == op["reason"].strip()
        assert issue.extensions[-1].to == date.fromisoformat(op["to"])
    elif kind == "done":
        assert issue.measures[int(op["measure"]) - 1].done
    elif kind == "status":
        assert issue.status == op["value"]
    elif kind == "new":
        assert issue.title == op["title"].strip()


def base_files() -> dict[str, bytes]:
    return {path.relative_to(BASE).as_posix(): path.read_bytes()
            for path in sorted(BASE.rglob("*")) if path.is_file()}


def dump(values: Any, **style: Any) -> bytes:
    """YAML as PyYAML's emitter writes it, in the given style (Unicode kept unless told)."""
    style.setdefault("allow_unicode", True)
    text: str = yaml.safe_dump(values, sort_keys=False, **style)
    return text.encode("utf-8")
