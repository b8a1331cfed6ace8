"""Reading: files in, model records and problems out.

`yamlsrc` (strict YAML with positions), `loader` (the header and the problem
files), `notice` (the notice's narrative, data/notice.yaml), `root` (finding the
ledger's folder), `templates` (the one template lookup, own before shipped).
The cache (`ledger.cache`) wraps `loader`; nothing here imports it.
"""
