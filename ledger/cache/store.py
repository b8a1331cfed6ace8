"""The cache file: `.ledger-cache/issues.jsonl`, what it holds and why it is trusted.

`Store(root, budget)` reads the entries of the last run; `lookup` gives a
file's records when its size, mtime_ns, inode and ctime_ns are those recorded
(`file_key`), `keep` adds a freshly parsed one, `save` writes the next file
(a temp file renamed over the old one). The folder has its own `.gitignore`,
so it is never committed. Parsing is a pure function of (relpath, bytes,
tool), so an entry is valid exactly while its file is unchanged and the tool
is the same; the stamp in the file's first line covers the tool: version,
schema, cache format, PyYAML (and whether it uses libyaml), Python and the
source of every module of the package.

Why it is safe to trust:
- the file is JSON lines, read with `json.loads` only: reading it cannot run
  code (no pickle, no marshal, no YAML tags);
- a blake2b digest over everything before the last line proves the file whole;
  a bad digest, a foreign stamp or a malformed line makes the whole cache
  count as absent, an entry that does not decode is parsed afresh, and the
  file is rewritten, all silently;
- an entry is stored only for a regular file (not a link) whose mtime and
  ctime are at least RACY_NS older than the start of the run, so an edit
  landing in the same clock tick as the parse can never hide behind an equal
  stat (git's "racily clean" problem);
- edits by `ledger` itself go through `atomic.write_atomic` (a new inode and
  a new ctime), so they need no call into this module;
- it is consulted only after the root-containment checks: when data/issues
  leads out of the root, nothing is looked up or stored, and every file goes
  through `loader.read_bytes` (an entry made while the folder was real would
  otherwise match the very same files seen through a link);
- nothing in `.ledger-cache/` is trusted as a path: the folder is opened with
  O_NOFOLLOW and used through its descriptor, the cache file is opened with
  O_NOFOLLOW | O_NONBLOCK and must be a regular file no larger than a budget
  (32 MiB plus 16 times the problem files' size), checked with fstat before
  reading; a link, pipe, device, folder or oversized file there is a corrupt
  cache, replaced by a rename (which replaces a link, never its target), or
  bypassed with one line of warning when it cannot be; a folder that is a
  link or not a folder switches the cache off for the run, with a warning.
  Nothing is ever written outside the root.

The header (data/ledger.yaml) is one more entry, under its relpath, by the
same rules (`lookup_header`): a warm run parses nothing and never imports
PyYAML.

What it does not do: decide what a file means (that is `loader.parse_issue`
and `loader.parse_header`), parse (parallel.py), or lock: two runs
writing at once each replace the file whole, and the last one wins.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from _blake2 import blake2b
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from zlib import crc32

from ledger.read.loader import HEADER_PATH

from . import journal
from .codec import HeaderResult, Result, decode, decode_header
from .values import loads, written_name

# An entry's payload back to its records: `codec.decode` (whole records) or `decode_brief`.
Decode = Callable[[str, bytes], Any]

# A folder that ignores itself (like .pytest_cache): a ledger repository made by
# hand or by `ledger import` may have no .gitignore entry, and office staff
# running `git add .` must not commit megabytes of cache.
CACHE_NAME = ".ledger-cache"
CACHE_FILE = "issues.jsonl"
BRIEFS_FILE = "briefs.jsonl"  # what list, check, validate and stats read (cache.summary)
_IGNORE_ALL = "# ledger 的解析缓存,可随时删除,会自动重建。\n*\n"
FORMAT = "1"
MAGIC = "ledger-cache"
# Entries younger than this at the start of a run are not stored (see module docstring).
RACY_NS = 2_000_000_000

StatKey = journal.StatKey


# ---------------------------------------------------------------- the stamp

def stamp() -> str:
    """What must be equal for an entry to mean what it meant when written.

    The source of every module of the package (sub-packages too) counts, not
    only the parser's: messages and hints come from wherever the loader gets
    them. It is the same for every command, so commands never invalidate each
    other's cache, and the same for two installs of the same code (a venv's copy
    and the checkout, say), so they share one cache.
    """
    from ledger.read import loader
    from ledger.version import __version__

    digest = blake2b(digest_size=16)
    parts = (FORMAT, __version__, str(loader.SCHEMA_VERSION), sys.version)
    digest.update("\0".join(parts).encode())
    digest.update(_yaml_identity())
    digest.update(sources_identity(str(Path(__file__).resolve().parent.parent)))
    return digest.hexdigest()


def sources_identity(package: str) -> bytes:
    """The package's modules by content: each `.py` file's path inside the package, size
    and CRC-32, in path order. A CRC rather than the digest itself: the 800 KB of
    source in 0.2 ms instead of 1.1 ms, every start (an edit that keeps the size and
    the CRC is a one-in-four-billion accident, and the version counts besides). An
    unreadable package never matches an old cache."""
    found: list[str] = []
    try:
        _list_sources(package, "", found)
    except OSError:  # pragma: no cover - unreadable install: never match an old cache
        return os.urandom(16)
    return "\n".join(sorted(found)).encode()


def _list_sources(folder: str, prefix: str, found: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".py") and entry.is_file():
                data = Path(entry.path).read_bytes()
                found.append(f"{prefix}{entry.name}\0{len(data)}\0{crc32(data)}")
            elif entry.is_dir() and entry.name != "__pycache__":
                _list_sources(entry.path, f"{prefix}{entry.name}/", found)


def _yaml_identity() -> bytes:
    """PyYAML as installed, without importing it (a warm run parses nothing and never
    does): its `__init__.py`, which holds the version and the libyaml switch, and the
    names of its files, the libyaml extension among them."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("yaml")
        if spec is None or spec.origin is None:  # pragma: no cover - yaml is a dependency
            return b"no yaml"
        init = Path(spec.origin)
        names = sorted(entry.name for entry in init.parent.iterdir())
        return init.read_bytes() + b"\0" + "\0".join(names).encode()
    except (OSError, ImportError, ValueError):  # pragma: no cover - never match an old cache
        return os.urandom(16)


