"""Dataclasses whose methods are written ahead of time: `@record(frozen=True, slots=True)`.

`record` takes the arguments of `dataclasses.dataclass` that ledger uses
(`frozen`, `slots`, `order`, `eq`; fields with a default, a `default_factory`,
`repr` and `compare`) and makes the same class: `dataclasses.fields`,
`replace`, `asdict`, equality, hashing, order, `repr`, pickling and the frozen
errors behave as dataclass's do (tests/test_records.py compares every record
with the class `dataclass` makes from the same source).

Why: `dataclass` writes each class's `__init__`, `__eq__`, `__repr__` … as
source and compiles it on every start. For the 30 records every command
imports that cost 20 ms of a 106 ms `ledger list --open` (measured, bench/README.md).
Here the same methods are generated once, by `python -m ledger.ahead`, into
`ledger/core/_records.py`, and load from its .pyc: the class is put together
from functions that already exist.

A class whose shape differs from what was generated (a field added, a default
removed, an option changed), or that uses something this module does not
write (`__post_init__`, `init=False`, `kw_only`, inheritance …), is handed to
`dataclasses.dataclass` as it is: never wrong, only slower; tests fail until
the generated file is brought up to date.

Use it for the records every command imports (the model, the CLI's settings,
the cache, api, loader, query, standing, money); a class only one command
imports stays a plain dataclass, its cost paid only when that command runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["record"]

# What the generated methods depend on: the options, then per field its name, how it
# gets a value when none is given ("required", "default", "factory"), repr and compare.
FieldSpec = tuple[str, str, bool, bool]
Spec = tuple[bool, bool, bool, bool, tuple[FieldSpec, ...]]

_MISSING = dataclasses.MISSING
# What an argument left to its default factory holds (shown as <factory> in signatures).
_FACTORY = getattr(dataclasses, "_HAS_DEFAULT_FACTORY", _MISSING)
# copy.replace's hook, which dataclass adds from Python 3.13 on.
_REPLACE = getattr(dataclasses, "_replace", None)
_ORDER = ("__lt__", "__le__", "__gt__", "__ge__")
_FROZEN = ("__setattr__", "__delattr__")

# key (module.qualname) -> the class as written (name, bases, body) and its options: what
# the generator and the tests read, kept before anything here changes the class.
WRITTEN: dict[str, tuple[str, tuple[type, ...], dict[str, Any], dict[str, bool]]] = {}


def key_of(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def as_written(key: str) -> type:
    """A fresh class from a record's body as written: what `dataclass` would be given."""
    name, bases, body, _options = WRITTEN[key]
    fresh = {k: v for k, v in body.items() if k not in ("__dict__", "__weakref__")}
    made = type(name, bases, fresh)
    made.__qualname__ = key[len(body["__module__"]) + 1:]
    return made


def spec_of(cls: type, frozen: bool, slots: bool, order: bool, eq: bool) -> Spec | None:
    """What the generated methods for `cls` depend on, or None when only `dataclass` can
    make the class."""
    body = cls.__dict__
    if (not getattr(cls, "__doc__", None) or "__post_init__" in body
            or any(name in body for name in _ORDER if order)
            or any(name in body for name in _FROZEN if frozen)
            or any("__dataclass_fields__" in base.__dict__ for base in cls.__mro__[1:])
            or not hasattr(dataclasses, "_FIELD")):
        return None
    fields: list[FieldSpec] = []
    for name, hint in body.get("__annotations__", {}).items():
        if (not isinstance(hint, str) or "ClassVar" in hint or "InitVar" in hint
                or name == "self" or name.startswith("__")):
            return None
        value = body.get(name, _MISSING)
        show = compare = True
        if isinstance(value, dataclasses.Field):
            if (not value.init or value.hash is not None or value.metadata
                    or value.kw_only not in (_MISSING, False)):
                return None
            show, compare = bool(value.repr), bool(value.compare)
            how = ("factory" if value.default_factory is not _MISSING
                   else "default" if value.default is not _MISSING else "required")
            value = value.default
        else:
            how = "required" if value is _MISSING else "default"
        if how == "default" and value.__class__.__hash__ is None:
            return None  # a mutable default: dataclass refuses it, and says why
        if fields and how == "required" and fields[-1][1] != "required":
            return None  # dataclass's error: a field without a default after one with
        fields.append((name, how, show, compare))
    return frozen, slots, order, eq, tuple(fields)


def _record(cls: type | None = None, /, *, frozen: bool = False, slots: bool = False,
            order: bool = False, eq: bool = True) -> Any:
    """`dataclasses.dataclass` with these options, its methods loaded rather than compiled."""

    def wrap(cls: type) -> type:
        options = {"frozen": frozen, "slots": slots, "order": order, "eq": eq}
        WRITTEN[key_of(cls)] = (cls.__name__, cls.__bases__, dict(cls.__dict__), options)
        made = _assemble(cls, options)
        if made is None:
            return dataclasses.dataclass(cls, **options)
        return made

    return wrap if cls is None else wrap(cls)


