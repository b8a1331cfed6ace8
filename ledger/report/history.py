"""The ledger as committed in git: on a past date (`--as-of`), and as a series (`stats --history`).

Reads objects with one long-lived `git cat-file --batch` process: commits,
trees and blobs, never a checkout, never the working tree. Trees and blobs
are memoised by their sha, and so is each problem file's parse, so walking a
thousand commits parses only the files that changed between them. The bytes
go through the loader (`loader.load_files`), and everything counted comes
from `query.standings` via `stats.count`: nothing here decides a deadline or
a level.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

from ledger.core.errors import UsageError
from ledger.core.model import Issue, Problem, cn_date
from ledger.read.loader import HEADER_PATH, ISSUES_DIR, Loaded, load_files, parse_issue
from ledger.report.stats import Counts, count

NOTICE_FILE = "data/notice.yaml"
EVERY = ("commit", "week", "month")


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit: its sha, its committer time (epoch) and the day in the committer's own zone."""

    sha: str
    stamp: int
    day: date

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True, slots=True)
class Point:
    """One point of the history series: the ledger of `commit` counted on `day`."""

    day: date
    commit: Commit
    counts: Counts

    @property
    def open(self) -> int:
        return self.counts.total - self.counts.closed


class _Objects:
    """A `git cat-file --batch` process: object bytes by sha, each object read once."""

    def __init__(self, repo: Path) -> None:
        self._process = subprocess.Popen(
            ["git", "cat-file", "--batch"], cwd=repo, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._cache: dict[str, bytes | None] = {}

    def get(self, sha: str) -> bytes | None:
        if sha in self._cache:
            return self._cache[sha]
        stdin, stdout = self._pipes()
        stdin.write(sha.encode("ascii") + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        data: bytes | None = None
        if len(header) == 3:  # "<sha> <type> <size>", else "<sha> missing"
            size = int(header[2])
            data = stdout.read(size)
            stdout.read(1)  # the newline after the object
        self._cache[sha] = data
        return data

    def prefetch(self, shas: list[str]) -> None:
        """Read many objects with one write and one flush (a round trip each is slow).
        In chunks that fit a pipe's buffer, so git never waits on us while we write."""
        wanted = [sha for sha in dict.fromkeys(shas) if sha not in self._cache]
        stdin, stdout = self._pipes()
        for at in range(0, len(wanted), 1000):
            chunk = wanted[at:at + 1000]
            stdin.write("".join(f"{sha}\n" for sha in chunk).encode("ascii"))
            stdin.flush()
            for sha in chunk:
                header = stdout.readline().split()
                data: bytes | None = None
                if len(header) == 3:
                    data = stdout.read(int(header[2]))
                    stdout.read(1)
                self._cache[sha] = data

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        assert self._process.stdin is not None and self._process.stdout is not None
        return self._process.stdin, self._process.stdout

    def close(self) -> None:
        stdin, stdout = self._pipes()
        stdin.close()
        stdout.close()
        self._process.wait()


def _tree_entries(data: bytes) -> dict[str, tuple[bool, str]]:
    """A raw tree object's entries: name -> (is a folder, sha)."""
    entries: dict[str, tuple[bool, str]] = {}
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        mode = data[at:space]
        name = data[space + 1:nul].decode("utf-8", "surrogateescape")
        entries[name] = (mode == b"40000", data[nul + 1:nul + 21].hex())
        at = nul + 21
    return entries


class Repository:
    """The git repository that holds a ledger, read without touching the working tree."""

    def __init__(self, root: Path) -> None:
        self.root = root
        top = _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
        if top is None:
            raise UsageError(f"{root} 不在 git 仓库中,无法按日期读取台账(--as-of、--history)",
                             "请在 git 仓库中管理台账(git init 并提交),或去掉 --as-of")
        lines = top.split("\n")
        self.top = Path(lines[0])
        self.prefix = lines[1] if len(lines) > 1 else ""
        self._objects: _Objects | None = None
        self._trees: dict[str, dict[str, tuple[bool, str]]] = {}
        self._parsed: dict[tuple[str, str], tuple[Issue | None, list[Problem]]] = {}

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *_: object) -> None:
        if self._objects is not None:
            self._objects.close()
            self._objects = None

    # -- commits

    def commits(self) -> list[Commit]:
        """Every commit reachable from HEAD, oldest first; [] before the first commit."""
        out = _git(self.root, "log", "--format=%H %ct %cI", "HEAD")
        if out is None:
            return []
        found = []
        for line in out.splitlines():
            sha, stamp, iso = line.split(" ")
            found.append(Commit(sha, int(stamp), datetime.fromisoformat(iso).date()))
        found.sort(key=lambda commit: commit.stamp)
        return found

    def commit_on(self, day: date, commits: list[Commit] | None = None) -> Commit:
        """The last commit on or before `day` (the committer's own calendar day)."""
        commits = self.commits() if commits is None else commits
        if not commits:
            raise UsageError("git 仓库中还没有任何提交,无法按日期读取台账",
                             "请先提交台账(git add data && git commit),或去掉 --as-of")
        chosen = [commit for commit in commits if commit.day <= day]
        if not chosen:
            raise UsageError(f"{cn_date(day)}及之前没有提交;最早的提交在{cn_date(commits[0].day)}",
                             "请换一个不早于最早提交的日期")
        return chosen[-1]

    def dirty(self) -> bool:
        """Uncommitted changes to the ledger's data (they are not in any commit)."""
        out = _git(self.root, "status", "--porcelain", "--", "data")
        return bool(out and out.strip())

    # -- files

    def _objects_(self) -> _Objects:
        if self._objects is None:
            self._objects = _Objects(self.top)
        return self._objects

    def _tree(self, sha: str) -> dict[str, tuple[bool, str]]:
        if sha not in self._trees:
            self._trees[sha] = _tree_entries(self._objects_().get(sha) or b"")
        return self._trees[sha]

    def _folder(self, commit: Commit, path: str) -> dict[str, tuple[bool, str]]:
        """The entries of a folder (relative to the repository top) in `commit`; {} if absent."""
        data = self._objects_().get(commit.sha) or b""
        tree = data.split(b"\n", 1)[0].split(b" ")[1].decode("ascii") if data else ""
        entries = self._tree(tree) if tree else {}
        for part in [part for part in path.split("/") if part]:
            folder, sha = entries.get(part, (False, ""))
            if not folder:
                return {}
            entries = self._tree(sha)
        return entries

    def warm(self, commits: list[Commit]) -> None:
        """Read the commits and the trees down to data/issues for all of them, level by level:
        a handful of round trips to git instead of four per commit."""
        objects = self._objects_()
        objects.prefetch([commit.sha for commit in commits])
        level = []
        for commit in commits:
            data = objects.get(commit.sha) or b""
            if data.startswith(b"tree "):
                level.append(data[5:45].decode("ascii"))
        for part in [*[p for p in self.prefix.split("/") if p], "data", "issues"]:
            objects.prefetch(level)
            following = []
            for sha in dict.fromkeys(level):
                folder, child = self._tree(sha).get(part, (False, ""))
                if folder:
                    following.append(child)
            level = following
        objects.prefetch(level)

    def files(self, commit: Commit) -> dict[str, str]:
        """The ledger's data files in `commit`: path relative to the ledger root -> blob sha."""
        found: dict[str, str] = {}
        data = self._folder(commit, self.prefix + "data")
        for name, (folder, sha) in data.items():
            if not folder:
                found[f"data/{name}"] = sha
        for name, (folder, sha) in self._folder(commit, self.prefix + ISSUES_DIR).items():
            if not folder:
                found[f"{ISSUES_DIR}/{name}"] = sha
        return found

    def blob(self, sha: str) -> bytes | None:
        return self._objects_().get(sha)

    def _parse(self, relpath: str, sha: str) -> tuple[Issue | None, list[Problem]]:
        key = (relpath, sha)
        if key not in self._parsed:
            data = self.blob(sha)
            self._parsed[key] = parse_issue(relpath, data if data is not None else b"")
        return self._parsed[key]

    def load(self, commit: Commit) -> Loaded:
        """The ledger as committed in `commit`, through the loader."""
        files = self.files(commit)
        if HEADER_PATH not in files:
            raise UsageError(f"提交 {commit.short}({cn_date(commit.day)})中还没有台账"
                             f"(找不到 {self.prefix}{HEADER_PATH})",
                             "请换一个更晚的日期")
        paths = sorted(path for path in files
                       if path.startswith(ISSUES_DIR + "/") and path.endswith((".yaml", ".yml")))
        self._objects_().prefetch([files[path] for path in paths
                                   if (path, files[path]) not in self._parsed])

        def read(relpath: str) -> bytes | None:
            sha = files.get(relpath)
            return self.blob(sha) if sha is not None else None

        return load_files(str(self.root), read, paths,
                          lambda relpath, _: self._parse(relpath, files[relpath]))

    def read(self, commit: Commit, relpath: str) -> bytes | None:
        """One ledger file (data/notice.yaml …) as committed, None when absent."""
        sha = self.files(commit).get(relpath)
        return self.blob(sha) if sha is not None else None


def _git(cwd: Path, *args: str) -> str | None:
    """A git command's output, None when it fails (not a repository, no commits, no git)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace").rstrip("\n")


def as_of_note(commit: Commit, day: date, dirty: bool) -> str:
    """The one line that says which commit was read (and that local edits were not)."""
    note = f"按{cn_date(day)}及之前的最后一次提交 {commit.short}({cn_date(commit.day)})读取台账"
    return note + (";工作区中未提交的修改不计入" if dirty else "")


# ---------------------------------------------------------------- the series


def sample_days(commits: list[Commit], every: str, today: date) -> list[date]:
    """The days of the series: each commit's day; or the first commit's day, then each
    week's Sunday / month's last day after it, the last one cut to `today`."""
    if not commits or commits[0].day > today:
        return []
    if every == "commit":
        return sorted({commit.day for commit in commits if commit.day <= today})
    days = [commits[0].day]  # the series starts where the history starts
    day = _period_end(commits[0].day, every)
    while True:
        if min(day, today) != days[-1]:
            days.append(min(day, today))
        if day >= today:
            return days
        day = _period_end(day + timedelta(days=1), every)


def _period_end(day: date, every: str) -> date:
    if every == "week":
        return day + timedelta(days=6 - day.weekday())
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def series(root: Path, every: str, today: date,
           progress: Callable[[int, int], None] | None = None) -> list[Point]:
    """Open, closed and overdue counts at each sample day, each day reading the last
    commit on or before it and counting on that day; `progress` is told (days done, in all)."""
    from ledger.report.query import standings

    with Repository(root) as repo:
        commits = repo.commits()
        if not commits:
            repo.commit_on(today, commits)  # raises: no commit at all
        points = []
        days = sample_days(commits, every, today)
        chosen = [repo.commit_on(day, commits) for day in days]
        repo.warm(list(dict.fromkeys(chosen)))
        for done, (day, commit) in enumerate(zip(days, chosen, strict=True), 1):
            files = repo.files(commit)
            if HEADER_PATH in files:  # else the ledger was not there yet
                points.append(Point(day, commit,
                                    count(standings(repo.load(commit).ledger, day))))
            if progress is not None:
                progress(done, len(days))
        return points


def iter_rows(points: list[Point]) -> Iterator[list[str]]:
    """The series as text cells: what text, md and csv print."""
    for point in points:
        counts = point.counts
        yield [point.day.isoformat(), point.commit.short, str(counts.total), str(counts.closed),
               str(point.open), str(counts.overdue), counts.rate_text]


def point_data(point: Point) -> dict[str, object]:
    """One point as JSON-ready data."""
    counts = point.counts
    return {"date": point.day.isoformat(), "commit": point.commit.sha, "total": counts.total,
            "closed": counts.closed, "open": point.open, "overdue": counts.overdue,
            "rate": counts.rate_text}


HISTORY_HEADERS = ("日期", "提交", "问题数", "已完成", "未销号", "超期", "完成率")
