"""``wiretype compat``: two raw JSON Schema files compared by set inclusion.

In: both files as read (``registry.load.schema_file``) and the mode. Each schema must
be valid under its own draft's metaschema (``$schema``: draft-04, -06, -07, 2019-09
or 2020-12, the last when absent) with patterns that are ECMA-262 expressions in
Unicode or legacy mode (``compat.patterns``), since the engine decides inclusion only
for valid schemas (else an ``InputError``: there is nothing to compare); it is then
read as 2020-12, older drafts rewritten with their meaning (``compat.drafts``). Out:
the engine's ``Comparison`` and one finding per change, at the line of the keyword
that decides it.
"""

from __future__ import annotations

import json
from typing import Any

from registry.compat import Comparison, compare, deep_stack
from registry.compat.drafts import draft_of, to_2020_12
from registry.compat.patterns import pattern_problem
from registry.errors import InputError, UsageError
from registry.findings import Finding
from registry.json.pointer import tokens
from registry.load.schema_file import SchemaFile
from registry.load.source import Document
from registry.mode import ONE_STEP_NAMES, Mode, parse_mode

_VALIDATORS = {
    "draft-04": "Draft4Validator",
    "draft-06": "Draft6Validator",
    "draft-07": "Draft7Validator",
    "2019-09": "Draft201909Validator",
    "2020-12": "Draft202012Validator",
}


def _metaschema_error(schema: Any, draft: str) -> Any:
    import jsonschema
    from jsonschema.exceptions import best_match

    cls = getattr(jsonschema, _VALIDATORS[draft])
    return best_match(cls(cls.META_SCHEMA).iter_errors(schema))


def read_as(schema: Any) -> str:
    """The draft a schema is read as: its ``$schema``; without one, 2020-12, or else the
    newest older draft it is valid under (a schema that never says, written for draft-07)."""
    draft = draft_of(schema)
    if isinstance(schema, dict) and "$schema" in schema:
        return draft
    if _metaschema_error(schema, draft) is None:
        return draft
    for older in ("2019-09", "draft-07", "draft-06", "draft-04"):
        if _metaschema_error(schema, older) is None:
            return older
    return draft


def _schema_problem(schema: Any, draft: str) -> str | None:
    """Why ``schema`` is not valid under its draft's metaschema (``read_as``), or has a
    ``pattern`` that is no ECMA-262 expression (the first reason)."""
    from registry.check.lint import schema_nodes

    error = _metaschema_error(schema, draft)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        return f"not valid JSON Schema {draft} at /{where}: {error.message}"
    for node, node_path in schema_nodes(schema, ()):
        for path, regex in _patterns(node, node_path):
            problem = pattern_problem(regex)
            if problem is not None:
                where = "/".join(str(p) for p in path)
                return (
                    f"at /{where}: {regex!r} is not a valid ECMA-262 regular expression: {problem}"
                )
    return None


def _patterns(node: dict[str, Any], path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    found = []
    if isinstance(node.get("pattern"), str):
        found.append(((*path, "pattern"), node["pattern"]))
    props = node.get("patternProperties")
    for key in props if isinstance(props, dict) else ():
        found.append(((*path, "patternProperties", key), key))
    return found


def compat_mode(text: str) -> Mode:
    """``--mode`` of ``wiretype compat``: two files have no earlier versions, so a
    ``_transitive`` mode asks what its one-step form asks."""
    mode = parse_mode(text.removesuffix("_transitive"))
    if mode is None:
        raise UsageError(f"--mode must be one of {', '.join(ONE_STEP_NAMES)}, not {text!r}")
    return mode


def compare_files(old: SchemaFile, new: SchemaFile, mode: Mode) -> tuple[Comparison, list[Finding]]:
    """Compare two schema files; findings point at the line of the keyword that decides."""
    with deep_stack():
        return _compare_files(old, new, mode)


def _compare_files(
    old: SchemaFile, new: SchemaFile, mode: Mode
) -> tuple[Comparison, list[Finding]]:
    schemas = []
    for read in (old, new):
        if not isinstance(read.data, (dict, bool)):
            raise InputError("a schema must be an object or a boolean", path=read.path)
        draft = read_as(read.data)
        problem = _schema_problem(read.data, draft)
        if problem is not None:  # the engine decides inclusion only for valid schemas
            raise InputError(problem, path=read.path, hint="fix the schema, then compare again")
        schemas.append(to_2020_12(read.data, draft))  # older drafts: their own meaning
    comparison = compare(*schemas)
    findings = []
    for direction in mode.directions:
        target = new if direction == "backward" else old
        for change in getattr(comparison, direction).changes:
            findings.append(_schema_finding(change, direction, target.path, target.document))
    return comparison, findings


def _schema_finding(change: Any, direction: str, file: str, doc: Document | None) -> Finding:
    parts = tuple(p for p in tokens(change.path) if p)
    line, column = doc.where(_keyed(parts)) if doc else (1, 1)
    witness = f"; e.g. {json.dumps(change.witness)}" if change.has_witness else ""
    how = {"no": "proved", "unknown": "cannot prove"}.get(change.kind, "note")
    return Finding(
        file,
        line,
        column,
        change.rule,
        f"{direction} ({how}): {change.message}{witness}",
        severity="error" if change.breaking else "note",
        path=change.path or "/",
    )


def _keyed(parts: tuple[str, ...]) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in parts)
