"""The HTML notice printed by a real browser: headless Chromium to PDF, read back with pdftotext.

Proves what only a layout engine can show: the title's lines are broken at
sense units with no single character left alone, the page numbers read
— N — (odd pages at the right, even at the left), a full page holds 22 body
lines, and no line is stretched by a long address after it. CI installs
chromium and poppler-utils (.ci/run); elsewhere these tests are skipped,
saying why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ._notice import TODAY, shipped_copy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-headless-shell")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="没有 chromium:CI 由 .ci/run 安装;"
                       "本机可 apt-get install chromium fonts-noto-cjk poppler-utils"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="没有 pdftotext(poppler-utils)"),
]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped notice as HTML, printed to PDF by Chromium (once for the module)."""
    from typer.testing import CliRunner

    from ledger.cli import app

    tmp = tmp_path_factory.mktemp("print")
    root = shipped_copy(tmp)
    page = tmp / "通报.html"
    result = CliRunner().invoke(app, ["--root", str(root), "--today", TODAY, "render",
                                      "-o", str(page)])
    assert result.exit_code == 0, result.output
    return _print(page, tmp)


def _print(page: Path, tmp: Path) -> Path:
    assert CHROMIUM is not None
    pdf = tmp / (page.stem + ".pdf")
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    f"--user-data-dir={tmp / 'profile'}", f"--print-to-pdf={pdf}",
                    "--no-pdf-header-footer", page.as_uri()],
                   capture_output=True, timeout=180, check=True)
    return pdf


def _pages(pdf: Path, *options: str) -> list[list[str]]:
    text = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True,
                          timeout=60, check=True).stdout.decode("utf-8")
    return [[line for line in page.split("\n") if line.strip()]
            for page in text.split("\f") if page.strip()]


_NUMBER = re.compile(r"^\s*—\s*(\d+)\s*—\s*$")


def test_title_lines_are_sense_units_and_none_is_one_character(printed: Path) -> None:
    first = _pages(printed)[0]
    title = first[:first.index(next(line for line in first if line.startswith("根据")))]
    assert title == ["中共山东省人民防空办公室党组", "关于十一届省委第八轮巡视",
                     "整改进展情况的通报"]
    assert all(len(line.strip()) > 1 for line in title)


def test_page_numbers_read_dash_number_dash_on_every_page(printed: Path) -> None:
    pages = _pages(printed)
    assert len(pages) > 2
    numbers = []
    for page in pages:
        found = _NUMBER.match(page[-1])
        assert found is not None, page[-1]
        numbers.append(int(found.group(1)))
    assert numbers == list(range(1, len(pages) + 1))


def test_odd_page_numbers_right_even_left(printed: Path) -> None:
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "2", str(printed), "-"],
                          capture_output=True, timeout=60, check=True).stdout.decode("utf-8")
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", html))
    spaces = {"x": "http://www.w3.org/1999/xhtml"}
    for index, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        width = float(page.get("width", "0"))
        number = [word for word in page.findall("x:word", spaces) if word.text == str(index)]
        assert number, f"page {index}"
        x_min, x_max = float(number[-1].get("xMin", "0")), float(number[-1].get("xMax", "0"))
        if index % 2:   # right: inside the 26 mm outer margin's edge of the text block
            assert x_min > width * 0.75
        else:
            assert x_max < width * 0.25


def test_a_full_page_holds_22_body_lines(printed: Path) -> None:
    pages = _pages(printed)
    # Page 2 is all body text: 22 lines and the page number.
    assert len(pages[1]) - 1 == 22
    assert max(len(page) - 1 for page in pages) == 22


def test_no_line_is_stretched_by_an_address_after_it(printed: Path) -> None:
    # The e-mail address cannot be pushed whole onto the next line (which left the
    # line before it justified across the page, 山 东 省 人 民 …): it begins on
    # the line that has room for it.
    last = _pages(printed)[-1]
    line = next(line for line in last if "山东省人民防空办公室综合处" in line)
    assert "电子信箱:qihongxin" in line


MM = 72 / 25.4  # PDF points per millimetre


def _lines(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(text, x_min, y_min, x_max, y_max) of each line pdftotext finds on one page."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page),
                          str(pdf), "-"], capture_output=True, timeout=60, check=True
                         ).stdout.decode("utf-8")
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml))
    found = []
    for line in root.iter("{http://www.w3.org/1999/xhtml}line"):
        words = list(line.iter("{http://www.w3.org/1999/xhtml}word"))
        text = "".join(word.text or "" for word in words)
        x_min, y_min, x_max, y_max = (float(line.get(key, "0"))
                                      for key in ("xMin", "yMin", "xMax", "yMax"))
        found.append((text, x_min, y_min, x_max, y_max))
    return found


def test_print_margins_are_the_pages_and_one_line_under_the_title(printed: Path) -> None:
    first = _lines(printed, 1)
    centre = [(y_min + y_max) / 2 for _, _, y_min, _, y_max in first]
    # The title's first line (33 pt high) sits at the 37 mm top margin, no screen
    # margin above it (that added 11 mm).
    assert abs(centre[0] - (37 * MM + 33 / 2)) < 6
    # Below the last title line one blank body line (28.95 pt), then the intro.
    intro = next(i for i, line in enumerate(first) if line[0].startswith("根据"))
    assert centre[intro] - centre[intro - 1] > 33 / 2 + 28.95 + 28.95 / 2 - 2
    # The text block: 28 mm from the left, 26 mm from the right edge (A4, 210 mm).
    body = _lines(printed, 2)
    lefts = [x_min for _, x_min, _, _, _ in body[:-1]]
    rights = [x_max for _, _, _, x_max, _ in body[:-1]]
    assert abs(min(lefts) - 28 * MM) < 1.5 * MM
    assert abs(max(rights) - (210 - 26) * MM) < 1.5 * MM
