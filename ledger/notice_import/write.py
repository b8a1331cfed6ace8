"""Records → the ledger's files: plain data, YAML text a clerk can edit, and the write itself.

The only place an import turns records into YAML and puts files on disk. It
parses nothing (see `text`, `sheet`) and decides nothing about what a source
means; it writes all the files or none (see `write_all`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ledger.core.atomic import sync_dir
from ledger.core.errors import RefusedError, WriteError
from ledger.core.paths import inside_root
from ledger.edit.yamlout import dump
from ledger.read.loader import HEADER_PATH, IMPORT_MARKER, ISSUES_DIR, issue_filename, shorten
from ledger.read.notice import NOTICE_PATH

from .records import (
    AmountsRec,
    Counted,
    HeaderRec,
    IssueRec,
    MeasureRec,
    NoticeRec,
    Paragraph,
    Parsed,
    SectionRec,
    StatedRec,
    TallyRec,
)

# ---------------------------------------------------------------- records → plain data


def _measure(measure: MeasureRec) -> Any:
    if measure.done is None and measure.deadline is None:
        return measure.text
    out: dict[str, Any] = {"text": measure.text}
    if measure.deadline is not None:
        out["deadline"] = measure.deadline
    if measure.done is not None:
        out["done"] = measure.done
    return out


def _tally(tally: TallyRec) -> dict[str, Any]:
    out: dict[str, Any] = {"label": tally.label}
    if tally.amount is not None:
        out["amount"] = tally.amount
    else:
        out["count"] = tally.count
        if tally.unit:
            out["unit"] = tally.unit
    return out


def _amounts(amounts: AmountsRec) -> dict[str, Any]:
    out: dict[str, Any] = {"involved": amounts.involved}
    if amounts.rectified is not None:
        out["rectified"] = amounts.rectified
    if amounts.ways:
        out["ways"] = dict(amounts.ways)
    return out


def issue_data(issue: IssueRec) -> dict[str, Any]:
    """A problem's own data: what the source said, in the documented key order."""
    out: dict[str, Any] = {"number": issue.number, "aspect": issue.aspect}
    if issue.subject is not None:
        out["subject"] = issue.subject
    out["title"] = issue.title
    if issue.preface:
        out["preface"] = issue.preface
    out["measures"] = [_measure(measure) for measure in issue.measures]
    for key in ("leader", "unit", "owner"):
        if getattr(issue, key):
            out[key] = getattr(issue, key)
    if issue.co_units:
        out["co_units"] = list(issue.co_units)
    if issue.deadline is not None:
        out["deadline"] = issue.deadline
    out["status"] = issue.status
    if issue.closed is not None:
        out["closed"] = {"date": issue.closed.date, "by": None,
                         "evidence": [issue.closed.evidence], "note": issue.closed.note}
    if issue.progress:
        out["progress"] = [{"date": note.date, "text": note.text, "by": note.by}
                           if note.by else {"date": note.date, "text": note.text}
                           for note in issue.progress]
    if issue.amounts is not None:
        out["amounts"] = _amounts(issue.amounts)
    if issue.results:
        out["results"] = [_tally(tally) for tally in issue.results]
    if issue.remarks:
        out["remarks"] = dict(issue.remarks)
    return out


def issue_record(issue: dict[str, Any]) -> dict[str, Any]:
    """A problem file in the documented key order, with empty fields for the clerk to fill."""
    record: dict[str, Any] = {"number": issue["number"], "aspect": issue["aspect"]}
    if "subject" in issue:
        record["subject"] = issue["subject"]
    record["title"] = issue["title"]
    if "preface" in issue:
        record["preface"] = issue["preface"]
    record.update(measures=issue["measures"],
                  leader=issue.get("leader"), unit=issue.get("unit"),
                  co_units=issue.get("co_units", []), owner=issue.get("owner"),
                  deadline=issue.get("deadline"), status=issue["status"])
    for key in ("closed", "progress", "amounts", "results", "remarks"):
        if key in issue:
            record[key] = issue[key]
    return record


