"""Nothing from data is injected into a terminal, a CI log or a report (issue 10, items 8–11).

- Terminals: every string from data reaches a terminal as text: rich markup
  printed literally, control characters and escape sequences shown visibly
  (`\\x1b`), a line break inside a one-line field shown as ↵. Checked through
  the console entry point (`ledger.cli.main`) for list (plain and on a
  terminal, where rich draws the table), show, check, validate and the error
  boundary.
- CI logs: outside `--format github` no output line of list, show, check or
  validate begins with `::` (a GitHub workflow command), whatever the data holds.
- JUnit and SARIF: well-formed and within their schemas for every control
  character, U+FFFE/U+FFFF and lone surrogates.
- Markdown (render -f md of notice and table, and the GitHub job summary):
  parsed with markdown-it, a document made from hostile data has exactly the
  structure of the same document made from plain text, and each text holds
  the data unchanged.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ledger.core.model import Location, Problem
from ledger.deadline import policy as overdue
from ledger.present import ci_formats
from ledger.present.diagnostics import format_text
from ledger.present.safetext import visible
from ledger.read.loader import load

from ._hostile import Outcome, run_main
from .conftest import BASE
from .test_cli_check_schemas import junit_errors, sarif_errors

TODAY = "2021-11-01"
MARKUP = "整改[/]问题[red]红[/red][link=https://evil.example]链[/link][bold]粗:thumbs_up:"
ESCAPES = ("\x1b[31m红\x1b[0m\x1b]8;;https://evil.example\x07点\x1b]8;;\x07\x1b[2J\x07\x08"
           "\r盖\x7f\x85\x9b2J\u202e反\u2028分")
INJECT = "\n::error file=x::注入\r\n::stop-commands::ledgertoken\n::warning::w"
# Characters no terminal stream of ours may carry (our own output uses only \n).
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                    "\ud800-\udfff\ufffe\uffff]")


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6),
                    encoding="utf-8")


def _edit(path: Path, **fields: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(fields)
    _write(path, data)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A valid ledger whose text fields carry markup, escape sequences and workflow commands."""
    root = tmp_path / "ledger"
    shutil.copytree(BASE, root)
    issues = root / "data/issues"
    _edit(issues / "001.yaml", title=MARKUP + ESCAPES + INJECT, unit="办公室" + ESCAPES + INJECT,
          leader=MARKUP + INJECT, owner=ESCAPES,
          measures=["制定" + MARKUP + ESCAPES + INJECT],
          progress=[{"date": date(2021, 10, 1), "text": ESCAPES + INJECT, "by": MARKUP}])
    _edit(issues / "002.yaml", title=ESCAPES + INJECT,
          closed={"date": date(2021, 10, 8), "by": MARKUP,
                  "evidence": [ESCAPES + INJECT], "note": MARKUP + INJECT})
    return root


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A ledger with errors whose messages quote hostile data (and a raw U+202E in a line)."""
    root = tmp_path / "broken"
    shutil.copytree(BASE, root)
    _edit(root / "data/issues/001.yaml", status="正在推进" + MARKUP + ESCAPES + INJECT)
    path = root / "data/issues/002.yaml"
    text = path.read_text(encoding="utf-8").replace("status: 已完成", "status: 已完成\u202e反")
    path.write_text(text, encoding="utf-8")
    return root


def _run(root: Path, *args: str, capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> Outcome:
    outcome = run_main(["--root", str(root), "--today", TODAY, *args], capsys, monkeypatch)
    assert outcome.crash == "", outcome.crash
    return outcome


def _assert_safe(text: str) -> None:
    """Nothing in `text` a terminal or a CI runner would act on."""
    assert not UNSAFE.findall(text), sorted(set(UNSAFE.findall(text)))
    starts = [line for line in text.split("\n") if line.startswith("::")]
    assert starts == [], starts


# ---------------------------------------------------------------- item 8: terminals


@pytest.mark.parametrize(("args", "code"), [
    (["list"], 0), (["show", "1"], 0), (["show", "2"], 0), (["check"], 3), (["validate"], 0),
], ids=["list", "show-open", "show-closed", "check", "validate"])
def test_data_reaches_the_terminal_as_text(hostile: Path, args: list[str], code: int,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _run(hostile, *args, capsys=capsys, monkeypatch=monkeypatch)
    assert outcome.code == code, outcome.text
    _assert_safe(outcome.text)
    if args[0] != "validate":
        assert "\\x1b[31m" in outcome.out  # the escape sequence, shown
        assert "↵::error file=x::注入\\x0d↵::stop-commands::ledgertoken" in outcome.out
    if args[0] in ("list", "show"):
        assert "\\x1b]8;;https://evil.example\\x07" in outcome.out
        assert "\\x85\\x9b2J\\u202e反\\u2028分" in outcome.out
    if args != ["validate"] and args != ["show", "2"]:
        assert "[red]红[/red][link=https://evil.example]" in outcome.out  # markup, literally


@pytest.mark.parametrize("colour", [False, True], ids=["no-colour", "colour"])
def test_list_on_a_terminal_prints_markup_literally(hostile: Path, colour: bool,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal rich draws the table: `[/]` must not crash it, nothing is markup."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "1000")
    if colour:
        monkeypatch.delenv("NO_COLOR")
        monkeypatch.setenv("FORCE_COLOR", "1")
    outcome = _run(hostile, "list", capsys=capsys, monkeypatch=monkeypatch)
    assert outcome.code == 0, outcome.text
    assert "┃" in outcome.out  # rich drew it
    if colour:
        assert "\x1b[" in outcome.out  # rich's own colours are there ...
    shown = re.sub("\x1b\\[[0-9;]*m", "", outcome.out)  # ... and are its only escapes
    _assert_safe(shown)
    assert MARKUP in shown
    assert "\\x1b[31m红\\x1b[0m\\x1b]8;;https://evil.example\\x07点" in shown
    assert "👍" not in shown


def test_validate_quotes_data_and_lines_visibly(broken: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _run(broken, "validate", capsys=capsys, monkeypatch=monkeypatch)
    assert outcome.code == 1, outcome.text
    _assert_safe(outcome.text)
    assert "[red]红[/red]" in outcome.out and "\\x1b[31m" in outcome.out
    assert "↵::error file=x::注入" in outcome.out
    assert "status: 已完成\\u202e反" in outcome.out  # the quoted line of the file


def test_caret_stays_under_the_column_of_an_escaped_line() -> None:
    problem = Problem(Location("a.yaml", 1, 7), "x", "error", "m")
    text = format_text([problem], lambda path, line: "\x1bab\x07: 值")
    quoted, caret = text.splitlines()[1:3]
    assert quoted == "    1 | \\x1bab\\x07: 值"
    assert caret.index("^") == quoted.index("值")


@pytest.mark.parametrize("args", [
    ["list", "--status", "超期\x1b[2J\n::error::x"],
    ["--root", "/nonexistent/\x1b]8;;http://x\x07台账\n::error::x", "list"],
], ids=["usage-error", "no-ledger"])
def test_messages_show_arguments_visibly(hostile: Path, args: list[str],
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = run_main(args if args[0] == "--root" else ["--root", str(hostile), *args],
                       capsys, monkeypatch)
    assert outcome.crash == ""
    assert outcome.code == 2, outcome.text
    _assert_safe(outcome.text)
    assert "↵::error::x" in outcome.err


# ---------------------------------------------------------------- item 9: CI logs


@pytest.mark.parametrize(("command", "code"), [("check", 3), ("validate", 1)])
def test_github_format_keeps_data_inside_its_annotations(hostile: Path, broken: Path,
                                                         command: str, code: int,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = hostile if command == "check" else broken
    outcome = _run(root, command, "--format", "github", capsys=capsys, monkeypatch=monkeypatch)
    assert outcome.code == code, outcome.text
    assert not UNSAFE.findall(outcome.out)
    commands = [line for line in outcome.out.split("\n") if line.startswith("::")]
    assert commands, outcome.out
    assert all(re.match(r"::(error|warning) ", line) for line in commands), commands
    assert "%0A::error file=x::注入%0D%0A::stop-commands::ledgertoken" in outcome.out
    assert "\\x1b[31m" in outcome.out


# ---------------------------------------------------------------- item 10: JUnit and SARIF


EVERY_CONTROL = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)])) + "\ufffe\uffff"


def test_junit_and_sarif_stay_valid_for_every_control_character(
        hostile: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _edit(hostile / "data/issues/001.yaml", title="标题" + EVERY_CONTROL,
          unit=EVERY_CONTROL, leader=EVERY_CONTROL)
    junit = _run(hostile, "check", "-f", "junit", capsys=capsys, monkeypatch=monkeypatch)
    assert junit.code == 3, junit.text
    assert junit_errors(junit.out) == []
    case = ET.fromstring(junit.out.encode("utf-8")).find("testsuite/testcase")
    assert case is not None
    assert case.attrib["name"] == "问题 1:标题" + visible(EVERY_CONTROL, multiline=True)
    sarif = _run(hostile, "check", "-f", "sarif", capsys=capsys, monkeypatch=monkeypatch)
    assert sarif.code == 3, sarif.text
    assert sarif_errors(sarif.out) == []
    message = json.loads(sarif.out)["runs"][0]["results"][0]["message"]["text"]
    assert "标题" + visible(EVERY_CONTROL, multiline=True) in message


def test_junit_and_sarif_stay_valid_with_lone_surrogates(hostile: Path) -> None:
    """YAML cannot carry a lone surrogate; a file name read with surrogateescape can."""
    ledger = load(hostile).ledger
    odd = "\ud800x\udfff"
    issues = tuple(dataclasses.replace(issue, title=issue.title + odd, unit=odd,
                                       path=issue.path.replace(".yaml", odd + ".yaml"))
                   for issue in ledger.issues)
    report = overdue.check(dataclasses.replace(ledger, issues=issues), date(2021, 11, 1))
    junit = ci_formats.format_junit(report)
    assert junit_errors(junit) == []
    sarif = ci_formats.format_sarif(report)
    assert sarif_errors(sarif) == []
    for document in (junit, sarif, ci_formats.format_json(report), ci_formats.format_text(report),
                     ci_formats.format_github(report)):
        document.encode("utf-8")  # writable to any UTF-8 stream


# ---------------------------------------------------------------- item 11: Markdown

PLACEHOLDER = "占位文字"
MARKDOWN_PAYLOADS = [
    "~~删除~~", "~删~", "*斜*体", "_斜_体", "**粗**", "__粗__", "&amp;&copy;&#169;&#x41;&nosuch;",
    "<b>粗</b>", "<!-- 注释 -->", "- 列表", "+ 列表", "* 列表", "-", "1. 列表", "1) 列表",
    "2021.", "# 标题", "#标题", "> 引用", "a|b|c", "`代码`", "``代码``",
    "[文字](https://evil.example)", "[文字][ref]", "[ref]: https://evil.example",
    "![图](x.png)", "<https://evil.example>", "<a@b.c>", "---", "***", "___", "===",
    "    缩进代码", "\t制表缩进", "```", "~~~", "\\*反斜杠\\", "结尾\\", "[^1]", "- [ ] 任务",
    "<div>块</div>", "两行\n第二行", "两行\n\n- 列表\n# 标题", "标题 #", "a  ", "a\\",
]


def _gfm() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _shape(tokens: list[Token]) -> list[tuple[str, ...]]:
    """Every token's type and tag, inline children included; texts left out."""
    out: list[tuple[str, ...]] = []
    for token in tokens:
        out.append((token.type, token.tag))
        for child in token.children or []:
            if child.type == "html_inline" and child.content == "<br>":
                continue  # a line break in a table cell: the template's own, checked below
            if child.type == "text" and out[-1] == ("  text", ""):
                continue  # the text on either side of a <br>
            out.append(("  " + child.type, child.tag))
    return out


