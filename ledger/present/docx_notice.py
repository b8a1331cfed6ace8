"""The notice (通报) as a Word document laid out to GB/T 9704-2012, written with python-docx.

A4; margins 37 mm top, 35 mm bottom, 28 mm binding side (left), 26 mm outer,
so a 156 × 225 mm text block; 22 lines of 28 characters (fixed line spacing
28.95 pt on a line grid, characters 0.25 pt closer, no extra space between
Chinese and digits). Title 2号 方正小标宋简体 centred, its lines broken at
sense units (`ledger.titles`), one blank line below; body 3号 仿宋_GB2312
with a first-line indent of two characters; 一、 黑体, (一) 楷体_GB2312 (a
narrative point's lead sentence too), 1. and (1) 仿宋_GB2312. Issuer and
date as an unsealed document: one blank line below the body, the issuer
右空二字, the date on the next line with its first character two to the right
of the issuer's. Page numbers in 4号 半角宋体 as — N —, 7 mm below the text
block, odd pages right and even pages left with one character's space.

Every run names its East Asian font (w:eastAsia) as Word and WPS expect. The
text is the txt render's, paragraph for paragraph: the same context blocks.
python-docx is imported inside `build_notice` only.
"""

from __future__ import annotations

import io
import unicodedata
from typing import TYPE_CHECKING, Any

from ledger.present.titles import sense_lines

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph

# Fonts as offices' machines name them (GB/T 9704 names; Word/WPS substitute when absent).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
DEPTH_FONTS = {1: HEI_FONT, 2: KAI_FONT, 3: BODY_FONT, 4: BODY_FONT}

# Sizes in half-points (Word's w:sz): 2号 22 pt, 3号 16 pt, 4号 14 pt.
TITLE_SIZE = 44
BODY_SIZE = 32
PAGE_NUMBER_SIZE = 28

# Lengths in twentieths of a point (twips).
MM = 1440 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = round(210 * MM), round(297 * MM)
TOP, BOTTOM, LEFT, RIGHT = round(37 * MM), round(35 * MM), round(28 * MM), round(26 * MM)
LINE_PITCH = 579          # 28.95 pt: 22 lines fill the 225 mm block
# 28 characters of 3号 in 156 mm: each 0.25 pt narrower (w:spacing in twips). Not a
# character grid (w:docGrid linesAndChars): LibreOffice gives every character that is
# wider than the grid's pitch two cells, and the page fills with gaps.
BODY_TRACKING = -5
CHAR = BODY_SIZE * 10     # one 3号 character, in twips (16 pt)
LINE_CHARS = 28
PAGE_NUMBER_CHAR = PAGE_NUMBER_SIZE * 10
# The page number's line top sits 7 mm below the text block: the footer's bottom
# edge is 35 mm − 7 mm − one 14 pt line above the paper's edge.
FOOTER = round(35 * MM - 7 * MM - PAGE_NUMBER_SIZE * 10)
DASH = "\u2014"           # 一字线


