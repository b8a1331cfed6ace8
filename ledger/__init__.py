"""ledger: a rectification ledger (整改台账) kept as plain YAML files in a git repository."""

__version__ = "0.1.0"