def _texts(tokens: list[Token]) -> list[str]:
    """The text of every inline token, as a reader sees it (a <br> or soft break is a newline)."""
    texts = []
    for token in tokens:
        if token.type != "inline":
            continue
        parts = []
        for child in token.children or []:
            if child.type == "text":
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak") or (
                    child.type == "html_inline" and child.content == "<br>"):
                parts.append("\n")
            else:
                parts.append(f"<{child.type}>")
        texts.append("".join(parts).strip())
    return texts


def _markdown_ledger(root: Path, text: str) -> None:
    """The base ledger with `text` in every field a Markdown output shows."""
    shutil.copytree(BASE, root)
    header = root / "data/ledger.yaml"
    data = yaml.safe_load(header.read_text(encoding="utf-8"))
    data.update(issuer=text, title=text)
    data["aspects"][0]["title"] = text
    _write(header, data)
    for name in ("001.yaml", "002.yaml"):
        _edit(root / "data/issues" / name, title=text, unit=text, leader=text)
    _edit(root / "data/issues/001.yaml", measures=[text, text],
          progress=[{"date": date(2021, 10, 1), "text": text}])


def _documents(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str],
               monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    root = tmp_path / f"ledger-{len(list(tmp_path.iterdir()))}"
    _markdown_ledger(root, text)
    out = {}
    for name, args in (("notice", ["render", "-f", "md"]),
                       ("table", ["render", "-t", "table", "-f", "md"])):
        outcome = _run(root, *args, capsys=capsys, monkeypatch=monkeypatch)
        assert outcome.code == 0, outcome.text
        out[name] = outcome.out
    summary = root.parent / (root.name + "-summary.md")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    outcome = _run(root, "check", "-f", "github", capsys=capsys, monkeypatch=monkeypatch)
    assert outcome.code == 3, outcome.text
    out["summary"] = summary.read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_shows_data_as_text(tmp_path: Path, payload: str,
                                     capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Same structure as with plain text; each text equal to the data (outer spaces aside)."""
    plain = _documents(tmp_path, PLACEHOLDER, capsys, monkeypatch)
    hostile = _documents(tmp_path, payload, capsys, monkeypatch)
    for name, document in hostile.items():
        expected_tokens = _gfm().parse(plain[name])
        tokens = _gfm().parse(document)
        assert _shape(tokens) == _shape(expected_tokens), (name, document)
        expected = [text.replace(PLACEHOLDER, payload).strip() for text in _texts(expected_tokens)]
        assert _texts(tokens) == expected, (name, document)
        breaks = [child.content for token in tokens for child in token.children or []
                  if child.type == "html_inline"]
        # <br> is the only HTML, and only where a table cell holds a line break of the data.
        assert breaks == ["<br>"] * (0 if name == "notice" else len(breaks)), breaks


def test_edit_summaries_and_diffs_show_arguments_visibly(hostile: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    note = "推进会\x1b[2J\x85\u202e"
    dry = _run(hostile, "log", "1", note, "--dry-run", capsys=capsys, monkeypatch=monkeypatch)
    assert dry.code == 0, dry.text
    _assert_safe(dry.text)
    # An OSC 8 hyperlink without a "/" (a "/" would make it look like a missing file path).
    closed = _run(hostile, "close", "1", "--force", "--evidence", "纪要\x1b]8;;mailto:x\x07",
                  capsys=capsys, monkeypatch=monkeypatch)
    assert closed.code == 0, closed.text
    _assert_safe(closed.text)
    assert "纪要\\x1b]8;;mailto:x\\x07" in closed.out


def test_render_shows_controls_on_a_terminal_and_keeps_them_in_a_pipe(
        hostile: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    piped = _run(hostile, "render", capsys=capsys, monkeypatch=monkeypatch)
    assert piped.code == 0, piped.text
    assert "\x1b[31m红" in piped.out  # a document written elsewhere is the data, exactly
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    shown = _run(hostile, "render", capsys=capsys, monkeypatch=monkeypatch)
    assert shown.code == 0, shown.text
    assert not UNSAFE.findall(shown.out)
    assert "\\x1b[31m红" in shown.out


@pytest.mark.parametrize(("args", "code"), [
    (["list", "--json"], 0), (["check", "-f", "json"], 3), (["validate", "-f", "json"], 1),
], ids=["list", "check", "validate"])
def test_json_keeps_data_exact_with_nothing_raw(hostile: Path, args: list[str], code: int,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if args[0] == "validate":
        _edit(hostile / "data/issues/001.yaml", status="正在推进\x9b\u202e")
    outcome = _run(hostile, *args, capsys=capsys, monkeypatch=monkeypatch)
    assert outcome.code == code, outcome.text
    assert not UNSAFE.findall(outcome.out.replace("\n", ""))
    data = json.loads(outcome.out)
    if args[0] == "list":
        assert data[0]["title"] == MARKUP + ESCAPES + INJECT
    elif args[0] == "check":
        assert data["problems"][0]["unit"] == "办公室" + ESCAPES + INJECT
    else:
        assert "正在推进\x9b\u202e" in data[0]["message"]
