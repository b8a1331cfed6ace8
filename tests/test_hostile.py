"""Every hostile input in tests/hostile/ against every command that reads or edits the ledger.

Each spec (tests/hostile/*.yaml, format in tests/hostile/README.md) builds a
ledger in tmp_path, and every command of READ and EDIT (plus the spec's own
extra runs: import, templates …) is run through the real entry point. Each
run must give the expected exit code, a message with the expected fragments
(the file, and line where there is one), no traceback, and leave every file
byte-identical (the whole tmp_path is hashed before and after), except the one
file a successful edit is meant to change.

An expectation may carry `gap:`: a known shortcoming in a module this harness
does not own (each one is listed in the report to the lead). Traceback and tree
are still asserted; the exit code and message are expected to differ from the
spec, and the test fails loudly once they match, so the gap cannot outlive its
fix. `tree_gap:` does the same for a run known to change files it must not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

from ._hostile import TODAY, Fault, build, changed, run_main, tree, walk_specs

HOSTILE = Path(__file__).parent / "hostile"

READ: dict[str, list[str]] = {
    "validate": ["validate"],
    "list": ["list"],
    "show": ["show", "{n}"],
    "check": ["check"],
    "render-txt": ["render"],
    "render-md": ["render", "-f", "md"],
    "render-html": ["render", "-f", "html"],
    "table-csv": ["render", "-t", "table", "-f", "csv"],
}
EDIT: dict[str, list[str]] = {
    "close": ["close", "{n}", "--evidence", "会议纪要 2021-10-05", "--force"],
    "reopen": ["reopen", "{n}", "--reason", "复查发现问题反弹"],
    "extend": ["extend", "{n}", "--to", "2099-12-31", "--reason", "需要更多时间"],
    "log": ["log", "{n}", "召开推进会"],
    "done": ["done", "{n}", "1"],
    "status": ["status", "{n}", "基本完成"],
    "new": ["new", "--aspect", "1", "--title", "新发现的问题。"],
}
GROUPS = {"read": READ, "edit": EDIT}


@dataclass(frozen=True)
class Run:
    """One command of one case, with what it must give."""

    case: str
    name: str
    args: list[str]
    exit: int
    says: list[str]
    gap: str
    group: str
    with_root: bool = True
    tree_gap: str = ""


def _expectation(expect: dict[str, Any], name: str, group: str) -> dict[str, Any] | None:
    """The spec's entry for a command: its own name, else a pattern (render*), else its group."""
    keys = [key for key in expect if key == name]
    keys += [key for key in expect if "*" in key and key != "*" and fnmatch(name, key)]
    keys += [key for key in (group, "*") if key in expect]
    return expect[keys[0]] if keys else None


def unloadable(at: str, says: list[str]) -> dict[str, Any]:
    """What every command must answer when one problem file cannot be read at all.

    Checks and edits name the file, line and fix; list goes on without the file
    (exit 0) but names it; show refuses and names it; `new` still adds a problem.
    """
    told = {"exit": 1, "says": [at, *says]}
    path = at.split(":")[0]
    return {"validate": told, "check": told, "render*": told, "table*": told,
            "list": {"exit": 0, "says": [path]},
            "show": {"exit": 1, "says": [path]},
            "new": {"exit": 0},
            "edit": told}


# A sound ledger seen through an odd but legal encoding: everything works as on the base.
VALID: dict[str, Any] = {
    "read": {"exit": 0}, "edit": {"exit": 0},
    "check": {"exit": 3, "says": ["(1) 学习走过场的问题。", "超期 92 天"]},
    "reopen": {"exit": 1, "says": ["问题 1 没有销号"]},
}


