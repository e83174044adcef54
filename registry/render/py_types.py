"""Type expressions -> pydantic annotations, through a table of small functions.

Each form of the shorthand has one function that returns the annotation text;
constraints (JSON Schema keywords) are folded into the markers of the
generated ``_validation`` module (``Str``, ``Int``, ``Float``, ``Unique``,
``Keywords``), so pydantic-core checks most of them without Python calls.
Texts of errors that depend on the definition (the values of an enum) are
built here, with ``registry.render.messages``, as the TypeScript validators'.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from registry.model import (
    Const,
    Definition,
    Enum,
    InlineObject,
    ListOf,
    MapOf,
    Nullable,
    OneOf,
    Primitive,
    Ref,
    Registry,
    TypeExpr,
)
from registry.render.messages import const_message, enum_message
from registry.render.py_literals import literal_able, py_literal

_STRING_FORMATS = {
    "string": None,
    "uuid": "uuid",
    "datetime": "date-time",
    "date": "date",
    "time": "time",
    "uri": "uri",
    "email": "email",
}
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_ANY = "_t.Annotated[_t.Any, _v.Json()]"  # any JSON value, numbers kept to doubles


@dataclass
class TypeContext:
    """What the annotation of one field needs: class names, and a way to add inline classes."""

    ref_class: Callable[[Ref], str]
    inline_class: Callable[[InlineObject, str], str]  # (object, name hint) -> class name
    registry: Registry | None = None
    hint: str = ""
    keywords: list[tuple[str, Any]] = field(default_factory=list)

    def tag_of(self, ref: Ref, name: str) -> Any:
        definition = self.registry.definitions.get(ref.name) if self.registry else None
        return discriminator_tag(definition, ref.version, name)


def annotation(texpr: TypeExpr, constraints: tuple[tuple[str, Any], ...], ctx: TypeContext) -> str:
    """The annotation of a field of type ``texpr`` with its constraints."""
    if isinstance(texpr, Nullable):
        return f"{annotation(texpr.inner, constraints, ctx)} | None"
    rest = dict(constraints)
    text = _FORMS[type(texpr)](texpr, rest, ctx)
    if rest:  # keywords the type's own marker could not take
        keywords = py_literal(tuple((k, rest[k]) for k in sorted(rest)))
        return f"_t.Annotated[{text}, _v.Keywords({keywords})]"
    return text


def _marker(base: str, marker: str, args: dict[str, Any]) -> str:
    inner = ", ".join(f"{k}={py_literal(v)}" for k, v in args.items() if v is not None)
    return f"_t.Annotated[{base}, _v.{marker}({inner})]"


def _primitive(texpr: Primitive, rest: dict[str, Any], ctx: TypeContext) -> str:
    name = texpr.name
    if name in _STRING_FORMATS:
        return _string(_STRING_FORMATS[name], rest)
    if name == "int":
        return _marker("int", "Int", _int_bounds(rest))
    if name == "float":
        return _marker("float", "Float", _float_bounds(rest))
    return "bool" if name == "bool" else _ANY


def _string(fmt: str | None, rest: dict[str, Any]) -> str:
    fmt = rest.pop("format", None) if fmt is None else fmt
    if isinstance(fmt, str) and fmt not in _STRING_FORMATS.values():
        fmt = None  # other formats are annotations
    args: dict[str, Any] = {
        "min_length": rest.pop("minLength", None),
        "max_length": rest.pop("maxLength", None),
        "format": fmt,
    }
    rest.pop("format", None)
    pattern = rest.pop("pattern", None)
    if pattern is not None:
        args["pattern"] = pattern
        if not rust_compiles(pattern):
            args["engine"] = "python-re"
    if all(v is None for v in args.values()):
        return "str"
    return _marker("str", "Str", args)


@lru_cache(maxsize=512)
def rust_compiles(pattern: str) -> bool:
    """True when pydantic-core's Rust regex engine takes the pattern (no look-around...)."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return False
    return True


def _int_bounds(rest: dict[str, Any]) -> dict[str, Any]:
    """Number bounds as whole-number bounds (``minimum: 1.5`` on an int is ``ge=2``)."""
    out: dict[str, Any] = {}
    if "minimum" in rest:
        out["ge"] = math.ceil(rest.pop("minimum"))
    if "exclusiveMinimum" in rest:
        out["ge"] = max(out.get("ge", -math.inf), math.floor(rest.pop("exclusiveMinimum")) + 1)
    if "maximum" in rest:
        out["le"] = math.floor(rest.pop("maximum"))
    if "exclusiveMaximum" in rest:
        out["le"] = min(out.get("le", math.inf), math.ceil(rest.pop("exclusiveMaximum")) - 1)
    step = rest.pop("multipleOf", None)
    if isinstance(step, (int, float)) and not isinstance(step, bool):
        out["multiple_of"] = int(step) if float(step).is_integer() else step
    return out


