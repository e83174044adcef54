"""The keywords of one instance type: numbers, strings, arrays and objects.

Each is one function ``(node, mode) -> lines``; ``GROUP_KEYWORDS`` maps each instance type
to its functions, which the compiler runs under a guard on the type (``typeof x ===
"number"``) unless the schema's ``type`` already fixes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from registry.json.formats import FORMAT_PATTERNS
from registry.json.numbers import MAX_EXACT, decimal_parts
from registry.render import messages as words
from registry.render.ts_node import (
    Compiler,
    Mode,
    Node,
    NotGenerated,
    has_key,
    js_string,
    js_value,
    pointer_token,
)

FORMAT_FUNCTIONS = {
    name: "fmt" + "".join(p.capitalize() for p in name.split("-")) for name in FORMAT_PATTERNS
}


# --- numbers -----------------------------------------------------------------------------


def _number(value: Any, keyword: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotGenerated(f"{keyword} must be a number")
    literal = js_value(value)
    assert literal is not None
    return literal


_BOUND_TESTS = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}


def _bounds(node: Node, mode: Mode) -> list[str]:
    bounds = {k: node.schema[k] for k in _BOUND_TESTS if k in node.schema}
    for keyword, value in bounds.items():
        _number(value, keyword)
    if node.schema.get("type") in ("integer", ["integer"]):
        bounds = integer_bounds(bounds)  # as the Python package words them: `at least 2`
    lines: list[str] = []
    for keyword, bound in bounds.items():
        lines += mode.fail(
            f"x {_BOUND_TESTS[keyword]} {_number(bound, keyword)}",
            words.bound_message(keyword, bound),
        )
    return lines


def integer_bounds(bounds: dict[str, Any]) -> dict[str, int]:
    """Bounds on an integer as the inclusive integer bounds they mean (``minimum: 1.5`` and
    ``exclusiveMinimum: 1`` are ``minimum: 2``)."""
    lows = [math.ceil(bounds["minimum"])] if "minimum" in bounds else []
    lows += [math.floor(bounds["exclusiveMinimum"]) + 1] if "exclusiveMinimum" in bounds else []
    highs = [math.floor(bounds["maximum"])] if "maximum" in bounds else []
    highs += [math.ceil(bounds["exclusiveMaximum"]) - 1] if "exclusiveMaximum" in bounds else []
    out = {"minimum": max(lows)} if lows else {}
    return {**out, "maximum": min(highs)} if highs else out


def _multiple_of(node: Node, mode: Mode) -> list[str]:
    if "multipleOf" not in node.schema:
        return []
    factor = node.schema["multipleOf"]
    _number(factor, "multipleOf")
    if factor <= 0:
        raise node.refuse("multipleOf must be greater than 0")
    mantissa, exponent = decimal_parts(factor)
    exact = f"!multOf(x, {mantissa}n, {exponent})"
    if float(factor).is_integer() and factor <= MAX_EXACT:  # `%` is exact on safe integers
        step = int(factor)
        exact = f"(x >= -{MAX_EXACT} && x <= {MAX_EXACT} ? x % {step} !== 0 : {exact})"
    return mode.fail(exact, words.multiple_message(factor))


# --- strings -----------------------------------------------------------------------------


def _lengths(node: Node, mode: Mode) -> list[str]:
    lines: list[str] = []
    low, high = node.schema.get("minLength"), node.schema.get("maxLength")
    if isinstance(low, (int, float)) and low > 0:
        m = math.ceil(low)
        lines += mode.fail(
            f"x.length < {m} || (x.length < {2 * m} && cpLen(x) < {m})",
            words.length_message(True, m),
        )
    if isinstance(high, (int, float)):
        m = math.floor(high)
        lines += mode.fail(f"x.length > {m} && cpLen(x) > {m}", words.length_message(False, m))
    return lines


def _pattern(node: Node, mode: Mode) -> list[str]:
    pattern = node.schema.get("pattern")
    if not isinstance(pattern, str):
        return []
    return mode.fail(f"!{node.compiler.regex(pattern)}.test(x)", words.pattern_message(pattern))


def _format(node: Node, mode: Mode) -> list[str]:
    name = node.schema.get("format")
    if name not in FORMAT_FUNCTIONS:
        return []  # other formats are annotations
    return mode.fail(f"!{FORMAT_FUNCTIONS[name]}(x)", words.format_message(name))


# --- arrays ------------------------------------------------------------------------------


def _items(node: Node, mode: Mode) -> list[str]:
    s = node.schema
    lines: list[str] = []
    prefix = s.get("prefixItems", [])
    for i, sub in enumerate(prefix):
        n = node.sub(sub, "prefixItems", i)
        path = f"p + {js_string(f'/{i}')}"
        lines += [f"if (x.length > {i}) {{", *(f"  {t}" for t in mode.sub(n, f"x[{i}]", path)), "}"]
    items = s.get("items", True)
    if items is False:
        lines += mode.fail(f"x.length > {len(prefix)}", f"must have at most {len(prefix)} items")
    elif items is not True and items != {}:
        n = node.sub(items, "items")
        lines += [
            f"for (let i = {len(prefix)}; i < x.length; i++) {{",
            *(f"  {t}" for t in mode.sub(n, "x[i]", 'p + "/" + i')),
            "}",
        ]
    return lines


def _array_sizes(node: Node, mode: Mode) -> list[str]:
    s = node.schema
    lines: list[str] = []
    if "minItems" in s:
        low = s["minItems"]
        lines += mode.fail(f"x.length < {low}", words.items_message(True, low))
    if "maxItems" in s:
        high = s["maxItems"]
        lines += mode.fail(f"x.length > {high}", words.items_message(False, high))
    if s.get("uniqueItems") is True:
        lines += mode.fail("!uniq(x)", words.UNIQUE)
    return lines


def _contains(node: Node, mode: Mode) -> list[str]:
    s = node.schema
    if "contains" not in s:
        return []
    n = node.sub(s["contains"], "contains")
    low, high = s.get("minContains", 1), s.get("maxContains")
    lines = [
        "{",
        "  let found = 0;",
        f"  for (let i = 0; i < x.length; i++) if (c{n}(x[i])) found++;",
    ]
    lines += [
        f"  {t}" for t in mode.fail(f"found < {low}", f"must contain at least {low} matching items")
    ]
    if high is not None:
        lines += [
            f"  {t}"
            for t in mode.fail(f"found > {high}", f"must contain at most {high} matching items")
        ]
    return [*lines, "}"]


# --- objects -----------------------------------------------------------------------------


def _required(node: Node, mode: Mode) -> list[str]:
    lines: list[str] = []
    for name in node.schema.get("required", []):
        path = f"p + {js_string('/' + pointer_token(name))}"
        lines += mode.fail(f"!({has_key('x', name)})", words.REQUIRED, path)
    return lines


def _dependent(node: Node, mode: Mode) -> list[str]:
    lines: list[str] = []
    for name, needs in node.schema.get("dependentRequired", {}).items():
        for other in needs:
            cond = f"{has_key('x', name)} && !({has_key('x', other)})"
            path = f"p + {js_string('/' + pointer_token(other))}"
            lines += mode.fail(cond, f"is required when {name} is present", path)
    for name, sub in node.schema.get("dependentSchemas", {}).items():
        n = node.sub(sub, "dependentSchemas", name)
        lines += [f"if ({has_key('x', name)}) {{", *(f"  {t}" for t in mode.sub(n, "x", "p")), "}"]
    return lines


def _properties(node: Node, mode: Mode) -> list[str]:
    lines: list[str] = []
    required = node.schema.get("required", [])
    for name, sub in node.schema.get("properties", {}).items():
        if sub is True or sub == {}:
            continue
        n = node.sub(sub, "properties", name)
        value = f"x[{js_string(name)}]"
        path = f"p + {js_string('/' + pointer_token(name))}"
        if not mode.report:  # a required one's presence was checked first (cheap, fails fast)
            required_here = isinstance(required, list) and name in required
            present = "" if required_here else f"{has_key('x', name)} && "
            lines.append(f"if ({present}!c{n}({value})) return false;")
            continue
        lines += [
            f"if ({has_key('x', name)}) {{",
            *(f"  {t}" for t in mode.sub(n, value, path)),
            "}",
        ]
    return lines


def _key_loop(node: Node, mode: Mode) -> list[str]:
    s = node.schema
    patterns = s.get("patternProperties", {})
    extra = s.get("additionalProperties", True)
    names = s.get("propertyNames", True)
    if not patterns and extra in (True, {}) and names in (True, {}):
        return []
    inner: list[str] = []
    path = 'p + "/" + ptr(k)'
    if patterns and extra not in (True, {}):
        inner.append("let matched = false;")
    for pattern, sub in patterns.items():
        n = node.sub(sub, "patternProperties", pattern)
        test = f"{node.compiler.regex(pattern)}.test(k)"
        flag = ["matched = true;"] if extra not in (True, {}) else []
        inner += [f"if ({test}) {{", *(f"  {t}" for t in [*flag, *mode.sub(n, "x[k]", path)]), "}"]
    if extra not in (True, {}):
        declared = list(s.get("properties", {}))
        known = _known_test(node.compiler, declared)
        cond = (
            " && ".join(
                c for c in ("!matched" if patterns else "", f"!({known})" if declared else "") if c
            )
            or "true"
        )
        if extra is False:
            inner += mode.fail(cond, words.NOT_ALLOWED, path)
        else:
            n = node.sub(extra, "additionalProperties")
            inner += [f"if ({cond}) {{", *(f"  {t}" for t in mode.sub(n, "x[k]", path)), "}"]
    if names not in (True, {}):
        n = node.sub(names, "propertyNames")
        inner += mode.sub(n, "k", path)
    return ["for (const k of Object.keys(x)) {", *(f"  {t}" for t in inner), "}"]


def _known_test(compiler: Compiler, names: list[str]) -> str:
    if len(names) > 6:
        return f"{compiler.name_set(names)}.has(k)"
    return " || ".join(f"k === {js_string(name)}" for name in names)


def _object_sizes(node: Node, mode: Mode) -> list[str]:
    s = node.schema
    lines: list[str] = []
    if "minProperties" in s:
        lines += mode.fail(
            f"Object.keys(x).length < {s['minProperties']}",
            words.properties_message(True, s["minProperties"]),
        )
    if "maxProperties" in s:
        lines += mode.fail(
            f"Object.keys(x).length > {s['maxProperties']}",
            words.properties_message(False, s["maxProperties"]),
        )
    return lines


Emit = Callable[[Node, Mode], list[str]]
GROUP_KEYWORDS: dict[str, tuple[Emit, ...]] = {
    "number": (_bounds, _multiple_of),
    "string": (_lengths, _format, _pattern),  # the order the Python package checks them
    "array": (_array_sizes, _items, _contains),
    "object": (_required, _properties, _key_loop, _dependent, _object_sizes),
}
