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

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from registry.check.pairing import Pair, steps_between
from registry.check.policy import Verdicts, check_pair
from registry.compat import includes
from registry.compile.constraints import CONSTRAINTS
from registry.compile.model import Definition, Version
from registry.diagnostics import Finding
from registry.mode import DIRECTIONS
from registry.schema.documents import Schemas
from registry.schema.emit import strip_annotations

_SNAKE = {keyword: name for name, (keyword, _) in CONSTRAINTS.items()}
_ABSENT: Any = type("_Absent", (), {"__repr__": lambda self: "absent"})()
MESSAGE_ROW = "(message)"  # the row for changes outside any field


@dataclass(frozen=True)
class KeywordChange:
    """One edit found by the structural diff, at a keyword path inside a field."""

    path: str  # "max_length", "city.max_length", "enum", "required"; "" for the field itself
    old: Any = _ABSENT
    new: Any = _ABSENT
    item: bool = False  # an item added to (new) or removed from (old) the list at `path`
    whole: bool = False  # the whole field added or removed
    required: bool = False  # with `whole`: whether that field is required

    @property
    def text(self) -> str:
        if self.whole:
            need = "required" if self.required else "optional"
            return (
                f"{need}: {_show(self.new, 60)}"
                if self.old is _ABSENT
                else f"was {need}: {_show(self.old, 60)}"
            )
        if self.path == "required" and isinstance(self.new, bool):  # the field's own
            return "now required" if self.new else "now optional"
        path = self.path or "schema"
        if self.item:  # `old`/`new`: a tuple of the values removed/added
            sign, values = ("+", self.new) if self.old is _ABSENT else ("-", self.old)
            return f"{path} {sign} {', '.join(_show(v) for v in values)}"
        if self.old is _ABSENT:
            return f"{path} added: {_show(self.new)}"
        if self.new is _ABSENT:
            return f"{path} removed (was {_show(self.old)})"
        return f"{path} {_show(self.old)} → {_show(self.new)}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "text": self.text}
        if self.old is not _ABSENT:
            out["old"] = self.old
        if self.new is not _ABSENT:
            out["new"] = self.new
        return out


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

    # --- the listing ---------------------------------------------------------------------

    def listing(self) -> dict[str, list[KeywordChange]]:
        """Changes by field (new names), in the order of the newer version's fields."""
        from deepdiff import DeepDiff  # only here: `wiretype --help` stays fast

        before = _renamed(self.old_closed, self.renames)
        found = DeepDiff(
            _comparable(_without_identity(before)),
            _comparable(_without_identity(self.new_closed)),
            view="tree",
            threshold_to_diff_deeper=0,
        )
        grouped: dict[str, list[KeywordChange]] = {}
        for report, levels in found.items():
            for level in levels:
                self._place(grouped, report, level)
        return dict(sorted(grouped.items(), key=lambda item: self._order(item[0])))

    def _order(self, name: str) -> tuple[int, int]:
        new_names = list(_props(self.new_closed))
        old_names = [self.renames.get(n, n) for n in _props(self.old_closed)]
        if name in new_names:
            return 1, new_names.index(name)
        return (2, old_names.index(name)) if name in old_names else (0, 0)

    def _place(self, grouped: dict[str, list[KeywordChange]], report: str, level: Any) -> None:
        path = level.path(output_format="list")
        old, new = _value(level.t1), _value(level.t2)
        item = report.startswith(("iterable_item", "set_item"))
        if path[:1] == ["required"]:  # a field became required or optional
            before = {old} if item else set(old if isinstance(old, list) else ())
            after = {new} if item else set(new if isinstance(new, list) else ())
            for name in sorted((before ^ after) - {_ABSENT}, key=str):
                grouped.setdefault(str(name), []).append(
                    KeywordChange("required", name in before, name in after)
                )
            return
        if path[:1] == ["properties"] and len(path) >= 2:
            name, rest = str(path[1]), path[2:]
        else:
            name, rest = MESSAGE_ROW, path
        if item:  # the change is to the list: its path has no index
            rest = rest[:-1]
            old, new = (old,) if old is not _ABSENT else old, (new,) if new is not _ABSENT else new
        changes = grouped.setdefault(name, [])
        changes.append(KeywordChange(self._path(rest), old, new, item))
        if rest and rest[-1] == "$ref" and not item:
            changes += self._ref_changes(old, new)

    def _path(self, parts: Iterable[Any]) -> str:
        """``['properties', 'city', 'maxLength']`` -> ``city.max_length`` (snake_case
        constraint names when both versions are written with `fields:`)."""
        out: list[str] = []
        previous: Any = None
        parts = list(parts)
        for i, part in enumerate(parts):
            named = previous == "properties" or i == len(parts) - 1  # a name, or the keyword
            if isinstance(part, int):
                out[-1:] = [f"{out[-1] if out else ''}[{part}]"]
            elif part != "properties" or named:
                keyword = previous != "properties" and self.snake
                out.append(_SNAKE.get(part, part) if keyword else str(part))
            previous = part
        return ".".join(out)

    def _ref_changes(self, old: Any, new: Any) -> list[KeywordChange]:
        """What differs between two shared type versions a field points at."""
        from deepdiff import DeepDiff

        a, b = _def_of(self.old_closed, old), _def_of(self.new_closed, new)
        if a is None or b is None:
            return []
        found = DeepDiff(_comparable(a), _comparable(b), view="tree", threshold_to_diff_deeper=0)
        changes = []
        for report, levels in found.items():
            for level in levels:
                path = level.path(output_format="list")
                item = report.startswith(("iterable_item", "set_item"))
                old, new = _value(level.t1), _value(level.t2)
                if item:
                    path = path[:-1]
                    old = (old,) if old is not _ABSENT else old
                    new = (new,) if new is not _ABSENT else new
                changes.append(KeywordChange(self._path(path), old, new, item))
        return changes

    # --- one row -------------------------------------------------------------------------

    def row(self, name: str, changes: list[KeywordChange]) -> FieldDiff:
        was = next((a for a, b in self.renames.items() if b == name), "")
        kind = self._kind(name, was)
        whole = next((c for c in changes if not c.path), None)
        if kind in ("added", "removed") and whole is not None:  # the field, and required-ness
            doc = self.new_closed if kind == "added" else self.old_closed
            required = name in (doc.get("required") or ())
            changes = [KeywordChange("", whole.old, whole.new, whole=True, required=required)]
        ordered = tuple(sorted(_merged(changes), key=lambda c: (c.path != "", c.path)))
        breaks, rules = self._breaks(name)
        covered = tuple(d for d in breaks if self._migrated_holds(name, d))
        return FieldDiff(name, kind, ordered, breaks, covered, rules, was)

    def _kind(self, name: str, was: str) -> str:
        if name == MESSAGE_ROW:
            return "changed"
        if was:
            return "renamed"
        in_old = name in {self.renames.get(n, n) for n in _props(self.old_closed)}
        in_new = name in _props(self.new_closed)
        return "changed" if in_old and in_new else "added" if in_new else "removed"

    def _breaks(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The directions the change to ``name`` breaks by itself (renames applied)."""
        old_closed = _renamed(self.old_closed, self.renames)
        old_open = _renamed(self.old_open, self.renames)
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


def _merged(changes: list[KeywordChange]) -> list[KeywordChange]:
    """Items added to (or removed from) one list, as one change: ``enum + "a", "b"``."""
    out: list[KeywordChange] = []
    items: dict[tuple[str, bool], list[Any]] = {}
    for change in changes:
        if not change.item:
            out.append(change)
        else:
            added = change.old is _ABSENT
            items.setdefault((change.path, added), []).extend(change.new if added else change.old)
    for (path, added), found in items.items():
        values = tuple(sorted(found, key=_show))
        out.append(
            KeywordChange(path, _ABSENT, values, True)
            if added
            else KeywordChange(path, values, _ABSENT, True)
        )
    return out


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
    props = _props(doc)
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


def _props(doc: Any) -> dict[str, Any]:
    props = doc.get("properties", {}) if isinstance(doc, dict) else {}
    return props if isinstance(props, dict) else {}


def _renamed(doc: Any, renames: dict[str, str]) -> Any:
    """``doc`` with its top-level fields renamed (old name -> new name)."""
    if not renames or not isinstance(doc, dict):
        return doc
    out = dict(doc)
    if isinstance(doc.get("properties"), dict):
        out["properties"] = {renames.get(k, k): v for k, v in doc["properties"].items()}
    if isinstance(doc.get("required"), list):
        out["required"] = [renames.get(k, k) for k in doc["required"]]
    return out


# Top-level keys that say which version a document is, not what it accepts; `$defs` (the
# shared types) are compared where a field points at them.
_IDENTITY = ("$defs", "$id", "$schema", "title", "description", "$comment")


def _without_identity(doc: Any) -> Any:
    return {k: v for k, v in doc.items() if k not in _IDENTITY} if isinstance(doc, dict) else doc


class _Json(str):
    """A value of a set-like list, as JSON text (hashable, and `1` is not `true`)."""


_SETS = ("enum", "required", "type")  # lists whose order means nothing
_NAMES = ("properties", "patternProperties", "$defs", "dependentSchemas")  # name -> schema
_DATA = ("const", "default", "examples")  # values, not schemas


def _comparable(node: Any, names: bool = False) -> Any:
    """A schema with its set-like lists as sets, so the diff says `enum + "urgent"`
    rather than pairing a removed value with an added one."""
    if isinstance(node, list):
        return [_comparable(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if names:
            out[key] = _comparable(value)
        elif key in _SETS and isinstance(value, list):
            out[key] = frozenset(_Json(json.dumps(v, sort_keys=True)) for v in value)
        elif key in _DATA:
            out[key] = value
        else:
            out[key] = _comparable(value, names=key in _NAMES)
    return out


def _def_of(doc: Any, ref: Any) -> Any:
    prefix = "#/$defs/"
    if not isinstance(ref, str) or not ref.startswith(prefix) or not isinstance(doc, dict):
        return None
    return (doc.get("$defs") or {}).get(ref[len(prefix) :])


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


def _value(value: Any) -> Any:
    from deepdiff.helper import notpresent

    return _ABSENT if value is notpresent else _plain(value)


def _plain(value: Any) -> Any:
    """A value of ``_comparable``'s output as the JSON it was (sets back to lists)."""
    if isinstance(value, _Json):
        return json.loads(value)
    if isinstance(value, frozenset):
        return sorted((_plain(v) for v in value), key=_show)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _show(value: Any, most: int = 40) -> str:
    """A value as compact JSON (a string quoted, a number bare), long ones cut."""
    if isinstance(value, str) and value.startswith("#/$defs/"):
        name, _, number = value.removeprefix("#/$defs/").rpartition(".v")
        return f"{name}@{number}" if number.isdigit() else value
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= most else text[: most - 1] + "…"


# --- printing ------------------------------------------------------------------------------


def render_text(diff: VersionDiff) -> str:
    lines = [f"{diff.message}: v{diff.old} -> v{diff.new}  (mode: {diff.mode})"]
    kind_w = max((len(r.kind) for r in diff.rows), default=0)
    label_w = max((len(r.label) for r in diff.rows), default=0)
    detail_w = min(max((len(r.detail) for r in diff.rows), default=0), 48)
    for row in diff.rows:
        rules = f"  {', '.join(row.rules)}" if row.rules else ""
        lines.append(
            f"  {row.kind:{kind_w}}  {row.label:{label_w}}  {row.detail:{detail_w}}  "
            f"{row.verdict}{rules}".rstrip()
        )
    if not diff.rows:
        lines.append("  no changes to the schema")
    lines += list(_direction_lines(diff))
    lines.append(_verdict_line(diff))
    return "\n".join(lines) + "\n"


def _direction_lines(diff: VersionDiff) -> Iterator[str]:
    for d in diff.directions:
        state = "ok" if d.holds else f"{len(d.problems)} problem(s)"
        note = "" if d.checked else f" (not checked by mode {diff.mode})"
        yield f"{d.direction} with migrations: {state}{note}"
        yield from (f"  - {problem}" for problem in d.problems)


def _verdict_line(diff: VersionDiff) -> str:
    checked = [d.direction for d in diff.directions if d.checked]
    if not checked:
        return f"compatible: mode {diff.mode} checks no direction"
    if diff.compatible:
        return f"compatible in mode {diff.mode}"
    failing = [d.direction for d in diff.directions if d.checked and not d.holds]
    return (
        f"NOT compatible in mode {diff.mode}: {' and '.join(failing)} "
        f"{'fails' if len(failing) == 1 else 'fail'}"
    )


def to_json(diff: VersionDiff) -> dict[str, Any]:
    by_direction = {d.direction: d for d in diff.directions}
    return {
        "message": diff.message,
        "from": diff.old,
        "to": diff.new,
        "mode": diff.mode,
        "compatible": diff.compatible,
        "checked": [d.direction for d in diff.directions if d.checked],
        "changes": [row.to_json() for row in diff.rows],
        "backward": by_direction["backward"].holds,
        "forward": by_direction["forward"].holds,
        "problems": {d.direction: list(d.problems) for d in diff.directions},
    }
