"""Floor: PyYAML's C loader over every problem file of a ledger, and nothing else.

This is what any YAML-based tool must pay to read the ledger once: no schema
walk, no checks, no output. `ledger` cold should stay within 20% of it.

    python bench/floor_cload.py LEDGER_ROOT
"""

# A floor: plain os calls, no pathlib objects per file.
# ruff: noqa: PTH118, PTH123, PTH208
import os
import sys

import yaml

folder = os.path.join(sys.argv[1], "data", "issues")
count = 0
for name in sorted(os.listdir(folder)):
    if name.endswith((".yaml", ".yml")):
        with open(os.path.join(folder, name), "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)
        count += 1
print(count)
