"""Numbers: bounds, integer-ness and multipleOf, decided exactly with fractions.

A numeric piece is normalised to `{x : lo <= x <= hi, x in step*Z}`; with a
step, bounds are tightened to attained multiples (`integer, exclusiveMinimum:
5` is `minimum: 6`). JSON numbers are read as the generated validators read
them (`registry.json.numbers`): a double, whose value is its shortest decimal (`0.1`
is 1/10), so `multipleOf: 0.3` is a multiple of `0.1` and `0.02` of `0.01`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from registry.json.numbers import shortest

from .model import Change

MAX_ENUMERATED = 64


def frac(x: Any) -> Fraction:
    """The exact decimal value of a JSON number (the shortest decimal of its double)."""
    if isinstance(x, bool):
        raise TypeError("booleans are not numbers")
    return shortest(x)


def to_json(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


def _lcm(a: Fraction, b: Fraction) -> Fraction:
    num = math.lcm(a.numerator, b.numerator)
    return Fraction(num, math.gcd(a.denominator, b.denominator))


@dataclass(frozen=True)
class NumView:
    """Bounds (None = unbounded), their exclusiveness, and the step (None = any real)."""

    lo: Fraction | None = None
    lo_ex: bool = False
    hi: Fraction | None = None
    hi_ex: bool = False
    step: Fraction | None = None
    steps: tuple[Fraction, ...] = ()
    integer: bool = False


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _tighter(cur: tuple[Fraction, bool] | None, new: tuple[Fraction, bool], sign: int) -> Any:
    if cur is None:
        return new
    if new[0] == cur[0]:
        return (cur[0], cur[1] or new[1])
    return new if (new[0] - cur[0]) * sign > 0 else cur


def view(parts: Iterable[dict[str, Any]], integer: bool) -> NumView:
    """Merge the numeric keywords of all parts (a conjunction)."""
    lo: tuple[Fraction, bool] | None = None
    hi: tuple[Fraction, bool] | None = None
    steps: list[Fraction] = []
    for p in parts:
        for key, ex in (("minimum", False), ("exclusiveMinimum", True)):
            if _num(p.get(key)):
                lo = _tighter(lo, (frac(p[key]), ex), 1)
        for key, ex in (("maximum", False), ("exclusiveMaximum", True)):
            if _num(p.get(key)):
                hi = _tighter(hi, (frac(p[key]), ex), -1)
        if _num(p.get("multipleOf")) and p["multipleOf"] > 0:
            steps.append(frac(p["multipleOf"]))
    return _tighten(
        NumView(
            lo[0] if lo else None,
            lo[1] if lo else False,
            hi[0] if hi else None,
            hi[1] if hi else False,
            None,
            tuple(steps),
            integer,
        )
    )


def _tighten(v: NumView) -> NumView:
    all_steps = list(v.steps) + ([Fraction(1)] if v.integer else [])
    if not all_steps:
        return v
    step = all_steps[0]
    for s in all_steps[1:]:
        step = _lcm(step, s)
    lo = hi = None
    if v.lo is not None:
        k = math.floor(v.lo / step) + 1 if v.lo_ex else math.ceil(v.lo / step)
        lo = k * step
    if v.hi is not None:
        k = math.ceil(v.hi / step) - 1 if v.hi_ex else math.floor(v.hi / step)
        hi = k * step
    return replace(v, lo=lo, lo_ex=False, hi=hi, hi_ex=False, step=step)


def empty(v: NumView) -> bool:
    if v.lo is None or v.hi is None:
        return False
    return v.lo > v.hi or (v.lo == v.hi and (v.lo_ex or v.hi_ex))


def finite(v: NumView) -> list[int | float] | None:
    """All values of a bounded stepped piece, when few and exact; else None."""
    if v.step is None or v.lo is None or v.hi is None:
        if v.lo is not None and v.lo == v.hi and not (v.lo_ex or v.hi_ex):
            return [to_json(v.lo)]
        return None
    count = (v.hi - v.lo) / v.step + 1
    if count > MAX_ENUMERATED:
        return None
    exact = [v.lo + i * v.step for i in range(max(0, int(count)))]
    out = [to_json(x) for x in exact]
    return out if all(frac(y) == x for x, y in zip(exact, out, strict=True)) else None


def contains(v: NumView, x: Fraction) -> bool:
    """Exact membership of x in the (untightened or tightened) view."""
    if v.lo is not None and (x < v.lo or (x == v.lo and v.lo_ex)):
        return False
    if v.hi is not None and (x > v.hi or (x == v.hi and v.hi_ex)):
        return False
    if v.integer and x.denominator != 1:
        return False
    steps = (v.step,) if v.step is not None else v.steps
    return all((x / s).denominator == 1 for s in steps)


def candidates(a: NumView, b: NumView) -> list[Fraction]:
    """Values of A worth trying as witnesses against B."""
    base = [Fraction(0), Fraction(1), Fraction(-1), Fraction(1, 2), Fraction(-1, 2)]
    step = a.step or Fraction(1, 2)
    for bound in (a.lo, a.hi, b.lo, b.hi):
        if bound is not None:
            base += [bound, bound - step, bound + step, bound - step / 2, bound + step / 2]
    if a.lo is not None and a.hi is not None:
        base.append((a.lo + a.hi) / 2)
    if a.lo is not None:
        base += [a.lo + step * k for k in (1, 2, 3)]
    if a.hi is not None:
        base += [a.hi - step * k for k in (1, 2, 3)]
    if a.step is not None:
        base += [a.step * k for k in (1, 2, 3, 5, 7, -1)]
    return [x for x in base if contains(a, x)]


def witness(a: NumView, b: NumView) -> Fraction | None:
    return next((x for x in candidates(a, b) if not contains(b, x)), None)


def _integral(a: NumView) -> bool:
    if a.step is not None and a.step.denominator == 1:
        return True
    vals = finite(a)
    return vals is not None and all(frac(x).denominator == 1 for x in vals)


def _lower_ok(a: NumView, b: NumView) -> bool:
    if b.lo is None:
        return True
    if a.lo is None:
        return False
    return a.lo > b.lo or (a.lo == b.lo and (a.lo_ex or not b.lo_ex))


def _upper_ok(a: NumView, b: NumView) -> bool:
    if b.hi is None:
        return True
    if a.hi is None:
        return False
    return a.hi < b.hi or (a.hi == b.hi and (a.hi_ex or not b.hi_ex))


def _step_ok(a: NumView, m: Fraction) -> bool:
    if a.step is not None and (a.step / m).denominator == 1:
        return True
    vals = finite(a)
    return vals is not None and all((frac(x) / m).denominator == 1 for x in vals)


def compare(a: NumView, b: NumView, path: str) -> list[Change]:
    """Why numeric piece A is not inside numeric constraints B (A assumed non-empty)."""
    vals = finite(a)
    if vals is not None and all(contains(b, frac(x)) for x in vals):
        return []
    w = witness(a, b)
    wj: Any = to_json(w) if w is not None else None
    out: list[Change] = []

    def fail(key: str, rule: str, msg: str) -> None:
        out.append(Change(f"{path}/{key}", rule, True, msg, wj if w is not None else _none()))

    if b.integer and not _integral(a):
        fail("type", "TYPE_NO_NARROW", "non-integer numbers are no longer accepted")
    if not _lower_ok(a, b):
        fail(
            _key(b.lo_ex, "Minimum"),
            "NUMBER_MINIMUM_NO_INCREASE",
            f"lower bound raised to {_show(b.lo, b.lo_ex, '>')}",
        )
    if not _upper_ok(a, b):
        fail(
            _key(b.hi_ex, "Maximum"),
            "NUMBER_MAXIMUM_NO_DECREASE",
            f"upper bound lowered to {_show(b.hi, b.hi_ex, '<')}",
        )
    for m in b.steps:
        if not _step_ok(a, m):
            fail(
                "multipleOf",
                "NUMBER_MULTIPLE_OF_NO_CHANGE",
                f"values must now be multiples of {to_json(m)}",
            )
    return out


def _none() -> Any:
    from .model import NO_WITNESS

    return NO_WITNESS


def _key(ex: bool, name: str) -> str:
    return f"exclusive{name}" if ex else name.lower()


def _show(x: Fraction | None, ex: bool, op: str) -> str:
    return f"{op}{'' if ex else '='} {to_json(x) if x is not None else '?'}"
