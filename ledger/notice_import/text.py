"""Parse a notice's text (通报, as copied from a web page or read from Word) into records.

Recognises the structure (title and issuer, intro, numbered sections, aspects →
subjects → problems → measures 一是…二是…, the closing, the issuer and date)
and returns `records.Parsed`. Text is kept exactly as written; numbers are not
stored (the renderer computes them). What it cannot place it reports as a
warning with the line, and goes on. It guesses nothing the notice does not say:
deadlines, people and units stay empty. No I/O and no YAML here (see `source`
and `write`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ledger.core.model import (
    INSPECTION_KINDS,
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    Location,
    Problem,
    cn_date,
)
from ledger.core.numerals import DEPTH, label, measure_label, parse_cn_number
from ledger.read.notice import (
    Notice,
    count_phrase,
    level_styles,
    progress_sentence,
    status_of_sentence,
)

from .figures import problem_amounts, side_results, stated_counts, stated_money
from .records import (
    UNGROUPED,
    AspectRec,
    ClosedRec,
    Counted,
    HeaderRec,
    IssueRec,
    MeasureRec,
    NoticeRec,
    Paragraph,
    Parsed,
    SectionRec,
    SubjectRec,
)
from .traditional import Restorer, simplified


@dataclass(frozen=True, slots=True)
class Para:
    """One non-blank line of the notice, stripped, with its 1-based line number."""

    line: int
    text: str


_CN = "一二三四五六七八九十百零"
_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("一、", re.compile(rf"^([{_CN}]+)、")),
    ("(一)", re.compile(rf"^\(([{_CN}]+)\)")),
    ("（一）", re.compile(rf"^（([{_CN}]+)）")),
    ("1.", re.compile(r"^(\d+)\.(?!\d)")),
    ("1、", re.compile(r"^(\d+)、")),
    ("1．", re.compile(r"^(\d+)．")),
    ("(1)", re.compile(r"^\((\d+)\)")),
    ("（1）", re.compile(r"^（(\d+)）")),
)
_BREADCRUMB = re.compile(r"^(?:当前位置|您的位置|您当前的位置|所在位置)?[::]?\s*首页\s*"
                         r"(?:[>›»＞]|->|-&gt;|&gt;)")
_SOURCE_LINE = re.compile(r"^(来源|信息来源|发布时间|发布日期)[::]")
_META_LABELS = ("信息索引号", "索引号", "文件名称", "名称", "发布机构", "发文机关", "成文日期",
                "发布日期", "发布时间", "信息来源", "来源", "浏览次数", "访问量", "点击数",
                "主题分类", "公开方式", "公开范围", "文号", "发文字号", "作者", "编辑", "责任编辑",
                "字号", "生效日期", "有效性")
_META_FIELD = re.compile("(" + "|".join(sorted(_META_LABELS, key=len, reverse=True))
                         + r")\s*[::]")
_META_LINE = re.compile(r"^[•·\s]*(" + "|".join(_META_LABELS) + r")\s*[::]")
_TOOLS = re.compile(r"字号|字体|大|中|小|分享到|分享|朗读|打印本页|打印|关闭窗口|关闭|收藏|"
                    r"扫一扫在手机打开当前页|扫一扫|返回顶部|微信|微博|默认|视力保护色")
_TITLE = re.compile(r"关于.+(通报|情况|报告|公告|公示)$")
_DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_MEASURES_LABEL = re.compile(r"^(整改情况|整改措施|整改落实情况|整改进展情况|整改进展)[::]")
_CLOSING_WORDS = ("欢迎", "联系方式", "联系电话", "邮政信箱", "电子信箱", "电子邮箱")
_STATUS_STARTS = ("该问题", "此问题", "该项问题")
# Characters after which 二是, 三是 … start a new measure; elsewhere they are prose.
_MEASURE_BREAKS = "。;;,,::!!?? )）"


def match_label(text: str, styles: Sequence[str] | None = None) -> tuple[str, int, str] | None:
    """(style, number, rest) when `text` opens with a numbering label such as (一) or 1."""
    for style, pattern in _LABELS:
        if styles is not None and style not in styles:
            continue
        found = pattern.match(text)
        if found is None:
            continue
        raw = found.group(1)
        number = int(raw) if raw.isdigit() else parse_cn_number(raw)
        if number is not None and number > 0:
            return style, number, text[found.end():]
    return None


def split_measures(text: str) -> list[str]:
    """一是…二是…三是… in one paragraph to measures without the prefixes.

    A paragraph that does not run 一是 then 二是 is one measure, kept whole, so
    that rendering it again gives back the same paragraph.
    """
    if not text.startswith(measure_label(1)):
        return [text]
    starts = [0]
    number = 2
    position = len(measure_label(1))
    while True:
        marker = measure_label(number)
        found = text.find(marker, position)
        while found > 0 and text[found - 1] not in _MEASURE_BREAKS:
            found = text.find(marker, found + 1)
        if found <= 0:
            break
        starts.append(found)
        position = found + len(marker)
        number += 1
    if len(starts) == 1:
        return [text]
    ends = [*starts[1:], len(text)]
    return [text[start + len(measure_label(index)):end]
            for index, (start, end) in enumerate(zip(starts, ends, strict=True), start=1)]


def _status_before(text: str) -> str:
    """该问题已完成整改。 opening a measures paragraph whose 一是… follows, or ""."""
    if not text.startswith(_STATUS_STARTS):
        return ""
    cut = text.find("。")
    if cut < 0 or not text[cut + 1:].startswith(measure_label(1)):
        return ""
    sentence = text[:cut + 1]
    return sentence if _is_status_sentence(sentence) else ""


def _preface(text: str) -> str:
    """A lead-in sentence before 一是 (局党组高度重视……。一是…二是…), or ""."""
    if text.startswith(measure_label(1)):
        return ""
    for stop in "。::":
        at = text.find(stop + measure_label(1))
        if at >= 0 and len(split_measures(text[at + 1:])) > 1:
            return text[:at + 1]
    return ""


def _is_status_sentence(text: str) -> bool:
    """A single sentence reporting the problem's status, like 该问题已完成整改。"""
    body = text.rstrip("。")
    return "。" not in body and status_of_sentence(text) is not None


