"""The notice's narrative (data/notice.yaml): its model, its phrases, and its loader.

A progress notice (通报) is the ledger's data plus words only a person can
write: the intro, the narrative sections, the closing. Those words live in
data/notice.yaml; this module reads them strictly (positions, problems, never
exceptions) and computes the two phrases that come from the data: the count
phrase (四个方面23项整改问题) and the progress sentence (已完成整改X项…). It
does not number anything (the renderer does) and does not parse notices (the
importer does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ledger.core.model import (
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_MOSTLY_DONE,
    STATUS_ONGOING,
    STATUSES,
    Location,
    Problem,
)
from ledger.core.money import completion_rate
from ledger.core.numerals import STYLES, cn_number
from ledger.read.loader import Reader, read_bytes, top_mapping

NOTICE_PATH = "data/notice.yaml"
_HERE = Location(NOTICE_PATH)

# The numbering ladder of GB/T 9704: 一、 (一) 1. (1). Levels present take the
# next rung, so a ledger without subjects numbers its problems 1.
LADDER: tuple[str, ...] = ("一、", "(一)", "1.", "(1)")
LEVELS: tuple[str, ...] = ("section", "point", "aspect", "subject", "problem")

NOTICE_KEYS = ("date", "source", "issuer_in_title", "signature", "aspects", "intro", "sections",
               "problems", "closing", "progress_sentence", "measures_label", "measure_paragraphs",
               "status_sentences", "status_inline", "status_before", "numbering", "date_text")
SECTION_KEYS = ("heading", "paragraphs", "points", "problems")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of narrative: verbatim `text`, or `text` + count phrase + `after`."""

    text: str
    after: str = ""
    counted: bool = False
    loc: Location = _HERE


@dataclass(frozen=True, slots=True)
class Section:
    """A top-level section 一、…: paragraphs, then points (一)…, then maybe the problems."""

    heading: str
    paragraphs: tuple[Paragraph, ...] = ()
    points: tuple[str, ...] = ()
    problems: bool = False
    loc: Location = _HERE


@dataclass(frozen=True, slots=True)
class Notice:
    """The narrative of a notice and the layout switches its shape needs."""

    date: date | None = None
    date_text: str = ""  # the date as written (二〇二三年八月十日), when not 2023年8月10日
    breadcrumb: str = ""
    source_line: str = ""
    source_meta: tuple[str, ...] = ()  # the web page's other furniture (索引号, 发布机构 …)
    issuer_in_title: bool = False
    signature: str = ""
    aspects: bool = True
    intro: tuple[Paragraph, ...] = ()
    sections: tuple[Section, ...] = ()
    problems: bool = False
    closing: tuple[Paragraph, ...] = ()
    progress_sentence: bool = False
    measures_label: str = ""
    measure_paragraphs: bool = False
    status_sentences: Mapping[str, str] = field(default_factory=dict)
    status_inline: bool = True
    status_before: bool = False  # 该问题已完成整改。一是…: the status sentence first
    numbering: Mapping[str, str] = field(default_factory=dict)
    loc: Location = _HERE

    @property
    def problems_at_top(self) -> bool:
        """Problems are the top-level items (一、关于…) rather than inside a section."""
        return self.problems


# A ledger without data/notice.yaml renders as its plain list of problems.
DEFAULT_NOTICE = Notice(problems=True)


def level_styles(notice: Notice, has_aspects: bool, has_subjects: bool) -> dict[str, str]:
    """The label style of each level: the ladder's next rung, unless the notice says otherwise."""
    styles = {"section": LADDER[0], "point": LADDER[1]}
    rung = 0 if notice.problems_at_top else 1
    for level, present in (("aspect", has_aspects), ("subject", has_subjects),
                           ("problem", True)):
        if present:
            styles[level] = LADDER[min(rung, len(LADDER) - 1)]
            rung += 1
    styles.update(notice.numbering)
    return styles


