"""The ledger's vocabulary, shared by every stage: records, errors, codes, and pure helpers.

`model` (frozen records with their locations), `errors` (failures with their exit
codes), `codes` (the catalogue of diagnostic codes), `dates`, `numerals` and
`money` (pure arithmetic of deadlines, Chinese numbering and amounts),
`atomic` (whole-file writes a reader never sees half of) and `paths` (the one test
that a path stays inside the ledger). No module here
imports from another stage.
"""
