"""The interfaces the topic modules recurse through, so that none of them imports the engine.

``Inner`` is what the type modules (``objects``, ``arrays``) ask of the engine: the
inclusion of sub-schemas, emptiness, validation of one value, a sample value.
``Prover`` adds what the right side's keywords and combinators (``keywords``,
``combinators``) need: the right-hand document, one left piece against one right
node, a ``$ref`` followed with coinduction, a witness, and the recursion budget.
``engine.Checker`` implements both.
"""

from __future__ import annotations

from typing import Any, Protocol

from .document import SchemaDocument
from .model import Change, Kind
from .normal import Branch

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


class Prover(Inner, Protocol):
    @property
    def b(self) -> SchemaDocument:
        """The right-hand document (``$ref``s of right nodes resolve in it)."""
        ...

    def too_deep(self) -> bool:
        """The recursion budget is spent: answer conservatively."""
        ...

    def enter(self) -> bool:
        """Go one level deeper; False when that is too deep (``leave`` undoes it)."""
        ...

    def leave(self) -> None: ...

    def branch_in(self, branch: Branch, a: Conj, node: Any, path: str) -> list[Change]:
        """Findings of "every value of this left branch is accepted by the right ``node``"."""
        ...

    def ref_in(self, piece: Branch, a: Conj, ref: Any, path: str) -> list[Change]:
        """Findings of the piece against the target of a right-hand ``$ref``."""
        ...

    def implied(self, a: Conj, node: dict[str, Any], keys: tuple[str, ...]) -> bool:
        """Proved: the left conjunction holds ``node``'s ``keys`` as written (alike on both
        sides), e.g. an unchanged ``if``/``then``/``else``."""
        ...

    def alike(self, x: Any, y: Any) -> bool:
        """A left node and a right node written alike (their references agreeing)."""
        ...

    def left_nodes(self, a: Conj) -> list[Any]:
        """Nodes every value of the left conjunction satisfies (its ``allOf`` members and
        ``$ref`` targets, transitively, bounded)."""
        ...

    def implied_entry(self, a: Conj, key: str, name: str, sub: Any) -> bool:
        """Proved: the left conjunction holds the entry ``name`` of ``key`` as written."""
        ...

    def witness_for(self, piece: Branch, a: Conj, node: Any) -> Any:
        """A value A accepts and the right ``node`` rejects, or NO_WITNESS."""
        ...


def worst(changes: list[Change]) -> Kind | None:
    """The strongest kind among breaking changes ("no" > "unknown"), None if none."""
    kinds = {c.kind for c in changes if c.breaking}
    if "no" in kinds:
        return "no"
    return "unknown" if kinds else None
