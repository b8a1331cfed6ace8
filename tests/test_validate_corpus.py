"""Every diagnostic code has a broken ledger that produces it at an exact place.

A case under tests/broken/<code>/ overlays its files onto tests/broken/_base/;
expected.txt lists every diagnostic `path:line:col: code` the run must give.
Codes that files alone cannot produce (directories, links, permissions) are
built in code below.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ledger.core.codes import CODES

from .conftest import BASE, BROKEN, Run

CASES = sorted(path.name for path in BROKEN.iterdir() if not path.name.startswith("_"))


def diagnostics(run: Run, root: Path) -> tuple[int, list[str]]:
    result = run("--root", root, "validate", "--format", "json")
    found = json.loads(result.stdout)
    return result.exit_code, [f"{p['path']}:{p['line']}:{p['column']}: {p['code']}" for p in found]


def test_base_is_clean(run: Run, base_ledger: Path) -> None:
    result = run("--root", base_ledger, "validate")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "检查通过:没有发现问题。\n"


@pytest.mark.parametrize("case", CASES)
def test_broken_case(run: Run, tmp_path: Path, case: str) -> None:
    root = tmp_path / case
    shutil.copytree(BASE, root)
    shutil.copytree(BROKEN / case, root, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("expected.txt"))
    code, found = diagnostics(run, root)
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert found == expected
    assert any(line.endswith(f": {case}") for line in found), "the case must show its own code"
    assert all(line.rsplit(": ", 1)[1] in CODES for line in found)
    text = run("--root", root, "validate")
    assert text.exit_code == code
    assert "Traceback" not in text.output


def _not_a_file(root: Path) -> str:
    (root / "data/issues/003.yaml").mkdir()
    return "data/issues/003.yaml:0:0: not-a-file"


def _outside_root(root: Path) -> str:
    outside = root.parent / "elsewhere.yaml"
    outside.write_text("number: 3\n", encoding="utf-8")
    (root / "data/issues/003.yaml").symlink_to(outside)
    return "data/issues/003.yaml:0:0: outside-root"


def _unreadable(root: Path) -> str:
    target = root / "data/issues/003.yaml"
    target.write_text("number: 3\n", encoding="utf-8")
    target.chmod(0)
    return "data/issues/003.yaml:0:0: unreadable"


def _no_issues_dir(root: Path) -> str:
    shutil.rmtree(root / "data/issues")
    return "data/issues:0:0: no-issues-dir"


def _too_large(root: Path) -> str:
    (root / "data/issues/003.yaml").write_bytes(b"# " + b"x" * (9 * 1024 * 1024) + b"\n")
    return "data/issues/003.yaml:1:1: file-too-large"


BUILT = {
    "not-a-file": _not_a_file,
    "outside-root": _outside_root,
    "unreadable": _unreadable,
    "no-issues-dir": _no_issues_dir,
    "file-too-large": _too_large,
}


@pytest.mark.parametrize("code", sorted(BUILT))
def test_built_case(run: Run, base_ledger: Path, code: str) -> None:
    if code == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    expected = BUILT[code](base_ledger)
    exit_code, found = diagnostics(run, base_ledger)
    assert found == [expected]
    assert exit_code == 1


def test_unreadable_as_root(run: Run, base_ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The permission path, simulated so it runs as root too."""
    (base_ledger / "data/issues/003.yaml").write_text("number: 3\n", encoding="utf-8")
    real = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path.name == "003.yaml":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    exit_code, found = diagnostics(run, base_ledger)
    assert found == ["data/issues/003.yaml:0:0: unreadable"]
    assert exit_code == 1


def covered_codes() -> set[str]:
    codes = set(BUILT)
    for case in CASES:
        for line in (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines():
            codes.add(line.rsplit(": ", 1)[1])
    return codes
