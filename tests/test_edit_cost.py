"""Edits cost what they touch (issue 15).

An edit reads the header and the edited problem's own file (and what it is
given: an evidence file), never every problem file nor the whole parse cache:
counted with an audit hook on "open" in a child process, on a generated ledger
of 1,000 problems. And reading less changes nothing: every kind of edit, with
the cache on and off, writes the same bytes and says the same as the full read
the edits made before (`lifecycle.FULL_RELOAD`), refuses the same edits with the
same words, and leaves a ledger whose `validate`, `list` and `show` are those of
a full reload.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ledger import cache
from ledger.cache import store
from ledger.core.dates import current_deadline
from ledger.edit import lifecycle
from ledger.read import loader
from tests.conftest import REPO, Result, run_ledger

TODAY = "2022-01-10"
SIZE = 1000
EVIDENCE = "evidence/会议纪要.txt"


def _generate(out: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    module.generate(out, SIZE, data_dir=REPO / "data")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 1,000-problem ledger with a money unit (for `amount`) and an evidence file."""
    root = tmp_path_factory.mktemp("edit-cost") / "ledger"
    _generate(root)
    header = root / "data" / "ledger.yaml"
    header.write_text(header.read_text(encoding="utf-8") + "money_unit: 万元\n", encoding="utf-8")
    (root / EVIDENCE).parent.mkdir()
    (root / EVIDENCE).write_text("会议纪要(扫描件)\n", encoding="utf-8")
    return root


def _numbers(root: Path) -> dict[str, int]:
    """Problems fit for each edit, chosen from the generated ledger."""
    data = loader.load(root).ledger
    feedback = data.header.inspection.feedback
    open_ = [issue for issue in data.issues if issue.status == "正在推进" and issue.measures
             and not any(m.done for m in issue.measures) and issue.amounts is None]
    extendable = [issue for issue in open_ if current_deadline(issue, feedback) is not None]
    closed = [issue for issue in data.issues if issue.is_closed]
    return {"open": open_[0].number, "other": open_[1].number, "third": open_[2].number,
            "extend": extendable[3].number, "closed": closed[0].number}


def _cases(n: dict[str, int]) -> dict[str, list[list[str]]]:
    """Each kind of edit as the commands that make it (the last one is the edit measured)."""
    o, o2, o3 = str(n["open"]), str(n["other"]), str(n["third"])
    return {
        "log": [["log", o, "召开专题会议,部署整改"]],
        "close": [["close", o2, "--evidence", EVIDENCE, "会议纪要", "--force"]],
        "done": [["done", o, "1"]],
        "undone": [["done", o3, "1"], ["undone", o3, "1"]],
        "set": [["set", o, "unit=办公室", "deadline=2022-06-30"]],
        "set-range": [["set", "1-20", "leader=张主任"]],
        "status": [["status", o, "基本完成"]],
        "extend": [["extend", str(n["extend"]), "--to", "2030-12-31", "--reason", "需多部门协调"]],
        "reopen": [["reopen", str(n["closed"]), "--reason", "复查发现问题反弹"]],
        "amount": [["amount", o, "--involved", "100", "--rectified", "20"]],
        "new": [["new", "--aspect", "1", "--title", "新发现的问题"]],
    }


def _issue(number: int | str) -> str:
    return f"data/issues/{int(number):03d}.yaml"


def _expected(name: str, n: dict[str, int]) -> set[str]:
    """The data files (and evidence) each edit must read: the header and its own file."""
    header = "data/ledger.yaml"
    own = {"log": n["open"], "close": n["other"], "done": n["open"], "undone": n["third"],
           "set": n["open"], "status": n["open"], "extend": n["extend"],
           "reopen": n["closed"], "amount": n["open"]}
    if name == "set-range":
        return {header, *(_issue(number) for number in range(1, 21))}
    if name == "new":
        return {header}
    return {header, _issue(own[name])} | ({EVIDENCE} if name == "close" else set())


