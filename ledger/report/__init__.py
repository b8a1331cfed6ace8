"""Reports as plain data: which problems, their numbers, over time and across units.

`query` (filters and rows), `stats` (counts, rates, breakdowns), `history` (the
ledger as committed in git: `--as-of` and the series), `rollup` (many units'
ledgers in one table). Everything is computed from `ledger.deadline.standing`.
"""
