"""Normalisers: valid data -> the data a version declares (TypeScript ``s<N>``).

They run only after the validator accepted the value, and rebuild every object
made from ``fields:`` in declaration order: unknown fields dropped, defaults
filled, absent optional fields left absent. Raw ``schema:`` versions and values
without objects inside pass through unchanged.

An object's normaliser is ``function s<N>(x) { return shape(x, '<fields>', ...refs); }``
(``templates/typescript/static/shapes.ts``): each field is ``[name, how, value]`` or
``[name, 2, value, default]`` (``how``: 0 required, 1 optional, 2 defaulted), or only its
name for a required field kept as it is (``[name, 0, 0]``), where
``value`` says how to normalise the field's value: ``0`` as it is, ``["s", i]`` by the
normaliser ``refs[i]``, ``["list", value]``, ``["map", value]``, ``["null", value]``.
A ``one_of`` is ``pick(x, check, normaliser, ...)``: the first branch that matches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from registry.compile.model import (
    Field,
    InlineObject,
    ListOf,
    MapOf,
    Nullable,
    OneOf,
    Ref,
    Registry,
    TypeExpr,
)
from registry.render.ts_node import js_json

IDENTITY = "ident"
_OPTIONAL, _DEFAULTED = 1, 2


@dataclass
class Shaper:
    """Collects the normalisers ``s<N>`` of one module."""

    registry: Registry
    check_of: Callable[[Ref], str]  # the check function of a shared type version
    functions: list[str] = field(default_factory=list)
    _names: dict[Any, str] = field(default_factory=dict)
    _bodies: dict[str, str] = field(default_factory=dict)  # a function's text -> its name
    _pending: set[str] = field(default_factory=set)  # names being built
    _cyclic: set[str] = field(default_factory=set)  # names handed out while being built
    _count: int = 0

    def version(self, name: str, number: int) -> str:
        """The function that normalises the data of one version (``ident`` for raw ones)."""
        version = self.registry.definitions[name].version(number)
        if version is None or version.fields is None:
            return IDENTITY
        fields = version.fields
        return self._function(("def", name, number), lambda fn: self._object(fn, fields))

    def _function(self, key: Any, build: Callable[[str], str]) -> str:
        """The normaliser of ``key``, built once; normalisers that would be written the
        same (the same fields of other versions and messages) are one function."""
        if key in self._names:
            if self._names[key] in self._pending:
                self._cyclic.add(self._names[key])
            return self._names[key]
        number, self._count = self._count, self._count + 1
        name = f"s{number}"
        self._names[key] = name
        self._pending.add(name)
        text = build(name)
        self._pending.discard(name)
        body = text.split("(", 1)[1]
        same = self._bodies.get(body)
        if same is not None and name not in self._cyclic:
            self._names[key] = same
            if self._count == number + 1:
                self._count = number  # nothing was numbered after it: the number is free
            return same
        self._bodies[body] = name
        self.functions.append(text)
        return name

    def needs(self, texpr: TypeExpr) -> bool:
        if isinstance(texpr, InlineObject):
            return True
        if isinstance(texpr, Ref):
            version = self.registry.definitions[texpr.name].version(texpr.version)
            return version is not None and version.fields is not None
        if isinstance(texpr, (ListOf, MapOf)):
            return self.needs(texpr.item if isinstance(texpr, ListOf) else texpr.value)
        if isinstance(texpr, Nullable):
            return self.needs(texpr.inner)
        if isinstance(texpr, OneOf):
            return any(self.needs(r) for r in texpr.refs)
        return False

    def inline(self, texpr: InlineObject) -> str:
        fields = texpr.fields
        return self._function(("inline", id(texpr)), lambda n: self._object(n, fields))

    def one_of(self, refs: tuple[Ref, ...]) -> str:
        return self._function(("one_of", refs), lambda n: self._one_of(n, refs))

    def _one_of(self, name: str, refs: tuple[Ref, ...]) -> str:
        pairs = [f"{self.check_of(r)}, {self.version(r.name, r.version)}" for r in refs]
        return f"function {name}(x: any): any {{\n  return pick(x, {', '.join(pairs)});\n}}\n"

    def _object(self, name: str, fields: tuple[Field, ...]) -> str:
        refs: list[str] = []
        described = [self._field(f, refs) for f in fields]
        args = ", ".join(["x", js_json(described), *refs])
        return f"function {name}(x: any): any {{\n  return shape({args});\n}}\n"

    def _field(self, f: Field, refs: list[str]) -> Any:
        value = self.describe(f.type, refs)
        if f.has_default:
            return [f.name, _DEFAULTED, value, f.default]
        if f.required and value == 0:
            return f.name  # the most common field: required, kept as it is
        return [f.name, 0 if f.required else _OPTIONAL, value]

    def describe(self, texpr: TypeExpr, refs: list[str]) -> Any:
        """How to normalise a value of ``texpr``: 0 when it needs nothing."""
        if not self.needs(texpr):
            return 0
        return _SHAPES[type(texpr)](self, texpr, refs)


def _refer(refs: list[str], name: str) -> list[Any]:
    if name not in refs:
        refs.append(name)
    return ["s", refs.index(name)]


def _ref(shaper: Shaper, texpr: Ref, refs: list[str]) -> Any:
    return _refer(refs, shaper.version(texpr.name, texpr.version))


def _inline(shaper: Shaper, texpr: InlineObject, refs: list[str]) -> Any:
    return _refer(refs, shaper.inline(texpr))


def _list(shaper: Shaper, texpr: ListOf, refs: list[str]) -> Any:
    return ["list", shaper.describe(texpr.item, refs)]


def _map(shaper: Shaper, texpr: MapOf, refs: list[str]) -> Any:
    return ["map", shaper.describe(texpr.value, refs)]


def _nullable(shaper: Shaper, texpr: Nullable, refs: list[str]) -> Any:
    return ["null", shaper.describe(texpr.inner, refs)]


def _one_of(shaper: Shaper, texpr: OneOf, refs: list[str]) -> Any:
    return _refer(refs, shaper.one_of(texpr.refs))


_SHAPES: dict[type, Callable[[Shaper, Any, list[str]], Any]] = {
    Ref: _ref,
    InlineObject: _inline,
    ListOf: _list,
    MapOf: _map,
    Nullable: _nullable,
    OneOf: _one_of,
}
