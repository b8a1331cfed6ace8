"""Evidence files (佐证材料): their fingerprints, and whether they still hold.

The one check that reads files, so it is kept apart from the pure checks in
`checks.CHECKS`: `validate` and `check` run it, `list` and `show` do not (they
would re-hash every evidence file of the archive on every call), and edits
hash only the evidence they record. It never reads a file outside the ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.core.model import Problem
from ledger.core.paths import inside_root

if TYPE_CHECKING:
    from ledger.core.model import View


def file_sha256(path: Path) -> str:
    import hashlib  # here: loading OpenSSL costs 2 ms of every start, and few runs hash

    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def check_evidence(ledger: View, today: date) -> Iterator[Problem]:
    """Evidence files recorded at closing still exist and still hash the same.

    The one check that reads files: a closing stands on its evidence, and a
    replaced or deleted file must show up in `ledger validate`.
    """
    root = Path(ledger.root)
    real_root = root.resolve()
    for issue in ledger.issues:
        for evidence in issue.evidence_files:
            path = root / evidence.path
            try:
                inside = inside_root(real_root, path)
                digest = file_sha256(path) if inside and path.is_file() else None
            except (OSError, RuntimeError):  # RuntimeError: a link loop, Python < 3.12
                inside, digest = True, None
            if not inside:  # never read: a recorded path must not lead out of the ledger
                yield Problem(evidence.loc, "evidence-missing", "error",
                              f"佐证材料 {evidence.path} 不在台账目录内,视为不存在",
                              "佐证材料须放在台账目录之内,以相对路径记录")
            elif digest is None:
                yield Problem(evidence.loc, "evidence-missing", "error",
                              f"佐证材料 {evidence.path} 不存在",
                              "请恢复这个文件(git log 可查到它的历史),或改正路径")
            elif evidence.sha256 and digest != evidence.sha256:
                yield Problem(evidence.loc, "evidence-changed", "error",
                              f"佐证材料 {evidence.path} 在销号后被改动过(sha256 不符)",
                              "请恢复销号时的版本;如确需更换材料,请重新打开并再次销号")
