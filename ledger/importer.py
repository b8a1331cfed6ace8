"""Import a published notice (通报) as copied from a web page into a ledger.

Reads the notice's text, recognises its structure (title and issuer, intro,
numbered sections, aspects → subjects → problems → measures 一是…二是…, the
closing, the issuer and date) and writes data/ledger.yaml, data/notice.yaml
and one data/issues/NNN.yaml per problem. Text is kept exactly as written;
numbers are not stored (the renderer computes them). What it cannot place it
reports as a warning with the line, and goes on. It guesses nothing the notice
does not say: deadlines, people and units stay empty. It does not render
(see `render`) and does not validate beyond what placing the text needs.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .errors import RefusedError, UsageError, WriteError
from .loader import HEADER_PATH, IMPORT_MARKER, ISSUES_DIR, issue_filename, shorten
from .model import INSPECTION_KINDS, STATUS_DONE, STATUS_IN_PROGRESS, Location, Problem, cn_date
from .notice import (
    NOTICE_PATH,
    Notice,
    count_phrase,
    level_styles,
    progress_sentence,
    status_of_sentence,
)
from .numerals import DEPTH, label, measure_label, parse_cn_number

# ---------------------------------------------------------------- text in


@dataclass(frozen=True, slots=True)
class Para:
    """One non-blank line of the notice, stripped, with its 1-based line number."""

    line: int
    text: str


@dataclass
class Imported:
    """What a notice holds, as the plain data of the files to write."""

    header: dict[str, Any]
    notice: dict[str, Any]
    issues: list[dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)


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
_BREADCRUMB = re.compile(r"^(首页|当前位置[::]?\s*首页|您的位置[::]?\s*首页)\s*[>›»]")
_SOURCE_LINE = re.compile(r"^(来源|信息来源|发布时间|发布日期)[::]")
_TITLE = re.compile(r"关于.+(通报|情况|报告|公告|公示)$")
_DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_MEASURES_LABEL = re.compile(r"^(整改情况|整改措施|整改落实情况|整改进展情况|整改进展)[::]")
_CLOSING_WORDS = ("欢迎", "联系方式", "联系电话", "邮政信箱", "电子信箱", "电子邮箱")
_STATUS_STARTS = ("该问题", "此问题", "该项问题")
# Characters after which 二是, 三是 … start a new measure; elsewhere they are prose.
_MEASURE_BREAKS = "。;;,,::!!?? )）"
_INSPECTOR = re.compile(
    r"((?:中央|省委|市委|县委|区委|州委|盟委)?第[一二三四五六七八九十]+(?:巡视|巡察|督察)组)")
_SPAN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日至(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_FULL_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


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
        self.aspects: list[dict[str, Any]] = []
        self.subjects: list[dict[str, Any]] = []
        self.issues: list[dict[str, Any]] = []
        self.styles: dict[str, str] = {}
        self.measures_label: str | None = None
        self.status_sentences: dict[str, str] = {}
        self.status_inline: bool | None = None
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
        if any(not item.body for item in leaves[:-1]) or not leaves[-1].body:
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
                self.aspects.append({"number": len(self.aspects) + 1, "title": item.text})
                aspect, subject = len(self.aspects), None
                self.check_number(item, len(self.aspects))
            elif level == "subject":
                self.subjects.append({"number": len(self.subjects) + 1,
                                      "aspect": aspect if aspect is not None else 1,
                                      "title": item.text})
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
        record: dict[str, Any] = {"number": number,
                                  "aspect": aspect if aspect is not None else 1}
        if subject is not None:
            record["subject"] = subject
        record["title"] = item.text
        record["measures"] = measures
        record["status"] = status
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


def parse(text: str, relpath: str = "notice.txt") -> Imported:
    """A notice's text to the data of the ledger's files, with warnings for what did not fit."""
    parser = _Parser(relpath)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paras = [Para(number, line.strip(_BLANKS))
             for number, line in enumerate(lines, start=1) if line.strip(_BLANKS)]
    paras = _join_bare_labels(parser, paras)
    paras, breadcrumb, source_line = _clutter(paras)
    issuer, title, issuer_in_title, body = _head(parser, paras)
    notice_date, signature, body = _foot(parser, body, len(lines))
    issuer = issuer or signature
    intro, sections, top, closing = _body(parser, body)
    progress = _mark_counts(parser, [intro, *(section["paragraphs"] for section in sections),
                                     closing])

    notice: dict[str, Any] = {"date": notice_date}
    if breadcrumb or source_line:
        notice["source"] = {"breadcrumb": breadcrumb, "line": source_line}
    if issuer_in_title:
        notice["issuer_in_title"] = True
    if signature and signature != issuer:
        notice["signature"] = signature
    if not parser.aspects and parser.issues:
        # The ledger needs an aspect for every problem; this one is never printed.
        notice["aspects"] = False
    notice["intro"] = intro
    if sections:
        notice["sections"] = [_section_data(section) for section in sections]
    if top:
        notice["problems"] = True
    notice["closing"] = closing
    notice["progress_sentence"] = progress
    if parser.measures_label:
        notice["measures_label"] = parser.measures_label
    if parser.measure_paragraphs:
        notice["measure_paragraphs"] = True
    if parser.status_sentences:
        notice["status_sentences"] = parser.status_sentences
        if parser.status_inline is False:
            notice["status_inline"] = False
    numbering = _numbering(parser, top)
    if numbering:
        notice["numbering"] = numbering

    if notice_date is not None:
        for issue in parser.issues:
            if issue["status"] == STATUS_DONE:
                _closed_by_notice(issue, notice_date, issuer + title,
                                  parser.status_sentences[STATUS_DONE])
    return Imported(_header(parser, issuer, title, intro), notice, parser.issues,
                    parser.problems)


_BLANKS = " \t\u3000\xa0"


def _clutter(paras: list[Para]) -> tuple[list[Para], str, str]:
    """The paragraphs without the web page's breadcrumb and source line, and those two."""
    breadcrumb = source_line = ""
    kept: list[Para] = []
    for para in paras:
        if not breadcrumb and _BREADCRUMB.match(para.text) and "。" not in para.text:
            breadcrumb = para.text
        elif not source_line and _SOURCE_LINE.match(para.text) and "。" not in para.text:
            source_line = para.text
        else:
            kept.append(para)
    return kept, breadcrumb, source_line


