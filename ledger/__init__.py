"""ledger: a rectification ledger (整改台账) kept as plain YAML files in a git repository.

The library face is `ledger.Ledger` (see docs/library.md):

    import ledger
    book = ledger.Ledger.open(".")
    print(len(book.problems()))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .api import Ledger

__all__ = ["Ledger", "__version__"]


def __getattr__(name: str) -> Any:
    """`ledger.Ledger`, imported on first use: the command line (`ledger.cli`, a submodule
    of this package) starts without the library's reading and checking modules."""
    if name == "Ledger":
        from .api import Ledger

        return Ledger
    raise AttributeError(f"module 'ledger' has no attribute {name!r}")
