"""Checks and reporters that differ only in their constants, written once: the factories
``m<K>`` make such checks, ``n<K>`` such reporters.

Registries repeat structures with other limits: the same object with a ``maxLength`` of 64
in one message and 65 in the next, the next version with a wider ``maximum``. A check
``c<N>`` is written with its schema's constants marked (``ts_conjunction.constant``); with
the constants and the other checks it calls taken out, it is its *template*. Checks of one
template become instances of one factory::

    function m0(v0: any, v1: any, f0: any): (x: any) => boolean {
      return (x: any): boolean => typeof x === "string" && x.length <= v0 && f0(x.id) ...;
    }
    const c19 = /* @__PURE__ */ m0(65, 1, c5);

The constants go in as the same number literals the check would hold, the checks by name,
so nothing of a definition's text becomes code. An instance is a
``const``: it may only name checks written before it (a function declaration, or an instance
already made), so a check in a cycle stays a function of its own, as does a check whose
template no other check has.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from registry.render.ts_conjunction import unmarked
from registry.render.ts_node import js_json
from registry.render.ts_report_refs import Reporter

# In a check's text: a string literal (JSON, skipped whole), a marked constant, or the name
# of another check (not a property: no `.` before it).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\x01([^\x02]*)\x02|(?<![\w$.])(c[0-9]+)(?![\w$])')
# How many instances back an instance may name another: the type checker follows the flow of
# the module back from every reference to a ``const`` to its declaration (functions it does
# not), so a far reference costs it a walk over every declaration in between.
_NEAR = 32
# A check that only calls another (a root that is a reference) is not worth a factory.
_DELEGATION = "  return f0(x);\n"
_HEAD = re.compile(r"^function (c[0-9]+)\(x: any\): boolean \{\n")


@dataclass(frozen=True)
class _Split:
    name: str
    template: str  # the body with v<i> and f<i> in place of constants and names
    values: tuple[str, ...]  # the constants, each once, in order of first use
    names: tuple[str, ...]  # the checks called, each once, in order of first call


def _split(text: str) -> _Split:
    head = _HEAD.match(text)
    assert head is not None, text
    values: dict[str, str] = {}
    names: dict[str, str] = {}

    def hole(found: re.Match[str]) -> str:
        value, name = found.group(1), found.group(2)
        if value is not None:
            return values.setdefault(value, f"v{len(values)}")
        if name is not None:
            return names.setdefault(name, f"f{len(names)}")
        return found.group(0)

    body = _TOKEN.sub(hole, text[head.end() :].removesuffix("}\n"))
    return _Split(head.group(1), body, tuple(values), tuple(names))


def _factory(k: int, split: _Split) -> str:
    params = [f"v{i}: any" for i in range(len(split.values))]
    params += [f"f{i}: any" for i in range(len(split.names))]
    lines = split.template.splitlines()
    if len(lines) == 1 and lines[0].startswith("  return "):
        body = f"  return (x: any): boolean => {lines[0].strip().removeprefix('return ')}\n"
    else:
        body = "  return (x: any): boolean => {\n" + "".join(f"  {t}\n" for t in lines) + "  };\n"
    return f"function m{k}({', '.join(params)}): (x: any) => boolean {{\n{body}}}\n"


def _counts(splits: list[_Split], eligible: list[bool]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for split, ok in zip(splits, eligible, strict=True):
        if ok:
            counts[split.template] = counts.get(split.template, 0) + 1
    return counts


def _instances(
    splits: list[_Split], eligible: list[bool], counts: dict[str, int]
) -> dict[str, int]:
    """The checks written as instances, each with its place among the instances."""
    chosen = [
        s.name for s, ok in zip(splits, eligible, strict=True) if ok and counts[s.template] > 1
    ]
    return {name: i for i, name in enumerate(chosen)}


def factor(checks: list[str]) -> tuple[list[str], list[str]]:
    """The factories, and each check (``c<N>`` with marked constants, in the order they are
    written) as it is written out: an instance of its template's factory when another check
    shares the template and it names only checks written before it, else a function."""
    splits = [_split(text) for text in checks]
    position = {split.name: i for i, split in enumerate(splits)}
    eligible = [
        s.template != _DELEGATION and all(position[n] < i for n in s.names)
        for i, s in enumerate(splits)
    ]
    while True:
        counts = _counts(splits, eligible)
        made_at = _instances(splits, eligible, counts)
        far = [
            s.name in made_at
            and any(n in made_at and made_at[s.name] - made_at[n] > _NEAR for n in s.names)
            for s in splits
        ]
        if not any(far):
            break
        eligible = [ok and not f for ok, f in zip(eligible, far, strict=True)]
    factories: dict[str, int] = {}
    written, made = [], []
    for text, split, ok in zip(checks, splits, eligible, strict=True):
        if not ok or counts.get(split.template, 0) < 2:
            written.append(unmarked(text))
            continue
        if split.template not in factories:
            factories[split.template] = len(factories)
            made.append(_factory(factories[split.template], split))
        args = ", ".join([*split.values, *split.names])
        k = factories[split.template]
        written.append(f"const {split.name} = /* @__PURE__ */ m{k}({args});\n")
    return made, written


# --- reporters ---------------------------------------------------------------------------
#
# A reporter is data already (``ts_report_refs.Reporter``: instructions and the functions
# they name); reporters whose instructions have the same form and name the same functions
# differ only in their leaves (the limits and the messages that quote them). Those become
#
#     function n0(v: string): (x: any, p: string, e: ValidationError[]) => void {
#       let t: string | undefined;
#       return (x, p, e) => report(x, p, e, (t ??= fill('[..,[4,\x01,\x01]]', v)), kType);
#     }
#     const r7 = /* @__PURE__ */ n0('[65,"must be at most 65 characters long"]');
#
# where the leaves that differ (numbers, strings, booleans, null, objects whole) are holes,
# U+0001 in the JSON text (which JSON text never holds raw), that the instance fills once
# (``fill`` in reports.ts). Every text goes in as JSON data. A reporter is only named inside
# functions (other reporters, the exports, the table), so an instance may come anywhere.

_HOLE = "\x01"


def _skeleton(value: Any) -> Any:
    return [_skeleton(v) for v in value] if isinstance(value, list) else 0


def _leaves(value: Any, out: list[Any]) -> list[Any]:
    if isinstance(value, list):
        for item in value:
            _leaves(item, out)
    else:
        out.append(value)
    return out


def _holed(value: Any, holes: set[int], count: list[int]) -> str:
    """The JSON text of ``value``, the leaves at ``holes`` (in walk order) as U+0001."""
    if isinstance(value, list):
        return "[" + ",".join(_holed(v, holes, count) for v in value) + "]"
    count[0] += 1
    if count[0] - 1 in holes:
        return _HOLE
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _literal(text: str) -> str:
    """``text`` (ASCII JSON with U+0001 holes) as a single-quoted literal, as ``js_json``
    writes JSON text, the holes as the escape ``\\x01``."""
    quoted = text.replace("\\", "\\\\").replace("'", "\\'").replace(_HOLE, "\\x01")
    return "'" + quoted + "'"


def factor_reports(reporters: list[Reporter]) -> tuple[list[str], list[str]]:
    """The reporter factories, and each reporter as it is written out: an instance when
    another reporter has the same form and names the same functions, else a function."""
    groups: dict[tuple[str, tuple[str, ...]], list[Reporter]] = {}
    for r in reporters:
        groups.setdefault((json.dumps(_skeleton(r.ops)), r.refs), []).append(r)
    instances: dict[int, str] = {}
    made: list[str] = []
    for members in groups.values():
        leaves = [[json.dumps(v, ensure_ascii=True) for v in _leaves(r.ops, [])] for r in members]
        holes = [i for i in range(len(leaves[0])) if len({m[i] for m in leaves}) > 1]
        if len(members) < 2 or not holes:
            continue
        k = len(made)
        template = _literal(_holed(members[0].ops, set(holes), [0]))
        args = ", ".join(["x", "p", "e", f"(t ??= fill({template}, v))", *members[0].refs])
        made.append(
            f"function n{k}(v: string): (x: any, p: string, e: ValidationError[]) => void {{\n"
            f"  let t: string | undefined;\n"
            f"  return (x, p, e) => report({args});\n}}\n"
        )
        for r in members:
            values = js_json([_leaves(r.ops, [])[i] for i in holes])
            instances[r.n] = f"const r{r.n} = /* @__PURE__ */ n{k}({values});\n"
    return made, [instances.get(r.n, r.text) for r in reporters]
