"""The findings of one failed pair: proved breaks with a checked whole-message witness,
and "cannot prove" answers, printed as what they are with what to do.

A change the engine answers "no" is printed as a break only with a witness rebuilt as a
whole message (``registry.check.witness``): one the writer's version accepts and whose migrated
form the reader's version rejects, both checked before printing. Where none can be built,
the engine's counterexample came from the superset that check uses to model the steps, so
the change is not proved: it is a ``CANNOT_PROVE`` finding, like every "unknown" answer,
whose hint says how to go on (``allow_unproven``, or what would let a rule prove it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from registry.check.suggest import Suggestion, advice_for, no_step_advice
from registry.check.witness import Problem, Witness, find_witness
from registry.compat import Change
from registry.compile.model import Field, InlineObject, Nullable, Step, Version
from registry.findings import Finding
from registry.json.pointer import tokens
from registry.load.source import Document

if TYPE_CHECKING:
    from registry.check.pairing import Pair

CANNOT_PROVE = "CANNOT_PROVE"


def pair_findings(
    pair: Pair,
    changes: Sequence[Change],
    context: PairContext,
    found: list[Suggestion],
    source: Document | None,
) -> list[Finding]:
    return [_finding(pair, change, context, found, source) for change in changes if change.breaking]


class PairContext:
    """What a witness search needs of a pair: both schemas and the steps both ways."""

    def __init__(
        self,
        written: Any,
        readable: Any,
        steps: Sequence[Step],
        back: Sequence[Step],
        examples: tuple[Any, ...],
    ) -> None:
        self.written, self.readable = written, readable
        self.steps, self.back, self.examples = steps, back, examples

    def witness(self, change: Change) -> Witness | None:
        field, value_applies = field_path(change)
        value = change.witness if value_applies and change.has_witness else _NO_VALUE
        problem = Problem(
            self.written,
            self.readable,
            self.steps,
            self.back,
            field,
            examples=self.examples,
            **({} if value is _NO_VALUE else {"value": value}),
        )
        return find_witness(problem)


_NO_VALUE = object()


def _finding(
    pair: Pair,
    change: Change,
    context: PairContext,
    found: list[Suggestion],
    source: Document | None,
) -> Finding:
    loc = _locate(pair, change, source)
    subject = f"{pair.definition.name}@{pair.new.number}"
    witness = context.witness(change)
    if witness is None:
        return _unproved(pair, change, loc, subject)
    writer, reader = _roles(pair)
    text = (
        f"{pair.label} ({pair.direction}): {change.message}; e.g. the v{writer} message "
        f"{_short(witness.message)}"
    )
    if witness.migrated != witness.message:
        text += f" becomes {_short(witness.migrated)}"
    text += f", which v{reader} rejects"
    field, _ = field_path(change)
    hint = (
        advice_for(found, field[0] if field else None)
        or no_step_advice(pair, change, field, context.readable)
        or _default_hint(pair)
    )
    extra = (("witness", _json(witness.message)), ("migrated", _json(witness.migrated)))
    return Finding(
        loc[0],
        loc[1],
        loc[2],
        change.rule,
        text,
        hint,
        subject=subject,
        path=change.path,
        extra=extra,
    )


def _roles(pair: Pair) -> tuple[int, int]:
    """(writer, reader) version numbers."""
    return pair.writer.number, pair.reader.number


def _unproved(pair: Pair, change: Change, loc: tuple[str, int, int], subject: str) -> Finding:
    writer, reader = _roles(pair)
    text = f"cannot prove {pair.label} ({pair.direction}) either way: {change.message}"
    if change.kind == "no":
        shown = f" {_short(change.witness)}" if change.has_witness else ""
        text += (
            f" (the engine's counterexample{shown} is not the migration of any v{writer} "
            f"message found, so it proves nothing)"
        )
    allowed = pair.definition.allow_unproven
    if allowed:
        hint = "not proved either way: a warning because `allow_unproven` is set"
    else:
        hint = (
            f"if you have checked by hand that v{reader} reads what v{writer} writes, set "
            f"`allow_unproven: true` in the settings or in {pair.definition.name}'s file "
            f"(then this is a warning); or {_provable(change)}"
        )
    return Finding(
        loc[0],
        loc[1],
        loc[2],
        CANNOT_PROVE,
        text,
        hint,
        severity="warning" if allowed else "error",
        subject=subject,
        path=change.path,
        extra=(("unproved_rule", change.rule),),
    )


def _provable(change: Change) -> str:
    """What would let a rule prove the change (or refute it with a witness)."""
    rule = change.rule
    if "PATTERN" in rule:
        return (
            f"write the same `pattern` in both versions (or none in the reader), so "
            f"{rule} can prove it"
        )
    if rule == "KEYWORD_UNSUPPORTED":
        return "keep that keyword equal in both versions, or use keywords the engine decides"
    if rule == "REF_UNRESOLVED":
        return "make the `$ref` resolve inside the document"
    if change.kind == "no":
        return (
            "give the migrated field a type the steps keep exact (check models each "
            "converter's output by its type)"
        )
    return (
        f"write the change so that {rule or 'a compatibility rule'} can decide it "
        f"(`wiretype explain {rule or CANNOT_PROVE}`)"
    )


def _default_hint(pair: Pair) -> str:
    return (
        f"make the change compatible, cover it with a `migrate:` step in version "
        f"{pair.new.number}, or set a weaker `compatibility:` for {pair.definition.name}"
    )


def unmappable_finding(pair: Pair, step: Step, reason: str) -> Finding:
    """A custom step is trusted (a warning); any other step that cannot be followed leaves
    the hop unproved, which is a failure unless `allow_unproven` is set, never a pass."""
    loc = step.location
    message = f"{pair.label} ({pair.direction}): {reason}"
    if step.kind == "custom":
        return Finding(
            loc.file,
            loc.line,
            loc.column,
            "MIGRATION_CUSTOM_TRUSTED",
            message,
            "test the custom function against the examples of both versions",
            severity="warning",
            subject=pair.definition.name,
        )
    allowed = pair.definition.allow_unproven
    hint = (
        "not proved either way: a warning because `allow_unproven` is set"
        if allowed
        else "give the fields on the step's path plain object types, write the step as "
        "`custom` (trusted), or set `allow_unproven: true` to accept it as a warning"
    )
    return Finding(
        loc.file,
        loc.line,
        loc.column,
        CANNOT_PROVE,
        f"cannot prove {pair.label} ({pair.direction}) either way: {reason}, so "
        f"what the `{step.kind}` step outputs is unknown",
        hint,
        severity="warning" if allowed else "error",
        subject=f"{pair.definition.name}@{pair.new.number}",
    )


# --- printing values ----------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _short(value: Any) -> str:
    """A value as JSON, long strings inside it cut (with their length, often the point),
    the whole cut past 240 characters (JSON output carries it whole, under `extra`)."""
    text = json.dumps(_cut(value), ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 240 else text[:237] + "..."


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:20]}… ({len(value)} characters)"
    if isinstance(value, list):
        return [_cut(v) for v in value]
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    return value


# --- where a change is ------------------------------------------------------------------------


_REQUIRED = re.compile(r"property '([^']+)'")
_INTO = {
    "items",
    "prefixItems",
    "additionalProperties",
    "patternProperties",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
}
_THROUGH = {"anyOf", "oneOf", "allOf"}


def field_path(change: Change) -> tuple[tuple[str, ...], bool]:
    """The (nested) field a change is about, and whether the engine's witness is a value of
    that field (not of an item or a key inside it)."""
    parts = tokens(change.path)
    path: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part == "properties" and i + 1 < len(parts):
            path.append(parts[i + 1])
            i += 2
        elif part in _THROUGH:
            i += 2
        elif part == "$ref":
            i += 1
        elif part == "required":
            match = _REQUIRED.search(change.message)
            return ((*path, match.group(1)) if match else tuple(path)), False
        else:
            return tuple(path), part not in _INTO
    return tuple(path), True


def _locate(pair: Pair, change: Change, source: Document | None) -> tuple[str, int, int]:
    """The definition line a change is about: the (nested) field, or the keyword of a raw
    `schema:`, in the newer version, or in the older one; else the newer version itself."""
    for version in (pair.new, pair.old):
        found = _field_at(version.fields or (), change)
        if found is not None:
            return found.location.file, found.location.line, found.location.column
        written = _keyword_at(source, version, change)
        if written is not None:
            return written
    loc = pair.new.location
    return loc.file, loc.line, loc.column


def _keyword_at(
    source: Document | None, version: Version, change: Change
) -> tuple[str, int, int] | None:
    """Where a raw schema writes the keyword at the change's path (None: not written there)."""
    if source is None or version.schema is None or not change.path.strip("/"):
        return None
    parts = tokens(change.path)
    node = ("versions", version.number, "schema", *(int(p) if p.isdigit() else p for p in parts))
    found = source.positions.get(node)
    return None if found is None else (source.path, *found)


def _field_at(fields: tuple[Field, ...], change: Change) -> Field | None:
    """The deepest field that the change's path goes through (inline objects are followed)."""
    parts = tokens(change.path)
    found = None
    while fields:
        if parts[:1] == ["required"]:
            match = _REQUIRED.search(change.message)
            parts = ["properties", match.group(1)] if match else []
        name = parts[1] if len(parts) > 1 and parts[0] == "properties" else None
        field = next((f for f in fields if f.name == name), None)
        if field is None:
            break
        found, parts = field, parts[2:]
        kind = field.type
        if isinstance(kind, Nullable) and parts[:1] == ["anyOf"]:
            kind, parts = kind.inner, parts[2:]
        fields = kind.fields if isinstance(kind, InlineObject) else ()
    return found
