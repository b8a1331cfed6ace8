"""The outputs of `ledger check`: text for people, and what CI systems understand.

text (grouped by level, in Chinese), json (for scripts), github (workflow
annotations on the deadline line, plus a Markdown job summary), junit (one
test case per open problem, failed when its level fails the policy: shown by
GitLab and Jenkins) and sarif 2.1.0 (code scanning). Built with the standard
library only (json, xml.etree).

What it does not do: decide levels (`ledger.overdue`), read files or the
clock, or write anywhere: the CLI prints or writes the strings made here.
Paths are relative to the ledger root; `prefix` (the root relative to the
repository, e.g. "ledger/") is put in front where CI resolves paths against
the repository.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from ledger.core.codes import CHECK_RULES
from ledger.core.model import cn_date
from ledger.deadline.policy import Report
from ledger.deadline.standing import LEVEL_NAMES, LEVELS, POLICY_LEVELS, Level, Standing
from ledger.present.diagnostics import github_data, github_property
from ledger.present.safetext import json_safe, markdown_cell, visible
from ledger.version import __version__

RED, YELLOW, GREEN, OK = Level.RED, Level.YELLOW, Level.GREEN, Level.OK
ONGOING, CLOSED_LATE, NO_DEADLINE = Level.ONGOING, Level.CLOSED_LATE, Level.NO_DEADLINE

TITLE_WIDTH = 30  # characters of a title shown in one text line; json/junit/sarif keep it whole
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = (RED, YELLOW, GREEN)
# The page of the docs (under the docs URL) that has a section per SARIF rule id.
SARIF_DOCS_PAGE = "ci.md"
# Levels listed one line per problem in text; the others are counted only.
LISTED = (RED, YELLOW, GREEN, ONGOING, CLOSED_LATE)


def _heading(level: Level, report: Report) -> str:
    """红色预警(已超期): the level's name and what it means under this policy."""
    policy = report.policy
    meaning = {
        RED: "已超期",
        YELLOW: f"{policy.yellow_days} 天内到期",
        GREEN: f"{policy.green_days} 天内到期",
        OK: f"{policy.green_days} 天以后到期",
        ONGOING: "不计超期",
        CLOSED_LATE: "销号晚于时限",
    }.get(level)
    return LEVEL_NAMES[level] + (f"({meaning})" if meaning else "")


def _fail_levels(report: Report) -> str:
    levels = [LEVEL_NAMES[level] for level in (RED, YELLOW, GREEN)
              if level.value in report.policy.fail_on]
    return "、".join(levels) if levels else "无(只提醒,不判不通过)"


def verdict(report: Report) -> str:
    """结论 line shared by every human-readable output."""
    failing = report.failing
    if not failing:
        return "结论:通过。"
    levels = [LEVEL_NAMES[level] for level in POLICY_LEVELS[::-1]
              if any(result.level == level for result in failing)]
    return f"结论:不通过,{len(failing)} 个问题达到不通过的级别({'、'.join(levels)})。"


def counts_line(report: Report) -> str:
    parts = [f"{LEVEL_NAMES[level]} {report.counts[level.value]}" for level in LEVELS]
    return f"合计 {len(report.results)} 个问题:{','.join(parts)}。"


def _short(title: str) -> str:
    return title if len(title) <= TITLE_WIDTH else title[:TITLE_WIDTH] + "…"


def _line(result: Standing) -> str:
    cells = [f"({result.number}) {_short(result.title)}",
             f"责任单位:{result.unit or '未填'}",
             f"责任领导:{result.leader or '未填'}",
             f"时限:{result.deadline_label or '未设'}"]
    days = result.days_text
    if days:
        cells.append(days)
    return "  " + "  ".join(cells)


def format_text(report: Report, prefix: str = "") -> str:
    """The report for people; every line one line, data in it shown visibly (see `safetext`)."""
    return "".join(text_lines(report, prefix))


def text_lines(report: Report, prefix: str = "") -> Iterator[str]:
    """`format_text`, a line at a time (with its newline): 100,000 problems' report is
    never one string."""
    policy = report.policy
    head = [f"整改时限检查:今天是 {cn_date(report.today)}",
            f"预警规则:到期前 {policy.green_days} 天内绿色提醒,{policy.yellow_days} 天内黄色预警,"
            f"超期红色预警;不通过的级别:{_fail_levels(report)}"]
    yield from (visible(line) + "\n" for line in head)
    for level in LISTED:
        results = report.at_level(level)
        if not results:
            continue
        fails = level in POLICY_LEVELS and level.value in policy.fail_on
        verdict_word = ",判为不通过" if fails else ""
        yield "\n"
        yield visible(f"{_heading(level, report)}{len(results)} 个{verdict_word}:") + "\n"
        yield from (visible(_line(result)) + "\n" for result in results)
    tail = ["", counts_line(report), *(f"警告:{warning}" for warning in report.warnings),
            verdict(report)]
    yield from (visible(line) + "\n" for line in tail)


