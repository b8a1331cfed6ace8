"""What the cache's generated encoders and decoders call, and JSON without `json`.

The functions `codec` generates (or loads from `_codec_ahead.py`) build records
through these: dates from day ordinals, shared tuples, amounts, locations and
the lazily decoded `Where`. `loads` and `written_name` are the two JSON operations
every start needs, done with the C functions `json` itself calls: importing
`json` compiles its regular expressions, about 1 ms of every run.

What it does not do: know any record's fields (codec.py).
"""

from __future__ import annotations

import _json
import sys
import typing
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.core.model import Location


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


def decimal_dec(value: Any) -> Decimal:
    """An amount back from its text; anything else (a JSON number) is a malformed entry."""
    if not isinstance(value, str):
        raise ValueError("amount: expected text")
    return Decimal(value)


def location_enc(value: Location, path: str) -> list[Any]:
    if value.path == path:
        return [value.line, value.col]
    return [value.line, value.col, value.path]


def location_dec(value: list[Any], path: str) -> Location:
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
        import json

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
                flat = loads(raw[1:])
                self._map = {keys.setdefault(flat[i], flat[i]):
                             Location(flat[i + 3], flat[i + 1], flat[i + 2])
                             for i in range(0, len(flat), 4)}
            else:
                flat = loads(raw)
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
            needle = self._needles[key] = _json.encode_basestring(key) + ","
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


def loads(text: str | bytes) -> Any:
    """`json.loads` for one value, without its per-call detours (finding the encoding,
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


def written_name(relpath: str) -> bytes:
    """A relpath as the cache files write it: `json.dumps(relpath)` (every non-ASCII and
    control character escaped, by the C function json.dumps calls), quickly for the
    usual names."""
    if relpath.isascii() and relpath.isprintable() and '"' not in relpath \
            and "\\" not in relpath:
        return b'"' + relpath.encode() + b'"'
    return str(_json.encode_basestring_ascii(relpath)).encode()


def _no_constant(name: str) -> Any:
    raise ValueError(f"not a cache value: {name}")


class _Strict:
    """What the C scanner reads of a `json.JSONDecoder` (without importing json.decoder,
    whose regular expressions cost about 2 ms of every start): plain JSON, and NaN or
    Infinity refused rather than read as a float."""

    strict = True
    object_hook = object_pairs_hook = None
    parse_float, parse_int, parse_constant = float, int, staticmethod(_no_constant)


_SCAN = _json.make_scanner(_Strict())  # type: ignore[arg-type]


# The helpers generated functions call, by the names they use.
HELPERS: dict[str, Any] = {
    "D": _Days().__getitem__, "INTERN": sys.intern, "LOCD": location_dec,
    "LOCE": location_enc, "Where": Where, "DEC": decimal_dec, "TNEW": tuple.__new__,
    "SAME": _Same().__getitem__,
}
