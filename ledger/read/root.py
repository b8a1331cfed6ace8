"""Finding the ledger root, as git finds `.git`.

The root is the folder holding data/ledger.yaml: an explicit `--root` (or
LEDGER_ROOT), else the working directory or its nearest parent that has one.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ledger.core.errors import NoLedgerError
from ledger.read.loader import HEADER_PATH, IMPORT_MARKER, shorten


def find_root(start: Path, explicit: Path | None = None) -> Path:
    """The ledger root for a command started in `start`; NoLedgerError if there is none.

    A folder left with the marker of an interrupted `ledger import` counts as a root
    too, so that loading it says what happened instead of "no ledger here".
    """
    try:
        if explicit is not None:
            if _is_root(explicit):
                return explicit.resolve()
            raise NoLedgerError(f"{shorten(str(explicit))} 不是台账目录:找不到 "
                                f"{shorten(str(explicit / HEADER_PATH))}",
                                "请检查 --root 或 LEDGER_ROOT 指向的目录")
        here = start.resolve()
        for folder in (here, *here.parents):
            if _is_root(folder):
                return folder
    except (OSError, RuntimeError) as exc:  # a path too long, a link loop …
        where = shorten(str(explicit if explicit is not None else start))
        reason = "路径过长" if getattr(exc, "errno", None) == errno.ENAMETOOLONG else (
            getattr(exc, "strerror", None) or "链接形成循环")
        raise NoLedgerError(f"无法访问台账目录 {where}:{reason}",
                            "请检查 --root 或 LEDGER_ROOT 指向的目录") from None
    raise NoLedgerError(f"当前目录及其上级目录中都没有台账(找不到 {HEADER_PATH})",
                        "请进入台账所在的目录,或用 --root 指定台账目录;"
                        "新建台账可用 ledger import 导入已发布的通报")


def _is_root(folder: Path) -> bool:
    return (folder / HEADER_PATH).is_file() or os.path.lexists(folder / IMPORT_MARKER)
