"""``upgrade``, ``downgrade`` and ``convert``: the migrations between versions (docs/shims.md).

A package's ``shims.py`` holds its migrations as data, the same table the TypeScript package
holds: ``(message, from version, to version) -> steps``, each step ``(kind, field, arg)``.
``Shims`` runs them hop by hop between adjacent live versions, each step on the data as
JSON, then decodes the result as the version it reached (unknown fields dropped, defaults
filled, validated).
"""

from __future__ import annotations

import copy
import decimal
import fractions
import importlib
import itertools
import json
import math
import re
import typing as _t
from collections.abc import Mapping, Sequence

import pydantic as _p

from ._codec import Codec, E, into_data
from ._json import DecodeError, json_equal, jsonable
from ._numbers import carried, es_number

Data = dict[str, _t.Any]
Step = tuple[str, str, _t.Any]  # (kind, field, arg), as docs/shims.md lists the kinds
Hops = Mapping[tuple[str, int, int], Sequence[Step]]


class Shims(_t.Generic[E]):
    """The migrations of one registry: ``hops`` from its table, ``customs`` the users'
    ``module:function`` that its ``custom`` steps name by index."""

    __slots__ = ("_codec", "_customs", "_hops")

    def __init__(self, codec: Codec[E], hops: Hops, customs: Sequence[str] = ()) -> None:
        self._codec = codec
        self._hops = hops
        self._customs = tuple(customs)

    def upgrade(self, msg: E | _p.BaseModel, to: int | None = None) -> E:
        """The message at version ``to`` (default: the latest), one hop at a time."""
        framed = self._codec.framed(msg)
        live = list(self._codec.messages[framed.type])
        target = live[-1] if to is None else to
        self._codec.live(framed.type, target)
        if target < framed.v:
            raise ValueError(
                f"cannot upgrade {framed.type} from v{framed.v} to v{target}; use downgrade"
            )
        return self._walk(framed, live[live.index(framed.v) : live.index(target) + 1])

    def downgrade(self, msg: E | _p.BaseModel, to: int) -> E:
        """The message at the older version ``to``, one hop at a time."""
        framed = self._codec.framed(msg)
        live = list(self._codec.messages[framed.type])
        self._codec.live(framed.type, to)
        if to > framed.v:
            raise ValueError(
                f"cannot downgrade {framed.type} from v{framed.v} to v{to}; use upgrade"
            )
        return self._walk(framed, live[live.index(to) : live.index(framed.v) + 1][::-1])

    def convert(self, name: str, data: _t.Any, from_v: int, to_v: int) -> _p.BaseModel:
        """``data`` (a JSON value, or a model) of ``name`` v``from_v`` as the model of
        v``to_v``, up or down, re-validated after every hop; ``DecodeError`` with paths into
        the data, ``ValueError`` for a version that is not live."""
        self._codec.live(name, to_v)
        model = self._codec.decode_data(name, from_v, data)
        framed = self._codec.envelope(model, id="-")
        try:
            moved = self.upgrade(framed, to_v) if to_v >= from_v else self.downgrade(framed, to_v)
        except DecodeError as exc:
            raise DecodeError([into_data(e) for e in exc.errors]) from None
        return _t.cast(_p.BaseModel, moved.data)

    def _walk(self, framed: E, path: list[int]) -> E:
        current = _revalidate(self._codec, _plain(framed), path[0])
        for source, target in itertools.pairwise(path):
            data = _plain(current)
            steps = self._hops.get((framed.type, source, target), ())
            data["data"] = run_steps(data["data"], steps, self._customs)
            current = _revalidate(self._codec, data, target)
        return current


def _plain(framed: _p.BaseModel) -> Data:
    return _t.cast(Data, jsonable(framed.model_dump(mode="json", by_alias=True)))


def _revalidate(codec: Codec[E], data: Data, version: int) -> E:
    data["v"] = version
    try:
        return codec.decode(data)
    except DecodeError as exc:
        errors = [
            {"path": e["path"], "message": f"as v{version}: {e['message']}"} for e in exc.errors
        ]
        raise DecodeError(errors) from None


def run_steps(data: Data, steps: Sequence[Step], customs: Sequence[str] = ()) -> Data:
    """The steps of one hop, in order, each on the data as the step before left it."""
    for kind, field, arg in steps:
        data = custom(data, customs[arg]) if kind == "custom" else STEPS[kind](data, field, arg)
    return data


# --- the steps, on a message's data as JSON ------------------------------------------------


def _split(data: Data, path: str) -> tuple[Data | None, str]:
    """The object holding ``path`` (a field name, or a dotted path) and the last key."""
    if path in data or "." not in path:
        return data, path
    *parents, last = path.split(".")
    node: _t.Any = data
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), last


def _put(data: Data, path: str, value: _t.Any) -> bool:
    if path in data or "." not in path:
        data[path] = value
        return True
    *parents, last = path.split(".")
    node = data
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return False
        node = child
    node[last] = value
    return True