def count_phrase(aspects: int, problems: int) -> str:
    """四个方面23项整改问题: Chinese numeral for aspects, Arabic for problems."""
    if aspects:
        # Before a measure word two is 两, not 二: 两个方面.
        count = "两" if aspects == 2 else cn_number(aspects)
        return f"{count}个方面{problems}项整改问题"
    return f"{problems}项整改问题"


# The order the progress sentence names the statuses in, after 已完成.
_PROGRESS_ORDER = ((STATUS_MOSTLY_DONE, "基本完成"), (STATUS_IN_PROGRESS, "正在推进"),
                   (STATUS_ONGOING, "长期坚持"))


def progress_sentence(statuses: Sequence[str]) -> str:
    """目前,已完成整改3项、正在推进20项,整改完成率13.04%。 — from the problems' statuses."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    done = counts[STATUS_DONE]
    parts = [f"已完成整改{done}项"]
    parts += [f"{word}{counts[status]}项" for status, word in _PROGRESS_ORDER if counts[status]]
    return f"目前,{'、'.join(parts)},整改完成率{completion_rate(done, len(statuses))}%。"


def status_of_sentence(sentence: str) -> str | None:
    """The status a sentence like 该问题已完成整改。 reports, or None if it reports none."""
    if not sentence.startswith(("该问题", "此问题", "该项问题")):
        return None
    if "基本完成" in sentence:
        return STATUS_MOSTLY_DONE
    if "长期坚持" in sentence or "持续整改" in sentence:
        return STATUS_ONGOING
    if "正在" in sentence or "推进" in sentence or "整改中" in sentence:
        return STATUS_IN_PROGRESS
    if any(word in sentence for word in ("已完成", "完成整改", "整改到位", "已销号", "已整改")):
        return STATUS_DONE
    return None


# ---------------------------------------------------------------- loading


def load_notice(root: Path) -> tuple[Notice | None, list[Problem]]:
    """data/notice.yaml under `root`; (None, []) when the ledger has none."""
    if not (root / NOTICE_PATH).exists():
        return None, []
    data, failure = read_bytes(root, NOTICE_PATH)
    if failure is not None or data is None:
        return None, [failure] if failure is not None else []
    return parse_notice(NOTICE_PATH, data)


def parse_notice(relpath: str, data: bytes) -> tuple[Notice | None, list[Problem]]:
    """The narrative file's bytes to a Notice, plus every problem found in it."""
    opened = top_mapping(relpath, data, "通报文件", NOTICE_KEYS, (),
                         "notice.yaml 至少要写明 date(落款日期)")
    if isinstance(opened, list):
        return None, opened
    reader, node, fields = opened
    source = _source(reader, fields.get("source"))
    sections = tuple(reader.items(fields.get("sections"), "sections(正文部分)",
                                  lambda n, name, p: _section(reader, n, name, p), "sections"))
    top = reader.boolean(fields.get("problems"), "problems(问题列于顶层)")
    notice = Notice(
        date=reader.day(fields.get("date"), "date(落款日期)"),
        date_text=reader.text(fields.get("date_text"), "date_text(落款日期的写法)"),
        breadcrumb=source[0],
        source_line=source[1],
        source_meta=source[2],
        issuer_in_title=bool(reader.boolean(fields.get("issuer_in_title"), "issuer_in_title")),
        signature=reader.text(fields.get("signature"), "signature(落款机关)"),
        aspects=reader.boolean(fields.get("aspects"), "aspects(分方面)") is not False,
        intro=_paragraphs(reader, fields.get("intro"), "intro(导语)", "intro"),
        sections=sections,
        problems=bool(top),
        closing=_paragraphs(reader, fields.get("closing"), "closing(结尾)", "closing"),
        progress_sentence=bool(reader.boolean(fields.get("progress_sentence"),
                                              "progress_sentence(进度句)")),
        measures_label=reader.text(fields.get("measures_label"), "measures_label"),
        measure_paragraphs=bool(reader.boolean(fields.get("measure_paragraphs"),
                                               "measure_paragraphs(措施分段)")),
        status_sentences=_status_sentences(reader, fields.get("status_sentences")),
        status_inline=reader.boolean(fields.get("status_inline"), "status_inline") is not False,
        status_before=bool(reader.boolean(fields.get("status_before"), "status_before")),
        numbering=_numbering(reader, fields.get("numbering")),
        loc=reader.loc(node),
    )
    if top and sections and any(section.problems for section in sections):
        reader.report(fields["problems"], "bad-value",
                      "problems: true(问题列于顶层)与某一部分的 problems: true 不能同时使用",
                      "问题只能出现在一处:删除其中一个")
    placed = sum(section.problems for section in sections)
    if placed > 1:
        reader.report(fields["sections"], "bad-value", "有多个部分写了 problems: true",
                      "问题清单只能出现在一个部分中")
    return notice, sorted(reader.problems, key=lambda problem: problem.sort_key)


