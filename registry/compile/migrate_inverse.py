"""The derived way down: the inverse of each up step, last step first.

A derived inverse may leave a value as the upgrade left it, but it never removes or
rewrites a value that the older version can hold:

| up step | derived inverse |
| --- | --- |
| ``rename: {a: b}`` | ``rename: {b: a}`` |
| ``move: {a: x.y}`` | ``move: {x.y: a}`` |
| ``defaults: {f: v}`` | ``drop: [f]`` when the older side has no ``f`` there; none when it has |
| ``drop: [f]`` | none (``down: defaults`` where the older version needs ``f``) |
| ``values: {f: {x: y}}`` | ``y -> x`` for each ``y`` that the older side cannot hold itself |
| ``convert`` | the inverse converter (``scale`` by the exact reciprocal); ``truncate``: none |
| ``custom`` | none: a finding unless ``down:`` has a ``custom`` step |
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from registry.compile.context import FileContext
from registry.compile.migrate_names import Names, Side
from registry.compile.model import Step
from registry.load.source import NodePath

# converter -> its inverse ("" : nothing to undo, the older version holds its output)
CONVERTERS: dict[str, str] = {
    "int_to_string": "string_to_int",
    "string_to_int": "int_to_string",
    "float_to_string": "string_to_float",
    "string_to_float": "float_to_string",
    "int_to_float": "float_to_int",
    "float_to_int": "int_to_float",
    "wrap_list": "unwrap_list",
    "unwrap_list": "wrap_list",
    "scale": "scale",
    "truncate": "",
}


def derive_down(
    ctx: FileContext,
    up: list[tuple[Step, Names]],
    older: Side,
    explicit: list[Step],
    path: NodePath,
) -> list[Step]:
    """Each up step's inverse, last step first; a finding where there is none and `down:`
    does not give one."""
    down = []
    for step, before in reversed(up):
        inverse = invert_step(step, before, older)
        if inverse is not None:
            down.append(inverse)
        elif step.kind == "custom" and not any(s.kind == "custom" for s in explicit):
            ctx.error(
                (*path, "custom"),
                "MIGRATE_NO_WAY_DOWN",
                "a `custom` step has no derived way down",
                "add `down: {custom: {python: ..., typescript: ...}}`",
            )
    return down


def invert_step(step: Step, before: Names, older: Side) -> Step | None:
    """The step that undoes ``step`` (which ran on names ``before``), or None when leaving
    the value as it is, is the safe way down."""
    if step.kind == "rename":
        return _derived(step, "rename", step.arg, step.field)
    if step.kind == "move":
        return _derived(step, "move", step.arg, step.field)
    if step.kind == "defaults":
        return None if before.has(step.field) else _derived(step, "drop", step.field, None)
    if step.kind == "values":
        return _invert_values(step, _holdable(step.field, before, older))
    if step.kind == "convert":
        return _invert_convert(step)
    return None  # drop (`down: defaults` where the older field is required), custom


def _derived(step: Step, kind: Any, field: str, arg: Any) -> Step:
    return Step(kind, field, arg, step.location, derived=True)


def _holdable(name: str, before: Names, older: Side) -> tuple[Any, ...] | None:
    """The values the field could hold before the step, when they are few (else None)."""
    if "." in name or name in before.changed or before.opaque:
        return None
    origin = before.origin.get(name)
    return None if origin is None else older.values_of(origin)


def _invert_values(step: Step, holdable: tuple[Any, ...] | None) -> Step | None:
    """``y -> x`` for each ``x -> y``, where ``y`` can only have come from ``x``: the older
    side cannot hold ``y`` (or ``y`` itself is mapped away). First pair wins."""
    sources = [old for old, _ in step.arg]
    reverse: list[tuple[Any, Any]] = []
    for old, new in step.arg:
        if any(json_equal(new, seen) for seen, _ in reverse):
            continue
        kept = holdable is None or any(json_equal(new, v) for v in holdable)
        if kept and not any(json_equal(new, s) for s in sources):
            continue  # an older `new` upgrades to itself: mapping it back would corrupt it
        reverse.append((new, old))
    if not reverse:
        return None
    return _derived(step, "values", step.field, tuple(reverse))


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: ``1`` equals ``1.0``, ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return bool(a == b)


def _invert_convert(step: Step) -> Step | None:
    name, param = step.arg
    inverse = CONVERTERS[name]
    if not inverse:
        return None
    if name == "scale":
        param = str(1 / Fraction(param))
    return _derived(step, "convert", step.field, (inverse, param))


__all__ = ["CONVERTERS", "derive_down", "invert_step", "json_equal"]
