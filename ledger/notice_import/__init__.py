"""Importing what offices already have into a ledger: notices (text, Word) and Excel ledgers.

Two stages, visible in the modules:
- parsing (no I/O beyond reading the input, no YAML): `source` reads the input
  file's text or cells, `text` parses a notice, `figures` reads the numbers a
  notice states, `sheet` parses an Excel/CSV ledger; all of them return the
  typed records of `records`;
- writing: `write` turns records into the YAML text of the ledger's files and
  writes them, `report` says what happened in lines for the user.
"""
