"""One writer at a time: the ledger's lock file, `<root>/.ledger.lock`, as git's index.lock.

Every edit command (close, reopen, extend, log, done, status, new, and import
into an existing ledger) holds the lock from before it reads the ledger until
after its rename, so two edits of one problem are serialised and neither is
lost. The lock is a file created with O_CREAT|O_EXCL (atomic on local and NFSv3+
file systems) holding the holder's pid, host and start time; it is removed when
the edit ends, however it ends, short of the process being killed.

A command that finds the lock taken waits (polling) up to `timeout` seconds,
then raises `LockedError` (exit 5). A lock whose holder is gone (same host, pid
no longer running) is stale: it is reported at once with the `rm` command that
removes it, never taken over silently, because only a person can tell whether
the killed edit left anything to look at. Once the lock is held, temp files
left by killed writers (`.NAME.PID.HEX.tmp` beside data files, see `atomic`)
are removed when their process is gone.

What it does not do: lock readers (they see whole files thanks to renames), or
protect against programs that do not take the lock (a text editor, git).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import EXIT_LOCKED, LedgerError, UsageError, WriteError

LOCK_NAME = ".ledger.lock"
DEFAULT_TIMEOUT = 5.0
TIMEOUT_ENV = "LEDGER_LOCK_TIMEOUT"
# Far more than "pid/host/started" needs; a bigger file is not ours and is not read whole.
_MAX_LOCK_BYTES = 4096
# The name atomic._write_temp gives its temp files: ".{name}.{pid}.{8 hex}.tmp".
TEMP_NAME = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp")
# Where the ledger's own temp files can be (beside data/ledger.yaml, notice.yaml, issues).
TEMP_FOLDERS = ("data", "data/issues")

# Roots this process holds the lock of, with a depth, so that a library call that
# locks inside a command that already holds the lock does not wait for itself.
_held: dict[Path, int] = {}


class LockedError(LedgerError):
    """The ledger is locked by another command (or by a stale lock); nothing was written."""

    exit_code = EXIT_LOCKED


@dataclass
class Held:
    """The lock as held: where it is, and the stray temp files removed on taking it."""

    path: Path
    cleaned: list[str] = field(default_factory=list)


def lock_path(root: Path) -> Path:
    return root / LOCK_NAME


def parse_timeout(text: str) -> float:
    """The lock wait as given (LEDGER_LOCK_TIMEOUT, read by the CLI) in seconds
    (0 = do not wait); the default when empty."""
    text = text.strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise UsageError(f"环境变量 {TIMEOUT_ENV} 的值无效:\"{text}\"",
                         "应为等待的秒数,0 到 3600 之间,例如 5 或 0.5")
    return value


@contextlib.contextmanager
def ledger_lock(root: Path, timeout: float = DEFAULT_TIMEOUT, *,
                take_over_stale: bool = False) -> Iterator[Held]:
    """Hold the ledger's lock for the block; re-entrant within one process.

    `take_over_stale`: a lock left by a dead process on this host is removed and
    taken instead of reported. Only for re-running an import that the ledger's
    incomplete-marker shows was interrupted: that run rewrites every file anyway.
    """
    key = root.resolve()
    path = lock_path(root)
    if key in _held:
        _held[key] += 1
        try:
            yield Held(path)
        finally:
            _held[key] -= 1
        return
    identity = _acquire(path, timeout, take_over_stale)
    _held[key] = 1
    try:
        held = Held(path, clean_temp_files(root))
        yield held
    finally:
        del _held[key]
        _release(path, identity)


def is_held(root: Path) -> bool:
    """Whether this process holds the lock of the ledger at `root`."""
    return root.resolve() in _held


# ---------------------------------------------------------------- taking and leaving


def _acquire(path: Path, timeout: float, take_over_stale: bool = False
             ) -> tuple[int, int, bytes]:
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        identity = _try_create(path)
        if identity is not None:
            return identity
        holder = _read_holder(path)
        # A holder that finished between our attempt and our read looks dead too, but its
        # lock is gone: only a lock that still names the dead process after its death is stale.
        if holder is not None and holder.is_dead() and _read_holder(path) == holder:
            if not take_over_stale:
                raise _stale(path, holder)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        if time.monotonic() >= deadline:
            raise _busy(path, holder, timeout)
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 0.1)


def _try_create(path: Path) -> tuple[int, int, bytes] | None:
    """Create the lock file; its (device, inode, content), or None when it already exists.

    O_EXCL also fails on a symlink (even a dangling one), so the lock can never
    create or follow anything outside the root.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        return None
    except OSError as exc:
        if exc.errno == errno.EEXIST:
            return None
        raise _cannot_create(path, exc) from exc
    info = os.fstat(fd)
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    # The token tells this lock from a later one in the same file (see _release).
    text = (f"pid: {os.getpid()}\nhost: {_hostname()}\nstarted: {started}\n"
            f"token: {os.urandom(8).hex()}\n").encode()
    # Through a file object, not os.write: the holder's details are best effort (an empty
    # lock file still locks), and a failure to write them must not fail the edit.
    with contextlib.suppress(OSError), open(fd, "wb", closefd=True) as stream:  # noqa: PTH123
        stream.write(text)
    return info.st_dev, info.st_ino, text


