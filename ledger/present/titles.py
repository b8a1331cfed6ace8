"""Breaking a document title into lines at sense units (GB/T 9704: 回行时要做到词意完整).

A title longer than a line is split where the meaning allows (after 巡视, before
整改 …, before 的通报), into lines as even as possible and never a lone last
character: 关于十一届省委第八轮巡视 / 整改进展情况的通报, not … 的通 / 报.
Used by the Word notice (explicit line breaks) and the HTML notice (break
opportunities only there). Pure text; no layout engine: a character is one
unit wide, a half-width one half.
"""

from __future__ import annotations

import unicodedata

# A title line at 2号 (22 pt) in a 156 mm text block holds 20 characters.
TITLE_WIDTH = 20.0

# Places a line may end after / begin with: the seams of official titles.
_END_AFTER = ("巡视", "巡察", "审计", "督察", "检查", "党组", "委员会", "、", ",", ",", ";",
              ";", ":", ":", ")", ")", "》")
_BEGIN_WITH = ("关于", "整改", "落实", "进展", "情况", "工作", "的通报", "的报告", "的通知",
               "的意见", "的决定", "(", "(", "《")


def _width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.5 for char in text)


def _seams(text: str) -> list[int]:
    """Positions between characters where a sense unit ends."""
    found = set()
    for at in range(1, len(text)):
        before, after = text[:at], text[at:]
        if before.endswith(_END_AFTER) or after.startswith(_BEGIN_WITH):
            found.add(at)
    return sorted(found)


def sense_lines(text: str, width: float = TITLE_WIDTH) -> list[str]:
    """`text` as the fewest lines of at most `width`, cut at seams, as even as possible.

    Falls back to cutting anywhere (still evenly) when the seams cannot give
    lines that fit; a text that fits is one line.
    """
    if _width(text) <= width or len(text) < 2:
        return [text]
    for positions in (_seams(text), list(range(1, len(text)))):
        best = _best_cut(text, positions, width)
        if best is not None:
            return best
    return [text]  # unreachable: single characters always fit a title line


def _best_cut(text: str, positions: list[int], width: float) -> list[str] | None:
    """The fewest lines, then the smallest longest line, then the longest first line."""
    cuts = [0, *positions, len(text)]
    # best[i] = (lines, longest, -first) of the best split of text[cuts[i]:], and its cuts
    best: dict[int, tuple[tuple[int, float, float], list[int]]] = {len(cuts) - 1: ((0, 0, 0), [])}
    for i in range(len(cuts) - 2, -1, -1):
        for j in range(i + 1, len(cuts)):
            piece = _width(text[cuts[i]:cuts[j]])
            if piece > width:
                break
            if j not in best:
                continue
            (lines, longest, _), tail = best[j]
            score = (lines + 1, max(longest, piece), -piece)
            if i not in best or score < best[i][0]:
                best[i] = (score, [cuts[j], *tail])
    if 0 not in best:
        return None
    ends = best[0][1]
    starts = [0, *ends[:-1]]
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]
