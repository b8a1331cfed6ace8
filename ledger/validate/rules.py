"""Validation rules across the ledger: pure functions in an immutable tuple.

Each check in CHECKS takes the loaded ledger and `today` and returns problems;
none reads files or the clock, and none computes a position (records carry
them). FULL_CHECKS adds the evidence check, the one that reads files.
`validate` runs them all after the loader's own problems and sorts the lot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.core.dates import resolve
from ledger.core.model import STATUS_DONE, Aspect, Location, Problem, Subject, Summary, Tally
from ledger.core.money import decimals_of, format_amount, money_totals, result_totals, result_unit
from ledger.read.loader import Loaded, issue_filename
from ledger.validate.evidence import check_evidence

if TYPE_CHECKING:
    from ledger.core.model import View

# A check reads a `View`: whole records (`LedgerData`) or briefs (`Summary`), the same way.
Check = Callable[["View", date], Iterable[Problem]]


def check_header_numbers(ledger: View, today: date) -> Iterator[Problem]:
    """Aspect and subject numbers are unique; a subject's aspect exists."""
    header = ledger.header
    yield from _unique("方面", header.aspects)
    yield from _unique("事项", header.subjects)
    numbers = {aspect.number for aspect in header.aspects}
    for subject in header.subjects:
        if subject.aspect not in numbers:
            yield Problem(subject.loc, "unknown-aspect", "error",
                          f"事项 {subject.number} 所属的方面 {subject.aspect} 不存在",
                          _choices("已有的方面", sorted(numbers)))


def _unique(what: str, records: Iterable[Aspect | Subject]) -> Iterator[Problem]:
    first_line: dict[int, int] = {}
    for record in records:
        if record.number in first_line:
            yield Problem(record.loc, "duplicate-number", "error",
                          f"{what}序号 {record.number} 重复",
                          f"第{first_line[record.number]}行已有这个序号")
        first_line.setdefault(record.number, record.loc.line)


def check_issue_numbers(ledger: View, today: date) -> Iterator[Problem]:
    """Problem numbers are unique across files, and each file is named after its number."""
    first: dict[int, str] = {}
    for issue in ledger.issues:
        if issue.number in first:
            yield Problem(issue.at("number"), "duplicate-number", "error",
                          f"问题序号 {issue.number} 与 {first[issue.number]} 重复",
                          "常见于两个分支各自新增了问题;请给其中一个改用下一个空闲序号"
                          "(ledger new 会自动取号),并同时修改文件名")
        else:
            first[issue.number] = issue.path
        expected = issue_filename(issue.number)
        name = issue.path.rsplit("/", 1)[-1]
        if name != expected:
            yield Problem(issue.at("number"), "filename-mismatch", "error",
                          f"文件名 {name} 与序号 {issue.number} 不符",
                          f"请把文件改名为 {expected},或改正 number")


def check_references(ledger: View, today: date) -> Iterator[Problem]:
    """A problem's aspect and subject exist, and the subject sits under that aspect."""
    if not ledger.header.readable:
        return  # data/ledger.yaml's own error says it all; every reference would echo it
    aspects = {aspect.number for aspect in ledger.header.aspects}
    subjects: dict[int, Subject] = {}
    for record in ledger.header.subjects:  # a duplicate is reported once, not here again
        subjects.setdefault(record.number, record)
    for issue in ledger.issues:
        if issue.aspect not in aspects:
            yield Problem(issue.at("aspect"), "unknown-aspect", "error",
                          f"方面 {issue.aspect} 不存在", _choices("data/ledger.yaml 中的方面",
                                                                sorted(aspects)))
        if issue.subject is None:
            continue
        subject = subjects.get(issue.subject)
        if subject is None:
            yield Problem(issue.at("subject"), "unknown-subject", "error",
                          f"事项 {issue.subject} 不存在",
                          _choices("data/ledger.yaml 中的事项", sorted(subjects)))
        elif subject.aspect != issue.aspect:
            yield Problem(issue.at("subject"), "subject-aspect-mismatch", "error",
                          f"事项 {issue.subject} 属于方面 {subject.aspect},"
                          f"而本问题写的是方面 {issue.aspect}",
                          f"请把 aspect 改为 {subject.aspect},或改正 subject")