def _release(path: Path, identity: tuple[int, int, bytes]) -> None:
    """Remove the lock file if it is still ours: same file (an inode number can be reused
    once a lock removed by hand is taken by another command) and same content."""
    with contextlib.suppress(OSError):
        info = os.lstat(path)
        if (info.st_dev, info.st_ino) == identity[:2] and stat.S_ISREG(info.st_mode) \
                and path.read_bytes() == identity[2]:
            path.unlink()


@dataclass(frozen=True)
class Holder:
    """What the lock file says about who holds it (fields empty when unreadable)."""

    pid: int | None
    host: str
    started: str
    odd: str = ""  # not a regular file, or too big: a description for the message

    def is_dead(self) -> bool:
        """Only a holder on this host with a pid that no longer runs is known to be gone."""
        return (not self.odd and self.pid is not None and self.host == _hostname()
                and not pid_alive(self.pid))

    def describe(self) -> str:
        if self.odd:
            return self.odd
        if self.pid is None:
            return "持有者不明(锁文件是空的或内容无法识别)"
        where = f"计算机 {self.host} 上" if self.host else ""
        since = f",自 {self.started} 起" if self.started else ""
        return f"{where}的进程 {self.pid}{since}"


def _read_holder(path: Path) -> Holder | None:
    """The lock's holder; None when the lock vanished meanwhile (try again)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return Holder(None, "", "", "锁文件无法读取")
    if not stat.S_ISREG(info.st_mode):
        return Holder(None, "", "", "锁文件不是普通文件(是链接、目录或其他特殊文件)")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        try:
            data = os.read(fd, _MAX_LOCK_BYTES + 1)
        finally:
            os.close(fd)
    except FileNotFoundError:
        return None
    except OSError:
        return Holder(None, "", "", "锁文件无法读取")
    if len(data) > _MAX_LOCK_BYTES:
        return Holder(None, "", "", "锁文件过大,不是 ledger 写的")
    fields: dict[str, str] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    pid_text = fields.get("pid", "")
    pid = int(pid_text) if pid_text.isascii() and pid_text.isdigit() else None
    return Holder(pid, fields.get("host", ""), fields.get("started", ""))


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this host (a reused pid counts as alive)."""
    if not 0 < pid < 2**31:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # PermissionError: it exists, owned by another user
    return True


def _hostname() -> str:
    import socket  # only when a lock is taken or judged

    return socket.gethostname()


def _remove_hint(path: Path) -> str:
    import shlex

    return f"rm {shlex.quote(str(path))}"


def _busy(path: Path, holder: Holder | None, timeout: float) -> LockedError:
    who = holder.describe() if holder is not None else "另一个命令"
    return LockedError(
        f"台账正被另一个命令修改(锁文件 {path} 由{who}持有),等待 {timeout:g} 秒后仍未释放,未写入",
        f"请稍后重试;可用环境变量 {TIMEOUT_ENV} 设置等待秒数。若确认没有 ledger 命令正在运行"
        f"(例如上次修改被强行中断),请先检查台账文件,再删除锁文件:{_remove_hint(path)}")


def _stale(path: Path, holder: Holder) -> LockedError:
    return LockedError(
        f"台账正被另一个命令修改:锁文件 {path} 是本机进程 {holder.pid}"
        f"{f'(自 {holder.started} 起)' if holder.started else ''}留下的,"
        f"但进程 {holder.pid} 已不存在(修改被强行中断),未写入",
        "被中断的修改没有写入一半的文件(每个文件要么是旧的,要么是新的);请用 git diff 或 "
        f"ledger validate 检查台账后,删除锁文件再重试:{_remove_hint(path)}")


def _cannot_create(path: Path, exc: OSError) -> WriteError:
    from .atomic import describe_os_error

    return WriteError(f"无法创建锁文件 {path}:{describe_os_error(exc)}",
                      "修改台账需要在台账目录中创建锁文件;请检查目录权限和磁盘空间后重试,文件均未改动")


# ---------------------------------------------------------------- temp files of killed writers


def stray_temp_files(root: Path) -> list[tuple[str, int]]:
    """(relative path, pid) of every temp file `atomic` leaves beside a data file when killed."""
    found: list[tuple[str, int]] = []
    for folder in TEMP_FOLDERS:
        try:
            # Temp names start with a dot: the problem files (100,000 of them in a big
            # ledger, listed on every edit) are passed over before sorting or matching.
            names = sorted(entry.name for entry in os.scandir(root / folder)
                           if entry.name.startswith("."))
        except OSError:
            continue
        for name in names:
            match = TEMP_NAME.fullmatch(name)
            if match is not None:
                found.append((f"{folder}/{name}", int(match.group("pid"))))
    return found


def clean_temp_files(root: Path) -> list[str]:
    """Remove stray temp files whose writer is gone; the relative paths removed.

    Called with the lock held: no ledger command is writing meanwhile, and a temp
    file whose process still runs (another program? a reused pid?) is left alone.
    """
    removed: list[str] = []
    for relpath, pid in stray_temp_files(root):
        if pid_alive(pid):
            continue
        path = root / relpath
        with contextlib.suppress(OSError):
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode) or stat.S_ISLNK(mode):  # unlinking a link never follows it
                path.unlink()
                removed.append(relpath)
    return removed