def _is_name_line(text: str) -> bool:
    """An issuer's name on a line of its own: short, no sentence, no phone number or label."""
    return len(text) <= 40 and not any(char in text for char in "。::,,") \
        and not any(char.isdigit() for char in text)


def _head(parser: _Parser, paras: list[Para]) -> tuple[str, str, bool, list[Para]]:
    """Issuer, title, whether the issuer is written into the title, and the rest."""
    at = next((index for index, para in enumerate(paras[:6])
               if _TITLE.search(para.text) and "。" not in para.text), None)
    if at is None:
        parser.problems.append(Problem(Location(parser.relpath, 1, 1), "import-no-title",
                                       "warning", "找不到通报标题(关于…的通报)",
                                       "请在 data/ledger.yaml 中填写 issuer 和 title"))
        return "", "", False, paras
    issuer, title, combined = "", paras[at].text, False
    head = paras[:at]
    if head and _is_name_line(head[-1].text):
        issuer = head.pop().text
    elif not title.startswith("关于"):
        cut = title.index("关于")
        issuer, title, combined = title[:cut], title[cut:], True
    parser.unplaced(head, "标题之前")
    return issuer, title, combined, paras[at + 1:]


def _foot(parser: _Parser, body: list[Para], last_line: int
          ) -> tuple[date | None, str, list[Para]]:
    """The date at the foot, the issuer's name above it, and the body without them."""
    foot = next((index for index in range(len(body) - 1, -1, -1)
                 if _DATE_LINE.match(body[index].text)), None)
    if foot is None:
        parser.problems.append(Problem(Location(parser.relpath, last_line, 1), "import-no-date",
                                       "warning", "找不到落款日期(如 2021年8月26日)",
                                       "请在 data/notice.yaml 中填写 date"))
        return None, "", body
    found = _DATE_LINE.match(body[foot].text)
    assert found is not None
    parser.unplaced(body[foot + 1:], "落款日期之后")
    body = body[:foot]
    signature = body.pop().text if body and _is_name_line(body[-1].text) else ""
    return _date(found.group(1), found.group(2), found.group(3)), signature, body


