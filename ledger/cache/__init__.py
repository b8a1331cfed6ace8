"""The parse cache: a wrapper around the loader, which never imports it.

`load(root, cache=True, jobs=None)` is `loader.load` with a parse step that
takes each problem file's records from `.ledger-cache/issues.jsonl` while the
file is unchanged and parses only the others (in worker processes as well
when there are many and more than one core). The result equals
`loader.load(root)` exactly (tests/test_cache.py runs every command both
ways after every kind of change). `cache=False` reads every file afresh and
writes nothing; `jobs` caps the processes that parse (1: this one only;
None: as many as the cores).

`summary(root)` is the same for what checks and reports read: each problem's
`Brief` from `.ledger-cache/briefs.jsonl`, whole records built only for the
files that changed (tests/test_briefs.py holds it to `loader.load`).

The parts, one module each:
- store.py: a cache file (issues.jsonl or briefs.jsonl), its stamp, and why it
  is trusted;
- codec.py: records to JSON lines and back;
- parallel.py: parsing what the cache does not have, here and in workers;
- journal.py: the entries of files `ledger` itself just wrote.

The defaults of `load` for callers that do not pass them (edits, render,
rollup) are the process's `SETTINGS`, which the CLI sets once from
LEDGER_NO_CACHE and LEDGER_JOBS (`configure`); this package reads no
environment variable. Importing it costs nothing: the loader and the parts
are imported when `load` runs.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.core.record import record

if TYPE_CHECKING:
    from ledger.core.model import Header, Problem, Summary
    from ledger.read.loader import FileResult, Loaded, Parse, Read

    from .codec import BriefResult, HeaderResult
    from .store import StatKey, Store

    HeaderRead = list[tuple[Header, list[Problem]]]

# Told (files done, files in all) as the problem files are read; the caller draws it.
Progress = Callable[[int, int], None]

@record
class Settings:
    """What `load` does when its caller does not say: the cache on or off, and the most
    processes that parse (None: as many as the cores)."""

    cache: bool = True
    jobs: int | None = None


SETTINGS = Settings()


def configure(*, cache: bool | None = None, jobs: int | None = None) -> None:
    """Set this process's defaults for `load` (the CLI does, from its environment)."""
    if cache is not None:
        SETTINGS.cache = cache
    SETTINGS.jobs = jobs if jobs is not None and jobs > 0 else None


def load(root: Path, *, cache: bool | None = None, jobs: int | None = None,
         progress: Progress | None = None) -> Loaded:
    """The ledger at `root`, as `loader.load` reads it, through the parse cache.

    `cache`: use `.ledger-cache/` (False: parse every file, store nothing);
    `jobs`: the most processes that parse (None or < 1: as many as the cores).
    Either left as None takes the process's default (`SETTINGS`: on, all cores).
    `progress`, when given, is told (done, total) problem files as they are read.
    """
    from ledger.read import loader

    if not (SETTINGS.cache if cache is None else cache):
        if progress is None:
            return loader.load(root)  # the reference: every file read and parsed here
        told = progress

        def each(root: Path, relpaths: list[str], read: Read, parse: Parse
                 ) -> list[FileResult]:
            out: list[FileResult] = []
            for relpath in relpaths:
                out += loader.parse_each(root, [relpath], read, parse)
                told(len(out), len(relpaths))
            return out

        return loader.load(root, parse_files=each)
    limit = SETTINGS.jobs if jobs is None else jobs
    # The header is read with the problem files, through the same cache file.
    head: HeaderRead = []

    def parse_all(root: Path, relpaths: list[str], read: Read, parse: Parse
                  ) -> list[FileResult]:
        return parse_files(root, relpaths, read, parse, jobs=limit, progress=progress,
                           header=head)

    def read_header(root: Path) -> tuple[Header, list[Problem]]:
        return head[0] if head else loader.read_header(root)

    return loader.load(root, parse_files=parse_all, header=read_header)


def summary(root: Path, *, cache: bool | None = None, jobs: int | None = None,
            progress: Progress | None = None) -> Summary | None:
    """The ledger at `root` as checks and reports read it: each problem's `Brief`, from
    `.ledger-cache/briefs.jsonl` while its file is unchanged; whole records are built
    only for the files that changed (parsed, or taken from the cache of whole records),
    and briefed (`Issue.brief`). The briefs file is a second cache file of store.py's
    kind: the same stamp, keys, digest, trust rules and atomic rewrite; each entry is a
    file's brief (None when unreadable) and the problems its parse found, and the
    header's parse is one more. At 100,000 problems it holds about a fifth of what
    whole records do (bench/README.md).
    Equal to `loader.summary_of(loader.load(root))` in every answer it gives. None when
    the cache is off or data/issues leads out of the root: read whole records then.
    Arguments as in `load`.
    """
    if not (SETTINGS.cache if cache is None else cache):
        return None
    from ledger.read import loader

    if not _issues_inside(root, loader.ISSUES_DIR):
        loader.check_complete(root)  # the same refusal as `load` first
        return None
    with _collector_paused():  # as in parse_files: 100,000 briefs, no cycles among them
        return _summary(root, SETTINGS.jobs if jobs is None else jobs, progress)


