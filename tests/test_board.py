"""`ledger board`: the wall chart's HTML, and the page as headless Chromium draws it."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ledger.present.board import burndown

from ._stats import TODAY, write_ledger
from .conftest import Run
from .test_history import repo  # noqa: F401  (the fixture git history)

# The fixture's level of each problem on 2021-10-01 (see tests/_stats.py).
LEVELS = {1: "red", 2: "closed", 3: "yellow", 4: "closed-late", 5: "ongoing", 6: "ok",
          7: "green"}
# The colour each level is drawn in (templates/board.html.j2).
COLOURS = {"red": (0xc6, 0x28, 0x28), "yellow": (0xf9, 0xa8, 0x25), "green": (0x9c, 0xcc, 0x65),
           "ok": (0x90, 0xca, 0xf9), "ongoing": (0xb3, 0x9d, 0xdb),
           "closed": (0x2e, 0x7d, 0x32), "closed-late": (0x8d, 0x6e, 0x63)}


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict[str, str | None]] = []
        self.bands: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "data-number" in found:
            self.cells.append(found)
        if tag == "section" and found.get("class") == "band":
            self.bands.append("band")


def _cells(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


def _board(run: Run, root: Path, *args: str) -> str:
    out = root.parent / "board.html"
    result = run("--root", root, "--today", TODAY, "board", "-o", out, *args)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_cells_carry_number_level_and_details(run: Run, tmp_path: Path) -> None:
    html = _board(run, write_ledger(tmp_path / "ledger"))
    cells = _cells(html)
    assert {int(str(c["data-number"])): c["data-level"] for c in cells.cells} == LEVELS
    assert len(cells.bands) == 2  # two aspects
    first = next(c for c in cells.cells if c["data-number"] == "3")
    assert first["title"] == ("问题3:第3个问题的描述。\n责任单位:综合科\n责任领导:李副局长\n"
                              "时限:2021年10月8日(已延期)\n状态:正在推进(已延期),还剩 7 天\n"
                              "预警:黄色预警")
    assert "@page { size: A3 landscape" in html
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")
    assert "不在 git 仓库中" in html  # no history: the burndown says why it is missing


def test_by_unit_one_band_per_lead_unit(run: Run, tmp_path: Path) -> None:
    html = _board(run, write_ledger(tmp_path / "ledger"), "--by", "unit")
    labels = re.findall(r'<section class="band">\s*<h2><span>([^<]*)</span>', html)
    assert labels == ["办公室", "综合科", "财务科", "(未填写)"]


def test_data_is_escaped(run: Run, tmp_path: Path) -> None:
    from ._stats import PROBLEMS, problem

    files = dict(PROBLEMS)
    files[8] = problem(8, 1, title="<script>alert('x')</script> & more")
    html = _board(run, write_ledger(tmp_path / "ledger", files))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in html


def test_burndown_from_history(run: Run, repo: Path) -> None:  # noqa: F811
    html = _board(run, repo, "--every", "month")
    assert html.count("<polyline") == 3
    assert "2021年6月1日" in html and "2021年10月1日" in html


def test_burndown_geometry() -> None:
    from datetime import date

    shape = burndown([(date(2021, 6, 1), 4, 0, 0), (date(2021, 7, 1), 4, 2, 1)], 200, 100)
    assert shape is not None
    # A step line: open 4 holds until 7-1, then drops to 2.
    assert shape["open"] == "48.0,12.0 184.0,12.0 184.0,35.0"
    assert burndown([(date(2021, 6, 1), 4, 0, 0)]) is None


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOPPM = shutil.which("pdftoppm")


def _ppm(data: bytes) -> tuple[int, int, bytes]:
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6"
    return int(parts[1]), int(parts[2]), parts[4]


@pytest.mark.skipif(CHROMIUM is None or PDFTOPPM is None,
                    reason="需要 chromium 和 poppler-utils(pdftoppm):apt-get install chromium "
                           "fonts-noto-cjk poppler-utils")
def test_chromium_draws_every_cell_in_its_colour(run: Run, tmp_path: Path) -> None:
    assert CHROMIUM is not None and PDFTOPPM is not None
    html = _board(run, write_ledger(tmp_path / "ledger"))
    page = tmp_path / "board.html"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    drawn = _cells(dom)
    assert len(drawn.cells) == len(LEVELS) == len(_cells(html).cells)
    assert {int(str(c["data-number"])): c["data-level"] for c in drawn.cells} == LEVELS
    pdf = tmp_path / "board.pdf"
    subprocess.run([CHROMIUM, *flags, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    page.as_uri()], capture_output=True, timeout=120, check=True)
    image = subprocess.run([PDFTOPPM, "-r", "40", "-f", "1", "-l", "1", str(pdf)],
                           capture_output=True, timeout=60, check=True).stdout
    width, height, pixels = _ppm(image)
    assert (width, height) == (662, 468)  # A3 landscape at 40 dpi
    colours: dict[tuple[int, int, int], int] = {}
    for at in range(0, len(pixels) - 2, 3):
        rgb = (pixels[at], pixels[at + 1], pixels[at + 2])
        colours[rgb] = colours.get(rgb, 0) + 1
    white = colours.get((255, 255, 255), 0)
    assert white < 0.95 * width * height, "the page is blank"
    # Each level's cell is a solid block of its colour (a cell is ~80 × 30 px at 40 dpi).
    for level, rgb in COLOURS.items():
        assert colours.get(rgb, 0) > 400, f"{level}: {colours.get(rgb, 0)} px of {rgb}"
