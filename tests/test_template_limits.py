"""A ledger's own templates run with limits (issue 10, item 14): wall time and output size.

The limits are checked from inside the sandbox (every `range` item, call, lookup and
piece of output looks at the clock; the output is counted while it streams), so a
runaway loop stops with a template error naming the template, exit 1. Most tests
replace the clock with one that moves a second per look, so nothing here depends on
how fast the machine is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.present import render

from ._hostile import TODAY, Outcome, build, run_main

Capsys = pytest.CaptureFixture[str]

RUNAWAY = "标题\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = build(tmp_path, {})
    (root / "templates").mkdir()
    return root


@pytest.fixture
def fast_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A clock that moves one second every time it is read."""
    ticks = iter(range(10**9))
    monkeypatch.setattr(render, "_now", lambda: float(next(ticks)))
    yield


def _render(root: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, *args: str) -> Outcome:
    monkeypatch.setenv("LEDGER_TODAY", TODAY)
    outcome = run_main(["--root", str(root), "render", *args], capsys, monkeypatch)
    assert not outcome.crash, outcome.crash
    assert "Traceback" not in outcome.text and "程序内部错误" not in outcome.text, outcome.text
    return outcome


def _own(root: Path, name: str, text: str) -> None:
    (root / "templates" / name).write_text(text, encoding="utf-8")


def test_a_runaway_loop_is_stopped(root: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch,
                                   fast_clock: None) -> None:
    _own(root, "loop.txt.j2", RUNAWAY)
    outcome = _render(root, capsys, monkeypatch, "-t", "loop.txt")
    assert outcome.code == 1
    assert outcome.err == (
        "错误:模板 loop.txt.j2 第2行:模板出错:模板运行超过 5 秒,已停止(可能是死循环)\n"
        "  提示:请检查模板中的循环;确需更长时间,可设置环境变量 LEDGER_TEMPLATE_SECONDS(秒)\n")
    assert outcome.out == ""


@pytest.mark.parametrize("body", [
    "{% for p in problems %}{% for i in range(100000) %}{{ p.title }}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% for i in range(100000) %}{{ n }}{% endfor %}{% endmacro %}"
    "{% for i in range(100000) %}{{ f(i) }}{% endfor %}",
    "{% set ns = namespace(n=0) %}{% for i in range(100000) %}{% for j in range(100000) %}"
    "{% set ns.n = ns.n + 1 %}{% endfor %}{% endfor %}",
])
def test_other_runaways_are_stopped(body: str, root: Path, capsys: Capsys,
                                    monkeypatch: pytest.MonkeyPatch, fast_clock: None) -> None:
    _own(root, "loop.txt.j2", body)
    outcome = _render(root, capsys, monkeypatch, "-t", "loop.txt")
    assert outcome.code == 1
    assert "错误:模板 loop.txt.j2 第1行:模板出错:模板运行超过 5 秒,已停止" in outcome.err


def test_the_time_limit_is_configurable_and_real(root: Path, capsys: Capsys,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With the real clock: the loop would run for hours; it stops after a tenth of a second."""
    _own(root, "loop.txt.j2", RUNAWAY)
    monkeypatch.setenv("LEDGER_TEMPLATE_SECONDS", "0.1")
    outcome = _render(root, capsys, monkeypatch, "-t", "loop.txt")
    assert outcome.code == 1
    assert "错误:模板 loop.txt.j2 第2行:模板出错:模板运行超过 0.1 秒,已停止" in outcome.err


def test_output_is_capped_while_it_streams(root: Path, capsys: Capsys,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _own(root, "big.txt.j2", "{% for i in range(100000) %}{{ '整改' * 100 }}\n{% endfor %}")
    monkeypatch.setenv("LEDGER_TEMPLATE_MAX_MB", "1")
    outcome = _render(root, capsys, monkeypatch, "-t", "big.txt")
    assert outcome.code == 1
    assert outcome.err == (
        "错误:模板 big.txt.j2 :模板出错:模板输出超过 1 MiB,已停止\n"
        "  提示:请检查模板是否重复输出;确需更大的输出,可设置环境变量 LEDGER_TEMPLATE_MAX_MB\n")
    monkeypatch.setenv("LEDGER_TEMPLATE_MAX_MB", "64")
    outcome = _render(root, capsys, monkeypatch, "-t", "big.txt")
    assert outcome.code == 0 and len(outcome.out) == 100000 * 201


@pytest.mark.parametrize(("expression", "shown"), [
    ("'x' * 10**9", "长度为 1 的文字 * 1000000000"),
    ("10**5000", "10 ** 5000"),
    ("(10**3000) * (10**3000)", "9966 位二进制的整数 * 9966 位二进制的整数"),
    ("[1] * 100000000", "长度为 1 的列表 * 100000000"),
])
def test_huge_values_are_refused(expression: str, shown: str, root: Path, capsys: Capsys,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _own(root, "value.txt.j2", f"{{{{ {expression} }}}}\n")
    outcome = _render(root, capsys, monkeypatch, "-t", "value.txt")
    assert outcome.code == 1
    assert f"错误:模板 value.txt.j2 第1行:模板出错:运算结果过大({shown})" in outcome.err


@pytest.mark.parametrize("value", ["abc", "0", "-3", "nan", "inf"])
def test_a_bad_limit_is_a_usage_error(value: str, root: Path, capsys: Capsys,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _own(root, "ok.txt.j2", "{{ title }}\n")
    monkeypatch.setenv("LEDGER_TEMPLATE_SECONDS", value)
    outcome = _render(root, capsys, monkeypatch, "-t", "ok.txt")
    assert outcome.code == 2
    assert f"错误:环境变量 LEDGER_TEMPLATE_SECONDS 应当是正数,不是 \"{value}\"" in outcome.err


def test_shipped_templates_are_not_limited(root: Path, capsys: Capsys,
                                           monkeypatch: pytest.MonkeyPatch,
                                           fast_clock: None) -> None:
    """The clock runs out at once, but only a ledger's own template is held to it."""
    monkeypatch.setenv("LEDGER_TEMPLATE_SECONDS", "0.001")
    monkeypatch.setenv("LEDGER_TEMPLATE_MAX_MB", "1")
    for args in ([], ["-t", "table", "-f", "csv"], ["-f", "html"]):
        outcome = _render(root, capsys, monkeypatch, *args)
        assert outcome.code == 0, outcome.err


def test_ranges_still_behave_like_ranges(root: Path, capsys: Capsys,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _own(root, "r.txt.j2", "{{ range(3)|list }} {{ range(5)|length }} {{ range(4)[2] }} "
                           "{{ 2 in range(3) }} {{ range(3)|reverse|join(',') }} "
                           "{% for i in range(2) %}{{ loop.length }}{% endfor %}\n")
    outcome = _render(root, capsys, monkeypatch, "-t", "r.txt")
    assert outcome.code == 0, outcome.err
    assert outcome.out == "[0, 1, 2] 5 2 True 2,1,0 22"
