"""Whole-message witnesses: a message the writer's version accepts whose migrated form the
reader's version rejects, checked before check prints it.

The engine's witness is a value of one sub-schema of the *migrated* schema, which is a
superset of what the shims output: it may be a value no real message turns into (``0.5``
where ``scale: 100`` makes every value whole), or one the writer itself rejects at the
level of the whole message. So a witness is rebuilt here as a whole message: a valid
message of the writer (an example, or one built from its schema) with the changed field
set to a candidate value (the engine's, mapped back through the steps, and the writer
field's own edge values), run through the real steps (``registry.check.migrate_run``), and
kept only when the writer accepts it and the reader rejects what the steps made of it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from registry.check.migrate_run import CustomStepError, run_steps
from registry.compat import includes
from registry.compat.strings import sample as string_sample
from registry.compat.strings import view as string_view
from registry.compile.model import Step
from registry.json.pointer import unescape
from registry.json.validation import validator

_ABSENT = object()


@dataclass(frozen=True)
class Witness:
    """A message of the writer's version, and the migrated message the reader rejects."""

    message: Any
    migrated: Any


@dataclass(frozen=True)
class Problem:
    """What to find a witness for: the two schemas, the steps between them, the reader-side
    field path of the change (empty: the whole message) and the engine's value there."""

    written: Any  # the writer's closed schema
    readable: Any  # the reader's open schema
    steps: Sequence[Step]
    back: Sequence[Step]  # the steps of the other way, to map a value back
    field: tuple[str, ...]
    value: Any = _ABSENT
    examples: tuple[Any, ...] = ()


def find_witness(problem: Problem) -> Witness | None:
    """A whole message that proves the change, or None when none is found."""
    writer, reader = validator(problem.written), validator(problem.readable)
    source = _source_path(problem.field, problem.steps)
    for base in _bases(problem, writer):
        for candidate in _candidates(problem, source, base):
            message = _with(base, source, candidate)
            if message is None or not writer.is_valid(message):
                continue
            try:
                migrated = run_steps(message, problem.steps)
            except CustomStepError:
                return None
            if _rejected(reader, migrated, problem.field):
                return Witness(message, migrated)
    return None


def _rejected(reader: Any, migrated: Any, field: tuple[str, ...]) -> bool:
    """Whether the reader rejects the migrated message, at the changed field when known."""
    errors = list(reader.iter_errors(migrated))
    if not field:
        return bool(errors)
    return any(_about(error, field) for error in errors)


def _about(error: Any, field: tuple[str, ...]) -> bool:
    path = tuple(str(p) for p in error.absolute_path)
    if path[: len(field)] == field:
        return True
    if error.validator == "required" and path == field[:-1]:
        return f"'{field[-1]}'" in error.message
    return any(_about(sub, field) for sub in error.context or ())


# --- where the field was before the steps ----------------------------------------------------


def _source_path(field: tuple[str, ...], steps: Sequence[Step]) -> tuple[str, ...]:
    """The writer-side path of a reader-side field, following renames and moves back."""
    path = field
    for step in reversed(steps):
        if step.kind == "rename" and path:
            *holder, old = step.field.split(".") if "." in step.field else [step.field]
            if tuple(holder) == path[: len(holder)] and path[len(holder) :][:1] == (step.arg,):
                path = (*holder, old, *path[len(holder) + 1 :])
        elif step.kind == "move":
            target = tuple(step.arg.split("."))
            if path[: len(target)] == target:
                path = (*step.field.split("."), *path[len(target) :])
    return path


# --- whole messages to start from --------------------------------------------------------------


def _bases(problem: Problem, writer: Any) -> Iterator[Any]:
    seen: list[Any] = []
    built = [instance(problem.written, problem.written, full) for full in (False, True)]
    for base in (*built[:1], *problem.examples, *built[1:]):
        if isinstance(base, dict) and base not in seen and writer.is_valid(base):
            seen.append(base)
            yield base


