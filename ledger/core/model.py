"""The ledger's records: frozen dataclasses, no I/O.

Every record knows where it came from (`Location`), filled in by the loader;
checks and reports read positions from here and never compute them. Derived
facts (overdue, extended, closed late, the current deadline) are computed by
functions in `ledger.dates`, never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, NamedTuple

from ledger.core.record import record

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Protocol

Severity = Literal["error", "warning"]
Day = date  # for annotations inside records that have a field named `date`

# Stored status values. Overdue, extended and closed-late are derived.
STATUS_IN_PROGRESS = "正在推进"
STATUS_MOSTLY_DONE = "基本完成"
STATUS_DONE = "已完成"
STATUS_ONGOING = "长期坚持"
STATUSES: tuple[str, ...] = (STATUS_IN_PROGRESS, STATUS_MOSTLY_DONE, STATUS_DONE, STATUS_ONGOING)

# Deadline tiers, resolved against the feedback date (months after it).
# 长期坚持 has no deadline at all: by nature never finished.
TIER_NOW = "立行立改"
TIER_ONGOING = "长期坚持"
TIER_MONTHS: Mapping[str, int] = {TIER_NOW: 0, "短期": 2, "中期": 6, "长期": 12}
TIERS: tuple[str, ...] = (*TIER_MONTHS, TIER_ONGOING)

INSPECTION_KINDS: tuple[str, ...] = ("巡视", "巡察", "审计", "督察", "督查")

# Money (issue 14): the units offices write amounts in, declared once in the header,
# and the four usual ways an audited amount is rectified (other labels are allowed).
MONEY_UNITS: tuple[str, ...] = ("万元", "元")
MONEY_DECIMALS = 2
WAYS: tuple[str, ...] = ("上缴财政", "归还原渠道", "调整账目", "盘活资金")


@record(frozen=True, slots=True, order=True)
class Location:
    """A place in a file: path relative to the ledger root (POSIX), 1-based line and column."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


NOWHERE = Location("")

# Positions of the values inside one record, by dotted key path
# ("deadline", "closed.date", "measures.2.done"), for diagnostics and edits.
Where = Mapping[str, Location]


@record(frozen=True, slots=True)
class Problem:
    """One finding about the ledger: an error or a warning, with its exact place."""

    location: Location
    code: str
    severity: Severity
    message: str
    hint: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str, str]:
        """By place, then code; the rest only orders findings that share both, so that
        the order never depends on which check ran first."""
        loc = self.location
        return (loc.path, loc.line, loc.col, self.code, self.message, self.hint, self.severity)


@record(frozen=True, slots=True)
class Deadline:
    """A problem's or measure's deadline: an absolute date or a tier (短期, 长期坚持 …)."""

    date: date | None = None
    tier: str | None = None

    @property
    def label(self) -> str:
        """How the deadline reads in tables: 2021年12月31日 or the tier word."""
        if self.date is not None:
            return cn_date(self.date)
        return self.tier or ""


