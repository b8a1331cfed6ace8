"""Every hostile input in tests/hostile/ against every command that reads or edits the ledger.

Each spec (tests/hostile/*.yaml, format in tests/hostile/README.md) builds a
ledger in tmp_path and lists every command line it runs with what that line
must give. Each line runs through the real entry point in the ledger folder and
must give the expected exit code, a message with the expected fragments (the
file, and line where there is one), no traceback, and leave every file
byte-identical (the whole tmp_path is hashed before and after), except what a
successful write is meant to change; which that is, the harness knows from the
command word (WRITES below). test_every_spec_runs_every_command keeps each spec
running every read and every edit command unless it opts out with a reason.

A run may carry `gap:`: a known shortcoming in a module this harness does not
own (each one is listed in the report to the lead). Traceback and tree are
still asserted; the exit code and message are expected to differ from the
spec, and the test fails loudly once they match, so the gap cannot outlive its
fix. `tree_gap:` does the same for a run known to change files it must not.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ._hostile import TODAY, Fault, build, changed, run_main, tree, walk_specs

HOSTILE = Path(__file__).parent / "hostile"

# What each spec must run (test_every_spec_runs_every_command), by command kind.
READ = ("validate", "list", "show", "check", "render txt", "render md", "render html",
        "table csv")
EDIT = ("close", "reopen", "extend", "log", "done", "status", "new")
GROUPS = {"read": READ, "edit": EDIT}

# What a successful run may change, by command word (a failing run changes nothing):
# "nothing" (reads; `-o FILE` may write that file), "problem" (the one problem file
# named by the number after the word), "added" (one new data/issues/NNN.yaml),
# "into" (only what lies under its --into folder).
WRITES = {"validate": "nothing", "list": "nothing", "show": "nothing", "check": "nothing",
          "render": "nothing",
          "close": "problem", "reopen": "problem", "extend": "problem", "log": "problem",
          "done": "problem", "status": "problem",
          "new": "added", "import": "into"}
GLOBAL_OPTIONS = ("--root", "--today", "--as-of")


@dataclass(frozen=True)
class Run:
    """One command line of one case, with what it must give."""

    case: str
    command: str
    exit: int
    says: list[str]
    gap: str = ""
    tree_gap: str = ""

    @property
    def args(self) -> list[str]:
        """The words after `ledger`, as a shell would split them."""
        return shlex.split(self.command)[1:]

    @property
    def words(self) -> list[str]:
        """The command word and what follows it (global options before it left out)."""
        args = self.args
        while args and args[0] in GLOBAL_OPTIONS:
            args = args[2:]
        return args

    @property
    def word(self) -> str:
        return self.words[0] if self.words else ""

    @property
    def kind(self) -> str:
        """The command as the coverage test counts it: `render` by template and format."""
        if self.word != "render":
            return self.word
        template = _option(self.args, "-t", "--template")
        fmt = _option(self.args, "-f", "--format") or "txt"
        return f"table {fmt}" if template == "table" else f"render {fmt}"


def _option(args: list[str], short: str, long: str) -> str | None:
    """The value given to an option (`-f md`, `--format md`, `--format=md`), else None."""
    for index, arg in enumerate(args):
        if arg in (short, long) and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(long + "="):
            return arg.split("=", 1)[1]
    return None


def _load(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return spec


def _runs(path: Path) -> list[Run]:
    return [Run(path.stem, str(entry["command"]), int(entry["exit"]),
                [str(fragment) for fragment in entry.get("says") or []],
                str(entry.get("gap", "")), str(entry.get("tree_gap", "")))
            for entry in _load(path).get("runs") or []]


def _ids(runs: list[Run]) -> list[str]:
    """`case:kind`, numbered when a case runs the same kind again."""
    seen: dict[str, int] = {}
    ids = []
    for run in runs:
        key = f"{run.case}:{run.kind.replace(' ', '-')}"
        seen[key] = seen.get(key, 0) + 1
        ids.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return ids


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


SPEC_KEYS = {"about", "opts_out", "files", "outside", "fault", "keeps", "runs"}
RUN_KEYS = {"command", "exit", "says", "gap", "tree_gap"}


def test_specs_say_everything_they_run() -> None:
    """Specs hold only the documented keys; every run is a whole command line whose word
    the harness knows (WRITES), so it can tell what the run may change."""
    for name, path in SPECS.items():
        spec = _load(path)
        assert set(spec) <= SPEC_KEYS, f"{name}: unknown keys {set(spec) - SPEC_KEYS}"
        assert spec.get("about"), f"{name}: no `about:`"
        for entry in spec.get("runs") or []:
            assert set(entry) <= RUN_KEYS, f"{name}: unknown keys in {entry}"
            assert str(entry["command"]).startswith("ledger "), f"{name}: {entry['command']}"
    for run in RUNS:
        assert run.word in WRITES, f"{run.case}: `{run.word}` is not in WRITES: {run.command}"
        if WRITES[run.word] == "problem":
            assert run.words[1].isdigit(), f"{run.case}: no problem number: {run.command}"


def test_every_spec_runs_every_command() -> None:
    """Each spec runs every read command and every edit (READ, EDIT) unless it opts out
    of the group with a reason (`opts_out: {read: why, edit: why}`)."""
    for name, path in SPECS.items():
        opts_out = _load(path).get("opts_out") or {}
        assert set(opts_out) <= set(GROUPS), f"{name}: opts_out of {set(opts_out)}"
        assert all(str(why).strip() for why in opts_out.values()), f"{name}: opts out, no reason"
        kinds = {run.kind for run in RUNS if run.case == name}
        for group, commands in GROUPS.items():
            if group in opts_out:
                continue
            missing = [kind for kind in commands if kind not in kinds]
            assert not missing, f"{name} does not run {missing} (or `opts_out: {{{group}: why}}`)"


def _arm(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> tuple[dict[str, Any], Path, dict[str, str]]:
    """Build a case's ledger, fix the clock, enter it, snapshot the tree, install the fault."""
    spec = _load(SPECS[case])
    root = build(tmp_path, spec)
    monkeypatch.setenv("LEDGER_TODAY", TODAY)
    monkeypatch.setenv("LEDGER_DEBUG", "1")  # a defect escapes main() and is caught
    monkeypatch.chdir(root)
    before = tree(tmp_path)
    fault = spec.get("fault")
    if fault is not None:
        target = tmp_path / fault["path"] if "path" in fault else None
        Fault(fault["kind"], target, fault.get("call", "write")).install(monkeypatch)
    return spec, root, before


