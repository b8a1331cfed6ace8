"""The parse cache: problem files parsed once, reused while they are unchanged.

`parse_files(root, relpaths)` returns, for each problem file in order, what
`loader.parse_issue` would return for it (or the read failure), taking a
file's records from `.ledger-cache/issues.jsonl` under the ledger root (a
folder with its own `.gitignore`, so it is never committed) when the file's
size, mtime_ns, inode and ctime_ns are those recorded, and parsing the others
(in worker processes when there are many and more than one core). Parsing is a
pure function of (relpath, bytes, tool), so an entry is valid exactly while
its file is unchanged and the tool is the same; the stamp in the cache's
first line covers the tool: version, schema, cache format, PyYAML and the
source of the modules that parse.

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
means (that is `loader.parse_issue`), or lock: two runs writing at once each
replace the file whole, and the last one wins.

`LEDGER_NO_CACHE=1` turns the cache off (nothing read, nothing written);
`LEDGER_JOBS=N` caps the worker processes (1 = parse in this process only).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import gc
import hashlib
import json
import os
import stat
import sys
import time
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .model import Issue, Location, Problem

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
# Below this many files to parse, worker processes cost more than they save (measured
# in bench/: forking two workers and shipping results back costs about 15 ms).
PARALLEL_MIN = 200
CHUNK = 64
# Above this many files to parse, freshly parsed records are swapped for their leaner
# decoded twins (see _parse_here).
LEAN_ABOVE = 20_000

StatKey = tuple[int, int, int, int]
Result = tuple[Issue | None, list[Problem]]

# ---------------------------------------------------------------- plain data codec
#
# Records become nested JSON lists, one value per dataclass field in field order.
# The encoder and decoder of each record class are generated once per process from
# the model's type hints, so a field added to the model is never silently dropped,
# and decoding costs one call per record rather than one per field (at 100,000
# problems the decoder builds millions of records). The generated source comes from
# the model's annotations only, never from cache data. Locations drop their path
# (always the entry's relpath) unless it differs; dates are day ordinals.


class _Codegen:
    """Writes the source of `enc_<Record>(v, P)` and `dec_<Record>(v, P)` functions."""

    def __init__(self) -> None:
        self.done: set[type] = set()
        self.source: list[str] = []
        self.names: dict[str, Any] = {
            "Location": Location, "D": date.fromordinal, "LOCD": _location_dec,
            "LOCE": _location_enc, "Where": Where, "DEC": _decimal_dec,
        }
        self.depth = 0

    def record(self, cls: type) -> None:
        if cls in self.done:
            return
        self.done.add(cls)
        fields = dataclasses.fields(cls)
        if not all(field.init for field in fields):
            raise TypeError(f"{cls.__name__} has fields the cache cannot rebuild")
        module = vars(sys.modules[cls.__module__])
        # Module names only: in the class namespace a field called `date` hides the type.
        hints = typing.get_type_hints(cls, module, module)
        name = cls.__name__
        self.names[name] = cls
        encs = [self.enc(hints[field.name], f"v.{field.name}") for field in fields]
        decs = [self.dec(hints[field.name], f"v[{index}]") for index, field in enumerate(fields)]
        self.source.append(f"def enc_{name}(v, P):\n    return [{', '.join(encs)}]\n")
        self.source.append(
            f"def dec_{name}(v, P):\n"
            f"    if len(v) != {len(fields)}:\n"
            f"        raise ValueError('{name}: wrong number of fields')\n"
            f"    return {name}({', '.join(decs)})\n")

    def _var(self) -> str:
        self.depth += 1
        return f"i{self.depth}"

    def enc(self, hint: Any, x: str) -> str:
        kind, args = self.kind(hint)
        if kind == "plain":
            return x
        if kind == "date":
            return f"{x}.toordinal()"
        if kind == "decimal":  # exact: the digits as written, never a float
            return f"str({x})"
        if kind == "location":
            return f"LOCE({x}, P)"
        if kind == "optional":
            inner = self.enc(args[0], x)
            return inner if inner == x else f"(None if {x} is None else {inner})"
        if kind == "tuple":
            var = self._var()
            return f"[{self.enc(args[0], var)} for {var} in {x}]"
        if kind == "mapping" and args[1] is Location:
            return f"Where.encode({x}, P)"
        if kind == "mapping":
            key, var = self._var(), self._var()
            return f"[[{key}, {self.enc(args[1], var)}] for {key}, {var} in {x}.items()]"
        self.record(hint)
        return f"enc_{hint.__name__}({x}, P)"

    def dec(self, hint: Any, x: str) -> str:
        kind, args = self.kind(hint)
        if kind == "plain":
            return x
        if kind == "date":
            return f"D({x})"
        if kind == "decimal":
            return f"DEC({x})"
        if kind == "location":
            return f"(Location(P, {x}[0], {x}[1]) if len({x}) == 2 else LOCD({x}, P))"
        if kind == "optional":
            inner = self.dec(args[0], x)
            return inner if inner == x else f"(None if {x} is None else {inner})"
        if kind == "tuple":
            var = self._var()
            return f"tuple([{self.dec(args[0], var)} for {var} in {x}])"
        if kind == "mapping" and args[1] is Location:
            return f"Where({x}, P)"
        if kind == "mapping":
            key, var = self._var(), self._var()
            return f"{{{key}: {self.dec(args[1], var)} for {key}, {var} in {x}}}"
        self.record(hint)
        return f"dec_{hint.__name__}({x}, P)"

    @staticmethod
    def kind(hint: Any) -> tuple[str, tuple[Any, ...]]:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if hint is Location:
            return "location", ()
        if hint in (str, int, bool):
            return "plain", ()
        if hint is date:
            return "date", ()
        if hint is Decimal:
            return "decimal", ()
        if origin is typing.Literal and all(isinstance(arg, str) for arg in args):
            return "plain", ()
        if origin in (typing.Union, types.UnionType) and type(None) in args and len(args) == 2:
            return "optional", tuple(arg for arg in args if arg is not type(None))
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return "tuple", args[:1]
        if origin in (Mapping, dict) and len(args) == 2 and args[0] is str:
            return "mapping", args
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return "record", ()
        raise TypeError(f"the cache cannot store {hint!r}")


def _decimal_dec(value: Any) -> Decimal:
    """An amount back from its text; anything else (a JSON number) is a malformed entry."""
    if not isinstance(value, str):
        raise ValueError("amount: expected text")
    return Decimal(value)


def _location_enc(value: Location, path: str) -> list[Any]:
    if value.path == path:
        return [value.line, value.col]
    return [value.line, value.col, value.path]


def _location_dec(value: list[Any], path: str) -> Location:
    if len(value) == 2:
        return Location(path, value[0], value[1])
    return Location(value[2], value[0], value[1])


class Where(Mapping[str, Location]):
    """A record's field locations as read from the cache, decoded on first use.

    Most commands never look at them (`list` does not), and they are most of
    what a record holds: 30 locations for a typical problem. Until then they
    stay one compact string. Equal to the dict the loader builds, and read the
    same way (`get`, `[]`, `in`, iteration).
    """

    __slots__ = ("_map", "_path", "_raw")

    _keys: typing.ClassVar[dict[str, str]] = {}  # one string per key path in the process

    def __init__(self, raw: str, path: str) -> None:
        if not isinstance(raw, str):
            raise ValueError("locations: expected text")
        self._raw: str | None = raw
        self._path = path
        self._map: dict[str, Location] | None = None

    @staticmethod
    def encode(where: Mapping[str, Location], path: str) -> str:
        """JSON of key, line, col triples; quads with the path if any location is elsewhere."""
        flat: list[Any] = []
        if all(loc.path == path for loc in where.values()):
            for key, loc in where.items():
                flat += (key, loc.line, loc.col)
            return json.dumps(flat, ensure_ascii=False, separators=(",", ":"))
        for key, loc in where.items():
            flat += (key, loc.line, loc.col, loc.path)
        return "4" + json.dumps(flat, ensure_ascii=False, separators=(",", ":"))

    def _dict(self) -> dict[str, Location]:
        if self._map is None:
            raw, keys, path = self._raw or "[]", self._keys, self._path
            if raw.startswith("4"):
                flat = json.loads(raw[1:])
                self._map = {keys.setdefault(flat[i], flat[i]):
                             Location(flat[i + 3], flat[i + 1], flat[i + 2])
                             for i in range(0, len(flat), 4)}
            else:
                flat = json.loads(raw)
                self._map = {keys.setdefault(flat[i], flat[i]):
                             Location(path, flat[i + 1], flat[i + 2])
                             for i in range(0, len(flat), 3)}
            self._raw = None
        return self._map

    def _find(self, key: object) -> Location | None:
        """One location straight from the text, for the usual single lookup.

        In the triple form the only strings are the keys, so `"key",` found at
        the start of a list item (after `[` or `,`) is that key's entry; an
        escaped quote inside another key is preceded by a backslash instead.
        """
        raw = self._raw
        if raw is None or raw.startswith("4") or not isinstance(key, str):
            loc = self._dict().get(key) if isinstance(key, str) else None
            return loc
        needle = json.dumps(key, ensure_ascii=False) + ","
        start = raw.find(needle)
        while start > 0 and raw[start - 1] not in "[,":
            start = raw.find(needle, start + 1)
        if start <= 0:
            return None
        first = start + len(needle)
        comma = raw.index(",", first)
        end = raw.find(",", comma + 1)
        last = raw[comma + 1: end if end >= 0 else len(raw) - 1]
        return Location(self._path, int(raw[first:comma]), int(last))

    def __getitem__(self, key: str) -> Location:
        loc = self._find(key)
        if loc is None:
            raise KeyError(key)
        return loc

    def get(self, key: str, default: Any = None) -> Any:
        loc = self._find(key)
        return default if loc is None else loc

    def __contains__(self, key: object) -> bool:
        return self._find(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Where):
            return self._dict() == other._dict()
        return self._dict() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._dict())


_CODEC: dict[str, Any] = {}


def _codec() -> dict[str, Any]:
    """The generated functions, built on first use."""
    if not _CODEC:
        gen = _Codegen()
        gen.record(Issue)
        gen.record(Problem)
        namespace = dict(gen.names)
        exec(compile("\n".join(gen.source), "<ledger.cache codec>", "exec"), namespace)
        _CODEC.update(namespace)
    return _CODEC


def encode(relpath: str, result: Result) -> bytes:
    """One file's parse result as a line of JSON in UTF-8 (no newline)."""
    codec = _codec()
    issue, problems = result
    plain = [None if issue is None else codec["enc_Issue"](issue, relpath),
             [codec["enc_Problem"](problem, relpath) for problem in problems]]
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()