def _runs(path: Path) -> list[Run]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    number = str(spec.get("number", 1))
    expect = dict(spec.get("expect") or {})
    if "unloadable" in spec:
        base = unloadable(spec["unloadable"]["at"], spec["unloadable"].get("says", []))
        expect = {**base, **expect}
    if spec.get("valid"):
        expect = {**VALID, **expect}
    runs: list[Run] = []
    for group in spec.get("groups", ["read", "edit"]):
        for name, args in GROUPS[group].items():
            want = _expectation(expect, name, group)
            if want is None or want.get("skip"):
                continue
            runs.append(Run(path.stem, name, [arg.replace("{n}", number) for arg in args],
                            int(want["exit"]), list(want.get("says", [])),
                            str(want.get("gap", "")), group,
                            tree_gap=str(want.get("tree_gap", ""))))
    for index, extra in enumerate(spec.get("runs") or [], start=1):
        runs.append(Run(path.stem, extra.get("name", f"run{index}"),
                        [str(arg) for arg in extra["args"]], int(extra["exit"]),
                        list(extra.get("says", [])), str(extra.get("gap", "")),
                        extra.get("group", "extra"), bool(extra.get("root", True)),
                        str(extra.get("tree_gap", ""))))
    return runs


SPECS = {path.stem: path for path in walk_specs(HOSTILE)}
RUNS = [run for path in SPECS.values() for run in _runs(path)]


def test_corpus_covers_issue_6() -> None:
    """The corpus has an entry for every kind of input issue 6 names."""
    required = ("truncated", "binary", "invalid-utf8", "utf16", "bom", "crlf", "lone-cr",
                "tab", "merge-conflict", "duplicate-key", "long-line", "deep-nesting",
                "alias-bomb", "yaml11", "bad-date", "date-as-text", "unsafe-tag",
                "symlink", "unreadable", "readonly", "disk-full", "evidence",
                "import-empty", "import-binary", "import-50mb")
    names = " ".join(SPECS)
    missing = [word for word in required if word not in names]
    assert not missing, f"no corpus entry for: {missing}"


def test_every_spec_runs_something() -> None:
    for name in SPECS:
        assert any(run.case == name for run in RUNS), f"{name} has no runs"