def _split_status(text: str) -> tuple[str, str]:
    """Measures text and a trailing status sentence (or "")."""
    at = max(text.rfind(start) for start in _STATUS_STARTS)
    if at >= 0 and (at == 0 or text[at - 1] in "。;;") and _is_status_sentence(text[at:]):
        return text[:at], text[at:]
    return text, ""


@dataclass
class _Item:
    """A labelled paragraph and the unlabelled paragraphs that follow it."""

    style: str
    number: int
    text: str
    para: Para
    body: list[Para] = field(default_factory=list)


class _Parser:
    """One pass over a notice's paragraphs; collects the files' data and warnings."""

    def __init__(self, relpath: str) -> None:
        self.relpath = relpath
        self.problems: list[Problem] = []
        self.aspects: list[AspectRec] = []
        self.subjects: list[SubjectRec] = []
        self.issues: list[IssueRec] = []
        self.styles: dict[str, str] = {}
        self.measures_label: str | None = None
        self.status_sentences: dict[str, str] = {}
        self.status_inline: bool | None = None
        self.status_before = False
        self.above_title: list[str] = []
        self.date_text = ""
        self.measure_paragraphs = False

    def warn(self, para: Para, code: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(Location(self.relpath, para.line, 1), code, "warning",
                                     f"{message}:{_excerpt(para.text)}", hint))

    def unplaced(self, paras: Sequence[Para], where: str) -> None:
        for para in paras:
            self.warn(para, "import-unplaced", f"无法归入{where},未导入",
                      "请检查原文这一行的编号或位置;需要时手工补入 data/ 下的文件")

    # -------------------------------------------------------------- blocks

    def items(self, paras: Sequence[Para], styles: Sequence[str]) -> tuple[list[Para], list[_Item]]:
        """Paragraphs before the first label, then the labelled items with their bodies.

        A label counts only when it continues its style's sequence (or restarts
        at 1), so "1." inside a measure's prose is not taken for a heading.
        """
        lead: list[Para] = []
        found: list[_Item] = []
        last: dict[str, int] = {}
        for para in paras:
            got = match_label(para.text, styles)
            if got is not None:
                style, number, rest = got
                if number in (last.get(style, 0) + 1, 1):
                    last[style] = number
                    found.append(_Item(style, number, rest, para))
                    continue
            if found:
                found[-1].body.append(para)
            else:
                lead.append(para)
        return lead, found

    def problem_block(self, paras: Sequence[Para], styles: Sequence[str], commit: bool,
                      strict: bool = False) -> tuple[list[Para], list[Para]] | None:
        """Parse aspects → subjects → problems; None when the paragraphs are not that shape.

        Returns the paragraphs before the first label and those after the last
        problem's measures (a closing, perhaps). Only when `commit` is true are
        aspects, subjects and problems recorded. `strict` refuses text under an
        aspect or subject heading: at the top level that text means narrative
        sections, not a list of problems.
        """
        lead, found = self.items(paras, styles)
        # Levels follow the standard ladder 一、 (一) 1. (1), not the order labels first
        # appear in: an aspect may list its own problems before another has subjects.
        order = sorted({item.style for item in found}, key=DEPTH.__getitem__)
        if not found or len(order) > 3:
            return None
        leaf = order[-1]
        leaves = [item for item in found if item.style == leaf]
        # The last problem may have lost its measures to a page cut off (warned later).
        if any(not item.body for item in leaves[:-1]) or (not leaves[-1].body
                                                           and len(leaves) == 1):
            return None
        # A narrative point carries its text in the same paragraph; a problem's
        # title stands alone with its measures below.
        if not all(_looks_like_problem(item) for item in leaves):
            return None
        if strict and any(item.body for item in found if item.style != leaf):
            return None
        if not commit:
            return lead, []
        names = {3: ("aspect", "subject", "problem"), 2: ("aspect", "problem"),
                 1: ("problem",)}[len(order)]
        level_of = dict(zip(order, names, strict=True))
        for style, name in level_of.items():
            self.styles[name] = style
        aspect: int | None = None
        subject: int | None = None
        trailing: list[Para] = []
        for item in found:
            level = level_of[item.style]
            # What followed the previous problem's measures has no place before this item.
            self.unplaced(trailing, "上一个问题的整改措施之后")
            trailing = []
            if level != "problem":
                self.unplaced(item.body, "方面或事项的标题之后")
            if level == "aspect":
                self.aspects.append(AspectRec(len(self.aspects) + 1, item.text))
                aspect, subject = len(self.aspects), None
                self.check_number(item, len(self.aspects))
            elif level == "subject":
                self.subjects.append(SubjectRec(len(self.subjects) + 1,
                                                aspect if aspect is not None else 1, item.text))
                subject = len(self.subjects)
                self.check_number(item, len(self.subjects))
            else:
                trailing = self.problem(item, aspect, subject)
        return lead, trailing

    def check_number(self, item: _Item, expected: int) -> None:
        if item.number != expected:
            self.warn(item.para, "import-renumbered",
                      f"原文编号为 {label(item.style, item.number)},按顺序应为 "
                      f"{label(item.style, expected)};已按顺序编号",
                      "本工具按顺序连续编号(跨方面接续),与原文不同之处请核对")

    def problem(self, item: _Item, aspect: int | None, subject: int | None) -> list[Para]:
        """Record one problem from its title paragraph and body; return what is left over."""
        number = len(self.issues) + 1
        self.check_number(item, number)
        body = list(item.body)
        title = item.text
        if len(body) > 1 and not _MEASURES_LABEL.match(body[0].text) \
                and _MEASURES_LABEL.match(body[1].text) and not _is_status_sentence(body[0].text):
            # The problem's own text on a line between its heading and 整改情况:.
            title = f"{title}\n{body.pop(0).text}"
        text = body.pop(0).text if body else ""
        found = _MEASURES_LABEL.match(text)
        if found is not None:
            if self.measures_label not in (None, found.group(0)):
                self.warn(item.body[0], "import-layout",
                          f"措施前的标签与前文不一致(前文为 {self.measures_label})")
            self.measures_label = found.group(0)
            text = text[found.end():]
        elif self.measures_label:
            self.warn(item.body[0], "import-layout",
                      f"本问题的措施前没有 {self.measures_label},渲染时会加上")
        text, sentence = _split_status(text)
        before = _status_before(text) if not sentence else ""
        if before:
            # 该问题已完成整改。一是…: the status first, then the measures.
            sentence, text = before, text[len(before):]
            self.status_before = True
        preface = _preface(text)
        text = text[len(preface):]
        measures = split_measures(text) if text else []
        first, second = measure_label(1), measure_label(2)
        if not sentence and len(measures) == 1 and text.startswith(first) and body \
                and body[0].text.startswith(second):
            # 一是… 二是… each in a paragraph of its own.
            self.measure_paragraphs = True
            measures = [text[len(first):]]
            while body and body[0].text.startswith(measure_label(len(measures) + 1)):
                measures.append(body.pop(0).text[len(measure_label(len(measures) + 1)):])
            measures[-1], sentence = _split_status(measures[-1])
        inline = bool(sentence)
        if not sentence and body and _is_status_sentence(body[0].text):
            sentence = body.pop(0).text
        status = STATUS_IN_PROGRESS
        if sentence:
            status = status_of_sentence(sentence) or STATUS_IN_PROGRESS
            known = self.status_sentences.setdefault(status, sentence)
            if known != sentence or self.status_inline not in (None, inline):
                self.warn(item.para, "import-layout",
                          f"状态句与前文写法不同(前文为 {known}),渲染时按前文写法")
            self.status_inline = inline if self.status_inline is None else self.status_inline
        record = IssueRec(number, aspect if aspect is not None else 1, title,
                          [MeasureRec(text) for text in measures], status,
                          subject, line=item.para.line, preface=preface)
        self.issues.append(record)
        return body

    def narrative(self, paras: Sequence[Para]) -> tuple[list[Para], list[str], list[Para]]:
        """A narrative section: paragraphs, points (一)… (text after the label), the rest."""
        style = "(一)"
        lead, found = self.items(paras, ("(一)", "（一）"))
        if found:
            style = found[0].style
            self.styles.setdefault("point", style)
        points: list[str] = []
        rest: list[Para] = []
        for index, item in enumerate(found, start=1):
            if rest or item.number != index or item.style != style:
                rest.extend([item.para, *item.body])
                continue
            points.append(item.text)
            rest.extend(item.body)
        return lead, points, rest


