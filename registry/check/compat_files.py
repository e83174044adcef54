"""``wiretype compat``: two raw JSON Schema files compared by set inclusion.

In: both files as read (``registry.load.schema_file``) and the mode. Each schema is
read as 2020-12 (older drafts rewritten with their meaning, ``compat.drafts``) and must
be valid, since the engine decides inclusion only for valid schemas (else an
``InputError``: there is nothing to compare). Out: the engine's ``Comparison`` and one
finding per change, at the line of the keyword that decides it.
"""

from __future__ import annotations

import json
from typing import Any

from registry.compat import Comparison, compare
from registry.compat.drafts import to_2020_12
from registry.errors import InputError, UsageError
from registry.findings import Finding
from registry.json.pointer import tokens
from registry.load.schema_file import SchemaFile
from registry.load.source import Document
from registry.mode import ONE_STEP_NAMES, Mode, parse_mode


def _schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a JSON Schema 2020-12 with ECMA-262 patterns (the first reason)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    from registry.check.lint import regex_problems, schema_nodes

    error = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        return f"not valid JSON Schema 2020-12 at /{where}: {error.message}"
    for node, node_path in schema_nodes(schema, ()):
        for path, _, message, _ in regex_problems(node, node_path):
            return f"at /{'/'.join(str(p) for p in path)}: {message}"
    return None


def compat_mode(text: str) -> Mode:
    """``--mode`` of ``wiretype compat``: two files have no earlier versions, so a
    ``_transitive`` mode asks what its one-step form asks."""
    mode = parse_mode(text.removesuffix("_transitive"))
    if mode is None:
        raise UsageError(f"--mode must be one of {', '.join(ONE_STEP_NAMES)}, not {text!r}")
    return mode


def compare_files(old: SchemaFile, new: SchemaFile, mode: Mode) -> tuple[Comparison, list[Finding]]:
    """Compare two schema files; findings point at the line of the keyword that decides."""
    schemas = []
    for read in (old, new):
        if not isinstance(read.data, (dict, bool)):
            raise InputError("a schema must be an object or a boolean", path=read.path)
        schema = to_2020_12(read.data)  # older drafts: their keywords, with their meaning
        problem = _schema_problem(schema)
        if problem is not None:  # the engine decides inclusion only for valid schemas
            raise InputError(problem, path=read.path, hint="fix the schema, then compare again")
        schemas.append(schema)
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
    return Finding(
        file,
        line,
        column,
        change.rule,
        f"{direction}: {change.message}{witness}",
        severity="error" if change.breaking else "note",
        path=change.path or "/",
    )


def _keyed(parts: tuple[str, ...]) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in parts)
