"""The YAML field shorthand -> ``Field`` and ``TypeExpr`` (see docs/format.md).

id: uuid                                   a type name
reply_to: uuid?                            nullable (still required)
tags: {type: "list[string]", required: false}
room: {type: string, min_length: 1}        constraints in snake_case
priority: {enum: [low, high], default: low}
author: common.user@2                      a shared type, pinned
shape: {one_of: [geo.circle, geo.square], discriminator: kind}
"""

from __future__ import annotations

import re
from typing import Any

from registry.compile.constraints import CONSTRAINTS, parse_constraints
from registry.compile.context import FileContext, did_you_mean
from registry.compile.model import (
    MISSING,
    Const,
    Enum,
    Field,
    InlineObject,
    ListOf,
    MapOf,
    Nullable,
    OneOf,
    Primitive,
    Ref,
    TypeExpr,
)
from registry.load.source import NodePath

PRIMITIVES = (
    "string",
    "int",
    "float",
    "bool",
    "uuid",
    "datetime",
    "date",
    "time",
    "uri",
    "email",
    "any",
)

_FIELD_KEYS = {
    "type",
    "required",
    "default",
    "description",
    "deprecated",
    "sensitive",
    "enum",
    "const",
    "fields",
    "one_of",
    "discriminator",
    "items",
    "values",
    "nullable",
    "examples",
    *CONSTRAINTS,
}
_FORMS = ("type", "enum", "const", "fields", "one_of")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_REF = re.compile(rf"^({_NAME})(?:@([0-9]+))?$")


def parse_fields(ctx: FileContext, spec: Any, path: NodePath) -> tuple[Field, ...]:
    """A ``fields:`` mapping -> fields, in the order written."""
    if not isinstance(spec, dict):
        ctx.error(
            path,
            "FIELDS_NOT_MAPPING",
            "`fields` must map field names to types",
            "write `fields: {name: type, ...}`",
        )
        return ()
    fields = []
    for name, value in spec.items():
        if not isinstance(name, str) or not name:
            ctx.error(
                (*path, name),
                "FIELD_NAME_INVALID",
                f"field name {name!r} must be a non-empty string",
                "quote the name",
            )
            continue
        fields.append(parse_field(ctx, name, value, (*path, name)))
    return tuple(fields)


def parse_field(ctx: FileContext, name: str, spec: Any, path: NodePath) -> Field:
    loc = ctx.loc(path)
    if not isinstance(spec, dict):
        return Field(name, parse_type(ctx, spec, path), required=True, location=loc)
    ctx.check_keys(spec, path, _FIELD_KEYS, f"field {name!r}")
    texpr = _field_type(ctx, spec, path)
    if spec.get("nullable") is True and not isinstance(texpr, Nullable):
        texpr = Nullable(texpr)
    default = spec.get("default", MISSING)
    required = spec.get("required", default is MISSING)
    if not isinstance(required, bool):
        ctx.error(
            (*path, "required"), "FIELD_REQUIRED_NOT_BOOL", "`required` must be true or false"
        )
        required = True
    return Field(
        name=name,
        type=texpr,
        required=required,
        location=loc,
        default=default,
        description=ctx.text(spec, "description", path),
        deprecated=spec.get("deprecated") is True,
        constraints=parse_constraints(ctx, spec, texpr, path),
        sensitive=_sensitive(ctx, spec, path),
    )


def _sensitive(ctx: FileContext, spec: dict[str, Any], path: NodePath) -> bool:
    """``sensitive: true``: an annotation (never in the JSON Schema, so never a change)."""
    value = spec.get("sensitive", False)
    if not isinstance(value, bool):
        ctx.error(
            (*path, "sensitive"),
            "FIELD_SENSITIVE_NOT_BOOL",
            "`sensitive` must be true or false",
            "write `sensitive: true`",
        )
        return True  # read as meant: better redacted than logged
    return value


def _field_type(ctx: FileContext, spec: dict[str, Any], path: NodePath) -> TypeExpr:
    forms = [k for k in _FORMS if k in spec]
    if len(forms) != 1:
        listed = " and ".join(forms) if forms else "none of them"
        ctx.error(
            path,
            "FIELD_FORM",
            f"a field needs exactly one of {', '.join(_FORMS)}; this one has {listed}",
            "e.g. `{type: string}` or `{enum: [a, b]}`",
        )
        return Primitive("any")
    form = forms[0]
    if form == "enum":
        return _enum(ctx, spec["enum"], (*path, "enum"))
    if form == "const":
        return Const(spec["const"])
    if form == "fields":
        return InlineObject(parse_fields(ctx, spec["fields"], (*path, "fields")))
    if form == "one_of":
        return _one_of(ctx, spec, path)
    return _typed(ctx, spec, path)


def _typed(ctx: FileContext, spec: dict[str, Any], path: NodePath) -> TypeExpr:
    """``{type: list, items: T}``, ``{type: map, values: T}`` or ``{type: "<shorthand>"}``."""
    kind = spec["type"]
    if kind in ("list", "map"):
        inner_key = "items" if kind == "list" else "values"
        if inner_key not in spec:
            ctx.error(
                path,
                "FIELD_FORM",
                f"`type: {kind}` needs `{inner_key}:`",
                f"write `{{type: {kind}, {inner_key}: string}}`",
            )
            return Primitive("any")
        inner, constraints = _inner(ctx, spec[inner_key], (*path, inner_key))
        return ListOf(inner, constraints) if kind == "list" else MapOf(inner, constraints)
    for stray in ("items", "values"):
        if stray in spec:
            ctx.error(
                (*path, stray),
                "FIELD_FORM",
                f"`{stray}` goes with `type: list` or `type: map` only",
            )
    return parse_type(ctx, kind, (*path, "type"))