def _looks_like_problem(item: _Item) -> bool:
    first = item.body[0].text if item.body else ""
    if item.style in ("(1)", "（1）", "1.", "1、", "1．") and item.body:
        return True
    return (item.text.rstrip("。").endswith("问题")
            or first.startswith(measure_label(1))
            or _MEASURES_LABEL.match(first) is not None
            or _is_status_sentence(first))


def _excerpt(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width] + "…"


def _closing_start(paras: Sequence[Para]) -> int:
    """Index of the first paragraph that opens a closing (欢迎…监督, 联系方式 …), or len."""
    for index, para in enumerate(paras):
        if any(word in para.text for word in _CLOSING_WORDS):
            return index
    return len(paras)


def _join_bare_labels(parser: _Parser, paras: list[Para]) -> list[Para]:
    """A label alone on its line ("(1)", "三、"), as web pages often break them, joins the next."""
    joined: list[Para] = []
    index = 0
    while index < len(paras):
        para = paras[index]
        found = match_label(para.text)
        if found is not None and not found[2].strip() and index + 1 < len(paras):
            parser.warn(para, "import-layout", "编号单独成行,已与下一行合并")
            joined.append(Para(para.line, para.text + paras[index + 1].text))
            index += 2
            continue
        joined.append(para)
        index += 1
    return joined


