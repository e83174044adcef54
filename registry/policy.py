"""Compatibility of a registry's messages: modes, pairing of versions, migrations.

For message definitions a writer sends only the fields it declares and a reader
ignores fields it does not know, so writer W is readable by reader R when
closed(W) ⊆ open(R). With a migration the test becomes
``upgrade(closed(v_old)) ⊆ open(v_new)`` (backward: the new version reads what
the old one wrote) and ``downgrade(closed(v_new)) ⊆ open(v_old)`` (forward).
The mode says which directions, and against which earlier versions, are checked.
Set inclusion itself is decided by ``registry.compat``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from registry.compat import Change, Inclusion, includes
from registry.diagnostics import Finding
from registry.jsonschema import strip_annotations, version_document
from registry.migrate_schema import UnmappableError, apply_steps
from registry.model import Definition, Field, InlineObject, Nullable, Registry, Step, Version
from registry.source import Document
from registry.suggest import Suggestion, advice_for, suggestions

DIRECTIONS = {"backward": ("backward",), "forward": ("forward",),
              "full": ("backward", "forward"), "none": ()}


def covers(mode: str, other: str) -> bool:
    """Whether ``mode`` checks at least everything that ``other`` checks."""
    wider = set(DIRECTIONS[mode.removesuffix("_transitive")])
    narrower = set(DIRECTIONS[other.removesuffix("_transitive")])
    transitive_ok = mode.endswith("_transitive") or not other.endswith("_transitive")
    return narrower <= wider and (transitive_ok or not narrower)


@dataclass(frozen=True)
class Pair:
    """One check: can ``reader`` read what ``writer`` wrote, after the steps between them?"""

    definition: Definition
    old: Version
    new: Version
    direction: str  # backward: old writes, new reads; forward: new writes, old reads

    @property
    def label(self) -> str:
        arrow = "→" if self.direction == "backward" else "←"
        return f"{self.definition.name} v{self.old.number} {arrow} v{self.new.number}"


def pairs(definition: Definition) -> Iterator[Pair]:
    """Every (old, new, direction) that the definition's mode asks to check."""
    mode = definition.compatibility
    directions = DIRECTIONS[mode.removesuffix("_transitive")]
    versions = definition.versions
    for j in range(1, len(versions)):
        earlier = range(j) if mode.endswith("_transitive") else (j - 1,)
        for i in earlier:
            for direction in directions:
                yield Pair(definition, versions[i], versions[j], direction)


def steps_between(definition: Definition, old: Version, new: Version,
                  direction: str) -> list[Step]:
    """The migration steps from old to new (backward) or from new down to old (forward)."""
    hops = [v for v in definition.versions if old.number < v.number <= new.number]
    if direction == "backward":
        return [s for v in hops for s in (v.migration.up if v.migration else ())]
    return [s for v in reversed(hops) for s in (v.migration.down if v.migration else ())]


class VerdictTable(Protocol):
    """Inclusion answers kept elsewhere (the command layer's cache), by ``Verdicts``' key."""

    def get(self, key: str) -> Inclusion | None: ...

    def put(self, key: str, inclusion: Inclusion) -> None: ...


