"""Finding templates: the ledger's own `templates/` first, else the ones shipped with the code.

The one lookup `ledger render` (Jinja and Word templates) and `ledger new`
(templates/issue.yaml) share. A ledger's own file counts only when it is a file
inside the ledger, never through a link out of it. Reading and rendering are
the caller's: this imports neither Jinja nor anything that renders.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.core.paths import inside_root

if TYPE_CHECKING:  # importlib.abc's name warns from Python 3.13 on; annotations only
    from importlib.abc import Traversable

TEMPLATES_DIR = "templates"


def shipped_templates() -> Traversable:
    """The templates that come with the package (top-level templates/ in the source tree)."""
    try:
        return importlib.resources.files("ledger.templates")
    except ModuleNotFoundError:  # running from a checkout that is not installed
        return Path(__file__).resolve().parents[2] / TEMPLATES_DIR


def own_folder(root: Path | None) -> Path | None:
    """<root>/templates when the ledger has one."""
    if root is None or not (root / TEMPLATES_DIR).is_dir():
        return None
    return root / TEMPLATES_DIR


def own_template(root: Path | None, name: str) -> Path | None:
    """<root>/templates/NAME when it is a file inside the ledger (never through a link out)."""
    own = own_folder(root)
    if root is None or own is None:
        return None
    path = own / name
    try:
        if path.is_file() and inside_root(root, path):
            return path
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.12)
        return None
    return None


def find_template(root: Path | None, name: str) -> Path | Traversable | None:
    """The template NAME as the ledger sees it: its own, else the shipped one, else None."""
    own = own_template(root, name)
    if own is not None:
        return own
    shipped = shipped_templates() / name
    return shipped if shipped.is_file() else None
