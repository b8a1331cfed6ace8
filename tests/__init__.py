"""The test suite of ledger."""
