"""Do the cache codec's two parts earn their keep? Warm loads with each on and off.

The parts (ledger/cache/codec.py):
- the code generator: per record class, `exec`-built functions that encode and
  decode a record in one call; off = the same wire format through closures
  built from the type hints (one call per converted field, `closure_codec`);
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
    "codegen + lazy where (shipped)": (True, True),
    "closures + lazy where": (False, True),
    "codegen + plain dict": (True, False),
    "closures + plain dict": (False, False),
}
BASE = "codegen + lazy where (shipped)"


def closure_codec() -> dict[str, Any]:
    """The same wire format without generated source: closures built from the type hints,
    one call per converted field (the alternative measured against the code generator)."""
    import dataclasses
    import typing
    from collections.abc import Callable
    from datetime import date

    from ledger.cache import codec, values
    from ledger.core.model import Issue, Location, Problem

    Enc = Callable[[Any, str], Any]
    Dec = Callable[[Any, str], Any]


    def _converters(hint: Any) -> tuple[Enc, Dec] | None:
        """How a value of type `hint` goes to JSON and back; None when it is JSON already."""
        what, args = codec._Codegen.kind(hint)
        if what == "plain":
            return None
        if what == "date":
            return (lambda v, p: v.toordinal()), (lambda v, p: date.fromordinal(v))
        if what == "decimal":  # exact: the digits as written, never a float
            return (lambda v, p: str(v)), (lambda v, p: values.decimal_dec(v))
        if what == "location":
            return values.location_enc, values.location_dec
        if what == "optional":
            inner = _converters(args[0])
            if inner is None:
                return None
            enc, dec = inner
            return ((lambda v, p: None if v is None else enc(v, p)),
                    (lambda v, p: None if v is None else dec(v, p)))
        if what == "tuple":
            inner = _converters(args[0])
            if inner is None:
                return (lambda v, p: list(v)), (lambda v, p: tuple(v))
            enc, dec = inner
            return ((lambda v, p: [enc(x, p) for x in v]),
                    (lambda v, p: tuple([dec(x, p) for x in v])))
        if what == "mapping" and args[1] is Location:
            return values.Where.encode, values.Where
        if what == "mapping":
            inner = _converters(args[1])
            if inner is None:
                return (lambda v, p: [[k, x] for k, x in v.items()]), (lambda v, p: dict(v))
            enc, dec = inner
            return ((lambda v, p: [[k, enc(x, p)] for k, x in v.items()]),
                    (lambda v, p: {k: dec(x, p) for k, x in v}))
        return _record(hint)


    _RECORDS: dict[type, tuple[Enc, Dec]] = {}


    def _record(cls: type) -> tuple[Enc, Dec]:
        """The encoder and decoder of a record class (a dataclass of the model)."""
        if cls in _RECORDS:
            return _RECORDS[cls]
        fields = dataclasses.fields(cls)
        if not all(field.init for field in fields):
            raise TypeError(f"{cls.__name__} has fields the cache cannot rebuild")
        module = vars(sys.modules[cls.__module__])
        # Module names only: in the class namespace a field called `date` hides the type.
        hints = typing.get_type_hints(cls, module, module)
        names = tuple(field.name for field in fields)
        count = len(names)
        # Filled below; a record type nested in itself would find these while being built.
        _RECORDS[cls] = (lambda v, p: encode_record(v, p)), (lambda v, p: decode_record(v, p))
        plans = [_converters(hints[name]) for name in names]
        encoders = tuple(None if plan is None else plan[0] for plan in plans)
        decoders = tuple(None if plan is None else plan[1] for plan in plans)

        def encode_record(value: Any, path: str) -> list[Any]:
            return [getattr(value, name) if enc is None else enc(getattr(value, name), path)
                    for name, enc in zip(names, encoders, strict=True)]

        def decode_record(value: Any, path: str) -> Any:
            if not isinstance(value, list) or len(value) != count:
                raise ValueError(f"{cls.__name__}: wrong number of fields")
            return cls(*[item if dec is None else dec(item, path)
                         for item, dec in zip(value, decoders, strict=True)])

        _RECORDS[cls] = (encode_record, decode_record)
        return _RECORDS[cls]

    out: dict[str, Any] = {}
    for cls in (Issue, Problem):
        enc, dec = _record(cls)
        out[f"enc_{cls.__name__}"], out[f"dec_{cls.__name__}"] = enc, dec
    return out


def child(variant: str, root: Path) -> None:
    """One warm load (and validate) with the parts as `variant` says; prints JSON."""
    from ledger.cache import codec, values

    generated, lazy = VARIANTS[variant]
    if not lazy:
        lazy_where = values.Where

        def plain(raw: str, path: str) -> dict[str, Any]:
            return lazy_where(raw, path)._dict()

        plain.encode = lazy_where.encode  # type: ignore[attr-defined]
        values.HELPERS["Where"] = plain  # what the generated decoders call
    if not generated:
        codec._CODEC.update(closure_codec())
    from datetime import date

    from ledger import cache
    from ledger.validate.rules import validate

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
        order = list(VARIANTS)
        for run_index in range(args.runs):
            # Interleaved, so a busy moment hits every variant alike, and rotated: the first
            # run of a round was seen slower (and larger) whichever variant it was.
            shift = run_index % len(order)
            for name in order[shift:] + order[:shift]:
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
