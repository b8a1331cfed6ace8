"""ledger.validate.rules: each rule as a pure function, with its exact message, hint and place."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.core.model import (
    Aspect,
    Closing,
    Deadline,
    Evidence,
    Extension,
    Header,
    Inspection,
    Issue,
    LedgerData,
    Location,
    Measure,
    Problem,
    Subject,
)
from ledger.read.loader import Loaded
from ledger.validate.rules import (
    check_closing,
    check_content,
    check_dates,
    check_header_numbers,
    check_issue_numbers,
    check_references,
    has_errors,
    validate,
)

FEEDBACK = date(2021, 6, 1)
TODAY = date(2021, 9, 1)
# Each field's value sits on its own line, so a problem's place names the field.
LINES = {"number": 1, "aspect": 2, "subject": 3, "measures": 5, "measures.1": 6,
         "measures.1.deadline": 7, "measures.2": 8, "measures.2.deadline": 9, "deadline": 12,
         "status": 13, "closed": 14, "closed.date": 15, "extensions.1.to": 20,
         "extensions.2.to": 23}
EVIDENCE = (Evidence("会议纪要"),)


def at(number: int, key: str) -> Location:
    return Location(f"data/issues/{number:03d}.yaml", LINES[key], 9)


def make(number: int = 1, *, path: str = "", keys: tuple[str, ...] = tuple(LINES),
         **fields: object) -> Issue:
    fields.setdefault("measures", (Measure("措施。"),))
    return Issue(number=number, aspect=fields.pop("aspect", 1),  # type: ignore[arg-type]
                 title="问题。", path=path or f"data/issues/{number:03d}.yaml",
                 loc=Location(path or f"data/issues/{number:03d}.yaml", 1, 1),
                 where={key: at(number, key) for key in keys},
                 **fields)  # type: ignore[arg-type]


def ledger(*issues: Issue, aspects: tuple[int, ...] = (1, 2),
           subjects: tuple[Subject, ...] = (), feedback: date | None = FEEDBACK,
           readable: bool = True) -> LedgerData:
    header = Header(schema=1, issuer="某局党组", title="通报",
                    inspection=Inspection(feedback=feedback),
                    aspects=tuple(Aspect(n, f"方面{n}", header_at(10 + 2 * index))
                                  for index, n in enumerate(aspects)),
                    subjects=subjects, readable=readable)
    return LedgerData(root=".", header=header, issues=issues)


def header_at(line: int) -> Location:
    return Location("data/ledger.yaml", line, 5)


# ---------------------------------------------------------------- header numbers


def test_header_duplicates_point_at_the_first_line() -> None:
    header = ledger(aspects=(1, 2, 1, 1), subjects=(
        Subject(1, 1, "事项", header_at(30)), Subject(1, 2, "事项", header_at(33))))
    duplicate = "duplicate-number"
    assert list(check_header_numbers(header, TODAY)) == [
        Problem(header_at(14), duplicate, "error", "方面序号 1 重复", "第10行已有这个序号"),
        Problem(header_at(16), duplicate, "error", "方面序号 1 重复", "第10行已有这个序号"),
        Problem(header_at(33), duplicate, "error", "事项序号 1 重复", "第30行已有这个序号"),
    ]


def test_a_subject_under_an_unknown_aspect_lists_the_aspects() -> None:
    header = ledger(aspects=(2, 1), subjects=(Subject(4, 3, "事项", header_at(30)),))
    assert list(check_header_numbers(header, TODAY)) == [
        Problem(header_at(30), "unknown-aspect", "error", "事项 4 所属的方面 3 不存在",
                "已有的方面:1、2")]
    empty = ledger(aspects=(), subjects=(Subject(4, 3, "事项", header_at(30)),))
    assert [p.hint for p in check_header_numbers(empty, TODAY)] == ["已有的方面为空"]


# ---------------------------------------------------------------- problem numbers


def test_duplicate_problem_numbers_name_the_first_file() -> None:
    issues = (make(3), make(3, path="data/issues/003-b.yaml"),
              make(3, path="data/issues/003-c.yaml"))
    found = list(check_issue_numbers(ledger(*issues), TODAY))
    assert [(p.code, p.message) for p in found] == [
        ("duplicate-number", "问题序号 3 与 data/issues/003.yaml 重复"),
        ("filename-mismatch", "文件名 003-b.yaml 与序号 3 不符"),
        ("duplicate-number", "问题序号 3 与 data/issues/003.yaml 重复"),
        ("filename-mismatch", "文件名 003-c.yaml 与序号 3 不符"),
    ]
    assert found[0] == Problem(at(3, "number"), "duplicate-number", "error",
                               "问题序号 3 与 data/issues/003.yaml 重复",
                               "常见于两个分支各自新增了问题;请给其中一个改用下一个空闲序号"
                               "(ledger new 会自动取号),并同时修改文件名")
    assert found[1] == Problem(at(3, "number"), "filename-mismatch", "error",
                               "文件名 003-b.yaml 与序号 3 不符",
                               "请把文件改名为 003.yaml,或改正 number")


def test_the_file_name_is_the_part_after_the_last_slash() -> None:
    assert list(check_issue_numbers(ledger(make(12, path="data/issues/012.yaml")), TODAY)) == []
    assert [p.message for p in check_issue_numbers(
        ledger(make(12, path="data/issues/12.yaml")), TODAY)] == ["文件名 12.yaml 与序号 12 不符"]


# ---------------------------------------------------------------- references


def test_unknown_aspect_and_subject_hints_list_what_exists() -> None:
    subjects = (Subject(2, 1, "事项", header_at(30)), Subject(1, 1, "事项", header_at(33)))
    issues = (make(1, aspect=3), make(2, subject=5), make(3, subject=2, aspect=2),
              make(4, subject=None))
    assert list(check_references(ledger(*issues, aspects=(2, 1), subjects=subjects),
                                 TODAY)) == [
        Problem(at(1, "aspect"), "unknown-aspect", "error", "方面 3 不存在",
                "data/ledger.yaml 中的方面:1、2"),
        Problem(at(2, "subject"), "unknown-subject", "error", "事项 5 不存在",
                "data/ledger.yaml 中的事项:1、2"),
        Problem(at(3, "subject"), "subject-aspect-mismatch", "error",
                "事项 2 属于方面 1,而本问题写的是方面 2", "请把 aspect 改为 1,或改正 subject"),
    ]


def test_hints_when_the_header_lists_nothing() -> None:
    found = list(check_references(ledger(make(1, subject=1), aspects=()), TODAY))
    assert [(p.code, p.hint) for p in found] == [
        ("unknown-aspect", "data/ledger.yaml 中的方面为空"),
        ("unknown-subject", "data/ledger.yaml 中的事项为空"),
    ]


def test_a_duplicated_subject_is_judged_by_its_first_entry() -> None:
    subjects = (Subject(1, 1, "事项", header_at(30)), Subject(1, 2, "事项", header_at(33)))
    assert list(check_references(ledger(make(1, subject=1), subjects=subjects), TODAY)) == []


def test_an_unreadable_header_gives_no_reference_errors() -> None:
    assert list(check_references(ledger(make(1, aspect=9), readable=False), TODAY)) == []


# ---------------------------------------------------------------- closing


def test_done_without_closing() -> None:
    done = make(1, status="已完成", keys=("status",))
    assert list(check_closing(ledger(done), TODAY)) == [
        Problem(at(1, "status"), "done-without-closing", "error",
                "状态为已完成,但没有销号记录(closed)",
                "请用 ledger close 销号(需提供佐证材料),不要直接改状态")]
    # A closing record whose date could not be read is reported there, not as missing.
    assert list(check_closing(ledger(make(1, status="已完成")), TODAY)) == []


def test_closing_on_an_open_problem_without_evidence() -> None:
    issue = make(1, status="基本完成", closed=Closing(date(2021, 8, 1)))
    assert list(check_closing(ledger(issue), TODAY)) == [
        Problem(at(1, "closed"), "closing-on-open", "warning", "有销号记录,但状态是基本完成",
                "如果问题已重新打开,请用 ledger reopen;否则把状态改为已完成"),
        Problem(at(1, "closed"), "closing-without-evidence", "error",
                "销号记录没有佐证材料(evidence)", "销号须有佐证材料:文件路径或材料说明"),
    ]


def test_open_measures_on_a_closed_problem_are_counted_from_one() -> None:
    measures = (Measure("甲", done=True), Measure("乙"))
    issue = make(7, status="已完成", measures=measures,
                 closed=Closing(date(2021, 8, 1), evidence=EVIDENCE))
    assert list(check_closing(ledger(issue), TODAY)) == [
        Problem(at(7, "measures.2"), "open-measure-on-closed", "warning",
                "问题已销号,但第2项整改措施未标记完成", "完成后用 ledger done 7 2 标记")]
    unrecorded = make(7, status="已完成", measures=measures, keys=("status",))
    assert [p.code for p in check_closing(ledger(unrecorded), TODAY)] == ["done-without-closing"]
    still_open = make(7, measures=measures)
    assert list(check_closing(ledger(still_open), TODAY)) == []


# ---------------------------------------------------------------- dates against the feedback


def test_on_the_feedback_date_itself_nothing_is_early() -> None:
    issue = make(1, status="已完成", deadline=Deadline(date=FEEDBACK),
                 measures=(Measure("甲", Deadline(date=FEEDBACK), done=True),),
                 closed=Closing(FEEDBACK, evidence=EVIDENCE))
    assert list(check_dates(ledger(issue), TODAY)) == []


def test_closing_and_deadlines_the_day_before_the_feedback() -> None:
    day_before = date(2021, 5, 31)
    issue = make(1, status="已完成", deadline=Deadline(date=day_before),
                 closed=Closing(day_before, evidence=EVIDENCE))
    assert list(check_dates(ledger(issue), TODAY)) == [
        Problem(at(1, "closed.date"), "closed-before-feedback", "error",
                "销号日期 2021-05-31 早于反馈日期 2021-06-01", "请核对销号日期"),
        Problem(at(1, "deadline"), "deadline-before-feedback", "error",
                "整改时限 2021-05-31 早于反馈日期 2021-06-01",
                "请核对时限;要延期请用 ledger extend"),
    ]


def test_a_measures_deadline_before_the_feedback() -> None:
    measures = (Measure("甲", Deadline(tier="立行立改")), Measure("乙", Deadline(date(2021, 5, 1))),
                Measure("丙"))
    assert list(check_dates(ledger(make(1, measures=measures)), TODAY)) == [
        Problem(at(1, "measures.2.deadline"), "deadline-before-feedback", "error",
                "第2项措施的时限 2021-05-01 早于反馈日期 2021-06-01", "请核对时限")]


def test_without_a_feedback_date_no_date_is_early() -> None:
    issue = make(1, deadline=Deadline(date=date(2000, 1, 1)),
                 measures=(Measure("甲", Deadline(date(2000, 1, 1))),))
    assert list(check_dates(ledger(issue, feedback=None), TODAY)) == []


def test_an_extension_to_the_same_date_is_not_later() -> None:
    issue = make(1, deadline=Deadline(date=date(2021, 6, 30)),
                 extensions=(Extension(date(2021, 6, 20), date(2021, 6, 30)),))
    assert list(check_dates(ledger(issue), TODAY)) == [
        Problem(at(1, "extensions.1.to"), "extension-not-later", "warning",
                "第1次延期的新时限 2021-06-30 不晚于原时限 2021-06-30",
                "延期后的时限应当晚于原时限")]


def test_a_second_extension_between_the_original_and_the_first() -> None:
    issue = make(1, deadline=Deadline(date=date(2021, 6, 30)), extensions=(
        Extension(date(2021, 6, 20), date(2021, 9, 30)),
        Extension(date(2021, 9, 1), date(2021, 8, 31))))
    assert [(p.location, p.message) for p in check_dates(ledger(issue), TODAY)] == [
        (at(1, "extensions.2.to"), "第2次延期的新时限 2021-08-31 不晚于原时限 2021-09-30")]


def test_extensions_of_a_tier_count_from_the_feedback() -> None:
    # 短期 from 2021-06-01 is 2021-08-01; an extension to 2021-07-15 is earlier.
    issue = make(1, deadline=Deadline(tier="短期"),
                 extensions=(Extension(date(2021, 7, 1), date(2021, 7, 15)),))
    assert [p.message for p in check_dates(ledger(issue), TODAY)] == [
        "第1次延期的新时限 2021-07-15 不晚于原时限 2021-08-01"]
    # Without a deadline the first extension has nothing to be later than; the second has.
    undated = make(1, extensions=(Extension(date(2021, 7, 1), date(2021, 7, 15)),
                                  Extension(date(2021, 7, 2), date(2021, 7, 15))))
    assert [p.location for p in check_dates(ledger(undated), TODAY)] == [
        at(1, "extensions.2.to")]


# ---------------------------------------------------------------- content, validate


def test_no_measures() -> None:
    assert list(check_content(ledger(make(1, measures=()), make(2)), TODAY)) == [
        Problem(at(1, "measures"), "no-measures", "warning", "没有整改措施",
                "请在 measures 下逐条填写整改措施")]


def test_validate_sorts_the_loaders_problems_with_the_checks() -> None:
    loaded_problem = Problem(Location("data/issues/002.yaml", 1, 1), "bad-value", "error", "坏值")
    loaded = Loaded(ledger(make(1, measures=()), make(2, measures=())), (loaded_problem,))
    found = validate(loaded, TODAY, (check_content,))
    assert [(p.location.path, p.location.line, p.code) for p in found] == [
        ("data/issues/001.yaml", 5, "no-measures"),
        ("data/issues/002.yaml", 1, "bad-value"),
        ("data/issues/002.yaml", 5, "no-measures"),
    ]
    assert has_errors(found) is True
    assert has_errors([p for p in found if p.severity == "warning"]) is False
    assert has_errors([]) is False


@pytest.mark.parametrize("check", [check_closing, check_dates, check_content,
                                   check_references, check_issue_numbers])
def test_a_sound_problem_passes_every_rule(check: object) -> None:
    sound = make(1, status="已完成", deadline=Deadline(date=date(2021, 8, 1)),
                 measures=(Measure("甲", Deadline(date=date(2021, 7, 1)), done=True),),
                 closed=Closing(date(2021, 7, 30), evidence=EVIDENCE),
                 extensions=(Extension(date(2021, 7, 1), date(2021, 8, 2)),))
    assert list(check(ledger(sound), TODAY)) == []  # type: ignore[operator]
