"""The TypeScript declarations of a registry: one interface per version, aliases, Envelope.

Names come from ``naming.definition_classes`` (``MessageSentV2``, alias
``MessageSent``); inline objects are ``<Parent>V<n><FieldCamel>`` (nested ones
``<Inline><FieldCamel>``), numbered when two would clash. Text from definitions
only reaches the output through ``doc_comment`` and ``js_string``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from registry.compile.model import (
    Const,
    Definition,
    Enum,
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
)
from registry.compile.naming import camel
from registry.render.ts_node import js_string, js_value

IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
PRIMITIVE_TYPES = {"int": "number", "float": "number", "bool": "boolean", "any": "unknown"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\ufeff]")


@dataclass(frozen=True)
class Property:
    key: str  # the wire name, quoted when it is not an identifier
    type: str
    optional: bool
    doc: tuple[str, ...]


@dataclass(frozen=True)
class Declaration:
    """``export interface`` (properties) or ``export type`` (alias) with its doc lines."""

    name: str
    doc: tuple[str, ...]
    properties: tuple[Property, ...] = ()
    alias: str | None = None


def doc_comment(*texts: str, indent: str = "") -> tuple[str, ...]:
    """The lines of a ``/** ... */`` comment holding ``texts``, which cannot close it early."""
    lines: list[str] = []
    for text in texts:
        if not text:
            continue
        clean = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
        clean = clean.replace("*/", "*\\/")
        if lines:
            lines.append("")
        lines += clean.rstrip("\n").split("\n")
    if not lines:
        return ()
    if len(lines) == 1:
        return (f"{indent}/** {lines[0].rstrip()} */",)  # one line: one line of comment
    body = [f"{indent} * {line}".rstrip() for line in lines]
    return (f"{indent}/**", *body, f"{indent} */")


def one_line(text: str) -> str:
    """Text fit for a ``//`` comment: one line, no control characters."""
    return _CONTROL.sub(" ", text.replace("\r", " ").replace("\n", " "))


def property_key(name: str) -> str:
    return name if IDENTIFIER.match(name) and name != "__proto__" else js_string(name)


def literal_type(value: Any) -> str:
    literal = js_value(value)
    return literal if literal is not None else "unknown"


@dataclass
class TypeNamer:
    """Builds the declarations, naming inline objects as it meets them."""

    registry: Registry
    classes: dict[str, str]
    taken: set[str]
    declarations: list[Declaration] = field(default_factory=list)
    inline_names: dict[int, str] = field(default_factory=dict)

    def version_name(self, name: str, number: int) -> str:
        return f"{self.classes[name]}V{number}"

    def ts_type(self, texpr: TypeExpr, context: str, wire: str) -> str:
        return _TS_TYPES[type(texpr)](self, texpr, context, wire)

    def inline(self, texpr: InlineObject, proposed: str) -> str:
        key = id(texpr)
        if key not in self.inline_names:
            name, n = proposed, 2
            while name in self.taken:
                name, n = f"{proposed}{n}", n + 1
            self.taken.add(name)
            self.inline_names[key] = name
            self.interface(name, (), texpr.fields)
        return self.inline_names[key]

    def interface(self, name: str, doc: tuple[str, ...], fields: tuple[Field, ...]) -> None:
        index = len(self.declarations)
        self.declarations.append(Declaration(name, doc))  # placeholder keeps parents first
        props = tuple(self.property(f, name) for f in fields)
        self.declarations[index] = Declaration(name, doc, props)

    def property(self, f: Field, parent: str) -> Property:
        texts = [f.description, "@deprecated" if f.deprecated else ""]
        if f.has_default:
            texts.append(f"Default: {json.dumps(f.default, ensure_ascii=False)}.")
        return Property(
            property_key(f.name),
            self.ts_type(f.type, parent, f.name),
            not f.required,
            doc_comment(*texts, indent="  "),
        )

    def definition(self, definition: Definition) -> None:
        for version in definition.versions:
            name = self.version_name(definition.name, version.number)
            doc = doc_comment(
                version.description or definition.description,
                f"{definition.name} v{version.number}, from {definition.file}",
                "@deprecated" if version.deprecated else "",
            )
            if version.fields is None:
                raw = "Record<string, unknown>" if definition.kind == "message" else "unknown"
                self.declarations.append(Declaration(name, doc, alias=raw))
            else:
                self.interface(name, doc, version.fields)
        latest = self.version_name(definition.name, definition.latest.number)
        self.declarations.append(
            Declaration(
                self.classes[definition.name],
                doc_comment(f"The latest version of {definition.name}."),
                alias=latest,
            )
        )


def _primitive(_: TypeNamer, texpr: Primitive, context: str, wire: str) -> str:
    return PRIMITIVE_TYPES.get(texpr.name, "string")


def _list(namer: TypeNamer, texpr: ListOf, context: str, wire: str) -> str:
    return f"Array<{namer.ts_type(texpr.item, context, wire)}>"


def _map(namer: TypeNamer, texpr: MapOf, context: str, wire: str) -> str:
    return f"Record<string, {namer.ts_type(texpr.value, context, wire)}>"


def _ref(namer: TypeNamer, texpr: Ref, context: str, wire: str) -> str:
    return namer.version_name(texpr.name, texpr.version)


def _nullable(namer: TypeNamer, texpr: Nullable, context: str, wire: str) -> str:
    return f"{namer.ts_type(texpr.inner, context, wire)} | null"


def _enum(_: TypeNamer, texpr: Enum, context: str, wire: str) -> str:
    return " | ".join(dict.fromkeys(literal_type(v) for v in texpr.values)) or "never"


def _const(_: TypeNamer, texpr: Const, context: str, wire: str) -> str:
    return literal_type(texpr.value)


def _one_of(namer: TypeNamer, texpr: OneOf, context: str, wire: str) -> str:
    return " | ".join(namer.version_name(r.name, r.version) for r in texpr.refs)


def _inline(namer: TypeNamer, texpr: InlineObject, context: str, wire: str) -> str:
    return namer.inline(texpr, context + (camel(wire) or "Field"))


# TypeExpr form -> its TypeScript type (the JSON Schema -> TypeScript table of STYLE.md)
_TS_TYPES: dict[type, Callable[[TypeNamer, Any, str, str], str]] = {
    Primitive: _primitive,
    ListOf: _list,
    MapOf: _map,
    Ref: _ref,
    Nullable: _nullable,
    Enum: _enum,
    Const: _const,
    OneOf: _one_of,
    InlineObject: _inline,
}


def envelope_members(registry: Registry, namer: TypeNamer) -> list[str]:
    """The members of the ``_Messages`` interface that ``Envelope`` maps: one per message,
    its data type by live version (``"chat.message_sent": { 1: MessageSentV1; ... }``)."""
    members = []
    for definition in sorted(registry.messages, key=lambda d: d.name):
        versions = " ".join(
            f"{version.number}: {namer.version_name(definition.name, version.number)};"
            for version in definition.versions
        )
        members.append(f"{js_string(definition.name)}: {{ {versions} }};")
    return members
