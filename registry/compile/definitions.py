"""YAML documents -> the frozen ``Registry``, with a finding for every mistake.

Two passes: the first learns every definition's name, kind and version numbers
(so references can be resolved and checked), the second compiles each file.
All findings are collected; compiling never stops at the first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from registry.compile.context import FileContext
from registry.compile.migrate import parse_migration
from registry.compile.migrate_names import Side, side_of
from registry.compile.model import Definition, Migration, Registry, Version
from registry.compile.shorthand import parse_fields
from registry.findings import Finding
from registry.load.source import Document, NodePath
from registry.mode import FULL, NAMES, Mode, parse_mode

_TOP_KEYS = {
    "description",
    "compatibility",
    "direction",
    "versions",
    "kind",
    "deprecated",
    "allow_unproven",
    "class_name",
}
_VERSION_KEYS = {"fields", "schema", "description", "examples", "migrate", "deprecated"}
_DIRECTIONS = ("client_to_server", "server_to_client", "both")
_CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def compile_registry(
    documents: Mapping[str, Document], default_mode: Mode = FULL, allow_unproven: bool = False
) -> tuple[Registry, list[Finding]]:
    """Compile every document (keyed by definition name) into one registry."""
    findings: list[Finding] = []
    known = type_index(documents)
    definitions = {}
    for name in sorted(documents):
        definition, found = compile_definition(
            documents[name], name, known, default_mode, allow_unproven
        )
        findings += found
        if definition is not None:
            definitions[name] = definition
    return Registry(definitions), findings


def compile_definition(
    doc: Document,
    name: str,
    known: Mapping[str, tuple[int, ...]],
    default_mode: Mode = FULL,
    allow_unproven: bool = False,
) -> tuple[Definition | None, list[Finding]]:
    """Compile one document; ``known`` is the registry's ``type_index``."""
    ctx = FileContext(doc, name, known)
    definition = _definition(ctx, name, default_mode, allow_unproven)
    return definition, ctx.findings


def type_index(documents: Mapping[str, Document]) -> dict[str, tuple[int, ...]]:
    """Shared type name -> its version numbers, read leniently (pass two reports errors)."""
    index = {name: shared_type_versions(doc.data) for name, doc in documents.items()}
    return {name: numbers for name, numbers in index.items() if numbers is not None}


def shared_type_versions(data: Any) -> tuple[int, ...] | None:
    """A document's version numbers when it is a shared type (None for anything else)."""
    if not isinstance(data, dict) or data.get("kind") != "type":
        return None
    versions = data.get("versions")
    numbers = versions if isinstance(versions, dict) else {}
    return tuple(sorted(n for n in numbers if _is_version(n)))


def _is_version(key: Any) -> bool:
    return isinstance(key, int) and not isinstance(key, bool) and key > 0


def _definition(
    ctx: FileContext, name: str, default_mode: Mode, allow_unproven: bool
) -> Definition | None:
    data = ctx.doc.data
    if not isinstance(data, dict):
        ctx.error(
            (),
            "TOP_NOT_MAPPING",
            "a definition file must be a mapping at the top level",
            "start with `description:` and `versions:`",
        )
        return None
    ctx.check_keys(data, (), _TOP_KEYS, "a definition")
    kind = data.get("kind", "message")
    if kind not in ("message", "type"):
        ctx.error(("kind",), "KIND_INVALID", f"`kind` must be message or type, not {kind!r}")
        kind = "message"
    versions = _versions(ctx, data.get("versions"))
    if not versions:
        return None
    return Definition(
        name=name,
        kind=kind,
        file=ctx.doc.path,
        location=ctx.loc(()),
        versions=versions,
        description=ctx.text(data, "description", ()),
        compatibility=_mode(ctx, data, default_mode),
        direction=_choice(
            ctx,
            data,
            "direction",
            _DIRECTIONS,
            "both",  # type: ignore[arg-type]
            rule="DIRECTION_INVALID",
        ),
        allow_unproven=_flag(ctx, data, "allow_unproven", allow_unproven),
        class_name=_class_name(ctx, data),
    )


def _class_name(ctx: FileContext, data: dict[str, Any]) -> str:
    """``class_name:``, the base of the generated class names (see ``naming``)."""
    from registry.compile.naming import RESERVED_CLASS_NAMES

    value = data.get("class_name", "")
    if value == "":
        return ""
    if not isinstance(value, str) or not _CLASS_NAME.match(value):
        ctx.error(
            ("class_name",),
            "CLASS_NAME_INVALID",
            f"`class_name` {value!r} is not a class name",
            "use letters and digits, starting with a capital: GameChat",
        )
        return ""
    if value in RESERVED_CLASS_NAMES:
        ctx.error(
            ("class_name",),
            "CLASS_NAME_INVALID",
            f"`class_name` {value} is a name the generated code already uses",
            f"pick another, e.g. {value}Message",
        )
        return ""
    return value


