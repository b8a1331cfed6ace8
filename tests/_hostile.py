"""Helpers for the hostile-input harness: build a case, run the real entry point, hash trees.

A case starts from tests/broken/_base (a small valid ledger), overlays the
files its spec describes (bytes written at test time, so nothing large or
binary is committed and git cannot touch line endings), optionally injects a
fault (full disk, unreadable file, read-only folder) with monkeypatch, and runs
`ledger.cli.main` in-process exactly as the console script does. What these
helpers do not do: decide what a command should answer (the specs in
tests/hostile/ do) or assert anything themselves.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import re
import shutil
import stat
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ledger.cli import main

from .conftest import BASE, REPO

TODAY = "2021-11-01"
CACHE_NAME = ".ledger-cache"  # the git-ignored parse cache (file or folder): not ledger data


@dataclass(frozen=True)
class Outcome:
    """What one command run gave: exit code, both streams, and any escaped exception."""

    code: int
    out: str
    err: str
    crash: str  # formatted traceback of an exception that escaped main(); "" when none

    @property
    def text(self) -> str:
        return self.out + self.err


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str],
             monkeypatch: pytest.MonkeyPatch) -> Outcome:
    """Run the console entry point in-process; an escaping exception is recorded, not raised."""
    monkeypatch.setattr(sys, "argv", ["ledger", *argv])
    crash = ""
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # the harness exists to catch exactly these
        crash = traceback.format_exc()
        code = -1
    out, err = capsys.readouterr()
    return Outcome(code, out, err, crash)


# ---------------------------------------------------------------- building inputs


def _generate(spec: dict[str, Any]) -> bytes:
    """Bytes made at test time: large or binary inputs are never committed."""
    kind = spec["kind"]
    if kind == "binary":
        size = int(spec["size"])
        return bytes((index * 131 + 7) % 256 for index in range(size))
    if kind == "repeat":
        return str(spec.get("before", "")).encode() + str(spec["text"]).encode() * int(
            spec["count"]) + str(spec.get("after", "")).encode()
    if kind == "nested-blocks":
        depth = int(spec["depth"])
        head = str(spec.get("before", "")).encode()
        return head + b"".join(b"  " * level + b"k:\n" for level in range(depth))
    raise ValueError(f"unknown generator {kind}")


def _encode(data: bytes, how: str) -> bytes:
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    if how == "cr":
        return data.replace(b"\n", b"\r")
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "utf-16":
        return data.decode("utf-8").encode("utf-16")
    if how == "utf-16-be-nobom":
        return data.decode("utf-8").encode("utf-16-be")
    if how == "gbk":
        return data.decode("utf-8").encode("gbk")
    if how.startswith("truncate:"):
        return data[: int(how.split(":", 1)[1])]
    if how.startswith("truncate-in:"):
        # Cut inside the first multi-byte character of this text: a file cut off mid-write.
        needle = how.split(":", 1)[1].encode()
        return data[: data.index(needle) + 1]
    raise ValueError(f"unknown encoding step {how}")


_REPEAT = re.compile(r"\{repeat:([^:}]+):(\d+)\}")


def _expand(text: object) -> bytes:
    """Spec text to bytes: {repeat:长:200000} stands for a long run; lone surrogates are bytes."""
    expanded = _REPEAT.sub(lambda match: match.group(1) * int(match.group(2)), str(text))
    return expanded.encode("utf-8", "surrogateescape")


def content(spec: dict[str, Any] | str, base: Path) -> bytes:
    """The bytes a spec entry describes (see tests/hostile/README.md)."""
    if isinstance(spec, str):
        return spec.encode("utf-8")
    if "generate" in spec:
        data = _generate(spec["generate"])
    elif "base64" in spec:
        data = base64.b64decode(spec["base64"])
    elif "repo" in spec:
        data = (REPO / spec["repo"]).read_bytes()
    elif "text" in spec:
        data = _expand(spec["text"])
    else:
        data = (base / spec.get("from", "")).read_bytes() if "from" in spec else b""
    for old, new in spec.get("replace", []):
        old_b, new_b = _expand(old), _expand(new)
        assert old_b in data, f"replace: {old!r} not in the input"
        data = data.replace(old_b, new_b)
    if "append" in spec:
        data += _expand(spec["append"])
    for step in spec.get("encode", []):
        data = _encode(data, step)
    return data


def build(tmp_path: Path, spec: dict[str, Any]) -> Path:
    """Lay out a case: the base ledger in tmp_path/ledger, plus files outside it."""
    root = tmp_path / "ledger"
    shutil.copytree(BASE, root, ignore=shutil.ignore_patterns(CACHE_NAME + "*"))
    outside = tmp_path / "outside"
    outside.mkdir()
    for relpath, entry in (spec.get("outside") or {}).items():
        target = outside / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content(entry, root))
    for relpath, entry in (spec.get("files") or {}).items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry is None:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink()
            continue
        if isinstance(entry, dict) and "symlink" in entry:
            if target.exists() or target.is_symlink():
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                else:
                    target.unlink()
            link = str(entry["symlink"]).replace("{outside}", str(outside))
            target.symlink_to(link)
            continue
        if isinstance(entry, dict) and entry.get("fifo"):
            target.unlink(missing_ok=True)
            os.mkfifo(target)
            continue
        if isinstance(entry, dict) and entry.get("mkdir"):
            if target.exists():
                target.unlink()
            target.mkdir()
            continue
        target.write_bytes(content(entry, root))
    return root


# ---------------------------------------------------------------- the tree before and after


def tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder` (links not followed): relpath → digest of what it holds.

    Covers file bytes, link targets, folders and permission bits, so a leftover
    temp file, a new file, a changed mode or a replaced link all show up.
    """
    found: dict[str, str] = {}
    for top, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = [name for name in dirs if not name.startswith(CACHE_NAME)]
        for name in sorted([*dirs, *names]):
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            if name.startswith(CACHE_NAME):
                continue
            info = path.lstat()
            mode = oct(stat.S_IMODE(info.st_mode))
            if stat.S_ISLNK(info.st_mode):
                found[rel] = f"link:{path.readlink()}"
            elif stat.S_ISDIR(info.st_mode):
                found[rel] = f"dir:{mode}"
            elif not stat.S_ISREG(info.st_mode):  # a pipe or device: never read it
                found[rel] = f"special:{stat.S_IFMT(info.st_mode)}:{mode}"
            else:
                found[rel] = f"file:{mode}:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    return found


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


