"""Entries of files `ledger` itself just wrote: `.ledger-cache/recent.jsonl`.

An edit (`ledger log`, `close`, `set` …) knows the new bytes of the file it wrote
and their parse. Putting that one entry into the cache file would mean rewriting
all of it (about 180 MB at 100,000 problems: as slow as the full load the edit
avoids), so the edit appends one line here instead (`remember`); the next load
takes the file's records from it when the cache file has no entry for the file as
it is now (`Store.lookup`), and folds them into the cache file whenever that is
written anyway.

Why an entry here is safe to trust:
- the first line carries the stamp of the cache file (same tool, same format);
  another stamp makes the whole file count as absent, and the next edit starts
  it afresh;
- an entry is used only while the file's stat key is the one recorded AND its
  bytes (read again: a problem file is a few KB) have the recorded blake2b
  digest. So an entry written in the same clock tick as the edit, the "racily
  clean" case the cache file's RACY_NS rule keeps out of the cache file, cannot
  hide a later change; such an entry moves into the cache file only once it is
  older than RACY_NS (`Store.keep`'s rule);
- every line ends with a digest of the stamp and the line: a torn or altered
  line is skipped;
- files are opened as the cache file is (through the folder's descriptor,
  O_NOFOLLOW, O_NONBLOCK, a regular file, no larger than MAX_BYTES checked with
  fstat before reading); past MAX_BYTES the next edit starts the file afresh.
  Anything odd is only slower: the entry is not used, the file is parsed.

What it does not do: open the cache folder or know the stamp (store.py and the
package's `remember` pass them), lock (edits append under the ledger's lock; loads
only read), or decide what a file means (`loader.parse_issue`, by the caller).
"""

from __future__ import annotations

import contextlib
import os
import stat
from _blake2 import blake2b
from pathlib import Path

from .codec import Result, encode
from .values import loads, written_name

JOURNAL_FILE = "recent.jsonl"
# A few hundred edits' entries; the next edit past this starts the file afresh.
MAX_BYTES = 2 * 1024 * 1024
# What is read at most (a file grown past MAX_BYTES by a writer that is not ledger is
# not read at all: it counts as absent).
READ_BUDGET = MAX_BYTES + (MAX_BYTES >> 2)
MAGIC = "ledger-cache\trecent"

# A file's identity as the cache records it: b"size,mtime_ns,inode,ctime_ns", the bytes
# an entry is written with (one small object: at 100,000 files, a tuple of four ints
# would cost 12 MB more).
StatKey = bytes


def key_size(key: StatKey) -> int:
    return int(key[:key.index(b",")])


def key_times(key: StatKey) -> tuple[int, int]:
    """(mtime_ns, ctime_ns) of a key."""
    _, mtime, _, ctime = key.split(b",")
    return int(mtime), int(ctime)


def make_key(size: int, mtime_ns: int, inode: int, ctime_ns: int) -> StatKey:
    return b"%d,%d,%d,%d" % (size, mtime_ns, inode, ctime_ns)
# A stat key, the digest of the file's bytes, the encoded records.
Entry = tuple[StatKey, str, bytes]


def _head(tool: str) -> bytes:
    return f"{MAGIC}\t{tool}\n".encode()


def _seal(tool: str, body: bytes) -> bytes:
    return blake2b(tool.encode() + b"\0" + body, digest_size=16).hexdigest().encode()


def content_digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def entries(blob: bytes, tool: str) -> dict[str, Entry]:
    """The entries in a journal's bytes written by this tool (`tool`: the cache's stamp),
    the last one per file winning; {} when the file is another tool's or not a journal."""
    head = _head(tool)
    if not blob.startswith(head):
        return {}
    found: dict[str, Entry] = {}
    for line in blob[len(head):].split(b"\n"):
        body, tab, seal = line.rpartition(b"\t")
        if not tab or seal != _seal(tool, body):
            continue  # a torn last line, or not ours
        try:
            name, key_text, digest, payload = body.split(b"\t")
            relpath = loads(name)
            a, b, c, d = (int(part) for part in key_text.split(b","))
        except ValueError:
            continue
        if isinstance(relpath, str):
            found[relpath] = (make_key(a, b, c, d), digest.decode("ascii", "replace"), payload)
    return found


def holds(root: Path, relpath: str, key: StatKey, digest: str) -> bool:
    """Does the file still hold the bytes an entry was made from (read again, never a
    link, a pipe or a file of another size than its key says)?"""
    try:
        fd = os.open(f"{root}/{relpath}", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                     | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != key_size(key):
            return False
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(info.st_size + 1)
    except OSError:
        return False
    finally:
        os.close(fd)
    return content_digest(data) == digest


def line(tool: str, relpath: str, key: StatKey, data: bytes, result: Result) -> bytes:
    """The journal line saying that `relpath`, as `key` says it is and holding `data`,
    parses to `result`."""
    body = b"\t".join((written_name(relpath), key,
                       content_digest(data).encode(), encode(relpath, result)))
    return body + b"\t" + _seal(tool, body) + b"\n"


def append(folder: int, tool: str, entry: bytes) -> None:
    """Add a line to the journal in the cache folder `folder` (a descriptor); a journal that
    is absent, full, another tool's or not a regular file is replaced by a fresh one."""
    head = _head(tool)
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(JOURNAL_FILE, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK
                     | os.O_CLOEXEC, dir_fd=folder)
        try:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode) and info.st_size + len(entry) <= MAX_BYTES \
                    and _starts_with(folder, head):
                os.write(fd, entry)
                return
        finally:
            os.close(fd)
    temp = f"{JOURNAL_FILE}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o644, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(head + entry)
        os.replace(temp, JOURNAL_FILE, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=folder)
        raise


def _starts_with(folder: int, head: bytes) -> bool:
    fd = os.open(JOURNAL_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                 dir_fd=folder)
    try:
        return os.read(fd, len(head)) == head
    finally:
        os.close(fd)
