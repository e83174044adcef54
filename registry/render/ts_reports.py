"""The error reporters ``r<N>``: each schema node as data that one interpreter runs.

A reporter is ``function r<N>(x, p, e) { report(x, p, e, ops, ...refs); }``, run by
``templates/typescript/static/reports.ts``: ``ops`` is JSON text, a list of instructions
such as ``[1, 3, "must match the pattern ^a"]``, and ``refs`` the functions the
instructions name by index: first the handler of each keyword used (``kMinLen`` here, at
index 1), which reports.ts exports one by one, so that a bundle keeps only the handlers its
messages use; then the reporters and checks of subschemas, and format checks. A
subschema's reporter that names no function but handlers is held in place, as its own
instructions (its handlers then join the parent's ``refs``), so most nodes need no function
of their own.
Messages are built here, from ``messages`` (the Python package prints the same words), so
text from a definition only ever reaches the output inside that JSON string. Where the
handler writes the very same words from the instruction's own bound or types (``ts_implied``,
"must be at least 3 characters long" from ``[1, 3]``), they are left out: most of a
reporter's text is such words, repeated in every message.

Every keyword is a small function ``(node, refs) -> ops``; the order of the ops is the
order in which the errors are pushed. The instructions and their meaning are listed in
``reports.ts``; how they name functions, and how ``r<N>`` is written, in ``ts_report_refs``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from registry.render import messages as words
from registry.render.ts_checks import (
    FORMAT_FUNCTIONS,
    GROUPS,
    bounds,
    lengths,
    multiple,
    types,
)
from registry.render.ts_implied import IMPLIED, enum_words, number_text
from registry.render.ts_node import Node
from registry.render.ts_report_refs import GROUP_OPS, K, Op, Refs


def _trivial(schema: Any) -> bool:
    return schema is True or schema == {}


def _bound(kind: str, bound: Any, message: str) -> Op:
    """``[handler, bound, words]``, without the words when the handler writes the same."""
    n = number_text(bound)
    if n is not None and IMPLIED[kind].replace("{n}", n) == message:
        return [K[kind], bound]
    return [K[kind], bound, message]


# --- every instance type -----------------------------------------------------------------


def _enum(node: Node, refs: Refs) -> list[Op]:
    s, ops = node.schema, []
    if "const" in s:
        ops.append([K["eq"], [s["const"]], words.const_message(s["const"])])
    if isinstance(s.get("enum"), list):
        values, written = s["enum"], words.enum_message(s["enum"])
        ops.append([K["eq"], values] + ([] if enum_words(values) == written else [written]))
    return ops


def _ref(node: Node, refs: Refs) -> list[Op]:
    ref = node.schema.get("$ref")
    if not isinstance(ref, str):
        return []
    pointer, target = node.compiler.resolve(node.doc, ref)
    return [[K["r"], refs.reporter(node, node.compiler.child(node.doc, pointer, target))]]


def _all_of(node: Node, refs: Refs) -> list[Op]:
    subs = node.schema.get("allOf", [])
    return [[K["r"], refs.report(node, sub, "allOf", i)] for i, sub in enumerate(subs)]


def _any_of(node: Node, refs: Refs) -> list[Op]:
    subs = node.schema.get("anyOf")
    if subs is None:
        return []
    if len(subs) == 2 and subs[1] == {"type": "null"}:  # a nullable T: explain T's errors
        return [[K["nullable"], refs.report(node, subs[0], "anyOf", 0)]]
    checks = [refs.check(node, sub, "anyOf", i) for i, sub in enumerate(subs)]
    return [[K["any"], checks, words.ANY_OF]]


def _one_of(node: Node, refs: Refs) -> list[Op]:
    subs = node.schema.get("oneOf")
    if subs is None:
        return []
    checks = [refs.check(node, sub, "oneOf", i) for i, sub in enumerate(subs)]
    tags = _discriminator_tags(node, subs)
    if tags is None:
        return [[K["one"], checks, words.ONE_OF]]
    name, values = tags
    reports = [refs.report(node, sub, "oneOf", i) for i, sub in enumerate(subs)]
    return [
        [
            K["tag"],
            checks,
            name,
            values,
            reports,
            [
                words.type_message(["object"]),
                words.REQUIRED,
                words.enum_message(values),
            ],
        ]
    ]


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


def _not(node: Node, refs: Refs) -> list[Op]:
    if "not" not in node.schema:
        return []
    return [[K["not"], refs.check(node, node.schema["not"], "not"), words.NOT]]


def _if(node: Node, refs: Refs) -> list[Op]:
    s = node.schema
    if "if" not in s or ("then" not in s and "else" not in s):
        return []
    cond = refs.check(node, s["if"], "if")
    then = refs.report(node, s["then"], "then") if "then" in s else None
    other = refs.report(node, s["else"], "else") if "else" in s else None
    return [[K["if"], cond, then, other]]


# --- one instance type -------------------------------------------------------------------

_BOUND_OPS = {
    "minimum": "min",
    "maximum": "max",
    "exclusiveMinimum": "xmin",
    "exclusiveMaximum": "xmax",
}


def _bounds(node: Node, refs: Refs) -> list[Op]:
    return [_bound(_BOUND_OPS[k], b, words.bound_message(k, b)) for k, b in bounds(node).items()]


def _multiple_of(node: Node, refs: Refs) -> list[Op]:
    found = multiple(node)
    if found is None:
        return []
    mantissa, exponent, step = found
    message = words.multiple_message(node.schema["multipleOf"])
    return [[K["mult"], str(mantissa), exponent, step, message]]


def _lengths(node: Node, refs: Refs) -> list[Op]:
    lo, hi = lengths(node)
    ops: list[Op] = []
    if lo is not None:
        ops.append(_bound("minlen", lo, words.length_message(True, lo)))
    if hi is not None:
        ops.append(_bound("maxlen", hi, words.length_message(False, hi)))
    return ops


def _format(node: Node, refs: Refs) -> list[Op]:
    name = node.schema.get("format")
    if name not in FORMAT_FUNCTIONS:
        return []
    # The function by index (not its name), so that a bundle holds only the formats it uses.
    return [[K["format"], refs.add(FORMAT_FUNCTIONS[name]), words.format_message(name)]]


def _pattern(node: Node, refs: Refs) -> list[Op]:
    pattern = node.schema.get("pattern")
    if not isinstance(pattern, str):
        return []
    return [[K["pattern"], pattern, words.pattern_message(pattern)]]


def _array_sizes(node: Node, refs: Refs) -> list[Op]:
    s, ops = node.schema, []
    if "minItems" in s:
        ops.append(_bound("minitems", s["minItems"], words.items_message(True, s["minItems"])))
    if "maxItems" in s:
        ops.append(_bound("maxitems", s["maxItems"], words.items_message(False, s["maxItems"])))
    if s.get("uniqueItems") is True:
        ops.append([K["uniq"], words.UNIQUE])
    return ops


def _items(node: Node, refs: Refs) -> list[Op]:
    s, ops = node.schema, list[Op]()
    prefix = s.get("prefixItems", [])
    if prefix:
        ops.append(
            [
                K["prefix"],
                [refs.report(node, sub, "prefixItems", i) for i, sub in enumerate(prefix)],
            ]
        )
    items = s.get("items", True)
    if items is False:
        ops.append(_bound("maxitems", len(prefix), words.items_message(False, len(prefix))))
    elif not _trivial(items):
        ops.append([K["items"], len(prefix), refs.report(node, items, "items")])
    return ops


def _contains(node: Node, refs: Refs) -> list[Op]:
    s = node.schema
    if "contains" not in s:
        return []
    low, high = s.get("minContains", 1), s.get("maxContains")
    return [
        [
            K["contains"],
            refs.check(node, s["contains"], "contains"),
            low,
            high,
            f"must contain at least {low} matching items",
            f"must contain at most {high} matching items",
        ]
    ]


def _required(node: Node, refs: Refs) -> list[Op]:
    required = node.schema.get("required", [])
    if not required:
        return []
    # reports.ts writes "is required" when the instruction has no words
    return [[K["req"], required] + ([] if words.REQUIRED == "is required" else [words.REQUIRED])]


def _properties(node: Node, refs: Refs) -> list[Op]:
    names, reports = [], []
    for name, sub in node.schema.get("properties", {}).items():
        if not _trivial(sub):
            names.append(name)
            reports.append(refs.report(node, sub, "properties", name))
    return [[K["props"], names, reports]] if names else []


def _key_loop(node: Node, refs: Refs) -> list[Op]:
    s = node.schema
    patterns = s.get("patternProperties", {})
    extra = s.get("additionalProperties", True)
    names = s.get("propertyNames", True)
    if not patterns and _trivial(extra) and _trivial(names):
        return []
    matchers = [[p, refs.report(node, sub, "patternProperties", p)] for p, sub in patterns.items()]
    if _trivial(extra):
        rest: Any = None
    elif extra is False:
        rest = words.NOT_ALLOWED
    else:
        rest = refs.report(node, extra, "additionalProperties")
    named = None if _trivial(names) else refs.report(node, names, "propertyNames")
    return [[K["keys"], matchers, rest, list(s.get("properties", {})), named]]


def _dependent(node: Node, refs: Refs) -> list[Op]:
    ops: list[Op] = []
    pairs = [
        [name, other, f"is required when {name} is present"]
        for name, needs in node.schema.get("dependentRequired", {}).items()
        for other in needs
    ]
    if pairs:
        ops.append([K["depreq"], pairs])
    for name, sub in node.schema.get("dependentSchemas", {}).items():
        ops.append([K["dep"], name, refs.report(node, sub, "dependentSchemas", name)])
    return ops


def _object_sizes(node: Node, refs: Refs) -> list[Op]:
    s, ops = node.schema, []
    if "minProperties" in s:
        low = s["minProperties"]
        ops.append(_bound("minprops", low, words.properties_message(True, low)))
    if "maxProperties" in s:
        high = s["maxProperties"]
        ops.append(_bound("maxprops", high, words.properties_message(False, high)))
    return ops


Emit = Callable[[Node, Refs], list[Op]]
KEYWORDS: tuple[Emit, ...] = (_enum, _ref, _all_of, _any_of, _one_of, _not, _if)
GROUP_KEYWORDS: dict[str, tuple[Emit, ...]] = {
    "number": (_bounds, _multiple_of),
    "string": (_lengths, _format, _pattern),  # the order the Python package checks them
    "array": (_array_sizes, _items, _contains),
    "object": (_required, _properties, _key_loop, _dependent, _object_sizes),
}


def report_ops(node: Node, refs: Refs) -> list[Op]:
    """The instructions of one node: its type (a failure ends the list), then each keyword,
    those of one instance type under a guard unless ``type`` already fixes it."""
    if _trivial(node.schema):
        return []
    if node.schema is False:
        return [[K["fail"], words.NOTHING]]
    ops: list[Op] = []
    declared = types(node)
    fixed: set[str] | None = None
    if declared is not None:
        # reports.ts writes "must be " + the types joined by " or " (words.type_message)
        written = words.type_message(declared)
        implied = "must be " + " or ".join(declared)
        ops.append([K["type"], declared] + ([] if written == implied else [written]))
        fixed = set(declared) | ({"integer"} if "number" in declared else set())
    for emit in KEYWORDS:
        ops += emit(node, refs)
    for group, (members, _, _) in GROUPS.items():
        inner = [op for emit in GROUP_KEYWORDS[group] for op in emit(node, refs)]
        if inner and fixed is not None and fixed <= members:
            ops += inner
        elif inner:
            ops.append([K[GROUP_OPS[group]], inner])
    return ops