def decode(relpath: str, text: str | bytes) -> Result:
    """The inverse of `encode`; raises ValueError (or TypeError …) on anything malformed."""
    codec = _codec()
    plain = json.loads(text)
    if not isinstance(plain, list) or len(plain) != 2 or not isinstance(plain[1], list):
        raise ValueError("not a cache entry")
    issue = None if plain[0] is None else codec["dec_Issue"](plain[0], relpath)
    return issue, [codec["dec_Problem"](item, relpath) for item in plain[1]]


# ---------------------------------------------------------------- the stamp

def stamp() -> str:
    """What must be equal for an entry to mean what it meant when written.

    The source of every module of the package counts, not only the parser's:
    messages and hints come from wherever the loader gets them, and reading
    the 30-odd files costs under a millisecond. It is the same for every
    command, so commands never invalidate each other's cache.
    """
    import yaml

    from . import __version__, loader, yamlsrc

    digest = hashlib.blake2b(digest_size=16)
    parts = (FORMAT, __version__, str(loader.SCHEMA_VERSION), yaml.__version__,
             yamlsrc._Loader.__name__, sys.version)
    digest.update("\0".join(parts).encode())
    package = Path(__file__).parent
    try:
        sources = sorted(package.glob("*.py"))
        for source in sources:
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
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


