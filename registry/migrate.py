"""Declared migrations (``migrate:``) -> the steps both languages render.

Steps at the top of ``migrate:`` run on the way up (version n-1 -> n); on the
way down wiretype runs their inverses, last step first, then the steps written
under ``down:`` (named in the older version's field names). A step with no
inverse (``custom``, a lossy ``convert``) needs its way down under ``down:``.

    rename:   {old_name: new_name}
    defaults: {field: value}            a value for a field the other side lacks
    drop:     [field, ...]
    values:   {field: {old: new}}       enum or const values mapped
    move:     {field: parent.child}     a field to a nested path (or back)
    convert:  {field: int_to_string}    or {field: {scale: 100}}
    custom:   {python: "pkg.mod:func", typescript: "./mod.js#func"}
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from registry.context import FileContext
from registry.model import Location, Migration, Step
from registry.source import NodePath

STEP_KINDS = ("rename", "defaults", "drop", "values", "move", "convert", "custom")

# converter -> its inverse (None: has none, the way down must be written out)
CONVERTERS: dict[str, str | None] = {
    "int_to_string": "string_to_int",
    "string_to_int": "int_to_string",
    "float_to_string": "string_to_float",
    "string_to_float": "float_to_string",
    "int_to_float": "float_to_int",
    "float_to_int": "int_to_float",
    "wrap_list": "unwrap_list",
    "unwrap_list": "wrap_list",
    "scale": "scale",
}
_PY_TARGET = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
)
_TS_TARGET = re.compile(r"^[A-Za-z0-9_@./-]+#[A-Za-z_$][A-Za-z0-9_$]*$")


def parse_migration(ctx: FileContext, spec: Any, path: NodePath,
                    old_fields: set[str], new_fields: set[str]) -> Migration | None:
    """Parse one ``migrate:`` block; names are checked against both versions' fields."""
    if not isinstance(spec, dict):
        ctx.error(path, "MIGRATE_INVALID", "`migrate` must be a mapping of steps",
                  f"use the steps {', '.join(STEP_KINDS)} and `down:`")
        return None
    ctx.check_keys(spec, path, (*STEP_KINDS, "down"), "migrate")
    up = _steps(ctx, spec, path, sides=(old_fields, new_fields))
    down_spec = spec.get("down", {})
    explicit: list[Step] = []
    if isinstance(down_spec, dict):
        ctx.check_keys(down_spec, (*path, "down"), STEP_KINDS, "migrate.down")
        explicit = _steps(ctx, down_spec, (*path, "down"), sides=(old_fields, old_fields))
    else:
        ctx.error((*path, "down"), "MIGRATE_INVALID", "`down` must be a mapping of steps")
    derived = _invert(ctx, up, explicit, path)
    return Migration(tuple(up), (*derived, *explicit), ctx.loc(path))


def _steps(ctx: FileContext, spec: dict[str, Any], path: NodePath,
           sides: tuple[set[str], set[str]]) -> list[Step]:
    steps: list[Step] = []
    for kind, value in spec.items():
        if kind in STEP_KINDS:
            steps.extend(_PARSERS[kind](ctx, value, (*path, kind), sides))
    return steps


def _pairs(ctx: FileContext, value: Any, path: NodePath, what: str) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        ctx.error(path, "MIGRATE_INVALID", f"`{path[-1]}` must be a mapping of {what}")
        return []
    return [(str(k), v) for k, v in value.items()]


def _known(ctx: FileContext, name: str, fields: set[str], path: NodePath, side: str) -> bool:
    root = name.split(".", maxsplit=1)[0]
    if name in fields or root in fields:
        return True
    ctx.error(path, "MIGRATE_UNKNOWN_FIELD", f"{side} version has no field {name!r}",
              f"its fields are: {', '.join(sorted(fields)) or 'none'}")
    return False


def _rename(ctx: FileContext, value: Any, path: NodePath,
            sides: tuple[set[str], set[str]]) -> list[Step]:
    steps = []
    for old, new in _pairs(ctx, value, path, "old name: new name"):
        if not isinstance(new, str):
            ctx.error((*path, old), "MIGRATE_INVALID", "a rename maps a name to a name")
            continue
        if "." in new and new not in sides[1]:
            ctx.error((*path, old), "MIGRATE_INVALID",
                      f"rename gives {old!r} the literal name {new!r}, which the newer "
                      "version does not have", f"to put it inside an object, use "
                      f"`move: {{{old}: {new}}}`")
            continue
        ok = _known(ctx, old, sides[0], (*path, old), "the older")
        ok = _known(ctx, new, sides[1], (*path, old), "the newer") and ok
        if ok:
            steps.append(Step("rename", old, new, ctx.loc((*path, old))))
    return steps


def _defaults(ctx: FileContext, value: Any, path: NodePath,
              sides: tuple[set[str], set[str]]) -> list[Step]:
    return [Step("defaults", name, default, ctx.loc((*path, name)))
            for name, default in _pairs(ctx, value, path, "field: value")
            if _known(ctx, name, sides[1], (*path, name), "the target")]


def _drop(ctx: FileContext, value: Any, path: NodePath,
          sides: tuple[set[str], set[str]]) -> list[Step]:
    names = value if isinstance(value, list) else [value]
    steps = []
    for i, name in enumerate(names):
        if not isinstance(name, str):
            ctx.error((*path, i), "MIGRATE_INVALID", "`drop` lists field names")
        elif _known(ctx, name, sides[0], (*path, i), "the source"):
            steps.append(Step("drop", name, None, ctx.loc((*path, i))))
    return steps


