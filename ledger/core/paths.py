"""Containment: whether a path, every link on the way resolved, stays inside the ledger.

The one test every reader and writer applies before trusting a path: a problem
file, the issues folder, an evidence file, a template, an import's target. What
to do when the answer cannot be had (a link loop, an unreadable folder) differs
by caller, so that is left to them: this raises as `Path.resolve` does.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path


def inside_root(root: Path, path: Path) -> bool:
    """Whether `path` resolves to `root` (itself resolved) or somewhere below it.

    Raises OSError (ELOOP for a link loop), or RuntimeError for a link loop before
    Python 3.12.
    """
    resolved = path.resolve()
    if sys.version_info >= (3, 13):
        _raise_at_a_loop(resolved)
    return resolved.is_relative_to(root.resolve())


def _raise_at_a_loop(resolved: Path) -> None:
    """From Python 3.13 on, resolve() stops at a link loop instead of raising. Where a
    resolved path (or its nearest existing folder) is still a link, it is a loop, and
    raises as Python 3.12 does; a loop further up raises from lstat itself."""
    for probe in (resolved, *resolved.parents):
        try:
            info = os.lstat(probe)
        except (FileNotFoundError, NotADirectoryError):
            continue
        if stat.S_ISLNK(info.st_mode):
            raise OSError(errno.ELOOP, "Too many levels of symbolic links", str(resolved))
        return