def _assemble(cls: type, options: dict[str, bool]) -> type | None:
    try:
        from ledger.core._records import MADE
    except (ImportError, SyntaxError):  # not generated yet: `python -m ledger.ahead` writes it
        return None
    spec = spec_of(cls, **options)
    ahead = MADE.get(key_of(cls))
    if spec is None or ahead is None or ahead[0] != spec:
        return None
    slots, shape = spec[1], spec[4]
    body = dict(cls.__dict__)
    hints = body["__annotations__"] if shape else {}
    defaults: dict[str, Any] = {}
    fields: dict[str, dataclasses.Field[Any]] = {}
    for name, how, _show, _compare in shape:
        value = body.get(name, _MISSING)
        made: dataclasses.Field[Any] = (value if isinstance(value, dataclasses.Field)
                                        else dataclasses.field(default=value))
        made.name, made.type = name, hints[name]
        made.kw_only = False
        made._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        fields[name] = made
        if how != "required":
            defaults[name] = made.default if how == "default" else made.default_factory
    if slots:
        for name in (*fields, "__dict__", "__weakref__"):
            body.pop(name, None)
        body["__slots__"] = tuple(fields)
        made_cls = type(cls)(cls.__name__, cls.__bases__, body)
        made_cls.__qualname__ = cls.__qualname__
    else:
        made_cls = cls
        for name, field in fields.items():
            if isinstance(body.get(name), dataclasses.Field):  # as dataclass leaves them
                if field.default is _MISSING:
                    delattr(made_cls, name)
                else:
                    setattr(made_cls, name, field.default)
    made_cls.__dataclass_fields__ = fields  # type: ignore[attr-defined]
    maker: Callable[..., dict[str, Any]] = ahead[1]
    methods = maker(made_cls, defaults, object.__setattr__, dataclasses.FrozenInstanceError,
                    _FACTORY)
    explicit_hash = body.get("__hash__", _MISSING)
    for name, method in methods.items():
        if name == "__hash__":  # dataclass's rule: a __hash__ the class wrote stays
            own = not (explicit_hash is _MISSING or (explicit_hash is None and "__eq__" in body))
        else:  # any other method the class wrote itself stays too
            own = name in body
        if not own:
            setattr(made_cls, name, method)
    if _REPLACE is not None and "__replace__" not in body:
        made_cls.__replace__ = _REPLACE  # type: ignore[attr-defined]
    return made_cls


# ------------------------------------------------------------------------ generator

def method_source(key: str, spec: Spec) -> str:
    """The source of the function `_records.py` holds for one class: given the class,
    its defaults and helpers, it returns the methods dataclass would write."""
    frozen, slots, order, eq, shape = spec
    name = "make_" + key.replace(".", "_")
    names = [field[0] for field in shape]
    lines = [f"def {name}(__cls, __defaults, __set, __frozen, __missing):"]
    params = ["self"]
    body: list[str] = []
    for field, how, _show, _compare in shape:
        if how == "required":
            params.append(field)
            value = field
        elif how == "default":
            lines.append(f"    __dflt_{field} = __defaults[{field!r}]")
            params.append(f"{field}=__dflt_{field}")
            value = field
        else:
            lines.append(f"    __dflt_{field} = __defaults[{field!r}]")
            params.append(f"{field}=__missing")
            value = f"__dflt_{field}() if {field} is __missing else {field}"
        body.append(f"__set(self, {field!r}, {value})" if frozen else f"self.{field} = {value}")
    methods = ["__init__", "__repr__"]
    lines.append(f"    def __init__({', '.join(params)}):")
    lines += [f"        {line}" for line in body or ["pass"]]
    shown = ", ".join(f"{field}={{self.{field}!r}}" for field, _how, show, _c in shape if show)
    lines += ["    def __repr__(self):",
              f"        return f\"{{self.__class__.__qualname__}}({shown})\""]
    compared = [field for field, _how, _show, compare in shape if compare]

    def fields_of(who: str) -> str:
        return "(" + "".join(f"{who}.{field}," for field in compared) + ")"

    if eq:
        methods += ["__eq__", "__hash__"]
        lines += ["    def __eq__(self, other):",
                  "        if other.__class__ is self.__class__:",
                  f"            return {fields_of('self')} == {fields_of('other')}",
                  "        return NotImplemented"]
        if frozen:
            lines += ["    def __hash__(self):", f"        return hash({fields_of('self')})"]
        else:  # mutable and comparable: unhashable, as dataclass makes it
            lines.append("    __hash__ = None")
    if order:
        for method, operator in zip(_ORDER, ("<", "<=", ">", ">="), strict=True):
            methods.append(method)
            lines += [f"    def {method}(self, other):",
                      "        if other.__class__ is self.__class__:",
                      f"            return {fields_of('self')} {operator} {fields_of('other')}",
                      "        return NotImplemented"]
    if frozen:
        methods += list(_FROZEN)
        lines += ["    def __setattr__(self, name, value):",
                  f"        if type(self) is __cls or name in {tuple(names)!r}:",
                  "            raise __frozen(f'cannot assign to field {name!r}')",
                  "        super(__cls, self).__setattr__(name, value)",
                  "    def __delattr__(self, name):",
                  f"        if type(self) is __cls or name in {tuple(names)!r}:",
                  "            raise __frozen(f'cannot delete field {name!r}')",
                  "        super(__cls, self).__delattr__(name)"]
    if slots and frozen:  # pickling a frozen class with slots, as dataclass writes it
        methods += ["__getstate__", "__setstate__"]
        lines += ["    def __getstate__(self):",
                  "        return [" + "".join(f"self.{field}, " for field in names).rstrip(", ")
                  + "]",
                  "    def __setstate__(self, state):",
                  f"        for name, value in zip({tuple(names)!r}, state):",
                  "            __set(self, name, value)"]
    entries = ", ".join(f"{method!r}: {method}" for method in methods)
    lines.append(f"    return {{{entries}, '__match_args__': {tuple(names)!r}}}")
    return "\n".join(lines) + "\n"


if TYPE_CHECKING:  # mypy checks every record as the dataclass it is
    from dataclasses import dataclass as record
else:
    record = _record