def parse(text: str, relpath: str = "notice.txt") -> Parsed:
    """A notice's text to the data of the ledger's files, with warnings for what did not fit.

    Traditional characters (關於, 整改情況, 審計) are recognised as their simplified
    forms; every text is kept as the notice wrote it.
    """
    simple = simplified(text)
    if simple == text:
        return _parse(text, relpath)
    parsed = _parse(simple, relpath)
    restore_texts(parsed, Restorer(_lines(simple), _lines(text)))
    parsed.lines = tuple(_lines(text))
    return parsed


def _lines(text: str) -> list[str]:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def restore_texts(parsed: Parsed, back: Restorer) -> None:
    """Every text of the records as the original wrote it (see `traditional`)."""
    header = parsed.header
    header.issuer, header.title = back(header.issuer), back(header.title)
    header.by = back(header.by) if header.by else header.by
    for aspect in header.aspects:
        aspect.title = back(aspect.title)
    for subject in header.subjects:
        subject.title = back(subject.title)

    def paragraphs(items: list[Paragraph]) -> list[Paragraph]:
        return [Counted(back(item.before), back(item.after)) if isinstance(item, Counted)
                else back(item) for item in items]

    notice = parsed.notice
    if notice is not None:
        notice.intro, notice.closing = paragraphs(notice.intro), paragraphs(notice.closing)
        for section in notice.sections:
            section.heading = back(section.heading)
            section.paragraphs = paragraphs(section.paragraphs)
            section.points = [back(point) for point in section.points]
        notice.signature = back(notice.signature)
        notice.measures_label = back(notice.measures_label)
        notice.status_sentences = {key: back(value)
                                   for key, value in notice.status_sentences.items()}
        notice.source = {key: back(value) for key, value in notice.source.items()}
        notice.meta = [back(line) for line in notice.meta]
    for issue in parsed.issues:
        issue.title, issue.preface = back(issue.title), back(issue.preface)
        for measure in issue.measures:
            measure.text = back(measure.text)
        if issue.closed is not None:
            issue.closed.note = back(issue.closed.note)


def _parse(text: str, relpath: str) -> Parsed:
    parser = _Parser(relpath)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paras = [Para(number, line.strip(_BLANKS))
             for number, line in enumerate(lines, start=1) if line.strip(_BLANKS)]
    paras = _join_bare_labels(parser, paras)
    paras, breadcrumb, source_line, meta = _clutter(paras)
    page = metadata([breadcrumb, source_line, *meta])
    issuer, title, issuer_in_title, body = _head(parser, paras, page)
    notice_date, signature, body = _foot(parser, body)
    if notice_date is None:
        notice_date = _page_date(page)
    if notice_date is None:
        parser.problems.append(Problem(Location(relpath, len(lines), 1), "import-no-date",
                                       "warning", "找不到落款日期(如 2021年8月26日)",
                                       "请在 data/notice.yaml 中填写 date"))
    intro, sections, top, closing = _body(parser, body)
    if parser.issues and not closing and signature == "":
        last = parser.issues[-1]
        tail = last.measures[-1].text if last.measures else ""
        if not tail.rstrip().endswith(_ENDS):
            parser.problems.append(Problem(
                Location(relpath, body[-1].line if body else 1, 1), "import-cut-off", "warning",
                f"通报似在第 {last.number} 个问题中途截断(" + ("没有整改措施" if not tail
                                                              else f"末句为:{tail[-20:]}")
                + "),该问题已按现有文字导入",
                "请找到完整的通报核对这个问题的整改措施;需要时手工补入 data/issues/ 下的文件"))
    issuer = issuer or signature or _intro_issuer(intro) or page.get("发布机构", "")
    if not parser.issues:
        where = body[0] if body else Para(1, "")
        end = body[-1].line if body else 1
        parser.problems.append(Problem(
            Location(relpath, where.line, 1), "import-no-problems", "warning",
            f"没有识别出问题清单:第 {where.line}–{end} 行作为叙述文字保留在 data/notice.yaml 中,"
            "未生成问题文件",
            "台账头文件已写入;问题可用 ledger new 逐个添加,或把原文的问题改为 (1)…、"
            "一是… 的写法后重新导入(--force)"))
    progress = _mark_counts(parser, [intro, *(section.paragraphs for section in sections),
                                     closing])
    source = {key: value for key, value in (("breadcrumb", breadcrumb), ("line", source_line))
              if value}
    notice = NoticeRec(
        date=notice_date,
        source={"breadcrumb": breadcrumb, "line": source_line} if source else {},
        meta=[*parser.above_title, *meta],
        date_text=parser.date_text if notice_date is not None else "",
        issuer_in_title=issuer_in_title,
        signature=signature if signature and signature != issuer else "",
        # The ledger needs an aspect for every problem; this one is never printed.
        aspects=bool(parser.aspects) or not parser.issues,
        intro=intro, sections=sections, problems=top, closing=closing,
        progress_sentence=progress,
        measures_label=parser.measures_label or "",
        measure_paragraphs=parser.measure_paragraphs,
        status_sentences=parser.status_sentences,
        status_inline=parser.status_inline is not False,
        status_before=parser.status_before,
        numbering=_numbering(parser, top))
    if notice_date is not None:
        for issue in parser.issues:
            if issue.status == STATUS_DONE:
                _closed_by_notice(issue, notice_date, issuer + title,
                                  parser.status_sentences[STATUS_DONE])
    # The count phrase the data renders again (Counted) is not stated: the rest of its
    # paragraph is.
    narrative = [part if isinstance(part, str) else f"{part.before}。{part.after}"
                 for part in [*intro, *(p for section in sections for p in section.paragraphs)]]
    header = _header(parser, issuer, title, intro, narrative)
    notes = _figures(header, parser.issues, narrative)
    return Parsed(header, notice, parser.issues, parser.problems, tuple(lines), tuple(notes))