def _float_bounds(rest: dict[str, Any]) -> dict[str, Any]:
    names = {
        "minimum": "ge",
        "maximum": "le",
        "exclusiveMinimum": "gt",
        "exclusiveMaximum": "lt",
        "multipleOf": "multiple_of",
    }
    return {names[k]: rest.pop(k) for k in _NUMBER_KEYS if k in rest}


def _sized(base: str, rest: dict[str, Any], low: str, high: str, unique: bool = False) -> str:
    args = {"min_length": rest.pop(low, None), "max_length": rest.pop(high, None)}
    markers = []
    if any(v is not None for v in args.values()):
        inner = ", ".join(f"{k}={py_literal(v)}" for k, v in args.items() if v is not None)
        markers.append(f"_p.Field({inner})")
    if unique and rest.pop("uniqueItems", False) is True:
        markers.append("_v.Unique()")
    rest.pop("uniqueItems", None)
    return f"_t.Annotated[{base}, {', '.join(markers)}]" if markers else base


def _list(texpr: ListOf, rest: dict[str, Any], ctx: TypeContext) -> str:
    item = annotation(texpr.item, texpr.item_constraints, _child(ctx, "Item"))
    return _sized(f"list[{item}]", rest, "minItems", "maxItems", unique=True)


def _map(texpr: MapOf, rest: dict[str, Any], ctx: TypeContext) -> str:
    value = annotation(texpr.value, texpr.value_constraints, _child(ctx, "Value"))
    sized = _sized(f"dict[str, {value}]", rest, "minProperties", "maxProperties")
    return f"_t.Annotated[{sized}, _v.Map()]"


def _child(ctx: TypeContext, suffix: str) -> TypeContext:
    return TypeContext(ctx.ref_class, ctx.inline_class, ctx.registry, ctx.hint + suffix)


def _ref(texpr: Ref, rest: dict[str, Any], ctx: TypeContext) -> str:
    return ctx.ref_class(texpr)


def _inline(texpr: InlineObject, rest: dict[str, Any], ctx: TypeContext) -> str:
    return ctx.inline_class(texpr, ctx.hint)


def _values(values: tuple[Any, ...], words: str) -> str:
    if all(literal_able(v) for v in values):
        literal = f"_t.Literal[{', '.join(py_literal(v) for v in values)}]"
        return f"_t.Annotated[{literal}, _v.Choice({py_literal(words)})]"
    return f"_t.Annotated[_t.Any, _v.Values({py_literal(tuple(values))}, {py_literal(words)})]"


def _enum(texpr: Enum, rest: dict[str, Any], ctx: TypeContext) -> str:
    return _values(texpr.values, enum_message(texpr.values))


def _const(texpr: Const, rest: dict[str, Any], ctx: TypeContext) -> str:
    return _values((texpr.value,), const_message(texpr.value))


def _one_of(texpr: OneOf, rest: dict[str, Any], ctx: TypeContext) -> str:
    branches = ", ".join(ctx.ref_class(ref) for ref in texpr.refs)
    args = [py_literal(texpr.discriminator)]
    tags = (
        [ctx.tag_of(ref, texpr.discriminator) for ref in texpr.refs] if texpr.discriminator else []
    )
    if tags and all(tag is not _NO_TAG for tag in tags):
        args += [py_literal(tuple(tags)), py_literal(enum_message(tags))]
    return f"_t.Annotated[_t.Union[{branches}], _v.OneOf({', '.join(args)})]"


_NO_TAG = object()


def discriminator_tag(definition: Definition | None, version: int, name: str) -> Any:
    """The one value a version's required field ``name`` can take (a const, or an enum of
    one), which tells this ``one_of`` branch apart; ``_NO_TAG`` when there is none."""
    target = definition.version(version) if definition is not None else None
    for f in (target.fields or ()) if target is not None else ():
        if f.name == name and f.required:
            if isinstance(f.type, Const):
                return f.type.value
            if isinstance(f.type, Enum) and len(f.type.values) == 1:
                return f.type.values[0]
    return _NO_TAG


_FORMS: dict[type, Callable[[Any, dict[str, Any], TypeContext], str]] = {
    Primitive: _primitive,
    ListOf: _list,
    MapOf: _map,
    Ref: _ref,
    InlineObject: _inline,
    Enum: _enum,
    Const: _const,
    OneOf: _one_of,
}