# ---------------------------------------------------------------- json

def format_json(report: Report, prefix: str = "") -> str:
    policy = report.policy
    data = {
        "today": report.today.isoformat(),
        "passed": report.passed,
        "policy": {"green_days": policy.green_days, "yellow_days": policy.yellow_days,
                   "fail_on": list(policy.fail_on)},
        "counts": report.counts,
        "failing": [result.number for result in report.failing],
        "warnings": list(report.warnings),
        "problems": [_json_result(result, prefix) for result in report.results],
    }
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"


def _json_result(result: Standing, prefix: str) -> dict[str, Any]:
    loc = result.location
    return {
        "number": result.number,
        "title": result.title,
        "aspect": result.aspect,
        "unit": result.unit,
        "leader": result.leader,
        "level": result.level.value,
        "level_name": LEVEL_NAMES[result.level],
        "fails": result.fails,
        "deadline": result.deadline.isoformat() if result.deadline is not None else None,
        "deadline_label": result.deadline_label,
        "basis": result.basis.value,
        "days": result.days,
        "closed": result.closed.isoformat() if result.closed is not None else None,
        "path": prefix + loc.path,
        "line": loc.line,
        "column": loc.col,
    }


# ---------------------------------------------------------------- github

def _message(result: Standing) -> str:
    return (f"问题 {result.number}「{result.title}」{result.days_text};"
            f"时限:{result.deadline_label};责任单位:{result.unit or '未填'};"
            f"责任领导:{result.leader or '未填'}")


def format_github(report: Report, prefix: str = "") -> str:
    """Workflow commands: an annotation on each warned problem's deadline line, then the verdict."""
    out = []
    for level in POLICY_LEVELS[::-1]:
        for result in report.at_level(level):
            loc = result.location
            props = [f"file={github_property(prefix + loc.path)}"]
            if loc.line > 0:
                props += [f"line={loc.line}", f"col={loc.col}"]
            props.append(f"title={github_property(f'{LEVEL_NAMES[level]}:问题 {result.number}')}")
            kind = "error" if result.fails else "warning"
            out.append(f"::{kind} {','.join(props)}::{github_data(_message(result))}\n")
    out.extend(f"::warning title=整改时限检查::{github_data(warning)}\n"
               for warning in report.warnings)
    out.append(counts_line(report) + "\n")
    out.append(verdict(report) + "\n")
    return "".join(out)


def _cell(text: str) -> str:
    return markdown_cell(text) or "—"


def github_summary(report: Report) -> str:
    """The Markdown job summary: verdict, a table of the problems to chase, counts, warnings."""
    out = [f"## 整改时限检查({cn_date(report.today)})\n\n",
           verdict(report).replace("不通过", "**不通过**", 1).replace("通过。", "**通过**。", 1)
           + "\n\n"]
    rows = [result for level in LISTED for result in report.at_level(level)]
    if rows:
        out.append("| 级别 | 序号 | 问题 | 责任单位 | 责任领导 | 时限 | 情况 |\n")
        out.append("| --- | --- | --- | --- | --- | --- | --- |\n")
        for result in rows:
            name = LEVEL_NAMES[result.level] + ("(不通过)" if result.fails else "")
            cells = [name, str(result.number), result.title, result.unit, result.leader,
                     result.deadline_label, result.days_text]
            out.append("| " + " | ".join(_cell(cell) for cell in cells) + " |\n")
        out.append("\n")
    out.append(counts_line(report) + "\n")
    out.extend(f"\n> 警告:{_cell(warning)}\n" for warning in report.warnings)
    return "".join(out)


# ---------------------------------------------------------------- junit

