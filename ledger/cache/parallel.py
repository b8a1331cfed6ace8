"""Parsing the files the cache does not have: here, or in forked workers as well.

`parse_pending(root, work, files, inside, jobs, want_lines)` reads and parses
each (relpath, stat key) of `work` in order with the loader's own functions
(`files`: its guarded reader and its parser, handed in by the loader), and
returns each result with its encoded cache line when `want_lines`. Many
files and more than one core: this process and `jobs - 1` forked workers
share the chunks (see `parse_pending`). `jobs(pending, limit)` says how many.

What it does not do: look anything up or store it (store.py), or decide what
a file means (the loader's parser).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from ledger.core.model import Problem

from .codec import BriefResult, Result, brief_line_of, decode, decode_brief, encode
from .journal import key_size
from .store import StatKey

if TYPE_CHECKING:
    from concurrent.futures import Future

# Below this many files to parse, worker processes cost more than they save (measured
# in bench/: forking two workers and shipping results back costs about 15 ms).
PARALLEL_MIN = 200
CHUNK = 64
# Above this many files to parse, freshly parsed records are swapped for their leaner
# decoded twins (see _parse_here).
LEAN_ABOVE = 20_000

T = TypeVar("T")
P = TypeVar("P")

Read = Callable[[Path, str], tuple[bytes | None, Problem | None]]
Parse = Callable[[str, bytes], Result]
Work = list[tuple[str, "StatKey | None"]]


class Files:
    """The loader's reader (guards included) and parser, as one argument."""

    __slots__ = ("parse", "read")

    def __init__(self, read: Read, parse: Parse) -> None:
        self.read, self.parse = read, parse


# What forked workers use: set before the pool starts, inherited by fork (a function
# the tests wrap could not be pickled into a worker).
_FILES: Files | None = None


