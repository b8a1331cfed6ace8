"""The parse cache is never wrong: after any change to the files, the tool or the
cache itself, every command prints exactly what it prints with LEDGER_NO_CACHE=1.

The racy-entry guard (entries younger than RACY_NS are not stored) would keep
files written moments ago out of the cache, so most tests move the cutoff an
hour ahead (`trusted`) and give every edit its own mtime, as the passing of
real time would; `test_fresh_files_are_not_stored` covers the guard itself.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ledger
import ledger.version
from ledger import cache
from ledger.cache import codec, parallel, store, values
from ledger.cli import app
from ledger.core.model import Location
from ledger.read import loader

from .conftest import BASE, TESTS

TODAY = "2021-09-01"
HEADER = loader.HEADER_PATH  # cached like a problem file

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("validate",),
    ("validate", "--format", "json"),
    ("list",),
    ("list", "--open", "--json"),
    ("list", "--closed"),
    ("show", "1"),
    ("show", "3"),
    ("check",),
    ("check", "--format", "json"),
    ("stats", "--format", "json"),
    ("render", "--template", "table", "--format", "csv"),
)

EXTRA = {
    "003.yaml": """\
number: 3
aspect: 1
subject: 1
title: 调研不深入的问题。
measures:
  - text: 开展调研。
    deadline: 2021-08-15
    unit: 办公室
  - 形成报告。
leader: 王局长
unit: 办公室
co_units: [综合科, 人事科]
owner: 李四
deadline: 2021-10-31
status: 正在推进
progress:
  - date: 2021-07-01
    text: 召开专题会议。
    by: 李四
extensions:
  - date: 2021-07-10
    to: 2021-12-31
    reason: 需要协调。
    approved_by: 王局长
""",
    "004.yaml": """\
number: 4
aspect: 2
title: 文风不实的问题。
measures:
  - 精简文件。
unit: 综合科
deadline: 长期坚持
status: 长期坚持
colour: red
""",
    "005.yaml": "number: 5\naspect: 2\ntitle: [unclosed\n",
}


class Counter:
    """Counts the files `loader.parse_issue` is asked to parse."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = loader.parse_issue

        def counting(relpath: str, data: bytes) -> object:
            self.calls += 1
            return real(relpath, data)

        monkeypatch.setattr(loader, "parse_issue", counting)

    def take(self) -> int:
        calls, self.calls = self.calls, 0
        return calls


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The base ledger plus problems with every kind of record, a warning and a broken file."""
    root = tmp_path / "ledger"
    shutil.copytree(BASE, root, ignore=shutil.ignore_patterns(store.CACHE_NAME + "*"))
    for name, text in EXTRA.items():
        (root / "data" / "issues" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file counts as old enough to be stored."""
    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> Counter:
    return Counter(monkeypatch)


_clock = iter(range(1_600_000_000, 1_700_000_000, 7))


def later(path: Path) -> None:
    """Give a just-edited file an mtime of its own, as real time passing would."""
    stamp = next(_clock) * 10**9
    os.utime(path, ns=(stamp, stamp))


def outputs(root: Path, monkeypatch: pytest.MonkeyPatch, *, cached: bool,
            commands: tuple[tuple[str, ...], ...] = COMMANDS, today: str = TODAY) -> list[object]:
    """Exit code, stdout and stderr of every command, with or without the cache."""
    if cached:
        monkeypatch.delenv("LEDGER_NO_CACHE", raising=False)
    else:
        monkeypatch.setenv("LEDGER_NO_CACHE", "1")
    runner = CliRunner()
    seen: list[object] = []
    for command in commands:
        result = runner.invoke(app, ["--root", str(root), "--today", today, *command])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command, result.exception)
        seen.append((command, result.exit_code, result.stdout, result.stderr))
    monkeypatch.delenv("LEDGER_NO_CACHE", raising=False)
    return seen


