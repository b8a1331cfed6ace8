"""Containment: whether a path, every link on the way resolved, stays inside the ledger.

The one test every reader and writer applies before trusting a path: a problem
file, the issues folder, an evidence file, a template, an import's target. What
to do when the answer cannot be had (a link loop, an unreadable folder) differs
by caller, so that is left to them: this raises as `Path.resolve` does.
"""

from __future__ import annotations

from pathlib import Path


def inside_root(root: Path, path: Path) -> bool:
    """Whether `path` resolves to `root` (itself resolved) or somewhere below it.

    Raises OSError, or RuntimeError for a link loop before Python 3.12.
    """
    return path.resolve().is_relative_to(root.resolve())
