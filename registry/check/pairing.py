"""Pairing: which versions of a message are compared, in which direction, through which steps.

The message's mode decides it (``registry.mode``): each version against the one
before it, or against every earlier one when the mode is transitive, in each
direction the mode checks. **backward**: the older version writes and the newer one
reads, after the ``migrate:`` steps on the way up; **forward**: the newer version
writes and the older one reads, after the steps on the way down. Every later
question (is the pair compatible, which step would cover it, what witness proves
a break) is asked of one ``Pair``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from registry.compile.model import Definition, Step, Version
from registry.mode import Direction


@dataclass(frozen=True)
class Pair:
    """One check: can the reader read what the writer wrote, after the steps between them?"""

    definition: Definition
    old: Version
    new: Version
    direction: Direction  # backward: old writes, new reads; forward: new writes, old reads

    @property
    def label(self) -> str:
        arrow = "→" if self.direction == "backward" else "←"
        return f"{self.definition.name} v{self.old.number} {arrow} v{self.new.number}"

    @property
    def writer(self) -> Version:
        return self.old if self.direction == "backward" else self.new

    @property
    def reader(self) -> Version:
        return self.new if self.direction == "backward" else self.old

    @property
    def steps(self) -> list[Step]:
        """The steps that run on what the writer wrote, before the reader reads it."""
        return steps_between(self.definition, self.old, self.new, self.direction)

    @property
    def back(self) -> list[Step]:
        """The steps of the other direction (to map a value back to the writer's side)."""
        other: Direction = "forward" if self.direction == "backward" else "backward"
        return steps_between(self.definition, self.old, self.new, other)


def pairs(definition: Definition) -> Iterator[Pair]:
    """Every pair that the definition's mode asks to check."""
    mode = definition.compatibility
    versions = definition.versions
    for j in range(1, len(versions)):
        earlier = range(j) if mode.transitive else (j - 1,)
        for i in earlier:
            for direction in mode.directions:
                yield Pair(definition, versions[i], versions[j], direction)


def steps_between(definition: Definition, old: Version, new: Version, direction: str) -> list[Step]:
    """The migration steps from old to new (backward) or from new down to old (forward)."""
    hops = [v for v in definition.versions if old.number < v.number <= new.number]
    if direction == "backward":
        return [s for v in hops for s in (v.migration.up if v.migration else ())]
    return [s for v in reversed(hops) for s in (v.migration.down if v.migration else ())]