# The cache of whole records is read for the changed files (and rewritten with them)
# only when they are more than one in SCAN_SHARE of all: reading it costs about a
# fifteenth of parsing every file (at 100,000 problems, about a second), so for a few
# changed files of many (after an edit) they are parsed, or taken from the journal.
SCAN_SHARE = 15


def _summary(root: Path, jobs: int | None, progress: Progress | None) -> Summary:
    """The ledger at `root` from its briefs (see `summary`); `jobs` and `progress` as in
    `load`, for the files parsed afresh."""
    import time

    from ledger.core.model import Summary
    from ledger.read import loader

    from . import codec, store
    from .codec import encode_header

    paths, folder = loader.listing(root)
    keys = [store.file_key(root, relpath) for relpath in paths]
    head_key = store.file_key(root, loader.HEADER_PATH)
    wanted = dict(zip(paths, keys, strict=True))
    wanted[loader.HEADER_PATH] = head_key
    budget = store.budget(keys)
    cutoff = time.time_ns() - store.RACY_NS
    briefs = store.Store(root, budget, wanted, name=store.BRIEFS_FILE,
                         decode=codec.decode_brief)
    results: list[BriefResult] = []
    missed: list[int] = []
    for index, relpath in enumerate(paths):
        hit: BriefResult | None = briefs.lookup(relpath, keys[index])
        if hit is None:
            missed.append(index)
            hit = (None, [])  # filled in below
        results.append(hit)
    scan = len(missed) * SCAN_SHARE > len(paths)
    head: HeaderRead = []  # the header through the cache of whole records, when read
    if missed:
        names = [paths[index] for index in missed]
        # A folder the briefs may not be kept in (a link …) has been warned about: the
        # whole records are then parsed without a second cache file, or a second warning.
        with _collector_paused():
            fresh = _parse_files(root, names, loader.read_bytes, loader.parse_issue,
                                 briefs.usable, jobs, progress,
                                 head if scan and not briefs.has_header(head_key) else None,
                                 scan, briefs=True, keys=[keys[index] for index in missed])
        for index, (result, line) in zip(missed, fresh, strict=True):
            results[index] = result
            briefs.keep(paths[index], keys[index], line, cutoff)
    if head:  # parsed (or found) once for both cache files
        header, header_problems = head[0]
        briefs.keep(loader.HEADER_PATH, head_key,
                    encode_header(loader.HEADER_PATH, (header, header_problems)), cutoff)
    else:
        header, header_problems = read_header(root, briefs, head_key, cutoff)
    briefs.save()  # and lets go of the old file
    records, problems = loader.collect(header_problems, folder, results)
    return Summary(str(root), header, tuple(records), tuple(problems))


def parse_files(root: Path, relpaths: Iterable[str], read: Read, parse: Parse, *,
                cache: bool = True, jobs: int | None = None,
                progress: Progress | None = None, header: HeaderRead | None = None,
                scan: bool = True) -> list[FileResult]:
    """Each problem file's (Issue | None, problems), in the order given, as `parse`
    would return for what `read` gives (or the read failure); `progress` as in `load`.
    `header`, when given, receives the header as `loader.read_header` gives it, its
    parse taken from and kept in the cache like a problem file's. `scan=False` for a
    few files out of many: the cache file is not read (only the journal of edits) and
    not rewritten."""
    # Loading builds millions of small objects and no reference cycles; the cyclic
    # collector would rescan the growing heap over and over (measured: it tripled
    # the time to decode 10,000 cached problems). Freezing afterwards keeps the first
    # collections after loading from scanning them all again; refcounting still frees
    # them, only cyclic garbage among them would stay (there is none).
    with _collector_paused():
        return _parse_files(root, list(relpaths), read, parse, cache, jobs, progress, header,
                            scan)


def _issues_inside(root: Path, issues_dir: str) -> bool:
    """Does the issues folder itself resolve inside the root?"""
    from ledger.core.paths import inside_root

    try:
        return inside_root(root, root / issues_dir)
    except (OSError, RuntimeError):  # RuntimeError: a link loop, Python < 3.12
        return False


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic collector off while records are built, and what was built frozen after
    (see `parse_files`). Freezing also spares the full collection at exit from scanning
    every module and record again: about 10 ms of a 23-problem `list`."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if paused:
            gc.enable()


