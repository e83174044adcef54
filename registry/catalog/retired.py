"""The catalogue's retired ids: no longer printed, kept so that they are never reused."""

from __future__ import annotations

from registry.catalog.entry import Entry

_RETIRED_DIFF_LABELS = (
    ("FIELD_ADDED", "an added field"),
    ("FIELD_REMOVED", "a removed field"),
    ("FIELD_RENAMED", "a renamed field"),
    ("FIELD_WIDENED", "a field that accepts more"),
)

ENTRIES: tuple[Entry, ...] = tuple(
    Entry(
        old,
        "retired",
        f"`wiretype diff` labelled {what} with this id.",
        "nothing: the label said nothing about compatibility",
        f"diff row: {what} ... {old}",
        "diff row: the engine rule that breaks, or `safe`",
        "read the row's verdict and rule: they come from the compatibility engine",
        replaced_by="the compatibility rules in `wiretype diff` rows",
    )
    for old, what in _RETIRED_DIFF_LABELS
)
