"""Helpers for the notice tests (import, render): the model notice and its normal form."""

from __future__ import annotations

import shutil
from pathlib import Path

TESTS = Path(__file__).parent
REPO = TESTS.parent
MODEL = TESTS / "fixtures" / "notice-2021-shandong-rfb.txt"
SHAPES = TESTS / "fixtures" / "notices"
TODAY = "2021-09-01"

# The two lines of web clutter in the model notice (breadcrumb and source line):
# they are not part of the notice's text and must not come back from a render.
MODEL_CLUTTER = ("首页>工作之窗>巡视巡察", "来源:山东省纪委监委网站发布时间:2021-08-26")


def normal(text: str, drop: tuple[str, ...] = ()) -> list[str]:
    """Lines with line ends, leading indentation and runs of blank lines normalised.

    Only those three: any other difference in the text is a difference.
    """
    lines = [line.lstrip(" \t\u3000") for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line in drop:
            continue
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line if line.strip() else "")
    while out and not out[-1]:
        out.pop()
    return out


def model_text() -> str:
    return MODEL.read_text(encoding="utf-8")


def shipped_copy(tmp_path: Path) -> Path:
    """The shipped data/ (what importing the model notice gives) copied into tmp_path."""
    root = tmp_path / "shipped"
    shutil.copytree(REPO / "data", root / "data")
    return root


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a test copy of a file, failing loudly when `old` is not there exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def close_in_file(root: Path, number: int, on: str = "2021-08-20") -> None:
    """Mark a problem 已完成 with a closing record, as `ledger close` would leave it."""
    path = root / "data" / "issues" / f"{number:03d}.yaml"
    replace_in(path, "status: 正在推进\n",
               f"status: 已完成\nclosed:\n  date: {on}\n  by: 测试\n  evidence:\n"
               "    - 整改报告\n")
