"""Normalisers: valid data -> the data a version declares (TypeScript functions ``s<N>``).

They run only after the validator accepted the value, and rebuild every object
made from ``fields:`` in declaration order: unknown fields dropped, defaults
filled, absent optional fields left absent. Raw ``schema:`` versions and values
without objects inside pass through unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from registry.model import (
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
from registry.render.ts_node import has_key, js_string, js_value

IDENTITY = "ident"


@dataclass
class Shaper:
    """Collects the ``s<N>`` functions of one module."""

    registry: Registry
    check_of: Callable[[Ref], str]  # the check function of a shared type version
    functions: list[str] = field(default_factory=list)
    _names: dict[Any, str] = field(default_factory=dict)

    def version(self, name: str, number: int) -> str:
        """The function that normalises the data of one version (``ident`` for raw ones)."""
        version = self.registry.definitions[name].version(number)
        if version is None or version.fields is None:
            return IDENTITY
        fields = version.fields
        return self._function(("def", name, number), lambda fn: self._object(fn, fields))

    def _function(self, key: Any, build: Callable[[str], str]) -> str:
        if key not in self._names:
            name = f"s{len(self._names)}"
            self._names[key] = name
            self.functions.append(build(name))
        return self._names[key]

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

    def expr(self, texpr: TypeExpr, value: str, depth: int = 0) -> str:
        """A JavaScript expression normalising ``value`` (evaluated more than once)."""
        if not self.needs(texpr):
            return value
        return _SHAPES[type(texpr)](self, texpr, value, depth)

    def inline(self, texpr: InlineObject) -> str:
        fields = texpr.fields
        return self._function(("inline", id(texpr)), lambda n: self._object(n, fields))

    def one_of(self, refs: tuple[Ref, ...]) -> str:
        return self._function(("one_of", refs), lambda n: self._one_of(n, refs))

    def _one_of(self, name: str, refs: tuple[Ref, ...]) -> str:
        lines = [f"function {name}(x: any): any {{"]
        for ref in refs:
            lines.append(
                f"  if ({self.check_of(ref)}(x)) return {self.version(ref.name, ref.version)}(x);"
            )
        return "\n".join([*lines, "  return x;", "}"]) + "\n"

    def _object(self, name: str, fields: tuple[Field, ...]) -> str:
        lines = [f"function {name}(x: any): any {{", "  const o: any = {};"]
        for f in fields:
            lines += [f"  {line}" for line in self._field(f)]
        return "\n".join([*lines, "  return o;", "}"]) + "\n"

    def _field(self, f: Field) -> list[str]:
        key = js_string(f.name)
        value = self.expr(f.type, f"x[{key}]")
        if f.has_default:
            value = f"{has_key('x', f.name)} ? {value} : {_default(f.default)}"
        elif not f.required:
            return [f"if ({has_key('x', f.name)}) {_assign(f.name, value)}"]
        return [_assign(f.name, value)]


def _ref(shaper: Shaper, texpr: Ref, value: str, depth: int) -> str:
    return f"{shaper.version(texpr.name, texpr.version)}({value})"


def _inline(shaper: Shaper, texpr: InlineObject, value: str, depth: int) -> str:
    return f"{shaper.inline(texpr)}({value})"


def _list(shaper: Shaper, texpr: ListOf, value: str, depth: int) -> str:
    item = f"i{depth}"
    return f"{value}.map(({item}: any) => {shaper.expr(texpr.item, item, depth + 1)})"


def _map(shaper: Shaper, texpr: MapOf, value: str, depth: int) -> str:
    item = f"i{depth}"
    return f"mapValues({value}, ({item}: any) => {shaper.expr(texpr.value, item, depth + 1)})"


def _nullable(shaper: Shaper, texpr: Nullable, value: str, depth: int) -> str:
    return f"({value} === null ? null : {shaper.expr(texpr.inner, value, depth)})"


def _one_of(shaper: Shaper, texpr: OneOf, value: str, depth: int) -> str:
    return f"{shaper.one_of(texpr.refs)}({value})"


_SHAPES: dict[type, Callable[[Shaper, Any, str, int], str]] = {
    Ref: _ref,
    InlineObject: _inline,
    ListOf: _list,
    MapOf: _map,
    Nullable: _nullable,
    OneOf: _one_of,
}


def _assign(name: str, value: str) -> str:
    if name == "__proto__":
        return f"setOwn(o, {js_string(name)}, {value});"
    return f"o[{js_string(name)}] = {value};"


def _default(value: Any) -> str:
    literal = js_value(value)
    if literal is not None:
        return literal
    return f"JSON.parse({js_string(json.dumps(value, ensure_ascii=True))})"
