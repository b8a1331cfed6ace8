"""The library face: `ledger.Ledger`, one ledger opened on one day.

    import ledger
    book = ledger.Ledger.open("path/to/ledger", today=date(2021, 9, 1))
    book.problems()            # the feedback problems (Issue records), by number
    book.diagnostics()         # validation findings, sorted (errors and warnings)
    book.standing(11)          # where problem 11 stands: deadline, level, days left
    book.set([1, 2], unit="办公室").apply()   # edits return an Edit: .diff() or .apply()

Everything the CLI does goes through here; the CLI only reads the command line and
the environment, prints, and maps errors to exit codes. Nothing here reads an
environment variable, prints, or names a command-line flag.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.core.record import record
from ledger.validate.rules import checked

# lock.DEFAULT_TIMEOUT, without importing the lock module at start-up (tests check they agree).
DEFAULT_TIMEOUT = 5.0
if TYPE_CHECKING:
    from ledger.core.model import Issue, LedgerData, Problem, Summary
    from ledger.deadline.policy import Report
    from ledger.deadline.standing import Standing
    from ledger.edit.lifecycle import Edit, EditSet
    from ledger.read.loader import Loaded
    from ledger.read.notice import Notice
    from ledger.report.stats import Stats


@record
class Ledger:
    """A ledger read from its folder (or, with `as_of`, from its git history) on `today`.

    Reads are lazy and done once per object; open a new one to see later changes.
    """

    root: Path
    today: date
    cache: bool = True
    as_of: date | None = None
    lock_timeout: float = DEFAULT_TIMEOUT
    user: str = ""
    # Told (done, total) as the problem files are read: a progress bar, if the caller
    # draws one (the library draws nothing).
    progress: Callable[[int, int], None] | None = None
    # What reading the past said (which commit answered), for the caller to show.
    as_of_note: str = ""
    _loaded: Loaded | None = None
    _summary: Summary | None = None
    _notice: tuple[Notice | None, list[Problem]] | None = None

    @classmethod
    def open(cls, root: str | Path | None = None, *, today: date | None = None,
             cache: bool = True, as_of: date | None = None,
             lock_timeout: float = DEFAULT_TIMEOUT, user: str = "",
             progress: Callable[[int, int], None] | None = None) -> Ledger:
        """The ledger in `root` (a folder holding data/ledger.yaml), else the one found
        from the working directory upwards; NoLedgerError when there is none.

        `today` defaults to `as_of`, else the real date; `cache` uses the parse cache
        (.ledger-cache/); `user` is who edits (else git's user.name); `progress` is told
        (files done, files in all) while the problem files are read.
        """
        from ledger.read.root import find_root

        found = find_root(Path.cwd(), Path(root) if root is not None else None)
        return cls(found, today or as_of or date.today(), cache, as_of, lock_timeout, user,
                   progress)

    # ------------------------------------------------------------ reading

    @property
    def loaded(self) -> Loaded:
        """The ledger as read, with the loader's own findings."""
        if self._loaded is None:
            if self.as_of is not None:
                self._loaded, self._notice = self._read_past()
            else:
                from .cache import load

                self._loaded = load(self.root, cache=self.cache, progress=self.progress)
        return self._loaded

    @property
    def data(self) -> LedgerData:
        """The header and every problem, as one record."""
        return self.loaded.ledger

    @property
    def summary(self) -> Summary:
        """The ledger as checks and reports read it: each problem's `Brief` from the parse
        cache (whole records are never built), or the records themselves when they are
        read anyway (already loaded, `as_of`, the cache off); the same answers either way."""
        if self._summary is None:
            found = None
            if self._loaded is None and self.as_of is None:
                from .cache import summary

                found = summary(self.root, cache=self.cache, progress=self.progress)
            if found is None:
                from ledger.read.loader import summary_of

                found = summary_of(self.loaded)
            self._summary = found
        return self._summary

    @property
    def notice(self) -> Notice | None:
        """data/notice.yaml (the notice's narrative), if the ledger has one."""
        return self._notice_read()[0]

    def _notice_read(self) -> tuple[Notice | None, list[Problem]]:
        if self._notice is None:
            if self.as_of is not None:
                _ = self.loaded
            else:
                from ledger.read.notice import load_notice

                self._notice = load_notice(self.root)
        assert self._notice is not None
        return self._notice

    def _read_past(self) -> tuple[Loaded, tuple[Notice | None, list[Problem]]]:
        from ledger.read.notice import parse_notice
        from ledger.report.history import NOTICE_FILE, Repository, as_of_note

        assert self.as_of is not None
        with Repository(self.root) as repo:
            commit = repo.commit_on(self.as_of)
            self.as_of_note = as_of_note(commit, self.as_of, repo.dirty())
            loaded = repo.load(commit)
            data = repo.read(commit, NOTICE_FILE)
        return loaded, (parse_notice(NOTICE_FILE, data) if data is not None else (None, []))

    def problems(self) -> list[Issue]:
        """The feedback problems (问题), in number order."""
        return list(self.data.issues)

    def problem(self, number: int) -> Issue:
        """Problem `number` (RefusedError when there is no such problem, saying why)."""
        from ledger.report.query import lookup

        return lookup(self.loaded, number)

    def diagnostics(self, full: bool = True) -> list[Problem]:
        """Validation findings, sorted. `full` adds the checks that read more than the
        ledger's own files (evidence hashes, data/notice.yaml); read from git (`as_of`),
        evidence is not hashed (the files are the working tree's, not the commit's)."""
        notice = self._notice_read()[1] if full else []
        return checked(self.summary, self.today, full and self.as_of is None, notice)

    def standing(self, number: int) -> Standing:
        """Where problem `number` stands today (RefusedError when there is no such problem)."""
        from ledger.deadline.standing import standing

        header = self.data.header
        return standing(self.problem(number), header.inspection.feedback, header.policy,
                        self.today)

    def standings(self) -> list[Standing]:
        """Every problem's standing today, in number order."""
        from ledger.report.query import standings

        return standings(self.summary, self.today)

    def select(self, *, open: bool = False, closed: bool = False, overdue: bool = False,
               status: str | None = None, unit: str | None = None,
               aspect: int | None = None) -> list[Standing]:
        """The standings of the problems that pass every filter given."""
        from ledger.report.query import Filters, select

        return select(self.summary, Filters(open, closed, overdue, status, unit, aspect),
                      self.today)

    def check(self, data_warnings: int = 0) -> Report:
        """The deadline policy (`ledger check`): levels, counts, warnings, verdict."""
        from ledger.deadline.policy import check

        return check(self.summary, self.today, data_warnings)

    def stats(self, by: str | Sequence[str] | None = None) -> Stats:
        """The numbers today, broken down by aspect, unit, leader, tier (all when None)."""
        from ledger.report.stats import BREAKDOWNS, compute

        return compute(self.summary, self.today, tuple(BREAKDOWNS) if by is None else by)

    def render(self, template: str = "notice", fmt: str = "txt", public: bool = False,
               only: Collection[int] | None = None, scope: str = "",
               limits: object = None) -> str | bytes:
        """A notice or table from a template: text, or bytes for docx/xlsx. The caller
        decides what errors block it (see `render_blockers`)."""
        from ledger.present import render as rendering

        if fmt in rendering.BINARY:
            return rendering.render_file(self.root, self.data, self.notice, self.today,
                                         template, fmt, public, only, scope)
        extra = () if limits is None else (limits,)
        return rendering.render(self.root, self.data, self.notice, self.today, template, fmt,
                                public, only, scope, *extra)

    def render_blockers(self, public: bool = False) -> tuple[list[Problem], list[Problem]]:
        """(errors that block rendering, errors only warned about). The public version is
        not blocked by errors about internal-only matter (evidence files, which the public
        never sees); every other error blocks both. Rendering reads whole records, so they
        are read first and the findings come from them (not from the briefs as well)."""
        _ = self.loaded
        errors = [problem for problem in self.diagnostics() if problem.severity == "error"]
        if not public:
            return errors, []
        internal = [problem for problem in errors if problem.code in INTERNAL_ONLY_CODES]
        return [problem for problem in errors if problem not in internal], internal

    # ------------------------------------------------------------ edits

    def _by(self) -> str:
        from ledger.edit.lifecycle import default_user

        return default_user(self.root, self.user)

    def close(self, number: int, evidence: Iterable[str], *, when: date | None = None,
              note: str = "", force: bool = False, reason: str = "",
              cwd: Path | None = None) -> Edit:
        from ledger.edit import lifecycle

        return lifecycle.close(self.root, number, evidence, today=self.today, by=self._by(),
                               when=when, note=note, force=force, cwd=cwd, reason=reason)

    def reopen(self, number: int, reason: str) -> Edit:
        from ledger.edit import lifecycle

        return lifecycle.reopen(self.root, number, reason, today=self.today, by=self._by())

    def extend(self, number: int, to: date, reason: str, approved_by: str = "") -> Edit:
        from ledger.edit import lifecycle

        return lifecycle.extend(self.root, number, to, reason, today=self.today,
                                by=self._by(), approved_by=approved_by)

    def log(self, number: int, text: str, when: date | None = None) -> Edit:
        from ledger.edit import lifecycle

        return lifecycle.log(self.root, number, text, today=self.today, by=self._by(),
                             when=when)

    def done(self, number: int, measures: Iterable[int] | None,
             when: date | None = None) -> Edit:
        """Mark measures done (None: every measure not yet done)."""
        from ledger.edit import lifecycle

        return lifecycle.done(self.root, number, measures, today=self.today, by=self._by(),
                              when=when)

    def undone(self, number: int, measures: Iterable[int]) -> Edit:
        from ledger.edit import lifecycle

        return lifecycle.undone(self.root, number, measures, today=self.today, by=self._by())

    def set_status(self, number: int, value: str) -> Edit | None:
        from ledger.edit import lifecycle

        return lifecycle.set_status(self.root, number, value, today=self.today, by=self._by())

    def set(self, numbers: Iterable[int], fields: Iterable[tuple[str, str]] = (),
            **named: str) -> EditSet | None:
        """Set title, leader, unit, co_units, owner, deadline or public on problems, as the
        text a person types (deadline: a date or a tier; co_units: a comma list); all
        files or none. None when nothing changes."""
        from ledger.edit import lifecycle

        return lifecycle.set_fields(self.root, numbers, [*fields, *named.items()],
                                    today=self.today, by=self._by())

    def amount(self, number: int, *, involved: str | None = None, rectified: str | None = None,
               ways: Iterable[str] = ()) -> Edit | None:
        from ledger.edit import lifecycle

        return lifecycle.amount(self.root, number, today=self.today, by=self._by(),
                                involved=involved, rectified=rectified, ways=ways)

    def new(self, aspect: int, title: str, subject: int | None = None,
            fields: Iterable[tuple[str, str]] = ()) -> Edit:
        """A new problem with the next free number (written by `.apply()`)."""
        from ledger.edit import lifecycle

        return lifecycle.new(self.root, aspect, title, today=self.today, by=self._by(),
                             subject=subject, fields=fields)

    def add(self, aspect: int, title: str, subject: int | None = None,
            fields: Iterable[tuple[str, str]] = ()) -> Edit:
        """`new` and write it under the lock, taking the next number if another took this."""
        from ledger.edit import lifecycle

        return lifecycle.add(self.root, aspect, title, today=self.today, by=self._by(),
                             subject=subject, fields=fields, timeout=self.lock_timeout)


# Validation codes about matter the public version never shows: they warn instead of
# blocking `render --public` (a moved internal evidence file must not stop the notice).
INTERNAL_ONLY_CODES = frozenset({"evidence-missing", "evidence-changed"})
