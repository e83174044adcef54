"""Compatibility modes: which directions the versions of a message are checked in.

``backward``: the new version reads what the old one wrote; ``forward``: the old
version reads what the new one wrote; ``full``: both. The ``_transitive`` forms check
a version against every earlier live version instead of only the one before it, and
``none`` checks nothing. A mode is parsed once, where it is written (the settings, a
definition's ``compatibility:``, ``wiretype compat --mode``), into a ``Mode``; every
later stage reads its ``directions`` and ``transitive`` and never the name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Direction = Literal["backward", "forward"]
DIRECTIONS: tuple[Direction, ...] = ("backward", "forward")


@dataclass(frozen=True)
class Mode:
    """One mode, by the name it is written with."""

    name: str
    directions: tuple[Direction, ...]
    transitive: bool = False

    def __str__(self) -> str:
        return self.name

    def checks(self, direction: str) -> bool:
        return direction in self.directions

    def covers(self, other: Mode) -> bool:
        """Whether this mode checks at least everything that ``other`` checks."""
        wider, narrower = set(self.directions), set(other.directions)
        transitive_ok = self.transitive or not other.transitive or not narrower
        return narrower <= wider and transitive_ok

    @property
    def one_step(self) -> Mode:
        """The mode without ``_transitive``: what it asks of one pair of schemas."""
        return MODES[self.name.removesuffix("_transitive")]


def _modes() -> dict[str, Mode]:
    base: dict[str, tuple[Direction, ...]] = {
        "backward": ("backward",),
        "forward": ("forward",),
        "full": DIRECTIONS,
    }
    modes = {name: Mode(name, directions) for name, directions in base.items()}
    for name, directions in base.items():
        modes[f"{name}_transitive"] = Mode(f"{name}_transitive", directions, transitive=True)
    modes["none"] = Mode("none", ())
    return modes


MODES: Mapping[str, Mode] = MappingProxyType(_modes())
NAMES: tuple[str, ...] = tuple(MODES)
FULL = MODES["full"]
ONE_STEP_NAMES: tuple[str, ...] = tuple(n for n in NAMES if not n.endswith("_transitive"))


def parse_mode(value: object) -> Mode | None:
    """The mode named ``value``, or None when it names none."""
    return MODES.get(value) if isinstance(value, str) else None
