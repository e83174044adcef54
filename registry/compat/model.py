"""Plain data of the engine: findings (`Change`) and verdicts (`Inclusion`, `Comparison`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from registry.mode import DIRECTIONS, Mode

Verdict = Literal["yes", "no", "unknown"]
Kind = Literal["no", "unknown", "info"]


class _NoWitness:
    """Sentinel type: the change carries no example value."""

    _instance: _NoWitness | None = None

    def __new__(cls) -> _NoWitness:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_WITNESS"

    def __bool__(self) -> bool:
        return False


NO_WITNESS: Final = _NoWitness()


@dataclass(frozen=True)
class Change:
    """One reason found while comparing two schemas.

    `path` is a JSON pointer into the schema being tested against (the right-hand
    side of the inclusion), ending at the keyword that decides, e.g.
    `/properties/room/maxLength`. `kind` is "no" (proved not included),
    "unknown" (cannot prove) or "info" (a compatible change worth telling).
    """

    path: str
    rule: str
    breaking: bool
    message: str
    witness: Any = NO_WITNESS
    direction: str = ""
    kind: Kind = "no"

    @property
    def has_witness(self) -> bool:
        return self.witness is not NO_WITNESS

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path or "/",
            "rule": self.rule,
            "breaking": self.breaking,
            "proved": self.kind == "no",
            "message": self.message,
        }
        if self.has_witness:
            out["witness"] = self.witness
        if self.direction:
            out["direction"] = self.direction
        return out


@dataclass(frozen=True)
class Inclusion:
    """The answer to "is every value of A accepted by B?"."""

    verdict: Verdict
    changes: tuple[Change, ...] = ()

    @property
    def holds(self) -> bool:
        return self.verdict == "yes"

    @property
    def undecided(self) -> list[str]:
        """The paths (in the including schema) of the parts that could not be decided."""
        return list(dict.fromkeys(c.path or "/" for c in self.changes if c.kind == "unknown"))


def proved(witness: Any) -> Kind:
    """ "no" when a witness backs the finding, "unknown" otherwise."""
    return "unknown" if witness is NO_WITNESS else "no"


def unproved(change: Change) -> Change:
    """A "no" change without its witness: "unknown", since nothing backs it any more."""
    if change.kind != "no":
        return change
    return Change(
        change.path,
        change.rule,
        change.breaking,
        change.message,
        NO_WITNESS,
        change.direction,
        "unknown",
    )


def tentative(change: Change) -> Change:
    """A "no" change that nothing proves yet: "unknown", keeping its candidate witness, which
    becomes a proof only if, as a whole instance, it validates on both sides (``whole``)."""
    return change if change.kind != "no" else replace(change, kind="unknown")


def verdict_of(changes: tuple[Change, ...]) -> Verdict:
    """ "no" if a change proves exclusion, else "unknown" if any is unproved, else "yes"."""
    kinds = {c.kind for c in changes}
    if "no" in kinds:
        return "no"
    return "unknown" if "unknown" in kinds else "yes"


@dataclass(frozen=True)
class Comparison:
    """Both directions between an OLD and a NEW schema."""

    backward: Inclusion
    forward: Inclusion

    def compatible(self, mode: Mode) -> bool:
        """Whether the pair passes `mode` (every direction it checks); "unknown" never passes."""
        return all(getattr(self, direction).holds for direction in mode.directions)

    def to_json(self, mode: Mode) -> dict[str, Any]:
        """`{"compatible", "backward", "forward", "verdicts", "undecided", "changes"}` as
        `wiretype compat` prints it: per direction "yes", "no" (its changes with
        `proved: true` carry a whole-instance witness) or "unknown" (`undecided` lists the
        paths it could not decide); the changes of the one direction a one-way mode
        checks, else of both."""
        directions = mode.directions if len(mode.directions) == 1 else DIRECTIONS
        changes = [_directed(c, d).to_json() for d in directions for c in getattr(self, d).changes]
        return {
            "compatible": self.compatible(mode),
            "backward": self.backward.holds,
            "forward": self.forward.holds,
            "verdicts": {d: getattr(self, d).verdict for d in DIRECTIONS},
            "undecided": {d: getattr(self, d).undecided for d in DIRECTIONS},
            "changes": changes,
        }


def _directed(change: Change, direction: str) -> Change:
    return Change(
        change.path,
        change.rule,
        change.breaking,
        change.message,
        change.witness,
        direction,
        change.kind,
    )
