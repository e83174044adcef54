"""Suggest the migration step that would cover a breaking change.

Looks at the top-level fields of the two versions, not at the engine's
findings, so the advice reads like what a reviewer would say: "`text` was
removed and `body` added with the same type: did you mean `rename: {text: body}`?"
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from registry.jsonschema import strip_annotations, version_document
from registry.model import Enum, Field, Registry, Step, Version

if TYPE_CHECKING:
    from registry.policy import Pair


Suggestion = tuple[frozenset[str], str]  # the fields it is about, and the advice


def suggestions(registry: Registry, pair: Pair, steps: list[Step]) -> list[Suggestion]:
    covered = {s.field for s in steps} | {s.arg for s in steps if isinstance(s.arg, str)}
    old, new = _fields(pair.old), _fields(pair.new)
    found = list(_renames(registry, pair, old, new, covered))
    found += _enum_values(old, new, covered, pair.direction)
    found += _new_required(old, new, covered, pair)
    return found


def advice_for(found: list[Suggestion], field: str | None) -> str:
    """The suggestions about ``field`` (all of them when the change names no field): advice
    about another field would send the reader the wrong way."""
    return "; ".join(text for fields, text in found if field is None or field in fields)


def _fields(version: Version) -> dict[str, Field]:
    return {f.name: f for f in version.fields or ()}


def _signature(registry: Registry, pair: Pair, version: Version, name: str) -> str:
    props = version_document(registry, pair.definition, version).get("properties", {})
    return json.dumps(strip_annotations(props.get(name)), sort_keys=True)


def _renames(registry: Registry, pair: Pair, old: dict[str, Field], new: dict[str, Field],
             covered: set[Any]) -> Iterator[Suggestion]:
    gone = [n for n in old if n not in new and n not in covered]
    added = [n for n in new if n not in old and n not in covered]
    for before in gone:
        same = [a for a in added
                if _signature(registry, pair, pair.old, before)
                == _signature(registry, pair, pair.new, a)]
        kind = "the same type" if same else None
        candidates = same or (added if len(gone) == len(added) == 1 else [])
        for after in candidates[:1]:
            detail = f"with {kind}" if kind else "in its place"
            yield frozenset({before, after}), (
                f"`{before}` was removed and `{after}` added {detail}: did you mean "
                f"`rename: {{{before}: {after}}}` under `migrate:` of v{pair.new.number}?")


def _enum_values(old: dict[str, Field], new: dict[str, Field], covered: set[Any],
                 direction: str) -> Iterator[Suggestion]:
    for name, field in old.items():
        other = new.get(name)
        if other is None or name in covered:
            continue
        if isinstance(field.type, Enum) and isinstance(other.type, Enum):
            pair = (field.type, other.type) if direction == "backward" else (other.type, field.type)
            missing = [v for v in pair[0].values if v not in pair[1].values]
            if missing:
                where = "" if direction == "backward" else "`down:` "
                yield frozenset({name}), (
                    f"values {missing} of `{name}` are not in the other version: map them "
                    f"with {where}`values: {{{name}: {{{missing[0]}: ...}}}}`")


def _new_required(old: dict[str, Field], new: dict[str, Field], covered: set[Any],
                  pair: Pair) -> Iterator[Suggestion]:
    reader, writer = (new, old) if pair.direction == "backward" else (old, new)
    for name, field in reader.items():
        if field.required and name not in writer and name not in covered:
            where = "`migrate:`" if pair.direction == "backward" else "`migrate: down:`"
            yield frozenset({name}), (
                f"`{name}` is required by the reader but the writer lacks it: give it a "
                f"default, or add `defaults: {{{name}: ...}}` under {where}")
