"""Post-passes over the compiled registry: what can only be checked with JSON Schema.

Each pass is a small function that yields findings: raw schemas that are not
valid JSON Schema or point outside the registry, defaults and examples that
their own version rejects (``multipleOf`` judged exactly, as the generated
validators judge it), integers that a JSON number cannot carry, and ``one_of``
branches a discriminator cannot tell apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from registry.compile.model import (
    Const,
    Definition,
    Enum,
    Field,
    InlineObject,
    Location,
    OneOf,
    Ref,
    Registry,
    TypeExpr,
    Version,
    inner_type,
)
from registry.findings import Finding, Severity
from registry.json.acceptor import accepts
from registry.json.numbers import MAX_EXACT, carried, es_number
from registry.json.pointer import unescape
from registry.json.validation import conforms, ecma_regex
from registry.json.validation import validator as _validator
from registry.load.source import Document, NodePath
from registry.schema.documents import Schemas
from registry.schema.emit import field_document, resolve_bare_ref
from registry.schema.generated import NOT_GENERATED


def lint_registry(schemas: Schemas, documents: Mapping[str, Document]) -> list[Finding]:
    """Every definition's findings, and the class names two definitions would both generate."""
    registry = schemas.registry
    findings: list[Finding] = []
    for definition in registry.definitions.values():
        findings += lint_definition(schemas, definition, documents[definition.name])
    classes = {
        name: (d.class_name, class_name_at(documents[name]))
        for name, d in registry.definitions.items()
    }
    return findings + class_name_findings(classes)


def class_name_at(doc: Document) -> Location:
    """Where a file's ``class_name:`` is, or would be written."""
    return Location(doc.path, *doc.where(("class_name",)))


def class_name_findings(classes: Mapping[str, tuple[str, Location]]) -> list[Finding]:
    """Definitions whose generated class names would collide: one finding in each file.

    ``classes`` maps each definition to its ``class_name:`` ("" when unset) and where that
    key is (or would be written). Names are never changed to make room (that would rename
    another definition's classes when one is added); the user picks one with ``class_name:``.
    """
    from registry.compile.naming import class_name_clashes, suggested_class_name

    findings = []
    for clash in class_name_clashes({name: chosen for name, (chosen, _) in classes.items()}):
        at = classes[clash.name][1]
        findings.append(
            Finding(
                at.file,
                at.line,
                at.column,
                "CLASS_NAME_COLLISION",
                f"{clash.name} and {clash.other} {_why(clash.base, clash.other_base)}",
                f"give one of them its own name, e.g. `class_name: "
                f"{suggested_class_name(clash.name)}` in this file",
                subject=clash.name,
            )
        )
    return findings


def lint_definition(schemas: Schemas, definition: Definition, doc: Document) -> list[Finding]:
    """The findings of one definition (``doc`` is its file, to place them)."""
    findings: list[Finding] = []
    for version in definition.versions:
        base: NodePath = ("versions", version.number)
        problems = _version_problems(schemas, definition, version)
        for path, rule, message, hint in problems:
            line, column = doc.where((*base, *path))
            severity: Severity = "warning" if rule in _WARNINGS else "error"
            findings.append(
                Finding(
                    doc.path,
                    line,
                    column,
                    rule,
                    message,
                    hint,
                    severity=severity,
                    subject=f"{definition.name}@{version.number}",
                )
            )
    return findings


def _why(base: str, other: str) -> str:
    shorter, longer = sorted((base, other), key=len)
    if base == other:
        return f"both generate the class `{base}`"
    if base.lower() == other.lower():
        return f"generate `{base}` and `{other}`, class names that differ only in case"
    return f"would have colliding classes: `{longer}` reads as a version class of `{shorter}`"


_WARNINGS = frozenset({"SCHEMA_NOT_GENERATED"})


Problem = tuple[NodePath, str, str, str]


def _version_problems(
    schemas: Schemas, definition: Definition, version: Version
) -> Iterator[Problem]:
    registry = schemas.registry
    if version.fields is None:
        problems = list(_raw_schema_problems(registry, version.schema))
        yield from problems
        if any(rule not in _WARNINGS for _, rule, _, _ in problems):
            return  # examples cannot be checked against a broken schema
    else:
        yield from _field_problems(registry, version.fields, ("fields",))
    yield from _example_problems(schemas, definition, version)


