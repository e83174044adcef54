"""What the generated validators cannot check, as findings: the same for every target.

The TypeScript validators are compiled from each version's JSON Schema; a raw ``schema:``
that needs what they do not implement (dynamic scope, ``unevaluated*``, an ``$id`` below the
root, a reference to another document) cannot be generated in either language without one
package accepting what the other refuses. So ``generate`` refuses it for every target
alike, with a ``SCHEMA_NOT_GENERATED`` error at the keyword's line (``lint`` warns).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from registry.diagnostics import Finding
from registry.jsonschema import version_document
from registry.model import Definition, Registry, Version
from registry.render.ts_node import NotGenerated
from registry.render.ts_validators import SchemaCompiler
from registry.source import Document, NodePath

RULE = "SCHEMA_NOT_GENERATED"


def unsupported(registry: Registry, documents: Mapping[str, Document]) -> list[Finding]:
    """One finding per raw version whose schema the validators cannot implement."""
    return [
        finding
        for name in sorted(registry.definitions)
        for version in registry.definitions[name].versions
        if version.fields is None
        for finding in _refused(registry, registry.definitions[name], version, documents)
    ]


def _refused(
    registry: Registry, definition: Definition, version: Version, documents: Mapping[str, Document]
) -> Iterator[Finding]:
    document = version_document(registry, definition, version, closed=False)
    try:
        SchemaCompiler().compile(document)
    except NotGenerated as exc:
        tokens = _tokens(exc.pointer or "#")
        if tokens[:1] == ["$defs"] and not _own_def(version.schema, tokens):
            return  # inside a shared type the schema refers to: reported there
        path = _node_path(version, tokens)
        doc = documents.get(definition.name)
        line, column = doc.where(path) if doc is not None else (version.location.line, 1)
        yield Finding(
            definition.file,
            line,
            column,
            RULE,
            f"{definition.name} v{version.number}: {exc.reason}, so `wiretype generate` "
            "cannot write a validator that accepts exactly this schema",
            hint="write the schema without it (lint warns where it can)",
            subject=f"{definition.name}@{version.number}",
            path=exc.pointer or "#",
        )


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")[1:]]


def _own_def(schema: Any, tokens: list[str]) -> bool:
    defs = schema.get("$defs") if isinstance(schema, dict) else None
    return isinstance(defs, dict) and len(tokens) > 1 and tokens[1] in defs


def _node_path(version: Version, tokens: list[str]) -> NodePath:
    """The YAML node of a pointer into the version's schema (list indexes as numbers)."""
    path: list[Any] = ["versions", version.number, "schema"]
    node = version.schema
    for token in tokens:
        key: Any = int(token) if isinstance(node, list) and token.isdigit() else token
        path.append(key)
        node = node[key] if isinstance(node, (dict, list)) and _has(node, key) else None
    return tuple(path)


def _has(node: dict[str, Any] | list[Any], key: Any) -> bool:
    return key in node if isinstance(node, dict) else isinstance(key, int) and key < len(node)
