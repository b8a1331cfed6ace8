"""Records to JSON lines and back: the cache's codec.

`encode(relpath, result)` turns one problem file's parse result (an Issue or
None, and its problems) into one line of JSON; `decode` is its inverse and
raises ValueError (or TypeError, IndexError …) on anything malformed, so a
bad entry is parsed afresh rather than trusted. Reading never runs code:
`json.loads` only.

What it does not do: read or write files (store.py), or decide what a file
means (the loader).
"""

from __future__ import annotations

import dataclasses
import json
import json.scanner
import sys
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.core.model import BRIEF_SHARED, Brief, Header, Issue, Location, Problem

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
        self.names: dict[str, Any] = {
            "Location": Location, "D": _Days().__getitem__, "INTERN": sys.intern,
            "LOCD": _location_dec, "LOCE": _location_enc, "Where": Where, "DEC": _decimal_dec,
            "TNEW": tuple.__new__, "SAME": _Same().__getitem__,
        }
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


class _Days(dict[int, date]):
    """Day ordinals to dates, each date made once per process: a ledger's dates are a few
    hundred distinct days, repeated across 100,000 records."""

    def __missing__(self, ordinal: int) -> date:
        day = self[ordinal] = date.fromordinal(ordinal)
        return day


class _Same(dict[tuple[Any, ...], tuple[Any, ...]]):
    """Equal tuples of plain values as one object (open measures (1, 2, 3), co-units …)."""

    def __missing__(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        self[key] = key
        return key


def _is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _decimal_dec(value: Any) -> Decimal:
    """An amount back from its text; anything else (a JSON number) is a malformed entry."""
    if not isinstance(value, str):
        raise ValueError("amount: expected text")
    return Decimal(value)


def _location_enc(value: Location, path: str) -> list[Any]:
    if value.path == path:
        return [value.line, value.col]
    return [value.line, value.col, value.path]


def _location_dec(value: list[Any], path: str) -> Location:
    if len(value) == 2:
        return Location(path, value[0], value[1])
    return Location(value[2], value[0], value[1])


class Where(Mapping[str, Location]):
    """A record's field locations as read from the cache, decoded on first use.

    Most commands never look at them (`list` does not), and they are most of
    what a record holds: 30 locations for a typical problem. Until then they
    stay one compact string. Equal to the dict the loader builds, and read the
    same way (`get`, `[]`, `in`, iteration).
    """

    __slots__ = ("_map", "_path", "_raw")

    _keys: typing.ClassVar[dict[str, str]] = {}  # one string per key path in the process
    _needles: typing.ClassVar[dict[str, str]] = {}  # a key as _find looks for it

    def __init__(self, raw: str, path: str) -> None:
        if not isinstance(raw, str):
            raise ValueError("locations: expected text")
        self._raw: str | None = raw
        self._path = path
        self._map: dict[str, Location] | None = None

    @staticmethod
    def encode(where: Mapping[str, Location], path: str) -> str:
        """JSON of key, line, col triples; quads with the path if any location is elsewhere."""
        flat: list[Any] = []
        if all(loc.path == path for loc in where.values()):
            for key, loc in where.items():
                flat += (key, loc.line, loc.col)
            return json.dumps(flat, ensure_ascii=False, separators=(",", ":"))
        for key, loc in where.items():
            flat += (key, loc.line, loc.col, loc.path)
        return "4" + json.dumps(flat, ensure_ascii=False, separators=(",", ":"))

    def _dict(self) -> dict[str, Location]:
        if self._map is None:
            raw, keys, path = self._raw or "[]", self._keys, self._path
            if raw.startswith("4"):
                flat = json.loads(raw[1:])
                self._map = {keys.setdefault(flat[i], flat[i]):
                             Location(flat[i + 3], flat[i + 1], flat[i + 2])
                             for i in range(0, len(flat), 4)}
            else:
                flat = json.loads(raw)
                self._map = {keys.setdefault(flat[i], flat[i]):
                             Location(path, flat[i + 1], flat[i + 2])
                             for i in range(0, len(flat), 3)}
            self._raw = None
        return self._map

    def _find(self, key: object) -> Location | None:
        """One location straight from the text, for the usual single lookup.

        In the triple form the only strings are the keys, so `"key",` found at
        the start of a list item (after `[` or `,`) is that key's entry; an
        escaped quote inside another key is preceded by a backslash instead.
        """
        raw = self._raw
        if raw is None or raw.startswith("4") or not isinstance(key, str):
            loc = self._dict().get(key) if isinstance(key, str) else None
            return loc
        needle = self._needles.get(key)
        if needle is None:
            needle = self._needles[key] = json.dumps(key, ensure_ascii=False) + ","
        start = raw.find(needle)
        while start > 0 and raw[start - 1] not in "[,":
            start = raw.find(needle, start + 1)
        if start <= 0:
            return None
        first = start + len(needle)
        comma = raw.index(",", first)
        end = raw.find(",", comma + 1)
        last = raw[comma + 1: end if end >= 0 else len(raw) - 1]
        return Location(self._path, int(raw[first:comma]), int(last))

    def __getitem__(self, key: str) -> Location:
        loc = self._find(key)
        if loc is None:
            raise KeyError(key)
        return loc

    def get(self, key: str, default: Any = None) -> Any:
        loc = self._find(key)
        return default if loc is None else loc

    def __contains__(self, key: object) -> bool:
        return self._find(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Where):
            return self._dict() == other._dict()
        return self._dict() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._dict())


_CODEC: dict[str, Any] = {}
_GEN: list[_Codegen] = []
# The records an entry starts from; the functions of the records inside them follow.
_ROOTS = {"Issue": Issue, "Problem": Problem, "Header": Header, "Brief": Brief}
_COMPILED = {"enc": 0, "dec": 0}  # how many generated sources of each half are compiled


def _fn(name: str) -> Any:
    """A generated function (`enc_Issue`, `dec_Problem` …), built on first use: only the
    records it needs are generated, and only the half asked for (encoders or decoders)
    is compiled. A warm `list` decodes briefs, headers and problems only: it never
    generates or compiles the functions of whole records (measured: about 4 ms of
    its start-up)."""
    found = _CODEC.get(name)
    if found is None:
        if not _GEN:
            _GEN.append(_Codegen())
        gen = _GEN[0]
        part = name[:3]
        gen.record(_ROOTS[name[4:]])
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
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()


def _decode(relpath: str, text: str | bytes, decoder: str) -> tuple[Any, list[Problem]]:
    """The inverse of `_encode`; raises ValueError (or TypeError …) on anything malformed."""
    dec_problem = _fn("dec_Problem")
    plain = _loads(text)
    if not isinstance(plain, list) or len(plain) != 2 or not isinstance(plain[1], list):
        raise ValueError("not a cache entry")
    record = None if plain[0] is None else _fn(decoder)(plain[0], relpath)
    return record, [dec_problem(item, relpath) for item in plain[1]]


def _loads(text: str | bytes) -> Any:
    """`json.loads` for one entry, without its per-call detours (finding the encoding,
    the wrappers): a warm run at 100,000 problems makes 100,000 calls."""
    if isinstance(text, bytes):
        text = text.decode()
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        raise ValueError("not JSON") from None
    if end != len(text):
        raise ValueError("not one JSON value")
    return value


_SCAN = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


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