def rename(data: Data, old: str, new: str) -> Data:
    holder, key = _split(data, old)
    if holder is not None and key in holder:
        holder[new] = holder.pop(key)
    return data


def move(data: Data, source: str, target: str) -> Data:
    holder, key = _split(data, source)
    if holder is None or key not in holder:
        return data
    value = holder.pop(key)
    if not _put(data, target, value):
        holder[key] = value
    return data


def defaults(data: Data, name: str, value: _t.Any) -> Data:
    holder, key = _split(data, name)
    if holder is None:
        _put(data, name, copy.deepcopy(value))
    elif key not in holder:
        holder[key] = copy.deepcopy(value)
    return data


def drop(data: Data, name: str, _: _t.Any = None) -> Data:
    holder, key = _split(data, name)
    if holder is not None:
        holder.pop(key, None)
    return data


def values(data: Data, name: str, mapping: Sequence[Sequence[_t.Any]]) -> Data:
    holder, key = _split(data, name)
    if holder is None or key not in holder:
        return data
    for old, new in mapping:
        if json_equal(holder[key], old):
            holder[key] = copy.deepcopy(new)
            break
    return data


def convert(data: Data, name: str, converter: Sequence[_t.Any]) -> Data:
    """``converter`` is ``(name, parameter)``: one of ``CONVERTERS``."""
    holder, key = _split(data, name)
    if holder is None or key not in holder:
        return data
    kind, param = converter
    if kind == "unwrap_list" and holder[key] == []:
        del holder[key]
        return data
    holder[key] = CONVERTERS[kind](holder[key], param)
    return data


def custom(data: Data, target: str) -> Data:
    """Call the user's ``module:function`` (imported now, not before) on a copy of the data."""
    module, _, function = target.partition(":")
    result = getattr(importlib.import_module(module), function)(copy.deepcopy(data))
    if not isinstance(result, dict):
        raise TypeError(f"{target} must return the data as a dict, not {type(result).__name__}")
    return result


STEPS: dict[str, _t.Callable[[Data, str, _t.Any], Data]] = {
    "rename": rename,
    "defaults": defaults,
    "drop": drop,
    "values": values,
    "move": move,
    "convert": convert,
}


# --- converters: a value of the wrong type is left as it is (validation then reports it) ---


def _is_number(value: _t.Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: _t.Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or value.is_integer())


_INT_TEXT = re.compile(r"-?[0-9]+")
_NUMBER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _to_int(value: _t.Any) -> _t.Any:
    """Integer text as the integer, if a double carries it (as ``JSON.parse`` would read it)."""
    if isinstance(value, str) and _INT_TEXT.fullmatch(value) and carried(int(value)):
        return int(value)
    return value


def _number(value: float) -> _t.Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _scale(value: _t.Any, factor: str) -> _t.Any:
    """``value`` times ``factor`` (exact text such as ``1/100``), in exact arithmetic on the
    number as JSON writes it (57 x 1/100 is 0.57, not 0.5700000000000001)."""
    if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        return value
    exact = (
        fractions.Fraction(value) if isinstance(value, int) else fractions.Fraction(repr(value))
    ) * fractions.Fraction(factor)
    return _from_ratio(exact)


_SAFE_INTEGER = 2**53
_DIGITS = decimal.Context(prec=17, rounding=decimal.ROUND_HALF_EVEN)


def _from_ratio(exact: fractions.Fraction) -> _t.Any:
    """An exact result as a JSON number: a whole number up to 2**53 exactly, any other
    rounded to 17 significant digits (half to even) and read as a double."""
    if exact.denominator == 1 and abs(exact.numerator) <= _SAFE_INTEGER:
        return exact.numerator
    digits = _DIGITS.divide(decimal.Decimal(exact.numerator), decimal.Decimal(exact.denominator))
    result = float(digits)
    return _number(result) if math.isfinite(result) else result


def _truncate(value: _t.Any, length: int) -> _t.Any:
    """Text cut to its first ``length`` code points; any other value as it is."""
    return value[:length] if isinstance(value, str) else value


CONVERTERS: dict[str, _t.Callable[[_t.Any, _t.Any], _t.Any]] = {
    "int_to_string": lambda v, _: es_number(v) if _is_integer(v) else v,
    "string_to_int": lambda v, _: _to_int(v),
    "float_to_string": lambda v, _: es_number(v) if _is_number(v) else v,
    "string_to_float": lambda v, _: (
        json.loads(v) if isinstance(v, str) and _NUMBER_TEXT.fullmatch(v) else v
    ),
    "int_to_float": lambda v, _: v,
    "float_to_int": lambda v, _: int(v) if _is_number(v) and math.isfinite(v) else v,
    "scale": _scale,
    "truncate": _truncate,
    "wrap_list": lambda v, _: [v],
    "unwrap_list": lambda v, _: v[0] if isinstance(v, list) and v else v,
}