def assert_same(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = outputs(root, monkeypatch, cached=False)
    assert outputs(root, monkeypatch, cached=True) == reference


def entries(root: Path) -> list[str]:
    """The relpaths stored in a valid cache file ([] when it is not valid)."""
    return sorted(store.Store(root).old)


# ---------------------------------------------------------------- round trips

def _corpus() -> Iterator[Path]:
    for folder in ("broken", "hostile"):
        yield from sorted((TESTS / folder).rglob("*.yaml"))
    yield from sorted((TESTS / "broken" / "_base" / "data" / "issues").glob("*.yaml"))


@pytest.mark.parametrize("path", list(_corpus()), ids=lambda path: str(path.relative_to(TESTS)))
def test_round_trip_equals_parse(path: Path) -> None:
    relpath = "data/issues/" + path.name
    parsed = loader.parse_issue(relpath, path.read_bytes())
    decoded = codec.decode(relpath, codec.encode(relpath, parsed))
    assert decoded == parsed
    if parsed[0] is not None:
        assert_lookups_agree(parsed[0].where, relpath)


def assert_lookups_agree(where: Mapping[str, Location], relpath: str) -> None:
    """Single lookups straight from the cached text agree with the loader's dict."""
    for key in [*where, "", "nonexistent", "measures.99", 'a"b', "title,"]:
        lazy = values.Where(values.Where.encode(where, relpath), relpath)
        assert lazy.get(key) == where.get(key), key
        assert (key in lazy) == (key in where), key
    assert values.Where(values.Where.encode(where, relpath), relpath) == where


def test_where_lookup_is_not_fooled_by_quotes_in_keys() -> None:
    where = {'x"number': Location("a.yaml", 1, 2), "number": Location("a.yaml", 3, 4),
             "数字": Location("a.yaml", 5, 6)}
    assert_lookups_agree(where, "a.yaml")
    assert values.Where(values.Where.encode(where, "a.yaml"), "a.yaml")["number"].line == 3


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_round_trip_rich_records(name: str) -> None:
    relpath = f"data/issues/{name}"
    parsed = loader.parse_issue(relpath, EXTRA[name].encode())
    decoded = codec.decode(relpath, codec.encode(relpath, parsed))
    assert decoded == parsed
    issue, original = decoded[0], parsed[0]
    if issue is not None and original is not None:
        assert dict(issue.where) == dict(original.where)
        assert issue.at("deadline") == original.at("deadline")
        assert "title" in issue.where
        assert issue.where.get("nonexistent") is None


def test_where_keeps_a_foreign_path() -> None:
    where = {"title": Location("elsewhere.yaml", 3, 4), "number": Location("a.yaml", 1, 1)}
    decoded = values.Where(values.Where.encode(where, "a.yaml"), "a.yaml")
    assert decoded == where
    assert decoded["title"].path == "elsewhere.yaml"
    assert_lookups_agree(where, "a.yaml")


# ---------------------------------------------------------------- warm and cold

@pytest.mark.parametrize("lean", [False, True], ids=["parsed-records", "lean-records"])
def test_warm_run_parses_nothing(lean: bool, root: Path, trusted: None, counter: Counter,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if lean:
        monkeypatch.setattr(parallel, "LEAN_ABOVE", 0)
    reference = outputs(root, monkeypatch, cached=False)
    counter.take()
    assert outputs(root, monkeypatch, cached=True) == reference
    assert counter.take() == 5  # the first command parsed every file once
    assert outputs(root, monkeypatch, cached=True) == reference
    assert counter.take() == 0
    assert entries(root) == [*(f"data/issues/{n:03d}.yaml" for n in range(1, 6)), HEADER]


def test_no_cache_env_writes_nothing(root: Path, trusted: None,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    outputs(root, monkeypatch, cached=False)
    assert not (root / store.CACHE_NAME).exists()
    assert not store.cache_path(root).exists()


def test_fresh_files_are_not_stored(root: Path, counter: Counter,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Written moments ago: an edit within the same clock tick could keep size and
    # times unchanged, so such a file is parsed again until it is RACY_NS old.
    # The guard is widened to an hour so that a slow, loaded machine (setup
    # taking more than the real 2 s) cannot age the files past it mid-test.
    monkeypatch.setattr(store, "RACY_NS", 3600 * 10**9)
    assert_same(root, monkeypatch)
    assert entries(root) == []
    counter.take()
    runner = CliRunner()
    for _ in range(2):
        runner.invoke(app, ["--root", str(root), "--today", TODAY, "list"])
        assert counter.take() == 5


# ---------------------------------------------------------------- file changes

def _issue(root: Path, number: int) -> Path:
    return root / "data" / "issues" / f"{number:03d}.yaml"


def edit_same_size(root: Path) -> None:
    path = _issue(root, 1)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("办公室", "人事科"), encoding="utf-8")
    later(path)


def edit_longer(root: Path) -> None:
    path = _issue(root, 3)
    path.write_text(path.read_text(encoding="utf-8").replace("正在推进", "基本完成")
                    + "public: false\n", encoding="utf-8")
    later(path)


def edit_same_size_same_mtime(root: Path) -> None:
    # What only the inode/ctime part of the key catches: content and size change,
    # the mtime is put back (as `cp -p`, rsync or an unpacker would do).
    path = _issue(root, 1)
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("短期", "中期"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def touch(root: Path) -> None:
    later(_issue(root, 2))


def delete(root: Path) -> None:
    _issue(root, 4).unlink()


def rename(root: Path) -> None:
    _issue(root, 3).rename(root / "data" / "issues" / "009.yaml")


def swap(root: Path) -> None:
    # Same sizes and mtimes are kept by rename: only the path key tells them apart.
    first, second = _issue(root, 1), _issue(root, 3)
    temp = first.with_name("tmp.txt")
    first.rename(temp)
    second.rename(first)
    temp.rename(second)


def add(root: Path) -> None:
    path = _issue(root, 6)
    path.write_text(EXTRA["004.yaml"].replace("number: 4", "number: 6"), encoding="utf-8")
    later(path)


def break_file(root: Path) -> None:
    path = _issue(root, 2)
    path.write_text(path.read_text(encoding="utf-8") + "status: 已完成\n", encoding="utf-8")
    later(path)


def fix_file(root: Path) -> None:
    path = _issue(root, 5)
    path.write_text("number: 5\naspect: 2\ntitle: 修好了。\nstatus: 正在推进\n", encoding="utf-8")
    later(path)


def replace_with_directory(root: Path) -> None:
    path = _issue(root, 4)
    path.unlink()
    path.mkdir()


def replace_with_link_outside(root: Path) -> None:
    outside = root.parent / "outside.yaml"
    shutil.copy(_issue(root, 4), outside)
    _issue(root, 4).unlink()
    _issue(root, 4).symlink_to(outside)


def edit_header(root: Path) -> None:
    path = root / "data" / "ledger.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("2021-06-01", "2021-05-01"),
                    encoding="utf-8")
    later(path)


CHANGES: tuple[Callable[[Path], None], ...] = (
    edit_same_size, edit_longer, edit_same_size_same_mtime, touch, delete, rename, swap, add,
    break_file, fix_file, replace_with_directory, replace_with_link_outside, edit_header)


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_change_is_seen(change: Callable[[Path], None], root: Path, trusted: None,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    before = outputs(root, monkeypatch, cached=True)  # fills the cache
    change(root)
    reference = outputs(root, monkeypatch, cached=False)
    assert outputs(root, monkeypatch, cached=True) == reference
    if change is not touch:
        assert reference != before  # the change is visible, so the test can fail


def test_changes_in_sequence(root: Path, trusted: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for change in (edit_same_size, add, swap, break_file, delete, fix_file, rename):
        change(root)
        assert_same(root, monkeypatch)


def test_linked_file_is_never_stored(root: Path, trusted: None,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    inside = root / "data" / "real.yaml"
    shutil.move(_issue(root, 3), inside)
    _issue(root, 3).symlink_to(inside)
    assert_same(root, monkeypatch)
    assert "data/issues/003.yaml" not in entries(root)
    inside.write_text(EXTRA["003.yaml"].replace("调研", "检查"), encoding="utf-8")
    assert_same(root, monkeypatch)


# ---------------------------------------------------------------- the tool changes

def test_tool_version_change_rebuilds(root: Path, trusted: None, counter: Counter,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    outputs(root, monkeypatch, cached=True)
    reference = outputs(root, monkeypatch, cached=False)
    old = store.stamp()
    monkeypatch.setattr(ledger.version, "__version__", "99.0.0")
    assert store.stamp() != old
    counter.take()
    assert outputs(root, monkeypatch, cached=True) == reference
    assert counter.take() == 5  # every file parsed once by the new version, then reused


def test_an_edited_module_changes_the_stamp(tmp_path: Path) -> None:
    """Modules count by path and content: an edit that keeps the size changes the stamp;
    the same files elsewhere, written at another time, do not (two installs of the same
    code share a cache); compiled files do not count."""
    package = tmp_path / "pkg"
    (package / "sub" / "__pycache__").mkdir(parents=True)
    module = package / "sub" / "m.py"
    module.write_text("x = 1\n", encoding="utf-8")
    (package / "a.py").write_text("", encoding="utf-8")
    first = store.sources_identity(str(package))
    assert first.startswith(b"a.py\x000\x000\nsub/m.py\x006\x00")
    (package / "sub" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"compiled")
    os.utime(module, ns=(10**18, 10**18))
    copy = tmp_path / "elsewhere" / "pkg"
    shutil.copytree(package, copy)
    assert store.sources_identity(str(package)) == store.sources_identity(str(copy)) == first
    module.write_text("x = 2\n", encoding="utf-8")
    assert store.sources_identity(str(package)) != first


def test_schema_version_change_rebuilds(root: Path, trusted: None, counter: Counter,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    outputs(root, monkeypatch, cached=True)
    old = store.stamp()
    monkeypatch.setattr(loader, "SCHEMA_VERSION", loader.SCHEMA_VERSION + 1)
    assert store.stamp() != old
    counter.take()
    list(cache.parse_files(root, loader.issue_paths(root), loader.read_bytes, loader.parse_issue))
    assert counter.take() == 5


# ---------------------------------------------------------------- the cache file itself

def _rewrite(root: Path, edit: Callable[[bytes], bytes]) -> None:
    path = store.cache_path(root)
    path.write_bytes(edit(path.read_bytes()))


def _resigned(blob: bytes, body_edit: Callable[[bytes], bytes]) -> bytes:
    """A cache with edited entries and a correct digest: only the content can give it away."""
    body = body_edit(blob[: blob.rindex(b"\n", 0, len(blob) - 1) + 1])
    count = body.count(b"\n") - 1
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    return body + f"end\t{count}\t{digest}\n".encode()


def _stale_title(blob: bytes) -> bytes:
    return _resigned(blob, lambda body: body.replace("学习走过场".encode(), "完全伪造的".encode()))


def _flip(blob: bytes) -> bytes:
    middle = len(blob) // 2
    return blob[:middle] + bytes([blob[middle] ^ 0x01]) + blob[middle + 1:]


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "flipped-bit": _flip,
    "truncated": lambda blob: blob[: len(blob) // 2],
    "empty": lambda blob: b"",
    "garbage": lambda blob: os.urandom(4096),
    "no-trailer": lambda blob: blob[: blob.rindex(b"end\t")],
    "foreign-stamp": lambda blob: blob.replace(store.stamp().encode(), b"0" * 32, 1),
    "malformed-entry": lambda blob: _resigned(blob, lambda body: body.replace(b"[", b"{", 3)),
    "wrong-field-count": lambda blob: _resigned(
        blob, lambda body: body.replace(b"\t[[1,1,", b"\t[[1,", 1)),
    "pickle": lambda blob: b"\x80\x04\x95" + os.urandom(64) + b".",
    "utf16": lambda blob: blob.decode("utf-8").encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupt_cache_is_rebuilt(name: str, root: Path, trusted: None, counter: Counter,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    outputs(root, monkeypatch, cached=True)
    _rewrite(root, CORRUPTIONS[name])
    assert_same(root, monkeypatch)
    assert entries(root) == [*(f"data/issues/{n:03d}.yaml" for n in range(1, 6)), HEADER]
    counter.take()
    outputs(root, monkeypatch, cached=True)
    assert counter.take() == 0


def test_a_forged_entry_with_a_good_digest_is_believed_only_while_its_stat_matches(
        root: Path, trusted: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The digest proves the file whole, not honest: whoever can write the cache can
    # also write the YAML. What matters is that editing the file supersedes it.
    outputs(root, monkeypatch, cached=True)
    _rewrite(root, _stale_title)
    forged = outputs(root, monkeypatch, cached=True)
    assert "完全伪造的" in str(forged)
    edit_same_size(root)
    assert_same(root, monkeypatch)


def test_cache_path_is_a_directory(root: Path, trusted: None,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store.cache_path(root).mkdir(parents=True)
    assert_same(root, monkeypatch)
    edit_same_size(root)
    assert_same(root, monkeypatch)


def test_cache_file_is_json_lines(root: Path, trusted: None,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    outputs(root, monkeypatch, cached=True)
    lines = store.cache_path(root).read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:2] == [store.MAGIC, store.FORMAT]
    assert lines[-1].startswith("end\t6\t")  # five problem files and the header
    assert all(line.count("\t") >= 2 for line in lines[1:-1])


# ---------------------------------------------------------------- edits by ledger itself

def test_lifecycle_edits_are_seen(root: Path, trusted: None,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    outputs(root, monkeypatch, cached=True)
    for edit in (("log", "1", "召开会议。"), ("done", "3", "1"), ("status", "3", "基本完成"),
                 ("extend", "1", "--to", "2021-12-31", "--reason", "需要协调。")):
        result = runner.invoke(app, ["--root", str(root), "--today", TODAY, *edit])
        assert result.exit_code == 0, result.output
        assert_same(root, monkeypatch)


# ---------------------------------------------------------------- parallel parse

@pytest.mark.parametrize("share", ["workers-take-all", "shared"])
def test_parallel_parse_equals_serial(share: str, root: Path, trusted: None, counter: Counter,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(6, 40):
        (root / "data" / "issues" / f"{number:03d}.yaml").write_text(
            EXTRA["003.yaml"].replace("number: 3", f"number: {number}"), encoding="utf-8")
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    monkeypatch.setattr(parallel, "CHUNK", 4)
    monkeypatch.setattr(parallel, "jobs", lambda pending, limit=None: 2)
    if share == "workers-take-all":
        # This process never takes a chunk back, so every file goes through a worker.
        monkeypatch.setattr(concurrent.futures.Future, "cancel", lambda self: False)
    reference = outputs(root, monkeypatch, cached=False)
    counter.take()
    assert outputs(root, monkeypatch, cached=True) == reference
    if share == "workers-take-all":
        assert counter.take() == 4  # the first chunk is always this process's own
    assert len(entries(root)) == 39 + 1  # and the header
    assert outputs(root, monkeypatch, cached=True) == reference


def test_parallel_parse_without_cache(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = loader.issue_paths(root)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    monkeypatch.setattr(concurrent.futures.Future, "cancel", lambda self: False)
    monkeypatch.setenv("LEDGER_NO_CACHE", "1")
    work = [(p, store.file_key(root, p)) for p in paths]
    files = parallel.Files(loader.read_bytes, loader.parse_issue)
    serial = parallel.parse_pending(root, work, files, True, 1, False)
    forked = parallel.parse_pending(root, work, files, True, 2, False)
    assert [result for result, _ in forked] == [result for result, _ in serial]


# ---------------------------------------------------------------- where the cache lives

def test_cache_folder_ignores_itself(root: Path, trusted: None,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, "init", "-q", str(root)], check=True)
    outputs(root, monkeypatch, cached=True)
    assert store.cache_path(root).is_file()
    status = subprocess.run([git, "-C", str(root), "status", "--porcelain", "--untracked=all"],
                            capture_output=True, text=True, check=True).stdout
    assert "data/issues/001.yaml" in status
    assert store.CACHE_NAME not in status


def test_old_single_file_cache_is_replaced(root: Path, trusted: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (root / store.CACHE_NAME).write_bytes(store.MAGIC.encode() + b"\t0\told\n")
    assert_same(root, monkeypatch)
    assert entries(root) == [*(f"data/issues/{n:03d}.yaml" for n in range(1, 6)), HEADER]


def test_a_foreign_file_in_the_way_is_left_alone(root: Path, trusted: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (root / store.CACHE_NAME).write_text("我的笔记\n", encoding="utf-8")
    assert_same(root, monkeypatch)
    assert (root / store.CACHE_NAME).read_text(encoding="utf-8") == "我的笔记\n"


def test_header_and_its_problems_come_from_the_cache(root: Path, trusted: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A header with a mistake: the warm run takes its parse and its diagnostics from the
    cache (the header is not parsed again) and says exactly what a fresh parse says."""
    header = root / "data" / "ledger.yaml"
    header.write_text(header.read_text(encoding="utf-8") + "colour: 红\n", encoding="utf-8")
    reference = outputs(root, monkeypatch, cached=False)
    assert "colour" in str(reference)
    parsed: list[str] = []
    real = loader.parse_header

    def counting(relpath: str, data: bytes) -> object:
        parsed.append(relpath)
        return real(relpath, data)

    monkeypatch.setattr(loader, "parse_header", counting)
    assert outputs(root, monkeypatch, cached=True) == reference
    assert parsed == [HEADER]  # the first command parsed it
    assert HEADER in entries(root)
    assert outputs(root, monkeypatch, cached=True) == reference
    assert parsed == [HEADER]
    header.write_text(header.read_text(encoding="utf-8").replace("colour", "color"),
                      encoding="utf-8")
    later(header)
    fresh = outputs(root, monkeypatch, cached=False)
    parsed.clear()
    assert outputs(root, monkeypatch, cached=True) == fresh != reference
    # Changed: parsed again, once for each cache file read (no problem file changed, so
    # the briefs of list/validate/check do not read the cache of whole records for it).
    assert parsed == [HEADER, HEADER]
