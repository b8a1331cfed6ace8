"""Tests keep the docs honest.

Every command has Chinese help, a row in the README's command table and a section
in docs/commands.md naming each option; every relative link (file and anchor) in
README.md, docs/ and bench/README.md resolves and every cited test exists; the
README's exit-code table is the one in ledger/errors.py; the README's walk runs on
the shipped data with the exit codes it states; docs/errors.md is what
`python -m tests.gen_errors` writes; the CI recipes parse and have the structure
their platforms need.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import typer
import typer.main
import yaml
from typer.core import TyperGroup

from ledger.cli import app
from ledger.core import errors

from . import gen_errors
from .conftest import REPO, Run

COMMANDS = sorted(
    info.name or (info.callback.__name__.rstrip("_") if info.callback else "")
    for info in app.registered_commands
)
ENGLISH = re.compile(r"Usage|Options|Commands|Arguments|Show this message|default:|required")
README = REPO / "README.md"
DOCS = REPO / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md")), REPO / "bench" / "README.md"]
GROUP = cast(TyperGroup, typer.main.get_command(app))
# The current major version of each action the recipes use (node20 majors are deprecated).
ACTIONS = {"actions/checkout": 6, "actions/setup-python": 6, "github/codeql-action/upload-sarif": 4}


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def without_blocks(markdown: str) -> str:
    """The Markdown without fenced code blocks (a `#` line there is no heading)."""
    return re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)


def without_code(markdown: str) -> str:
    """The Markdown without code blocks and code spans (links there are not links)."""
    return re.sub(r"`[^`\n]*`", "", without_blocks(markdown))


def blocks(markdown: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", markdown, flags=re.M | re.S)


def section(markdown: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\n", markdown, re.M)
    assert match, f"no heading {heading!r}"
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(markdown, match.end())
    return markdown[match.end():end.start() if end else len(markdown)]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#+ (.+)$", without_blocks(markdown), re.M):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def links(path: Path) -> Iterator[str]:
    for target in re.findall(r"\]\(([^)\s]+)\)", without_code(text(path))):
        if not re.match(r"[a-z]+:", target):
            yield target


def command_options(name: str) -> list[str]:
    command = GROUP.commands[name]
    return [opt for param in command.params if param.param_type_name == "option"
            for opt in [*param.opts, *param.secondary_opts]]


def parse_command_line(line: str) -> None:
    """Parse a `ledger …` command line as the CLI would, without running it."""
    args = shlex.split(line, comments=True)
    for stop in ("||", "&&", ";", ">", "|"):
        if stop in args:
            args = args[:args.index(stop)]
    assert args[0] == "ledger", line
    ctx = GROUP.make_context("ledger", args[1:])
    name, command, rest = GROUP.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
    assert name in COMMANDS and command is not None, line
    command.make_context(name, rest, parent=ctx)


def test_commands_are_registered() -> None:
    assert {"validate", "list", "show"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_chinese_help(run: Run, name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"用法:ledger {name}")
    assert not ENGLISH.search(result.stdout), result.stdout
    info = next(i for i in app.registered_commands
                if (i.name or (i.callback.__name__.rstrip("_") if i.callback else "")) == name)
    assert info.callback is not None and info.callback.__doc__, f"{name} needs a docstring"


def test_top_help_lists_every_command(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert not ENGLISH.search(result.stdout)
    for name in COMMANDS:
        assert re.search(rf"^  {name}\s", result.stdout, re.M), name


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_table_lists_command(name: str) -> None:
    table = section(text(README), "命令一览")
    firsts = re.findall(r"^\| `ledger (\S+)[^|]*` \|", table, re.M)
    assert name in firsts


@pytest.mark.parametrize("name", COMMANDS)
def test_commands_md_documents_command_and_options(name: str) -> None:
    body = section(text(DOCS / "commands.md"), f"ledger {name}")
    for option in command_options(name):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", body), (name, option)


def test_commands_md_documents_global_options() -> None:
    body = section(text(DOCS / "commands.md"), "全局选项")
    for param in GROUP.params:
        for option in param.opts:
            assert f"`{option} " in body, option


def test_every_page_is_linked_from_the_readme() -> None:
    linked = {(REPO / target.split("#")[0]).resolve() for target in links(README)}
    for page in PAGES[1:]:
        assert page.resolve() in linked, page


def test_relative_links_resolve_to_files_and_anchors() -> None:
    for page in PAGES:
        for target in links(page):
            file, _, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page.resolve()
            assert dest.is_relative_to(REPO) and dest.exists(), (page.name, target)
            if anchor:
                assert dest.suffix == ".md", (page.name, target)
                assert anchor in anchors(text(dest)), (page.name, target)


def test_cited_tests_exist() -> None:
    """Guarantees cite their tests as [tests/x.py::name](…/tests/x.py): each one exists."""
    cited = 0
    for page in PAGES:
        for path, name, target in re.findall(
                r"\[(tests/[^\]]+\.py)::(\w+)\]\(([^)]+)\)", without_code(text(page))):
            assert (page.parent / target).resolve() == (REPO / path).resolve(), (page, target)
            assert f"def {name}(" in text(REPO / path), (page.name, path, name)
            cited += 1
    assert len(re.findall(r"\[tests/[^\]]+\.py::", text(DOCS / "safety.md"))) >= 20
    assert cited >= 20


def test_errors_md_is_generated() -> None:
    assert text(DOCS / "errors.md") == gen_errors.generate(), \
        "docs/errors.md 已过时:请运行 python -m tests.gen_errors"


def test_readme_exit_codes_match_the_code() -> None:
    table = section(text(README), "退出码")
    documented = [int(code) for code in re.findall(r"^\| (\d+) \|", table, re.M)]
    defined = sorted(value for name, value in vars(errors).items()
                     if name.startswith("EXIT_") and isinstance(value, int))
    assert documented == defined
    assert errors.EXIT_LOCKED == 5


def test_readme_is_a_short_tour() -> None:
    assert len(README.read_bytes()) <= 12 * 1024
    for moved in ("## 安全", "## 速度", "## 诊断代码", "## 文件格式", "### ledger"):
        assert moved not in text(README), moved


def test_readme_test_command_is_what_ci_runs() -> None:
    command = blocks(section(text(README), "两条命令"), "sh")[1].strip()
    ci = text(REPO / ".ci" / "run").replace("--quiet ", "")
    for part in command.split(" && "):
        assert re.search(rf"^{re.escape(part)}$", ci, re.M), part


def test_distribution_name_is_free_of_the_unrelated_ledger() -> None:
    pyproject = text(REPO / "pyproject.toml")  # tomllib is 3.11+; we support 3.10
    project = pyproject.split("\n[project]\n", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^name = "zhenggai-ledger"$', project, re.M)
    assert re.search(r'^\[project.scripts\]\nledger = "ledger.cli:main"$', pyproject, re.M)
    assert "zhenggai-ledger @ git+" in text(README)


def _shell(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEDGER_")}
    env["NO_COLOR"] = "1"
    prelude = f'ledger() {{ {shlex.quote(sys.executable)} -m ledger "$@"; }}\n'
    return subprocess.run(["bash", "-c", prelude + script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _checked(lines: list[str]) -> str:
    """A script that runs each line and stops when its exit code is not the stated one."""
    out = []
    for line in lines:
        stated = re.search(r"# 退出码 (\d+)", line)
        expected = int(stated.group(1)) if stated else 0
        out.append(f"{line}\nrc=$?; if [ $rc -ne {expected} ]; then "
                   f"echo {shlex.quote(line)} \"退出码 $rc,应为 {expected}\" >&2; exit 99; fi")
    return "\n".join(out)


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the repository's ledger (data/ and templates/), as a fresh clone has it."""
    root = tmp_path / "clone"
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def test_readme_setup_command_runs_on_the_shipped_data(shipped: Path) -> None:
    command = blocks(section(text(README), "两条命令"), "sh")[0].strip()
    parts = command.split(" && ")
    assert parts[:2] == ["python3 -m venv .venv", ".venv/bin/pip install ."]
    steps = [part.replace(".venv/bin/ledger", "ledger", 1) for part in parts[2:]]
    assert steps and all(step.startswith("ledger ") for step in steps)
    result = _shell(_checked(steps), shipped)
    assert result.returncode == 0, result.stderr
    assert "检查通过" in result.stdout
    assert "中共山东省人民防空办公室党组" in text(shipped / "通报.txt")


