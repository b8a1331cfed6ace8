"""ledger: a rectification ledger (整改台账) kept as plain YAML files in a git repository.

The library face is `ledger.Ledger` (see docs/library.md):

    import ledger
    book = ledger.Ledger.open(".")
    print(len(book.problems()))
"""

from .api import Ledger
from .version import __version__

__all__ = ["Ledger", "__version__"]