class Verdicts:
    """Inclusion answers by the content of both schemas (the writer's after its migration
    steps, and the reader's), so that a pair is decided once; ``table`` may keep them
    between runs."""

    def __init__(self, table: VerdictTable | None = None) -> None:
        self.table = table
        self.documents: dict[tuple[str, int, bool], Any] = {}
        self.known: dict[str, Inclusion] = {}
        self.sources: Mapping[str, Document] = {}  # where raw `schema:` keywords are written

    def includes(self, a: Any, b: Any) -> Inclusion:
        text = json.dumps([a, b], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        key = hashlib.sha256(text.encode()).hexdigest()
        found = self.known.get(key)
        if found is None and self.table is not None:
            found = self.table.get(key)
        if found is None:
            found = includes(a, b)
            if self.table is not None:
                self.table.put(key, found)
        self.known[key] = found
        return found

    def document(self, registry: Registry, definition: Definition, version: Version,
                 closed: bool) -> Any:
        """A version's schema without annotations, built once per run."""
        key = (definition.name, version.number, closed)
        if key not in self.documents:
            document = version_document(registry, definition, version, closed=closed)
            self.documents[key] = strip_annotations(document)
        return self.documents[key]


def compatibility_findings(registry: Registry, skip: frozenset[str],
                           documents: Mapping[str, Document] | None = None,
                           verdicts: Verdicts | None = None) -> list[Finding]:
    """Every pair's findings; ``documents`` (by definition name) locate raw-schema keywords."""
    verdicts = Verdicts() if verdicts is None else verdicts
    verdicts.sources = documents or {}
    findings: list[Finding] = []
    for definition in registry.messages:
        if definition.name not in skip:
            for pair in pairs(definition):
                findings += check_pair(registry, pair, verdicts)
    return findings


def check_pair(registry: Registry, pair: Pair, verdicts: Verdicts) -> list[Finding]:
    writer, reader = (pair.old, pair.new) if pair.direction == "backward" else (pair.new, pair.old)
    steps = steps_between(pair.definition, pair.old, pair.new, pair.direction)
    written = verdicts.document(registry, pair.definition, writer, closed=True)
    try:
        migrated = apply_steps(written, steps) if steps else written
    except UnmappableError as unmappable:
        return [_unmappable(pair, unmappable)]
    readable = verdicts.document(registry, pair.definition, reader, closed=False)
    inclusion = verdicts.includes(migrated, readable)
    if inclusion.holds:
        return []
    found = suggestions(registry, pair, steps)
    source = verdicts.sources.get(pair.definition.name)
    return [_finding(pair, change, found, source) for change in inclusion.changes
            if change.breaking]


def _default_hint(pair: Pair) -> str:
    return (f"make the change compatible, cover it with a `migrate:` step in version "
            f"{pair.new.number}, or set a weaker `compatibility:` for {pair.definition.name}")


def _unmappable(pair: Pair, unmappable: UnmappableError) -> Finding:
    """A custom step is trusted (a warning); any other step that cannot be followed leaves
    the hop unproved, which is a failure, never a pass."""
    loc = unmappable.step.location
    message = f"{pair.label} ({pair.direction}): {unmappable.reason}"
    if unmappable.step.kind == "custom":
        return Finding(loc.file, loc.line, loc.column, "MIGRATION_CUSTOM_TRUSTED", message,
                       "test the custom function against the examples of both versions",
                       severity="warning", subject=pair.definition.name)
    return Finding(loc.file, loc.line, loc.column, "CANNOT_PROVE",
                   f"{message}, so what the `{unmappable.step.kind}` step outputs is unknown",
                   "give the fields on the step's path plain object types, or write the "
                   "step as `custom` (trusted)",
                   severity="warning" if pair.definition.allow_unproven else "error",
                   subject=f"{pair.definition.name}@{pair.new.number}")


def _finding(pair: Pair, change: Change, found: list[Suggestion],
             source: Document | None = None) -> Finding:
    name = _field_name(change)
    hint = advice_for(found, name) or _default_hint(pair)
    loc = _locate(pair, change, source)
    message = f"{pair.label} ({pair.direction}): {change.message}"
    if change.has_witness:
        message += f"; e.g. {_short(change.witness)}"
    rule = change.rule if change.kind == "no" else change.rule or "CANNOT_PROVE"
    allowed = change.kind == "unknown" and pair.definition.allow_unproven
    if allowed:
        hint = "not proved either way; a warning because `allow_unproven` is set"
    return Finding(loc[0], loc[1], loc[2], rule, message, hint,
                   severity="warning" if allowed else "error",
                   subject=f"{pair.definition.name}@{pair.new.number}", path=change.path)


def _short(value: Any) -> str:
    """A witness as JSON, long strings cut (with their length, which is often the point)."""
    if isinstance(value, str) and len(value) > 40:
        return f"{json.dumps(value[:20], ensure_ascii=False)[:-1]}…\" ({len(value)} characters)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


_REQUIRED = re.compile(r"property '([^']+)'")


def _field_name(change: Change) -> str | None:
    """The top-level field a change is about, when its path (or message) names one."""
    parts = change.path.strip("/").split("/")
    if len(parts) > 1 and parts[0] == "properties":
        return parts[1].replace("~1", "/").replace("~0", "~")
    match = _REQUIRED.search(change.message) if parts[0] == "required" else None
    return match.group(1) if match else None


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


def _keyword_at(source: Document | None, version: Version,
                change: Change) -> tuple[str, int, int] | None:
    """Where a raw schema writes the keyword at the change's path (None: not written there)."""
    if source is None or version.schema is None or not change.path.strip("/"):
        return None
    parts = [p.replace("~1", "/").replace("~0", "~") for p in change.path.strip("/").split("/")]
    node = ("versions", version.number, "schema",
            *(int(p) if p.isdigit() else p for p in parts))
    found = source.positions.get(node)
    return None if found is None else (source.path, *found)


def _field_at(fields: tuple[Field, ...], change: Change) -> Field | None:
    """The deepest field that the change's path goes through (inline objects are followed)."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in change.path.strip("/").split("/")]
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