def _flag(ctx: FileContext, data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        ctx.error((key,), "FLAG_INVALID", f"`{key}` must be true or false, not {value!r}")
        return default
    return value


def _mode(ctx: FileContext, data: dict[str, Any], default: Mode) -> Mode:
    if "compatibility" not in data:
        return default
    value = data["compatibility"]
    mode = parse_mode(value)
    if mode is None:
        ctx.error(
            ("compatibility",),
            "COMPATIBILITY_INVALID",
            f"`compatibility` must be one of {', '.join(NAMES)}, not {value!r}",
        )
        return default
    return mode


def _choice(
    ctx: FileContext,
    data: dict[str, Any],
    key: str,
    choices: tuple[str, ...],
    default: str,
    *,
    rule: str,
) -> str:
    value = data.get(key, default)
    if value not in choices:
        ctx.error((key,), rule, f"`{key}` must be one of {', '.join(choices)}, not {value!r}")
        return default
    return str(value)


def _versions(ctx: FileContext, spec: Any) -> tuple[Version, ...]:
    if not isinstance(spec, dict) or not spec:
        ctx.error(
            ("versions",) if spec is not None else (),
            "VERSIONS_MISSING",
            "a definition needs `versions:` with at least one version",
            "write `versions: {1: {fields: {...}}}`",
        )
        return ()
    versions: list[Version] = []
    previous: Version | None = None
    for key in spec:
        if not _is_version(key):
            ctx.error(
                ("versions", key),
                "VERSION_KEY_INVALID",
                f"version key {key!r} is not a positive whole number",
                "number versions 1, 2, 3, ... (unquoted)",
            )
            continue
        if previous is not None and key < previous.number:
            ctx.error(("versions", key), "VERSION_ORDER", "versions must be listed in order")
        version = _version(ctx, key, spec[key], previous)
        versions.append(version)
        previous = version
    return tuple(sorted(versions, key=lambda v: v.number))


def _version(ctx: FileContext, number: int, spec: Any, previous: Version | None) -> Version:
    path: NodePath = ("versions", number)
    if not isinstance(spec, dict):
        ctx.error(
            path,
            "VERSION_NOT_MAPPING",
            "a version must be a mapping",
            "give it `fields:` (or a raw `schema:`)",
        )
        return Version(number, ctx.loc(path), fields=())
    ctx.check_keys(spec, path, _VERSION_KEYS, f"version {number}")
    fields, schema = _body(ctx, spec, path)
    migration = None
    if "migrate" in spec:
        migration = _migration(ctx, spec["migrate"], path, previous, side_of(fields, schema))
    examples = spec.get("examples", [])
    if not isinstance(examples, list):
        ctx.error((*path, "examples"), "EXAMPLES_NOT_LIST", "`examples` must be a list of messages")
        examples = []
    return Version(
        number,
        ctx.loc(path),
        fields,
        schema,
        description=ctx.text(spec, "description", path),
        examples=tuple(examples),
        migration=migration,
        deprecated=spec.get("deprecated") is True,
    )


def _body(ctx: FileContext, spec: dict[str, Any], path: NodePath) -> tuple[Any, Any]:
    has_fields, has_schema = "fields" in spec, "schema" in spec
    if has_fields == has_schema:
        ctx.error(
            path,
            "VERSION_BODY",
            "a version needs exactly one of `fields` and `schema`",
            "use `fields:` (the shorthand) or `schema:` (raw JSON Schema), not both",
        )
        return (), None
    if has_fields:
        return parse_fields(ctx, spec["fields"], (*path, "fields")), None
    schema = spec["schema"]
    if not isinstance(schema, (dict, bool)):
        ctx.error((*path, "schema"), "SCHEMA_INVALID", "`schema` must be a JSON Schema mapping")
        return (), None
    return None, schema


def _migration(
    ctx: FileContext, spec: Any, path: NodePath, previous: Version | None, newer: Side
) -> Migration | None:
    if previous is None:
        ctx.error(
            (*path, "migrate"),
            "MIGRATE_ON_FIRST",
            "the first version has nothing to migrate from",
            "remove `migrate:` from the first version",
        )
        return None
    older = side_of(previous.fields, previous.schema)
    return parse_migration(ctx, spec, (*path, "migrate"), older, newer)
