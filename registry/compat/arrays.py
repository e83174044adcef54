"""Arrays: prefixItems/items by position, min/maxItems, uniqueItems, contains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .inner import Conj, Inner, worst
from .model import NO_WITNESS, Change
from .normal import is_trivial, json_equal


@dataclass(frozen=True)
class ArrView:
    """The array keywords of one schema node."""

    prefix: tuple[Any, ...] = ()
    items: Any = None  # None: absent (true)
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    contains: tuple[tuple[Any, int, int | None], ...] = ()

    def item(self, i: int) -> Conj:
        if i < len(self.prefix):
            return (self.prefix[i],)
        return () if self.items is None else (self.items,)


def _int(v: Any) -> int | None:
    return None if isinstance(v, bool) or not isinstance(v, int | float) else int(v)


def view(node: dict[str, Any]) -> ArrView:
    prefix = node.get("prefixItems")
    cont: tuple[tuple[Any, int, int | None], ...] = ()
    if "contains" in node:
        lo = _int(node.get("minContains"))
        cont = ((node["contains"], 1 if lo is None else lo, _int(node.get("maxContains"))),)
    return ArrView(
        tuple(prefix) if isinstance(prefix, list) else (),
        node.get("items"),
        _int(node.get("minItems")) or 0,
        _int(node.get("maxItems")),
        node.get("uniqueItems") is True,
        cont,
    )


@dataclass(frozen=True)
class Left:
    """The array views of all parts of a left-hand piece (a conjunction)."""

    views: tuple[ArrView, ...]

    def item(self, i: int) -> Conj:
        return tuple(x for v in self.views for x in v.item(i))

    @property
    def width(self) -> int:
        return max((len(v.prefix) for v in self.views), default=0)

    @property
    def min_items(self) -> int:
        return max((v.min_items for v in self.views), default=0)

    def max_items(self, inner: Inner) -> int | None:
        caps = [v.max_items for v in self.views if v.max_items is not None]
        for i in range(self.width + 1):
            if inner.empty(self.item(i)):
                caps.append(i)
                break
        return min(caps) if caps else None


def left(parts: Sequence[dict[str, Any]]) -> Left:
    return Left(tuple(view(p) for p in parts))


def empty(a: Left, inner: Inner) -> bool:
    hi = a.max_items(inner)
    need = max([a.min_items] + [c[1] for v in a.views for c in v.contains])
    return hi is not None and need > hi


def _positions(a: Left, b: ArrView, hi: int | None, inner: Inner, path: str) -> list[Change]:
    out: list[Change] = []
    width = max(a.width, len(b.prefix))
    for i in range(width):
        if hi is not None and i >= hi:
            return out
        sub = f"{path}/prefixItems/{i}" if i < len(b.prefix) else f"{path}/items"
        out += inner.incl(a.item(i), b.item(i), sub)
    if hi is None or hi > width:
        out += inner.incl(a.item(width), b.item(width), f"{path}/items")
    kind = worst(out)
    if kind:
        out.append(
            Change(
                f"{path}/items",
                "ARRAY_ITEMS_NO_NARROW",
                True,
                "some item accepted before is no longer accepted",
                kind=kind,
            )
        )
    return out


def _limit(value: int | None) -> str:
    return "no limit" if value is None else str(value)


def _bounds(a: Left, b: ArrView, hi: int | None, path: str) -> list[Change]:
    out = []
    if b.min_items > a.min_items:
        out.append(
            Change(
                f"{path}/minItems",
                "ARRAY_MIN_ITEMS_NO_INCREASE",
                True,
                f"minItems raised from {a.min_items} to {b.min_items}",
            )
        )
    if b.max_items is not None and (hi is None or hi > b.max_items):
        out.append(
            Change(
                f"{path}/maxItems",
                "ARRAY_MAX_ITEMS_NO_DECREASE",
                True,
                f"maxItems lowered from {_limit(hi)} to {b.max_items}",
            )
        )
    if b.unique and not any(v.unique for v in a.views) and (hi is None or hi > 1):
        out.append(
            Change(
                f"{path}/uniqueItems",
                "ARRAY_UNIQUE_NO_ADD",
                True,
                "uniqueItems added: arrays with repeated items are rejected",
            )
        )
    return out


def _contains_ok(a: Left, c: tuple[Any, int, int | None], hi: int | None, inner: Inner) -> bool:
    node, lo, top = c
    if lo == 0 and top is None:
        return True
    for ca, alo, atop in (x for v in a.views for x in v.contains):
        fits = top is None or (atop is not None and atop <= top)
        if alo >= lo and fits and (json_equal(ca, node) or not inner.incl((ca,), (node,), "")):
            return True
    fits = top is None or (hi is not None and hi <= top)
    if a.min_items < lo or not fits:
        return False
    return all(not inner.incl(a.item(i), (node,), "") for i in range(a.width + 1))


def _contains(a: Left, b: ArrView, hi: int | None, inner: Inner, path: str) -> list[Change]:
    out = []
    for c in b.contains:
        if is_trivial(c[0]) and c[2] is None and a.min_items >= c[1]:
            continue
        if not _contains_ok(a, c, hi, inner):
            proved = a.min_items == 0 and c[1] >= 1
            out.append(
                Change(
                    f"{path}/contains",
                    "ARRAY_CONTAINS_NO_ADD",
                    True,
                    "contains requirement may reject arrays accepted before",
                    [] if proved else NO_WITNESS,
                    kind="no" if proved else "unknown",
                )
            )
    return out


def compare(a: Left, b: ArrView, inner: Inner, path: str) -> list[Change]:
    """Why array piece A is not inside the array keywords of B (A assumed non-empty)."""
    hi = a.max_items(inner)
    return (
        _bounds(a, b, hi, path)
        + _positions(a, b, hi, inner, path)
        + _contains(a, b, hi, inner, path)
    )


def sample(a: Left, inner: Inner) -> list[Any]:
    """A small array A may accept (checked by the caller)."""
    out = []
    for i in range(a.min_items):
        v = inner.sample(a.item(i))
        if v is NO_WITNESS:
            return []
        out.append(v)
    return out
