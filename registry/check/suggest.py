"""Suggest the migration step that would cover a breaking change.

Looks at the top-level fields of the two versions, not at the engine's
findings, so the advice reads like what a reviewer would say: "`text` was
removed and `body` added with the same type: did you mean `rename: {text: body}`?"
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from registry.compile.model import Enum, Field, ListOf, Primitive, Step, TypeExpr, Version
from registry.schema.documents import Schemas

if TYPE_CHECKING:
    from registry.check.pairing import Pair
    from registry.compat import Change


Suggestion = tuple[frozenset[str], str]  # the fields it is about, and the advice


def suggestions(schemas: Schemas, pair: Pair, steps: list[Step]) -> list[Suggestion]:
    covered = {s.field for s in steps} | {s.arg for s in steps if isinstance(s.arg, str)}
    old, new = _fields(pair.old), _fields(pair.new)
    found = list(_renames(schemas, pair, old, new, covered))
    found += _enum_values(old, new, covered, pair.direction)
    found += _new_required(old, new, covered, pair)
    found += _conversions(old, new, covered, pair)
    return found


def advice_for(found: list[Suggestion], field: str | None) -> str:
    """The suggestions about ``field`` (all of them when the change names no field): advice
    about another field would send the reader the wrong way."""
    return "; ".join(text for fields, text in found if field is None or field in fields)


def _fields(version: Version) -> dict[str, Field]:
    return {f.name: f for f in version.fields or ()}


def _signature(schemas: Schemas, pair: Pair, version: Version, name: str) -> str:
    props = schemas.bare(pair.definition, version).get("properties", {})
    return json.dumps(props.get(name), sort_keys=True)


def _renames(
    schemas: Schemas, pair: Pair, old: dict[str, Field], new: dict[str, Field], covered: set[Any]
) -> Iterator[Suggestion]:
    gone = [n for n in old if n not in new and n not in covered]
    added = [n for n in new if n not in old and n not in covered]
    for before in gone:
        same = [
            a
            for a in added
            if _signature(schemas, pair, pair.old, before) == _signature(schemas, pair, pair.new, a)
        ]
        kind = "the same type" if same else None
        candidates = same or (added if len(gone) == len(added) == 1 else [])
        for after in candidates[:1]:
            detail = f"with {kind}" if kind else "in its place"
            yield (
                frozenset({before, after}),
                (
                    f"`{before}` was removed and `{after}` added {detail}: did you mean "
                    f"`rename: {{{before}: {after}}}` under `migrate:` of v{pair.new.number}?"
                ),
            )


def _enum_values(
    old: dict[str, Field], new: dict[str, Field], covered: set[Any], direction: str
) -> Iterator[Suggestion]:
    for name, field in old.items():
        other = new.get(name)
        if other is None or name in covered:
            continue
        if isinstance(field.type, Enum) and isinstance(other.type, Enum):
            pair = (field.type, other.type) if direction == "backward" else (other.type, field.type)
            missing = [v for v in pair[0].values if v not in pair[1].values]
            if missing:
                where = "" if direction == "backward" else "`down:` "
                yield (
                    frozenset({name}),
                    (
                        f"values {missing} of `{name}` are not in the other version: map them "
                        f"with {where}`values: {{{name}: {{{missing[0]}: ...}}}}`"
                    ),
                )


def _new_required(
    old: dict[str, Field], new: dict[str, Field], covered: set[Any], pair: Pair
) -> Iterator[Suggestion]:
    reader, writer = (new, old) if pair.direction == "backward" else (old, new)
    for name, field in reader.items():
        if field.required and name not in writer and name not in covered:
            where = "`migrate:`" if pair.direction == "backward" else "`migrate: down:`"
            yield (
                frozenset({name}),
                (
                    f"`{name}` is required by the reader but the writer lacks it: give it a "
                    f"default, or add `defaults: {{{name}: ...}}` under {where}"
                ),
            )


# older type -> newer type: the converter whose up step turns one into the other (its
# inverse, derived for the way down, undoes it)
_CONVERTERS = {
    ("int", "string"): "int_to_string",
    ("string", "int"): "string_to_int",
    ("float", "string"): "float_to_string",
    ("string", "float"): "string_to_float",
    ("int", "float"): "int_to_float",
    ("float", "int"): "float_to_int",
}


def _type_name(kind: TypeExpr) -> str | None:
    if isinstance(kind, Primitive):
        return kind.name
    if isinstance(kind, ListOf) and isinstance(kind.item, Primitive):
        return f"list[{kind.item.name}]"
    return None


def _conversion(before: str | None, after: str | None) -> str | None:
    if before is None or after is None or before == after:
        return None
    if after == f"list[{before}]":
        return "wrap_list"
    if before == f"list[{after}]":
        return "unwrap_list"
    return _CONVERTERS.get((before, after))


def _conversions(
    old: dict[str, Field], new: dict[str, Field], covered: set[Any], pair: Pair
) -> Iterator[Suggestion]:
    for name, field in old.items():
        other = new.get(name)
        if other is None or name in covered:
            continue
        converter = _conversion(_type_name(field.type), _type_name(other.type))
        if converter is not None:
            yield (
                frozenset({name}),
                (
                    f"`{name}` changed from {_type_name(field.type)} to {_type_name(other.type)}: "
                    f"add `convert: {{{name}: {converter}}}` under `migrate:` of "
                    f"v{pair.new.number} (its inverse is derived for the way down)"
                ),
            )


def no_step_advice(pair: Pair, change: Change, path: tuple[str, ...], readable: Any) -> str:
    """What can help where no declarative step covers the change (a lower max_length...)."""
    rule = change.rule
    if rule == "STRING_MAX_LENGTH_NO_DECREASE" and path:
        field = ".".join(path)
        limit = _reader_keyword(readable, path, "maxLength")
        where = "`migrate:`" if pair.direction == "backward" else "`migrate: down:`"
        return (
            f"no step makes longer text fit without losing some: add `convert: {{{field}: "
            f"{{truncate: {limit}}}}}` under {where} to cut it (the rest is lost), keep "
            f"the old limit, or publish the new limit as a new message"
        )
    for prefix, what in _NO_STEP:
        if rule.startswith(prefix):
            return (
                f"no migration step can make every old value fit the new {what}: keep "
                "the old one, or publish the change as a new message (or a new field, "
                "filled by `defaults`)"
            )
    return ""


_NO_STEP = (
    ("NUMBER_", "bound"),
    ("STRING_MIN_LENGTH_NO_INCREASE", "min_length"),
    ("STRING_PATTERN_NO_ADD", "pattern"),
    ("STRING_FORMAT_NO_ADD", "format"),
    ("ARRAY_", "list limits"),
)


def _reader_keyword(readable: Any, path: tuple[str, ...], keyword: str) -> Any:
    """A keyword of the reader's (nested) field, or N when it cannot be read from there."""
    node = readable
    for part in path:
        props = node.get("properties") if isinstance(node, dict) else None
        node = props.get(part) if isinstance(props, dict) else None
    return node.get(keyword, "N") if isinstance(node, dict) else "N"
