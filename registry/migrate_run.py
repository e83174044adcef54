"""Migration steps run on a message's data, exactly as the generated shims run them.

``check`` uses this to test a witness before printing it (a whole message of one
version whose migrated form the other version rejects). It mirrors the step
functions of the generated packages (``templates/python/static/_migration.py``,
``templates/typescript/static/migration.ts``); the round-trip property tests hold the
three to the same answers.
"""

from __future__ import annotations

import copy
import decimal
import json
import math
import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from registry.migrate_inverse import json_equal
from registry.model import Step
from registry.numbers import carried, es_number


class CustomStepError(Exception):
    """The steps include a ``custom`` one, which check never runs."""


def run_steps(data: dict[str, Any], steps: Sequence[Step]) -> dict[str, Any]:
    """``data`` after ``steps`` (a new object; ``data`` is left alone)."""
    out = copy.deepcopy(data)
    for step in steps:
        if step.kind == "custom":
            raise CustomStepError(step.arg[0])
        _RUN[step.kind](out, step)
    return out


def _split(data: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    if path in data or "." not in path:
        return data, path
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), last


def _put(data: dict[str, Any], path: str, value: Any) -> bool:
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


def _rename(data: dict[str, Any], step: Step) -> None:
    holder, key = _split(data, step.field)
    if holder is not None and key in holder:
        holder[step.arg] = holder.pop(key)


def _move(data: dict[str, Any], step: Step) -> None:
    holder, key = _split(data, step.field)
    if holder is None or key not in holder:
        return
    value = holder.pop(key)
    if not _put(data, step.arg, value):
        holder[key] = value


def _defaults(data: dict[str, Any], step: Step) -> None:
    holder, key = _split(data, step.field)
    if holder is None:
        _put(data, step.field, copy.deepcopy(step.arg))
    elif key not in holder:
        holder[key] = copy.deepcopy(step.arg)


def _drop(data: dict[str, Any], step: Step) -> None:
    holder, key = _split(data, step.field)
    if holder is not None:
        holder.pop(key, None)


def _values(data: dict[str, Any], step: Step) -> None:
    holder, key = _split(data, step.field)
    if holder is None or key not in holder:
        return
    hit = next((new for old, new in step.arg if json_equal(holder[key], old)), _NONE)
    if hit is not _NONE:
        holder[key] = copy.deepcopy(hit)


_NONE = object()


def _convert(data: dict[str, Any], step: Step) -> None:
    holder, key = _split(data, step.field)
    if holder is None or key not in holder:
        return
    name, param = step.arg
    if name == "unwrap_list" and holder[key] == []:
        del holder[key]
        return
    holder[key] = CONVERTERS[name](holder[key], param)


_RUN: dict[str, Callable[[dict[str, Any], Step], None]] = {
    "rename": _rename,
    "move": _move,
    "defaults": _defaults,
    "drop": _drop,
    "values": _values,
    "convert": _convert,
}


# --- converters -------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or float(value).is_integer())


_INT_TEXT = re.compile(r"-?[0-9]+")
_NUMBER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_SAFE_INTEGER = 2**53
_DIGITS = decimal.Context(prec=17, rounding=decimal.ROUND_HALF_EVEN)


def _number(value: float) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def scale(value: Any, factor: str) -> Any:
    """``value`` times ``factor`` (``1/100``), exactly, on the number as JSON writes it."""
    if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        return value
    exact = (Fraction(value) if isinstance(value, int) else Fraction(repr(value))) * Fraction(
        factor
    )
    if exact.denominator == 1 and abs(exact.numerator) <= _SAFE_INTEGER:
        return exact.numerator
    result = float(
        _DIGITS.divide(decimal.Decimal(exact.numerator), decimal.Decimal(exact.denominator))
    )
    return _number(result) if math.isfinite(result) else result


CONVERTERS: dict[str, Callable[[Any, Any], Any]] = {
    "int_to_string": lambda v, _: es_number(v) if _is_integer(v) else v,
    "string_to_int": lambda v, _: (
        int(v) if isinstance(v, str) and _INT_TEXT.fullmatch(v) and carried(int(v)) else v
    ),
    "float_to_string": lambda v, _: es_number(v) if _is_number(v) else v,
    "string_to_float": lambda v, _: (
        json.loads(v) if isinstance(v, str) and _NUMBER_TEXT.fullmatch(v) else v
    ),
    "int_to_float": lambda v, _: v,
    "float_to_int": lambda v, _: int(v) if _is_number(v) and math.isfinite(v) else v,
    "scale": scale,
    "truncate": lambda v, n: v[:n] if isinstance(v, str) else v,
    "wrap_list": lambda v, _: [v],
    "unwrap_list": lambda v, _: v[0] if isinstance(v, list) and v else v,
}
