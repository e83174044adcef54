"""The boolean checks ``c<N>(x)``: each schema node as one conjunction.

Every keyword is a small function ``(node) -> Parts``: the conjuncts that must all hold
(expressions over ``HOLE``, the value tested) and, for the keywords that loop (``items``,
``contains``, the key loop), statements over ``x`` that ``return false`` on a failure. A
node without statements is one expression, which its parent may write in place of a call
(``Compiler.call``): ``obj(x) && typeof x.id === "string" && c4(x.author)``.

The checks allocate nothing and answer exactly what the JSON Schema keywords answer
(``ts_validators`` lists them); the reporters (``ts_reports``) explain a failure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from registry.json.formats import FORMAT_PATTERNS
from registry.json.numbers import MAX_EXACT, decimal_parts
from registry.render.ts_check_objects import dependent, key_loop, object_sizes, properties
from registry.render.ts_conjunction import (
    HOLE,
    Parts,
    all_test,
    any_test,
    call,
    constant,
    equals,
    negate,
)
from registry.render.ts_node import Node, NotGenerated, js_value

# The function of validation.ts that checks each format of docs/formats.md.
FORMAT_FUNCTIONS = {
    name: "fmt" + "".join(p.capitalize() for p in name.split("-")) for name in FORMAT_PATTERNS
}

# ``obj`` and ``arr`` (validators.ts) are ``isObj`` and ``Array.isArray`` typed as plain
# booleans: a type guard would narrow ``x`` at every step of a conjunction, which costs the
# type checker far more than the checks are worth.
TYPE_TESTS = {
    "string": f'typeof {HOLE} === "string"',
    "number": f"Number.isFinite({HOLE})",
    "integer": f"Number.isInteger({HOLE})",
    "boolean": f'typeof {HOLE} === "boolean"',
    "null": f"{HOLE} === null",
    "array": f"arr({HOLE})",
    "object": f"obj({HOLE})",
}
# The keywords of one instance type, the test that selects that type, and its negation.
GROUPS = {
    "number": ({"number", "integer"}, f'typeof {HOLE} === "number"', f'typeof {HOLE} !== "number"'),
    "string": ({"string"}, f'typeof {HOLE} === "string"', f'typeof {HOLE} !== "string"'),
    "array": ({"array"}, f"arr({HOLE})", f"!arr({HOLE})"),
    "object": ({"object"}, f"obj({HOLE})", f"!obj({HOLE})"),
}


# --- every instance type -----------------------------------------------------------------


def _enum(node: Node) -> Parts:
    s, parts = node.schema, Parts()
    if "const" in s:
        parts.conjuncts.append(equals(node, [s["const"]]))
    if isinstance(s.get("enum"), list):
        parts.conjuncts.append(equals(node, s["enum"]))
    return parts


def _ref(node: Node) -> Parts:
    ref = node.schema.get("$ref")
    if ref is None:
        return Parts()
    if not isinstance(ref, str):
        raise node.refuse("$ref must be a string")
    pointer, target = node.compiler.resolve(node.doc, ref)
    n = node.compiler.child(node.doc, pointer, target)
    return Parts([node.compiler.call(n, HOLE)])


def _all_of(node: Node) -> Parts:
    subs = node.schema.get("allOf", [])
    return Parts([call(node, sub, HOLE, "allOf", i) for i, sub in enumerate(subs)])


def _any_of(node: Node) -> Parts:
    subs = node.schema.get("anyOf")
    if subs is None:
        return Parts()
    return Parts([any_test([call(node, sub, HOLE, "anyOf", i) for i, sub in enumerate(subs)])])


def _one_of(node: Node) -> Parts:
    subs = node.schema.get("oneOf")
    if subs is None:
        return Parts()
    tests = [f"({call(node, sub, HOLE, 'oneOf', i)} ? 1 : 0)" for i, sub in enumerate(subs)]
    return Parts([f"{' + '.join(tests) or '0'} === 1"])


def _not(node: Node) -> Parts:
    if "not" not in node.schema:
        return Parts()
    return Parts([negate(call(node, node.schema["not"], HOLE, "not"))])


def _if(node: Node) -> Parts:
    s = node.schema
    if "if" not in s or ("then" not in s and "else" not in s):
        return Parts()
    cond = call(node, s["if"], HOLE, "if")
    then = call(node, s["then"], HOLE, "then") if "then" in s else "true"
    other = call(node, s["else"], HOLE, "else") if "else" in s else "true"
    return Parts([f"({cond} ? {then} : {other})"])


# --- numbers -----------------------------------------------------------------------------


def number(value: Any, keyword: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotGenerated(f"{keyword} must be a number")
    literal = js_value(value)
    assert literal is not None
    return literal


_BOUND_TESTS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}


def bounds(node: Node) -> dict[str, Any]:
    """The numeric bounds of a node, as inclusive integer bounds on an integer."""
    found = {k: node.schema[k] for k in _BOUND_TESTS if k in node.schema}
    for keyword, value in found.items():
        number(value, keyword)
    if node.schema.get("type") in ("integer", ["integer"]):
        return integer_bounds(found)  # as the Python package words them: `at least 2`
    return found


def integer_bounds(found: dict[str, Any]) -> dict[str, int]:
    """Bounds on an integer as the inclusive integer bounds they mean (``minimum: 1.5`` and
    ``exclusiveMinimum: 1`` are ``minimum: 2``)."""
    lows = [math.ceil(found["minimum"])] if "minimum" in found else []
    lows += [math.floor(found["exclusiveMinimum"]) + 1] if "exclusiveMinimum" in found else []
    highs = [math.floor(found["maximum"])] if "maximum" in found else []
    highs += [math.ceil(found["exclusiveMaximum"]) - 1] if "exclusiveMaximum" in found else []
    out = {"minimum": max(lows)} if lows else {}
    return {**out, "maximum": min(highs)} if highs else out


def _bounds(node: Node) -> Parts:
    return Parts(
        [f"{HOLE} {_BOUND_TESTS[k]} {constant(number(b, k))}" for k, b in bounds(node).items()]
    )


def multiple(node: Node) -> tuple[int, int, int | None] | None:
    """``multipleOf`` as (mantissa, exponent, the integer step when ``%`` is exact)."""
    if "multipleOf" not in node.schema:
        return None
    factor = node.schema["multipleOf"]
    number(factor, "multipleOf")
    if factor <= 0:
        raise node.refuse("multipleOf must be greater than 0")
    mantissa, exponent = decimal_parts(factor)
    exact = float(factor).is_integer() and factor <= MAX_EXACT  # `%` is exact on safe integers
    return mantissa, exponent, int(factor) if exact else None


def _multiple_of(node: Node) -> Parts:
    found = multiple(node)
    if found is None:
        return Parts()
    mantissa, exponent, step = found
    test = f"multOf({HOLE}, {constant(f'{mantissa}n')}, {constant(str(exponent))})"
    if step is not None:
        exact = f"{HOLE} >= -{MAX_EXACT} && {HOLE} <= {MAX_EXACT}"
        test = f"({exact} ? {HOLE} % {constant(str(step))} === 0 : {test})"
    return Parts([test])


# --- strings -----------------------------------------------------------------------------


def lengths(node: Node) -> tuple[int | None, int | None]:
    low, high = node.schema.get("minLength"), node.schema.get("maxLength")
    lo = math.ceil(low) if isinstance(low, (int, float)) and low > 0 else None
    hi = math.floor(high) if isinstance(high, (int, float)) else None
    return lo, hi


def _lengths(node: Node) -> Parts:
    lo, hi, parts = *lengths(node), Parts()
    if lo is not None:
        low, twice = constant(str(lo)), constant(str(2 * lo))
        parts.conjuncts.append(
            f"{HOLE}.length >= {low} && ({HOLE}.length >= {twice} || cpLen({HOLE}) >= {low})"
            if lo > 1
            else f"{HOLE}.length >= 1"  # one code unit or more is one code point or more
        )
    if hi is not None:
        high = constant(str(hi))
        parts.conjuncts.append(f"({HOLE}.length <= {high} || cpLen({HOLE}) <= {high})")
    return parts


def _pattern(node: Node) -> Parts:
    pattern = node.schema.get("pattern")
    if not isinstance(pattern, str):
        return Parts()
    return Parts([f"{node.compiler.regex(pattern)}.test({HOLE})"])


def _format(node: Node) -> Parts:
    name = node.schema.get("format")
    if name not in FORMAT_FUNCTIONS:
        return Parts()  # other formats are annotations
    return Parts([f"{FORMAT_FUNCTIONS[name]}({HOLE})"])


# --- arrays ------------------------------------------------------------------------------


def _items(node: Node) -> Parts:
    s, parts = node.schema, Parts()
    prefix = s.get("prefixItems", [])
    for i, sub in enumerate(prefix):
        parts.conjuncts.append(
            f"({HOLE}.length <= {i} || {call(node, sub, f'{HOLE}[{i}]', 'prefixItems', i)})"
        )
    items = s.get("items", True)
    if items is False:
        parts.conjuncts.append(f"{HOLE}.length <= {len(prefix)}")
    elif items is not True and items != {}:
        test = call(node, items, "x[i]", "items")
        parts.statements.append(
            f"for (let i = {len(prefix)}; i < x.length; i++) if ({negate(test)}) return false;"
        )
    return parts


def _array_sizes(node: Node) -> Parts:
    s, parts = node.schema, Parts()
    if "minItems" in s:
        parts.conjuncts.append(f"{HOLE}.length >= {constant(str(s['minItems']))}")
    if "maxItems" in s:
        parts.conjuncts.append(f"{HOLE}.length <= {constant(str(s['maxItems']))}")
    if s.get("uniqueItems") is True:
        parts.conjuncts.append(f"uniq({HOLE})")
    return parts


def _contains(node: Node) -> Parts:
    s = node.schema
    if "contains" not in s:
        return Parts()
    test = call(node, s["contains"], "x[i]", "contains")
    low, high = s.get("minContains", 1), s.get("maxContains")
    fail = f"found < {constant(str(low))}"
    fail += f" || found > {constant(str(high))}" if high is not None else ""
    return Parts(
        statements=[
            "{",
            "  let found = 0;",
            f"  for (let i = 0; i < x.length; i++) if ({test}) found++;",
            f"  if ({fail}) return false;",
            "}",
        ]
    )


Emit = Callable[[Node], Parts]
KEYWORDS: tuple[Emit, ...] = (_enum, _ref, _all_of, _any_of, _one_of, _not, _if)
GROUP_KEYWORDS: dict[str, tuple[Emit, ...]] = {
    "number": (_bounds, _multiple_of),
    "string": (_lengths, _format, _pattern),
    "array": (_array_sizes, _items, _contains),
    "object": (properties, key_loop, dependent, object_sizes),
}


def types(node: Node) -> list[str] | None:
    declared = node.schema.get("type")
    if declared is None:
        return None
    found = [declared] if isinstance(declared, str) else list(declared)
    unknown = [t for t in found if t not in TYPE_TESTS]
    if unknown:
        raise node.refuse(f"unknown type {unknown[0]!r}")
    return found


def check_parts(node: Node) -> Parts:
    """The conjuncts and statements of one node (a dict schema, already vetted)."""
    parts = Parts()
    declared = types(node)
    fixed: set[str] | None = None
    if declared is not None:
        parts.conjuncts.append(any_test([TYPE_TESTS[t] for t in declared]))
        fixed = set(declared) | ({"integer"} if "number" in declared else set())
    for emit in KEYWORDS:
        parts.add(emit(node))
    for group, (members, guard, other) in GROUPS.items():
        inner = Parts()
        for emit in GROUP_KEYWORDS[group]:
            inner.add(emit(node))
        if fixed is not None and fixed <= members:
            parts.add(inner)
            continue
        if inner.conjuncts:
            parts.conjuncts.append(f"({other} || {all_test(inner.conjuncts)})")
        if inner.statements:
            test = guard.replace(HOLE, "x")
            parts.statements += [f"if ({test}) {{", *(f"  {t}" for t in inner.statements), "}"]
    return parts


def check_function(n: int, parts: Parts) -> str:
    """``c<n>``: one ``return`` of the conjunction when nothing loops."""
    conjunction = " && ".join(parts.conjuncts).replace(HOLE, "x")
    lines = [f"return {conjunction or 'true'};"]
    if parts.statements:
        head = [f"if (!({conjunction})) return false;"] if conjunction else []
        lines = [*head, *parts.statements, "return true;"]
    return f"function c{n}(x: any): boolean {{\n" + "".join(f"  {t}\n" for t in lines) + "}\n"
