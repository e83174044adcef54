"""Migrations -> the one table both generated packages run (docs/shims.md).

Both packages hold their migrations as this data and run it with a hand-written interpreter
(``templates/python/static/_migration.py``, ``templates/typescript/static/migration.ts``),
so the two cannot drift: the table is built here once, and only its spelling differs
(a Python literal, a JSON text). A hop is ``(message, from version, to version, steps)``,
with a hop that has no steps left out; a step is ``(kind, field, arg)``, its arg a JSON
value: the new name (``rename``, ``move``), the value (``defaults``), nothing (``drop``),
``[[from, to], ...]`` (``values``), ``[converter, parameter]`` (``convert``), or the index of
the user's function among the table's customs (``custom``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.model import Definition, Registry, Step, Version


@dataclass(frozen=True)
class Custom:
    """A user's function of a ``custom`` step, in both languages."""

    python: str  # module:function
    typescript: str  # module#export


@dataclass(frozen=True)
class Hop:
    message: str
    source: int
    target: int
    steps: tuple[tuple[str, str, Any], ...]


@dataclass(frozen=True)
class ShimTable:
    hops: tuple[Hop, ...]
    customs: tuple[Custom, ...]


def shim_table(registry: Registry) -> ShimTable:
    """Every hop with steps of every message, in name and version order."""
    customs: list[Custom] = []
    hops = tuple(
        hop
        for definition in sorted(registry.messages, key=lambda d: d.name)
        for hop in _hops(definition, customs)
    )
    return ShimTable(hops, tuple(customs))


def _hops(definition: Definition, customs: list[Custom]) -> list[Hop]:
    found: list[Hop] = []
    for older, newer in zip(definition.versions, definition.versions[1:], strict=False):
        if newer.migration is not None:
            found.append(_hop(definition, older, newer, newer.migration.up, customs))
            found.append(_hop(definition, newer, older, newer.migration.down, customs))
    return [hop for hop in found if hop.steps]


def _hop(
    definition: Definition,
    source: Version,
    target: Version,
    steps: tuple[Step, ...],
    customs: list[Custom],
) -> Hop:
    return Hop(
        definition.name, source.number, target.number, tuple(_step(step, customs) for step in steps)
    )


def _step(step: Step, customs: list[Custom]) -> tuple[str, str, Any]:
    if step.kind == "custom":
        custom = Custom(*step.arg)
        if custom not in customs:
            customs.append(custom)
        return ("custom", "", customs.index(custom))
    if step.kind == "values":
        return ("values", step.field, [list(pair) for pair in step.arg])
    if step.kind == "convert":
        return ("convert", step.field, list(step.arg))
    return (step.kind, step.field, step.arg)
