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

What it does not do: cache the header (one small file), decide what a file
means (that is `loader.parse_issue`), parse (parallel.py), or lock: two runs
writing at once each replace the file whole, and the last one wins.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import stat
import sys
import time
from pathlib import Path

from . import journal
from .codec import Result, decode

# A folder that ignores itself (like .pytest_cache): a ledger repository made by
# hand or by `ledger import` may have no .gitignore entry, and office staff
# running `git add .` must not commit megabytes of cache.
CACHE_NAME = ".ledger-cache"
CACHE_FILE = "issues.jsonl"
_IGNORE_ALL = "# ledger 的解析缓存,可随时删除,会自动重建。\n*\n"
FORMAT = "1"
MAGIC = "ledger-cache"
# Entries younger than this at the start of a run are not stored (see module docstring).
RACY_NS = 2_000_000_000

StatKey = tuple[int, int, int, int]


# ---------------------------------------------------------------- the stamp

def stamp() -> str:
    """What must be equal for an entry to mean what it meant when written.

    The source of every module of the package (sub-packages too) counts, not
    only the parser's: messages and hints come from wherever the loader gets
    them, and reading the 40-odd files costs about a millisecond. It is the same for every
    command, so commands never invalidate each other's cache.
    """
    import yaml

    from ledger import loader
    from ledger.version import __version__

    digest = hashlib.blake2b(digest_size=16)
    parts = (FORMAT, __version__, str(loader.SCHEMA_VERSION), yaml.__version__,
             str(getattr(yaml, "__with_libyaml__", False)), sys.version)
    digest.update("\0".join(parts).encode())
    package = Path(__file__).resolve().parent.parent
    try:
        for source in sorted(package.rglob("*.py")):
            name = source.relative_to(package).as_posix()
            digest.update(name.encode() + b"\0" + source.read_bytes())
    except OSError:  # pragma: no cover - unreadable install: never match an old cache
        digest.update(os.urandom(16))
    return digest.hexdigest()


# ---------------------------------------------------------------- reading files

def file_key(root: Path, relpath: str) -> StatKey | None:
    """The identity of a regular file as the cache records it; None for links and the rest."""
    try:
        info = os.lstat(f"{root}/{relpath}")  # str, not Path: 100,000 calls
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


# ---------------------------------------------------------------- the cache file

