"""The keywords of objects for the checks ``c<N>``: ``required`` with ``properties``, the
key loop (``patternProperties``, ``additionalProperties``, ``propertyNames``),
``dependentRequired`` / ``dependentSchemas``, and the property counts."""

from __future__ import annotations

from registry.render.ts_conjunction import (
    HOLE,
    Parts,
    absent,
    all_test,
    call,
    constant,
    member,
    negate,
    present,
)
from registry.render.ts_node import PROTO_NAMES, Node, js_string


def properties(node: Node) -> Parts:
    """``required`` and ``properties`` together, cheapest first (the answer is the same in
    any order). A required property's check, when written in place, is split in two: its
    first test (the type, which rejects ``undefined``: no presence test is needed) goes
    with the cheap tests, the rest with the dear ones; so a message that lacks a field or
    holds one of the wrong type fails before any pattern or format runs. A presence test
    remains only for a required property whose check accepts ``undefined``, or is a call
    of a dear check (which comes late)."""
    s, compiler = node.schema, node.compiler
    required = [n for n in s.get("required", []) if isinstance(n, str)]
    units: list[tuple[int, str]] = []  # (cost, test)
    checked = set()
    for name, sub in s.get("properties", {}).items():
        if sub is True or sub == {}:
            continue
        n = node.sub(sub, "properties", name)
        checked.add(name)
        if name in PROTO_NAMES:  # typed as Object's own member: only a call takes it as is
            tests = [f"{compiler.check_name(n)}({member(HOLE, name)})"]
        else:
            tests = compiler.tests(n, member(HOLE, name))
        if name not in required:
            unit = f"({absent(HOLE, name)} || {all_test(tests)})"
            units.append((compiler.cost(unit), unit))
            continue
        first, rest = tests[0], tests[1:]
        dear_call = not rest and compiler.cost(first) >= _DEAR
        if name in PROTO_NAMES or not compiler.rejects_undefined(n) or dear_call:
            units.append((0, present(HOLE, name)))
        units.append((compiler.cost(first), first))
        if rest:
            units.append((max(compiler.cost(first), compiler.cost(all_test(rest))), all_test(rest)))
    units += [(0, present(HOLE, name)) for name in required if name not in checked]
    return Parts([test for _, test in sorted(units, key=lambda unit: unit[0])])


# The price (``Compiler.cost``) from which a call of a check comes late enough to need a
# presence test first: one format or pattern.
_DEAR = 3


def key_loop(node: Node) -> Parts:
    s = node.schema
    patterns = s.get("patternProperties", {})
    extra = s.get("additionalProperties", True)
    names = s.get("propertyNames", True)
    if not patterns and extra in (True, {}) and names in (True, {}):
        return Parts()
    inner: list[str] = []
    if patterns and extra not in (True, {}):
        inner.append("let matched = false;")
    for pattern, sub in patterns.items():
        test = f"{node.compiler.regex(pattern)}.test(k)"
        check = call(node, sub, "x[k]", "patternProperties", pattern)
        flag = "matched = true; " if extra not in (True, {}) else ""
        inner.append(f"if ({test}) {{ {flag}if ({negate(check)}) return false; }}")
    if extra not in (True, {}):
        declared = list(s.get("properties", {}))
        known = _known_test(node, declared)
        cond = " && ".join(
            c for c in ("!matched" if patterns else "", f"!({known})" if declared else "") if c
        )
        what = (
            "true" if extra is False else negate(call(node, extra, "x[k]", "additionalProperties"))
        )
        inner.append(
            f"if ({cond}) {{ if ({what}) return false; }}" if cond else f"if ({what}) return false;"
        )
    if names not in (True, {}):
        inner.append(f"if ({negate(call(node, names, 'k', 'propertyNames'))}) return false;")
    return Parts(statements=["for (const k of Object.keys(x)) {", *(f"  {t}" for t in inner), "}"])


def _known_test(node: Node, names: list[str]) -> str:
    if len(names) > 6:
        return f"{node.compiler.name_set(names)}.has(k)"
    return " || ".join(f"k === {js_string(name)}" for name in names)


def dependent(node: Node) -> Parts:
    parts = Parts()
    for name, needs in node.schema.get("dependentRequired", {}).items():
        for other in needs:
            parts.conjuncts.append(f"({absent(HOLE, name)} || {present(HOLE, other)})")
    for name, sub in node.schema.get("dependentSchemas", {}).items():
        test = call(node, sub, HOLE, "dependentSchemas", name)
        parts.conjuncts.append(f"({absent(HOLE, name)} || {test})")
    return parts


def object_sizes(node: Node) -> Parts:
    s, parts = node.schema, Parts()
    if "minProperties" in s:
        parts.conjuncts.append(f"Object.keys({HOLE}).length >= {constant(str(s['minProperties']))}")
    if "maxProperties" in s:
        parts.conjuncts.append(f"Object.keys({HOLE}).length <= {constant(str(s['maxProperties']))}")
    return parts
