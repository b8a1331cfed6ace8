"""ledger.core.atomic: a failure at any step of a write leaves the original whole, no temp file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from ledger.core import atomic
from ledger.core.errors import EXIT_WRITE, WriteError

ORIGINAL = "number: 1\nstatus: 正在推进\n".encode()
NEW = "number: 1\nstatus: 已完成\n".encode()


def _target(tmp_path: Path, mode: int = 0o640) -> Path:
    path = tmp_path / "001.yaml"
    path.write_bytes(ORIGINAL)
    path.chmod(mode)
    return path


def _fail(*_: Any, **__: Any) -> Any:
    raise OSError(28, "No space left on device")


def test_write_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    path = _target(tmp_path, 0o604)
    atomic.write_atomic(path, NEW)
    assert path.read_bytes() == NEW
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["001.yaml"]


@pytest.mark.parametrize("step", ["open", "write", "fchmod", "fsync", "close", "replace"])
def test_a_failure_at_each_step_leaves_the_original_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    path = _target(tmp_path)
    if step == "close":
        real_close = os.close

        def close_then_fail(fd: int) -> None:
            real_close(fd)
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(os, "close", close_then_fail)
    else:
        monkeypatch.setattr(os, step, _fail)
    with pytest.raises(WriteError) as info:
        atomic.write_atomic(path, NEW)
    monkeypatch.undo()
    assert info.value.exit_code == EXIT_WRITE
    assert "无法写入 001.yaml" in info.value.message
    assert "没有任何改动" in info.value.hint
    assert path.read_bytes() == ORIGINAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["001.yaml"]


def test_a_partial_write_is_retried_until_complete(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = _target(tmp_path)
    real_write = os.write

    def short_write(fd: int, data: Any) -> int:
        return real_write(fd, bytes(data[:3]))

    monkeypatch.setattr(os, "write", short_write)
    atomic.write_atomic(path, NEW)
    assert path.read_bytes() == NEW


def test_an_interrupt_mid_write_removes_the_temp_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = _target(tmp_path)

    def interrupt(*_: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(path, NEW)
    monkeypatch.undo()
    assert path.read_bytes() == ORIGINAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["001.yaml"]


def test_a_read_only_folder_is_a_write_error(tmp_path: Path) -> None:
    path = _target(tmp_path)
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(WriteError):
            atomic.write_atomic(path, NEW)
        assert path.read_bytes() == ORIGINAL
    finally:
        tmp_path.chmod(0o700)


def test_create_exclusive_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "002.yaml"
    assert atomic.create_exclusive(path, NEW) is True
    assert path.read_bytes() == NEW
    assert atomic.create_exclusive(path, ORIGINAL) is False
    assert path.read_bytes() == NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["002.yaml"]


def test_create_exclusive_failure_leaves_nothing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "link", _fail)
    with pytest.raises(WriteError):
        atomic.create_exclusive(tmp_path / "002.yaml", NEW)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