def _source(reader: Reader, node: yaml.Node | None) -> tuple[str, str, tuple[str, ...]]:
    if node is None:
        return "", "", ()
    fields = reader.mapping(node, "source(来源)", ("breadcrumb", "line", "meta"), (), "source.")
    if fields is None:
        return "", "", ()
    meta = tuple(text for text in reader.items(
        fields.get("meta"), "source.meta(网页信息)", lambda n, label, p: reader.scalar(n, label),
        "source.meta") if text is not None)
    return (reader.text(fields.get("breadcrumb"), "source.breadcrumb(栏目路径)"),
            reader.text(fields.get("line"), "source.line(来源行)"), meta)


def _paragraphs(reader: Reader, node: yaml.Node | None, name: str,
                prefix: str) -> tuple[Paragraph, ...]:
    return tuple(reader.items(node, name, lambda n, label, p: _paragraph(reader, n, label, p),
                              prefix))


def _paragraph(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Paragraph | None:
    if isinstance(node, yaml.MappingNode):
        fields = reader.mapping(node, name, ("before", "after"), (), prefix)
        if fields is None:
            return None
        return Paragraph(reader.text(fields.get("before"), f"{name}的 before"),
                         reader.text(fields.get("after"), f"{name}的 after"), True,
                         reader.loc(node))
    text = reader.scalar(node, name)
    return None if text is None else Paragraph(text, loc=reader.loc(node))


def _section(reader: Reader, node: yaml.Node, name: str, prefix: str) -> Section | None:
    fields = reader.mapping(node, name, SECTION_KEYS, ("heading",), prefix)
    if fields is None:
        return None
    points = tuple(text for text in reader.items(
        fields.get("points"), f"{name}的 points(分项)",
        lambda n, label, p: reader.scalar(n, label), prefix + "points"))
    return Section(
        heading=reader.text(fields.get("heading"), f"{name}的 heading(标题)"),
        paragraphs=_paragraphs(reader, fields.get("paragraphs"), f"{name}的 paragraphs",
                               prefix + "paragraphs"),
        points=points,
        problems=bool(reader.boolean(fields.get("problems"), f"{name}的 problems")),
        loc=reader.loc(node),
    )


def _status_sentences(reader: Reader, node: yaml.Node | None) -> dict[str, str]:
    if node is None:
        return {}
    fields = reader.mapping(node, "status_sentences(状态句)", STATUSES, (), "status_sentences.")
    if fields is None:
        return {}
    return {status: reader.text(value, f"status_sentences.{status}")
            for status, value in fields.items()}


def _numbering(reader: Reader, node: yaml.Node | None) -> dict[str, str]:
    if node is None:
        return {}
    fields = reader.mapping(node, "numbering(编号样式)", LEVELS, (), "numbering.")
    if fields is None:
        return {}
    out: dict[str, str] = {}
    for level, value in fields.items():
        style = reader.text(value, f"numbering.{level}")
        if style not in STYLES:
            reader.report(value, "bad-value", f"未知的编号样式 \"{style}\"",
                          f"可用的样式:{' '.join(STYLES)}")
        else:
            out[level] = style
    return out
