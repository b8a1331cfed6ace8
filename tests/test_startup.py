"""What `ledger` imports before it prints: only what the command needs (issue 15).

Each case runs the real command in a fresh interpreter, its output to a pipe as a script
would read it, and lists the modules loaded when it is done. A module named here costs
start-up time every run and draws or writes nothing for this command: it must be
imported where it is used, not at start-up. Not a timing: the set of modules is exact.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

# Imported here and then printed: the modules the run of `ledger ARGS` loaded.
PROBE = ("import sys\n"
         "from ledger.cli import run\n"
         "code = run(sys.argv[1:])\n"
         "sys.stdout.flush()\n"
         "sys.stderr.write('\\n'.join(sorted(sys.modules)) + '\\n')\n"
         "raise SystemExit(code)\n")

# Never needed to list problems to a pipe: drawing, templates, office files, importing,
# statistics, history, edits and their lock, worker processes.
NOT_FOR_LIST = ("rich", "jinja2", "openpyxl", "docx", "concurrent.futures",
                "ledger.notice_import", "ledger.report.stats", "ledger.present.render",
                "ledger.present.board", "ledger.report.rollup", "ledger.report.history",
                "ledger.edit.lifecycle", "ledger.edit.lock", "ledger.edit.yamledit",
                "ledger.deadline.policy", "ledger.read.notice", "ledger.present.xlsx_table",
                "ledger.present.docx_notice")
# `--help` reads no ledger: not even the model or YAML.
NOT_FOR_HELP = (*NOT_FOR_LIST, "yaml", "ledger.api", "ledger.core.model", "ledger.read.loader",
                "ledger.validate.rules", "ledger.report.query", "ledger.present.tables",
                "ledger.cache.store")


def _modules(cwd: Path, *args: str) -> tuple[int, str, set[str]]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("LEDGER_") and key not in ("COLUMNS", "FORCE_COLOR")}
    env["LEDGER_TODAY"] = "2021-12-31"
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    lines = done.stderr.splitlines()
    return done.returncode, done.stdout, set(lines)


def _loaded(found: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(module for module in found
                  if any(module == name or module.startswith(name + ".") for name in names))


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    shutil.copytree(REPO / "data", root / "data")
    return root


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_list_open_to_a_pipe_imports_nothing_it_does_not_need(shipped: Path, cache: str
                                                             ) -> None:
    if cache == "warm":
        assert _modules(shipped, "list", "--open")[0] == 0
    code, out, found = _modules(shipped, "list", "--open")
    assert code == 0
    assert out.endswith("共 23 项\n")
    assert "ledger.cache.store" in found  # the probe sees what the command used
    assert _loaded(found, NOT_FOR_LIST) == []


def test_a_warm_list_parses_nothing_and_never_imports_yaml(shipped: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """The header's parse is cached like the problem files': a warm run reads both from
    the cache and never imports PyYAML (about 13 ms) nor the parser's helpers."""
    from ledger import cache
    from ledger.cache import store

    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)  # files just copied count as old
    cache.load(shipped, cache=True, jobs=1)
    cache.summary(shipped, cache=True, jobs=1)  # the briefs `list` reads
    code, out, found = _modules(shipped, "list", "--open")
    assert code == 0
    assert out.endswith("共 23 项\n")
    assert "ledger.read.loader" in found
    assert _loaded(found, ("yaml", "_yaml", "ledger.read.yamlsrc")) == []
    # A header changed since the cache was written is parsed again.
    header = shipped / "data" / "ledger.yaml"
    header.write_bytes(header.read_bytes() + b"\n")
    code, out, found = _modules(shipped, "list", "--open")
    assert (code, out.endswith("共 23 项\n")) == (0, True)
    assert "ledger.read.yamlsrc" in found


# Work a warm list never needs at start: compiling records' methods and the cache's
# decoders (written ahead: ledger.core.record, `python -m ledger.ahead`), json's
# regular expressions, OpenSSL (hashlib), the calendar module.
NOT_FOR_A_WARM_LIST = ("json", "hashlib", "_hashlib", "calendar", "ledger.cache.parallel")
COUNTING_PROBE = ("import dataclasses, sys\n"
                  "made = []\n"
                  "real = dataclasses._process_class\n"
                  "def counted(cls, *args):\n"
                  "    made.append(cls.__qualname__)\n"
                  "    return real(cls, *args)\n"
                  "dataclasses._process_class = counted\n"
                  "compiled = []\n"
                  "sys.addaudithook(lambda event, args: event == 'compile'"
                  " and str(args[1]).startswith('<ledger') and compiled.append(str(args[1])))\n"
                  + PROBE.replace("sys.stderr.write(", "sys.stderr.write('made ' + ' '.join(made)"
                                  " + '\\ncompiled ' + ' '.join(compiled) + '\\n' + "))


