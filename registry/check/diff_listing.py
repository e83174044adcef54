"""The structural listing of ``wiretype diff``: what changed, keyword by keyword.

A ``deepdiff`` of the two versions' closed schemas, the older one's fields renamed as
the migrations between them rename them, grouped by field (``MESSAGE_ROW`` for the
rest) and told keyword by keyword: ``max_length 2000 → 4000``, ``enum + "urgent"``.
Lists whose order means nothing (``enum``, ``required``, ``type``) are compared as sets.
This says what changed, never whether it breaks (``registry.check.diff`` asks the
engine that).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from registry.compile.constraints import CONSTRAINTS

_SNAKE = {keyword: name for name, (keyword, _) in CONSTRAINTS.items()}
ABSENT: Any = type("_Absent", (), {"__repr__": lambda self: "absent"})()
MESSAGE_ROW = "(message)"  # the row for changes outside any field


@dataclass(frozen=True)
class KeywordChange:
    """One edit found by the structural diff, at a keyword path inside a field."""

    path: str  # "max_length", "city.max_length", "enum", "required"; "" for the field itself
    old: Any = ABSENT
    new: Any = ABSENT
    item: bool = False  # an item added to (new) or removed from (old) the list at `path`
    whole: bool = False  # the whole field added or removed
    required: bool = False  # with `whole`: whether that field is required

    @property
    def text(self) -> str:
        if self.whole:
            need = "required" if self.required else "optional"
            return (
                f"{need}: {_show(self.new, 60)}"
                if self.old is ABSENT
                else f"was {need}: {_show(self.old, 60)}"
            )
        if self.path == "required" and isinstance(self.new, bool):  # the field's own
            return "now required" if self.new else "now optional"
        path = self.path or "schema"
        if self.item:  # `old`/`new`: a tuple of the values removed/added
            sign, values = ("+", self.new) if self.old is ABSENT else ("-", self.old)
            return f"{path} {sign} {', '.join(_show(v) for v in values)}"
        if self.old is ABSENT:
            return f"{path} added: {_show(self.new)}"
        if self.new is ABSENT:
            return f"{path} removed (was {_show(self.old)})"
        return f"{path} {_show(self.old)} → {_show(self.new)}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "text": self.text}
        if self.old is not ABSENT:
            out["old"] = self.old
        if self.new is not ABSENT:
            out["new"] = self.new
        return out


class Listing:
    """The structural changes between the closed schemas of two versions, by field."""

    def __init__(self, old_closed: Any, new_closed: Any, renames: dict[str, str], snake: bool):
        self.old_closed, self.new_closed = old_closed, new_closed
        self.renames, self.snake = renames, snake

    def changes(self) -> dict[str, list[KeywordChange]]:
        """Changes by field (new names), in the order of the newer version's fields."""
        from deepdiff import DeepDiff  # only here: `wiretype --help` stays fast

        before = renamed(self.old_closed, self.renames)
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
        new_names = list(properties_of(self.new_closed))
        old_names = [self.renames.get(n, n) for n in properties_of(self.old_closed)]
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
            for name in sorted((before ^ after) - {ABSENT}, key=str):
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
            old, new = (old,) if old is not ABSENT else old, (new,) if new is not ABSENT else new
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
                    old = (old,) if old is not ABSENT else old
                    new = (new,) if new is not ABSENT else new
                changes.append(KeywordChange(self._path(path), old, new, item))
        return changes


def merged(changes: list[KeywordChange]) -> list[KeywordChange]:
    """Items added to (or removed from) one list, as one change: ``enum + "a", "b"``."""
    out: list[KeywordChange] = []
    items: dict[tuple[str, bool], list[Any]] = {}
    for change in changes:
        if not change.item:
            out.append(change)
        else:
            added = change.old is ABSENT
            items.setdefault((change.path, added), []).extend(change.new if added else change.old)
    for (path, added), found in items.items():
        values = tuple(sorted(found, key=_show))
        out.append(
            KeywordChange(path, ABSENT, values, True)
            if added
            else KeywordChange(path, values, ABSENT, True)
        )
    return out


def properties_of(doc: Any) -> dict[str, Any]:
    props = doc.get("properties", {}) if isinstance(doc, dict) else {}
    return props if isinstance(props, dict) else {}


def renamed(doc: Any, renames: dict[str, str]) -> Any:
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


def _value(value: Any) -> Any:
    from deepdiff.helper import notpresent

    return ABSENT if value is notpresent else _plain(value)


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
