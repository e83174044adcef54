"""Migration steps -> the statements of one generated hop function (docs/shims.md).

A hop is a function ``(data) -> data`` on the message's data as JSON; each
step is one call into the generated ``_runtime`` module, its arguments
written as Python literals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from registry.compile.model import Definition, Step, Version
from registry.render.py_literals import docstring, py_literal


@dataclass(frozen=True)
class HopView:
    """One generated function: the steps between two adjacent live versions."""

    function: str
    doc: str
    wire: str  # python literal of the message name
    source: int
    target: int
    statements: tuple[str, ...]


def _rename(step: Step) -> str:
    return f"data = _rt.rename(data, {py_literal(step.field)}, {py_literal(step.arg)})"


def _defaults(step: Step) -> str:
    return f"data = _rt.defaults(data, {py_literal(step.field)}, {py_literal(step.arg)})"


def _drop(step: Step) -> str:
    return f"data = _rt.drop(data, {py_literal(step.field)})"


def _values(step: Step) -> str:
    return f"data = _rt.values(data, {py_literal(step.field)}, {py_literal(tuple(step.arg))})"


def _move(step: Step) -> str:
    return f"data = _rt.move(data, {py_literal(step.field)}, {py_literal(step.arg)})"


def _convert(step: Step) -> str:
    name, param = step.arg
    return (
        f"data = _rt.convert(data, {py_literal(step.field)}, {py_literal(name)}, "
        f"{py_literal(param)})"
    )


def _custom(step: Step) -> str:
    return f"data = _rt.custom(data, {py_literal(step.arg[0])})"


STEP_STATEMENTS: dict[str, Callable[[Step], str]] = {
    "rename": _rename,
    "defaults": _defaults,
    "drop": _drop,
    "values": _values,
    "move": _move,
    "convert": _convert,
    "custom": _custom,
}


def definition_hops(definition: Definition, base: str) -> list[HopView]:
    """Every hop of a message that has steps, up and down (a hop without steps is omitted)."""
    hops: list[HopView] = []
    for older, newer in zip(definition.versions, definition.versions[1:], strict=False):
        if newer.migration is None:
            continue
        hops.append(_hop(definition, base, older, newer, newer.migration.up))
        hops.append(_hop(definition, base, newer, older, newer.migration.down))
    return [hop for hop in hops if hop.statements]


def _hop(
    definition: Definition, base: str, source: Version, target: Version, steps: tuple[Step, ...]
) -> HopView:
    return HopView(
        function=f"_{base}_v{source.number}_to_v{target.number}",
        doc=docstring(f"{definition.name}: v{source.number} -> v{target.number}."),
        wire=py_literal(definition.name),
        source=source.number,
        target=target.number,
        statements=tuple(STEP_STATEMENTS[step.kind](step) for step in steps),
    )
