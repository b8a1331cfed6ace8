"""The cache file read in chunks (issue 15): on a generated 1,000-problem ledger,
validate, list and check print exactly what they print without the cache, warm or
after any change, and with entries cut across chunk boundaries; nothing decoded
from a file that turns out unsound is used; a git checkout of another revision is
never served stale.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ledger.cache import codec, store
from ledger.read import loader

from .conftest import REPO
from .test_cache import Counter
from .test_cache import outputs as cache_outputs


def _generator() -> Any:
    """bench/generate.py, a script (not a package) beside the tests."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module

TODAY = "2021-12-31"
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("validate",), ("validate", "--format", "json"), ("list", "--open"),
    ("list", "--json"), ("check",), ("check", "--format", "json"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(_generator().generate(tmp_path_factory.mktemp("gen") / "ledger", 1000,
                                      data_dir=REPO / "data"))


@pytest.fixture
def root(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)  # every file old enough to store
    monkeypatch.setenv("LEDGER_JOBS", "1")  # parsed here, where the parses are counted
    target = tmp_path / "ledger"
    subprocess.run(["cp", "-a", str(generated), str(target)], check=True)
    return target


def outputs(root: Path, monkeypatch: pytest.MonkeyPatch, *, cached: bool) -> list[object]:
    """test_cache.outputs over this file's commands and day."""
    return cache_outputs(root, monkeypatch, cached=cached, commands=COMMANDS, today=TODAY)


_clock = iter(range(1_600_000_000, 1_700_000_000, 7))


def later(path: Path) -> None:
    stamp = next(_clock) * 10**9
    os.utime(path, ns=(stamp, stamp))


def issue(root: Path, number: int) -> Path:
    return root / "data" / "issues" / f"{number:03d}.yaml"


@pytest.mark.parametrize("chunk", [store.CHUNK_BYTES, 4096, 977],
                         ids=["default-chunks", "4KiB-chunks", "odd-chunks"])
def test_generated_ledger_equals_full_parse(chunk: int, root: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "CHUNK_BYTES", chunk)
    parses = Counter(monkeypatch)
    reference = outputs(root, monkeypatch, cached=False)
    parses.take()
    assert outputs(root, monkeypatch, cached=True) == reference  # fills the cache
    assert parses.take() == 1000
    assert outputs(root, monkeypatch, cached=True) == reference  # all from the cache
    assert parses.take() == 0
    assert len(store.Store(root).old) == 1000 + 1  # and the header


def _edit(root: Path) -> None:
    path = issue(root, 17)
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 改过的", 1),
                    encoding="utf-8")
    later(path)


def _touch(root: Path) -> None:
    later(issue(root, 18))


def _same_size_same_mtime(root: Path) -> None:
    path = issue(root, 19)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("number: 19", "number: 91"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _delete(root: Path) -> None:
    issue(root, 500).unlink()


def _add(root: Path) -> None:
    path = issue(root, 1001)
    path.write_text(issue(root, 3).read_text(encoding="utf-8").replace("number: 3", "number: 1001"),
                    encoding="utf-8")
    later(path)


@pytest.mark.parametrize("change", [_edit, _touch, _same_size_same_mtime, _delete, _add],
                         ids=lambda change: change.__name__.strip("_"))
def test_change_in_a_chunked_cache_is_seen(change: object, root: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "CHUNK_BYTES", 4096)
    before = outputs(root, monkeypatch, cached=True)  # fills the cache
    assert callable(change)
    change(root)
    parses = Counter(monkeypatch)
    reference = outputs(root, monkeypatch, cached=False)
    parses.take()
    assert outputs(root, monkeypatch, cached=True) == reference
    assert parses.take() == (0 if change is _delete else 1)  # only the changed file
    if change is not _touch:
        assert reference != before  # the change shows, so the comparison can fail
    # The cache written after the change is whole: the next runs parse nothing.
    outputs(root, monkeypatch, cached=True)
    assert parses.take() == 0


@pytest.mark.parametrize("name", [store.CACHE_FILE, store.BRIEFS_FILE])
def test_a_bad_entry_late_in_the_file_drops_what_was_decoded_before(
        name: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries before a flipped byte decode fine, but the digest fails at the end: none of
    them is used, every file is parsed afresh and the cache rewritten. (The other cache
    file is removed, so that only the flipped one could answer.)"""
    monkeypatch.setattr(store, "CHUNK_BYTES", 4096)
    reference = outputs(root, monkeypatch, cached=True)
    path = store.cache_path(root).with_name(name)
    blob = path.read_bytes()
    at = blob.rindex("整改".encode())  # inside the last entries, far past the first chunk
    path.write_bytes(blob[:at] + "落实".encode() + blob[at + len("整改".encode()):])
    other = store.BRIEFS_FILE if name == store.CACHE_FILE else store.CACHE_FILE
    path.with_name(other).unlink()
    decode = codec.decode_brief if name == store.BRIEFS_FILE else codec.decode
    found = store.Store(root, wanted={"data/issues/001.yaml": loader_key(root, 1)},
                        name=name, decode=decode)
    assert (found.old, found.hits, found.spans, found.odd) == ({}, {}, {}, True)
    found.close()
    parses = Counter(monkeypatch)
    assert outputs(root, monkeypatch, cached=True) == reference
    assert parses.take() == 1000  # the first command; then the rewritten cache serves
    for written in (store.CACHE_FILE, store.BRIEFS_FILE):
        again = store.Store(root, name=written)
        assert len(again.old) == 1000 + 1  # and the header
        again.close()


def loader_key(root: Path, number: int) -> store.StatKey | None:
    return store.file_key(root, f"data/issues/{number:03d}.yaml")


def test_lookup_without_wanted_reads_the_entry_from_the_file(root: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    outputs(root, monkeypatch, cached=True)
    relpath = "data/issues/042.yaml"
    plain = store.Store(root)
    assert plain.hits == {}
    assert plain.lookup(relpath, loader_key(root, 42)) == loader.parse_issue(
        relpath, issue(root, 42).read_bytes())
    plain.close()


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], check=True, capture_output=True)


def test_git_checkout_of_another_revision_is_never_stale(root: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(store, "CHUNK_BYTES", 4096)
    (root / ".gitignore").write_text(".ledger-cache/\n", encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "one")
    first = outputs(root, monkeypatch, cached=True)
    for number in (5, 6, 700):  # same sizes: only content differs
        path = issue(root, number)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("status: 正在推进", "status: 基本完成"), encoding="utf-8")
    _edit(root)
    _git(root, "commit", "-q", "-am", "two")
    second = outputs(root, monkeypatch, cached=True)
    assert second == outputs(root, monkeypatch, cached=False)
    assert second != first
    _git(root, "checkout", "-q", "HEAD~1")
    assert outputs(root, monkeypatch, cached=True) == first
    _git(root, "checkout", "-q", "-")
    assert outputs(root, monkeypatch, cached=True) == second
