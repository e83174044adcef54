"""Migrations -> the data table the generated ``shims.ts`` runs (see docs/shims.md).

Each message becomes ``[name, [versions...], [[version, up steps, down steps], ...]]``
where a step is ``[kind, field, arg]``; a ``custom`` step's arg is the index of
the user's function among the static imports of ``shims.ts``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from registry.compile.model import Definition, Registry, Step
from registry.render.ts_validators import js_string


@dataclass(frozen=True)
class CustomImport:
    module: str  # a JavaScript string literal
    export: str  # an identifier (checked by the migration parser)
    alias: str


def shim_table(registry: Registry) -> tuple[str, list[CustomImport]]:
    """The table as a JavaScript string literal holding JSON, and the custom imports."""
    customs: dict[str, CustomImport] = {}
    table = [_chain(d, customs) for d in sorted(registry.messages, key=lambda d: d.name)]
    text = json.dumps(table, ensure_ascii=True, separators=(",", ":"))
    return js_string(text), list(customs.values())


def _chain(definition: Definition, customs: dict[str, CustomImport]) -> list[Any]:
    hops = []
    for version in definition.versions:
        migration = version.migration
        up = [_step(s, customs) for s in migration.up] if migration else []
        down = [_step(s, customs) for s in migration.down] if migration else []
        hops.append([version.number, up, down])
    return [definition.name, [v.number for v in definition.versions], hops]


def _step(step: Step, customs: dict[str, CustomImport]) -> list[Any]:
    if step.kind == "custom":
        target = step.arg[1]
        if target not in customs:
            module, export = target.rsplit("#", 1)
            customs[target] = CustomImport(js_string(module), export, f"custom{len(customs)}")
        return ["custom", "", list(customs).index(target)]
    if step.kind == "values":
        return ["values", step.field, [list(pair) for pair in step.arg]]
    if step.kind == "convert":
        return ["convert", step.field, list(step.arg)]
    return [step.kind, step.field, step.arg]
