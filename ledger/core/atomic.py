"""Atomic file writes: a reader sees the old file or the new one, never half of either.

The new bytes go to a temporary file in the same folder (so `os.replace` is a
rename on one file system), are flushed and fsynced, take the old file's
permissions, and then replace the original in one step. A device or pipe
(`-o /dev/stdout`) is written in place instead: renaming over it would replace
the device node itself. On any failure the
temporary file is removed and `WriteError` (exit 4) is raised with the
original untouched.

A temp file is named `.NAME.PID.HEX.tmp` (PID: the writer's process id), so
that the next edit can tell one left by a killed writer (`lock.clean_temp_files`)
and `validate` can warn about it.

What it does not do: decide what to write, lock against other writers of the
same file (the edit commands hold `lock.ledger_lock` around read, check and
write), or retry.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path

from ledger.core.errors import WriteError

# The name _write_temp gives its temp files: ".{name}.{pid}.{8 hex}.tmp".
TEMP_NAME = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp")
# Where the ledger's own temp files can be (beside data/ledger.yaml, notice.yaml, issues).
TEMP_FOLDERS = ("data", "data/issues")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` (or create it) with `data`, keeping its permissions.

    A device or pipe (`-o /dev/stdout`, a FIFO) is written to, never replaced: a
    rename would put a regular file where the device node was.
    """
    try:
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode)
    except FileNotFoundError:
        info, mode = None, _new_file_mode()
    except OSError as exc:
        raise _error(path, exc) from exc
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WriteError(f"无法写入 {path.name}:这是一个目录", "请给出文件名,而不是目录")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_through(path, data)
        return
    temp = _write_temp(path, data, mode)
    try:
        os.replace(temp, path)  # noqa: PTH105 - the one syscall the tests inject failures into
    except OSError as exc:
        _remove(temp)
        raise _error(path, exc) from exc
    sync_dir(path.parent)


def write_all_atomic(files: dict[Path, bytes]) -> None:
    """Write several files as one step, as far as a file system allows.

    Every file is first written whole to a temp file beside it; only when all
    of them are on disk are they renamed into place. A failure while writing
    (a full disk, say) therefore leaves every original untouched and no temp
    file behind. A rename failing halfway (rare: same folder, same file system)
    leaves each file whole, old or new.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            try:
                mode = stat.S_IMODE(path.stat().st_mode)
            except FileNotFoundError:
                mode = _new_file_mode()
            except OSError as exc:
                raise _error(path, exc) from exc
            staged.append((_write_temp(path, data, mode), path))
        for temp, path in staged:
            try:
                os.replace(temp, path)  # noqa: PTH105 - failures are injected here in tests
            except OSError as exc:
                raise _error(path, exc) from exc
    finally:
        for temp, _ in staged:
            _remove(temp)
    for folder in {path.parent for path in files}:
        sync_dir(folder)


def create_exclusive(path: Path, data: bytes) -> bool:
    """Create `path` whole with `data` unless it exists; False when it already did.

    Used by `ledger new`: a hard link publishes the finished temp file under
    its name and, unlike `os.replace`, fails if another process got there first.
    """
    temp = _write_temp(path, data, _new_file_mode())
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    except OSError as exc:
        raise _error(path, exc) from exc
    finally:
        _remove(temp)
    sync_dir(path.parent)
    return True


def _write_temp(path: Path, data: bytes, mode: int) -> Path:
    """Write data to a fresh temp file next to `path`; fsynced and chmod-ed, or removed."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _error(path, exc) from exc
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        _remove(temp)
        raise _error(path, exc) from exc
    except BaseException:
        _remove(temp)
        raise
    return temp


def _write_through(path: Path, data: bytes) -> None:
    """Write to a device or pipe in place (no temp file, nothing to rename)."""
    try:
        fd = os.open(path, os.O_WRONLY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except OSError as exc:
        raise _error(path, exc) from exc


def _new_file_mode() -> int:
    # There is no portable way to read the umask without setting it; set it back at once.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def sync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; best effort
    # because some file systems refuse to open or fsync a directory.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(temp: Path) -> None:
    with contextlib.suppress(OSError):
        temp.unlink()


# The reasons a write fails in practice, said in the user's language; others keep strerror.
_REASONS = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘或目录是只读的",
    errno.ENOENT: "目录不存在",
    errno.EIO: "磁盘读写出错",
}


def describe_os_error(exc: OSError) -> str:
    """Why a write failed, in the user's language where the reason is a common one."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def _error(path: Path, exc: OSError) -> WriteError:
    reason = describe_os_error(exc)
    return WriteError(f"无法写入 {path.name}:{reason}",
                      f"文件保持原样,没有任何改动;请检查磁盘空间和文件权限后重试(目录:{path.parent})")


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
