"""JSON numbers as IEEE-754 doubles, judged by their shortest decimal, as in the TypeScript package.

``es_number`` writes a number as ECMAScript does (``1`` for ``1.0``, ``0`` for ``-0.0``,
``1e+21``); ``is_multiple`` is exact decimal arithmetic on shortest decimals (``0.29`` is a
multiple of ``0.01``); an integer that a double would change (``9007199254740993``) is not
*carried*, and is refused wherever a message keeps it.
"""

from __future__ import annotations

import decimal
import typing as _t

from pydantic_core import PydanticCustomError

from ._words import WORDS

MAX_EXACT = 2**53  # every integer up to here, and no odd one beyond, is a double


class InexactNumber(ArithmeticError):  # noqa: N818 - the name the docs and users know
    """A number a JSON reader holding doubles would not hold as written: an integer a double
    would change (``9007199254740993``), NaN or Infinity. Raised from inside validation (it
    is no ``ValueError``, so pydantic stops at once instead of collecting errors): whoever
    validates with the models directly treats it as a refusal, as ``decode`` does before it
    reports every such number with its path."""


def decimal_parts(x: int | float) -> tuple[int, int]:
    """``(m, e)`` with the shortest decimal of the double ``x`` equal to ``m * 10**e``."""
    if isinstance(x, int) and -MAX_EXACT <= x <= MAX_EXACT:
        return x, 0
    sign, digits, exponent = decimal.Decimal(repr(float(x))).as_tuple()
    mantissa = int("".join(map(str, digits)) or "0")
    return (-mantissa if sign else mantissa), int(exponent)


def is_multiple(x: int | float, step: tuple[int, int]) -> bool:
    """``multipleOf``: ``x / step`` is an integer, both as exact shortest decimals."""
    xm, xe = decimal_parts(x)
    sm, se = step
    if xe >= se:
        return (xm * int(10 ** (xe - se))) % sm == 0
    return xm % (sm * int(10 ** (se - xe))) == 0


def es_number(x: int | float) -> str:
    """The double ``x`` as ECMAScript's ``String(x)`` (and ``JSON.stringify``) writes it."""
    if isinstance(x, int) and -MAX_EXACT <= x <= MAX_EXACT:
        return str(x)
    number = float(x)
    if number == 0:
        return "0"
    mantissa, exponent = decimal_parts(abs(number))
    digits = str(mantissa).rstrip("0")
    point = len(str(mantissa)) + exponent  # where the decimal point falls after digits[0]
    return ("-" if number < 0 else "") + _es_layout(digits, point)


def _es_layout(digits: str, point: int) -> str:
    k = len(digits)
    if k <= point <= 21:
        return digits + "0" * (point - k)
    if 0 < point <= 21:
        return f"{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return f"0.{'0' * -point}{digits}"
    exponent = point - 1
    mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
    return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def number_text(value: _t.Any) -> str:
    """A number as both packages print it in their words; any other value as ``str``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return es_number(value)
    return str(value)


def carried(literal: int) -> bool:
    """Whether an integer survives being read as a double: the double holds it exactly, or
    it is the double's own text (``1152921504606847000``)."""
    if -MAX_EXACT <= literal <= MAX_EXACT:
        return True
    try:
        number = float(literal)
    except OverflowError:
        return False
    return int(number) == literal or es_number(number) == str(literal)


def not_carried(literal: int) -> str:
    """The words for an integer a double would change."""
    try:
        double = es_number(float(literal))
    except OverflowError:
        double = "Infinity" if literal > 0 else "-Infinity"
    return WORDS["not_carried"].format(literal=literal, double=double)


def double_int(value: int) -> int:
    """An integer as the double that carries it (its exact value); else InexactNumber."""
    if -MAX_EXACT <= value <= MAX_EXACT:
        return value
    if not carried(value):
        raise InexactNumber(value)
    return int(float(value))


def double_float(value: int) -> float:
    """An integer read as a ``number``: its double; else InexactNumber."""
    if not carried(value):
        raise InexactNumber(value)
    return float(value)


def integral(value: float) -> int:
    """A float with no fraction as the integer it is (``1.0``, ``1e20``)."""
    if value.is_integer():
        return int(value)
    raise PydanticCustomError("int_type", WORDS["int_type"])
