"""Records made by `@record` are the classes `dataclass` makes, and the code written ahead
is current (issue 15: start-up).

Every `@record` class is compared with the class `dataclasses.dataclass` makes from the
same body: fields, methods present, the `__init__` signature, repr, equality, hashing,
order, the frozen errors, `replace`, `asdict` and pickling. Then: the files
`python -m ledger.ahead` writes are what it would write now, and a class or a codec
whose shape differs from what was written falls back to generating, rather than
using stale code.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
import sys
from typing import Any

import pytest

from ledger import ahead
from ledger.cache import _codec_ahead, codec
from ledger.core import _records, record

ahead._import_all()
KEYS = sorted(record.WRITTEN)


def live(key: str) -> type:
    module, _, qualname = key.rpartition(".")
    while module not in sys.modules:  # a nested class: module.Outer.Inner
        module, _, outer = module.rpartition(".")
        qualname = f"{outer}.{qualname}"
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    assert isinstance(found, type)
    return found


def reference(key: str) -> type:
    return dataclasses.dataclass(record.as_written(key), **record.WRITTEN[key][3])


def field_facts(cls: type) -> list[tuple[Any, ...]]:
    return [(f.name, f.type, f.default, f.default_factory, f.repr, f.compare, f.hash, f.init,
             f.kw_only) for f in dataclasses.fields(cls)]


def samples(cls: type, base: int) -> dict[str, Any]:
    """A value per field, distinct, orderable and hashable: enough to tell the methods
    apart, since none of them looks at a value's type."""
    return {field.name: base + index for index, field in enumerate(dataclasses.fields(cls))}


def test_the_code_written_ahead_is_current() -> None:
    """After changing a record or the codec's rules, run `python -m ledger.ahead`."""
    assert ahead.RECORDS_FILE.read_text(encoding="utf-8") == ahead.records_source()
    assert ahead.CODEC_FILE.read_text(encoding="utf-8") == ahead.codec_source()
    assert ahead.main(["--check"]) == 0


def test_the_records_every_command_imports_are_made_from_the_code_written_ahead() -> None:
    """None fell back to `dataclass`, which compiles its methods at every start (a class
    `dataclass` made has `__dataclass_params__`; one made here does not)."""
    assert len(KEYS) >= 30
    assert sorted(_records.MADE) == KEYS
    fell_back = [key for key in KEYS if hasattr(live(key), "__dataclass_params__")]
    assert fell_back == []


@pytest.mark.parametrize("key", KEYS)
def test_a_record_is_the_class_dataclass_makes(key: str) -> None:
    made, ref = live(key), reference(key)
    options = record.WRITTEN[key][3]
    assert field_facts(made) == field_facts(ref)
    # Python 3.10's dataclass left a stale __weakref__ in a slotted class; 3.11 drops it.
    assert (set(vars(made)) - {"__weakref__"}
            == set(vars(ref)) - {"__dataclass_params__", "__weakref__"})
    assert ("__weakref__" in vars(made)) == ("__slots__" not in vars(made))
    for name in ("__slots__", "__match_args__", "__doc__", "__qualname__", "__module__"):
        assert getattr(made, name, None) == getattr(ref, name, None), name
    assert ([(p.name, p.default, p.kind) for p in inspect.signature(made).parameters.values()]
            == [(p.name, p.default, p.kind) for p in inspect.signature(ref).parameters.values()])
    assert (made.__hash__ is None) == (ref.__hash__ is None)

    one, two = samples(made, 1), samples(made, 2)
    a, b, a_ref, b_ref = made(**one), made(**two), ref(**one), ref(**two)
    assert repr(a) == repr(a_ref)
    assert (a == made(**one), a == b, a != made(**one)) == (True, False, False)
    assert a.__eq__(a_ref) is NotImplemented  # another class is never equal
    for name in one:  # each field compared, or not, as dataclass compares it
        changed = {**one, name: -1}
        assert (a == made(**changed)) == (a_ref == ref(**changed))
    if made.__hash__ is not None:
        assert hash(a) == hash(a_ref) == hash(made(**one))
    if options["order"]:
        assert ((a < b, a <= b, a > b, a >= b)
                == (a_ref < b_ref, a_ref <= b_ref, a_ref > b_ref, a_ref >= b_ref)
                == (True, True, False, False))
    first = dataclasses.fields(made)[0].name
    if options["frozen"]:
        for obj in (a, a_ref):
            with pytest.raises(dataclasses.FrozenInstanceError,
                               match=f"cannot assign to field '{first}'"):
                setattr(obj, first, 0)
            with pytest.raises(dataclasses.FrozenInstanceError,
                               match=f"cannot delete field '{first}'"):
                delattr(obj, first)
    assert dataclasses.replace(a, **{first: 99}) == made(**{**one, first: 99})
    assert dataclasses.asdict(a) == dataclasses.asdict(a_ref) == one
    if "<locals>" not in key:
        assert pickle.loads(pickle.dumps(a)) == a