def _inner(
    ctx: FileContext, spec: Any, path: NodePath
) -> tuple[TypeExpr, tuple[tuple[str, Any], ...]]:
    """The type of list items or map values, with the constraints written on them."""
    if isinstance(spec, dict):
        for key in ("required", "default", "deprecated", "sensitive"):
            if key in spec:
                ctx.error(
                    (*path, key),
                    "FIELD_FORM",
                    f"`{key}` does not apply to list items or map values",
                    "put it on the field itself",
                )
        item = parse_field(ctx, "items", spec, path)
        return item.type, item.constraints
    return parse_type(ctx, spec, path), ()


def _enum(ctx: FileContext, values: Any, path: NodePath) -> TypeExpr:
    if not isinstance(values, list) or not values:
        ctx.error(path, "ENUM_INVALID", "`enum` must be a non-empty list of values")
        return Enum(())
    seen: list[Any] = []
    for i, value in enumerate(values):
        if isinstance(value, (dict, list)):
            ctx.error((*path, i), "ENUM_INVALID", "enum values must be plain values")
        elif any(value == s and type(value) is type(s) for s in seen):
            ctx.error((*path, i), "ENUM_DUPLICATE", f"enum value {value!r} is listed twice")
        seen.append(value)
    return Enum(tuple(values))


def _one_of(ctx: FileContext, spec: dict[str, Any], path: NodePath) -> TypeExpr:
    names = spec["one_of"]
    if not isinstance(names, list) or len(names) < 2:
        ctx.error(
            (*path, "one_of"), "ONE_OF_INVALID", "`one_of` must list two or more shared types"
        )
        return Primitive("any")
    refs = [parse_type(ctx, n, (*path, "one_of", i)) for i, n in enumerate(names)]
    discriminator = spec.get("discriminator")
    if discriminator is not None and not isinstance(discriminator, str):
        ctx.error(
            (*path, "discriminator"), "ONE_OF_INVALID", "`discriminator` must be a field name"
        )
        discriminator = None
    good = tuple(r for r in refs if isinstance(r, Ref))
    if len(good) != len(refs):
        ctx.error(
            (*path, "one_of"),
            "ONE_OF_INVALID",
            "every branch of `one_of` must be a shared type (`kind: type`)",
        )
    return OneOf(good, discriminator)


def parse_type(ctx: FileContext, text: Any, path: NodePath) -> TypeExpr:
    """Parse a type written as text: ``uuid``, ``list[common.user]``, ``string?``, ``a.b@2``."""
    if not isinstance(text, str) or not text.strip():
        ctx.error(
            path,
            "TYPE_INVALID",
            f"a type must be written as text, not {text!r}",
            f"use one of {', '.join(PRIMITIVES)}, list[T], map[T] or a shared type",
        )
        return Primitive("any")
    text = text.strip()
    if text.endswith("?"):
        return Nullable(parse_type(ctx, text[:-1], path))
    for wrapper, build in (("list[", ListOf), ("map[", MapOf)):
        if text.startswith(wrapper) and text.endswith("]"):
            return build(parse_type(ctx, text[len(wrapper) : -1], path))
    if text in PRIMITIVES:
        return Primitive(text)
    return _reference(ctx, text, path)


def _reference(ctx: FileContext, text: str, path: NodePath) -> TypeExpr:
    match = _REF.match(text)
    if match is not None and "." in match.group(1) and match.group(1) not in ctx.known_types:
        return _missing_type(ctx, match.group(1), path)
    if match is None or match.group(1) not in ctx.known_types:
        choices = [*PRIMITIVES, *ctx.known_types, "list[", "map["]
        ctx.error(
            path,
            "TYPE_UNKNOWN",
            f"unknown type {text!r}{did_you_mean(text, choices)}",
            f"use one of {', '.join(PRIMITIVES)}, list[T], map[T], or the name of a "
            "shared type (a file with `kind: type`)",
        )
        return Primitive("any")
    name, pinned = match.group(1), match.group(2)
    versions = ctx.known_types[name]
    if pinned is None:
        return Ref(name, versions[-1] if versions else 1)
    if int(pinned) not in versions:
        ctx.error(
            path,
            "TYPE_VERSION_UNKNOWN",
            f"{name} has no version {pinned}",
            f"its versions are {', '.join(map(str, versions)) or 'none'}",
        )
    return Ref(name, int(pinned), pinned=True)


def _missing_type(ctx: FileContext, name: str, path: NodePath) -> TypeExpr:
    """A dotted name that is no shared type: most often one whose file was deleted or moved.

    One finding here, at the use; the finding names the type so that later checks do not
    add their own about it (a deleted published definition, say).
    """
    close = did_you_mean(name, ctx.known_types)
    ctx.error(
        path,
        "TYPE_UNKNOWN",
        f"no shared type named {name!r}{close}: there is no "
        f"`{name.replace('.', '/')}.yaml` with `kind: type`",
        "restore the shared type's file, or point this field at another type",
        extra=(("missing_type", name),),
    )
    return Primitive("any")
