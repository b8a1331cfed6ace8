"""Do the cache codec's two parts earn their keep? Warm loads with each on and off.

The parts (ledger/cache/codec.py):
- the code generator: per record class, `exec`-built functions that encode and
  decode a record in one call (kept here, measured against the closures that
  replaced it: the same wire format, one call per converted field);
- the lazy mapping: a record's field locations (`where`) kept as their JSON
  text until asked for; off = a plain dict of Location decoded at once.

Every variant reads the same cache file (the wire format does not change), in a
fresh process per run: `ledger.cache.load(root)` (all files unchanged), then
`checks.validate` as `validate` does. Reports medians of --runs runs, the
ratio to what ledger ships, and peak memory (the child's maxrss).

    python bench/cache_parts.py                  # 23, 1,000, 10,000, 100,000
    python bench/cache_parts.py --sizes 23,1000 --runs 7
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

VARIANTS = {  # name: (generated codec, lazy where)
    "closures + lazy where (shipped)": (False, True),
    "codegen + lazy where (before)": (True, True),
    "closures + plain dict": (False, False),
    "codegen + plain dict": (True, False),
}
BASE = "closures + lazy where (shipped)"


def generated_codec() -> dict[str, Any]:
    """The codec as ledger shipped it until this measurement: `exec`-built functions,
    one call per record (same wire format as ledger/cache/codec.py's closures)."""
    import dataclasses
    import typing
    from datetime import date

    from ledger.cache import codec
    from ledger.model import Issue, Location, Problem

    class _Codegen:
        """Writes the source of `enc_<Record>(v, P)` and `dec_<Record>(v, P)` functions."""

        def __init__(self) -> None:
            self.done: set[type] = set()
            self.source: list[str] = []
            self.names: dict[str, Any] = {
                "Location": Location, "D": date.fromordinal, "LOCD": codec._location_dec,
                "LOCE": codec._location_enc, "Where": codec.Where, "DEC": codec._decimal_dec,
            }
            self.depth = 0

        def record(self, cls: type) -> None:
            if cls in self.done:
                return
            self.done.add(cls)
            fields = dataclasses.fields(cls)
            if not all(field.init for field in fields):
                raise TypeError(f"{cls.__name__} has fields the cache cannot rebuild")
            module = vars(sys.modules[cls.__module__])
            # Module names only: in the class namespace a field called `date` hides the type.
            hints = typing.get_type_hints(cls, module, module)
            name = cls.__name__
            self.names[name] = cls
            encs = [self.enc(hints[field.name], f"v.{field.name}") for field in fields]
            decs = [self.dec(hints[field.name], f"v[{index}]")
                    for index, field in enumerate(fields)]
            self.source.append(f"def enc_{name}(v, P):\n    return [{', '.join(encs)}]\n")
            self.source.append(
                f"def dec_{name}(v, P):\n"
                f"    if len(v) != {len(fields)}:\n"
                f"        raise ValueError('{name}: wrong number of fields')\n"
                f"    return {name}({', '.join(decs)})\n")

        def _var(self) -> str:
            self.depth += 1
            return f"i{self.depth}"

        def enc(self, hint: Any, x: str) -> str:
            kind, args = self.kind(hint)
            if kind == "plain":
                return x
            if kind == "date":
                return f"{x}.toordinal()"
            if kind == "decimal":  # exact: the digits as written, never a float
                return f"str({x})"
            if kind == "location":
                return f"LOCE({x}, P)"
            if kind == "optional":
                inner = self.enc(args[0], x)
                return inner if inner == x else f"(None if {x} is None else {inner})"
            if kind == "tuple":
                var = self._var()
                return f"[{self.enc(args[0], var)} for {var} in {x}]"
            if kind == "mapping" and args[1] is Location:
                return f"Where.encode({x}, P)"
            if kind == "mapping":
                key, var = self._var(), self._var()
                return f"[[{key}, {self.enc(args[1], var)}] for {key}, {var} in {x}.items()]"
            self.record(hint)
            return f"enc_{hint.__name__}({x}, P)"

        def dec(self, hint: Any, x: str) -> str:
            kind, args = self.kind(hint)
            if kind == "plain":
                return x
            if kind == "date":
                return f"D({x})"
            if kind == "decimal":
                return f"DEC({x})"
            if kind == "location":
                return f"(Location(P, {x}[0], {x}[1]) if len({x}) == 2 else LOCD({x}, P))"
            if kind == "optional":
                inner = self.dec(args[0], x)
                return inner if inner == x else f"(None if {x} is None else {inner})"
            if kind == "tuple":
                var = self._var()
                return f"tuple([{self.dec(args[0], var)} for {var} in {x}])"
            if kind == "mapping" and args[1] is Location:
                return f"Where({x}, P)"
            if kind == "mapping":
                key, var = self._var(), self._var()
                return f"{{{key}: {self.dec(args[1], var)} for {key}, {var} in {x}}}"
            self.record(hint)
            return f"dec_{hint.__name__}({x}, P)"

        @staticmethod
        def kind(hint: Any) -> tuple[str, tuple[Any, ...]]:
            return codec._kind(hint)

    gen = _Codegen()
    gen.record(Issue)
    gen.record(Problem)
    namespace = dict(gen.names)
    exec(compile("\n".join(gen.source), "<bench generated codec>", "exec"), namespace)
    return {name: namespace[name] for name in
            ("enc_Issue", "dec_Issue", "enc_Problem", "dec_Problem")}


def child(variant: str, root: Path) -> None:
    """One warm load (and validate) with the parts as `variant` says; prints JSON."""
    from ledger.cache import codec

    generated, lazy = VARIANTS[variant]
    if not lazy:
        lazy_where = codec.Where

        def plain(raw: str, path: str) -> dict[str, Any]:
            return lazy_where(raw, path)._dict()

        plain.encode = lazy_where.encode  # type: ignore[attr-defined]
        codec.Where = plain  # type: ignore[assignment,misc]
    if generated:
        codec._CODEC.update(generated_codec())
    from datetime import date

    from ledger import cache
    from ledger.checks import validate

    start = time.perf_counter()
    loaded = cache.load(root, cache=True)
    loaded_at = time.perf_counter()
    validate(loaded, date(2021, 12, 31))
    done = time.perf_counter()
    if not lazy:
        assert all(type(issue.where) is dict for issue in loaded.ledger.issues)
    print(json.dumps({"load": loaded_at - start, "validate": done - start,
                      "issues": len(loaded.ledger.issues),
                      "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="23,1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ledger-bench")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    import run  # bench/run.py: the same generated ledgers

    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    print(f"负载(开始):{os.getloadavg()[0]:.2f}", file=sys.stderr)
    for size in (int(text) for text in args.sizes.split(",")):
        root, label = run.ledger_for(size, args.work)
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from ledger import cache; cache.load(Path(sys.argv[1]))", str(root)],
                       env=env, check=True)  # fill the cache
        results: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
        for _ in range(args.runs):
            for name in VARIANTS:  # interleaved: a busy moment hits every variant alike
                out = subprocess.run([sys.executable, __file__, "--child", name, str(root)],
                                     env=env, check=True, capture_output=True, text=True)
                results[name].append(json.loads(out.stdout))
        base = {key: statistics.median(r[key] for r in results[BASE])
                for key in ("load", "validate")}
        for name, runs in results.items():
            load = statistics.median(r["load"] for r in runs)
            full = statistics.median(r["validate"] for r in runs)
            rss = max(r["rss"] for r in runs) / 1024
            print(f"| {label} | {name} | {load:.3f}({load / base['load']:.2f} 倍) | "
                  f"{full:.3f}({full / base['validate']:.2f} 倍) | {rss:.0f} MiB |", flush=True)
    print(f"负载(结束):{os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
