"""JSON numbers as wiretype reads them: IEEE-754 doubles, judged by their shortest decimal.

Both generated packages hold every JSON number as a double (what ``JSON.parse``
gives), so every judgement about a number is made on that double:

- its **text** is ECMAScript's Number::toString (what ``JSON.stringify`` writes,
  RFC 8785's number form): ``1`` for ``1.0``, ``0`` for ``-0``,
  ``100000000000000000000`` for ``1e20``, ``1e+21``, ``1.5e-7``;
- its **decimal value** is that text read as an exact decimal, so ``multipleOf``
  is exact decimal arithmetic: ``0.29`` is a multiple of ``0.01``, ``0.3`` of ``0.1``;
- an **integer literal** (digits only) is carried when the double holds it
  exactly or the literal is the double's own text; any other one
  (``9007199254740993``) would be changed silently, so it is refused.

The generated packages (``templates/python/static/_numbers.py``, ``validation.ts``)
implement the same functions;
the parity vectors hold the three implementations to one answer.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

MAX_EXACT = 2**53  # every integer up to here, and no odd one beyond, is a double


def decimal_parts(x: int | float) -> tuple[int, int]:
    """``(m, e)`` with the shortest decimal of the double ``x`` equal to ``m * 10**e``."""
    if isinstance(x, int) and -MAX_EXACT <= x <= MAX_EXACT:
        return x, 0
    number = float(x)
    if not math.isfinite(number):
        raise ValueError(f"{number} is not a JSON number")
    sign, digits, exponent = Decimal(repr(number)).as_tuple()
    mantissa = int("".join(map(str, digits)) or "0")
    assert isinstance(exponent, int)
    return (-mantissa if sign else mantissa), exponent


def shortest(x: int | float) -> Fraction:
    """The exact value of the shortest decimal of the double ``x`` (``0.1`` is 1/10)."""
    mantissa, exponent = decimal_parts(x)
    return Fraction(mantissa) * Fraction(10) ** exponent


def is_multiple(x: int | float, step: int | float) -> bool:
    """``multipleOf``: ``x / step`` is an integer, both read as their shortest decimals."""
    xm, xe = decimal_parts(x)
    sm, se = decimal_parts(step)
    if sm == 0:
        return False
    if xe >= se:
        return (xm * _ten_to(xe - se)) % sm == 0
    return xm % (sm * _ten_to(se - xe)) == 0


def _ten_to(n: int) -> int:
    return int(10**n)


def es_number(x: int | float) -> str:
    """The double ``x`` as ECMAScript's ``String(x)`` writes it (RFC 8785's number form)."""
    if isinstance(x, int) and -MAX_EXACT <= x <= MAX_EXACT:
        return str(x)
    number = float(x)
    if number == 0:
        return "0"
    mantissa, exponent = decimal_parts(abs(number))
    digits = str(mantissa).rstrip("0")
    point = len(str(mantissa)) + exponent  # where the decimal point falls after digits[0]
    return ("-" if number < 0 else "") + _layout(digits, point)


def _layout(digits: str, point: int) -> str:
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


def carried(literal: int) -> bool:
    """Whether a JSON integer literal survives being read as a double: the double holds it
    exactly, or the literal is the double's own text (``1152921504606847000``)."""
    if -MAX_EXACT <= literal <= MAX_EXACT:
        return True
    try:
        number = float(literal)
    except OverflowError:
        return False
    return int(number) == literal or es_number(number) == str(literal)


def double_value(x: int | float) -> int | float:
    """What a reader holding doubles keeps of ``x``: integers as the double's exact value."""
    if isinstance(x, int) and not -MAX_EXACT <= x <= MAX_EXACT:
        return int(float(x))
    return x
