"""No crash, no hang, bounded resources (issue 10, items 12, 13 and 15).

Each odd state is run through the real entry point (`ledger.cli.main`, in
process, as tests/_hostile.py does) and must give one exact exit code, a
Chinese message naming the file (and line where there is one), and no
traceback: never exit 70, the code for a defect of the program itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.core.numerals import cn_number, label, measure_label
from ledger.read import loader

from ._hostile import TODAY, Outcome, build, run_main

Capsys = pytest.CaptureFixture[str]


def _run(root: Path | str, capsys: Capsys, monkeypatch: pytest.MonkeyPatch,
         *args: str) -> Outcome:
    monkeypatch.setenv("LEDGER_TODAY", TODAY)
    outcome = run_main(["--root", str(root), *args], capsys, monkeypatch)
    assert not outcome.crash, outcome.crash
    assert "Traceback" not in outcome.text, outcome.text
    assert "程序内部错误" not in outcome.text, outcome.text
    return outcome


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build(tmp_path, {})


# ---------------------------------------------------------------- item 12


def test_a_file_name_that_is_not_utf8_is_named_visibly(root: Path, capsys: Capsys,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    base = (root / "data" / "issues" / "002.yaml").read_bytes()
    (root / "data" / "issues" / os.fsdecode(b"\xb2\xe2\xca\xd4.yaml")).write_bytes(base)
    outcome = _run(root, capsys, monkeypatch, "validate")
    assert outcome.code == 1
    assert "data/issues/\\xb2\\xe2\\xca\\xd4.yaml: error[unreadable]: " \
           "文件名不是有效的 UTF-8 编码,未读取" in outcome.out
    assert "请把文件改名" in outcome.out
    listed = _run(root, capsys, monkeypatch, "list")
    assert listed.code == 0
    assert "data/issues/\\xb2\\xe2\\xca\\xd4.yaml" in listed.err
    # the same answer through the parse cache
    monkeypatch.setenv("LEDGER_NO_CACHE", "0")
    cached = _run(root, capsys, monkeypatch, "validate")
    assert (cached.code, cached.out) == (outcome.code, outcome.out)


def test_a_symlink_loop_among_problem_files(root: Path, capsys: Capsys,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    issues = root / "data" / "issues"
    (issues / "003.yaml").symlink_to("004.yaml")
    (issues / "004.yaml").symlink_to("003.yaml")
    for cache in ("1", "0"):
        monkeypatch.setenv("LEDGER_NO_CACHE", cache)
        outcome = _run(root, capsys, monkeypatch, "validate")
        assert outcome.code == 1, outcome.text
        assert "data/issues/003.yaml: error[unreadable]: 文件是循环的链接(链接最终指向自己)" \
            in outcome.out
        assert "data/issues/004.yaml: error[unreadable]: " in outcome.out
        shown = _run(root, capsys, monkeypatch, "show", "1")
        assert shown.code == 0, shown.text
        assert "data/issues/003.yaml" in shown.err


def test_the_issues_folder_as_a_symlink_loop(root: Path, capsys: Capsys,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    issues = root / "data" / "issues"
    for child in issues.iterdir():
        child.unlink()
    issues.rmdir()
    issues.symlink_to("issues")
    for cache in ("1", "0"):
        monkeypatch.setenv("LEDGER_NO_CACHE", cache)
        outcome = _run(root, capsys, monkeypatch, "validate")
        assert outcome.code == 1, outcome.text
        assert "data/issues: error[no-issues-dir]: 找不到问题目录 data/issues" in outcome.out


def test_new_into_an_issues_folder_that_is_a_symlink_loop(root: Path, capsys: Capsys,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    issues = root / "data" / "issues"
    for child in issues.iterdir():
        child.unlink()
    issues.rmdir()
    issues.symlink_to("issues")
    before = sorted(path.name for path in (root / "data").iterdir())
    outcome = _run(root, capsys, monkeypatch, "new", "--aspect", "1", "--title", "新问题。")
    assert outcome.code == 1, outcome.text
    assert "data/issues 是循环的链接,无法在其中新增问题" in outcome.err
    assert sorted(path.name for path in (root / "data").iterdir()) == before


def test_evidence_that_is_a_symlink_loop(root: Path, capsys: Capsys,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "data" / "loop.pdf").symlink_to("loop.pdf")
    path = root / "data" / "issues" / "002.yaml"
    text = path.read_text(encoding="utf-8")
    assert "evidence:\n" in text
    path.write_text(text.replace("evidence:\n", "evidence:\n    - path: data/loop.pdf\n"
                                 "      sha256: " + "0" * 64 + "\n", 1), encoding="utf-8")
    outcome = _run(root, capsys, monkeypatch, "validate")
    assert outcome.code == 1, outcome.text
    assert "error[evidence-missing]: 佐证材料 data/loop.pdf 不存在" in outcome.out


def test_an_integer_past_python_s_digit_limit(root: Path, capsys: Capsys,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = root / "data" / "issues" / "001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("number: 1\n", "number: "
                                                             + "7" * 5000 + "\n"),
                    encoding="utf-8")
    outcome = _run(root, capsys, monkeypatch, "validate")
    assert outcome.code == 1, outcome.text
    assert "data/issues/001.yaml:1:9: error[wrong-type]: number(序号)的数值过大" \
           "(5000 位数字)" in outcome.out
    assert len(outcome.out) < 5000  # the number itself is not echoed whole
    header = root / "data" / "ledger.yaml"
    header.write_text(header.read_text(encoding="utf-8") + "policy:\n  green_days: "
                      + "9" * 4400 + "\n", encoding="utf-8")
    outcome = _run(root, capsys, monkeypatch, "check")
    assert outcome.code == 1, outcome.text
    assert "data/ledger.yaml:20:15: error[wrong-type]: policy.green_days(绿色提醒天数)的数值过大" \
           in outcome.out


def test_chinese_numerals_past_9999() -> None:
    assert [cn_number(n) for n in (9999, 10000, 10001, 10010, 10100, 11000, 100000, 110000,
                                   1000000, 1010000, 10000000, 100000000, 100003000,
                                   120003000)] == [
        "九千九百九十九", "一万", "一万零一", "一万零一十", "一万零一百", "一万一千", "十万",
        "十一万", "一百万", "一百零一万", "一千万", "一亿", "一亿零三千", "一亿二千万三千"]
    assert measure_label(12345) == "一万二千三百四十五是"
    assert label("(一)", 20000) == "(二万)"


def test_a_problem_with_ten_thousand_measures_renders(root: Path, capsys: Capsys,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = root / "data" / "issues" / "001.yaml"
    many = "".join(f"  - 措施{index}。\n" for index in range(1, 10_002))
    path.write_text(path.read_text(encoding="utf-8").replace("  - 制定学习计划。\n", many),
                    encoding="utf-8")
    outcome = _run(root, capsys, monkeypatch, "render")
    assert outcome.code == 0, outcome.err
    assert "九千九百九十九是措施9999。一万是措施10000。一万零一是措施10001。" in outcome.out
    table = _run(root, capsys, monkeypatch, "render", "-t", "table", "-f", "csv")
    assert table.code == 0, table.err


def test_a_template_that_fails_while_compiling(root: Path, capsys: Capsys,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "big.txt.j2").write_text("前文\n{{ 10**5000 }}\n", encoding="utf-8")
    outcome = _run(root, capsys, monkeypatch, "render", "-t", "big.txt")
    assert outcome.code == 1, outcome.text
    assert "错误:模板 big.txt.j2 第2行:模板出错:运算结果过大(10 ** 5000)" in outcome.err
    assert outcome.out == ""


def test_a_template_that_cannot_be_compiled_at_all(root: Path, capsys: Capsys,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever compiling raises (here: nesting past the recursion limit) names the template."""
    (root / "templates").mkdir()
    (root / "templates" / "deep.txt.j2").write_text("{{ " + "(" * 5000 + "1" + ")" * 5000
                                                    + " }}\n", encoding="utf-8")
    outcome = _run(root, capsys, monkeypatch, "render", "-t", "deep.txt")
    assert outcome.code == 1, outcome.text
    assert "错误:模板 deep.txt.j2 :模板无法编译" in outcome.err