def jobs(pending: int, limit: int | None = None) -> int:
    """How many processes parse `pending` files: 1 below PARALLEL_MIN, else up to the
    cores this process may use, at most `limit` (None or < 1: no limit)."""
    if pending < PARALLEL_MIN or not sys.platform.startswith("linux"):
        return 1  # fork is the cheap way to start workers, and safe only on Linux
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        cores = os.cpu_count() or 1
    if limit is not None and limit > 0:
        cores = min(cores, limit)
    return max(1, min(cores, pending // max(1, PARALLEL_MIN // 2)))


def read_capped(handle: BinaryIO, size: int) -> bytes:
    """A file's bytes, `size` as stat gave it: a file growing meanwhile is read only to one
    byte past the cap (which the parser then reports), and nothing is allocated beyond."""
    from ledger.read.yamlsrc import MAX_BYTES  # parsing imports it anyway; a warm run does not

    data = handle.read(size + 1)
    if len(data) > size:
        data += handle.read(max(0, MAX_BYTES + 1 - len(data)))
    return data


def read_and_parse(root: Path, relpath: str, key: StatKey | None, inside: bool,
                   files: Files) -> Result:
    """What the loader makes of one problem file, read failures included.

    `inside` says the issues folder itself resolves inside the root: a regular
    file there (key is not None) can be read directly, skipping the per-file
    `resolve()` the loader's reader needs for links; anything else goes
    through that reader and its checks.
    """
    from ledger.read.yamlsrc import MAX_BYTES

    data: bytes | None = None
    size = key_size(key) if key is not None else 0
    if key is not None and inside and size <= MAX_BYTES:  # larger: the reader refuses it
        try:
            with (root / relpath).open("rb") as handle:
                data = read_capped(handle, size)
        except OSError:
            data = None  # the reader below says why
    if data is None:
        data, failure = files.read(root, relpath)
        if failure is not None:
            return None, [failure]
        assert data is not None
    return files.parse(relpath, data)


def _parse_chunk(root: Path, work: Work, inside: bool) -> list[bytes]:
    """In a worker: parse and encode (plain lines pickle far faster than records)."""
    assert _FILES is not None
    return [encode(relpath, read_and_parse(root, relpath, key, inside, _FILES))
            for relpath, key in work]


def _brief_chunk(root: Path, work: Work, inside: bool, want_lines: bool
                 ) -> list[tuple[bytes | None, bytes]]:
    """In a worker, for the briefs: each file's line of whole records (when wanted) and
    its brief's line, so that this process decodes only the brief."""
    assert _FILES is not None
    return [_briefed(relpath, key, read_and_parse(root, relpath, key, inside, _FILES),
                     want_lines)[1:]
            for relpath, key in work]


def _briefed(relpath: str, key: StatKey | None, result: Result, want_lines: bool
             ) -> Briefed:
    """A parsed file for the briefs: its brief, its line of whole records when wanted,
    its brief's line."""
    briefed, brief_line = brief_line_of(relpath, result)
    return briefed, encode(relpath, result) if want_lines else None, brief_line


def _here(root: Path, work: Work, files: Files, inside: bool,
          finish: Callable[[str, StatKey | None, Result], T],
          progress: Callable[[int], None] | None = None) -> list[T]:
    """Parse `work` in this process, each result through `finish(relpath, key, result)`."""
    out: list[T] = []
    for relpath, key in work:
        if progress is not None and out and len(out) % CHUNK == 0:
            progress(len(out))
        out.append(finish(relpath, key, read_and_parse(root, relpath, key, inside, files)))
    return out


def _decoded(chunk: Work, lines: list[bytes]) -> list[tuple[Result, bytes | None]]:
    """A worker's encoded results for `chunk`, as records."""
    return [(decode(relpath, line), line) for (relpath, _), line in zip(chunk, lines, strict=True)]


def _briefs_decoded(chunk: Work, lines: list[tuple[bytes | None, bytes]]) -> list[Briefed]:
    """A worker's lines for `chunk`: only the briefs are decoded."""
    return [(decode_brief(relpath, brief_line), line, brief_line)
            for (relpath, _), (line, brief_line) in zip(chunk, lines, strict=True)]


def parse_pending(root: Path, work: Work, files: Files, inside: bool, jobs: int,
                  want_lines: bool, progress: Callable[[int], None] | None = None
                  ) -> list[tuple[Result, bytes | None]]:
    """Parse `work` in order: here, and in `jobs - 1` forked workers when jobs > 1.

    Each result comes with its encoded cache line when `want_lines`. `progress`,
    when given, is told how many files of `work` are done, chunk by chunk, and
    finally all of them (see `_share` for how the work is shared).
    """
    lean = len(work) > LEAN_ABOVE

    def finish(relpath: str, key: StatKey | None, result: Result
               ) -> tuple[Result, bytes | None]:
        if not want_lines or key is None:
            return result, None
        line = encode(relpath, result)
        # In a large ledger keep what a warm run reads: equal records, but leaner
        # (field locations stay text until asked for); 100,000 parsed records would
        # not fit in 1 GiB. Below that, decoding is wasted time.
        return decode(relpath, line) if lean else result, line

    return _share(
        root, work, files, jobs, progress,
        lambda chunk, told=None: _here(root, chunk, files, inside, finish, told),
        lambda pool, chunk: pool.submit(_parse_chunk, root, chunk, inside),
        _decoded)


# A problem file for the briefs: its brief and problems, its line of whole records
# (None unless wanted), its brief's line.
Briefed = tuple[BriefResult, "bytes | None", bytes]


def brief_pending(root: Path, work: Work, files: Files, inside: bool, jobs: int,
                  want_lines: bool, progress: Callable[[int], None] | None = None
                  ) -> list[Briefed]:
    """`parse_pending` for the briefs (`cache.summary`): each file parsed and briefed
    where it was parsed; from the workers only briefs are decoded here, never whole
    records (at 100,000 problems, most of what this process did in a cold run)."""
    def finish(relpath: str, key: StatKey | None, result: Result) -> Briefed:
        return _briefed(relpath, key, result, want_lines)

    return _share(
        root, work, files, jobs, progress,
        lambda chunk, told=None: _here(root, chunk, files, inside, finish, told),
        lambda pool, chunk: pool.submit(_brief_chunk, root, chunk, inside, want_lines),
        _briefs_decoded)


def _share(root: Path, work: Work, files: Files, jobs: int,
           progress: Callable[[int], None] | None,
           here: Callable[..., list[T]],
           submit: Callable[[Any, Work], Future[P]],
           receive: Callable[[Work, P], list[T]]) -> list[T]:
    """Parse `work` in chunks: `here(chunk)` in this process, `submit(pool, chunk)` in
    `jobs - 1` forked workers, whose output `receive(chunk, output)` turns into items.

    This process takes chunks from the front while the workers take them from
    the back, so they meet wherever the split is even; a chunk a worker has not
    started is simply taken back. This process also decodes what the workers
    send, so it is one of the `jobs`, not their idle supervisor.
    """
    global _FILES
    chunks = [work[start: start + CHUNK] for start in range(0, len(work), CHUNK)]
    if jobs <= 1 or len(chunks) < 2:
        items = here(work, progress)
        if progress is not None and work:
            progress(len(work))
        return items
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return here(work)
    done: list[list[T] | None] = [None] * len(chunks)
    _FILES = files
    try:
        with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context) as pool:
            futures: list[Future[P] | None] = [None] * len(chunks)
            for index in reversed(range(1, len(chunks))):
                futures[index] = submit(pool, chunks[index])
            for index, chunk in enumerate(chunks):
                future = futures[index]
                if future is not None and not future.cancel():
                    break  # a worker has it: the rest are theirs
                done[index] = here(chunk)
                # Decode what the workers have finished meanwhile, so that decoding
                # overlaps their parsing instead of trailing it.
                for back in range(len(chunks) - 1, index, -1):
                    finished = futures[back]
                    if done[back] is None and finished is not None and finished.done() \
                            and not finished.cancelled():
                        done[back] = receive(chunks[back], finished.result())
                _tell(progress, done)
            for index, chunk in enumerate(chunks):
                future = futures[index]
                if done[index] is None and future is not None:
                    done[index] = receive(chunk, future.result())
                    _tell(progress, done)
    except (OSError, RuntimeError):
        pass  # fork refused, or a worker died (BrokenProcessPool): the rest is parsed below
    finally:
        _FILES = None
    out: list[T] = []
    for index, chunk in enumerate(chunks):
        part = done[index]
        out.extend(part if part is not None else here(chunk))
    if progress is not None:
        progress(len(out))
    return out


def _tell(progress: Callable[[int], None] | None, done: Sequence[list[Any] | None]) -> None:
    if progress is not None:
        progress(sum(len(part) for part in done if part is not None))
