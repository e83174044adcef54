"""The interface topic modules use to recurse into subschemas."""

from __future__ import annotations

from typing import Any, Protocol

from .model import Change, Kind

Conj = tuple[Any, ...]
"""A conjunction of raw schema nodes from one document (empty = `true`)."""


class Inner(Protocol):
    def incl(self, a: Conj, b: Conj, path: str) -> list[Change]:
        """Findings of "every value of A is in B" (empty list = proved)."""
        ...

    def empty(self, a: Conj) -> bool:
        """Proved: the left-hand conjunction accepts nothing."""
        ...

    def a_ok(self, a: Conj, value: Any) -> bool:
        """Left document accepts value (True when validation fails to run)."""
        ...

    def b_ok(self, b: Conj, value: Any) -> bool:
        """Right document accepts value (True when validation fails to run)."""
        ...

    def b_sure(self, b: Conj, value: Any) -> bool:
        """Right document certainly accepts value (False when validation fails to run)."""
        ...

    def sample(self, a: Conj) -> Any:
        """A value the left conjunction accepts, or NO_WITNESS."""
        ...


def worst(changes: list[Change]) -> Kind | None:
    """The strongest kind among breaking changes ("no" > "unknown"), None if none."""
    kinds = {c.kind for c in changes if c.breaking}
    if "no" in kinds:
        return "no"
    return "unknown" if kinds else None
