"""The keywords that apply to every instance type: ``const``/``enum``, ``$ref`` and the
applicators ``allOf``, ``anyOf``, ``oneOf`` (with a ``discriminator``), ``not``, ``if``.

Each is one function ``(node, mode) -> lines``; ``KEYWORDS`` is their table, in the order
the compiled functions test them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from registry.render import messages as words
from registry.render.ts_node import (
    Compiler,
    Mode,
    Node,
    has_key,
    js_string,
    js_value,
    pointer_token,
)


def _enum(node: Node, mode: Mode) -> list[str]:
    s = node.schema
    lines: list[str] = []
    if "const" in s:
        lines += mode.fail(
            f"!({_equals(node.compiler, [s['const']])})", words.const_message(s["const"])
        )
    if isinstance(s.get("enum"), list):
        values = s["enum"]
        lines += mode.fail(f"!({_equals(node.compiler, values)})", words.enum_message(values))
    return lines


def _equals(compiler: Compiler, values: list[Any], x: str = "x") -> str:
    primitive = [v for v in values if js_value(v) is not None]
    composite = [v for v in values if js_value(v) is None]
    tests = []
    if len(primitive) > 6:
        tests.append(f"{compiler.name_set(primitive)}.has({x})")
    else:
        tests += [f"{x} === {js_value(v)}" for v in primitive]
    tests += [f"deq({x}, {compiler.value(v)})" for v in composite]
    return " || ".join(tests) or "false"


def _ref(node: Node, mode: Mode) -> list[str]:
    ref = node.schema.get("$ref")
    if ref is None:
        return []
    if not isinstance(ref, str):
        raise node.refuse("$ref must be a string")
    pointer, target = node.compiler.resolve(node.doc, ref)
    n = node.compiler.child(node.doc, pointer, target)
    return mode.sub(n, "x", "p")


def _all_of(node: Node, mode: Mode) -> list[str]:
    lines: list[str] = []
    for i, sub in enumerate(node.schema.get("allOf", [])):
        lines += mode.sub(node.sub(sub, "allOf", i), "x", "p")
    return lines


def _any_of(node: Node, mode: Mode) -> list[str]:
    subs = node.schema.get("anyOf")
    if subs is None:
        return []
    ns = [node.sub(sub, "anyOf", i) for i, sub in enumerate(subs)]
    if mode.report and len(subs) == 2 and subs[1] == {"type": "null"}:
        return [f"if (x !== null) r{ns[0]}(x, p, e);"]  # a nullable T: explain T's errors
    test = " || ".join(f"c{n}(x)" for n in ns) or "false"
    return mode.fail(f"!({test})", words.ANY_OF)


def _one_of(node: Node, mode: Mode) -> list[str]:
    subs = node.schema.get("oneOf")
    if subs is None:
        return []
    ns = [node.sub(sub, "oneOf", i) for i, sub in enumerate(subs)]
    count = " + ".join(f"(c{n}(x) ? 1 : 0)" for n in ns) or "0"
    tags = _discriminator_tags(node, subs) if mode.report else None
    if tags is None:
        return mode.fail(f"{count} !== 1", words.ONE_OF)
    return [f"if ({count} !== 1) {{", *(f"  {t}" for t in _picked(node, tags, ns)), "}"]


_NO_TAG = object()


def _discriminator_tags(node: Node, subs: list[Any]) -> tuple[str, list[Any]] | None:
    """``(property, its value in each branch)`` when a ``discriminator`` tells every branch
    apart by a required property with one value (a ``const``); else None."""
    found = node.schema.get("discriminator")
    name = found.get("propertyName") if isinstance(found, dict) else None
    if not isinstance(name, str):
        return None
    tags = []
    for sub in subs:
        target = sub
        if isinstance(sub, dict) and isinstance(sub.get("$ref"), str):
            target = node.compiler.resolve(node.doc, sub["$ref"])[1]
        tag = _fixed_value(target, name)
        if tag is _NO_TAG:
            return None
        tags.append(tag)
    distinct = {json.dumps(tag, sort_keys=True) for tag in tags}
    return (name, tags) if len(distinct) == len(tags) else None


def _fixed_value(schema: Any, name: str) -> Any:
    if not isinstance(schema, dict) or name not in schema.get("required", []):
        return _NO_TAG
    prop = schema.get("properties", {}).get(name)
    if isinstance(prop, dict) and "const" in prop:
        return prop["const"]
    if isinstance(prop, dict) and isinstance(prop.get("enum"), list) and len(prop["enum"]) == 1:
        return prop["enum"][0]
    return _NO_TAG


def _picked(node: Node, tags: tuple[str, list[Any]], ns: list[int]) -> list[str]:
    """Report the errors of the branch the value's tag picks (or why no branch is picked)."""
    name, values = tags
    path = f"p + {js_string('/' + pointer_token(name))}"
    tag = f"x[{js_string(name)}]"
    lines = [
        "if (!isObj(x)) {",
        f"  fail(e, p, {js_string(words.type_message(['object']))});",
        f"}} else if (!({has_key('x', name)})) {{",
        f"  fail(e, {path}, {js_string(words.REQUIRED)});",
    ]
    for n, value in zip(ns, values, strict=True):
        lines += [f"}} else if ({_equals(node.compiler, [value], tag)}) {{", f"  r{n}(x, p, e);"]
    return [
        *lines,
        "} else {",
        f"  fail(e, {path}, {js_string(words.enum_message(values))});",
        "}",
    ]


def _not(node: Node, mode: Mode) -> list[str]:
    if "not" not in node.schema:
        return []
    n = node.sub(node.schema["not"], "not")
    return mode.fail(f"c{n}(x)", words.NOT)


def _if(node: Node, mode: Mode) -> list[str]:
    s = node.schema
    if "if" not in s or ("then" not in s and "else" not in s):
        return []
    cond = node.sub(s["if"], "if")
    then = mode.sub(node.sub(s["then"], "then"), "x", "p") if "then" in s else []
    other = mode.sub(node.sub(s["else"], "else"), "x", "p") if "else" in s else []
    return [
        f"if (c{cond}(x)) {{",
        *(f"  {t}" for t in then),
        "} else {",
        *(f"  {t}" for t in other),
        "}",
    ]


KEYWORDS: tuple[Callable[[Node, Mode], list[str]], ...] = (
    _enum,
    _ref,
    _all_of,
    _any_of,
    _one_of,
    _not,
    _if,
)
