"""The typed records passed from parsing to writing: what an import found, before any YAML.

Plain mutable dataclasses (the parsers fill them as they go); `write` turns them
into the files' data. Locations are lines of the input, for the import report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ledger.core.model import STATUS_IN_PROGRESS, Problem

# The title of the one aspect a notice without aspects is filed under.
UNGROUPED = "(通报未分方面)"


@dataclass
class AspectRec:
    number: int
    title: str


@dataclass
class SubjectRec:
    number: int
    aspect: int
    title: str


@dataclass
class MeasureRec:
    """One measure; `done` is its completion date when the source says it is done."""

    text: str
    done: date | None = None
    deadline: date | str | None = None


@dataclass
class ClosedRec:
    """A closing taken from the source (the notice reports the problem rectified)."""

    date: date
    evidence: str
    note: str


@dataclass
class NoteRec:
    """A progress entry (进展), e.g. from a sheet's 整改进展 column."""

    date: date
    text: str
    by: str = ""


@dataclass
class TallyRec:
    """A side result: 问责 3 人 (count) or 追缴资金 40 万元 (amount)."""

    label: str
    count: int | None = None
    amount: Decimal | None = None
    unit: str = ""


@dataclass
class AmountsRec:
    involved: Decimal
    rectified: Decimal | None = None
    ways: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class IssueRec:
    """One problem as found: the fields a problem file holds, empty where the source is silent."""

    number: int
    aspect: int
    title: str
    measures: list[MeasureRec] = field(default_factory=list)
    status: str = STATUS_IN_PROGRESS
    subject: int | None = None
    leader: str = ""
    unit: str = ""
    co_units: list[str] = field(default_factory=list)
    owner: str = ""
    deadline: date | str | None = None
    progress: list[NoteRec] = field(default_factory=list)
    closed: ClosedRec | None = None
    amounts: AmountsRec | None = None
    results: list[TallyRec] = field(default_factory=list)
    remarks: dict[str, str] = field(default_factory=dict)
    line: int = 0  # where the problem starts in the input (a line or a sheet row)
    source_number: int | None = None  # the 序号 the source gave it, when it gave one
    preface: str = ""  # a lead-in sentence before the measures' 一是


@dataclass
class StatedRec:
    """What a notice states about itself (counts, rate, money, side results), verbatim."""

    aspects: int | None = None
    problems: int | None = None
    measures: int | None = None
    done: int | None = None
    ongoing: int | None = None
    rate: str | None = None
    involved: Decimal | None = None
    rectified: Decimal | None = None
    results: list[TallyRec] = field(default_factory=list)

    def empty(self) -> bool:
        return all(value in (None, []) for value in vars(self).values())


@dataclass
class HeaderRec:
    """data/ledger.yaml as found."""

    issuer: str = ""
    title: str = ""
    kind: str | None = None
    by: str | None = None
    start: date | None = None
    end: date | None = None
    feedback: date | None = None
    aspects: list[AspectRec] = field(default_factory=list)
    subjects: list[SubjectRec] = field(default_factory=list)
    money_unit: str = ""
    results: list[TallyRec] = field(default_factory=list)
    stated: StatedRec = field(default_factory=StatedRec)


@dataclass
class Counted:
    """A paragraph holding the count phrase: text before it and after it."""

    before: str
    after: str


Paragraph = str | Counted


@dataclass
class SectionRec:
    heading: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    points: list[str] = field(default_factory=list)
    problems: bool = False


@dataclass
class NoticeRec:
    """data/notice.yaml as found: the narrative and the layout switches."""

    date: date | None = None
    date_text: str = ""
    source: dict[str, str] = field(default_factory=dict)
    meta: list[str] = field(default_factory=list)  # other lines of the web page's furniture
    issuer_in_title: bool = False
    signature: str = ""
    aspects: bool = True
    intro: list[Paragraph] = field(default_factory=list)
    sections: list[SectionRec] = field(default_factory=list)
    problems: bool = False
    closing: list[Paragraph] = field(default_factory=list)
    progress_sentence: bool = False
    measures_label: str = ""
    measure_paragraphs: bool = False
    status_sentences: dict[str, str] = field(default_factory=dict)
    status_inline: bool = True
    status_before: bool = False
    numbering: dict[str, str] = field(default_factory=dict)


@dataclass
class Parsed:
    """Everything an import found in its input, and the warnings about what did not fit."""

    header: HeaderRec
    notice: NoticeRec | None
    issues: list[IssueRec]
    problems: list[Problem] = field(default_factory=list)
    lines: tuple[str, ...] = ()  # the input's lines, for diagnostics that show a line
    notes: tuple[str, ...] = ()  # what the parser chose (columns, skipped rows …), to report