def _arm(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> tuple[dict[str, Any], Path, dict[str, Any]]:
    """Build a case's ledger, fix the clock, snapshot the tree, then install its fault."""
    spec = yaml.safe_load(SPECS[case].read_text(encoding="utf-8"))
    root = build(tmp_path, spec)
    monkeypatch.setenv("LEDGER_TODAY", TODAY)
    monkeypatch.setenv("LEDGER_DEBUG", "1")  # a defect escapes main() and is caught
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    fault = spec.get("fault")
    if fault is not None:
        target = tmp_path / fault["path"] if "path" in fault else None
        Fault(fault["kind"], target, fault.get("call", "write")).install(monkeypatch)
    return spec, root, before


@pytest.mark.parametrize("run", RUNS, ids=[f"{run.case}:{run.name}" for run in RUNS])
def test_hostile(run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec, root, before = _arm(run.case, tmp_path, monkeypatch)
    monkeypatch.setenv("LEDGER_USER", "测试员")
    args = [arg.replace("{root}", str(root)).replace("{tmp}", str(tmp_path))
            for arg in run.args]
    argv = ["--root", str(root), *args] if run.with_root else args
    outcome = run_main(argv, capsys, monkeypatch)
    monkeypatch.undo()  # the faults must not touch the checks below

    assert not outcome.crash, f"an exception escaped main():\n{outcome.crash}"
    assert "Traceback" not in outcome.text, outcome.text
    after = tree(tmp_path)
    diff = changed(before, after)
    if run.tree_gap:
        assert diff, f"known gap now fixed, remove `tree_gap:` from {run.case}: {run.tree_gap}"
        pytest.xfail(run.tree_gap)
    if outcome.code != 0 or run.group == "read":
        assert not diff, f"files changed by a run that must change nothing: {diff}"
    elif run.group == "edit":
        _assert_one_edit(run, spec, diff, before)
        _assert_style_kept(spec, root)
    missing = [fragment for fragment in run.says if fragment not in outcome.text]
    if run.gap:
        if outcome.code == run.exit and not missing:
            pytest.fail(f"known gap now fixed, remove `gap:` from {run.case}: {run.gap}")
        pytest.xfail(run.gap)
    assert outcome.code == run.exit, f"exit {outcome.code}, expected {run.exit}:\n{outcome.text}"
    assert not missing, f"message lacks {missing}:\n{outcome.text}"
    if outcome.code != 0:
        assert run.says, "a failing run must say what names the file"


def _assert_one_edit(run: Run, spec: dict[str, Any], diff: list[str],
                     before: dict[str, str]) -> None:
    """A successful edit changes exactly one problem file (or adds one) and leaves no temp file."""
    if run.name == "new":
        assert len(diff) == 1 and diff[0] not in before, diff
        assert re.fullmatch(r"ledger/data/issues/\d{3,}\.yaml", diff[0]), diff
        return
    victim = spec.get("victim", f"data/issues/{int(spec.get('number', 1)):03d}.yaml")
    assert diff == [f"ledger/{victim}"], diff


def _assert_style_kept(spec: dict[str, Any], root: Path) -> None:
    """An edit keeps the file's BOM and line ends (`keeps:` in the spec)."""
    keeps = spec.get("keeps") or []
    victim = root / spec.get("victim", f"data/issues/{int(spec.get('number', 1)):03d}.yaml")
    if not keeps or not victim.is_file():
        return
    data = victim.read_bytes()
    if "bom" in keeps:
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1, data[:20]
    if "crlf" in keeps:
        assert data.count(b"\n") == data.count(b"\r\n") > 0, data
    if "cr" in keeps:
        assert b"\n" not in data and b"\r" in data, data


def test_output_to_a_pipe_is_written_not_replaced(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`render -o` on a FIFO (or /dev/stdout, /dev/full) writes into it; a rename would
    have put a regular file where the node was (found by this harness on /dev/full)."""
    import os
    import stat
    import threading

    root = build(tmp_path, {})
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    outcome = run_main(["--root", str(root), "--today", TODAY, "render", "-o", str(fifo)],
                       capsys, monkeypatch)
    reader.join(timeout=10)
    assert outcome.code == 0, outcome.text
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the pipe was replaced by a file"
    assert received and "关于巡察整改进展情况的通报" in received[0].decode("utf-8")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ledger", "outside", "pipe"]


CACHED = [name for name, path in SPECS.items()
          if "read" in (yaml.safe_load(path.read_text(encoding="utf-8")).get("groups")
                        or ["read"])]


@pytest.mark.parametrize("case", CACHED)
def test_hostile_with_the_parse_cache(case: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse cache (on by default) answers every hostile input as a fresh parse does,
    cold and warm, and writes nothing but its own .ledger-cache."""
    _, root, before = _arm(case, tmp_path, monkeypatch)
    argv = ["--root", str(root), "validate", "--format", "json"]
    fresh = run_main(argv, capsys, monkeypatch)
    monkeypatch.setenv("LEDGER_NO_CACHE", "0")
    cold = run_main(argv, capsys, monkeypatch)
    warm = run_main(argv, capsys, monkeypatch)
    monkeypatch.undo()
    for outcome in (fresh, cold, warm):
        assert not outcome.crash, outcome.crash
    assert (cold.code, cold.out) == (fresh.code, fresh.out)
    assert (warm.code, warm.out) == (fresh.code, fresh.out)
    assert not changed(before, tree(tmp_path))


def test_a_huge_line_is_not_echoed_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A problem on a 1 MB line shows an excerpt around the column, not the whole line."""
    spec = {"files": {"data/issues/001.yaml": {
        "text": "number: 1\naspect: 1\ntitle: x\nstatus: 正在推进\nunit: \"{repeat:长:1000000}"}}}
    root = build(tmp_path, spec)
    outcome = run_main(["--root", str(root), "validate"], capsys, monkeypatch)
    assert outcome.code == 1 and "data/issues/001.yaml:5:" in outcome.out
    assert len(outcome.text) < 20_000, f"{len(outcome.text) // 1024} KiB of output"
