"""Records to JSON lines and back: the cache's codec.

`encode(relpath, result)` turns one problem file's parse result (an Issue or
None, and its problems) into one line of JSON; `decode` is its inverse and
raises ValueError (or TypeError, IndexError …) on anything malformed, so a
bad entry is parsed afresh rather than trusted. Reading never runs code:
the JSON scanner only.

What it does not do: read or write files (store.py), or decide what a file
means (the loader).
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.core.model import BRIEF_SHARED, Brief, Header, Issue, Location, Problem

from .values import HELPERS, loads

Result = tuple[Issue | None, list[Problem]]
# A problem file as the briefs file holds it: its Brief (None when unreadable) and problems.
BriefResult = tuple[Brief | None, Sequence[Problem]]
# data/ledger.yaml's parse: the header (None when it is not one) and its problems.
HeaderResult = tuple[Header | None, list[Problem]]

# ---------------------------------------------------------------- plain data codec
#
# Records become nested JSON lists, one value per dataclass field in field order.
# The encoder and decoder of each record class are generated once per process from
# the model's type hints, so a field added to the model is never silently dropped,
# and decoding costs one call per record rather than one per field (at 100,000
# problems the decoder builds millions of records; bench/cache_parts.py measured
# closures built from the same hints 1.2x slower to decode, and a warm load 1.13x
# slower at 100,000 problems, no slower at 10,000). The generated source comes from
# the model's annotations only, never from cache data. Locations drop their path
# (always the entry's relpath) unless it differs; dates are day ordinals.


class _Codegen:
    """Writes the source of `enc_<Record>(v, P)` and `dec_<Record>(v, P)` functions."""

    def __init__(self) -> None:
        self.done: set[type] = set()
        self.source: dict[str, list[str]] = {"enc": [], "dec": []}
        self.names: dict[str, Any] = {"Location": Location, **HELPERS}
        self.depth = 0

    def record(self, cls: type) -> None:
        if cls in self.done:
            return
        self.done.add(cls)
        if _is_named_tuple(cls):
            names = list(cls._fields)  # type: ignore[attr-defined]
            build = f"TNEW({cls.__name__}, ({{}},))"  # one call, not one per field
        else:
            fields = dataclasses.fields(cls)
            if not all(field.init for field in fields):
                raise TypeError(f"{cls.__name__} has fields the cache cannot rebuild")
            names = [field.name for field in fields]
            build = f"{cls.__name__}({{}})"
        module = vars(sys.modules[cls.__module__])
        # Module names only: in the class namespace a field called `date` hides the type.
        hints = typing.get_type_hints(cls, module, module)
        name = cls.__name__
        self.names[name] = cls
        shared = BRIEF_SHARED if cls is Brief else ()
        encs = [self.enc(hints[field], f"v.{field}") for field in names]
        decs = [self.dec(hints[field], f"v[{index}]") for index, field in enumerate(names)]
        for index, field in enumerate(names):
            if hints[field] is str and field == "path":  # the entry's own, as a rule
                decs[index] = f"(P if v[{index}] == P else v[{index}])"
            elif hints[field] is str and field in shared:  # few values, many records
                decs[index] = f"INTERN(v[{index}])"
        self.source["enc"].append(f"def enc_{name}(v, P):\n    return [{', '.join(encs)}]\n")
        made = build.format(", ".join(decs))
        if all(self.kind(hints[field])[0] in ("plain", "date", "optional")
               and self.dec(hints[field], "x") in ("x", "D(x)", "(None if x is None else D(x))")
               for field in names):
            # A value (no place in it, plain fields: a Deadline): equal ones are one object.
            self.names[f"SHARE_{name}"] = {}
            made = (f"SHARE_{name}.get(KEY) or SHARE_{name}.setdefault(KEY, {made})"
                    .replace("KEY", f"({', '.join(f'v[{i}]' for i in range(len(names)))},)"))
        self.source["dec"].append(
            f"def dec_{name}(v, P):\n"
            f"    if len(v) != {len(names)}:\n"
            f"        raise ValueError('{name}: wrong number of fields')\n"
            f"    return {made}\n")

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
            item = self.dec(args[0], var)
            if item == var:  # plain values: the list as it is, equal ones one object
                return f"(() if {x} == [] else SAME(tuple({x})))"
            return f"(() if {x} == [] else tuple([{item} for {var} in {x}]))"
        if kind == "mapping" and args[1] is Location:
            return f"Where({x}, P)"
        if kind == "mapping":
            key, var = self._var(), self._var()
            return f"{{{key}: {self.dec(args[1], var)} for {key}, {var} in {x}}}"
        self.record(hint)
        return f"dec_{hint.__name__}({x}, P)"

    @staticmethod
    def kind(hint: Any) -> tuple[str, tuple[Any, ...]]:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if hint is Location:
            return "location", ()
        if hint in (str, int, bool):
            return "plain", ()
        if hint is date:
            return "date", ()
        if hint is Decimal:
            return "decimal", ()
        if origin is typing.Literal and all(isinstance(arg, str) for arg in args):
            return "plain", ()
        if origin in (typing.Union, types.UnionType) and type(None) in args and len(args) == 2:
            return "optional", tuple(arg for arg in args if arg is not type(None))
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return "tuple", args[:1]
        if origin in (Mapping, dict) and len(args) == 2 and args[0] is str:
            return "mapping", args
        if isinstance(hint, type) and (dataclasses.is_dataclass(hint) or _is_named_tuple(hint)):
            return "record", ()
        raise TypeError(f"the cache cannot store {hint!r}")


def _is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


_CODEC: dict[str, Any] = {}
_GEN: list[_Codegen] = []
# The records an entry starts from; the functions of the records inside them follow.
ROOTS = {"Issue": Issue, "Problem": Problem, "Header": Header, "Brief": Brief}
_COMPILED = {"enc": 0, "dec": 0}  # how many generated sources of each half are compiled


def generated_source() -> tuple[str, str, list[type], list[str]]:
    """Every encoder and every decoder, as `python -m ledger.ahead` writes them into
    `_codec_ahead.py`, the records they build and the names of their shared-value tables."""
    gen = _Codegen()
    for root in ROOTS.values():
        gen.record(root)
    classes = [value for name, value in gen.names.items()
               if isinstance(value, type) and name not in HELPERS]
    shares = sorted(name for name in gen.names if name.startswith("SHARE_"))
    return "\n".join(gen.source["enc"]), "\n".join(gen.source["dec"]), classes, shares


def shape(classes: Sequence[type]) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    """The records' fields as written (names and annotations): what the functions in
    `_codec_ahead.py` were generated from, read without resolving a type."""
    return tuple((cls.__name__, tuple((name, getattr(hint, "__forward_arg__", hint))
                                      for name, hint in cls.__annotations__.items()))
                 for cls in classes)


def _ahead() -> dict[str, Any]:
    """The functions written ahead in `_codec_ahead.py`, loaded from its .pyc; none when
    the records have changed since it was written (then `_fn` generates them)."""
    from ledger.cache import _codec_ahead as ahead

    if shape(ahead.CLASSES) != ahead.SHAPE:
        return {}
    return {name: value for name, value in vars(ahead).items()
            if name.startswith(("enc_", "dec_"))}


def _fn(name: str) -> Any:
    """A generated function (`enc_Issue`, `dec_Problem` …): written ahead, or built on
    first use when the records have changed since (then only the records it needs are
    generated, and only the half asked for, encoders or decoders, is compiled)."""
    found = _CODEC.get(name)
    if found is None:
        if not _CODEC and not _GEN:
            _CODEC.update(_ahead())
            if name in _CODEC:
                return _CODEC[name]
        if not _GEN:
            _GEN.append(_Codegen())
        gen = _GEN[0]
        part = name[:3]
        gen.record(ROOTS[name[4:]])
        gen.record(Problem)  # every entry holds its file's problems
        sources = gen.source[part][_COMPILED[part]:]
        _COMPILED[part] += len(sources)
        namespace = {**gen.names, **_CODEC}  # functions compiled before, called by name
        exec(compile("\n".join(sources), f"<ledger.cache.codec {part}>", "exec"), namespace)
        for key, value in namespace.items():
            _CODEC.setdefault(key, value)
        found = _CODEC[name]
    return found


def _encode(relpath: str, record: object, problems: Sequence[Problem], encoder: str) -> bytes:
    """A record (or None) and its file's problems as a line of JSON in UTF-8 (no newline)."""
    enc_problem = _fn("enc_Problem")
    plain = [None if record is None else _fn(encoder)(record, relpath),
             [enc_problem(problem, relpath) for problem in problems]]
    import json

    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()