def _closed_by_notice(issue: dict[str, Any], on: date, notice_title: str,
                      sentence: str) -> None:
    """A problem the notice reports rectified: closed on its date, the notice as evidence."""
    issue["measures"] = [{"text": text, "done": on} for text in issue["measures"]]
    issue["closed"] = {
        "date": on,
        "by": None,
        "evidence": [f"{notice_title}({cn_date(on)})"],
        "note": f"导入时据通报:{sentence}",
    }


def _mark_counts(parser: _Parser, lists: Sequence[list[Any]]) -> bool:
    """Turn the first count phrase into {before, after}, and the progress sentence after it
    into the switch; each only when rendering it again gives the same text. True when
    the progress sentence was found."""
    counts = count_phrase(len(parser.aspects), len(parser.issues))
    sentence = progress_sentence([issue["status"] for issue in parser.issues])
    for paragraphs in lists:
        for index, paragraph in enumerate(paragraphs):
            if isinstance(paragraph, str) and counts in paragraph:
                before, _, after = paragraph.partition(counts)
                paragraphs[index] = {"before": before, "after": after}
                if index + 1 < len(paragraphs) and paragraphs[index + 1] == sentence:
                    del paragraphs[index + 1]
                    return True
                return False
    return False


def _section_data(section: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"heading": section["heading"]}
    if section["paragraphs"]:
        out["paragraphs"] = section["paragraphs"]
    if section["points"]:
        out["points"] = section["points"]
    if section["problems"]:
        out["problems"] = True
    return out


def _body(parser: _Parser, body: list[Para]
          ) -> tuple[list[Any], list[dict[str, Any]], bool, list[Any]]:
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
        if parser.problem_block(body[first:], all_styles, commit=False) is None:
            parser.unplaced(body[first:], "问题清单")
            return [para.text for para in body[:first]], [], False, []
        _, trailing = parser.problem_block(body[first:], all_styles, commit=True) or ([], [])
        return [para.text for para in body[:first]], [], True, [p.text for p in trailing]
    intro = [para.text for para in body[:starts[0]]]
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
    sections: list[dict[str, Any]] = []
    closing: list[Para] = []
    bounds = [*starts, len(body)]
    inner = tuple(style for style in all_styles if style != "一、")
    for number, (start, end) in enumerate(itertools.pairwise(bounds), start=1):
        heading = body[start].text[len(label("一、", number)):]
        paras = body[start + 1:end]
        last = end == len(body)
        section: dict[str, Any] = {"heading": heading, "paragraphs": [], "points": [],
                                   "problems": False}
        has_problems = not parser.issues and parser.problem_block(paras, inner, False)
        if has_problems:
            lead, trailing = parser.problem_block(paras, inner, commit=True) or ([], [])
            section["paragraphs"] = [para.text for para in lead]
            section["problems"] = True
        else:
            lead, points, trailing = parser.narrative(paras)
            if last and not points:
                cut = _closing_start(lead[1:]) + 1
                lead, trailing = lead[:cut], lead[cut:] + trailing
            section["paragraphs"] = [para.text for para in lead]
            section["points"] = points
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