def test_a_warm_list_compiles_nothing(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger import cache
    from ledger.cache import store

    monkeypatch.setattr(store, "RACY_NS", -3600 * 10**9)  # files just copied count as old
    cache.summary(shipped, cache=True, jobs=1)  # the briefs `list` reads
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("LEDGER_") and key not in ("COLUMNS", "FORCE_COLOR")}
    env["LEDGER_TODAY"] = "2021-12-31"
    done = subprocess.run([sys.executable, "-c", COUNTING_PROBE, "list", "--open"],
                          cwd=shipped, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("共 23 项\n")
    lines = done.stderr.splitlines()
    assert lines[:2] == ["made ", "compiled "]  # no dataclass, no decoder compiled
    assert _loaded(set(lines[2:]), NOT_FOR_A_WARM_LIST) == []


def test_help_imports_no_reading_of_the_ledger(shipped: Path) -> None:
    code, out, found = _modules(shipped, "--help")
    assert code == 0
    assert "\n  list       列出问题:" in out
    assert _loaded(found, NOT_FOR_HELP) == []


def test_a_command_help_imports_no_reading_of_the_ledger(shipped: Path) -> None:
    code, out, found = _modules(shipped, "list", "--help")
    assert code == 0
    assert "--open" in out
    assert _loaded(found, NOT_FOR_HELP) == []


@pytest.mark.parametrize(("args", "built"), [
    (["list", "--open"], ["list"]),
    (["--root", "x", "--today=2021-12-31", "list"], ["list"]),
    (["check", "--today", "2021-12-31"], ["check"]),
    (["--help"], None),
    (["--help", "list"], None),
    (["--version"], None),
    (["lst"], None),
    ([], None),
])
def test_only_the_command_named_is_built(args: list[str], built: list[str] | None) -> None:
    """Typer reads the parameters of every command it builds; a run builds only its own.
    Help, completion and a mistyped name get them all."""
    from ledger import cli

    group = cli._command_group(cli.hoist_global_options(args))
    every = sorted(cli.typer.main.get_command(cli.app).commands)  # type: ignore[attr-defined]
    assert len(every) > 20
    assert sorted(group.commands) == (every if built is None else built)


@pytest.mark.parametrize("args", [[], ["--help"], ["-h"], ["--help", "list"],
                                  ["--root", "x", "--help"], ["lst"], ["--bogus"],
                                  ["--version"]])
def test_the_listing_reads_no_parameters_and_says_what_the_whole_group_says(
        args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a command named, the commands are built for the group's listing only (no
    parameters read: about 25 ms of `--help`); help, errors and exit codes are the ones
    the fully built group gives (which completion still gets)."""
    from ledger import cli

    from .conftest import run_ledger

    listing = cli._command_group(cli.hoist_global_options(args))
    assert all(command.params == [] for command in listing.commands.values())
    light = run_ledger(*args)
    monkeypatch.setattr(cli, "_completing", lambda: True)
    whole_group = cli._command_group(cli.hoist_global_options(args))
    assert sum(len(command.params) for command in whole_group.commands.values()) > 50
    whole = run_ledger(*args)
    assert (light.exit_code, light.stdout, light.stderr) == (
        whole.exit_code, whole.stdout, whole.stderr)
    assert light.stdout or light.stderr


def test_completion_is_asked_for_through_its_environment_variable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger import cli

    assert not cli._completing()
    monkeypatch.setenv("_LEDGER_COMPLETE", "bash_complete")
    assert cli._completing()


def test_group_help_before_the_command_lists_every_command(shipped: Path) -> None:
    from .conftest import run_ledger

    result = run_ledger("--help", "list")
    assert result.exit_code == 0
    assert "\n  validate   检查全部台账文件" in result.stdout
    assert "\n  stats      统计" in result.stdout
