"""Validation (`ledger validate`): every rule over the loaded ledger, as problems with locations.

`rules` (the pure checks, in one immutable tuple, and `checked`, the one place the
findings are composed), `evidence` (the one check that reads evidence files).
Deadlines are not judged here: that is `ledger.deadline`.
"""