def _decode(relpath: str, text: str | bytes, decoder: str) -> tuple[Any, list[Problem]]:
    """The inverse of `_encode`; raises ValueError (or TypeError …) on anything malformed."""
    dec_problem = _fn("dec_Problem")
    plain = loads(text)
    if not isinstance(plain, list) or len(plain) != 2 or not isinstance(plain[1], list):
        raise ValueError("not a cache entry")
    record = None if plain[0] is None else _fn(decoder)(plain[0], relpath)
    return record, [dec_problem(item, relpath) for item in plain[1]]


def encode(relpath: str, result: Result) -> bytes:
    """One problem file's parse result as a line of JSON in UTF-8 (no newline)."""
    return _encode(relpath, result[0], result[1], "enc_Issue")


def decode(relpath: str, text: str | bytes) -> Result:
    """The inverse of `encode`; raises ValueError (or TypeError …) on anything malformed."""
    issue, problems = _decode(relpath, text, "dec_Issue")
    return issue, problems


def encode_header(relpath: str, result: HeaderResult) -> bytes:
    """The header's parse (data/ledger.yaml) as a line of JSON, like `encode`."""
    return _encode(relpath, result[0], result[1], "enc_Header")


def decode_header(relpath: str, text: str | bytes) -> HeaderResult:
    """The inverse of `encode_header`; raises like `decode`."""
    header, problems = _decode(relpath, text, "dec_Header")
    return header, problems


def encode_brief(relpath: str, result: BriefResult) -> bytes:
    """A problem file's brief and problems as a line of JSON, like `encode`."""
    return _encode(relpath, result[0], result[1], "enc_Brief")


def brief_line_of(relpath: str, result: Result) -> tuple[BriefResult, bytes]:
    """A problem file's parse as the briefs file holds it: its brief (`Issue.brief`) and
    problems, and that as a line."""
    issue, problems = result
    briefed: BriefResult = (issue.brief() if issue is not None else None, problems)
    return briefed, encode_brief(relpath, briefed)


def decode_brief(relpath: str, text: str | bytes) -> BriefResult:
    """The inverse of `encode_brief`; raises like `decode`."""
    brief, problems = _decode(relpath, text, "dec_Brief")
    return brief, tuple(problems) if problems else ()  # () is one object
