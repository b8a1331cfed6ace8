"""Presenting: the same facts drawn for people and for machines.

`render` (the notice and table through Jinja), `docx_notice` / `docx_template`
(Word), `xlsx_table` (Excel), `board` (the wall chart), `tables` (terminal tables
and detail views; the only module that imports rich), `ci_formats` (check's
outputs for CI), `diagnostics` (the one diagnostic format), `safetext` (data made
safe for where it is shown), `titles` (title lines at sense units).
"""
