"""The registry -> JSON Schema 2020-12, through a table of emitters (one per type form).

Each version has two views:

* **closed** -- what a writer may send: every object built from ``fields:`` has
  ``additionalProperties: false``;
* **open** -- what a reader accepts: the same, with undeclared fields allowed.

Shared types land in ``$defs`` under ``<name>.v<N>`` (``common.user.v2``) and are
referenced with ``$ref``, so recursive types work. A raw ``schema:`` is taken as
written in both views; its bare references to shared types (``$ref: common.user``)
are pointed at ``$defs``. Output is deterministic: callers dump with sorted keys.
"""

from __future__ import annotations

import copy
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
    Version,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ANNOTATIONS = ("title", "description", "examples", "$comment", "deprecated")

PRIMITIVE_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "uuid": {"type": "string", "format": "uuid"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "uri": {"type": "string", "format": "uri"},
    "email": {"type": "string", "format": "email"},
    "any": {},
}
_BARE_REF = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*?)(?:@([0-9]+))?$")


def def_key(name: str, version: int) -> str:
    """The ``$defs`` key of a shared type version."""
    return f"{name}.v{version}"


@dataclass
class _Emitter:
    """Emits schemas for one document, collecting the shared types it reaches."""

    registry: Registry
    closed: bool
    annotations: bool = True  # False: the bare view, as ``strip_annotations`` would leave it
    defs: dict[str, Any] = field(default_factory=dict)

    def type_schema(self, texpr: TypeExpr) -> dict[str, Any]:
        return _EMITTERS[type(texpr)](self, texpr)

    def object_schema(self, fields: tuple[Field, ...]) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {f.name: self.field_schema(f) for f in fields},
        }
        required = [f.name for f in fields if f.required]
        if required:
            schema["required"] = required
        if self.closed:
            schema["additionalProperties"] = False
        return schema

    def constrained(
        self, texpr: TypeExpr, constraints: tuple[tuple[str, Any], ...]
    ) -> dict[str, Any]:
        """The schema of a type with constraints (on the non-null part of a nullable)."""
        schema = self.type_schema(texpr)
        if constraints:
            target = schema["anyOf"][0] if isinstance(texpr, Nullable) else schema
            target.update(dict(constraints))
        return schema

    def field_schema(self, f: Field) -> dict[str, Any]:
        schema = self.constrained(f.type, f.constraints)
        if f.description and self.annotations:
            schema["description"] = f.description
        if f.has_default:
            schema["default"] = f.default
        if f.deprecated and self.annotations:
            schema["deprecated"] = True
        return schema

    def version_schema(self, version: Version) -> Any:
        """An object schema for ``fields:``; a raw ``schema:`` (maybe a boolean) as written."""
        if version.fields is None:
            raw = self.raw(version.schema)
            return raw if self.annotations else strip_annotations(raw)
        return self.object_schema(version.fields)

    def reference(self, ref: Ref) -> dict[str, Any]:
        key = def_key(ref.name, ref.version)
        if key not in self.defs:
            self.defs[key] = {}  # placeholder first: a recursive type refers to itself
            definition = self.registry.definitions.get(ref.name)
            version = definition.version(ref.version) if definition else None
            body = self.version_schema(version) if version else {}
            if definition is not None and definition.description and self.annotations:
                body.setdefault("description", definition.description)
            self.defs[key] = body
        return {"$ref": f"#/$defs/{key}"}

    def raw(self, schema: Any) -> Any:
        """A raw schema, copied, with bare shared-type references pointed at ``$defs``."""
        if isinstance(schema, list):
            return [self.raw(item) for item in schema]
        if not isinstance(schema, dict):
            return copy.deepcopy(schema)
        out = {key: self.raw(value) for key, value in schema.items()}
        ref = schema.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            target = resolve_bare_ref(self.registry, ref)
            if target is not None:
                out["$ref"] = self.reference(target)["$ref"]
        return out