def _header(parser: _Parser, issuer: str, title: str, intro: Sequence[Any]) -> dict[str, Any]:
    text = "".join(part for part in intro if isinstance(part, str)) + title
    kind = next((word for word in INSPECTION_KINDS if word in text), None)
    inspector = _INSPECTOR.search(text)
    span = _SPAN.search(text)
    start = end = feedback = None
    if span is not None:
        start = _date(span.group(1), span.group(2), span.group(3))
        end = _date(span.group(4) or span.group(1), span.group(5), span.group(6))
    for sentence in re.split("[。;;]", text):
        found = _FULL_DATE.search(sentence)
        if "反馈" in sentence and found is not None and feedback is None \
                and (span is None or found.start() != span.start() or "至" not in sentence):
            feedback = _date(found.group(1), found.group(2), found.group(3))
    if feedback is None or kind is None:
        parser.problems.append(Problem(Location(parser.relpath, 1, 1), "import-no-inspection",
                                       "warning", "导语中找不到检查类别或反馈日期",
                                       "请在 data/ledger.yaml 的 inspection 中填写 kind 和 "
                                       "feedback"))
    header: dict[str, Any] = {
        "schema": 1,
        "issuer": issuer,
        "title": title,
        "inspection": {"kind": kind, "by": inspector.group(1) if inspector else None,
                       "start": start, "end": end, "feedback": feedback},
        "aspects": parser.aspects or [{"number": 1, "title": UNGROUPED}],
    }
    if parser.subjects:
        header["subjects"] = parser.subjects
    return header


# The title of the one aspect a notice without aspects is filed under.
UNGROUPED = "(通报未分方面)"


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


# ---------------------------------------------------------------- files out


class _Dumper(yaml.SafeDumper):
    """Block style, list items indented under their key, empty values left empty."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the same date twice is written twice: ledgers use no anchors


def _represent_none(dumper: yaml.SafeDumper, _: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(type(None), _represent_none)

_NOTICE_COMMENT = (
    "# 通报的叙述部分(导语、各部分、结尾)。编号(一、(一)1.(1)一是)在生成时计算,不要写进文字。\n"
    "# {before, after} 之间是由数据计算的计数短语(如 四个方面23项整改问题)。\n")


def dump(data: dict[str, Any]) -> str:
    """YAML a clerk can edit: block style, key order kept, no line folding."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=1_000_000, default_flow_style=False)


def issue_record(issue: dict[str, Any]) -> dict[str, Any]:
    """A problem's file in the documented key order, with empty fields for the clerk to fill."""
    record: dict[str, Any] = {"number": issue["number"], "aspect": issue["aspect"]}
    if "subject" in issue:
        record["subject"] = issue["subject"]
    record.update(title=issue["title"], measures=issue["measures"], leader=None, unit=None,
                  co_units=[], owner=None, deadline=None, status=issue["status"])
    if "closed" in issue:
        record["closed"] = issue["closed"]
    return record


def files(imported: Imported) -> dict[str, str]:
    """Relative path → text of every file the import writes."""
    out = {HEADER_PATH: dump(imported.header),
           NOTICE_PATH: _NOTICE_COMMENT + dump(imported.notice)}
    for issue in imported.issues:
        out[f"{ISSUES_DIR}/{issue_filename(issue['number'])}"] = dump(issue_record(issue))
    return out


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote and what it could not place."""

    into: Path
    written: tuple[str, ...]
    removed: tuple[str, ...]
    aspects: int
    subjects: int
    issues: int
    problems: tuple[Problem, ...]
    lines: tuple[str, ...] = ()

    def line(self, _path: str, number: int) -> str | None:
        """Line `number` of the notice, for diagnostics that show the line."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else None


def describe(report: ImportReport) -> str:
    """The import's outcome in one or two sentences."""
    parts = [f"{report.aspects}个方面"] if report.aspects else []
    if report.subjects:
        parts.append(f"{report.subjects}个事项")
    parts.append(f"{report.issues}个问题")
    text = f"已导入{'、'.join(parts)},写入 {report.into} 下 {len(report.written)} 个文件"
    if report.removed:
        text += f",删除 {len(report.removed)} 个旧的问题文件"
    text += "。"
    if report.problems:
        text += f"\n有 {len(report.problems)} 处未能归类,见下方说明;请核对原文后手工补充。"
    return text


# A notice is a few dozen kilobytes; anything this large is not one.
MAX_NOTICE_BYTES = 4 * 1024 * 1024