def check_closing(ledger: View, today: date) -> Iterator[Problem]:
    """已完成 needs a closing record; a closing record needs 已完成; closed means measures done."""
    for issue in ledger.issues:
        # A closing record with a bad date is reported where it is wrong, not as missing.
        if issue.status == STATUS_DONE and not issue.has_closing \
                and "closed.date" not in issue.where:
            yield Problem(issue.at("status"), "done-without-closing", "error",
                          "状态为已完成,但没有销号记录(closed)",
                          "请用 ledger close 销号(需提供佐证材料),不要直接改状态")
        if issue.has_closing and issue.status != STATUS_DONE:
            yield Problem(issue.at("closed"), "closing-on-open", "warning",
                          f"有销号记录,但状态是{issue.status}",
                          "如果问题已重新打开,请用 ledger reopen;否则把状态改为已完成")
        if issue.has_closing and not issue.evidence_count:
            yield Problem(issue.at("closed"), "closing-without-evidence", "error",
                          "销号记录没有佐证材料(evidence)", "销号须有佐证材料:文件路径或材料说明")
        if issue.status == STATUS_DONE and issue.has_closing:
            for index in issue.open_measures:
                yield Problem(issue.at(f"measures.{index}"), "open-measure-on-closed",
                              "warning", f"问题已销号,但第{index}项整改措施未标记完成",
                              f"完成后用 ledger done {issue.number} {index} 标记")


def check_dates(ledger: View, today: date) -> Iterator[Problem]:
    """Nothing is closed, due or extended before the feedback was given."""
    feedback = ledger.header.inspection.feedback
    if feedback is None:
        return
    shown = f"{feedback.isoformat()}"
    for issue in ledger.issues:
        closed = issue.closed_date
        if closed is not None and closed < feedback:
            yield Problem(issue.at("closed.date"), "closed-before-feedback", "error",
                          f"销号日期 {closed.isoformat()} 早于反馈日期 {shown}",
                          "请核对销号日期")
        if issue.deadline is not None and issue.deadline.date is not None \
                and issue.deadline.date < feedback:
            yield Problem(issue.at("deadline"), "deadline-before-feedback", "error",
                          f"整改时限 {issue.deadline.date.isoformat()} 早于反馈日期 {shown}",
                          "请核对时限;要延期请用 ledger extend")
        for measure in issue.dated_measures:
            when = resolve(measure.deadline, None)
            if when is not None and when < feedback:
                index = measure.index
                yield Problem(issue.at(f"measures.{index}.deadline"), "deadline-before-feedback",
                              "error",
                              f"第{index}项措施的时限 {when.isoformat()} 早于反馈日期 {shown}",
                              "请核对时限")
        previous = resolve(issue.deadline, feedback)
        for index, to in enumerate(issue.extension_dates, start=1):
            if previous is not None and to <= previous:
                yield Problem(issue.at(f"extensions.{index}.to"), "extension-not-later",
                              "warning",
                              f"第{index}次延期的新时限 {to.isoformat()} 不晚于原时限 "
                              f"{previous.isoformat()}", "延期后的时限应当晚于原时限")
            previous = to


def check_content(ledger: View, today: date) -> Iterator[Problem]:
    """A problem has at least one measure."""
    for issue in ledger.issues:
        if not issue.measure_count:
            yield Problem(issue.at("measures"), "no-measures", "warning",
                          "没有整改措施", "请在 measures 下逐条填写整改措施")