_BLANKS = " \t\u3000\xa0"
# How a complete sentence ends; a cut-off page's last line ends otherwise.
_ENDS = ("。", ";", ";", "!", "!", "?", "?", "”", "\"", ")", ")", "…")


def _clutter(paras: list[Para]) -> tuple[list[Para], str, str, list[str]]:
    """The paragraphs without the web page's furniture; its breadcrumb, source line, others.

    Furniture: breadcrumbs (首页 > … or -> …), metadata (信息索引号, 文件名称,
    发布机构, 成文日期, 发布日期, 信息来源, 浏览次数 …, one or several to a line) and
    the page's tools (字号 大 中 小, 分享, 朗读, 打印, 关闭). None of it is the notice's
    text; all of it is kept, in order, as the notice's `source`.
    """
    breadcrumb = source_line = ""
    meta: list[str] = []
    kept: list[Para] = []
    for para in paras:
        text = para.text
        if "。" in text:
            kept.append(para)
        elif not breadcrumb and _BREADCRUMB.match(text):
            breadcrumb = text
        elif not source_line and _SOURCE_LINE.match(text):
            source_line = text
        elif _BREADCRUMB.match(text) or _META_LINE.match(text) or _is_tools(text):
            meta.append(text)
        else:
            kept.append(para)
    return kept, breadcrumb, source_line, meta


def metadata(lines: Sequence[str]) -> dict[str, str]:
    """信息索引号: … • 发布机构: … • 成文日期: … → {label: value}, from the furniture lines."""
    out: dict[str, str] = {}
    for line in lines:
        found = list(_META_FIELD.finditer(line))
        for here, after in zip(found, [*found[1:], None][:len(found)], strict=True):
            value = line[here.end():after.start() if after else len(line)]
            value = value.strip(_BLANKS + "•·|丨")
            out.setdefault(here.group(1), value)
    return out


def _is_tools(text: str) -> bool:
    """A line of the page's tools only: 【打印】【关闭】, 字号:[ 大 中 小 ], 分享到: …"""
    rest = _TOOLS.sub("", text)
    return text != rest and not rest.strip(_BLANKS + "[]【】()（）|丨:::•·/")


def _is_name_line(text: str) -> bool:
    """An issuer's name on a line of its own: short, no sentence, no phone number or label."""
    return len(text) <= 40 and not any(char in text for char in "。::,,") \
        and not any(char.isdigit() for char in text)


def _head(parser: _Parser, paras: list[Para], page: dict[str, str]
          ) -> tuple[str, str, bool, list[Para]]:
    """Issuer, title, whether the issuer is written into the title, and the rest.

    The issuer is the line above the title only when it names an organisation
    (…党组, …局, …委员会): a web page's navigation (政务公开, 工作动态) never is.
    """
    at = next((index for index, para in enumerate(paras[:6])
               if _TITLE.search(para.text) and "。" not in para.text), None)
    if at is None:
        title = page.get("文件名称", "") or page.get("名称", "")
        parser.problems.append(Problem(Location(parser.relpath, 1, 1), "import-no-title",
                                       "warning", "找不到通报标题(关于…的通报)"
                                       + (f",标题取自网页的文件名称:{title}" if title else ""),
                                       "请在 data/ledger.yaml 中填写 issuer 和 title"))
        return "", title, False, paras
    issuer, title, combined = "", paras[at].text, False
    head = paras[:at]
    if head and _is_name_line(head[-1].text) and _is_org(head[-1].text):
        issuer = head.pop().text
    elif not title.startswith("关于"):
        cut = title.index("关于")
        issuer, title, combined = title[:cut], title[cut:], True
    # Above the title, anything but the issuer is the page's navigation: furniture.
    parser.above_title = [para.text for para in head]
    return issuer, title, combined, paras[at + 1:]


