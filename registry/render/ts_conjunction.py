"""What the checks ``c<N>`` are made of: conjuncts over ``HOLE``, the value tested.

A keyword of ``ts_checks`` (or ``ts_check_objects``) returns ``Parts``: the conjuncts that
must all hold, and statements over ``x`` for the keywords that loop. The helpers here write
the tests every keyword shares: a property, its presence, a call of a subschema's check (or
the check itself, in place), JSON equality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from registry.render.ts_node import PROTO_NAMES, Node, js_string, js_value

# Where the value goes in a conjunct: a character no literal can hold (js_string escapes it).
HOLE = "\x00"
# Around a constant of the schema (a bound, a length, a size) in a conjunct: two more such
# characters. ``ts_factor`` makes checks that differ only in these one function. Enum and
# const values stay in the code: a test against a literal string is faster (about 3% of the
# chat example's valid messages) than against a value the factory was given.
OPEN, CLOSE = "\x01", "\x02"
_MARKS = re.compile("[\x01\x02]")


def constant(literal: str) -> str:
    """A literal of the schema, marked as a constant of the check it is written in."""
    return f"{OPEN}{literal}{CLOSE}"


def unmarked(text: str) -> str:
    """``text`` as it is written out when it is not factored: the constants as they are."""
    return _MARKS.sub("", text)


_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass
class Parts:
    """What one keyword adds to a check: conjuncts over HOLE, statements over ``x``."""

    conjuncts: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)

    def add(self, other: Parts) -> None:
        self.conjuncts += other.conjuncts
        self.statements += other.statements


def member(value: str, name: str) -> str:
    """``value.name`` when the wire name is an identifier (and no name every object
    inherits), else ``value["name"]``."""
    if _IDENTIFIER.match(name) and name not in PROTO_NAMES:
        return f"{value}.{name}"
    return f"{value}[{js_string(name)}]"


def present(value: str, name: str) -> str:
    """``name`` is an own property of ``value`` (JSON values are never undefined)."""
    if name in PROTO_NAMES:
        return f"hasOwn({value}, {js_string(name)})"
    return f"{member(value, name)} !== undefined"


def absent(value: str, name: str) -> str:
    if name in PROTO_NAMES:
        return f"!hasOwn({value}, {js_string(name)})"
    return f"{member(value, name)} === undefined"


def negate(test: str) -> str:
    """``!test``, in parentheses unless the test is one call."""
    return f"!{test}" if re.fullmatch(r"[\w.]+\([^()]*\)", test) else f"!({test})"


def call(node: Node, schema: Any, value: str, *tokens: str | int) -> str:
    """The check of the subschema at ``tokens`` applied to ``value``: a call or inline."""
    return node.compiler.call(node.sub(schema, *tokens), value)


def equals(node: Node, values: list[Any], value: str = HOLE) -> str:
    primitive = [v for v in values if js_value(v) is not None]
    composite = [v for v in values if js_value(v) is None]
    tests = []
    if len(primitive) > 6:
        tests.append(f"{node.compiler.name_set(primitive)}.has({value})")
    else:
        tests += [f"{value} === {js_value(v)}" for v in primitive]
    tests += [f"deq({value}, {node.compiler.value(v)})" for v in composite]
    return any_test(tests)


def any_test(tests: list[str]) -> str:
    if not tests:
        return "false"
    return tests[0] if len(tests) == 1 else "(" + " || ".join(tests) + ")"


def all_test(tests: list[str]) -> str:
    if not tests:
        return "true"
    return tests[0] if len(tests) == 1 else "(" + " && ".join(tests) + ")"