def read_and_parse(root: Path, relpath: str, key: StatKey | None, inside: bool) -> Result:
    """What the loader makes of one problem file, read failures included.

    `inside` says the issues folder itself resolves inside the root: a regular
    file there (key is not None) can be read directly, skipping the per-file
    `resolve()` that `loader.read_bytes` needs for links; anything else goes
    through `read_bytes` and its checks.
    """
    from .loader import parse_issue, read_bytes, read_capped
    from .yamlsrc import MAX_BYTES

    data: bytes | None = None
    if key is not None and inside and key[0] <= MAX_BYTES:  # larger: read_bytes refuses it
        try:
            with (root / relpath).open("rb") as handle:
                data = read_capped(handle, key[0])
        except OSError:
            data = None  # read_bytes below says why
    if data is None:
        data, failure = read_bytes(root, relpath)
        if failure is not None:
            return None, [failure]
        assert data is not None
    issue, problems = parse_issue(relpath, data)
    return issue, problems


def _issues_inside(root: Path) -> bool:
    from .loader import ISSUES_DIR

    try:
        return (root / ISSUES_DIR).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a link loop, Python < 3.12
        return False


# ---------------------------------------------------------------- the cache file

class _Store:
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
            return None
        try:
            result = decode(relpath, self.blob[entry[1]: entry[2]])
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            return None
        self.new[relpath] = (key, (entry[1], entry[2]))
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


