"""The protocol descriptor both generated packages export as ``PROTOCOL``.

What the runtime needs to know of a registry without reading its YAML: its name (sent in
``wiretype.hello``), and for each message its live versions, who may send it, and the
JSON Pointers into its data of the fields marked ``sensitive: true``, which the runtime
redacts wherever it logs data (``*`` stands for every item of a list or value of a map)::

    {"name": "chat", "messages": {"chat.message_sent": {
        "versions": [1, 2, 3], "latest": 3, "direction": "both", "sensitive": ["/body"]}}}

Shared types are not messages and are not listed.
"""

from __future__ import annotations

from typing import Any

from registry.model import (
    Definition,
    Field,
    InlineObject,
    ListOf,
    MapOf,
    Nullable,
    Registry,
    TypeExpr,
)
from registry.render.reach import holds_any, reached


def protocol(registry: Registry, name: str) -> dict[str, Any]:
    """The descriptor of ``registry``, whose name is ``name``: plain JSON data."""
    messages = sorted(registry.messages, key=lambda d: d.name)
    marked = _any_sensitive(registry)  # most registries mark nothing: no walk then
    return {"name": name, "messages": {d.name: _message(registry, d, marked) for d in messages}}


def _message(registry: Registry, definition: Definition, marked: bool) -> dict[str, Any]:
    versions = [v.number for v in definition.versions]
    return {
        "versions": versions,
        "latest": versions[-1],
        "direction": definition.direction,
        "sensitive": sensitive(registry, definition) if marked else [],
    }


def _any_sensitive(registry: Registry) -> bool:
    """Whether any field of any definition (inline objects included) is marked."""
    todo = [f for d in registry.definitions.values() for v in d.versions for f in v.fields or ()]
    while todo:
        f = todo.pop()
        if f.sensitive:
            return True
        todo += _inline_fields(f.type)
    return False


def _inline_fields(texpr: TypeExpr) -> tuple[Field, ...]:
    while isinstance(texpr, (Nullable, ListOf, MapOf)):
        texpr = (
            texpr.inner
            if isinstance(texpr, Nullable)
            else (texpr.item if isinstance(texpr, ListOf) else texpr.value)
        )
    return texpr.fields if isinstance(texpr, InlineObject) else ()


def sensitive(registry: Registry, definition: Definition) -> list[str]:
    """The pointers of the sensitive fields of any live version (a field inside a sensitive
    one is covered by it, and not listed again)."""
    marked = sorted(
        {
            item.pointer
            for version in definition.versions
            for item in reached(registry, version)
            if item.field.sensitive
        }
    )
    return [p for p in marked if not any(p.startswith(f"{q}/") for q in marked)]


def non_finite_versions(registry: Registry) -> list[tuple[str, int]]:
    """The message versions whose data may hold a JSON value of any type (an ``any`` field,
    a raw ``schema:``): only there can NaN, Infinity or 1e400 reach a model, so a reader that
    validates frames by itself looks for them in the text first."""
    return [
        (d.name, v.number)
        for d in sorted(registry.messages, key=lambda d: d.name)
        for v in d.versions
        if holds_any(registry, v)
    ]
