"""Write docs/errors.md, the catalogue of diagnostic codes, from the code and the tests.

Each code's line comes from ledger/codes.py; its example is what `ledger validate`
prints on its broken ledger under tests/broken/<code>/ (run here, not copied), or,
for codes no file can produce, the tests that build or assert it. The committed
file must equal this output (tests/test_docs.py), so it cannot go stale:

    python -m tests.gen_errors          # rewrite docs/errors.md
    python -m tests.gen_errors --check  # exit 1 if docs/errors.md is out of date
"""

from __future__ import annotations

import ast
import shutil
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from ledger.cli import app
from ledger.core.codes import CODES

TESTS = Path(__file__).parent
REPO = TESTS.parent
BROKEN = TESTS / "broken"
TARGET = REPO / "docs" / "errors.md"
TODAY = "2021-09-01"  # validation must not depend on the day the catalogue is written

# Codes a file alone cannot produce: tests/test_validate_corpus.py builds them (BUILT).
BUILT = {
    "not-a-file": "把 data/issues/003.yaml 换成一个目录。",
    "outside-root": "把 data/issues/003.yaml 换成指向台账目录之外的符号链接。",
    "unreadable": "去掉 data/issues/003.yaml 的读权限(以 root 运行时改为模拟读取失败)。",
    "no-issues-dir": "删除 data/issues 目录。",
    "file-too-large": "写一个 9 MiB 的 data/issues/003.yaml。",
}

HEAD = """\
# 诊断代码一览

<!-- 本文件由 `python -m tests.gen_errors` 生成,请勿手工修改;测试保证它与生成结果一致。 -->

`ledger validate`(以及先检查数据的 `check`、`render`、各修改命令)报告的每个问题都带一个
稳定的代码,格式见 [commands.md](commands.md#ledger-validate)。每个代码都有一个会触发它的
台账示例:[tests/broken/](../tests/broken/) 下的 `<代码>/` 目录覆盖在
[tests/broken/_base/](../tests/broken/_base/) 这份干净台账之上;下面的输出就是在这些示例上
运行 `ledger --today {today} validate` 的实际结果。

| 代码 | 含义 |
|---|---|
"""


def _cases() -> list[str]:
    return sorted(path.name for path in BROKEN.iterdir()
                  if path.is_dir() and not path.name.startswith("_"))


def _validate(case: str) -> tuple[int, str]:
    """`ledger validate` on the case laid over the base ledger: (exit code, output)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ledger"
        shutil.copytree(BROKEN / "_base", root)
        shutil.copytree(BROKEN / case, root, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("expected.txt"))
        result = CliRunner().invoke(
            app, ["--root", str(root), "--today", TODAY, "validate"],
            env={"LEDGER_NO_CACHE": "1", "NO_COLOR": "1"})
        if tmp in result.output:
            raise AssertionError(f"{case}: the output names the temporary folder")
        return result.exit_code, result.output


def _files(case: str) -> list[str]:
    folder = BROKEN / case
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path.name != "expected.txt")


def _test_sources() -> list[tuple[str, str, str]]:
    """(file name, test name, source) of every top-level test function."""
    found: list[tuple[str, str, str]] = []
    for path in sorted(TESTS.glob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                body = "\n".join(lines[node.lineno - 1:node.end_lineno])
                found.append((path.name, node.name, body))
    return found


def _tests_naming(code: str, sources: list[tuple[str, str, str]]) -> list[str]:
    """tests/x.py::name for every test function whose source contains the code."""
    return [f"[tests/{file}::{name}](../tests/{file})"
            for file, name, body in sources if code in body]


def _section(code: str, cases: list[str],
             sources: list[tuple[str, str, str]]) -> list[str]:
    lines = [f"## `{code}`", "", CODES[code] + "。", ""]
    if code in cases:
        files = "、".join(f"`{name}`" for name in _files(code))
        exit_code, output = _validate(code)
        lines += [f"示例:[tests/broken/{code}/](../tests/broken/{code}/)(覆盖 {files}),"
                  f"退出码 {exit_code}:", "", "```text", output.rstrip("\n"), "```", ""]
    elif code in BUILT:
        lines += [f"示例在测试中构造:{BUILT[code]}见 "
                  "[tests/test_validate_corpus.py::test_built_case](../tests/test_validate_corpus.py)。",
                  ""]
    else:
        tests = _tests_naming(code, sources)
        if not tests:
            raise AssertionError(f"{code}: no broken ledger and no test names it")
        lines += ["示例见测试:" + "、".join(tests) + "。", ""]
    return lines


def generate() -> str:
    """The text of docs/errors.md."""
    cases = _cases()
    unknown = sorted(set(cases) - set(CODES))
    if unknown:
        raise AssertionError(f"tests/broken/ has cases for unknown codes: {unknown}")
    lines = [HEAD.format(today=TODAY).rstrip("\n")]
    lines += [f"| [`{code}`](#{code}) | {text} |" for code, text in CODES.items()]
    lines.append("")
    sources = _test_sources()
    for code in CODES:
        lines += _section(code, cases, sources)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print("docs/errors.md 已过时:请运行 python -m tests.gen_errors", file=sys.stderr)
            return 1
        return 0
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"已写入 {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
