"""Objects: named properties, patternProperties, additionalProperties, required,
min/maxProperties, propertyNames and dependentRequired.

In 2020-12 the value of property `n` must satisfy `properties[n]` and every
`patternProperties` entry whose regex matches `n`; `additionalProperties`
applies only to names matched by neither. A left-hand piece may be a
conjunction of several objects' keywords, each with its own scoping, so we
keep one view per part and AND their per-name answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.json.pointer import escape
from registry.json.validation import ecma_regex

from .inner import Conj, Inner, worst
from .model import NO_WITNESS, Change
from .normal import is_trivial

_STRING: dict[str, Any] = {"type": "string"}


def _search(pattern: str, name: str) -> bool:
    try:
        return ecma_regex(pattern).find(name) is not None
    except ValueError:
        return True  # unknown syntax: assume it may match (keeps both sides sound)


def _int(v: Any) -> int | None:
    return None if isinstance(v, bool) or not isinstance(v, int | float) else int(v)


@dataclass(frozen=True)
class ObjView:
    """The object keywords of one schema node."""

    props: dict[str, Any] = field(default_factory=dict)
    patterns: dict[str, Any] = field(default_factory=dict)
    additional: Any = None  # None: absent (true)
    required: frozenset[str] = frozenset()
    min_props: int = 0
    max_props: int | None = None
    names: Any = None
    dep_required: dict[str, frozenset[str]] = field(default_factory=dict)

    def value(self, name: str) -> Conj:
        """The conjunction of schemas the value of property `name` must satisfy."""
        hits = (
            tuple(s for p, s in self.patterns.items() if _search(p, name)) if self.patterns else ()
        )
        if name in self.props:
            return (self.props[name], *hits)
        if hits or self.additional is None:
            return hits
        return (self.additional,)

    @property
    def closed(self) -> bool:
        return self.additional is False and not self.patterns


def view(node: dict[str, Any]) -> ObjView:
    def mapping(key: str) -> dict[str, Any]:
        v = node.get(key)
        return v if isinstance(v, dict) else {}

    req = node.get("required")
    deps = {k: frozenset(v) for k, v in mapping("dependentRequired").items() if isinstance(v, list)}
    return ObjView(
        mapping("properties"),
        mapping("patternProperties"),
        node.get("additionalProperties"),
        frozenset(x for x in req if isinstance(x, str)) if isinstance(req, list) else frozenset(),
        _int(node.get("minProperties")) or 0,
        _int(node.get("maxProperties")),
        node.get("propertyNames"),
        deps,
    )


@dataclass(frozen=True)
class Left:
    """The object views of all parts of a left-hand piece (ANDed)."""

    views: tuple[ObjView, ...]

    def value(self, name: str) -> Conj:
        return tuple(x for v in self.views for x in v.value(name))

    @property
    def required(self) -> frozenset[str]:
        return frozenset().union(*(v.required for v in self.views))

    @property
    def min_props(self) -> int:
        return max([len(self.required), *(v.min_props for v in self.views)])

    def max_props(self, inner: Inner) -> int | None:
        caps = [v.max_props for v in self.views if v.max_props is not None]
        for v in self.views:
            if v.closed:
                caps.append(sum(1 for n in v.props if not inner.empty(self.value(n))))
        return min(caps) if caps else None


def left(parts: Sequence[dict[str, Any]]) -> Left:
    return Left(tuple(view(p) for p in parts) or (ObjView(),))


def empty(a: Left, inner: Inner) -> bool:
    if any(inner.empty(a.value(n)) for n in a.required):
        return True
    low = a.min_props
    explicit = [v.max_props for v in a.views if v.max_props is not None]
    if explicit and low > min(explicit):
        return True
    if low <= len(a.required):
        return False  # an object of just the required names (each non-empty) fits every bound
    hi = a.max_props(inner)
    return hi is not None and low > hi


def _named(a: Left, b: ObjView, inner: Inner, path: str) -> list[Change]:
    out: list[Change] = []
    names = set(b.props) | b.required | {n for v in a.views for n in v.props}
    for name in sorted(names):
        sub = f"{path}/properties/{escape(name)}"
        b_val = b.value(name)
        if not b_val:
            continue
        a_val = a.value(name)
        if False in b_val:
            if not inner.empty(a_val):
                out.append(_forbidden(a, name, a_val, inner, sub))
            continue
        found = inner.incl(a_val, b_val, sub)
        out += found
    return out


def _forbidden(a: Left, name: str, a_val: Conj, inner: Inner, sub: str) -> Change:
    declared = any(name in v.props for v in a.views)
    rule = "FIELD_NO_DELETE" if declared else "OBJECT_ADDITIONAL_PROPERTIES_NO_CLOSE"
    w = inner.sample(a_val)
    return Change(
        sub,
        rule,
        True,
        f"property {name!r} is no longer allowed",
        {name: w} if w is not NO_WITNESS else NO_WITNESS,
    )


def _required(a: Left, b: ObjView, inner: Inner, path: str) -> list[Change]:
    out = []
    have = a.required
    for name in sorted(b.required - have):
        if any(name in v.dep_required.get(k, ()) for v in a.views for k in have):
            continue
        out.append(
            Change(
                f"{path}/required",
                "FIELD_NO_NEW_REQUIRED",
                True,
                f"property {name!r} is now required",
            )
        )
    return out


def _rest_one(a: ObjView, b: ObjView, inner: Inner, path: str) -> list[Change]:
    if a.closed:
        return []
    sources = [(None, a.additional), *a.patterns.items()]
    out: list[Change] = []
    for pb, cb in b.patterns.items():
        if is_trivial(cb):
            continue
        mine = [(pb, a.patterns[pb])] if pb in a.patterns else sources
        for _, s in mine:
            out += _rest_check(s, cb, inner, f"{path}/patternProperties/{escape(pb)}")
    if b.additional is not None and not is_trivial(b.additional):
        for pa, s in sources:
            if pa is None or pa not in b.patterns:
                out += _rest_check(s, b.additional, inner, f"{path}/additionalProperties")
    return out


def _rest_check(s: Any, cb: Any, inner: Inner, path: str) -> list[Change]:
    a_val = () if s is None else (s,)
    if cb is False:
        if inner.empty(a_val):
            return []
        return [
            Change(
                path,
                "OBJECT_ADDITIONAL_PROPERTIES_NO_CLOSE",
                True,
                "undeclared properties accepted before are now rejected",
            )
        ]
    found = inner.incl(a_val, (cb,), path)
    kind = worst(found)
    if kind:
        found.append(
            Change(
                path,
                "OBJECT_ADDITIONAL_PROPERTIES_NO_CLOSE",
                True,
                "values of undeclared properties are narrowed",
                kind=kind,
            )
        )
    return found


def _rest(a: Left, b: ObjView, inner: Inner, path: str) -> list[Change]:
    if b.additional is None and not b.patterns:
        return []
    first: list[Change] = []
    for i, v in enumerate(a.views):
        found = _rest_one(v, b, inner, path)
        if not found:
            return []
        if i == 0:
            first = found
    if len(a.views) > 1:
        return [_soften(c) for c in first]
    return first


def _soften(c: Change) -> Change:
    kind = "unknown" if c.kind == "no" else c.kind
    return Change(c.path, c.rule, c.breaking, c.message, NO_WITNESS, c.direction, kind)


def _counts(a: Left, b: ObjView, inner: Inner, path: str) -> list[Change]:
    out = []
    if b.min_props > a.min_props:
        out.append(
            Change(
                f"{path}/minProperties",
                "OBJECT_MIN_PROPERTIES_NO_INCREASE",
                True,
                f"minProperties raised to {b.min_props}",
            )
        )
    if b.max_props is None:
        return out  # the bound on the left is asked only when the right has one
    hi = a.max_props(inner)
    if hi is None or hi > b.max_props:
        out.append(
            Change(
                f"{path}/maxProperties",
                "OBJECT_MAX_PROPERTIES_NO_DECREASE",
                True,
                f"maxProperties lowered to {b.max_props}",
            )
        )
    return out


def _names(a: Left, b: ObjView, inner: Inner, path: str) -> list[Change]:
    if b.names is None or is_trivial(b.names):
        return []
    sub = f"{path}/propertyNames"
    for v in a.views:
        if v.closed:
            bad = [
                n
                for n in v.props
                if not inner.empty(a.value(n)) and not inner.b_sure((b.names,), n)
            ]
            if not bad:
                return []
            return [
                Change(
                    sub,
                    "OBJECT_PROPERTY_NAMES_NO_NARROW",
                    True,
                    f"property name {bad[0]!r} is no longer allowed",
                    {bad[0]: None},
                )
            ]
    a_names = tuple(v.names for v in a.views if v.names is not None)
    found = inner.incl((*a_names, _STRING), (b.names,), sub)
    kind = worst(found)
    if kind:
        found.append(
            Change(
                sub,
                "OBJECT_PROPERTY_NAMES_NO_NARROW",
                True,
                "some property names accepted before are rejected",
                kind=kind,
            )
        )
    return found


def _dependent(a: Left, b: ObjView, inner: Inner, path: str) -> list[Change]:
    out = []
    have = a.required
    for key, deps in sorted(b.dep_required.items()):
        missing = deps - have
        for v in a.views:
            missing -= v.dep_required.get(key, frozenset())
        if not missing or inner.empty(a.value(key)):
            continue
        out.append(
            Change(
                f"{path}/dependentRequired/{escape(key)}",
                "OBJECT_DEPENDENT_REQUIRED_NO_ADD",
                True,
                f"{key!r} now also requires {sorted(missing)}",
            )
        )
    return out


def compare(a: Left, b: ObjView, inner: Inner, path: str) -> list[Change]:
    """Why object piece A is not inside the object keywords of B (A assumed non-empty)."""
    out = _named(a, b, inner, path) + _required(a, b, inner, path)
    out += _rest(a, b, inner, path) + _counts(a, b, inner, path)
    return out + _names(a, b, inner, path) + _dependent(a, b, inner, path)


def sample(a: Left, inner: Inner) -> dict[str, Any] | None:
    """An object with A's required properties (checked by the caller)."""
    out = {}
    for name in sorted(a.required):
        v = inner.sample(a.value(name))
        if v is NO_WITNESS:
            return None
        out[name] = v
    return out