def check_money(ledger: View, today: date) -> Iterator[Problem]:
    """Amounts have a unit and the declared decimals; rectified ≤ involved; ways add up."""
    header = ledger.header
    unit, decimals = header.money_unit, header.money_decimals
    with_money = [issue for issue in ledger.issues
                  if issue.amounts is not None or _money_tallies(issue.results)]
    stated = header.stated
    header_money = _money_tallies(header.results) or (stated is not None and (
        stated.involved is not None or stated.rectified is not None or bool(stated.ways)
        or _money_tallies(stated.results)))
    if header.readable and not unit and (with_money or header_money):
        first = with_money[0].path if with_money else header.path
        count = f"{len(with_money)} 个问题" if with_money else "本文件"
        yield Problem(header.loc, "no-money-unit", "error",
                      f"{count}填写了金额(如 {first}),但没有写金额单位 money_unit",
                      "请在 data/ledger.yaml 中写明 money_unit: 万元(或 元);"
                      "金额按这个单位记录,保留 money_decimals 位小数(默认 2 位)")
    for where, value in _amounts_in(ledger):
        if decimals_of(value) > decimals:
            yield Problem(where, "amount-precision", "error",
                          f"金额 {value} 有 {decimals_of(value)} 位小数,"
                          f"多于台账规定的 {decimals} 位",
                          f"按 money_decimals 保留 {decimals} 位小数"
                          "(需要更多位时修改 data/ledger.yaml 的 money_decimals)")
    for issue in ledger.issues:
        amounts = issue.amounts
        if amounts is None:
            continue
        shown = unit or ""
        rectified = amounts.rectified if amounts.rectified is not None else Decimal(0)
        if rectified > amounts.involved:
            yield Problem(issue.at("amounts.rectified"), "rectified-exceeds-involved", "error",
                          f"已整改金额 {_money(rectified, decimals)}{shown} 大于问题金额 "
                          f"{_money(amounts.involved, decimals)}{shown}",
                          "请核对金额:已整改金额不能超过问题金额")
        if not amounts.ways:
            continue
        ways = sum((way.amount for way in amounts.ways), Decimal(0))
        if ways > rectified:
            yield Problem(issue.at("amounts.ways"), "ways-exceed-rectified", "error",
                          f"各整改方式金额之和 {_money(ways, decimals)}{shown} 大于已整改金额 "
                          f"{_money(rectified, decimals)}{shown}",
                          "请核对 ways 下各项金额,或更新 rectified(可用 ledger amount)")
        elif ways < rectified:
            yield Problem(issue.at("amounts.ways"), "ways-short-of-rectified", "warning",
                          f"各整改方式金额之和 {_money(ways, decimals)}{shown} 小于已整改金额 "
                          f"{_money(rectified, decimals)}{shown}",
                          "如果只列出了其中一部分方式(\"其中上缴财政…\"),可不理会;"
                          "否则请补全 ways")


def _money_tallies(tallies: tuple[Tally, ...]) -> bool:
    return any(item.amount is not None for item in tallies)


def _amounts_in(ledger: View) -> Iterator[tuple[Location, Decimal]]:
    """Every amount written in the ledger, with its place."""
    header = ledger.header
    for index, tally in enumerate(header.results, start=1):
        if tally.amount is not None:
            yield header.at(f"results.{index}.amount"), tally.amount
    stated = header.stated
    if stated is not None:
        for key, value in (("involved", stated.involved), ("rectified", stated.rectified)):
            if value is not None:
                yield header.at(f"stated.{key}"), value
        for way in stated.ways:
            yield way.loc, way.amount
        for index, tally in enumerate(stated.results, start=1):
            if tally.amount is not None:
                yield header.at(f"stated.results.{index}.amount"), tally.amount
    for issue in ledger.issues:
        if issue.amounts is not None:
            yield issue.at("amounts.involved"), issue.amounts.involved
            if issue.amounts.rectified is not None:
                yield issue.at("amounts.rectified"), issue.amounts.rectified
            for way in issue.amounts.ways:
                yield way.loc, way.amount
        for index, tally in enumerate(issue.results, start=1):
            if tally.amount is not None:
                yield issue.at(f"results.{index}.amount"), tally.amount


def _money(value: Decimal, decimals: int) -> str:
    """An amount in a message: the ledger's decimals, or as written when it has more."""
    return format_amount(value, max(decimals, decimals_of(value)))


def computed_counts(ledger: View) -> dict[str, int]:
    """The counts a notice states, as the ledger itself has them (see `Stated`)."""
    issues = ledger.issues
    done = sum(1 for issue in issues if issue.is_closed)
    return {"aspects": len(ledger.header.aspects), "problems": len(issues),
            "measures": sum(issue.measure_count for issue in issues), "done": done,
            "ongoing": len(issues) - done}


_STATED_NAMES = {"aspects": "方面数", "problems": "问题数", "measures": "整改措施数",
                 "done": "已完成整改数", "ongoing": "正在整改(未完成)数",
                 "rate": "整改完成率", "involved": "问题金额", "rectified": "已整改金额"}