def read_notice(source: Path) -> str:
    """The notice's text: UTF-8 (BOM or not), UTF-16 with a BOM, or GB18030; else refused."""
    try:
        if source.is_dir():
            raise UsageError(f"{source} 是目录,不是通报文件", "请给出通报正文的文本文件")
        size = source.stat().st_size
        if size > MAX_NOTICE_BYTES:
            raise UsageError(f"通报文件 {source} 过大({size // 1024 // 1024} MiB),不像一份通报",
                             "请只保存通报正文(通常不足 100 KB)")
        data = source.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取通报文件 {source}:{exc.strerror}",
                         "请检查文件路径和读取权限") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UsageError(f"通报文件 {source} 的 UTF-16 编码已损坏",
                             "请把正文另存为 UTF-8 文本") from exc
    if b"\x00" in data:
        raise UsageError(f"通报文件 {source} 不是文本文件(含有空字节)",
                         "请把网页正文复制到文本文件,另存为 UTF-8")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UsageError(f"通报文件 {source} 不是 UTF-8 或 GB18030 编码的文本",
                     "请把网页正文复制到文本文件,另存为 UTF-8")


def import_notice(source: Path, into: Path, force: bool = False) -> ImportReport:
    """Read `source`, write the ledger's files under `into`; refuse to overwrite without force.

    A ledger an interrupted import left half-written (IMPORT_MARKER) is overwritten
    without --force: finishing that import is what the marker asks for.
    """
    text = read_notice(source)
    imported = parse(text, source.name)
    if not imported.issues:
        raise RefusedError(f"在 {source} 中没有找到任何问题,未写入文件",
                           "问题应以 (1)、1. 或 一、关于…的问题 开头,后接整改措施段落")
    planned = files(imported)
    try:
        into = into.resolve()
        resuming = os.path.lexists(into / IMPORT_MARKER)
        existing = [path for path in (HEADER_PATH, NOTICE_PATH) if (into / path).exists()]
        old_issues = sorted(path.name for path in (into / ISSUES_DIR).glob("*.yaml")) \
            if (into / ISSUES_DIR).is_dir() else []
    except (OSError, RuntimeError) as exc:
        raise _write_error(into, exc) from None
    if (existing or old_issues) and not force and not resuming:
        raise RefusedError(f"{into} 中已有台账({(existing or old_issues)[0]}),未覆盖",
                           "确实要用通报重新生成台账,请加 --force")
    removed = [f"{ISSUES_DIR}/{name}" for name in old_issues
               if f"{ISSUES_DIR}/{name}" not in planned]
    _write_all(into, planned, removed, source)
    return ImportReport(into, tuple(planned), tuple(removed), len(imported.header["aspects"]),
                        len(imported.header.get("subjects", [])), len(imported.issues),
                        tuple(imported.problems), tuple(text.split("\n")))


# ---------------------------------------------------------------- writing, all or nothing
#
# An import interrupted at any point (Ctrl-C, a kill, a full disk, a power cut) must
# never leave a partial ledger that validates. When data/ does not exist yet, the
# whole of it is written into a sibling folder and switched in with one rename: before
# it there is no ledger, after it the whole one. When data/ exists (--force, or
# finishing an interrupted import), one rename cannot replace it without losing the
# user's other files there (evidence …), so every file is first written to a temp
# file beside its target, then IMPORT_MARKER is written, then the files are renamed
# into place and the old problem files removed, and the marker is removed last:
# while it exists, every command refuses the ledger and says how to finish.

STAGING = ".data.import-"  # + PID-random.tmp, in `into`; removed by the next import if stale
DATA_DIR = "data"


def _write_all(into: Path, planned: dict[str, str], removed: Sequence[str],
               source: Path) -> None:
    # Every path is built from fixed folder names and numbers, so nothing lands
    # outside `into`; the check makes that a guarantee rather than an argument.
    try:
        for relpath in [*planned, *removed, IMPORT_MARKER]:
            if not (into / relpath).resolve().is_relative_to(into):
                raise RefusedError(f"拒绝写入台账目录之外的位置:{relpath} 指向 {into} 之外",
                                   "data/ 或其中的目录是指向别处的链接;请换一个目录导入")
    except (OSError, RuntimeError) as exc:
        raise _write_error(into, exc) from None
    created = [folder for folder in (*reversed(into.parents), into) if not folder.exists()]
    try:
        for folder in created:
            folder.mkdir()
        _remove_stale_staging(into)
        _remove_stale_temps(into)
        if os.path.lexists(into / DATA_DIR):
            _write_marked(into, planned, removed, source)
        else:
            _write_staged(into, planned)
    except BaseException as exc:
        # Nothing half-written: the folders this import made go too, if still empty.
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise _write_error(into, exc) from exc
        raise