@pytest.mark.parametrize("run", RUNS, ids=_ids(RUNS))
def test_hostile(run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec, root, before = _arm(run.case, tmp_path, monkeypatch)
    monkeypatch.setenv("LEDGER_USER", "测试员")
    argv = [arg.replace("{root}", str(root)).replace("{tmp}", str(tmp_path))
            for arg in run.args]
    outcome = run_main(argv, capsys, monkeypatch)
    monkeypatch.undo()  # the faults must not touch the checks below

    assert not outcome.crash, f"an exception escaped main():\n{outcome.crash}"
    assert "Traceback" not in outcome.text, outcome.text
    diff = changed(before, tree(tmp_path))
    if run.tree_gap:
        assert diff, f"known gap now fixed, remove `tree_gap:` from {run.case}: {run.tree_gap}"
        pytest.xfail(run.tree_gap)
    if outcome.code != 0:
        assert not diff, f"files changed by a run that failed: {diff}"
    else:
        _assert_writes(run, argv, diff, before, root)
        _assert_style_kept(spec, run, root)
    missing = [fragment for fragment in run.says if fragment not in outcome.text]
    if run.gap:
        if outcome.code == run.exit and not missing:
            pytest.fail(f"known gap now fixed, remove `gap:` from {run.case}: {run.gap}")
        pytest.xfail(run.gap)
    assert outcome.code == run.exit, (
        f"{run.command}: exit {outcome.code}, expected {run.exit}:\n{outcome.text}")
    assert not missing, f"{run.command}: message lacks {missing}:\n{outcome.text}"
    if outcome.code != 0:
        assert run.says, "a failing run must say what names the file"


def _assert_writes(run: Run, argv: list[str], diff: list[str], before: dict[str, str],
                   root: Path) -> None:
    """A successful run changes only what its command word allows (WRITES) and leaves
    no temp file; paths in `diff` are relative to the test's folder (root's parent)."""
    def inside(path: str) -> str:
        return Path(os.path.normpath(root / path)).relative_to(root.parent).as_posix()

    writes = WRITES[run.word]
    if writes == "nothing":
        output = _option(argv, "-o", "--output")
        allowed = [] if output is None else [inside(output)]
        assert diff in ([], allowed), f"{run.command} changed {diff}"
    elif writes == "problem":
        assert diff == [f"ledger/data/issues/{int(run.words[1]):03d}.yaml"], diff
    elif writes == "added":
        assert len(diff) == 1 and diff[0] not in before, diff
        assert re.fullmatch(r"ledger/data/issues/\d{3,}\.yaml", diff[0]), diff
    else:
        into = inside(_option(argv, "--into", "--into") or ".")
        assert all(path == into or path.startswith(into + "/") for path in diff), diff


def _assert_style_kept(spec: dict[str, Any], run: Run, root: Path) -> None:
    """An edit keeps its problem file's BOM and line ends (`keeps:` in the spec)."""
    keeps = spec.get("keeps") or []
    if not keeps or WRITES[run.word] != "problem":
        return
    victim = root / f"data/issues/{int(run.words[1]):03d}.yaml"
    if not victim.is_file():
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


@pytest.mark.parametrize("case", list(SPECS))
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