def test_readme_walk_runs_on_the_shipped_data(shipped: Path) -> None:
    walk = blocks(section(text(README), "五分钟走一遍"), "sh")
    assert len(walk) == 1
    lines = [line for line in walk[0].splitlines() if line.strip()]
    used = {shlex.split(line)[1] for line in lines if line.startswith("ledger ")}
    for name in ("validate", "list", "show", "log", "done", "close", "extend", "check", "render"):
        assert name in used, name
    result = _shell(_checked(lines), shipped)
    assert result.returncode == 0, result.stderr
    assert "问题 9 已销号(2021年6月30日)" in result.stdout
    assert (shipped / "通报.html").exists()
    closed = text(shipped / "data/issues/009.yaml")
    assert "path: evidence/009/会议纪要.txt" in closed


def test_every_ledger_command_line_in_the_docs_parses() -> None:
    seen = 0
    for page in PAGES:
        for block in blocks(text(page), "sh"):
            for line in block.splitlines():
                if line.startswith("ledger "):
                    parse_command_line(line)
                    seen += 1
    assert seen >= 15


# ---- the CI recipes in docs/ci.md ----

def _recipes() -> list[dict[str, Any]]:
    return [yaml.safe_load(block) for block in blocks(text(DOCS / "ci.md"), "yaml")]