def check_stated(ledger: View, today: date) -> Iterator[Problem]:
    """What the notice states (`stated:`) against what the ledger counts: a warning per difference.

    A ledger may hold only part of what a notice covers, so a difference is a
    warning naming both numbers, never an error.
    """
    from ledger.core.money import completion_rate

    header = ledger.header
    stated = header.stated
    if stated is None:
        return
    unit, decimals = header.money_unit, header.money_decimals
    counts = computed_counts(ledger)
    found: list[tuple[str, str, str, str]] = []  # (key, name, stated, computed)
    for key, computed in counts.items():
        value = getattr(stated, key)
        if value is not None and value != computed:
            found.append((key, _STATED_NAMES[key], str(value), str(computed)))
    if stated.rate is not None:
        rate = completion_rate(counts["done"], counts["problems"])
        if stated.rate != Decimal(rate):
            found.append(("rate", _STATED_NAMES["rate"], f"{stated.rate}%", f"{rate}%"))
    involved, rectified, by_way = money_totals(ledger.issues)
    for key, total in (("involved", involved), ("rectified", rectified)):
        value = getattr(stated, key)
        if value is not None and value != total:
            found.append((key, _STATED_NAMES[key], f"{_money(value, decimals)}{unit}",
                          f"{_money(total, decimals)}{unit}"))
    for way in stated.ways:
        total = by_way.get(way.label, Decimal(0))
        if way.amount != total:
            found.append((f"ways.{way.label}", f"{way.label}金额",
                          f"{_money(way.amount, decimals)}{unit}",
                          f"{_money(total, decimals)}{unit}"))
    totals = {(item.label, item.unit): item.value for item in result_totals(header, ledger.issues)}
    for index, tally in enumerate(stated.results, start=1):
        tally_unit = result_unit(tally)
        total_value = totals.get((tally.label, tally_unit), 0)
        if tally.amount is not None:
            computed_amount = total_value if isinstance(total_value, Decimal) else Decimal(0)
            if tally.amount != computed_amount:
                found.append((f"results.{index}", tally.label,
                              f"{_money(tally.amount, decimals)}{unit}",
                              f"{_money(computed_amount, decimals)}{unit}"))
        elif tally.count is not None and tally.count != total_value:
            found.append((f"results.{index}", tally.label, f"{tally.count}{tally_unit}",
                          f"{total_value}{tally_unit}"))
    for key, name, said, computed_text in found:
        yield Problem(header.at(f"stated.{key}"), "stated-mismatch", "warning",
                      f"通报所述{name} {said} 与台账计算的 {computed_text} 不符",
                      "stated 照通报原文记录,不要为消除警告而改它;台账只收录了通报的一部分时"
                      "可不理会,否则请核对台账")


CHECKS: tuple[Check, ...] = (
    check_header_numbers,
    check_issue_numbers,
    check_references,
    check_closing,
    check_dates,
    check_content,
    check_money,
    check_stated,
)


def check_temp_files(ledger: View, today: date) -> Iterator[Problem]:
    """Temp files a killed edit left beside the data files (see ledger.lock): never data,
    never to be committed; the next edit removes those whose process is gone."""
    import shlex

    from ledger.core.atomic import stray_temp_files

    for relpath, pid in stray_temp_files(Path(ledger.root)):
        yield Problem(Location(relpath), "stray-temp-file", "warning",
                      f"被中断的修改留下的临时文件(写入它的进程 {pid})",
                      "台账文件本身完好(修改要么整个写入,要么没有写入);这个文件不是台账的一部分,"
                      "请勿提交。下一次修改台账时会自动删除进程已结束的临时文件,"
                      "也可以在没有 ledger 命令运行时,在台账目录中直接删除:"
                      f"rm {shlex.quote(relpath)}")


# What `validate` and `check` run: the pure checks plus the ones that read the disk
# (evidence files, stray temp files); `list` and `show` run CHECKS alone.
FULL_CHECKS: tuple[Check, ...] = (*CHECKS, check_evidence, check_temp_files)


def validate(loaded: Loaded, today: date, checks: tuple[Check, ...] = FULL_CHECKS) -> list[Problem]:
    """Every problem in the ledger, the loader's and the checks', sorted by place."""
    problems = list(loaded.problems)
    for check in checks:
        problems.extend(check(loaded.ledger, today))
    return sorted(problems, key=lambda problem: problem.sort_key)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


def _choices(what: str, numbers: list[int]) -> str:
    if not numbers:
        return f"{what}为空"
    return f"{what}:{'、'.join(str(number) for number in numbers)}"


def checked(summary: Summary, today: date, full: bool = True,
            notice_found: Iterable[Problem] = ()) -> list[Problem]:
    """Every validation finding of a ledger, sorted: what reading found, the checks
    (`full` adds those that read more than the ledger's own files: evidence hashes) and
    the notice's own problems. The one composition `validate`, `check`, `list`,
    `render` and the library use; the same findings whether `summary` holds briefs
    from the cache or whole records."""
    problems = [*summary.problems, *notice_found]
    for check in FULL_CHECKS if full else CHECKS:
        problems.extend(check(summary, today))
    return sorted(problems, key=lambda problem: problem.sort_key)