def _foot(parser: _Parser, body: list[Para]) -> tuple[date | None, str, list[Para]]:
    """The date at the foot, the issuer's name above it, and the body without them."""
    foot = next((index for index in range(len(body) - 1, -1, -1)
                 if _DATE_LINE.match(arabic_dates(body[index].text))), None)
    if foot is None:
        return None, "", body
    found = _DATE_LINE.match(arabic_dates(body[foot].text))
    assert found is not None
    parser.date_text = body[foot].text if body[foot].text != found.group(0) else ""
    parser.unplaced(body[foot + 1:], "落款日期之后")
    body = body[:foot]
    signature = body.pop().text if body and _is_name_line(body[-1].text) else ""
    return _date(found.group(1), found.group(2), found.group(3)), signature, body


def _closed_by_notice(issue: IssueRec, on: date, notice_title: str, sentence: str) -> None:
    """A problem the notice reports rectified: closed on its date, the notice as evidence."""
    for measure in issue.measures:
        measure.done = on
    issue.closed = ClosedRec(on, f"{notice_title}({cn_date(on)})", f"导入时据通报:{sentence}")


def _mark_counts(parser: _Parser, lists: Sequence[list[Paragraph]]) -> bool:
    """Turn the first count phrase into {before, after}, and the progress sentence after it
    into the switch; each only when rendering it again gives the same text. True when
    the progress sentence was found."""
    counts = count_phrase(len(parser.aspects), len(parser.issues))
    sentence = progress_sentence([issue.status for issue in parser.issues])
    for paragraphs in lists:
        for index, paragraph in enumerate(paragraphs):
            if isinstance(paragraph, str) and counts in paragraph:
                before, _, after = paragraph.partition(counts)
                paragraphs[index] = Counted(before, after)
                if index + 1 < len(paragraphs) and paragraphs[index + 1] == sentence:
                    del paragraphs[index + 1]
                    return True
                return False
    return False


def _body(parser: _Parser, body: list[Para]
          ) -> tuple[list[Paragraph], list[SectionRec], bool, list[Paragraph]]:
    """Intro, sections, whether problems sit at the top level, closing."""
    starts: list[int] = []
    for index, para in enumerate(body):
        got = match_label(para.text, ("一、",))
        if got is not None and got[1] == len(starts) + 1:
            starts.append(index)
    all_styles = tuple(style for style, _ in _LABELS)
    if not starts:
        # No 一、 at all: a bare list of problems after the intro.
        first = next((index for index, para in enumerate(body) if match_label(para.text)),
                     len(body))
        opening: list[Paragraph] = [para.text for para in body[:first]]
        if parser.problem_block(body[first:], all_styles, commit=False) is None:
            # Kept as narrative, in order: nothing of the notice is lost.
            return [para.text for para in body], [], False, []
        _, trailing = parser.problem_block(body[first:], all_styles, commit=True) or ([], [])
        return opening, [], True, [p.text for p in trailing]
    intro: list[Paragraph] = [para.text for para in body[:starts[0]]]
    rest = body[starts[0]:]
    # Problems (or aspects) at the top level read 关于…问题; a section heading such as
    # 整改落实情况 does not, whatever follows it.
    headings = [match_label(body[index].text, ("一、",)) for index in starts]
    top_like = all(got is not None and (got[2].rstrip("。").endswith("问题") or "方面" in got[2])
                   for got in headings)
    top_try = parser.problem_block(rest, all_styles, commit=False, strict=True) \
        if top_like else None
    if top_try is not None and not top_try[0]:
        _, trailing = parser.problem_block(rest, all_styles, commit=True) or ([], [])
        return intro, [], True, [para.text for para in trailing]
    sections: list[SectionRec] = []
    closing: list[Para] = []
    bounds = [*starts, len(body)]
    inner = tuple(style for style in all_styles if style != "一、")
    for number, (start, end) in enumerate(itertools.pairwise(bounds), start=1):
        heading = body[start].text[len(label("一、", number)):]
        paras = body[start + 1:end]
        last = end == len(body)
        section = SectionRec(heading)
        has_problems = not parser.issues and parser.problem_block(paras, inner, False)
        if has_problems:
            lead, trailing = parser.problem_block(paras, inner, commit=True) or ([], [])
            section.paragraphs = [para.text for para in lead]
            section.problems = True
        else:
            lead, points, trailing = parser.narrative(paras)
            if last and not points:
                cut = _closing_start(lead[1:]) + 1
                lead, trailing = lead[:cut], lead[cut:] + trailing
            section.paragraphs = [para.text for para in lead]
            section.points = points
        if last:
            closing = trailing
        else:
            parser.unplaced(trailing, f"第{number}部分")
        sections.append(section)
    return intro, sections, False, [para.text for para in closing]


