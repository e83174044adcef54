"""JSON Schema 2020-12 -> specialised TypeScript validators.

Every schema node becomes a check and a reporter of the generated module: ``c<N>(x)``, a
fast boolean check that allocates nothing (``ts_checks``: one conjunction, which a parent
writes in place of the call when it is short), and ``r<N>``, a reporter that pushes
``{path, message}`` errors (``ts_reports``: instructions as data, run by ``reports.ts``).
Callers run the check first and the reporter only on failure. Identical nodes share their
code, and nodes that differ only in their constants share a factory (``ts_factor``); ``$ref``
(JSON Pointers inside the same document, recursion included) calls the code of the node it
points at.

Supported: boolean schemas, type (and type arrays), enum, const, the numeric, string,
array and object keywords, patternProperties, additionalProperties, propertyNames,
dependentRequired, dependentSchemas, contains, allOf, anyOf, oneOf, not, if/then/else,
$ref/$defs, and the formats of ``formats.py``. The keywords that need dynamic scope or
other documents raise ``NotGenerated``.

Messages come from ``messages`` (the Python package prints the same words); numbers are
judged as doubles, ``multipleOf`` exactly on their shortest decimals (``registry.numbers``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from registry.json.pointer import unescape
from registry.render.ts_checks import check_function, check_parts
from registry.render.ts_conjunction import HOLE, Parts, unmarked
from registry.render.ts_factor import factor, factor_reports
from registry.render.ts_node import (
    Node,
    NotGenerated,
    js_string,
    js_value,
    pointer_token,
)
from registry.render.ts_report_refs import Refs, Reporter, reporter, size
from registry.render.ts_reports import report_ops
from registry.schema.generated import NOT_GENERATED as UNSUPPORTED

# The longest check (in characters) that a parent writes in place of a call, and the longest
# reporter instructions (as JSON) that a parent holds in place of a call.
_INLINE_LIMIT = 48
_EMBED_LIMIT = 400
# What costs a check more than a type test: formats and patterns (3), code-point counts,
# exact arithmetic, deep comparisons (1), and calls of other checks (1 and what they run).
_MATCHING = re.compile(r"\bfmt[A-Za-z]+\(|\.test\(")
_COUNTING = re.compile(r"\b(?:cpLen|multOf|uniq|deq)\(")
_CALLED = re.compile(r"\bc([0-9]+)\(")


@dataclass
class SchemaCompiler:
    """Compiles schema documents into one module's functions and constants."""

    constants: list[str] = field(default_factory=list)
    _written: list[tuple[int, str, Reporter]] = field(default_factory=list)  # n, c<n>, r<n>
    _wanted: set[int] = field(default_factory=set)  # checks called by name
    _keys: dict[Any, int] = field(default_factory=dict)
    _consts: dict[str, str] = field(default_factory=dict)
    _docs: list[Any] = field(default_factory=list)
    _count: int = 0
    _aliasing: set[Any] = field(default_factory=set)
    _used: set[int] = field(default_factory=set)  # numbers called before their node was done
    _bodies: dict[tuple[str, str], int] = field(default_factory=dict)
    _inline: dict[int, tuple[str, ...]] = field(default_factory=dict)  # checks in place
    _cost: dict[int, int] = field(default_factory=dict)  # the price of each done check
    _strict: dict[int, bool] = field(default_factory=dict)  # done nodes: rejects undefined?
    _ops: dict[int, list[Any]] = field(default_factory=dict)  # reporters written in place
    _reported: set[int] = field(default_factory=set)  # reporters called by name

    def compile(self, document: Any) -> int:
        """The number N of the functions ``c<N>``/``r<N>`` that validate ``document``;
        ``NotGenerated`` (the module left as it was) when the validators cannot."""
        saved = (len(self._written), len(self.constants), dict(self._keys), dict(self._consts))
        count, bodies = self._count, dict(self._bodies)
        inline, strict, wanted = dict(self._inline), dict(self._strict), set(self._wanted)
        costs = dict(self._cost)
        ops, reported = dict(self._ops), set(self._reported)
        self._docs.append(document)
        try:
            n = self._node(len(self._docs) - 1, "#", document)
        except NotGenerated:
            del self._written[saved[0] :], self.constants[saved[1] :]
            self._keys, self._consts = saved[2], saved[3]
            self._count, self._aliasing, self._bodies = count, set(), bodies
            self._inline, self._strict, self._wanted = inline, strict, wanted
            self._ops, self._reported, self._cost = ops, reported, costs
            raise
        self._wanted.add(n)
        self._reported.add(n)
        return n

    @property
    def functions(self) -> list[str]:
        """The module's functions: the checks and reporters something calls by name (one
        written in place of every call of it is left out)."""
        factories, checks = factor([c for n, c, _ in self._written if n in self._wanted])
        makers, reports = factor_reports([r for n, _, r in self._written if n in self._reported])
        check_texts, report_texts = iter(checks), iter(reports)
        written = [
            (next(check_texts) if n in self._wanted else "")
            + (next(report_texts) if n in self._reported else "")
            for n, _, _ in self._written
        ]
        return factories + makers + [text for text in written if text]

    def check_name(self, n: int) -> str:
        """The name of the check of node ``n``, for code outside the validators."""
        self._mark(n)
        self._wanted.add(n)
        return f"c{n}"

    def report_name(self, n: int) -> str:
        """The name of the reporter of node ``n``."""
        self._mark(n)
        self._reported.add(n)
        return f"r{n}"

    def report_ops(self, n: int) -> list[Any] | None:
        """The instructions of node ``n``'s reporter when a parent may hold them in place
        of a call: they name no function and are short."""
        return self._ops.get(n)

    def _mark(self, n: int) -> None:
        if n not in self._strict:
            self._used.add(n)  # named before its node is done (a cycle)

    def _node(self, doc: int, pointer: str, schema: Any) -> int:
        canonical = json.dumps(schema, sort_keys=True, ensure_ascii=True)
        key: Any = canonical if '"$ref"' not in canonical else (doc, pointer)
        if key in self._keys:
            self._used.add(self._keys[key])
            return self._keys[key]
        if _only_ref(schema) and key not in self._aliasing:
            self._aliasing.add(key)  # a cycle of bare references compiles as functions
            try:
                target_pointer, target = self.resolve(doc, schema["$ref"])
            except NotGenerated as exc:
                exc.pointer = pointer if exc.pointer is None else exc.pointer
                raise
            n = self._node(doc, target_pointer, target)
            self._aliasing.discard(key)
            self._keys[key] = n  # a bare reference is its target: no functions of its own
            return n
        n = self._count
        self._count += 1
        self._keys[key] = n
        node = Node(self, doc, pointer, schema)
        try:
            vet(node)
            parts = _check_parts(node)
            refs = Refs()
            ops = report_ops(node, refs)
            # Held in place by a parent when it names no function but handlers (which
            # `reporter` adds to `refs`) and is short.
            embeddable = not refs.names and size(ops) <= _EMBED_LIMIT
            report = reporter(n, ops, refs)
        except NotGenerated as exc:
            exc.pointer = pointer if exc.pointer is None else exc.pointer
            raise
        check = check_function(n, parts)
        code = (check.split("(", 1)[1], report.text.split("(", 1)[1])
        same = self._bodies.get(code)
        if same is not None and n not in self._used:
            # The same code as a node already written (schemas that differ only in their
            # annotations, or in references to the same target): one function for both.
            self._keys[key] = same
            return same
        self._bodies[code] = n
        self._strict[n] = _rejects_undefined(schema)
        if embeddable:
            self._ops[n] = ops
        self._cost[n] = self.cost(check.split("{", 1)[1])  # the body, not its own name
        short = len(unmarked(" && ".join(parts.conjuncts))) <= _INLINE_LIMIT
        if not parts.statements and len(parts.conjuncts) <= 2 and short:
            self._inline[n] = tuple(parts.conjuncts) or ("true",)
        self._written.append((n, check, report))
        return n

    def call(self, n: int, value: str) -> str:
        """The check of node ``n`` on ``value``: its expression in place when it is short,
        else a call of ``c<n>``."""
        tests = self.tests(n, value)
        return tests[0] if len(tests) == 1 else "(" + " && ".join(tests) + ")"

    def tests(self, n: int, value: str) -> list[str]:
        """The check of node ``n`` on ``value`` as conjuncts: its own in place when they are
        short, else one call of ``c<n>``."""
        inline = self._inline.get(n)
        if inline is not None:
            return [t.replace(HOLE, value) for t in inline]
        return [f"{self.check_name(n)}({value})"]

    def cost(self, test: str) -> int:
        """A rough price of a test: its calls of checks (with what they call), formats,
        patterns, code-point counts, exact arithmetic and deep comparisons."""
        price = 3 * len(_MATCHING.findall(test)) + len(_COUNTING.findall(test))
        for called in _CALLED.findall(test):
            price += 1 + self._cost.get(int(called), 1)
        return price

    def rejects_undefined(self, n: int) -> bool:
        return self._strict.get(n, False)

    def child(self, doc: int, pointer: str, schema: Any) -> int:
        return self._node(doc, pointer, schema)

    def resolve(self, doc: int, ref: str) -> tuple[str, Any]:
        node = self._docs[doc]
        base = node.get("$id") if isinstance(node, dict) else None
        if isinstance(base, str) and base and ref.startswith(base):
            ref = "#" + ref[len(base) :].removeprefix("#")  # the document's own $id
        if not ref.startswith("#"):
            raise NotGenerated(f"$ref {ref!r}: only references inside the document work")
        tokens = [unescape(unquote(t)) for t in ref[1:].split("/")[1:]]
        for token in tokens:
            if isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise NotGenerated(f"$ref {ref!r} points at nothing")
        return ref, node

    def regex(self, pattern: str) -> str:
        return self._const(f'new RegExp({js_string(pattern)}, "u")', "re")

    def value(self, value: Any) -> str:
        literal = js_value(value)
        if literal is not None:
            return literal
        text = json.dumps(value, ensure_ascii=True, sort_keys=False)
        return self._const(f"JSON.parse({js_string(text)})", "lit")

    def name_set(self, names: list[Any]) -> str:
        items = ", ".join(self.value(n) for n in names)
        return self._const(f"new Set<unknown>([{items}])", "set")

    def _const(self, expression: str, prefix: str) -> str:
        if expression not in self._consts:
            name = f"{prefix}{len(self._consts)}"
            self._consts[expression] = name
            self.constants.append(f"const {name} = {expression};")
        return self._consts[expression]