def _values(ctx: FileContext, value: Any, path: NodePath,
            sides: tuple[set[str], set[str]]) -> list[Step]:
    steps = []
    for name, mapping in _pairs(ctx, value, path, "field: {old: new}"):
        if not isinstance(mapping, dict) or not mapping:
            ctx.error((*path, name), "MIGRATE_INVALID", "`values` maps a field to {old: new}")
        elif _known(ctx, name, sides[0] | sides[1], (*path, name), "either"):
            steps.append(Step("values", name, tuple(mapping.items()), ctx.loc((*path, name))))
    return steps


def _move(ctx: FileContext, value: Any, path: NodePath,
          sides: tuple[set[str], set[str]]) -> list[Step]:
    steps = []
    for name, target in _pairs(ctx, value, path, "field: parent.child"):
        if not isinstance(target, str) or not target:
            ctx.error((*path, name), "MIGRATE_INVALID", "`move` maps a field to a dotted path")
            continue
        ok = _known(ctx, name, sides[0], (*path, name), "the older")
        if ok and _known(ctx, target, sides[1], (*path, name), "the newer"):
            steps.append(Step("move", name, target, ctx.loc((*path, name))))
    return steps


def _convert(ctx: FileContext, value: Any, path: NodePath,
             sides: tuple[set[str], set[str]]) -> list[Step]:
    steps = []
    for name, conv in _pairs(ctx, value, path, "field: converter"):
        parsed = _converter(conv)
        if parsed is None:
            ctx.error((*path, name), "MIGRATE_CONVERTER_UNKNOWN", f"unknown converter {conv!r}",
                      f"use one of {', '.join(CONVERTERS)} (scale as `{{scale: 100}}`)")
        elif _known(ctx, name, sides[0], (*path, name), "the source"):
            steps.append(Step("convert", name, parsed, ctx.loc((*path, name))))
    return steps


def _converter(conv: Any) -> tuple[str, Any] | None:
    if isinstance(conv, str) and conv in CONVERTERS and conv != "scale":
        return (conv, None)
    if isinstance(conv, dict) and list(conv) == ["scale"]:
        factor = conv["scale"]
        if isinstance(factor, (int, float)) and not isinstance(factor, bool) and factor != 0:
            return ("scale", factor)
    return None


def _custom(ctx: FileContext, value: Any, path: NodePath,
            sides: tuple[set[str], set[str]]) -> list[Step]:
    if not isinstance(value, dict) or set(value) != {"python", "typescript"}:
        ctx.error(path, "MIGRATE_CUSTOM_INVALID", "`custom` needs `python` and `typescript`",
                  'e.g. {python: "chat_shims:v1_to_v2", typescript: "./shims.js#v1ToV2"}')
        return []
    py, ts = value["python"], value["typescript"]
    if not (isinstance(py, str) and _PY_TARGET.match(py)):
        ctx.error((*path, "python"), "MIGRATE_CUSTOM_INVALID",
                  f"python must be `module:function`, not {py!r}")
        return []
    if not (isinstance(ts, str) and _TS_TARGET.match(ts)):
        ctx.error((*path, "typescript"), "MIGRATE_CUSTOM_INVALID",
                  f"typescript must be `module#export`, not {ts!r}")
        return []
    return [Step("custom", "", (py, ts), ctx.loc(path))]


_PARSERS = {"rename": _rename, "defaults": _defaults, "drop": _drop, "values": _values,
            "move": _move, "convert": _convert, "custom": _custom}


def _invert(ctx: FileContext, up: list[Step], explicit: list[Step], path: NodePath) -> list[Step]:
    """The derived way down: each up step's inverse, last step first."""
    down = []
    covered = {(s.kind, s.field) for s in explicit}
    for step in reversed(up):
        inverse = invert_step(step)
        if inverse is not None:
            down.append(inverse)
        elif step.kind == "custom" and not any(s.kind == "custom" for s in explicit):
            ctx.error((*path, "custom"), "MIGRATE_NO_WAY_DOWN",
                      "a `custom` step has no derived way down",
                      "add `down: {custom: {python: ..., typescript: ...}}`")
        elif step.kind == "convert" and ("convert", step.field) not in covered:
            ctx.error((*path, "convert"), "MIGRATE_NO_WAY_DOWN",
                      f"converter {step.arg[0]} on {step.field!r} has no inverse",
                      "add the way down under `down: {convert: ...}`")
    return down


def invert_step(step: Step) -> Step | None:
    """The step that undoes ``step``, or None where that cannot be derived."""
    loc: Location = step.location
    if step.kind == "rename":
        return Step("rename", step.arg, step.field, loc, derived=True)
    if step.kind == "defaults":
        return Step("drop", step.field, None, loc, derived=True)
    if step.kind == "move":
        return Step("move", step.arg, step.field, loc, derived=True)
    if step.kind == "values":
        return _invert_values(step)
    if step.kind == "convert":
        return _invert_convert(step)
    return None  # drop (needs `down: defaults` when the old field is required), custom


def _invert_values(step: Step) -> Step | None:
    reverse: dict[Any, Any] = {}
    for old, new in step.arg:
        reverse.setdefault(_hashable(new), (new, old))  # first one wins where not one-to-one
    if not reverse:
        return None
    return Step("values", step.field, tuple(reverse.values()), step.location, derived=True)


def _hashable(value: Any) -> Any:
    return (type(value).__name__, value) if not isinstance(value, (dict, list)) else repr(value)


def _invert_convert(step: Step) -> Step | None:
    name, param = step.arg
    inverse = CONVERTERS.get(name)
    if inverse is None:
        return None
    if name == "scale":
        factor = Fraction(str(param))
        inverted = 1 / factor
        param = int(inverted) if inverted.denominator == 1 else float(inverted)
    return Step("convert", step.field, (inverse, param), step.location, derived=True)