def _numbering(parser: _Parser, top: bool) -> dict[str, str]:
    """The label styles the notice used where they differ from the standard ladder."""
    default = level_styles(Notice(problems=top), bool(parser.aspects), bool(parser.subjects))
    return {level: style for level, style in parser.styles.items()
            if default.get(level) != style}


def _header(parser: _Parser, issuer: str, title: str, intro: Sequence[Paragraph],
            narrative: Sequence[str]) -> HeaderRec:
    own = arabic_dates("".join(part for part in intro if isinstance(part, str)) + title)
    text = own if _FULL_DATE.search(own) or not narrative else arabic_dates("".join(narrative))
    kind = inspection_kind(own + "".join(narrative))
    start, end, feedback = inspection_dates(text)
    if feedback is None or kind is None:
        missing = "、".join(word for word, value in (("检查类别", kind), ("反馈日期", feedback))
                           if value is None)
        parser.problems.append(Problem(Location(parser.relpath, 1, 1), "import-no-inspection",
                                       "warning", f"导语中找不到{missing}",
                                       "请在 data/ledger.yaml 的 inspection 中填写 kind 和 "
                                       "feedback"))
    return HeaderRec(issuer=issuer, title=title, kind=kind, by=inspection_group(own or text),
                     start=start, end=end, feedback=feedback,
                     aspects=parser.aspects or [AspectRec(1, UNGROUPED)],
                     subjects=parser.subjects)


# ---------------------------------------------------------------- the inspection


_KIND_WORDS = ("巡视", "巡察", "审计", "督察", "督查")
# A kind word inside a name says nothing about the kind: 审计局, 《…巡视工作条例》.
_NOT_KIND = re.compile(r"《[^》]*》|(?:巡视|巡察|审计|督察|督查)(?:局|厅|署|处|科|室|办|机关|"
                       r"工作领导小组|工作条例|条例|工作规定|法)")


def inspection_kind(text: str) -> str | None:
    """The kind the text speaks of most (专项巡察 is 巡察); names and cited rules do not count."""
    clean = _NOT_KIND.sub("", text)
    counts = {kind: clean.count(kind) for kind in _KIND_WORDS}
    best = max(_KIND_WORDS, key=lambda kind: counts[kind])
    if not counts[best]:
        return None
    return best if best in INSPECTION_KINDS else None


_GROUP = re.compile(
    r"((?:中央|(?:自治区|省|市|州|县|区|旗|盟)(?:委|党委)|[\u4e00-\u9fa5]{2,8}?党(?:委|组))?"
    r"(?:第[一二三四五六七八九十\d]+|专项)?(?:巡视|巡察|督察|督查)(?:[一二三四五六七八九十]+)?组)")
_GROUPS = re.compile(r"((?:自治区|省|市|州|县|区|旗|盟)(?:委|党委))组建"
                     r"(\d+|[一二三四五六七八九十]+)个(巡视|巡察)组")


def inspection_group(text: str) -> str | None:
    """区委第三巡察组, 市委专项巡察组, 巡察二组, 自治区党委第十巡视组, 区委5个巡察组; else None."""
    several = _GROUPS.search(text)
    if several is not None:
        return f"{several.group(1)}{several.group(2)}个{several.group(3)}组"
    found = [match.group(1) for match in _GROUP.finditer(text)]

    def specific(name: str) -> int:
        numbered = "第" in name or "专项" in name \
            or bool(re.search("[一二三四五六七八九十]组$", name))
        return numbered * 2 + (not name.startswith(_KIND_WORDS))

    ranked = sorted(found, key=specific, reverse=True)
    return ranked[0] if ranked and specific(ranked[0]) else None


_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_SPAN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:至|到|—|-|－|~|～)\s*"
                   r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_FULL_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_COUNTED = re.compile(r"反馈(?:意见)?(?:指出)?(?:的)?(?:问题)?\d")


def inspection_dates(text: str) -> tuple[date | None, date | None, date | None]:
    """(start, end, feedback): the inspection's period and the feedback date, however phrased.

    A year-less date takes the year of the last full date before it, one later
    when that would put it before the inspection's end (11月3日 after 2023年9月).
    """
    span = _SPAN.search(text)
    start = end = feedback = None
    if span is not None:
        start = _date(span.group(1), span.group(2), span.group(3))
        end = _date(span.group(4) or span.group(1), span.group(5), span.group(6))
        if start is not None and end is not None and end < start and not span.group(4):
            end = _date(str(start.year + 1), span.group(5), span.group(6))
    offset = 0
    for sentence in re.split("(?<=[。;;])", text):
        here, offset = offset, offset + len(sentence)
        at = sentence.find("反馈")
        if at < 0 or feedback is not None or _COUNTED.match(sentence[at:]):
            continue
        candidates = [match for match in _DAY.finditer(sentence)
                      if span is None or not span.start() <= here + match.start() < span.end()]
        if not candidates:
            continue
        before = [match for match in candidates if match.start() < at]
        chosen = before[-1] if before else candidates[0]
        year = chosen.group(1)
        if year is None:
            known = [m.group(1) for m in _FULL_DATE.finditer(text[:here + chosen.start()])]
            if not known:
                continue
            year = known[-1]
        found = _date(year, chosen.group(2), chosen.group(3))
        if found is not None and chosen.group(1) is None and end is not None and found < end:
            found = _date(str(found.year + 1), chosen.group(2), chosen.group(3))
        feedback = found
    return start, end, feedback