@lru_cache(maxsize=1)
def _meta_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(Draft202012Validator.META_SCHEMA)


def _raw_schema_problems(registry: Registry, schema: Any) -> Iterator[Problem]:
    for error in _meta_validator().iter_errors(schema):
        path = ("schema", *error.absolute_path)
        yield (
            path,
            "SCHEMA_INVALID",
            f"not valid JSON Schema 2020-12: {error.message}",
            "fix the keyword at this position",
        )
    for node, path in schema_nodes(schema, ("schema",)):
        yield from _ref_problem(registry, node, schema, path)
        yield from regex_problems(node, path)
        yield from _generation_problems(node, path)


_VALUES = ("enum", "const", "default", "examples")  # hold data, not schemas


def schema_nodes(node: Any, path: NodePath) -> Iterator[tuple[dict[str, Any], NodePath]]:
    """Every object in a raw schema, with its path (data under `enum`, `const`... skipped)."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from schema_nodes(item, (*path, i))
    elif isinstance(node, dict):
        yield node, path
        for key, value in node.items():
            if key not in _VALUES:
                yield from schema_nodes(value, (*path, key))


def _generation_problems(node: dict[str, Any], path: NodePath) -> Iterator[Problem]:
    """Keywords the generated validators do not implement: `generate` would refuse them."""
    for keyword in NOT_GENERATED:
        if keyword in node:
            yield (
                (*path, keyword),
                "SCHEMA_NOT_GENERATED",
                f"{keyword} is checked and compared, but the generated validators do not "
                "implement it: `wiretype generate` will refuse this version",
                "write the schema without it if you generate code from this registry",
            )


def regex_problems(node: dict[str, Any], path: NodePath) -> Iterator[Problem]:
    """`pattern` and the keys of `patternProperties` must be ECMA-262 regular expressions."""
    regexes: list[tuple[NodePath, str]] = []
    if isinstance(node.get("pattern"), str):
        regexes.append((("pattern",), node["pattern"]))
    props = node.get("patternProperties")
    regexes += [(("patternProperties", k), k) for k in props] if isinstance(props, dict) else []
    for where, regex in regexes:
        try:
            ecma_regex(regex)
        except ValueError as err:
            yield (
                (*path, *where),
                "PATTERN_INVALID",
                f"{regex!r} is not a valid ECMA-262 regular expression: {err}",
                "fix the regular expression",
            )


def _ref_problem(
    registry: Registry, node: dict[str, Any], root: Any, path: NodePath
) -> Iterator[Problem]:
    ref = node.get("$ref")
    if isinstance(ref, str) and not _ref_resolves(registry, ref, root):
        yield (
            (*path, "$ref"),
            "SCHEMA_REF_OUTSIDE",
            f"$ref {ref!r} points outside the registry (or at nothing)",
            "refer to a shared type by name (`$ref: common.user`) or to `#/$defs/...` "
            "inside this schema",
        )


def _ref_resolves(registry: Registry, ref: str, root: Any) -> bool:
    if not ref.startswith("#"):
        return resolve_bare_ref(registry, ref) is not None
    node = root
    for raw in ref[1:].split("/")[1:]:
        part = unescape(raw)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def _field_problems(
    registry: Registry, fields: tuple[Field, ...], path: NodePath
) -> Iterator[Problem]:
    for f in fields:
        here = (*path, f.name)
        if f.has_default:
            yield from _default_problems(registry, f, here)
            yield from wide_integers(f.default, (*here, "default"))
        yield from _type_problems(registry, f.type, here)


def _type_problems(registry: Registry, texpr: TypeExpr, path: NodePath) -> Iterator[Problem]:
    if isinstance(texpr, InlineObject):
        yield from _field_problems(registry, texpr.fields, (*path, "fields"))
    elif (inner := inner_type(texpr)) is not None:
        yield from _type_problems(registry, inner, path)
    elif isinstance(texpr, OneOf) and texpr.discriminator:
        yield from _discriminator_problems(registry, texpr, path)
    elif isinstance(texpr, Enum):
        yield from wide_integers(list(texpr.values), (*path, "enum"))
    elif isinstance(texpr, Const):
        yield from wide_integers(texpr.value, (*path, "const"))


def wide_integers(value: Any, path: NodePath) -> Iterator[Problem]:
    """Integers in definition data that a JSON number, a double, cannot carry: the generated
    decoders would refuse them (``9007199254740993`` would become ``...992``)."""
    if _all_carried(value):
        return  # the usual case, told in one walk without a generator per value
    yield from _wide_integers(value, path)


def _all_carried(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is int:
            if not -MAX_EXACT <= item <= MAX_EXACT:
                return False
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            return False  # an int of another class: judged the long way
    return True


def _wide_integers(value: Any, path: NodePath) -> Iterator[Problem]:
    if isinstance(value, int) and not isinstance(value, bool) and not carried(value):
        try:
            becomes = es_number(float(value))
        except OverflowError:
            becomes = "Infinity"
        yield (
            path,
            "INTEGER_BEYOND_DOUBLE",
            f"{value} cannot be carried exactly by a JSON number (an IEEE double): it "
            f"would become {becomes}, and the generated decoders refuse it",
            "keep integers within ±2^53 (9007199254740992), or send the value as a string",
        )
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _wide_integers(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _wide_integers(item, (*path, i))


def _default_problems(registry: Registry, f: Field, path: NodePath) -> Iterator[Problem]:
    document = field_document(registry, f)
    if accepts(document, f.default, formats=conforms) is True:
        return
    schema = json.dumps(document, sort_keys=True)
    error = _first_error(schema, json.dumps(f.default, sort_keys=True))
    if error is not None:
        yield (
            (*path, "default"),
            "DEFAULT_INVALID",
            f"default {json.dumps(f.default)} of {f.name!r} is rejected by its own type: {error}",
            "change the default, or the field's type",
        )


@lru_cache(maxsize=4096)
def _first_error(schema: str, value: str) -> str | None:
    """The first error of a value against a schema (both as JSON text: the same default on
    the same field type, common across a registry, is judged once)."""
    error = next(iter(_validator(json.loads(schema)).iter_errors(json.loads(value))), None)
    return None if error is None else str(error.message)


def _discriminator_problems(registry: Registry, texpr: OneOf, path: NodePath) -> Iterator[Problem]:
    seen: dict[Any, str] = {}
    for ref in texpr.refs:
        value = _tag_of(registry, ref, texpr.discriminator or "")
        label = f"{ref.name}@{ref.version}"
        if value is None:
            yield (
                (*path, "discriminator"),
                "ONE_OF_DISCRIMINATOR",
                f"{label} has no required `{texpr.discriminator}` field with a single "
                "value (a `const`)",
                f"add `{texpr.discriminator}: {{const: ...}}` to it",
            )
        elif repr(value) in seen:
            yield (
                (*path, "one_of"),
                "ONE_OF_DISCRIMINATOR",
                f"{label} and {seen[repr(value)]} share the `{texpr.discriminator}` value "
                f"{value!r}",
                "give every branch its own value",
            )
        else:
            seen[repr(value)] = label


def _tag_of(registry: Registry, ref: Ref, name: str) -> Any:
    definition = registry.definitions.get(ref.name)
    version = definition.version(ref.version) if definition else None
    if version is None or version.fields is None:
        return None
    for f in version.fields:
        if f.name == name and f.required:
            if isinstance(f.type, Const):
                return f.type.value
            if isinstance(f.type, Enum) and len(f.type.values) == 1:
                return f.type.values[0]
    return None


def _example_problems(
    schemas: Schemas, definition: Definition, version: Version
) -> Iterator[Problem]:
    if not version.examples:
        return
    schema = schemas.bare(definition, version)
    validator = None  # jsonschema (on the schema as written) only for an example that the
    for i, example in enumerate(version.examples):  # fast acceptor does not pass
        yield from wide_integers(example, ("examples", i))
        if accepts(schema, example, formats=conforms) is True:
            continue
        validator = validator or _validator(schemas.document(definition, version))
        for error in validator.iter_errors(example):
            where = "/".join(map(str, error.absolute_path)) or "(the message)"
            yield (
                ("examples", i, *error.absolute_path),
                "EXAMPLE_INVALID",
                f"example {i + 1} is rejected by version {version.number} at {where}: "
                f"{error.message}",
                "fix the example or the fields",
            )