@pytest.fixture
def full_stdout(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    stream = Path("/dev/full").open("w", encoding="utf-8")  # noqa: SIM115 - closed below
    yield stream
    # ledger points the broken stream at /dev/null, so closing it raises nothing
    stream.close()


@pytest.mark.parametrize("args", [["render"], ["list"], ["list", "--json"], ["validate"],
                                  ["show", "1"], ["check"], ["templates"]])
def test_output_to_a_full_device(args: list[str], root: Path, capsys: Capsys,
                                 monkeypatch: pytest.MonkeyPatch, full_stdout: Any) -> None:
    monkeypatch.setenv("LEDGER_TODAY", TODAY)
    monkeypatch.setattr(sys, "argv", ["ledger", "--root", str(root), *args])
    monkeypatch.setattr(sys, "stdout", full_stdout)
    from ledger.cli import main

    with pytest.raises(SystemExit) as exited:
        main()
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert exited.value.code == 4, err
    assert "错误:无法写出结果:磁盘空间已满" in err
    assert "Traceback" not in err and "程序内部错误" not in err


def test_render_to_a_full_device_with_o(root: Path, capsys: Capsys,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    outcome = _run(root, capsys, monkeypatch, "render", "-o", "/dev/full")
    assert outcome.code == 4
    assert "错误:无法写入 full:磁盘空间已满" in outcome.err


def test_a_5000_character_root(tmp_path: Path, capsys: Capsys,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    long = str(tmp_path / ("目" * 1700))
    outcome = _run(long, capsys, monkeypatch, "validate")
    assert outcome.code == 2, outcome.text
    assert "错误:无法访问台账目录 " in outcome.err
    assert "路径过长" in outcome.err
    assert len(outcome.err) < 600, "the path is shortened, not echoed whole"
    monkeypatch.setenv("LEDGER_ROOT", long)
    outcome = run_main(["list"], capsys, monkeypatch)
    assert outcome.code == 2 and "路径过长" in outcome.err, outcome.text
    monkeypatch.delenv("LEDGER_ROOT")
    into = run_main(["import", str(Path(__file__).parent / "fixtures" / "notices"
                                   / "bare-list.txt"), "--into", long], capsys, monkeypatch)
    assert into.code == 4, into.text
    assert "路径过长" in into.err and len(into.err) < 600, into.err
    assert not into.crash and "Traceback" not in into.text


# ---------------------------------------------------------------- item 13


def test_a_huge_sparse_file_is_refused_without_reading_it(
        root: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = root / "data" / "issues" / "003.yaml"
    with huge.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: 2 GiB long, no disk used
    opened: list[str] = []
    real_open = Path.open
    real_os_open = os.open

    def path_open(path: Path, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == "003.yaml":
            opened.append(str(path))
            raise AssertionError("the 2 GiB file was opened")
        return real_open(path, *args, **kwargs)

    def os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if not isinstance(path, int) and Path(os.fsdecode(path)).name == "003.yaml":
            opened.append(str(path))
            raise AssertionError("the 2 GiB file was opened")
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", path_open)
    monkeypatch.setattr(os, "open", os_open)
    for cache in ("1", "0", "0"):
        monkeypatch.setenv("LEDGER_NO_CACHE", cache)
        outcome = _run(root, capsys, monkeypatch, "validate")
        assert outcome.code == 1, outcome.text
        assert "data/issues/003.yaml:1:1: error[file-too-large]: " \
               "文件过大(2097152 KiB,上限 8192 KiB)" in outcome.out
    assert opened == []


def test_the_size_cap_is_the_same_before_and_after_reading(root: Path) -> None:
    """A file just over the cap gets the message the parser gave before (stat, not read)."""
    path = root / "data" / "issues" / "003.yaml"
    path.write_bytes(b"x" * (8 * 1024 * 1024 + 1))
    data, problem = loader.read_bytes(root, "data/issues/003.yaml")
    assert data is None and problem is not None
    assert (problem.code, problem.message, str(problem.location)) == (
        "file-too-large", "文件过大(8192 KiB,上限 8192 KiB)", "data/issues/003.yaml:1:1")
    path.write_bytes(b"x" * (8 * 1024 * 1024))
    data, problem = loader.read_bytes(root, "data/issues/003.yaml")
    assert problem is None and data is not None and len(data) == 8 * 1024 * 1024


# ---------------------------------------------------------------- item 15


@pytest.mark.parametrize("args", [["log", "1", "\udcff进展"], ["show", "\udcb2"],
                                  ["close", "1", "--evidence", "a\udcffb"]])
def test_an_argument_that_is_not_utf8(args: list[str], root: Path, capsys: Capsys,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    before = (root / "data" / "issues" / "001.yaml").read_bytes()
    outcome = _run(root, capsys, monkeypatch, *args)
    assert outcome.code == 2, outcome.text
    assert "用法错误:参数不是有效的 UTF-8:" in outcome.err
    assert "\\x" in outcome.err  # the bad bytes shown visibly
    assert "data/issues" not in outcome.text  # not blamed on a file
    assert (root / "data" / "issues" / "001.yaml").read_bytes() == before


def test_ledger_user_that_is_not_utf8(root: Path, capsys: Capsys,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    before = (root / "data" / "issues" / "001.yaml").read_bytes()
    monkeypatch.setenv("LEDGER_USER", "张\udce4")
    outcome = _run(root, capsys, monkeypatch, "log", "1", "进展")
    assert outcome.code == 2, outcome.text
    assert "用法错误:环境变量 LEDGER_USER 不是有效的 UTF-8:张\\xe4" in outcome.err
    assert "data/issues" not in outcome.text
    assert (root / "data" / "issues" / "001.yaml").read_bytes() == before


@pytest.mark.parametrize("args", [["list"], ["render"], ["render", "-t", "table"]])
def test_output_to_a_full_device_in_a_real_process(args: list[str], root: Path) -> None:
    """`ledger … > /dev/full` as a shell runs it: exit 4, one message, and nothing from
    Python's own flush at exit ("Exception ignored", exit 120)."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with Path("/dev/full").open("wb") as full:
        child = subprocess.run([sys.executable, "-m", "ledger", "--root", str(root), "--today",
                                TODAY, *args], stdout=full, stderr=subprocess.PIPE,
                               text=True, check=False, timeout=120)
    assert child.returncode == 4, child.stderr
    assert child.stderr == ("错误:无法写出结果:磁盘空间已满\n"
                            "  提示:输出(标准输出)无法写入;请检查磁盘空间,或用 -o 写入其他位置\n")
