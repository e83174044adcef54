"""``wiretype diff MSG V1 V2``: what changed between two versions, and what it breaks.

The listing is structural: a ``deepdiff`` of the two compiled (closed) schemas, the
older one's fields renamed as the migrations between them rename them, grouped by
field and told keyword by keyword (``max_length 2000 → 4000``, ``enum + "urgent"``).

The verdicts are never read from the shape of that listing; they are set inclusion,
as everywhere else:

* a row breaks a direction when its field, taken alone, is not included: the writer's
  closed view of that one field (absent: never sent) against the reader's open view of
  it (absent: anything), required-ness included, so a field that became required
  breaks backward and an identical field is not a row at all;
* the row says whether the migration steps between the two versions cover the break;
* the verdict of the whole pair is ``check``'s (``policy.check_pair``), with the
  migrations applied, in the directions the message's mode asks for. The command
  exits 1 when those do not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.check.diff_listing import (
    MESSAGE_ROW,
    KeywordChange,
    Listing,
    merged,
    properties_of,
    renamed,
)
from registry.check.pairing import Pair, steps_between
from registry.check.policy import Verdicts, check_pair
from registry.compat import includes
from registry.compile.model import Definition, Version
from registry.findings import Finding
from registry.mode import DIRECTIONS
from registry.schema.documents import Schemas
from registry.schema.emit import strip_annotations


@dataclass(frozen=True)
class FieldDiff:
    """One row: a field (or the message itself) that changed."""

    field: str  # the newer version's name (the older one's when removed)
    kind: str  # added, removed, renamed, changed
    changes: tuple[KeywordChange, ...]
    breaks: tuple[str, ...] = ()  # the directions this change breaks on its own
    covered: tuple[str, ...] = ()  # of those, the ones the migration steps cover
    rules: tuple[str, ...] = ()  # the engine's rule ids for the breaks
    was: str = ""  # the older version's name, when renamed

    @property
    def label(self) -> str:
        return f"{self.was} → {self.field}" if self.was else self.field

    @property
    def detail(self) -> str:
        return "; ".join(c.text for c in self.changes)

    @property
    def verdict(self) -> str:
        if not self.breaks:
            return "safe"
        verdict = "breaks " + " and ".join(self.breaks)
        if self.covered:
            both = len(self.covered) == len(self.breaks)
            verdict += f"; migrate covers {'it' if both else ' and '.join(self.covered)}"
        return verdict

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "was": self.was,
            "kind": self.kind,
            "changes": [c.to_json() for c in self.changes],
            "detail": self.detail,
            "breaking": bool(self.breaks),
            "breaks": list(self.breaks),
            "covered": list(self.covered),
            "rules": list(self.rules),
            "rule": self.rules[0] if self.rules else "",
        }


@dataclass(frozen=True)
class DirectionVerdict:
    """``check``'s answer for one direction of the pair, with the migrations applied."""

    direction: str
    checked: bool  # whether the message's mode asks for this direction
    problems: tuple[str, ...]

    @property
    def holds(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class VersionDiff:
    message: str
    mode: str
    old: int
    new: int
    rows: tuple[FieldDiff, ...]
    directions: tuple[DirectionVerdict, ...]

    @property
    def compatible(self) -> bool:
        """Whether the pair is compatible in the message's mode (what the exit code says)."""
        return all(d.holds for d in self.directions if d.checked)


def diff_versions(
    schemas: Schemas, definition: Definition, old: Version, new: Version
) -> VersionDiff:
    """The rows and verdicts of ``wiretype diff`` for ``old`` -> ``new``."""
    views = _Views(schemas, definition, old, new)
    rows = tuple(views.row(name, changes) for name, changes in views.listing().items())
    return VersionDiff(
        definition.name,
        definition.compatibility.name,
        old.number,
        new.number,
        rows,
        _directions(schemas, definition, old, new),
    )


def _directions(
    schemas: Schemas, definition: Definition, old: Version, new: Version
) -> tuple[DirectionVerdict, ...]:
    mode = definition.compatibility
    verdicts = Verdicts(None)
    out = []
    for direction in DIRECTIONS:
        found = check_pair(schemas, Pair(definition, old, new, direction), verdicts)
        out.append(
            DirectionVerdict(
                direction, mode.checks(direction), tuple(_problem(f) for f in found if f.is_error)
            )
        )
    return tuple(out)


def _problem(finding: Finding) -> str:
    return f"{finding.message} [{finding.rule}]"


class _Views:
    """The schemas of both versions, as the listing and the row verdicts need them."""

    def __init__(
        self, schemas: Schemas, definition: Definition, old: Version, new: Version
    ) -> None:
        self.definition, self.old, self.new = definition, old, new
        self.renames = _renames(definition, old, new)
        self.snake = old.fields is not None and new.fields is not None

        def doc(version: Version, closed: bool) -> Any:
            return schemas.document(definition, version, closed=closed)

        self.old_closed, self.new_closed = doc(old, True), doc(new, True)
        self.old_open, self.new_open = doc(old, False), doc(new, False)

    def listing(self) -> dict[str, list[KeywordChange]]:
        """Changes by field (new names), in the order of the newer version's fields."""
        return Listing(self.old_closed, self.new_closed, self.renames, self.snake).changes()

    # --- one row -------------------------------------------------------------------------

    def row(self, name: str, changes: list[KeywordChange]) -> FieldDiff:
        was = next((a for a, b in self.renames.items() if b == name), "")
        kind = self._kind(name, was)
        whole = next((c for c in changes if not c.path), None)
        if kind in ("added", "removed") and whole is not None:  # the field, and required-ness
            doc = self.new_closed if kind == "added" else self.old_closed
            required = name in (doc.get("required") or ())
            changes = [KeywordChange("", whole.old, whole.new, whole=True, required=required)]
        ordered = tuple(sorted(merged(changes), key=lambda c: (c.path != "", c.path)))
        breaks, rules = self._breaks(name)
        covered = tuple(d for d in breaks if self._migrated_holds(name, d))
        return FieldDiff(name, kind, ordered, breaks, covered, rules, was)

    def _kind(self, name: str, was: str) -> str:
        if name == MESSAGE_ROW:
            return "changed"
        if was:
            return "renamed"
        in_old = name in {self.renames.get(n, n) for n in properties_of(self.old_closed)}
        in_new = name in properties_of(self.new_closed)
        return "changed" if in_old and in_new else "added" if in_new else "removed"

    def _breaks(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The directions the change to ``name`` breaks by itself (renames applied)."""
        old_closed = renamed(self.old_closed, self.renames)
        old_open = renamed(self.old_open, self.renames)
        pairs = {"backward": (old_closed, self.new_open), "forward": (self.new_closed, old_open)}
        breaks, rules = [], []
        for direction, (writer, reader) in pairs.items():
            inclusion = includes(*_project_pair(writer, reader, name))
            if not inclusion.holds:
                breaks.append(direction)
                rules += [c.rule for c in inclusion.changes if c.breaking]
        return tuple(breaks), tuple(dict.fromkeys(rules))

    def _migrated_holds(self, name: str, direction: str) -> bool:
        """Whether the migration steps between the versions cover ``name`` in ``direction``."""
        from registry.check.migrate_schema import UnmappableError, apply_steps

        steps = steps_between(self.definition, self.old, self.new, direction)
        if not steps:
            return False
        writer, reader = (
            (self.old_closed, self.new_open)
            if direction == "backward"
            else (self.new_closed, self.old_open)
        )
        field = (
            name
            if direction == "backward"
            else next((a for a, b in self.renames.items() if b == name), name)
        )
        try:
            migrated = apply_steps(strip_annotations(writer), steps)
        except UnmappableError:
            return False
        return includes(*_project_pair(migrated, reader, field)).holds


def _project_pair(writer: Any, reader: Any, name: str) -> tuple[Any, Any]:
    if name == MESSAGE_ROW:
        return _rest(writer), _rest(reader)
    return _project(writer, name, closed=True), _project(reader, name, closed=False)


def _project(doc: Any, name: str, *, closed: bool) -> Any:
    """The one-field view of a version: only ``name`` is constrained.

    A field the writer lacks is never sent (``false``); one the reader lacks is ignored
    (no constraint). Required-ness comes along, so becoming required is a change.
    """
    doc = strip_annotations(doc)
    if not isinstance(doc, dict):
        return doc
    props = properties_of(doc)
    out: dict[str, Any] = {"type": "object"}
    if name in props:
        out["properties"] = {name: props[name]}
    elif closed:
        out["properties"] = {name: False}
    if name in (doc.get("required") or ()):
        out["required"] = [name]
    if "$defs" in doc:
        out["$defs"] = doc["$defs"]
    return out


def _rest(doc: Any) -> Any:
    """A version without its fields: what the message row is judged on."""
    doc = strip_annotations(doc)
    if not isinstance(doc, dict):
        return doc
    rest = {k: v for k, v in doc.items() if k not in ("properties", "required")}
    rest.pop("additionalProperties", None)  # about undeclared fields: judged per field
    return rest


def _renames(definition: Definition, old: Version, new: Version) -> dict[str, str]:
    """Old field name -> new field name, through every `rename` step between the two."""
    renames: dict[str, str] = {}
    for version in definition.versions:
        if old.number < version.number <= new.number and version.migration:
            for step in version.migration.up:
                if step.kind == "rename":
                    source = next((k for k, v in renames.items() if v == step.field), step.field)
                    renames[source] = step.arg
    return {a: b for a, b in renames.items() if a != b}
