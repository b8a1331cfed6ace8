"""Deadlines (`ledger check`): where each problem stands on a day, and the policy that judges it.

`standing` (the one place derived facts are computed: the deadline in force and
its source, days left, level, display status, slip), `policy` (levels counted
and judged against the ledger's policy, the report of `ledger check`).
"""