_CN_DATE_PART = re.compile(r"([〇○零一二三四五六七八九十]{1,4})(年|月|日)")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")


def arabic_dates(text: str) -> str:
    """二〇二三年十一月三日 → 2023年11月3日, to read dates (the text is kept as written)."""
    def convert(match: re.Match[str]) -> str:
        digits, unit = match.group(1), match.group(2)
        if unit == "年":
            if len(digits) == 4 and "十" not in digits:
                return digits.translate(_CN_DIGITS) + unit
            return match.group(0)
        number = parse_cn_number(digits)
        limit = 12 if unit == "月" else 31
        return f"{number}{unit}" if number is not None and 1 <= number <= limit else match.group(0)

    return _CN_DATE_PART.sub(convert, text)


def _page_date(page: dict[str, str]) -> date | None:
    """成文日期, else 发布日期 / 发布时间 of the web page: 2024-03-02, 2024年3月2日 …"""
    for key in ("成文日期", "发布日期", "发布时间"):
        found = re.search(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})",
                          page.get(key, ""))
        if found is not None:
            value = _date(found.group(1), found.group(2), found.group(3))
            if value is not None:
                return value
    return None


_ORG = re.compile(r"(党组|党委|党工委|党总支|党支部|委员会|政府|人民法院|人民检察院|局|厅|院|委|办|"
                  r"办公室|公司|集团|大学|学院|学校|医院|中心|协会|银行|纪委监委|监委)$")
_INTRO_ORG = re.compile(r"对(?:我|本)?([^,,。;;、对]{2,30}?(?:党组|党委|党工委|党总支|党支部|"
                        r"委员会|领导班子|局|院|公司|大学|学院|医院|中心))(?:开展了?|进行了?)")


def _is_org(text: str) -> bool:
    return _ORG.search(text) is not None


def _intro_issuer(intro: Sequence[Paragraph]) -> str:
    """The inspected body as the intro names it: 对市某某局党组开展了巡察 → 市某某局党组."""
    for part in intro:
        if isinstance(part, str):
            found = _INTRO_ORG.search(part)
            if found is not None:
                return found.group(1)
    return ""


def _figures(header: HeaderRec, issues: Sequence[IssueRec], narrative: Sequence[str]
             ) -> list[str]:
    """Stated counts, side results and amounts into the records; the report's lines on them."""
    header.stated = stated_counts(narrative)
    results, unit = side_results(narrative)
    header.stated.results = results
    involved, rectified, money_unit = stated_money(narrative)
    header.stated.involved, header.stated.rectified = involved, rectified
    notes: list[str] = []
    units = {unit, money_unit} - {""}
    for issue in issues:
        text = "".join([issue.title, issue.preface, *(m.text for m in issue.measures)])
        amounts, found_unit = problem_amounts(text)
        if amounts is None:
            continue
        issue.amounts = amounts
        units.add(found_unit)
        ways = "、".join(f"{way}{value}" for way, value in amounts.ways.items())
        notes.append(f"问题 {issue.number}:问题金额 {amounts.involved}{found_unit}"
                     + (f",已整改 {amounts.rectified}{found_unit}"
                        if amounts.rectified is not None else "")
                     + (f"(其中{ways})" if ways else "") + ";请与原文核对")
    if len(units) > 1:
        # 元 and 万元 mixed: nothing is converted, so nothing structured is kept.
        for issue in issues:
            issue.amounts = None
        header.stated.involved = header.stated.rectified = None
        header.stated.results = [tally for tally in header.stated.results if tally.amount is None]
        notes = ["通报中的金额单位不统一(元与万元),金额未导入为数据,仍保留在原文中"]
    elif units:
        header.money_unit = units.pop()
    stated = header.stated
    said = [f"{name}{value}" for name, value in (
        ("方面", stated.aspects), ("问题", stated.problems), ("措施", stated.measures),
        ("已完成", stated.done), ("未完成", stated.ongoing),
        ("完成率", f"{stated.rate}%" if stated.rate else None)) if value is not None]
    said += [f"{name}{value}{header.money_unit}" for name, value in (
        ("问题金额", stated.involved), ("已整改金额", stated.rectified)) if value is not None]
    said += [f"{tally.label}{tally.count if tally.count is not None else tally.amount}"
             for tally in stated.results]
    if said:
        notes.insert(0, "通报所述(记入 stated,validate 会与台账核对):" + "、".join(said))
    return notes


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