def format_junit(report: Report, prefix: str = "") -> str:
    """JUnit XML within the Jenkins junit-10 schema: one test case per open problem."""
    cases = [result for result in report.results if result.is_open]
    failures = sum(1 for result in cases if result.fails)
    skipped = sum(1 for result in cases if result.level in (ONGOING, NO_DEADLINE))
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": "ledger check", **counts, "time": "0"})
    suite = ET.SubElement(root, "testsuite", {"name": "整改时限检查", **counts,
                                              "skipped": str(skipped), "time": "0"})
    for result in cases:
        case = ET.SubElement(suite, "testcase", {
            "name": f"问题 {result.number}:{result.title}",
            "classname": f"整改台账.方面{result.aspect}",
            "time": "0",
        })
        detail = _detail(result, prefix)
        if result.fails:
            failure = ET.SubElement(case, "failure", {
                "type": result.level.value,
                "message": f"{LEVEL_NAMES[result.level]}:{result.days_text}"})
            failure.text = detail
            continue
        if result.level == ONGOING:
            ET.SubElement(case, "skipped", {"message": "长期坚持,不计超期"})
        elif result.level == NO_DEADLINE:
            ET.SubElement(case, "skipped", {"message": "未设整改时限,无法判断是否超期"})
        ET.SubElement(case, "system-out").text = detail
    # Characters XML 1.0 forbids (most controls, lone surrogates, U+FFFE/U+FFFF) cannot even
    # be written as references: they are shown as escapes, as on a terminal.
    for element in root.iter():
        element.attrib = {key: visible(value, multiline=True)
                          for key, value in element.attrib.items()}
        if element.text:
            element.text = visible(element.text, multiline=True)
    ET.indent(root, "  ")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


def _detail(result: Standing, prefix: str) -> str:
    loc = result.location
    lines = [f"{prefix}{loc.path}:{loc.line}" if loc.line > 0 else prefix + loc.path,
             f"级别:{LEVEL_NAMES[result.level]}",
             f"时限:{result.deadline_label or '未设'}",
             f"责任单位:{result.unit or '未填'}",
             f"责任领导:{result.leader or '未填'}"]
    days = result.days_text
    if days:
        lines.append(f"情况:{days}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- sarif

def format_sarif(report: Report, prefix: str = "", docs_url: str = "") -> str:
    """SARIF 2.1.0: a result per warned problem, at its deadline line; warnings as notifications.

    `docs_url` is the absolute URL of ledger's docs/ folder (ending in "/"); when given, the
    driver's informationUri and each rule's helpUri point into it (SARIF wants both absolute,
    so without it they are left out; fullDescription and help are always there).
    """
    levels = list(SARIF_LEVELS)
    rules = [_sarif_rule(level, report, docs_url) for level in levels]
    results = []
    for index, level in enumerate(levels):
        for result in report.at_level(level):
            loc = result.location
            region = {"startLine": max(loc.line, 1)}
            if loc.col > 0:
                region["startColumn"] = loc.col
            results.append({
                "ruleId": CHECK_RULES[level.value][0],
                "ruleIndex": index,
                "level": "error" if result.fails else "warning",
                "message": {"text": visible(_message(result), multiline=True)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": quote(prefix + loc.path,
                                                      errors="surrogateescape")},
                    "region": region,
                }}],
                "partialFingerprints": {"ledgerProblem/v1": str(result.number)},
            })
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.warnings:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": visible(warning, multiline=True)}}
            for warning in report.warnings]
    driver: dict[str, Any] = {"name": "ledger", "version": __version__}
    if docs_url:
        driver["informationUri"] = docs_url + SARIF_DOCS_PAGE
    driver["rules"] = rules
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json_safe(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"


def _sarif_rule(level: Level, report: Report, docs_url: str) -> dict[str, Any]:
    """A rule's descriptor, its texts from the catalogue (`ledger.codes.CHECK_RULES`)."""
    rule_id, short, full, steps = CHECK_RULES[level.value]
    policy = report.policy
    full = full.format(green_days=policy.green_days, yellow_days=policy.yellow_days)
    text = "\n".join([full, "处理:"] + [f"- {words}:{command}" if command else f"- {words}"
                                         for words, command in steps])
    markdown = "\n".join([full, "", "处理:", ""] + [
        f"- {words}:`{command}`" if command else f"- {words}" for words, command in steps])
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": LEVEL_NAMES[level],
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": _sarif_level(level, report)},
        "help": {"text": text, "markdown": markdown},
    }
    if docs_url:
        rule["helpUri"] = docs_url + SARIF_DOCS_PAGE + "#" + rule_id
    return rule


def _sarif_level(level: Level, report: Report) -> str:
    return "error" if level.value in report.policy.fail_on else "warning"


Formatter = Callable[[Report, str], str]
FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "junit": format_junit,
    "sarif": format_sarif,
}
