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

from registry.context import FileContext, did_you_mean
from registry.model import (
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
from registry.source import NodePath
from registry.validation import ecma_regex

PRIMITIVES = ("string", "int", "float", "bool", "uuid", "datetime", "date", "time", "uri",
              "email", "any")

# snake_case constraint -> (JSON Schema keyword, the JSON types it applies to)
CONSTRAINTS: dict[str, tuple[str, frozenset[str]]] = {
    "min_length": ("minLength", frozenset({"string"})),
    "max_length": ("maxLength", frozenset({"string"})),
    "pattern": ("pattern", frozenset({"string"})),
    "format": ("format", frozenset({"string"})),
    "minimum": ("minimum", frozenset({"number"})),
    "maximum": ("maximum", frozenset({"number"})),
    "exclusive_minimum": ("exclusiveMinimum", frozenset({"number"})),
    "exclusive_maximum": ("exclusiveMaximum", frozenset({"number"})),
    "multiple_of": ("multipleOf", frozenset({"number"})),
    "min_items": ("minItems", frozenset({"array"})),
    "max_items": ("maxItems", frozenset({"array"})),
    "unique_items": ("uniqueItems", frozenset({"array"})),
    "min_properties": ("minProperties", frozenset({"object"})),
    "max_properties": ("maxProperties", frozenset({"object"})),
}
_FIELD_KEYS = {"type", "required", "default", "description", "deprecated", "sensitive", "enum",
               "const", "fields", "one_of", "discriminator", "items", "values", "nullable",
               "examples", *CONSTRAINTS}
_FORMS = ("type", "enum", "const", "fields", "one_of")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_REF = re.compile(rf"^({_NAME})(?:@([0-9]+))?$")
_JSON_KIND = {"string": "string", "uuid": "string", "datetime": "string", "date": "string",
              "time": "string", "uri": "string", "email": "string", "int": "number",
              "float": "number", "bool": "boolean"}


def parse_fields(ctx: FileContext, spec: Any, path: NodePath) -> tuple[Field, ...]:
    """A ``fields:`` mapping -> fields, in the order written."""
    if not isinstance(spec, dict):
        ctx.error(path, "FIELDS_NOT_MAPPING", "`fields` must map field names to types",
                  "write `fields: {name: type, ...}`")
        return ()
    fields = []
    for name, value in spec.items():
        if not isinstance(name, str) or not name:
            ctx.error((*path, name), "FIELD_NAME_INVALID",
                      f"field name {name!r} must be a non-empty string", "quote the name")
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
        ctx.error((*path, "required"), "FIELD_REQUIRED_NOT_BOOL",
                  "`required` must be true or false")
        required = True
    return Field(
        name=name,
        type=texpr,
        required=required,
        location=loc,
        default=default,
        description=_text(ctx, spec, "description", path),
        deprecated=spec.get("deprecated") is True,
        constraints=_constraints(ctx, spec, texpr, path),
        sensitive=_sensitive(ctx, spec, path),
    )


def _sensitive(ctx: FileContext, spec: dict[str, Any], path: NodePath) -> bool:
    """``sensitive: true``: an annotation (never in the JSON Schema, so never a change)."""
    value = spec.get("sensitive", False)
    if not isinstance(value, bool):
        ctx.error((*path, "sensitive"), "FIELD_SENSITIVE_NOT_BOOL",
                  "`sensitive` must be true or false", "write `sensitive: true`")
        return True  # read as meant: better redacted than logged
    return value


def _text(ctx: FileContext, spec: dict[str, Any], key: str, path: NodePath) -> str:
    value = spec.get(key, "")
    if not isinstance(value, str):
        ctx.error((*path, key), "DESCRIPTION_NOT_TEXT", f"`{key}` must be text")
        return ""
    return value


def _field_type(ctx: FileContext, spec: dict[str, Any], path: NodePath) -> TypeExpr:
    forms = [k for k in _FORMS if k in spec]
    if len(forms) != 1:
        listed = " and ".join(forms) if forms else "none of them"
        ctx.error(path, "FIELD_FORM", f"a field needs exactly one of {', '.join(_FORMS)}; "
                  f"this one has {listed}", "e.g. `{type: string}` or `{enum: [a, b]}`")
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
            ctx.error(path, "FIELD_FORM", f"`type: {kind}` needs `{inner_key}:`",
                      f"write `{{type: {kind}, {inner_key}: string}}`")
            return Primitive("any")
        inner, constraints = _inner(ctx, spec[inner_key], (*path, inner_key))
        return ListOf(inner, constraints) if kind == "list" else MapOf(inner, constraints)
    for stray in ("items", "values"):
        if stray in spec:
            ctx.error((*path, stray), "FIELD_FORM", f"`{stray}` goes with `type: list` or "
                      "`type: map` only")
    return parse_type(ctx, kind, (*path, "type"))


def _inner(ctx: FileContext, spec: Any,
           path: NodePath) -> tuple[TypeExpr, tuple[tuple[str, Any], ...]]:
    """The type of list items or map values, with the constraints written on them."""
    if isinstance(spec, dict):
        for key in ("required", "default", "deprecated", "sensitive"):
            if key in spec:
                ctx.error((*path, key), "FIELD_FORM", f"`{key}` does not apply to list items "
                          "or map values", "put it on the field itself")
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
        ctx.error((*path, "one_of"), "ONE_OF_INVALID",
                  "`one_of` must list two or more shared types")
        return Primitive("any")
    refs = [parse_type(ctx, n, (*path, "one_of", i)) for i, n in enumerate(names)]
    discriminator = spec.get("discriminator")
    if discriminator is not None and not isinstance(discriminator, str):
        ctx.error((*path, "discriminator"), "ONE_OF_INVALID",
                  "`discriminator` must be a field name")
        discriminator = None
    good = tuple(r for r in refs if isinstance(r, Ref))
    if len(good) != len(refs):
        ctx.error((*path, "one_of"), "ONE_OF_INVALID",
                  "every branch of `one_of` must be a shared type (`kind: type`)")
    return OneOf(good, discriminator)


def parse_type(ctx: FileContext, text: Any, path: NodePath) -> TypeExpr:
    """Parse a type written as text: ``uuid``, ``list[common.user]``, ``string?``, ``a.b@2``."""
    if not isinstance(text, str) or not text.strip():
        ctx.error(path, "TYPE_INVALID", f"a type must be written as text, not {text!r}",
                  f"use one of {', '.join(PRIMITIVES)}, list[T], map[T] or a shared type")
        return Primitive("any")
    text = text.strip()
    if text.endswith("?"):
        return Nullable(parse_type(ctx, text[:-1], path))
    for wrapper, build in (("list[", ListOf), ("map[", MapOf)):
        if text.startswith(wrapper) and text.endswith("]"):
            return build(parse_type(ctx, text[len(wrapper):-1], path))
    if text in PRIMITIVES:
        return Primitive(text)
    return _reference(ctx, text, path)


def _reference(ctx: FileContext, text: str, path: NodePath) -> TypeExpr:
    match = _REF.match(text)
    if match is not None and "." in match.group(1) and match.group(1) not in ctx.known_types:
        return _missing_type(ctx, match.group(1), path)
    if match is None or match.group(1) not in ctx.known_types:
        choices = [*PRIMITIVES, *ctx.known_types, "list[", "map["]
        ctx.error(path, "TYPE_UNKNOWN", f"unknown type {text!r}{did_you_mean(text, choices)}",
                  f"use one of {', '.join(PRIMITIVES)}, list[T], map[T], or the name of a "
                  "shared type (a file with `kind: type`)")
        return Primitive("any")
    name, pinned = match.group(1), match.group(2)
    versions = ctx.known_types[name]
    if pinned is None:
        return Ref(name, versions[-1] if versions else 1)
    if int(pinned) not in versions:
        ctx.error(path, "TYPE_VERSION_UNKNOWN", f"{name} has no version {pinned}",
                  f"its versions are {', '.join(map(str, versions)) or 'none'}")
    return Ref(name, int(pinned), pinned=True)


def _missing_type(ctx: FileContext, name: str, path: NodePath) -> TypeExpr:
    """A dotted name that is no shared type: most often one whose file was deleted or moved.

    One finding here, at the use; the finding names the type so that later checks do not
    add their own about it (a deleted published definition, say).
    """
    close = did_you_mean(name, ctx.known_types)
    ctx.error(path, "TYPE_UNKNOWN", f"no shared type named {name!r}{close}: there is no "
              f"`{name.replace('.', '/')}.yaml` with `kind: type`",
              "restore the shared type's file, or point this field at another type",
              extra=(("missing_type", name),))
    return Primitive("any")


def _constraints(ctx: FileContext, spec: dict[str, Any], texpr: TypeExpr,
                 path: NodePath) -> tuple[tuple[str, Any], ...]:
    kinds = _json_kinds(texpr)
    found = []
    for key, (keyword, applies) in CONSTRAINTS.items():
        if key not in spec:
            continue
        value = spec[key]
        if kinds is not None and not kinds & applies:
            ctx.error((*path, key), "CONSTRAINT_NOT_APPLICABLE",
                      f"`{key}` does not apply to a field of this type",
                      f"`{key}` applies to {'/'.join(sorted(applies))} fields")
        elif _constraint_ok(ctx, key, value, (*path, key)):
            found.append((keyword, value))
    return tuple(sorted(found))


def _json_kinds(texpr: TypeExpr) -> frozenset[str] | None:
    """The JSON types a field can hold, when that is known without resolving references."""
    if isinstance(texpr, Nullable):
        return _json_kinds(texpr.inner)
    if isinstance(texpr, Primitive):
        return frozenset({_JSON_KIND[texpr.name]}) if texpr.name in _JSON_KIND else None
    if isinstance(texpr, ListOf):
        return frozenset({"array"})
    if isinstance(texpr, (MapOf, InlineObject)):
        return frozenset({"object"})
    return None


def _constraint_ok(ctx: FileContext, key: str, value: Any, path: NodePath) -> bool:
    if key == "pattern":
        return _pattern_ok(ctx, value, path)
    if key == "format":
        ok = isinstance(value, str)
    elif key == "unique_items":
        ok = isinstance(value, bool)
    elif key in ("minimum", "maximum", "exclusive_minimum", "exclusive_maximum"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif key == "multiple_of":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    else:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if not ok:
        ctx.error(path, "CONSTRAINT_INVALID", f"`{key}` has an invalid value {value!r}",
                  _CONSTRAINT_HINTS.get(key, "use a whole number of 0 or more"))
    return ok


_CONSTRAINT_HINTS = {
    "format": "use a format name such as email, uri, uuid, date-time",
    "unique_items": "use true or false",
    "multiple_of": "use a number greater than 0",
    "minimum": "use a number",
    "maximum": "use a number",
    "exclusive_minimum": "use a number",
    "exclusive_maximum": "use a number",
}


def _pattern_ok(ctx: FileContext, value: Any, path: NodePath) -> bool:
    if not isinstance(value, str):
        ctx.error(path, "PATTERN_INVALID", "`pattern` must be text (a regular expression)")
        return False
    try:
        ecma_regex(value)
    except ValueError as err:
        ctx.error(path, "PATTERN_INVALID", f"`pattern` is not a valid ECMA-262 regular "
                  f"expression: {err}", "write an ECMA-262 regular expression, quoted in YAML")
        return False
    return True