def build_notice(data: dict[str, Any]) -> bytes:
    """The .docx bytes of the notice for the render context `data`."""
    from docx import Document as new_document

    document = new_document()
    _page(document)
    _defaults(document)
    body = document.element.body
    for child in list(body):  # the default template's empty paragraph
        if child.tag != _qn("w:sectPr"):
            body.remove(child)
    for line in data["title_lines"]:
        para = document.add_paragraph()
        _format(para, align="center", indent=0, snap=False)
        for index, piece in enumerate(sense_lines(line)):
            run = _run(para, piece, TITLE_FONT, TITLE_SIZE)
            if index:
                run._r.insert(1, _element("w:br"))  # before the text, after the properties
    _format(document.add_paragraph(), indent=0)  # one blank line below the title
    for block in data["blocks"]:
        para = document.add_paragraph()
        _format(para)
        if block["kind"] == "point":
            _run(para, block["lead"], KAI_FONT, BODY_SIZE)
            if block["rest"]:
                _run(para, block["rest"], BODY_FONT, BODY_SIZE)
        else:
            font = DEPTH_FONTS.get(block["depth"], BODY_FONT)
            _run(para, block["label"] + block["text"], font, BODY_SIZE)
    _signature(document, data["signature"], data["date"])
    _page_numbers(document)
    document.core_properties.title = "".join(data["title_lines"])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _signature(document: Document, issuer: str, when: str) -> None:
    """Unsealed: a blank line, the issuer 右空二字, the date's first character two further right.

    The date is placed from the left (two characters right of where the issuer
    begins), so its own width, half-width digits and all, cannot move it. When
    the date is the longer, the date keeps 右空二字 and the issuer moves left
    (GB/T 9704 7.3.5.2).
    """
    _format(document.add_paragraph(), indent=0)
    issuer_width, date_width = _chars(issuer), _chars(when) if when else 0.0
    issuer_right = max(2.0, date_width + 4 - issuer_width)
    para = document.add_paragraph()
    _format(para, align="right", indent=0, right=issuer_right)
    _run(para, issuer, BODY_FONT, BODY_SIZE)
    if when:
        para = document.add_paragraph()
        _format(para, align="left", indent=0,
                left=LINE_CHARS - issuer_right - issuer_width + 2)
        _run(para, when, BODY_FONT, BODY_SIZE)


def _chars(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.5 for char in text)


