"""One entry of the catalogue, and the categories ``wiretype rules`` lists them under."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One id: a one-line summary, what it protects, a before/after pair and the fix."""

    id: str
    category: str
    summary: str
    protects: str
    before: str
    after: str
    fix: str
    replaced_by: str = ""  # a retired id: the id(s) reported instead

    @property
    def doc(self) -> str:
        """The text of ``wiretype explain``."""
        if self.category == "compatibility":
            example = f"Before (OLD): {self.before}\nAfter  (NEW): {self.after}"
            fix = f"How to evolve safely: {self.fix}"
        else:
            example = f"Before (reported): {self.before}\nAfter  (fixed):    {self.after}"
            fix = f"How to fix: {self.fix}"
        retired = (
            f"Retired: no longer printed; see {self.replaced_by}.\n\n" if self.replaced_by else ""
        )
        return f"{retired}{self.summary}\n\nWhat it protects: {self.protects}\n\n{example}\n\n{fix}"


# (category, heading), in the order `wiretype rules` prints them.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("compatibility", "Compatibility: the engine's rules of set inclusion"),
    ("file", "Definition files"),
    ("yaml", "YAML"),
    ("definition", "Definitions and versions"),
    ("field", "Fields and types"),
    ("schema", "Raw `schema:` versions"),
    ("migration", "Migrations"),
    ("lock", "The lock (wiretype.lock)"),
    ("ref", "check --against REF"),
    ("settings", "Settings (wiretype.yaml, [tool.wiretype])"),
    ("generate", "`wiretype generate`"),
    ("retired", "Retired ids"),
)