# ---------------------------------------------------------------- faults


def _errno_error(code: int, path: object = None) -> OSError:
    return OSError(code, os.strerror(code), None if path is None else str(path))


@dataclass
class Fault:
    """A simulated failure of the system underneath, installed with monkeypatch."""

    kind: str
    target: Path | None = None
    call: str = "write"

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        {"enospc": self._enospc, "unreadable": self._unreadable,
         "readonly": self._readonly}[self.kind](monkeypatch)

    def _enospc(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The disk fills up: the chosen step of an atomic write fails with ENOSPC."""
        real: Callable[..., Any] = getattr(os, self.call)

        def failing(*args: Any, **kwargs: Any) -> Any:
            first = args[0] if args else None
            if self.call in ("write", "fsync") and isinstance(first, int) and first <= 2:
                return real(*args, **kwargs)  # the terminal is not the disk that is full
            raise _errno_error(errno.ENOSPC)

        monkeypatch.setattr(os, self.call, failing)

    def _unreadable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """chmod 000 on one file (root ignores modes, so every read path is refused here)."""
        assert self.target is not None
        target = self.target
        real_read = Path.read_bytes
        real_text = Path.read_text
        real_open = Path.open
        real_os_open = os.open

        def denied(path: object) -> bool:
            return Path(str(path)).absolute() == target.absolute()

        def read_bytes(path: Path) -> bytes:
            if denied(path):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_read(path)

        def read_text(path: Path, *args: Any, **kwargs: Any) -> str:
            if denied(path):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_text(path, *args, **kwargs)

        def path_open(path: Path, *args: Any, **kwargs: Any) -> Any:
            if denied(path):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, *args, **kwargs)

        def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if not isinstance(path, int) and denied(path):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_os_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
        monkeypatch.setattr(Path, "read_text", read_text)
        monkeypatch.setattr(Path, "open", path_open)
        monkeypatch.setattr(os, "open", os_open)

    def _readonly(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """chmod a-w on a folder: nothing can be created, renamed or removed in it."""
        assert self.target is not None
        folder = self.target.absolute()
        real_os_open = os.open
        real_replace = os.replace
        real_link = os.link
        real_unlink = os.unlink
        real_mkdir = os.mkdir
        writes = os.O_CREAT | os.O_WRONLY | os.O_RDWR | os.O_TRUNC

        def inside(path: Any) -> bool:
            return not isinstance(path, int) and Path(os.fspath(path)).absolute().parent == folder

        def refuse(path: Any) -> PermissionError:
            return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

        def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & writes and inside(path):
                raise refuse(path)
            return real_os_open(path, flags, *args, **kwargs)

        def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if inside(src) or inside(dst):
                raise refuse(dst)
            real_replace(src, dst, *args, **kwargs)

        def link(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if inside(dst):
                raise refuse(dst)
            real_link(src, dst, *args, **kwargs)

        def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
            if inside(path):
                raise refuse(path)
            real_unlink(path, *args, **kwargs)

        def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
            if inside(path):
                raise refuse(path)
            real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(os, "link", link)
        monkeypatch.setattr(os, "unlink", unlink)
        monkeypatch.setattr(os, "mkdir", mkdir)


def walk_specs(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.glob("*.yaml"))