def _page_numbers(document: Document) -> None:
    """— N — in 4号 宋体: odd pages at the right, even pages at the left, one character in."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0]
        _format(para, align=side, indent=0, snap=False, exact=PAGE_NUMBER_SIZE * 10,
                right=1 if side == "right" else 0, left=1 if side == "left" else 0)
        _run(para, DASH + " ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        _field(para, "PAGE")
        _run(para, " " + DASH, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _field(para: Paragraph, instruction: str) -> None:
    """A complex field (begin, instruction, separate, result, end), as Word writes it."""
    def fld(kind: str) -> None:
        run = _run(para, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        run._r.append(_element("w:fldChar", {"w:fldCharType": kind}))

    fld("begin")
    run = _run(para, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    instr = _element("w:instrText", {"xml:space": "preserve"})
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    _run(para, "1", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    fld("end")


def _page(document: Document) -> None:
    """A4, the GB/T margins, the footer 7 mm below the block, a 22-line grid."""
    from docx.shared import Twips

    section = document.sections[0]
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Twips(TOP), Twips(BOTTOM)
    section.left_margin, section.right_margin = Twips(LEFT), Twips(RIGHT)
    section.gutter = Twips(0)
    section.header_distance = Twips(round(15 * MM))
    section.footer_distance = Twips(FOOTER)
    sect = section._sectPr
    for old in sect.findall(_qn("w:docGrid")):
        sect.remove(old)
    sect.append(_element("w:docGrid", {"w:type": "lines", "w:linePitch": str(LINE_PITCH)}))


def _defaults(document: Document) -> None:
    """Document defaults and Normal: 3号 仿宋_GB2312, Chinese, fixed 28.95 pt lines.

    The grid's character pitch is counted from the default font size
    (w:docDefaults), so that must be 3号 too, or every character takes two cells.
    """
    defaults = document.styles.element.find(_qn("w:docDefaults"))
    if defaults is not None:
        for r_pr in defaults.iter(_qn("w:rPr")):
            _fonts(r_pr, BODY_FONT, BODY_SIZE)
        for p_pr in defaults.iter(_qn("w:pPr")):
            _set(p_pr, "w:spacing", {"w:line": str(LINE_PITCH), "w:lineRule": "exact",
                                     "w:before": "0", "w:after": "0"})
    normal = document.styles["Normal"]
    r_pr = normal.element.get_or_add_rPr()
    _fonts(r_pr, BODY_FONT, BODY_SIZE)
    p_pr = normal.element.get_or_add_pPr()
    _set(p_pr, "w:spacing", {"w:line": str(LINE_PITCH), "w:lineRule": "exact",
                             "w:before": "0", "w:after": "0"})
    _set(p_pr, "w:jc", {"w:val": "both"})


def _format(para: Paragraph, align: str = "both", indent: float = 2, right: float = 0,
            left: float = 0, snap: bool = True, exact: int = LINE_PITCH) -> None:
    """Alignment, indents in characters (w:*Chars, with twips for other readers), spacing."""
    p_pr = para._p.get_or_add_pPr()
    # A long e-mail address or web address may break (Word: 允许西文在单词中间换行)
    # rather than leave the line before it stretched across the page.
    _set(p_pr, "w:wordWrap", {"w:val": "0"})
    _set(p_pr, "w:autoSpaceDE", {"w:val": "0"})  # 2021年8月26日, not 2021 年 8 月
    _set(p_pr, "w:autoSpaceDN", {"w:val": "0"})
    if not snap:
        _set(p_pr, "w:snapToGrid", {"w:val": "0"})
    _set(p_pr, "w:spacing", {"w:line": str(exact), "w:lineRule": "exact",
                             "w:before": "0", "w:after": "0"})
    char = CHAR if exact == LINE_PITCH else PAGE_NUMBER_CHAR
    ind = {"w:left": str(round(left * char)), "w:right": str(round(right * char)),
           "w:firstLine": str(round(indent * char))}
    if left:
        ind["w:leftChars"] = str(round(left * 100))
    if right:
        ind["w:rightChars"] = str(round(right * 100))
    ind["w:firstLineChars"] = str(round(indent * 100))
    _set(p_pr, "w:ind", ind)
    _set(p_pr, "w:jc", {"w:val": align})


def _run(para: Paragraph, text: str, font: str, size: int) -> Any:
    run = para.add_run(text)
    _fonts(run._r.get_or_add_rPr(), font, size)
    return run


def _fonts(r_pr: Any, font: str, size: int) -> None:
    """One font for every script, the East Asian one named as Word expects (w:eastAsia)."""
    _set(r_pr, "w:rFonts", {"w:ascii": font, "w:hAnsi": font, "w:eastAsia": font, "w:cs": font,
                            "w:hint": "eastAsia"})
    if size == BODY_SIZE:
        _set(r_pr, "w:spacing", {"w:val": str(BODY_TRACKING)})
    _set(r_pr, "w:sz", {"w:val": str(size)})
    _set(r_pr, "w:szCs", {"w:val": str(size)})
    _set(r_pr, "w:lang", {"w:val": "en-US", "w:eastAsia": "zh-CN"})


# ---------------------------------------------------------------- raw XML


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _element(tag: str, attrs: dict[str, str] | None = None) -> Any:
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        element.set(_qn(key), value)
    return element


# The order Word's schema wants children of w:pPr and w:rPr in (a reader may reject others).
_ORDER = {
    "w:pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
              "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd",
              "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
              "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
              "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc"),
    "w:rPr": ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps",
              "w:smallCaps", "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss",
              "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
              "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
              "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
              "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang"),
}


def _set(parent: Any, tag: str, attrs: dict[str, str]) -> None:
    """Replace `tag` under `parent` (w:pPr or w:rPr) with one carrying `attrs`, in schema order."""
    for old in parent.findall(_qn(tag)):
        parent.remove(old)
    element = _element(tag, attrs)
    order = next((names for key, names in _ORDER.items() if parent.tag == _qn(key)), ())
    if tag in order:
        rank = order.index(tag)
        for index, child in enumerate(parent):
            name = next((n for n in order if _qn(n) == child.tag), None)
            if name is not None and order.index(name) > rank:
                parent.insert(index, element)
                return
    parent.append(element)
