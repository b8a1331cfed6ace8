"""Finding the ledger root, as git finds `.git`.

The root is the folder holding data/ledger.yaml: an explicit `--root` (or
LEDGER_ROOT), else the working directory or its nearest parent that has one.
"""

from __future__ import annotations

from pathlib import Path

from .errors import NoLedgerError
from .loader import HEADER_PATH


def find_root(start: Path, explicit: Path | None = None) -> Path:
    """The ledger root for a command started in `start`; NoLedgerError if there is none."""
    if explicit is not None:
        if (explicit / HEADER_PATH).is_file():
            return explicit.resolve()
        raise NoLedgerError(f"{explicit} 不是台账目录:找不到 {explicit / HEADER_PATH}",
                            "请检查 --root 或 LEDGER_ROOT 指向的目录")
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / HEADER_PATH).is_file():
            return folder
    raise NoLedgerError(f"当前目录及其上级目录中都没有台账(找不到 {HEADER_PATH})",
                        "请进入台账所在的目录,或用 --root 指定台账目录;"
                        "新建台账可用 ledger import 导入已发布的通报")
