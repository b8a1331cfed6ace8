"""ledger.core.paths: the one containment test, and that nothing else hand-writes it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from ledger.core.paths import inside_root

from .conftest import REPO


def test_inside_outside_and_through_links(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    (root / "data").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    (root / "data" / "in.txt").write_text("x", encoding="utf-8")
    (root / "data" / "out.txt").symlink_to(tmp_path / "outside.txt")
    (root / "data" / "back.txt").symlink_to(root / "data" / "in.txt")
    assert inside_root(root, root / "data" / "in.txt")
    assert inside_root(root, root)
    assert inside_root(root, root / "data" / "back.txt")
    assert not inside_root(root, root / "data" / "out.txt")
    assert not inside_root(root, root / ".." / "outside.txt")
    # The root given through a link is the same root.
    (tmp_path / "alias").symlink_to(root)
    assert inside_root(tmp_path / "alias", root / "data" / "in.txt")


def test_a_link_loop_raises_for_the_caller_to_decide(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    # Path.resolve reports a loop as RuntimeError before Python 3.12, OSError (ELOOP) in
    # 3.12, and not at all from 3.13 on (inside_root then raises as 3.12 does).
    for path in (loop / "x", loop, loop / "x" / "y"):
        with pytest.raises(RuntimeError if sys.version_info < (3, 12) else OSError):
            inside_root(tmp_path, path)


def test_no_module_hand_writes_the_containment_test() -> None:
    hand_written = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted((REPO / "ledger").rglob("*.py")) if path.name != "paths.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\.is_relative_to\(", line)]
    assert hand_written == []
