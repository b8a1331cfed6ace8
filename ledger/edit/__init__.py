"""Editing: surgical, atomic, locked, and re-validated before anything is written.

`lifecycle` (close, reopen, extend, log, done, set, status, amount, new),
`scaffold` (init, aspect add, subject add), `yamledit` (one field changed, every
other byte kept), `yamlout` (new files written whole), `lock` (one writer at a time).
"""