class Store:
    """The entries read from `.ledger-cache`, and the lines of the next one.

    The old file stays one bytes object and entries are offsets into it: at
    100,000 problems it is about 180 MB, and slicing it into lines would hold
    it twice or three times over.

    Nothing in the folder is trusted as a path: the folder is opened with
    O_NOFOLLOW and everything in it relative to that descriptor, the cache file
    with O_NOFOLLOW and O_NONBLOCK and then checked with fstat (a regular file
    under `budget` bytes). A link, pipe, device, folder or oversized file where
    the cache file belongs counts as a corrupt cache and is replaced; a folder
    that is a link (or not a folder) switches the cache off for the run, with a
    warning, and nothing is written through it.
    """

    def __init__(self, root: Path, budget: int = 1 << 62) -> None:
        self.root = root
        self.path = cache_path(root)
        self.stamp = stamp()
        self.blob = b""
        self.old: dict[str, tuple[StatKey, int, int]] = {}
        self.new: dict[str, tuple[StatKey, bytes | tuple[int, int]]] = {}
        self.changed = False
        self.usable = True  # False: the folder is not one we may write into
        self.odd = False  # the file on disk was not a sound cache file
        self._read(budget)
        # Entries of files `ledger` wrote since (journal.py), used when `old` has none.
        self.cutoff = time.time_ns() - RACY_NS
        self.recent: dict[str, journal.Entry] = {}
        if self.usable:
            with contextlib.suppress(OSError):
                blob = _read_file(self.path.parent, journal.JOURNAL_FILE, journal.READ_BUDGET)
                self.recent = journal.entries(blob, self.stamp)

    def _read(self, budget: int) -> None:
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
            blob = _read_file(folder, CACHE_FILE, budget)
        except FileNotFoundError:
            self.changed = True
            return
        except OSError:
            self.changed = self.odd = True  # a link, pipe, device, folder or too large
            return
        try:
            self.old = self._entries(blob)
            self.blob = blob
        except (ValueError, TypeError, IndexError, UnicodeDecodeError):
            self.old = {}
            self.changed = self.odd = True

    def _entries(self, blob: bytes) -> dict[str, tuple[StatKey, int, int]]:
        head_end = blob.index(b"\n")
        tail_start = blob.rindex(b"\n", 0, len(blob) - 1) + 1
        head = blob[:head_end].decode().split("\t")
        tail = blob[tail_start:].decode().rstrip("\n").split("\t")
        if head != [MAGIC, FORMAT, self.stamp]:
            raise ValueError("foreign cache")
        if len(tail) != 3 or tail[0] != "end" or not blob.endswith(b"\n"):
            raise ValueError("truncated cache")
        digest = hashlib.blake2b(memoryview(blob)[:tail_start], digest_size=16).hexdigest()
        if digest != tail[2]:
            raise ValueError("corrupt cache")
        entries: dict[str, tuple[StatKey, int, int]] = {}
        find = blob.find
        pos = head_end + 1
        while pos < tail_start:
            eol = find(b"\n", pos, tail_start)
            first = find(b"\t", pos, eol)
            second = find(b"\t", first + 1, eol)
            if eol < 0 or first < 0 or second < 0:
                raise ValueError("bad entry")
            name = blob[pos:first]
            # json.dumps escapes every non-ASCII and control character in a name
            relpath = name[1:-1].decode() if b"\\" not in name else json.loads(name)
            a, b, c, d = (int(part) for part in blob[first + 1: second].split(b","))
            if not isinstance(relpath, str):
                raise ValueError("bad entry")
            entries[relpath] = ((a, b, c, d), second + 1, eol)
            pos = eol + 1
        if len(entries) != int(tail[1]):
            raise ValueError("bad count")
        return entries

    def lookup(self, relpath: str, key: StatKey | None) -> Result | None:
        entry = self.old.get(relpath)
        if entry is None or key is None or entry[0] != key:
            return self._recent(relpath, key)
        try:
            result = decode(relpath, self.blob[entry[1]: entry[2]])
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            return None
        self.new[relpath] = (key, (entry[1], entry[2]))
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
        if max(key[1], key[3]) < self.cutoff:
            self.new[relpath] = (key, found[2])
        return result

    def keep(self, relpath: str, key: StatKey | None, line: bytes, cutoff: int) -> None:
        if key is None or max(key[1], key[3]) >= cutoff:
            return  # a link, or racy: parse it again next time
        self.new[relpath] = (key, line)
        self.changed = True

    def save(self) -> None:
        """Write the next cache to a temp file beside it, then rename it over the old one."""
        if not self.usable or (not self.changed and self.new.keys() == self.old.keys()):
            return
        view = memoryview(self.blob)
        try:
            folder = _open_folder(self.path.parent)
        except OSError:
            return  # a read-only checkout, a file of the user's in the way: only slower
        temp = f"{CACHE_FILE}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o644, dir_fd=folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    digest = hashlib.blake2b(digest_size=16)

                    def put(data: bytes | memoryview) -> None:
                        digest.update(data)
                        handle.write(data)

                    put(f"{MAGIC}\t{FORMAT}\t{self.stamp}\n".encode())
                    for relpath, (key, payload) in self.new.items():
                        put(b"%s\t%d,%d,%d,%d\t" % (json.dumps(relpath).encode(), *key))
                        put(view[payload[0]: payload[1]] if isinstance(payload, tuple)
                            else payload)
                        put(b"\n")
                    handle.write(f"end\t{len(self.new)}\t{digest.hexdigest()}\n".encode())
                # No fsync: a cache torn by a crash fails its digest and is rebuilt.
                with contextlib.suppress(OSError):
                    os.rmdir(CACHE_FILE, dir_fd=folder)  # an empty folder in its place
                # A rename replaces whatever entry is there (a link too), never its target.
                os.replace(temp, CACHE_FILE, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=folder)
                raise
        except OSError:
            # A full disk, a read-only folder: the ledger still works, only slower.
            if self.odd:
                _warn(f"解析缓存 {CACHE_NAME}/{CACHE_FILE} 已损坏且无法替换,本次不使用缓存;"
                      f"删除 {CACHE_NAME} 即可恢复(会自动重建)")
        finally:
            os.close(folder)


def cache_path(root: Path) -> Path:
    """Where the cache of the ledger at `root` lives."""
    return root / CACHE_NAME / CACHE_FILE


# Whatever the cache file's size, it is not read past this: a generous multiple of the
# problem files it describes (an entry is a few times its file), plus a floor.
BUDGET_FLOOR = 32 * 1024 * 1024
BUDGET_FACTOR = 16
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _warn(text: str) -> None:
    sys.stderr.write(f"注意:{text}。\n")


def _read_file(folder: Path, name: str, budget: int) -> bytes:
    """The bytes of a regular file `name` in `folder` (neither one a link); OSError for
    anything else, including a file over `budget` bytes (checked before reading)."""
    dir_fd = os.open(folder, _FOLDER_FLAGS)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=dir_fd)
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > budget:
            raise OSError(errno.EINVAL, "not a cache file")
        blob = handle.read(info.st_size + 1)
    if len(blob) > info.st_size:
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