# ---------------------------------------------------------------- reading files

def file_key(root: Path, relpath: str) -> StatKey | None:
    """The identity of a regular file as the cache records it; None for links and the rest."""
    try:
        info = os.lstat(f"{root}/{relpath}")  # str, not Path: 100,000 calls
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return journal.make_key(info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


# ---------------------------------------------------------------- the cache file

class Store:
    """The entries read from `.ledger-cache`, and the lines of the next one.

    The old file is read in chunks of CHUNK_BYTES, never whole: at 100,000
    problems it is about 180 MB, more than the records decoded from it need.
    While reading, the entries of `wanted` (relpath -> the file's stat key now)
    whose key matches are decoded at once (`lookup` hands them out); every
    entry's place in the file is kept, and the file stays open (through its
    descriptor: a rename by another run does not change what it reads) until
    `save` copies the unchanged lines into the next file, or `close`. A bad
    digest, foreign stamp or malformed line found at the end drops whatever
    was decoded before it: nothing read from an unsound file is ever used.

    Nothing in the folder is trusted as a path: the folder is opened with
    O_NOFOLLOW and everything in it relative to that descriptor, the cache file
    with O_NOFOLLOW and O_NONBLOCK and then checked with fstat (a regular file
    under `budget` bytes). A link, pipe, device, folder or oversized file where
    the cache file belongs counts as a corrupt cache and is replaced; a folder
    that is a link (or not a folder) switches the cache off for the run, with a
    warning, and nothing is written through it.
    """

    def __init__(self, root: Path, budget: int = 1 << 62,
                 wanted: Mapping[str, StatKey | None] | None = None, *,
                 name: str = CACHE_FILE, decode: Decode = decode, scan: bool = True) -> None:
        self.root = root
        self.path = cache_path(root).with_name(name)
        self.name = name
        self._decode = decode
        self.stamp = stamp()
        # The entries read, not decoded: relpath -> (stat key as written, start of its line,
        # start of its payload, end). Those decoded while reading (wanted, key matching) are
        # in `hits` instead, their line in `spans` (start * SPAN + length): at 100,000
        # problems a tuple per entry would cost 30 MB.
        self.old: dict[str, tuple[bytes, int, int, int]] = {}
        self.hits: dict[str, Any] = {}  # what `decode` gave
        self.spans: dict[str, int] = {}
        self.header_hit: HeaderResult | None = None  # the header's entry, when wanted
        # The next file's entries: (key, line) parsed afresh, or None: the old line as it is.
        self.new: dict[str, tuple[StatKey, bytes] | None] = {}
        self.changed = False
        self.usable = True  # False: the folder is not one we may write into
        self.odd = False  # the file on disk was not a sound cache file
        self._fd: int | None = None
        # scan=False: the old file is not read (a few files wanted of a large cache), so
        # nothing may be saved either: the next file would lack every entry not read.
        self.saving = scan
        if scan:
            self._read(budget, wanted)
        # Entries of files `ledger` wrote since (journal.py), used when `old` has none;
        # they are whole records, so only the cache of whole records reads them.
        self.cutoff = time.time_ns() - RACY_NS
        self.recent: dict[str, journal.Entry] = {}
        if self.usable and name == CACHE_FILE:
            with contextlib.suppress(OSError):
                blob = _read_file(self.path.parent, journal.JOURNAL_FILE, journal.READ_BUDGET)
                self.recent = journal.entries(blob, self.stamp)

    def _read(self, budget: int, wanted: Mapping[str, StatKey | None] | None) -> None:
        folder = self.path.parent
        try:
            info = os.lstat(folder)
        except OSError:
            self.changed = True  # missing (or unreachable): try to write a fresh one
            return
        if stat.S_ISREG(info.st_mode):
            self.changed = True  # an old single-file cache, or a file not ours: see save()
            return
        if not stat.S_ISDIR(info.st_mode):
            self.usable = False
            kind = "一个链接" if stat.S_ISLNK(info.st_mode) else "管道或设备文件,不是目录"
            _warn(f"解析缓存目录 {CACHE_NAME} 是{kind},为安全起见本次不使用缓存;"
                  f"删除 {CACHE_NAME} 即可恢复(会自动重建)")
            return
        try:
            fd, size = _open_file(folder, self.name, budget)
        except FileNotFoundError:
            self.changed = True
            return
        except OSError:
            self.changed = self.odd = True  # a link, pipe, device, folder or too large
            return
        self._fd = fd
        # The entries to decode while reading, by their name as written (json.dumps).
        want = {written_name(relpath): (relpath, key)
                for relpath, key in (wanted or {}).items() if key is not None}
        try:
            self._scan(fd, size, want)
        except (OSError, ValueError, TypeError, IndexError, UnicodeDecodeError):
            self.old, self.hits, self.spans, self.header_hit = {}, {}, {}, None
            self.changed = self.odd = True
            self.close()

    def _scan(self, fd: int, size: int, want: dict[bytes, tuple[str, bytes]]) -> None:
        """Read the file once, in chunks: check it whole, note every entry, decode the wanted."""
        if size < 2:
            raise ValueError("empty cache")
        back = min(size, TAIL_MAX)
        end = os.pread(fd, back, size - back)
        if len(end) != back or not end.endswith(b"\n"):
            raise ValueError("truncated cache")
        tail_start = size - back + end.rindex(b"\n", 0, back - 1) + 1
        tail = end[tail_start - (size - back):].decode().rstrip("\n").split("\t")
        if len(tail) != 3 or tail[0] != "end":
            raise ValueError("truncated cache")
        digest = blake2b(digest_size=16)
        head = f"{MAGIC}\t{FORMAT}\t{self.stamp}\n".encode()
        entries, hits, spans = self.old, self.hits, self.spans
        decode = self._decode
        pos, carry, first = 0, b"", True
        while pos < tail_start:
            chunk = os.pread(fd, min(CHUNK_BYTES, tail_start - pos), pos)
            if not chunk:
                raise ValueError("cache file shrank while read")
            digest.update(chunk)
            buf = carry + chunk if carry else chunk
            base = pos - len(carry)
            pos += len(chunk)
            find = buf.find
            at = 0
            if first:
                if not buf.startswith(head):
                    raise ValueError("foreign cache")  # checked before anything is decoded
                at, first = len(head), False
            while True:
                eol = find(b"\n", at)
                if eol < 0:
                    break
                one = find(b"\t", at, eol)
                two = find(b"\t", one + 1, eol)
                if one < 0 or two < 0:
                    raise ValueError("bad entry")
                name = buf[at:one]
                key = buf[one + 1: two]
                wish = want.get(name)
                if wish is not None and wish[1] == key and wish[0] != HEADER_PATH:
                    relpath = wish[0]
                    if relpath in spans:
                        raise ValueError("bad entry")
                    spans[relpath] = (base + at) * SPAN + (eol - at)
                    with contextlib.suppress(ValueError, TypeError, IndexError, KeyError,
                                             AttributeError):  # parsed afresh
                        hits[relpath] = decode(relpath, buf[two + 1: eol])
                    at = eol + 1
                    continue
                # json.dumps escapes every non-ASCII and control character in a name
                relpath = name[1:-1].decode() if b"\\" not in name else loads(name)
                if not isinstance(relpath, str) or relpath in entries:
                    raise ValueError("bad entry")
                entries[relpath] = (key, base + at, base + two + 1, base + eol)
                if wish is not None and wish[1] == key:  # the header
                    with contextlib.suppress(ValueError, TypeError, IndexError, KeyError,
                                             AttributeError):  # parsed afresh
                        self.header_hit = decode_header(relpath, buf[two + 1: eol])
                at = eol + 1
            carry = buf[at:]
        if carry or first:
            raise ValueError("truncated cache")
        if any(relpath in spans for relpath in entries):
            raise ValueError("bad entry")  # a name twice, once decoded and once not
        if digest.hexdigest() != tail[2] or len(entries) + len(spans) != int(tail[1]):
            raise ValueError("corrupt cache")

    def lookup(self, relpath: str, key: StatKey | None) -> Any:
        """The file's records while `key` (its stat now: the one given in `wanted`, if it
        was) is the one recorded; else from the journal; else None."""
        if relpath in self.spans:  # matched `wanted` while reading
            result = self.hits.pop(relpath, None)
            if result is None:
                return None  # did not decode: parsed afresh
            self.new[relpath] = None
            return result
        entry = self.old.get(relpath)
        if entry is None or key is None or entry[0] != key:
            return self._recent(relpath, key)
        if self._fd is None:
            return None
        try:
            payload = os.pread(self._fd, entry[3] - entry[2], entry[2])
            result = self._decode(relpath, payload)
        except (OSError, ValueError, TypeError, IndexError, KeyError, AttributeError):
            return None
        self.new[relpath] = None
        return result

    def has_header(self, key: StatKey | None) -> bool:
        """Whether the header's entry is here for the file as it is now (`key`)."""
        entry = self.old.get(HEADER_PATH)
        return entry is not None and key is not None and entry[0] == key

    def lookup_header(self, key: StatKey | None) -> HeaderResult | None:
        """The header's parse (data/ledger.yaml), by the rules of `lookup`; edits of the
        header are not journalled: a changed header is parsed again."""
        if not self.has_header(key):
            return None
        entry = self.old[HEADER_PATH]
        result, self.header_hit = self.header_hit, None
        if result is None and self._fd is not None:  # not asked for while reading
            try:
                payload = os.pread(self._fd, entry[3] - entry[2], entry[2])
                result = decode_header(HEADER_PATH, payload)
            except (OSError, ValueError, TypeError, IndexError, KeyError, AttributeError):
                return None
        if result is None:
            return None
        self.new[HEADER_PATH] = None
        return result

    def _recent(self, relpath: str, key: StatKey | None) -> Result | None:
        """A file's records from the journal of edits: while its key and bytes are those
        recorded; moved into the next cache file once older than RACY_NS (see journal.py)."""
        found = self.recent.get(relpath)
        if found is None or key is None or found[0] != key \
                or not journal.holds(self.root, relpath, key, found[1]):
            return None
        try:
            result = decode(relpath, found[2])
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            return None
        if max(journal.key_times(key)) < self.cutoff:
            self.new[relpath] = (key, found[2])
        return result

    def keep(self, relpath: str, key: StatKey | None, line: bytes, cutoff: int) -> None:
        if key is None or max(journal.key_times(key)) >= cutoff:
            return  # a link, or racy: parse it again next time
        self.new[relpath] = (key, line)
        self.changed = True

    def close(self) -> None:
        """Let go of the old file (save does, too)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()

    def save(self) -> None:
        """Write the next cache to a temp file beside it, then rename it over the old one."""
        try:
            if not self.usable or not self.saving or (
                    not self.changed and len(self.new) == len(self.old) + len(self.spans)
                    and all(name in self.spans or name in self.old for name in self.new)):
                return
            self._save()
        finally:
            self.close()

    def _save(self) -> None:
        try:
            folder = _open_folder(self.path.parent)
        except OSError:
            return  # a read-only checkout, a file of the user's in the way: only slower
        temp = f"{self.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o644, dir_fd=folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    digest = blake2b(digest_size=16)

                    def put(data: bytes) -> None:
                        digest.update(data)
                        handle.write(data)

                    put(f"{MAGIC}\t{FORMAT}\t{self.stamp}\n".encode())
                    # Unchanged entries are their old lines, copied in runs of adjacent lines.
                    run_start = run_end = 0
                    for relpath, fresh in self.new.items():
                        if fresh is None:
                            span = self.spans.get(relpath)
                            if span is None:
                                _, start, _, eol = self.old[relpath]
                            else:
                                start, eol = span // SPAN, span // SPAN + span % SPAN
                            if start != run_end or run_end - run_start >= CHUNK_BYTES:
                                self._copy(put, run_start, run_end)
                                run_start = start
                            run_end = eol + 1
                            continue
                        key, payload = fresh
                        self._copy(put, run_start, run_end)
                        run_start = run_end = 0
                        put(b"%s\t%s\t" % (written_name(relpath), key))
                        put(payload)
                        put(b"\n")
                    self._copy(put, run_start, run_end)
                    handle.write(f"end\t{len(self.new)}\t{digest.hexdigest()}\n".encode())
                # No fsync: a cache torn by a crash fails its digest and is rebuilt.
                with contextlib.suppress(OSError):
                    os.rmdir(self.name, dir_fd=folder)  # an empty folder in its place
                # A rename replaces whatever entry is there (a link too), never its target.
                os.replace(temp, self.name, src_dir_fd=folder, dst_dir_fd=folder)
            except (OSError, ValueError):
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=folder)
                raise
        except (OSError, ValueError):
            # A full disk, a read-only folder: the ledger still works, only slower.
            if self.odd:
                _warn(f"解析缓存 {CACHE_NAME}/{self.name} 已损坏且无法替换,本次不使用缓存;"
                      f"删除 {CACHE_NAME} 即可恢复(会自动重建)")
        finally:
            os.close(folder)

    def _copy(self, put: Callable[[bytes], None], start: int, end: int) -> None:
        """Bytes start..end of the old file (whole lines), as they are."""
        if end <= start:
            return
        assert self._fd is not None
        data = os.pread(self._fd, end - start, start)
        if len(data) != end - start:
            raise ValueError("cache file shrank")  # never write a torn line
        put(data)


def budget(keys: Iterable[StatKey | None]) -> int:
    """The most a cache file for files of these keys may hold (see module docstring)."""
    return BUDGET_FLOOR + BUDGET_FACTOR * sum(journal.key_size(key) for key in keys
                                              if key is not None)


def cache_path(root: Path) -> Path:
    """Where the cache of the ledger at `root` lives."""
    return root / CACHE_NAME / CACHE_FILE


# Whatever the cache file's size, it is not read past this: a generous multiple of the
# problem files it describes (an entry is a few times its file), plus a floor.
BUDGET_FLOOR = 32 * 1024 * 1024
BUDGET_FACTOR = 16
# The old cache file is read this much at a time; its last line (the digest) is this short.
CHUNK_BYTES = 4 * 1024 * 1024
TAIL_MAX = 4096
SPAN = 1 << 32  # a decoded entry's line: start * SPAN + length (a line is far shorter)
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _warn(text: str) -> None:
    sys.stderr.write(f"注意:{text}。\n")


def _open_file(folder: Path, name: str, budget: int) -> tuple[int, int]:
    """A descriptor and the size of a regular file `name` in `folder` (neither one a
    link); OSError for anything else, including a file over `budget` bytes (checked
    with fstat, before reading)."""
    dir_fd = os.open(folder, _FOLDER_FLAGS)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=dir_fd)
    finally:
        os.close(dir_fd)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > budget:
        os.close(fd)
        raise OSError(errno.EINVAL, "not a cache file")
    return fd, info.st_size


def _read_file(folder: Path, name: str, budget: int) -> bytes:
    """The whole of a small regular file `name` in `folder` (the journal), by `_open_file`'s
    rules; OSError when it grows while read."""
    fd, size = _open_file(folder, name, budget)
    with os.fdopen(fd, "rb") as handle:
        blob = handle.read(size + 1)
    if len(blob) > size:
        raise OSError(errno.EFBIG, "cache file growing while read")
    return blob


def _open_folder(folder: Path) -> int:
    """A descriptor of the cache folder (made, with its own .gitignore, if missing);
    OSError when it cannot be made or is not a real folder (a link is never followed)."""
    try:
        info: os.stat_result | None = os.lstat(folder)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode):
        fd = os.open(folder, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC.encode():
                raise FileExistsError(folder)  # not ours: leave it alone
        folder.unlink()  # the single-file cache of an early version of ledger
        info = None
    if info is None:
        with contextlib.suppress(FileExistsError):
            folder.mkdir()  # never follows a link at `folder`
    fd = os.open(folder, _FOLDER_FLAGS)
    try:
        ignore = os.open(".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o644, dir_fd=fd)
    except FileExistsError:
        return fd  # whatever is there (even a link) is left as it is, never written through
    except OSError:
        os.close(fd)
        raise
    with os.fdopen(ignore, "wb") as handle:
        handle.write(_IGNORE_ALL.encode("utf-8"))
    return fd