# Keywords that change nothing a validator checks: a node of only these and a $ref is its
# target (it shares the target's functions instead of wrapping them).
_ANNOTATIONS = frozenset({"$comment", "description", "title", "examples", "deprecated"})


def _only_ref(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and isinstance(schema.get("$ref"), str)
        and all(k == "$ref" or k in _ANNOTATIONS for k in schema)
    )


def vet(node: Node) -> None:
    """NotGenerated for a node the validators cannot implement."""
    schema = node.schema
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        raise node.refuse(f"a schema must be an object or a boolean, not {schema!r}")
    for keyword in UNSUPPORTED:
        if keyword in schema:
            raise NotGenerated(
                f"the keyword {keyword} is not supported",
                f"{node.pointer}/{pointer_token(keyword)}",
            )
    if "$id" in schema and node.pointer != "#":
        raise NotGenerated("$id below the document root is not supported", f"{node.pointer}/$id")


def _check_parts(node: Node) -> Parts:
    if node.schema is True or node.schema == {}:
        return Parts()
    if node.schema is False:
        return Parts(["false"])
    return check_parts(node)


def _rejects_undefined(schema: Any) -> bool:
    """Whether the check of ``schema`` fails on ``undefined`` (an absent property)."""
    if schema is False:
        return True
    return isinstance(schema, dict) and bool({"type", "const", "enum"} & set(schema))