def _write_staged(into: Path, planned: dict[str, str]) -> None:
    """The whole of data/ in a sibling folder, then one rename: no ledger, or all of it."""
    staging = into / f"{STAGING}{os.getpid()}-{os.urandom(4).hex()}.tmp"
    staging.mkdir()
    try:
        folders = {staging}
        for relpath, text in planned.items():
            target = staging / Path(relpath).relative_to(DATA_DIR)
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            _write_new(target, text.encode("utf-8"))
        for folder in folders:
            _sync_dir(folder)
        staging.replace(into / DATA_DIR)  # the one step that makes the ledger appear
    except BaseException:  # a failure, or Ctrl-C: as if the import had never started
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _sync_dir(into)


def _write_marked(into: Path, planned: dict[str, str], removed: Sequence[str],
                  source: Path) -> None:
    """Temp files first; then the marker; then renames and removals; the marker last."""
    (into / ISSUES_DIR).mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    marker = into / IMPORT_MARKER
    try:
        for relpath, text in planned.items():
            target = into / relpath
            temp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
            _write_new(temp, text.encode("utf-8"))
            staged.append((temp, target))
        if not os.path.lexists(marker):
            _write_new(marker, f"ledger import\n{source}\n".encode("utf-8", "replace"))
        for folder in {marker.parent, *(target.parent for _, target in staged)}:
            _sync_dir(folder)
        # From here until the marker is gone, every command refuses the ledger.
        try:
            for temp, target in staged:
                temp.replace(target)
            for relpath in removed:
                with contextlib.suppress(FileNotFoundError):
                    (into / relpath).unlink()
            for folder in {marker.parent, *(target.parent for _, target in staged)}:
                _sync_dir(folder)
            marker.unlink()
        except OSError as exc:
            raise WriteError(f"导入中途失败({_write_error(into, exc).message}),台账不完整",
                             "所有命令都会拒绝这个台账,直到导入完成;请解决上述问题后"
                             "重新运行同一条 ledger import") from exc
        _sync_dir(marker.parent)
    finally:
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                temp.unlink()


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (never through a link, never over a file) with `data`, on disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    os.close(fd)


def _sync_dir(folder: Path) -> None:
    # A rename is durable only once its folder is on disk; some file systems refuse.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale_staging(into: Path) -> None:
    """Staging folders of imports that were killed before their rename (process gone)."""
    for entry in into.iterdir():
        name = entry.name
        if not (name.startswith(STAGING) and name.endswith(".tmp")):
            continue
        pid = name[len(STAGING):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another import is writing it right now
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)


_TEMP = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$")


def _remove_stale_temps(into: Path) -> None:
    """Temp files a killed import (or edit) left beside the ledger's files, process gone."""
    for folder in (into / DATA_DIR, into / ISSUES_DIR):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for entry in folder.iterdir():
            match = _TEMP.match(entry.name)
            if match is None or (int(match.group(1)) != os.getpid()
                                 and _alive(int(match.group(1)))):
                continue
            if entry.is_file() and not entry.is_symlink():
                entry.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True


def _write_error(into: Path, exc: OSError | RuntimeError) -> WriteError:
    from .atomic import _REASONS

    code = getattr(exc, "errno", None) or 0
    reason = "路径过长" if code == errno.ENAMETOOLONG else (
        _REASONS.get(code) or getattr(exc, "strerror", None) or "链接形成循环")
    return WriteError(f"写入 {shorten(str(into))} 失败:{reason}",
                      "请检查目录权限和磁盘空间;原有台账没有改动"
                      "(若提示台账不完整,重新运行同一条 ledger import 即可完成导入)")
