"""JSON Schema 2020-12 -> specialised TypeScript validator functions.

Every schema node becomes two functions of the generated module: ``c<N>(x)``, a fast
boolean check that allocates nothing, and ``r<N>(x, p, e)``, which pushes ``{path,
message}`` errors (``p`` is the JSON Pointer of ``x``). Callers run the check first and the
reporter only on failure. Identical nodes share functions; ``$ref`` (JSON Pointers inside
the same document, recursion included) calls the function of the node it points at.

The compiler is a table of small functions, one per keyword (``ts_applicators`` for the
keywords of every instance type, ``ts_assertions`` for those of one type), each called
with the node (``ts_node``) in both modes. Supported: boolean schemas, type (and type
arrays), enum, const, the numeric, string, array and object keywords, patternProperties,
additionalProperties, propertyNames, dependentRequired, dependentSchemas, contains, allOf,
anyOf, oneOf, not, if/then/else, $ref/$defs, and the formats of ``formats.py``. The keywords
that need dynamic scope or other documents raise ``NotGenerated``.

Messages come from ``messages`` (the Python package prints the same words); numbers are
judged as doubles, ``multipleOf`` exactly on their shortest decimals (``registry.numbers``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from registry.json.pointer import unescape
from registry.render import messages as words
from registry.render.ts_applicators import KEYWORDS
from registry.render.ts_assertions import GROUP_KEYWORDS
from registry.render.ts_node import (
    CHECK,
    PROTO_NAMES,
    REPORT,
    Mode,
    Node,
    NotGenerated,
    js_string,
    js_value,
    pointer_token,
)
from registry.schema.generated import NOT_GENERATED as UNSUPPORTED

_TYPE_TESTS = {
    "string": 'typeof x === "string"',
    "number": "Number.isFinite(x)",
    "integer": "Number.isInteger(x)",
    "boolean": 'typeof x === "boolean"',
    "null": "x === null",
    "array": "Array.isArray(x)",
    "object": "isObj(x)",
}
_GROUPS = {  # the keywords of one instance type, and the guard that selects it
    "number": ({"number", "integer"}, 'typeof x === "number"'),
    "string": ({"string"}, 'typeof x === "string"'),
    "array": ({"array"}, "Array.isArray(x)"),
    "object": ({"object"}, "isObj(x)"),
}


@dataclass
class SchemaCompiler:
    """Compiles schema documents into one module's functions and constants."""

    functions: list[str] = field(default_factory=list)
    constants: list[str] = field(default_factory=list)
    _keys: dict[Any, int] = field(default_factory=dict)
    _consts: dict[str, str] = field(default_factory=dict)
    _docs: list[Any] = field(default_factory=list)
    _count: int = 0
    _aliasing: set[Any] = field(default_factory=set)
    _used: set[int] = field(default_factory=set)  # numbers called before their node was done
    _bodies: dict[tuple[str, str], int] = field(default_factory=dict)

    def compile(self, document: Any) -> int:
        """The number N of the functions ``c<N>``/``r<N>`` that validate ``document``;
        ``NotGenerated`` (the module left as it was) when the validators cannot."""
        saved = (len(self.functions), len(self.constants), dict(self._keys), dict(self._consts))
        count, bodies = self._count, dict(self._bodies)
        self._docs.append(document)
        try:
            return self._node(len(self._docs) - 1, "#", document)
        except NotGenerated:
            del self.functions[saved[0] :], self.constants[saved[1] :]
            self._keys, self._consts = saved[2], saved[3]
            self._count, self._aliasing, self._bodies = count, set(), bodies
            raise

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
            check, report = body(node, CHECK), body(node, REPORT)
        except NotGenerated as exc:
            exc.pointer = pointer if exc.pointer is None else exc.pointer
            raise
        code = ("\n".join(check), "\n".join(report))
        same = self._bodies.get(code)
        if same is not None and n not in self._used:
            # The same code as a node already written (schemas that differ only in their
            # annotations, or in references to the same target): one function for both.
            self._keys[key] = same
            return same
        self._bodies[code] = n
        self.functions.append(
            f"function c{n}(x: any): boolean {{\n" + _indent(check) + "  return true;\n}\n"
            f"function r{n}(x: any, p: string, e: ValidationError[]): void {{\n"
            + _indent(report)
            + "}\n"
        )
        return n

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


# What a plain object node may hold besides its annotations: its reporter is one call.
_PLAIN_OBJECT = frozenset({"type", "required", "properties", "$schema", "$id", "$defs"})


def _plain_object(schema: dict[str, Any]) -> bool:
    required, properties = schema.get("required", []), schema.get("properties", {})
    return (
        schema.get("type") == "object"
        and all(k in _PLAIN_OBJECT or k in _ANNOTATIONS for k in schema)
        and isinstance(required, list)
        and all(isinstance(n, str) for n in required)
        and isinstance(properties, dict)
        and not (PROTO_NAMES & (set(required) | set(properties)))
    )


def _object_report(node: Node) -> list[str]:
    """``objReport(...)``: the same errors, in the same order, as the keywords would push."""
    required = ", ".join(js_string(n) for n in node.schema.get("required", []))
    props = []
    for name, sub in node.schema.get("properties", {}).items():
        if sub is True or sub == {}:
            continue
        props.append(f"{js_string(name)}, r{node.sub(sub, 'properties', name)}")
    return [f"objReport(x, p, e, [{required}], [{', '.join(props)}]);"]


def _indent(lines: list[str]) -> str:
    return "".join(f"  {line}\n" for line in lines)


def body(node: Node, mode: Mode) -> list[str]:
    """The lines of ``c<N>`` or ``r<N>`` for one node: its type, then each keyword."""
    schema = node.schema
    if schema is True or schema == {}:
        return []
    if schema is False:
        return mode.fail("true", words.NOTHING)
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
    if mode.report and _plain_object(schema):
        return _object_report(node)
    lines: list[str] = []
    types = _types(node, mode, lines)
    for emit in KEYWORDS:
        lines += emit(node, mode)
    for group, (members, guard) in _GROUPS.items():
        group_lines: list[str] = []
        for emit in GROUP_KEYWORDS[group]:
            group_lines += emit(node, mode)
        if group_lines and types is not None and types <= members:
            lines += group_lines
        elif group_lines:
            lines += [f"if ({guard}) {{", *(f"  {g}" for g in group_lines), "}"]
    return lines


def _types(node: Node, mode: Mode, lines: list[str]) -> set[str] | None:
    declared = node.schema.get("type")
    if declared is None:
        return None
    types = [declared] if isinstance(declared, str) else list(declared)
    unknown = [t for t in types if t not in _TYPE_TESTS]
    if unknown:
        raise node.refuse(f"unknown type {unknown[0]!r}")
    test = " || ".join(_TYPE_TESTS[t] for t in types) or "false"
    message = words.type_message(types)
    if mode.report:
        lines += [f"if (!({test})) return fail(e, p, {js_string(message)});"]
    else:
        lines += [f"if (!({test})) return false;"]
    return set(types) | ({"integer"} if "number" in types else set())