def resolve_bare_ref(registry: Registry, ref: str) -> Ref | None:
    """``common.user`` or ``common.user@2`` -> a Ref, when that shared type exists."""
    match = _BARE_REF.match(ref)
    definition = registry.definitions.get(match.group(1)) if match else None
    if match is None or definition is None or definition.kind != "type":
        return None
    number = int(match.group(2)) if match.group(2) else definition.latest.number
    return Ref(definition.name, number) if definition.version(number) else None


def _primitive(_: _Emitter, texpr: Primitive) -> dict[str, Any]:
    return dict(PRIMITIVE_SCHEMAS[texpr.name])


def _list(em: _Emitter, texpr: ListOf) -> dict[str, Any]:
    return {"type": "array", "items": em.constrained(texpr.item, texpr.item_constraints)}


def _map(em: _Emitter, texpr: MapOf) -> dict[str, Any]:
    values = em.constrained(texpr.value, texpr.value_constraints)
    return {"type": "object", "additionalProperties": values}


def _nullable(em: _Emitter, texpr: Nullable) -> dict[str, Any]:
    return {"anyOf": [em.type_schema(texpr.inner), {"type": "null"}]}


def _inline(em: _Emitter, texpr: InlineObject) -> dict[str, Any]:
    return em.object_schema(texpr.fields)


def _enum(_: _Emitter, texpr: Enum) -> dict[str, Any]:
    return {"enum": list(texpr.values)}


def _const(_: _Emitter, texpr: Const) -> dict[str, Any]:
    return {"const": texpr.value}


def _one_of(em: _Emitter, texpr: OneOf) -> dict[str, Any]:
    schema: dict[str, Any] = {"oneOf": [em.reference(ref) for ref in texpr.refs]}
    if texpr.discriminator:
        schema["discriminator"] = {"propertyName": texpr.discriminator}
    return schema


_EMITTERS: dict[type, Callable[[Any, Any], dict[str, Any]]] = {
    Primitive: _primitive,
    ListOf: _list,
    MapOf: _map,
    Ref: lambda em, ref: em.reference(ref),
    Nullable: _nullable,
    InlineObject: _inline,
    Enum: _enum,
    Const: _const,
    OneOf: _one_of,
}


def version_document(
    registry: Registry,
    definition: Definition,
    version: Version,
    *,
    closed: bool = True,
    annotations: bool = True,
) -> Any:
    """The standalone JSON Schema document of one version (``annotations=False``: the
    same as ``strip_annotations`` of it, key order included, without building them)."""
    em = _Emitter(registry, closed, annotations)
    body = em.version_schema(version)
    if not isinstance(body, dict):
        return body  # a raw boolean schema
    doc: dict[str, Any] = {"$schema": DIALECT}
    if annotations:
        doc["title"] = f"{definition.name} v{version.number}"
        description = version.description or definition.description
        if description:
            doc["description"] = description
    doc.update(body)
    if em.defs:
        doc["$defs"] = {**doc.get("$defs", {}), **dict(sorted(em.defs.items()))}
    return doc


def field_document(registry: Registry, f: Field, closed: bool = True) -> dict[str, Any]:
    """The schema of one field (with the ``$defs`` it needs), to validate its default."""
    em = _Emitter(registry, closed)
    schema = em.field_schema(f)
    schema.pop("default", None)
    if em.defs:
        schema["$defs"] = dict(sorted(em.defs.items()))
    return schema


def strip_annotations(schema: Any) -> Any:
    """The schema without annotations, which never change what it accepts."""
    if isinstance(schema, list):
        return [strip_annotations(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in _ANNOTATION_KEYS:
            continue
        if key in _SCHEMA_MAPS:
            out[key] = (
                {k: strip_annotations(v) for k, v in value.items()}
                if isinstance(value, dict)
                else value
            )
        elif key in _DATA_KEYS or not isinstance(value, dict | list):
            out[key] = value  # data, or a plain value (most of them): nothing to strip
        else:
            out[key] = strip_annotations(value)
    return out


_ANNOTATION_KEYS = frozenset(ANNOTATIONS)
_SCHEMA_MAPS = frozenset({"properties", "$defs", "patternProperties", "dependentSchemas"})
_DATA_KEYS = frozenset({"enum", "const", "default"})
