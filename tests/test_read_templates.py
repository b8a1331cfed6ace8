"""ledger.read.templates: the one template lookup `render` and `new` share."""

from __future__ import annotations

from pathlib import Path

from ledger.read.templates import find_template, own_template, shipped_templates

from .conftest import REPO


def test_the_ledgers_own_template_wins(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    own = tmp_path / "templates" / "issue.yaml"
    own.write_text("title: {title}\n", encoding="utf-8")
    assert find_template(tmp_path, "issue.yaml") == own


def test_a_link_out_of_the_ledger_is_not_its_own_template(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    (root / "templates").mkdir(parents=True)
    outside = tmp_path / "secret.yaml"
    outside.write_text("x: 1\n", encoding="utf-8")
    (root / "templates" / "issue.yaml").symlink_to(outside)
    assert own_template(root, "issue.yaml") is None
    found = find_template(root, "issue.yaml")
    assert found is not None and found.read_text(encoding="utf-8") == \
        (REPO / "templates" / "issue.yaml").read_text(encoding="utf-8")


def test_shipped_then_nothing(tmp_path: Path) -> None:
    shipped = find_template(tmp_path, "notice.txt.j2")
    assert shipped is not None
    assert shipped.read_text(encoding="utf-8") == \
        (REPO / "templates" / "notice.txt.j2").read_text(encoding="utf-8")
    assert find_template(tmp_path, "no-such.j2") is None
    assert find_template(None, "no-such.j2") is None
    assert sorted(entry.name for entry in shipped_templates().iterdir()
                  if entry.name.endswith(".j2")) == \
        sorted(path.name for path in (REPO / "templates").glob("*.j2"))


def test_no_other_module_looks_templates_up() -> None:
    lookups = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted((REPO / "ledger").rglob("*.py")) if path.name != "templates.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if '"ledger.templates"' in line or '/ "templates"' in line]
    assert lookups == []
