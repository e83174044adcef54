"""How a reporter's instructions name functions, and how ``r<N>`` is written out.

An instruction names the handler of its keyword (``reports.ts`` exports one per keyword),
or the reporter or check of a subschema, or a format check, as a ``Named``; ``reporter``
writes the instructions as JSON text with every name replaced by its index in the call's
arguments, the handlers first in one fixed order so that gzip finds the same indices again.
The keywords' instructions themselves are built in ``ts_reports``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from registry.render.ts_node import Node, js_json

Op = list[Any]


@dataclass(frozen=True)
class Named:
    """A function an instruction names: the handler of a keyword (which ``reports.ts``
    exports, one per keyword), or the reporter or check of a subschema, or a format check.
    Written out as its index in the reporter's arguments (see ``reporter``), so that
    validators.ts refers to every handler by name and a bundler keeps only the handlers of
    the messages a bundle holds."""

    function: str


# Each instruction by its name here, and the reports.ts function that carries it out, the
# most used first: a reporter passes the handlers it uses first, in this order, so that the
# same handlers get the same indices in most reporters (which gzip finds again).
K: dict[str, Named] = {
    name: Named(function)
    for name, function in {
        "type": "kType",
        "req": "kReq",
        "props": "kProps",
        "minlen": "kMinLen",
        "maxlen": "kMaxLen",
        "min": "kMin",
        "max": "kMax",
        "eq": "kEq",
        "format": "kFormat",
        "items": "kItems",
        "r": "kRef",
        "nullable": "kNullable",
        "minitems": "kMinItems",
        "maxitems": "kMaxItems",
        "keys": "kKeys",
        "uniq": "kUniq",
        "any": "kAny",
        "one": "kOne",
        "tag": "kTag",
        "not": "kNot",
        "if": "kIf",
        "num": "kNum",
        "str": "kStr",
        "arr": "kArr",
        "obj": "kObj",
        "xmin": "kXmin",
        "xmax": "kXmax",
        "mult": "kMult",
        "pattern": "kPattern",
        "prefix": "kPrefix",
        "contains": "kContains",
        "depreq": "kDepReq",
        "dep": "kDep",
        "minprops": "kMinProps",
        "maxprops": "kMaxProps",
        "fail": "kFail",
    }.items()
}
_HANDLER_ORDER: tuple[str, ...] = tuple(h.function for h in K.values())
HANDLERS: tuple[str, ...] = tuple(sorted(_HANDLER_ORDER))
# The type guard of each group of keywords, by the instance type it selects.
GROUP_OPS = {"number": "num", "string": "str", "array": "arr", "object": "obj"}


@dataclass
class Refs:
    """The functions of subschemas (and format checks) an instruction list names."""

    names: list[str] = field(default_factory=list)

    def add(self, name: str) -> Named:
        if name not in self.names:
            self.names.append(name)
        return Named(name)

    def report(self, node: Node, schema: Any, *tokens: str | int) -> Any:
        """The reporter of a subschema: its instructions in place when they name no
        function but handlers (and are short), else its function."""
        return self.reporter(node, node.sub(schema, *tokens))

    def reporter(self, node: Node, n: int) -> Any:
        ops = node.compiler.report_ops(n)
        if ops is not None:
            return ops
        return self.add(node.compiler.report_name(n))

    def check(self, node: Node, schema: Any, *tokens: str | int) -> Named:
        return self.add(node.compiler.check_name(node.sub(schema, *tokens)))


@dataclass(frozen=True)
class Reporter:
    """``r<n>`` as data: its instructions with every function named by its index in
    ``refs``, the functions it passes to ``report``."""

    n: int
    ops: list[Op]
    refs: tuple[str, ...]

    @property
    def text(self) -> str:
        args = ", ".join(["x", "p", "e", js_json(self.ops), *self.refs])
        head = f"function r{self.n}(x: any, p: string, e: ValidationError[]): void {{\n"
        return f"{head}  report({args});\n}}\n"


def reporter(n: int, ops: list[Op], refs: Refs) -> Reporter:
    """``r<n>``: a call of ``report`` with the instructions as JSON text in a quoted
    literal, then what they name (arguments: function declarations cost the type checker
    nothing to refer to, unlike constants or an array literal of them): the handlers in
    ``K``'s order, then the other functions in order of first use, each once. Instructions
    held in place come from other nodes: what they name joins this reporter's arguments."""
    found: dict[str, None] = {}
    _collect(ops, found)
    handlers = [h for h in _HANDLER_ORDER if h in found]
    order = handlers + [name for name in found if name not in handlers]
    index = {name: i for i, name in enumerate(order)}
    return Reporter(n, _indexed(ops, index), tuple(order))


def _collect(value: Any, found: dict[str, None]) -> None:
    if isinstance(value, Named):
        found[value.function] = None
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


def _indexed(value: Any, index: dict[str, int]) -> Any:
    """``value`` with each function it names replaced by its index in the arguments."""
    if isinstance(value, Named):
        return index[value.function]
    if isinstance(value, list):
        return [_indexed(item, index) for item in value]
    return value


def size(ops: list[Op]) -> int:
    """About how long the JSON text of ``ops`` is (each handler as a one-digit index)."""
    return len(json.dumps(ops, default=lambda _: 0))