def instance(schema: Any, root: Any, full: bool, depth: int = 0) -> Any:
    """A value of ``schema`` (None when none is found); ``full`` fills optional properties.
    Callers validate it: this only aims."""
    if depth > 20 or not isinstance(schema, dict):
        return None if schema is not False else _ABSENT
    if isinstance(schema.get("$ref"), str):
        return instance(_resolve(root, schema["$ref"]), root, full, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return instance(schema[key][0], root, full, depth + 1)
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    return _TYPED.get(kind, lambda s, r, f, d: None)(schema, root, full, depth)


def _resolve(root: Any, ref: str) -> Any:
    node = root
    for part in ref.removeprefix("#").strip("/").split("/"):
        key = unescape(part)
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _object(schema: dict[str, Any], root: Any, full: bool, depth: int) -> Any:
    props = schema.get("properties", {})
    required = schema.get("required", [])
    out = {}
    for name, sub in props.items() if isinstance(props, dict) else ():
        if full or name in required:
            value = instance(sub, root, full, depth + 1)
            if value is not _ABSENT:
                out[name] = value
    return out


def _array(schema: dict[str, Any], root: Any, full: bool, depth: int) -> Any:
    count = schema.get("minItems", 0)
    count = count if isinstance(count, int) else 0
    item = instance(schema.get("items", {}), root, full, depth + 1)
    if schema.get("uniqueItems") and count > 1:
        return None
    return [item] * max(count, 1 if full else 0)


def _string(schema: dict[str, Any], root: Any, full: bool, depth: int) -> Any:
    check = validator(schema)
    if isinstance(schema.get("format"), str):
        sample = _FORMAT_SAMPLES.get(schema["format"])
        if sample is not None and check.is_valid(sample):
            return sample
    found = string_sample(string_view([schema]), check.is_valid)
    if found:
        return found[0]
    return "x" * max(
        schema.get("minLength", 0) if isinstance(schema.get("minLength"), int) else 0,
        1 if full else 0,
    )


_FORMAT_SAMPLES = {
    "uuid": "00000000-0000-4000-8000-000000000000",
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "email": "a@example.org",
    "uri": "https://example.org/",
}


def _number(schema: dict[str, Any], root: Any, full: bool, depth: int) -> Any:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    step = schema.get("multipleOf", 1)
    if not isinstance(low, (int, float)) or isinstance(low, bool):
        return 0
    value = (int(low // step) + 1) * step
    return int(value) if float(value).is_integer() else value


_TYPED: dict[Any, Any] = {
    "object": _object,
    "array": _array,
    "string": _string,
    "integer": _number,
    "number": _number,
    "boolean": lambda s, r, f, d: f,
    "null": lambda s, r, f, d: None,
}


# --- values to try in the field ------------------------------------------------------------------


def _candidates(problem: Problem, source: tuple[str, ...], base: Any) -> Iterator[Any]:
    if problem.value is not _ABSENT:
        yield from _mapped_back(problem, source, base)
        yield problem.value
    if source:
        yield _ABSENT
        yield from _edges(problem, source)


def _mapped_back(problem: Problem, source: tuple[str, ...], base: Any) -> Iterator[Any]:
    """The engine's value placed in a migrated message and run back through the steps of
    the other way: a writer value that may turn into it."""
    if not problem.field:
        if isinstance(problem.value, dict):
            yield problem.value
        return
    try:
        migrated = run_steps(base, problem.steps)
        placed = _with(migrated, problem.field, problem.value)
        if placed is not None:
            back = run_steps(placed, problem.back)
            found = _get(back, source)
            if found is not _ABSENT:
                yield found
    except CustomStepError:
        return


def _edges(problem: Problem, source: tuple[str, ...]) -> Iterator[Any]:
    """Edge values of the writer's field: those its schema accepts and the reader's field
    rejects, as the engine finds them comparing the two sub-schemas."""
    writer_sub = _sub_schema(problem.written, source)
    reader_sub = _sub_schema(problem.readable, problem.field)
    if writer_sub is None:
        return
    for change in includes(writer_sub, reader_sub if reader_sub is not None else False).changes:
        if change.has_witness:
            yield change.witness
    for full in (False, True):
        yield instance(writer_sub, writer_sub, full)
    yield from _EXTREMES


# Values at the edges of what converters write the same way in both languages: from 1e21
# on JavaScript writes numbers with an exponent; tiny and fractional numbers; empty text.
_EXTREMES: tuple[Any, ...] = (10**21, -(10**21), 1e21, 1e-7, 0.5, -1, "", [], {}, None, True)


def _sub_schema(schema: Any, path: tuple[str, ...]) -> Any:
    """The schema of the property at ``path``, with the document's ``$defs`` beside it."""
    node = schema
    for part in path:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = _resolve(schema, node["$ref"])
        props = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(props, dict) or part not in props:
            return None
        node = props[part]
    defs = schema.get("$defs") if isinstance(schema, dict) else None
    if isinstance(node, dict) and isinstance(defs, dict):
        return {**node, "$defs": defs}
    return node


# --- editing a message ----------------------------------------------------------------------


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return _ABSENT
        data = data[part]
    return data


def _with(data: Any, path: tuple[str, ...], value: Any) -> Any:
    """A copy of ``data`` with ``value`` at ``path`` (removed for ``_ABSENT``); None when
    a parent is missing."""
    if not path:
        return None if value is _ABSENT else copy.deepcopy(value)
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return None
        node = node[part]
    if not isinstance(node, dict):
        return None
    if value is _ABSENT:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = copy.deepcopy(value)
    return out