def _stated(stated: StatedRec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("aspects", "problems", "measures", "done", "ongoing", "rate", "involved",
                "rectified"):
        value = getattr(stated, key)
        if value is not None:
            out[key] = value
    if stated.results:
        out["results"] = [_tally(tally) for tally in stated.results]
    return out


def header_data(header: HeaderRec) -> dict[str, Any]:
    """data/ledger.yaml's data; what the source did not say stays empty for the clerk."""
    out: dict[str, Any] = {
        "schema": 1,
        "issuer": header.issuer,
        "title": header.title,
        "inspection": {"kind": header.kind, "by": header.by, "start": header.start,
                       "end": header.end, "feedback": header.feedback},
        "aspects": [{"number": aspect.number, "title": aspect.title}
                    for aspect in header.aspects],
    }
    if header.subjects:
        out["subjects"] = [{"number": subject.number, "aspect": subject.aspect,
                            "title": subject.title} for subject in header.subjects]
    if header.money_unit:
        out["money_unit"] = header.money_unit
    if header.results:
        out["results"] = [_tally(tally) for tally in header.results]
    if not header.stated.empty():
        out["stated"] = _stated(header.stated)
    return out


def _paragraphs(paragraphs: Sequence[Paragraph]) -> list[Any]:
    return [{"before": item.before, "after": item.after} if isinstance(item, Counted) else item
            for item in paragraphs]


def _section(section: SectionRec) -> dict[str, Any]:
    out: dict[str, Any] = {"heading": section.heading}
    if section.paragraphs:
        out["paragraphs"] = _paragraphs(section.paragraphs)
    if section.points:
        out["points"] = list(section.points)
    if section.problems:
        out["problems"] = True
    return out


def notice_data(notice: NoticeRec) -> dict[str, Any]:
    """data/notice.yaml's data: the switches only where they differ from the defaults."""
    out: dict[str, Any] = {"date": notice.date}
    if notice.date_text:
        out["date_text"] = notice.date_text
    if notice.source:
        out["source"] = {key: value for key, value in notice.source.items() if value}
    if notice.meta:
        out.setdefault("source", {})["meta"] = list(notice.meta)
    if notice.issuer_in_title:
        out["issuer_in_title"] = True
    if notice.signature:
        out["signature"] = notice.signature
    if not notice.aspects:
        out["aspects"] = False
    out["intro"] = _paragraphs(notice.intro)
    if notice.sections:
        out["sections"] = [_section(section) for section in notice.sections]
    if notice.problems:
        out["problems"] = True
    out["closing"] = _paragraphs(notice.closing)
    out["progress_sentence"] = notice.progress_sentence
    if notice.measures_label:
        out["measures_label"] = notice.measures_label
    if notice.measure_paragraphs:
        out["measure_paragraphs"] = True
    if notice.status_sentences:
        out["status_sentences"] = dict(notice.status_sentences)
        if not notice.status_inline:
            out["status_inline"] = False
        if notice.status_before:
            out["status_before"] = True
    if notice.numbering:
        out["numbering"] = dict(notice.numbering)
    return out


# ---------------------------------------------------------------- plain data → YAML


_NOTICE_COMMENT = (
    "# 通报的叙述部分(导语、各部分、结尾)。编号(一、(一)1.(1)一是)在生成时计算,不要写进文字。\n"
    "# {before, after} 之间是由数据计算的计数短语(如 四个方面23项整改问题)。\n")


def files(parsed: Parsed) -> dict[str, str]:
    """Relative path → text of every file the import writes."""
    out = {HEADER_PATH: dump(header_data(parsed.header))}
    if parsed.notice is not None:
        out[NOTICE_PATH] = _NOTICE_COMMENT + dump(notice_data(parsed.notice))
    for issue in parsed.issues:
        out[f"{ISSUES_DIR}/{issue_filename(issue.number)}"] = dump(
            issue_record(issue_data(issue)))
    return out


# ---------------------------------------------------------------- files → disk


def existing_ledger(into: Path) -> tuple[list[str], list[str], bool]:
    """The header/notice files and the problem files already under `into`, and whether an
    interrupted import left its marker there (then finishing it needs no --force)."""
    try:
        resuming = os.path.lexists(into / IMPORT_MARKER)
        existing = [path for path in (HEADER_PATH, NOTICE_PATH) if (into / path).exists()]
        old_issues = sorted(path.name for path in (into / ISSUES_DIR).glob("*.yaml")) \
            if (into / ISSUES_DIR).is_dir() else []
    except (OSError, RuntimeError) as exc:
        raise write_error(into, exc) from None
    return existing, old_issues, resuming


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


def write_all(into: Path, planned: dict[str, str], removed: Sequence[str],
              source: Path) -> None:
    """Write every planned file and remove the stale ones under `into`: all or nothing."""
    # Every path is built from fixed folder names and numbers, so nothing lands
    # outside `into`; the check makes that a guarantee rather than an argument.
    try:
        for relpath in [*planned, *removed, IMPORT_MARKER]:
            if not inside_root(into, into / relpath):
                raise RefusedError(f"拒绝写入台账目录之外的位置:{relpath} 指向 {into} 之外",
                                   "data/ 或其中的目录是指向别处的链接;请换一个目录导入")
    except (OSError, RuntimeError) as exc:
        raise write_error(into, exc) from None
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
            raise write_error(into, exc) from exc
        raise


def _write_staged(into: Path, planned: dict[str, str]) -> None:
    """The whole of data/ in a sibling folder, then one rename: no ledger, or all of it."""
    staging = into / f"{STAGING}{os.getpid()}-{os.urandom(4).hex()}.tmp"
    staging.mkdir()
    try:
        (staging / Path(ISSUES_DIR).relative_to(DATA_DIR)).mkdir()  # even with no problem yet
        folders = {staging}
        for relpath, text in planned.items():
            target = staging / Path(relpath).relative_to(DATA_DIR)
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            _write_new(target, text.encode("utf-8"))
        for folder in folders:
            sync_dir(folder)
        # The one step that makes the ledger appear; os.replace rather than Path.replace,
        # which on Python 3.10 bypasses a patched os.replace (tests inject a full disk).
        os.replace(staging, into / DATA_DIR)  # noqa: PTH105
    except BaseException:  # a failure, or Ctrl-C: as if the import had never started
        shutil.rmtree(staging, ignore_errors=True)
        raise
    sync_dir(into)


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
            sync_dir(folder)
        # From here until the marker is gone, every command refuses the ledger.
        try:
            for temp, target in staged:
                os.replace(temp, target)  # noqa: PTH105 - as above
            for relpath in removed:
                with contextlib.suppress(FileNotFoundError):
                    (into / relpath).unlink()
            for folder in {marker.parent, *(target.parent for _, target in staged)}:
                sync_dir(folder)
            marker.unlink()
        except OSError as exc:
            raise WriteError(f"导入中途失败({write_error(into, exc).message}),台账不完整",
                             "所有命令都会拒绝这个台账,直到导入完成;请解决上述问题后"
                             "重新运行同一条 ledger import") from exc
        sync_dir(marker.parent)
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


def write_error(into: Path, exc: OSError | RuntimeError) -> WriteError:
    from ledger.core.atomic import _REASONS

    code = getattr(exc, "errno", None) or 0
    reason = "路径过长" if code == errno.ENAMETOOLONG else (
        _REASONS.get(code) or getattr(exc, "strerror", None) or "链接形成循环")
    return WriteError(f"写入 {shorten(str(into))} 失败:{reason}",
                      "请检查目录权限和磁盘空间;原有台账没有改动"
                      "(若提示台账不完整,重新运行同一条 ledger import 即可完成导入)")