@record(frozen=True, slots=True)
class Measure:
    """One rectification measure (整改措施): text, optional own deadline, unit, done date."""

    text: str
    deadline: Deadline | None = None
    unit: str = ""
    done: bool = False
    done_date: date | None = None
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Note:
    """A dated progress note (进展)."""

    date: date
    text: str
    by: str = ""
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Evidence:
    """One piece of evidence (佐证材料): a file in the repo (with sha256) or a description."""

    text: str
    path: str = ""
    sha256: str = ""
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Closing:
    """The closing record (销号): when, by whom, on what evidence."""

    date: date
    by: str = ""
    evidence: tuple[Evidence, ...] = ()
    note: str = ""
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Extension:
    """A deadline extension (延期): the new date, why, and who approved it."""

    date: Day
    to: Day
    reason: str = ""
    approved_by: str = ""
    by: str = ""
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class HistoryEntry:
    """One line of the audit trail written by the lifecycle commands."""

    date: date
    action: str
    by: str = ""
    note: str = ""
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Way:
    """One way an amount was rectified (上缴财政 …) and how much, in the ledger's unit."""

    label: str
    amount: Decimal
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Amounts:
    """A problem's money: the amount involved (问题金额), rectified so far, and by which ways."""

    involved: Decimal
    rectified: Decimal | None = None
    ways: tuple[Way, ...] = ()
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Tally:
    """A side result (问责 3 人, 制定完善制度 5 项, 追缴资金 12.5 万元): a count or an amount."""

    label: str
    count: int | None = None
    amount: Decimal | None = None
    unit: str = ""  # for counts; an amount is in the ledger's money unit
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Stated:
    """What a published notice states, verbatim, to be checked against the ledger's own counts."""

    aspects: int | None = None
    problems: int | None = None
    measures: int | None = None
    done: int | None = None
    ongoing: int | None = None
    rate: Decimal | None = None
    involved: Decimal | None = None
    rectified: Decimal | None = None
    ways: tuple[Way, ...] = ()
    results: tuple[Tally, ...] = ()
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Issue:
    """One problem (问题) fed back by the inspection, from data/issues/NNN.yaml."""

    number: int
    aspect: int
    title: str
    path: str
    subject: int | None = None
    measures: tuple[Measure, ...] = ()
    leader: str = ""
    unit: str = ""
    co_units: tuple[str, ...] = ()
    owner: str = ""
    deadline: Deadline | None = None
    status: str = STATUS_IN_PROGRESS
    progress: tuple[Note, ...] = ()
    closed: Closing | None = None
    extensions: tuple[Extension, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    public: bool = True
    amounts: Amounts | None = None
    results: tuple[Tally, ...] = ()
    # A lead-in sentence printed before the measures' 一是 (局党组高度重视……。).
    preface: str = ""
    # Columns of an office's own table kept as they came (整改目标: …, 佐证材料: …).
    remarks: Mapping[str, str] = field(default_factory=dict)
    loc: Location = NOWHERE
    where: Where = field(default_factory=dict)

    @property
    def is_closed(self) -> bool:
        return self.status == STATUS_DONE

    def at(self, key: str) -> Location:
        """The location of a field's value, falling back to the record's start."""
        return self.where.get(key, self.loc)

    # -- what `Brief` keeps of the nested records (see `Facts`): the same names on both

    @property
    def closed_date(self) -> date | None:
        return self.closed.date if self.closed is not None else None

    @property
    def has_closing(self) -> bool:
        return self.closed is not None

    @property
    def evidence_count(self) -> int:
        return len(self.closed.evidence) if self.closed is not None else 0

    @property
    def evidence_files(self) -> tuple[Evidence, ...]:
        """The closing's evidence that names a file (the files `validate` re-hashes)."""
        if self.closed is None:
            return ()
        return tuple(item for item in self.closed.evidence if item.path)

    @property
    def extension_dates(self) -> tuple[date, ...]:
        return tuple(extension.to for extension in self.extensions)

    @property
    def measure_count(self) -> int:
        return len(self.measures)

    @property
    def measures_done(self) -> int:
        return sum(1 for measure in self.measures if measure.done)

    @property
    def open_measures(self) -> tuple[int, ...]:
        return tuple(index for index, measure in enumerate(self.measures, start=1)
                     if not measure.done)

    @property
    def dated_measures(self) -> tuple[DatedMeasure, ...]:
        return tuple(DatedMeasure(index, measure.deadline, measure.done)
                     for index, measure in enumerate(self.measures, start=1)
                     if measure.deadline is not None)

    def brief(self) -> Brief:
        """What reports and checks read of this problem, without its texts (see `Brief`)."""
        open_measures, dated = self.open_measures, self.dated_measures
        wanted = [*BRIEF_KEYS, *(f"extensions.{index}.to"
                                 for index in range(1, len(self.extensions) + 1)),
                  *(f"measures.{index}" for index in (
                      open_measures if self.is_closed and self.closed else ())),
                  *(f"measures.{item.index}.deadline" for item in dated),
                  *(f"results.{index}.amount" for index in range(1, len(self.results) + 1))]
        where = self.where
        return Brief(
            self.number, self.aspect, self.title, self.path, self.subject, self.leader,
            self.unit, self.co_units, self.owner, self.deadline, self.status, self.public,
            self.closed_date, self.has_closing, self.evidence_count, self.evidence_files,
            self.extension_dates, self.measure_count, self.measures_done, open_measures,
            dated, self.amounts, self.results, self.loc,
            {key: where[key] for key in wanted if key in where})


@record(frozen=True, slots=True)
class DatedMeasure:
    """A measure that has a deadline of its own: which one (from 1), the deadline, done or not."""

    index: int
    deadline: Deadline
    done: bool


# Text fields of a Brief with few distinct values across a ledger: the cache keeps one
# copy of each value.
BRIEF_SHARED = ("leader", "unit", "owner", "status")
# The `where` keys a Brief keeps besides those numbered per extension, open measure,
# dated measure and result (see `Issue.brief`): every key a check or report looks up.
BRIEF_KEYS = ("number", "aspect", "subject", "status", "deadline", "measures", "closed",
              "closed.date", "amounts.involved", "amounts.rectified", "amounts.ways")


class Brief(NamedTuple):
    """One problem as reports and checks read it: an `Issue` without its texts.

    `list`, `check`, `validate` and `stats` read only this much of each problem
    (see `Facts`); at 100,000 problems the parse cache hands these out instead of
    whole records, a fifth of the memory. Built only by `Issue.brief`, so what it
    says is what the record says; `where` keeps the locations checks point at.
    A named tuple rather than a frozen dataclass: as immutable, and built in one
    call instead of one per field (the cache builds 100,000 of them per run).
    """

    number: int
    aspect: int
    title: str
    path: str
    subject: int | None
    leader: str
    unit: str
    co_units: tuple[str, ...]
    owner: str
    deadline: Deadline | None
    status: str
    public: bool
    closed_date: date | None
    has_closing: bool
    evidence_count: int
    evidence_files: tuple[Evidence, ...]
    extension_dates: tuple[Day, ...]
    measure_count: int
    measures_done: int
    open_measures: tuple[int, ...]
    dated_measures: tuple[DatedMeasure, ...]
    amounts: Amounts | None
    results: tuple[Tally, ...]
    loc: Location
    where: Where

    @property
    def is_closed(self) -> bool:
        return self.status == STATUS_DONE

    def at(self, key: str) -> Location:
        return self.where.get(key, self.loc)


@record(frozen=True, slots=True)
class Aspect:
    """An aspect (方面) of the feedback, the top grouping of problems."""

    number: int
    title: str
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Subject:
    """An optional numbered subject between aspect and problem."""

    number: int
    aspect: int
    title: str
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Inspection:
    """Who inspected, when, and when the feedback (反馈意见) was given."""

    kind: str = ""
    by: str = ""
    start: date | None = None
    end: date | None = None
    feedback: date | None = None
    loc: Location = NOWHERE


@record(frozen=True, slots=True)
class Policy:
    """The office's warning policy for `ledger check` (see DOMAIN.md: 绿/黄/红)."""

    green_days: int = 20
    yellow_days: int = 10
    fail_on: tuple[str, ...] = ("red",)
    loc: Location = NOWHERE
    # An open problem with no deadline: "warn" (listed, the run passes) or "fail".
    no_deadline: str = "warn"


@record(frozen=True, slots=True)
class Header:
    """data/ledger.yaml: the inspection's header."""

    schema: int
    issuer: str
    title: str
    inspection: Inspection
    aspects: tuple[Aspect, ...] = ()
    subjects: tuple[Subject, ...] = ()
    policy: Policy = Policy()
    money_unit: str = ""
    money_decimals: int = MONEY_DECIMALS
    results: tuple[Tally, ...] = ()
    stated: Stated | None = None
    path: str = "data/ledger.yaml"
    loc: Location = NOWHERE
    where: Where = field(default_factory=dict)
    # False for the stand-in used when data/ledger.yaml could not be read: its own
    # error is reported, and checks against its aspects would only echo it.
    readable: bool = True

    def at(self, key: str) -> Location:
        return self.where.get(key, self.loc)


@record(frozen=True, slots=True)
class LedgerData:
    """The whole ledger as loaded: header and problems, sorted by number."""

    root: str
    header: Header
    issues: tuple[Issue, ...] = ()


@record(frozen=True, slots=True)
class Summary:
    """The ledger as reports and checks read it: header, and each problem's `Brief`
    (or its `Issue`, which reads the same), sorted by number; `problems` are what
    reading found (the loader's own, before any check)."""

    root: str
    header: Header
    issues: tuple[Facts, ...]
    problems: tuple[Problem, ...]


if TYPE_CHECKING:
    class Facts(Protocol):
        """What `Issue` and `Brief` both answer: all that checks and reports read."""

        @property
        def number(self) -> int: ...
        @property
        def aspect(self) -> int: ...
        @property
        def title(self) -> str: ...
        @property
        def path(self) -> str: ...
        @property
        def subject(self) -> int | None: ...
        @property
        def leader(self) -> str: ...
        @property
        def unit(self) -> str: ...
        @property
        def co_units(self) -> tuple[str, ...]: ...
        @property
        def owner(self) -> str: ...
        @property
        def deadline(self) -> Deadline | None: ...
        @property
        def status(self) -> str: ...
        @property
        def public(self) -> bool: ...
        @property
        def closed_date(self) -> date | None: ...
        @property
        def has_closing(self) -> bool: ...
        @property
        def evidence_count(self) -> int: ...
        @property
        def evidence_files(self) -> tuple[Evidence, ...]: ...
        @property
        def extension_dates(self) -> tuple[date, ...]: ...
        @property
        def measure_count(self) -> int: ...
        @property
        def measures_done(self) -> int: ...
        @property
        def open_measures(self) -> tuple[int, ...]: ...
        @property
        def dated_measures(self) -> tuple[DatedMeasure, ...]: ...
        @property
        def amounts(self) -> Amounts | None: ...
        @property
        def results(self) -> tuple[Tally, ...]: ...
        @property
        def loc(self) -> Location: ...
        @property
        def where(self) -> Where: ...
        @property
        def is_closed(self) -> bool: ...
        def at(self, key: str) -> Location: ...

    class View(Protocol):
        """A ledger as checks read it: `LedgerData` (whole records) or `Summary` (briefs)."""

        @property
        def root(self) -> str: ...
        @property
        def header(self) -> Header: ...
        @property
        def issues(self) -> Sequence[Facts]: ...


def cn_date(value: date) -> str:
    """A date as official documents write it: Arabic numerals, no zero padding."""
    return f"{value.year}年{value.month}月{value.day}日"