def _parse_files(root: Path, paths: list[str], read: Read, parse: Parse, cache: bool,
                 limit: int | None, progress: Progress | None = None,
                 header: HeaderRead | None = None, scan: bool = True,
                 briefs: bool = False, keys: list[StatKey | None] | None = None
                 ) -> list[Any]:
    """`parse_files`; with `briefs`, each file's (BriefResult, its brief's line) instead,
    the briefs made where the files are parsed (see `parallel.brief_pending`). `keys`:
    the files' stat keys when the caller has just taken them."""
    import time

    from ledger.read.loader import HEADER_PATH, ISSUES_DIR

    from . import codec, parallel, store

    cutoff = time.time_ns() - store.RACY_NS
    # Containment before the cache, never instead of it: when data/issues leads out of
    # the root, every file goes through the loader's reader and its checks, and nothing
    # is looked up or stored (an entry made while the folder was real would match the
    # very same files seen through a link).
    inside = _issues_inside(root, ISSUES_DIR)
    if keys is None:
        keys = [store.file_key(root, relpath) for relpath in paths]
    stored: store.Store | None = None
    head_key: StatKey | None = None
    if cache and inside:
        budget = store.budget(keys)
        try:
            # Decoded while the file is read: only the entries of these files, as they are now.
            wanted = dict(zip(paths, keys, strict=True))
            if header is not None:
                wanted[HEADER_PATH] = head_key = store.file_key(root, HEADER_PATH)
            stored = store.Store(root, budget, wanted, scan=scan)
        except (TypeError, ValueError, OSError):  # pragma: no cover - model not codable
            stored = None
    results: list[Any] = [None] * len(paths)
    pending: list[int] = []
    for index, relpath in enumerate(paths):
        hit = stored.lookup(relpath, keys[index]) if stored is not None else None
        if hit is None:
            pending.append(index)
        else:
            results[index] = codec.brief_line_of(relpath, hit) if briefs else hit
    work = [(paths[index], keys[index]) for index in pending]
    told = None
    if progress is not None:
        hits, total = len(paths) - len(pending), len(paths)
        progress(hits, total)

        def told(done: int) -> None:
            progress(hits + done, total)

    files, jobs = parallel.Files(read, parse), parallel.jobs(len(pending), limit)
    if briefs:
        kept = stored is not None and stored.saving
        for index, (briefed, line, brief_line) in zip(
                pending, parallel.brief_pending(root, work, files, inside, jobs, kept, told),
                strict=True):
            results[index] = (briefed, brief_line)
            if stored is not None and line is not None:
                stored.keep(paths[index], keys[index], line, cutoff)
    else:
        for index, (result, line) in zip(
                pending, parallel.parse_pending(root, work, files, inside, jobs,
                                                stored is not None, told), strict=True):
            results[index] = result
            if stored is not None and line is not None:
                stored.keep(paths[index], keys[index], line, cutoff)
    if header is not None:
        header.append(read_header(root, stored, head_key, cutoff))
    if stored is not None:
        stored.save()  # and lets go of the old file
    return [result for result in results if result is not None]


def read_header(root: Path, stored: Store | None, key: StatKey | None, cutoff: int
                 ) -> tuple[Header, list[Problem]]:
    """`loader.read_header(root)`, its parse from the cache while the file is unchanged
    (and kept there when parsed afresh); without the cache, simply that."""
    from ledger.core.paths import inside_root
    from ledger.read import loader
    from ledger.read.loader import HEADER_PATH

    from .codec import encode_header

    if stored is None:
        return loader.read_header(root)
    found = stored.lookup_header(key)  # key: a regular file, not a link, unchanged
    if found is not None:
        with contextlib.suppress(OSError, RuntimeError):  # else read: the reader says why
            if inside_root(root, root / HEADER_PATH):
                return loader.header_of(found[0], list(found[1]))

    def parse(relpath: str, data: bytes) -> HeaderResult:
        result = loader.parse_header(relpath, data)
        with contextlib.suppress(TypeError, ValueError):  # pragma: no cover - not codable
            stored.keep(relpath, key, encode_header(relpath, result), cutoff)
        return result

    return loader.read_header(root, parse)


def remember(root: Path, relpath: str, data: bytes, result: FileResult) -> None:
    """After `ledger` wrote `data` to the problem file `relpath` (holding the lock): let the
    next load take `result`, the file's parse, without parsing it (see journal.py). Nothing
    when the cache is off, the file is not a regular file, or data/issues leads out of the
    root (nothing is stored then, as in `load`)."""
    if not SETTINGS.cache:
        return
    from ledger.core.paths import inside_root
    from ledger.read.loader import ISSUES_DIR

    from . import journal, store

    try:
        if not inside_root(root, root / ISSUES_DIR):
            return
    except (OSError, RuntimeError):  # RuntimeError: a link loop, Python < 3.12
        return
    key = store.file_key(root, relpath)
    if key is None:
        return
    tool = store.stamp()
    entry = journal.line(tool, relpath, key, data, result)
    with contextlib.suppress(OSError):  # a read-only folder, a full disk: only slower
        folder = store._open_folder(store.cache_path(root).parent)
        try:
            journal.append(folder, tool, entry)
        finally:
            os.close(folder)