def _ledger_lines(script: str) -> list[str]:
    return [part.strip() for part in script.splitlines() if part.strip().startswith("ledger ")]


def _output_file(line: str) -> str:
    args = shlex.split(line)
    return args[args.index("-o") + 1]


def _check_github(workflow: dict[Any, Any]) -> None:
    assert workflow["name"] and (workflow.get("on") or workflow.get(True))  # YAML 1.1: on = true
    top = workflow["permissions"]
    assert top["contents"] == "read"
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        permissions = {**top, **job.get("permissions", {})}
        uses = []
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                name, _, version = step["uses"].partition("@")
                assert f"v{ACTIONS[name]}" == version, step["uses"]
                uses.append(name)
            else:
                for line in _ledger_lines(step["run"]):
                    parse_command_line(line)
        assert uses[:2] == ["actions/checkout", "actions/setup-python"]
        runs = "\n".join(step.get("run", "") for step in job["steps"])
        assert 'pip install "$LEDGER_PACKAGE"' in runs
        if "github/codeql-action/upload-sarif" in uses:
            assert permissions["security-events"] == "write"
            assert permissions["actions"] == "read"
            upload = next(s for s in job["steps"] if "upload-sarif" in s.get("uses", ""))
            sarif = next(line for line in _ledger_lines(runs) if "sarif" in line)
            assert upload["with"]["sarif_file"] == _output_file(sarif)
            assert "|| test $? -eq 3" in runs


def _check_gitlab(pipeline: dict[str, Any]) -> None:
    rules = pipeline["workflow"]["rules"]
    conditions = [rule["if"] for rule in rules]
    mr = conditions.index('$CI_PIPELINE_SOURCE == "merge_request_event"')
    never = next(i for i, rule in enumerate(rules) if "$CI_OPEN_MERGE_REQUESTS" in rule["if"])
    assert rules[never].get("when") == "never" and mr < never
    assert conditions.index("$CI_COMMIT_BRANCH") > never
    jobs = {name: job for name, job in pipeline.items() if name != "workflow"}
    assert jobs
    for job in jobs.values():
        lines = _ledger_lines("\n".join(job["script"]))
        for line in lines:
            parse_command_line(line)
        junit = next(line for line in lines if "junit" in line)
        assert job["artifacts"]["reports"]["junit"] == _output_file(junit)
        assert job["artifacts"]["when"] == "always"
        assert any("merge_request_event" in rule.get("if", "") for rule in job["rules"])


def _check_pre_commit(config: dict[str, Any]) -> None:
    offered = {hook["id"]: hook for hook in yaml.safe_load(text(REPO / ".pre-commit-hooks.yaml"))}
    for repo in config["repos"]:
        assert set(repo) == {"repo", "rev", "hooks"}
        assert not re.fullmatch(r"v?\d+(\.\d+)*", str(repo["rev"])), "ledger 还没有发布标签"
        for hook in repo["hooks"]:
            assert hook["id"] in offered
            parse_command_line(offered[hook["id"]]["entry"])


def test_ci_snippets() -> None:
    recipes = _recipes()
    github = [r for r in recipes if "jobs" in r]
    gitlab = [r for r in recipes if "workflow" in r]
    pre_commit = [r for r in recipes if "repos" in r]
    assert (len(github), len(gitlab), len(pre_commit), len(recipes)) == (2, 1, 1, 4)
    for workflow in github:
        _check_github(workflow)
    _check_gitlab(gitlab[0])
    _check_pre_commit(pre_commit[0])


def _tags() -> set[str]:
    result = subprocess.run(["git", "tag", "--list"], cwd=REPO, capture_output=True, text=True,
                            check=False)
    return set(result.stdout.split())


def test_no_reference_to_a_missing_tag() -> None:
    """`@v0.1.0` or `rev: v0.1.0` fail for whoever pastes them while the tag does not exist."""
    tags = _tags()
    for page in PAGES:
        body = text(page)
        refs = re.findall(r"\.git@([^\s\"'>]+)", body) + re.findall(r"rev: (\S+)", body)
        for ref in refs:
            if re.fullmatch(r"v?\d+(\.\d+)+", ref):
                assert ref in tags, (page.name, ref)


def test_typer_is_below_029() -> None:
    """typer 0.29 imports pydantic at start-up (~200 ms); see bench/README.md."""
    major, minor = (int(part) for part in typer.__version__.split(".")[:2])
    assert (major, minor) < (0, 29)
