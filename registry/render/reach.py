"""What a version's data can hold: one walk over its fields, for every renderer.

``reached`` visits every field a message version's data can hold, with its JSON Pointer into
the data: into inline objects, the items of lists and the values of maps (written ``*``),
and the shared types a field names (a ``one_of`` through each branch). A shared type that
refers to itself is entered once on each path, so the walk ends on recursive types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from registry.model import (
    Field,
    InlineObject,
    ListOf,
    MapOf,
    Nullable,
    OneOf,
    Primitive,
    Ref,
    Registry,
    TypeExpr,
    Version,
)

EVERY = "*"  # in a pointer: every item of a list, every value of a map


@dataclass(frozen=True)
class Reached:
    """One field as the data holds it: where, and the type that holds it there."""

    pointer: str
    field: Field


def pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def target(registry: Registry, ref: Ref) -> Version | None:
    """The version of a shared type that ``ref`` names (None when it is not there)."""
    definition = registry.definitions.get(ref.name)
    return definition.version(ref.version) if definition is not None else None


def reached(registry: Registry, version: Version) -> Iterator[Reached]:
    """Every field the data of ``version`` can hold, outermost first."""
    yield from _fields(registry, version.fields or (), "", frozenset())


def _is_raw(registry: Registry, ref: Ref) -> bool:
    found = target(registry, ref)
    return found is not None and found.fields is None


def fields_of(registry: Registry, version: Version) -> Iterator[Field]:
    """Every field the data of ``version`` can hold, each shared type visited once (no
    pointers: cheaper than ``reached`` where only the fields matter)."""
    seen: set[Ref] = set()
    todo = list(version.fields or ())
    while todo:
        f = todo.pop()
        yield f
        holder = _holder(f.type)
        if isinstance(holder, InlineObject):
            todo += holder.fields
        for ref in _refs(holder):
            found = target(registry, ref)
            if ref not in seen and found is not None and found.fields is not None:
                seen.add(ref)
                todo += found.fields


def holds_any(registry: Registry, version: Version) -> bool:
    """Whether the data may hold a JSON value of any type: an ``any`` field, an item or value
    of one, or a raw ``schema:`` version (only there can NaN or 1e400 reach a model)."""
    if version.fields is None:
        return True
    for f in fields_of(registry, version):
        holder = _holder(f.type)
        if holder == Primitive("any") or any(_is_raw(registry, r) for r in _refs(holder)):
            return True
    return False


def _holder(texpr: TypeExpr) -> TypeExpr:
    """The type below nullability, list items and map values."""
    while isinstance(texpr, (Nullable, ListOf, MapOf)):
        texpr = (
            texpr.inner
            if isinstance(texpr, Nullable)
            else texpr.item
            if isinstance(texpr, ListOf)
            else texpr.value
        )
    return texpr


def _refs(texpr: TypeExpr) -> tuple[Ref, ...]:
    if isinstance(texpr, Ref):
        return (texpr,)
    return texpr.refs if isinstance(texpr, OneOf) else ()


def _fields(
    registry: Registry, fields: tuple[Field, ...], prefix: str, entered: frozenset[Ref]
) -> Iterator[Reached]:
    for f in fields:
        pointer = f"{prefix}/{pointer_token(f.name)}"
        yield Reached(pointer, f)
        yield from _inside(registry, f.type, pointer, entered)


def _inside(
    registry: Registry, texpr: TypeExpr, pointer: str, entered: frozenset[Ref]
) -> Iterator[Reached]:
    if isinstance(texpr, Nullable):
        yield from _inside(registry, texpr.inner, pointer, entered)
    elif isinstance(texpr, (ListOf, MapOf)):
        inner = texpr.item if isinstance(texpr, ListOf) else texpr.value
        yield from _inside(registry, inner, f"{pointer}/{EVERY}", entered)
    elif isinstance(texpr, InlineObject):
        yield from _fields(registry, texpr.fields, pointer, entered)
    for ref in _refs(texpr):
        found = target(registry, ref)
        if found is not None and found.fields is not None and ref not in entered:
            yield from _fields(registry, found.fields, pointer, entered | {ref})
