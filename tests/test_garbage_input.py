"""No input file yields a traceback: every kind of garbage becomes diagnostics and exit 1."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.read.loader import load, parse_header, parse_issue
from ledger.validate.rules import has_errors, validate

from .conftest import BASE, Run

VALID = (BASE / "data/issues/001.yaml").read_bytes()

ALIAS_BOMB = b"""number: 1
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
measures: *h
"""

GARBAGE = {
    "binary": bytes(range(256)) * 4,
    "empty": b"",
    "whitespace": b"   \n\n",
    "a list": b"- 1\n- 2\n",
    "a scalar": b"just text\n",
    "python tag": b"number: !!python/object/apply:os.system ['touch /tmp/ledger-pwned']\n",
    "python name": b"title: !!python/name:os.system\nnumber: 1\n",
    "custom tag": b"title: !custom x\n",
    "alias bomb": ALIAS_BOMB,
    "recursive alias": b"a: &a [*a]\nnumber: 1\n",
    "invalid utf-8": b"number: 1\ntitle: \xff\xfe\xfa\n",
    "utf-16": "number: 1\n".encode("utf-16"),
    "deep nesting": b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "deep block nesting": b"".join(b"  " * i + b"k:\n" for i in range(3000)),
    "two documents": b"number: 1\n---\nnumber: 2\n",
    "only a comment": b"# nothing\n",
    "null bytes": b"number: 1\x00\n",
    "huge 5 MB": b"number: 1\naspect: 1\ntitle: " + b"x" * (5 * 1024 * 1024) + b"\nstatus: 1\n",
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_parse_issue_never_raises(name: str) -> None:
    _, problems = parse_issue("data/issues/001.yaml", GARBAGE[name])
    assert problems, "garbage must be reported"
    assert all(problem.location.path == "data/issues/001.yaml" for problem in problems)
    assert all(problem.severity == "error" for problem in problems)


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_parse_header_never_raises(name: str) -> None:
    _, problems = parse_header("data/ledger.yaml", GARBAGE[name])
    assert problems


def test_python_tag_is_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = f"number: !!python/object/apply:os.system ['touch {marker}']\n".encode()
    parse_issue("data/issues/001.yaml", data)
    assert not marker.exists()


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_cli_on_garbage_exits_1(run: Run, base_ledger: Path, name: str) -> None:
    (base_ledger / "data/issues/003.yaml").write_bytes(GARBAGE[name])
    result = run("--root", base_ledger, "validate")
    assert result.exit_code == 1, result.output
    assert "data/issues/003.yaml" in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_directory_instead_of_header(run: Run, base_ledger: Path) -> None:
    header = base_ledger / "data/ledger.yaml"
    header.unlink()
    header.mkdir()
    # No data/ledger.yaml file: this is not a ledger at all.
    result = run("--root", base_ledger, "validate")
    assert result.exit_code == 2


def test_header_garbage_keeps_reporting_issues(run: Run, base_ledger: Path) -> None:
    (base_ledger / "data/ledger.yaml").write_bytes(b"- not a mapping\n")
    (base_ledger / "data/issues/003.yaml").write_bytes(b"number: x\n")
    result = run("--root", base_ledger, "validate")
    assert result.exit_code == 1
    assert "data/ledger.yaml:1:1" in result.stdout
    assert "data/issues/003.yaml:1:9" in result.stdout


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, delete, insert in edits:
        at = position % (len(out) + 1)
        out[at: at + delete] = insert
    return bytes(out)


EDITS = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 8),
              st.sampled_from([b"", b":", b" ", b"\t", b"-", b"[", b"{", b"'", b'"', b"&a ",
                               b"*a", b"!!", b"\n", b"  ", b"\xff", b"\xe4\xb8", b"#",
                               b"<<<<<<< x\n", b"no", b"0755", b"2021-13-45", b"|", b">"])
              | st.binary(max_size=6)),
    min_size=1, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDITS)
def test_mutated_issue_files_never_crash(edits: list[tuple[int, int, bytes]]) -> None:
    data = _mutate(VALID, edits)
    issue, problems = parse_issue("data/issues/001.yaml", data)
    for problem in problems:
        assert problem.location.path == "data/issues/001.yaml"
        assert problem.code and problem.message
    if issue is None:
        assert any(problem.severity == "error" for problem in problems)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(EDITS)
def test_mutated_files_through_validate(run: Run, base_ledger: Path,
                                        edits: list[tuple[int, int, bytes]]) -> None:
    data = _mutate(VALID, edits)
    target = base_ledger / "data/issues/001.yaml"
    target.write_bytes(data)
    _issue, problems = parse_issue("data/issues/001.yaml", data)
    result = run("--root", base_ledger, "validate", "--format", "json")
    # 1 exactly when the library finds an error, whatever the garbage was
    assert result.exit_code == (1 if has_errors(validate(load(base_ledger), date.today())) else 0)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if any(problem.severity == "error" for problem in problems):
        assert result.exit_code == 1
        assert "data/issues/001.yaml" in result.stdout