def enabled() -> bool:
    return os.environ.get("LEDGER_NO_CACHE", "") in ("", "0")


def _jobs(pending: int) -> int:
    if pending < PARALLEL_MIN or not sys.platform.startswith("linux"):
        return 1  # fork is the cheap way to start workers, and safe only on Linux
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        cores = os.cpu_count() or 1
    text = os.environ.get("LEDGER_JOBS", "")
    if text.isdigit() and int(text) > 0:
        cores = min(cores, int(text))
    return max(1, min(cores, pending // max(1, PARALLEL_MIN // 2)))


def parse_files(root: Path, relpaths: Iterable[str]) -> list[Result]:
    """Each problem file's (Issue | None, problems), in the order given."""
    # Loading builds millions of small objects and no reference cycles; the cyclic
    # collector would rescan the growing heap over and over (measured: it tripled
    # the time to decode 10,000 cached problems). Freezing afterwards keeps the first
    # collections after loading from scanning them all again; refcounting still frees
    # them, only cyclic garbage among them would stay (there is none).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _parse_files(root, relpaths)
    finally:
        gc.freeze()
        if paused:
            gc.enable()


def _parse_files(root: Path, relpaths: Iterable[str]) -> list[Result]:
    cutoff = time.time_ns() - RACY_NS
    paths = list(relpaths)
    # Containment before the cache, never instead of it: when data/issues leads out of
    # the root, every file goes through loader.read_bytes and its checks, and nothing
    # is looked up or stored (an entry made while the folder was real would match the
    # very same files seen through a link).
    inside = _issues_inside(root)
    keys = [file_key(root, relpath) for relpath in paths]
    store: _Store | None = None
    if enabled() and inside:
        budget = BUDGET_FLOOR + BUDGET_FACTOR * sum(key[0] for key in keys if key is not None)
        try:
            store = _Store(root, budget)
        except (TypeError, ValueError, OSError):  # pragma: no cover - model not codable
            store = None
    results: list[Result | None] = [None] * len(paths)
    pending: list[int] = []
    for index, relpath in enumerate(paths):
        hit = store.lookup(relpath, keys[index]) if store is not None else None
        if hit is None:
            pending.append(index)
        else:
            results[index] = hit
    work = [(paths[index], keys[index]) for index in pending]
    fresh = _parse_pending(root, work, inside, _jobs(len(pending)), store is not None)
    for index, (result, line) in zip(pending, fresh, strict=True):
        results[index] = result
        if store is not None and line is not None:
            store.keep(paths[index], keys[index], line, cutoff)
    if store is not None:
        store.save()
    return [result for result in results if result is not None]


Work = list[tuple[str, "StatKey | None"]]


def _parse_chunk(root: Path, work: Work, inside: bool) -> list[bytes]:
    """In a worker: parse and encode (plain lines pickle far faster than records)."""
    return [encode(relpath, read_and_parse(root, relpath, key, inside)) for relpath, key in work]


def _parse_here(root: Path, work: Work, inside: bool, want_lines: bool,
                lean: bool = False) -> list[tuple[Result, bytes | None]]:
    out: list[tuple[Result, bytes | None]] = []
    for relpath, key in work:
        result = read_and_parse(root, relpath, key, inside)
        if want_lines and key is not None:
            line = encode(relpath, result)
            # In a large ledger keep what a warm run reads: equal records, but
            # leaner (field locations stay text until asked for); 100,000 parsed
            # records would not fit in 1 GiB. Below that, decoding is wasted time.
            out.append((decode(relpath, line) if lean else result, line))
        else:
            out.append((result, None))
    return out


def _decoded(chunk: Work, lines: list[bytes]) -> list[tuple[Result, bytes | None]]:
    """A worker's encoded results for `chunk`, as records."""
    return [(decode(relpath, line), line) for (relpath, _), line in zip(chunk, lines, strict=True)]


def _parse_pending(root: Path, work: Work, inside: bool, jobs: int,
                   want_lines: bool) -> list[tuple[Result, bytes | None]]:
    """Parse `work` in order: here, and in `jobs - 1` forked workers when jobs > 1.

    This process takes chunks from the front while the workers take them from
    the back, so they meet wherever the split is even; a chunk a worker has not
    started is simply taken back. This process also decodes what the workers
    send, so it is one of the `jobs`, not their idle supervisor.
    """
    chunks = [work[start: start + CHUNK] for start in range(0, len(work), CHUNK)]
    lean = len(work) > LEAN_ABOVE
    if jobs <= 1 or len(chunks) < 2:
        return _parse_here(root, work, inside, want_lines, lean)
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return _parse_here(root, work, inside, want_lines)
    done: list[list[tuple[Result, bytes | None]] | None] = [None] * len(chunks)
    try:
        with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context) as pool:
            futures: list[Future[list[bytes]] | None] = [None] * len(chunks)
            for index in reversed(range(1, len(chunks))):
                futures[index] = pool.submit(_parse_chunk, root, chunks[index], inside)
            for index, chunk in enumerate(chunks):
                future = futures[index]
                if future is not None and not future.cancel():
                    break  # a worker has it: the rest are theirs
                done[index] = _parse_here(root, chunk, inside, want_lines, lean)
                # Decode what the workers have finished meanwhile, so that decoding
                # overlaps their parsing instead of trailing it.
                for back in range(len(chunks) - 1, index, -1):
                    finished = futures[back]
                    if done[back] is None and finished is not None and finished.done() \
                            and not finished.cancelled():
                        done[back] = _decoded(chunks[back], finished.result())
            for index, chunk in enumerate(chunks):
                future = futures[index]
                if done[index] is None and future is not None:
                    done[index] = _decoded(chunk, future.result())
    except (OSError, RuntimeError):
        pass  # fork refused, or a worker died (BrokenProcessPool): the rest is parsed below
    out: list[tuple[Result, bytes | None]] = []
    for index, chunk in enumerate(chunks):
        part = done[index]
        out.extend(part if part is not None
                   else _parse_here(root, chunk, inside, want_lines, lean))
    return out