@pytest.mark.parametrize("key", [key for key in KEYS if any(
    how != "required" for _name, how, _s, _c in _records.MADE[key][0][4])])
def test_defaults_and_factories_are_dataclass_s(key: str) -> None:
    made, ref = live(key), reference(key)
    required = {f.name: index for index, f in enumerate(dataclasses.fields(made))
                if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING}
    one, other = made(**required), made(**required)
    assert dataclasses.asdict(one) == dataclasses.asdict(ref(**required))
    slots = "__slots__" in vars(made)
    for f in dataclasses.fields(made):
        if f.default_factory is not dataclasses.MISSING and isinstance(
                getattr(one, f.name), (list, dict, set)):  # a fresh value per instance
            assert getattr(one, f.name) is not getattr(other, f.name)
        # What the class itself keeps: the default, nothing for a factory, a slot.
        assert (f.name in vars(made)) == (f.name in vars(ref))
        if not slots and f.name in vars(ref):
            assert vars(made)[f.name] == vars(ref)[f.name]


def test_a_record_unlike_what_was_written_is_made_by_dataclass(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A field added without regenerating: the class is still right, only slower."""
    key = "ledger.core.model.Location"
    spec, maker = _records.MADE[key]
    monkeypatch.setitem(_records.MADE, key, ((*spec[:4], spec[4][:2]), maker))

    class Location:
        """A stand-in with the real one's name and fields: the code written knows two."""

        path: str
        line: int = 0
        col: int = 0

    Location.__module__, Location.__qualname__ = "ledger.core.model", "Location"
    monkeypatch.setitem(record.WRITTEN, key, record.WRITTEN[key])  # restored afterwards
    made: Any = record.record(frozen=True, slots=True, order=True)(Location)
    assert hasattr(made, "__dataclass_params__")  # dataclass made it
    assert [f.name for f in dataclasses.fields(made)] == ["path", "line", "col"]
    assert made("a", 1, 2) < made("a", 1, 3)


def test_what_record_cannot_write_is_left_to_dataclass() -> None:
    @record.record(frozen=True)
    class Later:
        """A class with a __post_init__, which the written methods do not call."""

        value: int

        def __post_init__(self) -> None:
            object.__setattr__(self, "value", self.value * 2)

    assert Later(2).value == 4
    assert hasattr(Later, "__dataclass_params__")


def test_the_codec_loads_its_functions_written_ahead() -> None:
    found = codec._ahead()
    assert {f"{half}_{root}" for half in ("enc", "dec") for root in codec.ROOTS} <= set(found)
    assert found["dec_Problem"] is _codec_ahead.dec_Problem


def test_a_codec_written_for_other_records_is_not_used(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    changed = (("Location", (("path", "str"),)), *_codec_ahead.SHAPE[1:])
    monkeypatch.setattr(_codec_ahead, "SHAPE", changed)
    assert codec._ahead() == {}
