"""Declared migrations (``migrate:``) -> the steps both languages render.

Steps at the top of ``migrate:`` run on the way up (version n-1 -> n), in the order
written (the step kinds in the order of their keys, and within one kind its entries
in order), each one seeing the data as the steps before it left it: a ``convert``
written after ``rename: {cents: dollars}`` names ``dollars``, one written before it
names ``cents``. A step naming a field that is not there at its point of the sequence
is refused (``MIGRATE_STEP_ORDER``), with the name to use. On the way down wiretype
runs the inverses of the up steps, last step first (see ``registry.compile.migrate_inverse``),
then the steps written under ``down:``, which see the data in the older version's
names. A step with no safe inverse (``custom``) needs its way down under ``down:``.

    rename:   {old_name: new_name}
    defaults: {field: value}            a value for a field the other side lacks
    drop:     [field, ...]
    values:   {field: {old: new}}       enum or const values mapped
    move:     {field: parent.child}     a field to a nested path (or back)
    convert:  {field: int_to_string}    or {field: {scale: 100}}, {field: {truncate: 50}}
    custom:   {python: "pkg.mod:func", typescript: "./mod.js#func"}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from registry.compile.context import FileContext
from registry.compile.migrate_inverse import CONVERTERS, derive_down
from registry.compile.migrate_names import Names, Side, root
from registry.compile.model import Migration, Step
from registry.findings import Finding
from registry.load.source import NodePath

STEP_KINDS = ("rename", "defaults", "drop", "values", "move", "convert", "custom")
_PY_TARGET = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
)
_TS_TARGET = re.compile(r"^[A-Za-z0-9_@./-]+#[A-Za-z_$][A-Za-z0-9_$]*$")


def parse_migration(
    ctx: FileContext, spec: Any, path: NodePath, older: Side, newer: Side
) -> Migration | None:
    """Parse one ``migrate:`` block; every name is checked where its step runs."""
    if not isinstance(spec, dict):
        ctx.error(
            path,
            "MIGRATE_INVALID",
            "`migrate` must be a mapping of steps",
            f"use the steps {', '.join(STEP_KINDS)} and `down:`",
        )
        return None
    ctx.check_keys(spec, path, (*STEP_KINDS, "down"), "migrate")
    up_names = Names.start(older.names)
    up = _sequence(ctx, _steps(ctx, spec, path), up_names, newer, "up")
    _dropped_but_kept(ctx, up, up_names, set(newer.names), "up")
    down_spec = spec.get("down", {})
    explicit: list[Step] = []
    if isinstance(down_spec, dict):
        ctx.check_keys(down_spec, (*path, "down"), STEP_KINDS, "migrate.down")
        newer_only = newer.names - up_names.current
        down_names = Names.start(older.names | newer_only)
        down = _sequence(ctx, _steps(ctx, down_spec, (*path, "down")), down_names, older, "down")
        held = (set(up_names.origin.values()) | newer.names) & older.names  # held by both
        _dropped_but_kept(ctx, down, down_names, held, "down")
        explicit = [s for s, _ in down]
    else:
        ctx.error((*path, "down"), "MIGRATE_INVALID", "`down` must be a mapping of steps")
    derived = derive_down(ctx, up, older, explicit, path)
    return Migration(tuple(s for s, _ in up), (*derived, *explicit), ctx.loc(path))


# --- reading the steps ------------------------------------------------------------------------


def _steps(ctx: FileContext, spec: dict[str, Any], path: NodePath) -> list[Step]:
    """The steps of one block, in the order written (names are checked afterwards)."""
    steps: list[Step] = []
    for kind, value in spec.items():
        if kind in STEP_KINDS:
            steps.extend(_PARSERS[kind](ctx, value, (*path, kind)))
    return steps


def _pairs(ctx: FileContext, value: Any, path: NodePath, what: str) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        ctx.error(path, "MIGRATE_INVALID", f"`{path[-1]}` must be a mapping of {what}")
        return []
    return [(str(k), v) for k, v in value.items()]


def _rename(ctx: FileContext, value: Any, path: NodePath) -> list[Step]:
    steps = []
    for old, new in _pairs(ctx, value, path, "old name: new name"):
        if isinstance(new, str) and new:
            steps.append(Step("rename", old, new, ctx.loc((*path, old))))
        else:
            ctx.error((*path, old), "MIGRATE_INVALID", "a rename maps a name to a name")
    return steps


def _defaults(ctx: FileContext, value: Any, path: NodePath) -> list[Step]:
    return [
        Step("defaults", name, default, ctx.loc((*path, name)))
        for name, default in _pairs(ctx, value, path, "field: value")
    ]


def _drop(ctx: FileContext, value: Any, path: NodePath) -> list[Step]:
    names = value if isinstance(value, list) else [value]
    steps = []
    for i, name in enumerate(names):
        if isinstance(name, str):
            steps.append(Step("drop", name, None, ctx.loc((*path, i))))
        else:
            ctx.error((*path, i), "MIGRATE_INVALID", "`drop` lists field names")
    return steps


def _values(ctx: FileContext, value: Any, path: NodePath) -> list[Step]:
    steps = []
    for name, mapping in _pairs(ctx, value, path, "field: {old: new}"):
        if isinstance(mapping, dict) and mapping:
            steps.append(Step("values", name, tuple(mapping.items()), ctx.loc((*path, name))))
        else:
            ctx.error((*path, name), "MIGRATE_INVALID", "`values` maps a field to {old: new}")
    return steps


def _move(ctx: FileContext, value: Any, path: NodePath) -> list[Step]:
    steps = []
    for name, target in _pairs(ctx, value, path, "field: parent.child"):
        if isinstance(target, str) and target:
            steps.append(Step("move", name, target, ctx.loc((*path, name))))
        else:
            ctx.error((*path, name), "MIGRATE_INVALID", "`move` maps a field to a dotted path")
    return steps


def _convert(ctx: FileContext, value: Any, path: NodePath) -> list[Step]:
    steps = []
    for name, conv in _pairs(ctx, value, path, "field: converter"):
        parsed = _converter(conv)
        if parsed is None:
            ctx.error(
                (*path, name),
                "MIGRATE_CONVERTER_UNKNOWN",
                f"unknown converter {conv!r}",
                f"use one of {', '.join(CONVERTERS)} (with a parameter: "
                "`{scale: 100}`, `{truncate: 50}`)",
            )
        else:
            steps.append(Step("convert", name, parsed, ctx.loc((*path, name))))
    return steps


def _converter(conv: Any) -> tuple[str, Any] | None:
    """(name, parameter): a scale factor as exact "p/q" text, a truncate length as an int."""
    if isinstance(conv, str) and conv in CONVERTERS and conv not in _WITH_PARAMETER:
        return (conv, None)
    if not isinstance(conv, dict) or len(conv) != 1:
        return None
    name, param = next(iter(conv.items()))
    if name == "scale" and _number(param) and param != 0:
        return ("scale", ratio_text(Fraction(repr(param))))
    if name == "truncate" and isinstance(param, int) and not isinstance(param, bool) and param >= 0:
        return ("truncate", param)
    return None


_WITH_PARAMETER = ("scale", "truncate")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def ratio_text(value: Fraction) -> str:
    """A factor as exact text: ``1/100``, ``100`` (what both languages' scale reads)."""
    return str(value)


def _custom(ctx: FileContext, value: Any, path: NodePath) -> list[Step]:
    if not isinstance(value, dict) or set(value) != {"python", "typescript"}:
        ctx.error(
            path,
            "MIGRATE_CUSTOM_INVALID",
            "`custom` needs `python` and `typescript`",
            'e.g. {python: "chat_shims:v1_to_v2", typescript: "./shims.js#v1ToV2"}',
        )
        return []
    py, ts = value["python"], value["typescript"]
    if not (isinstance(py, str) and _PY_TARGET.match(py)):
        ctx.error(
            (*path, "python"),
            "MIGRATE_CUSTOM_INVALID",
            f"python must be `module:function`, not {py!r}",
        )
        return []
    if not (isinstance(ts, str) and _TS_TARGET.match(ts)):
        ctx.error(
            (*path, "typescript"),
            "MIGRATE_CUSTOM_INVALID",
            f"typescript must be `module#export`, not {ts!r}",
        )
        return []
    return [Step("custom", "", (py, ts), ctx.loc(path))]


_PARSERS: dict[str, Callable[[FileContext, Any, NodePath], list[Step]]] = {
    "rename": _rename,
    "defaults": _defaults,
    "drop": _drop,
    "values": _values,
    "move": _move,
    "convert": _convert,
    "custom": _custom,
}


# --- the names each step sees -------------------------------------------------------------------


def _sequence(
    ctx: FileContext, steps: list[Step], names: Names, target: Side, way: str
) -> list[tuple[Step, Names]]:
    """The steps whose names are right where they run, each with the names before it."""
    kept = []
    for step in steps:
        before = names.copy()
        if _names_ok(ctx, step, names, target, way):
            names.apply(step)
            kept.append((step, before))
    return kept


def _names_ok(ctx: FileContext, step: Step, names: Names, target: Side, way: str) -> bool:
    if step.kind == "custom" or names.opaque:
        return True
    if step.kind == "defaults":
        return _in_target(ctx, step, step.field, target, way)
    if not _present(ctx, step, names, target):
        return False
    if step.kind == "rename":
        return _rename_target_ok(ctx, step, names, target, way)
    if step.kind == "move":
        return _in_target(ctx, step, step.arg, target, way) and _free(ctx, step, step.arg, names)
    return True


def _present(ctx: FileContext, step: Step, names: Names, target: Side) -> bool:
    """Whether the field the step reads is there at this point of the sequence."""
    if names.has(step.field):
        return True
    later = names.gone.get(root(step.field))
    if later is not None:
        _error(
            ctx,
            step,
            "MIGRATE_STEP_ORDER",
            f"`{step.kind}` names {step.field!r}, which {later} before this step runs",
            names.advice(step.field),
        )
    elif step.field in target.names or root(step.field) in target.names:
        _error(
            ctx,
            step,
            "MIGRATE_STEP_ORDER",
            f"`{step.kind}` names {step.field!r}, which is not there yet when this step "
            "runs (steps run in the order written)",
            "name the field as the message has it at this point, or write this step "
            "after the one that makes the field",
        )
    else:
        _error(
            ctx,
            step,
            "MIGRATE_UNKNOWN_FIELD",
            f"no field {step.field!r} at this point of the migration",
            f"the fields here are: {', '.join(sorted(names.current)) or 'none'}",
        )
    return False


def _rename_target_ok(ctx: FileContext, step: Step, names: Names, target: Side, way: str) -> bool:
    new = step.arg
    if "." in new and new not in target.names and "." not in step.field:
        _error(
            ctx,
            step,
            "MIGRATE_INVALID",
            f"rename gives {step.field!r} the literal name {new!r}, which the "
            f"{_side(way)} version does not have",
            f"to put it inside an object, use `move: {{{step.field}: {new}}}`",
        )
        return False
    if "." in step.field:  # renamed inside the object that holds it
        return True
    return _in_target(ctx, step, new, target, way) and _free(ctx, step, new, names)


def _in_target(ctx: FileContext, step: Step, name: str, target: Side, way: str) -> bool:
    if name in target.names or root(name) in target.names:
        return True
    _error(
        ctx,
        step,
        "MIGRATE_UNKNOWN_FIELD",
        f"the {_side(way)} version has no field {name!r}",
        f"its fields are: {', '.join(sorted(target.names)) or 'none'}",
    )
    return False


def _free(ctx: FileContext, step: Step, name: str, names: Names) -> bool:
    """A rename or move must not land on a field the message still has: it would be lost."""
    if "." in name or name == step.field or name not in names.current:
        return True
    _error(
        ctx,
        step,
        "MIGRATE_NAME_TAKEN",
        f"`{step.kind}: {{{step.field}: {name}}}` would overwrite {name!r}, which the "
        "message still has at this point, and lose its value",
        f"rename, move or drop {name!r} first (steps run in the order written)",
    )
    return False


def _side(way: str) -> str:
    return "newer" if way == "up" else "older"


def _dropped_but_kept(
    ctx: FileContext, steps: Iterable[tuple[Step, Names]], after: Names, kept: set[str], way: str
) -> None:
    """A warning for a `drop` of a field that the other version holds too (``kept``), unless
    a later step gives the name a value again: every migrated message loses it."""
    for step, _ in steps:
        name = step.field
        if step.kind == "drop" and "." not in name and name in kept and name not in after.current:
            other = "newer" if way == "up" else "older"
            ctx.findings.append(
                Finding(
                    step.location.file,
                    step.location.line,
                    step.location.column,
                    "MIGRATE_DROP_LOSES_DATA",
                    f"`drop: [{name}]` removes {name!r}, which the {other} version has too: "
                    f"every {way}graded message loses its value",
                    "remove the step (a field both versions have needs none), or give the "
                    "field another name in the version where its meaning changed",
                    severity="warning",
                    subject=ctx.subject,
                )
            )


def _error(ctx: FileContext, step: Step, rule: str, message: str, hint: str) -> None:
    loc = step.location
    ctx.findings.append(
        Finding(loc.file, loc.line, loc.column, rule, message, hint, subject=ctx.subject)
    )