# Run in a child process: every "open" of a path, per command, through an audit hook.
_AUDIT = r"""
import json, os, sys
root, cases, out = os.path.realpath(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
from ledger.cache import store
store.RACY_NS = 0  # files just copied count as old: the warm-up fills the cache
from ledger.cli import main
seen = []
def hook(event, args):
    if event == "open" and seen and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        seen[-1].add(os.path.relpath(path, root) if os.path.isabs(path) else "@" + path)
sys.addaudithook(hook)
def run(argv):
    sys.argv = ["ledger", "--root", root, *argv]
    try:
        main()
    except SystemExit as exc:
        return exc.code
    return 0
run(["list"])  # warm the cache (with LEDGER_NO_CACHE it only reads)
results = []
for steps in cases:
    for argv in steps:
        seen.append(set())
        code = run(argv)
        opened = seen.pop()
    results.append([code, sorted(opened)])
with open(out, "w", encoding="utf-8") as handle:
    json.dump(results, handle)
"""


@pytest.fixture(scope="module", params=["cache", "no-cache"])
def audited(request: pytest.FixtureRequest, template: Path,
            tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, dict[str, int], dict[str, tuple[int, set[str]]]]:
    """Every kind of edit run once in a child process, in turn on one copy of the ledger,
    with what each one opened under the ledger root."""
    root = tmp_path_factory.mktemp("audit") / "ledger"
    shutil.copytree(template, root)
    numbers = _numbers(root)
    cases = _cases(numbers)
    out = root.parent / "opened.json"
    env = {**os.environ, "LEDGER_TODAY": TODAY, "LEDGER_USER": "测试员", "LEDGER_JOBS": "1"}
    env.pop("LEDGER_NO_CACHE", None)
    if request.param == "no-cache":
        env["LEDGER_NO_CACHE"] = "1"
    steps = json.dumps(list(cases.values()))
    done = subprocess.run([sys.executable, "-c", _AUDIT, str(root), steps, str(out)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    return root.resolve(), numbers, {name: (code, set(opened)) for name, (code, opened)
                                     in zip(cases, results, strict=True)}


@pytest.mark.parametrize("name", ["log", "close", "done", "undone", "set", "set-range", "status",
                                  "extend", "reopen", "amount", "new"])
def test_an_edit_reads_the_header_and_its_own_file_only(
        audited: tuple[Path, dict[str, int], dict[str, tuple[int, set[str]]]],
        name: str) -> None:
    root, numbers, results = audited
    code, opened = results[name]
    assert code == 0, (name, sorted(opened)[:10])
    files = {path for path in opened if not path.startswith(("..", "@"))
             and not Path(path).name.startswith(".") and (root / path).is_file()}
    assert files == _expected(name, numbers), sorted(files)[:30]
    # Nor the parse cache: an edit appends to its journal (recent.jsonl), nothing else there.
    assert not {path for path in opened if path.startswith("@")
                and not path.startswith(("@recent.jsonl", "@.gitignore"))}, sorted(opened)


# ---------------------------------------------------------------- same result as a full read


def _run(root: Path, *args: str) -> Result:
    return run_ledger("--root", root, *args)


def _said(result: Result, root: Path) -> tuple[int, str, str]:
    assert result.exception is None, result.exception
    return (result.exit_code, result.stdout.replace(str(root), "ROOT"),
            result.stderr.replace(str(root), "ROOT"))


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted((root / "data").rglob("*")) if path.is_file()}


def _environment(patch: pytest.MonkeyPatch, cache_on: bool) -> None:
    patch.setenv("LEDGER_TODAY", TODAY)
    patch.setenv("LEDGER_USER", "测试员")
    patch.setenv("LEDGER_JOBS", "1")
    patch.setattr(store, "RACY_NS", 0)  # files just copied count as old: the cache fills
    _cache(patch, cache_on)


def _cache(patch: pytest.MonkeyPatch, on: bool) -> None:
    if on:
        patch.delenv("LEDGER_NO_CACHE", raising=False)
    else:
        patch.setenv("LEDGER_NO_CACHE", "1")
    patch.setattr(cache.SETTINGS, "cache", on)


def _copies(template: Path, parent: Path) -> tuple[Path, Path]:
    """Two copies of the ledger: one edited by a full read (the reference), one as edits do."""
    copies = (parent / "reference", parent / "narrow")
    for copy in copies:
        shutil.copytree(template, copy)
        assert _run(copy, "list").exit_code == 0  # warm (without the cache: only read)
    return copies


def _edit_both(patch: pytest.MonkeyPatch, reference: Path, narrow: Path,
               argv: list[str]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    with patch.context() as full:
        full.setattr(lifecycle, "FULL_RELOAD", True)
        expected = _said(_run(reference, *argv), reference)
    return _said(_run(narrow, *argv), narrow), expected


Replayed = dict[str, tuple[list[tuple[tuple[int, str, str], tuple[int, str, str]]], bool, bool]]


@pytest.fixture(scope="module", params=[True, False], ids=["cache", "no-cache"])
def replayed(request: pytest.FixtureRequest, template: Path,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[bool, Replayed, list[bool]]:
    """Every kind of edit in turn on two copies, one edited by a full read: per edit what
    both said, whether the files are the same, and whether a warm load of the edited
    ledger equals a full reload; then whether `validate` and `list --json` do."""
    cache_on = bool(request.param)
    patch = pytest.MonkeyPatch()
    try:
        _environment(patch, cache_on)
        reference, narrow = _copies(template, tmp_path_factory.mktemp("replay"))
        records: Replayed = {}
        for name, steps in _cases(_numbers(narrow)).items():
            said = [_edit_both(patch, reference, narrow, argv) for argv in steps]
            same_files = _tree(narrow) == _tree(reference)
            warm_equals_full = not cache_on or cache.load(narrow) == loader.load(narrow)
            records[name] = (said, same_files, warm_equals_full)
        views = [("validate",), ("list", "--json")]
        after = [_said(_run(narrow, *view), narrow) for view in views]
        _cache(patch, False)  # a full reload: every file read and parsed afresh
        full = [_said(_run(narrow, *view), narrow) for view in views]
        reference_views = [_said(_run(reference, *view), reference) for view in views]
        return cache_on, records, [after == full, after == reference_views,
                                   after[0][0] in (0, 1) and after[1][0] == 0]
    finally:
        patch.undo()


@pytest.mark.parametrize("name", ["log", "close", "done", "undone", "set", "set-range", "status",
                                  "extend", "reopen", "amount", "new"])
def test_an_edit_leaves_what_a_full_read_would(replayed: tuple[bool, Replayed, list[bool]],
                                                name: str) -> None:
    _, records, _ = replayed
    said, same_files, warm_equals_full = records[name]
    for got, expected in said:
        assert got == expected
        assert got[0] == 0, got
    assert same_files
    assert warm_equals_full


def test_validate_after_the_edits_equals_a_full_reload(
        replayed: tuple[bool, Replayed, list[bool]]) -> None:
    equals_full, equals_reference, ran = replayed[2]
    assert ran
    assert equals_full
    assert equals_reference


def _refusals(n: dict[str, int]) -> list[list[str]]:
    o, closed, ext = str(n["open"]), str(n["closed"]), str(n["extend"])
    return [
        ["set", o, "deadline=2000-01-01"],  # before the feedback date: the edit adds an error
        ["set", "1-30", "deadline=2000-01-01"],
        ["close", o],  # no evidence
        ["close", o, "--evidence", "会议纪要"],  # measures not done
        ["extend", ext, "--to", "2000-01-01", "--reason", "协调"],
        ["status", o, "已完成"],
        ["reopen", o, "--reason", "复查"],
        ["done", closed, "1"],
        ["undone", o, "1"],
        ["amount", o, "--rectified", "5"],
        ["log", "99999", "进展"],  # no such problem: the whole ledger names the near ones
        ["new", "--aspect", "9", "--title", "不存在的方面"],
    ]


@pytest.mark.parametrize("cache_on", [True, False], ids=["cache", "no-cache"])
def test_a_refused_edit_is_refused_in_the_same_words(tmp_path: Path, template: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     cache_on: bool) -> None:
    _environment(monkeypatch, cache_on)
    reference, narrow = _copies(template, tmp_path)
    before = _tree(narrow)
    for argv in _refusals(_numbers(narrow)):
        got, expected = _edit_both(monkeypatch, reference, narrow, argv)
        assert got == expected
        assert got[0] == 1 and got[2].startswith("错误:"), (argv, got)
    assert _tree(narrow) == before


def test_a_refused_edit_names_the_error_it_would_add(tmp_path: Path, template: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _environment(monkeypatch, False)
    narrow = tmp_path / "narrow"
    shutil.copytree(template, narrow)
    number = _numbers(narrow)["open"]
    result = _run(narrow, "set", str(number), "deadline=2000-01-01")
    assert result.exit_code == 1
    assert f"修改后 {_issue(number)} 将出现错误,未写入:整改时限 2000-01-01 早于反馈日期" \
        in result.stderr


def test_the_next_warm_load_does_not_parse_the_edited_file(
        tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _environment(monkeypatch, True)
    narrow = tmp_path / "narrow"
    shutil.copytree(template, narrow)
    assert _run(narrow, "list").exit_code == 0
    number = _numbers(narrow)["open"]
    assert _run(narrow, "log", str(number), "新的进展").exit_code == 0
    parsed: list[str] = []
    parse = loader.parse_issue

    def counting(relpath: str, data: bytes) -> loader.FileResult:
        parsed.append(relpath)
        return parse(relpath, data)

    monkeypatch.setattr(loader, "parse_issue", counting)
    shown = _run(narrow, "show", str(number))
    assert shown.exit_code == 0 and "新的进展" in shown.stdout
    assert parsed == []


def test_the_journal_is_trusted_only_for_the_bytes_it_was_made_from(
        tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry made in the clock tick of a later change (same stat key, other bytes), a
    torn line, or another tool's journal are not used: the file is parsed."""
    from ledger.cache import journal

    _environment(monkeypatch, True)
    root = tmp_path / "ledger"
    shutil.copytree(template, root)
    relpath = _issue(_numbers(root)["open"])
    data = (root / relpath).read_bytes()
    key = store.file_key(root, relpath)
    assert key is not None
    wrong = loader.parse_issue(relpath, data.replace(b"status:", b"status: \xe5\x9f\xba"
                                                      b"\xe6\x9c\xac\xe5\xae\x8c\xe6\x88\x90 #"))
    def remember(made_from: bytes, result: loader.FileResult) -> None:
        folder = store._open_folder(root / store.CACHE_NAME)
        try:
            journal.append(folder, store.stamp(),
                           journal.line(store.stamp(), relpath, key, made_from, result))
        finally:
            os.close(folder)

    remember(data, loader.parse_issue(relpath, data))
    assert store.Store(root).lookup(relpath, key) == loader.parse_issue(relpath, data)
    remember(data + b"# other bytes\n", wrong)
    assert store.Store(root).lookup(relpath, key) is None
    path = root / ".ledger-cache" / journal.JOURNAL_FILE
    remember(data, loader.parse_issue(relpath, data))
    blob = path.read_bytes()
    path.write_bytes(blob[:-5])  # the last line torn: the one before it wins again
    assert store.Store(root).lookup(relpath, key) is None
    path.write_bytes(blob.replace(blob[:blob.index(b"\n")], journal.MAGIC.encode() + b"\tother"))
    assert store.Store(root).lookup(relpath, key) is None
