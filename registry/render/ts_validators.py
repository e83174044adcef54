"""JSON Schema 2020-12 -> specialised TypeScript validator functions.

Every schema node becomes two functions of the generated module: ``c<N>(x)``, a
fast boolean check that allocates nothing, and ``r<N>(x, p, e)``, which pushes
``{path, message}`` errors (``p`` is the JSON Pointer of ``x``). Callers run the
check first and the reporter only on failure. Identical nodes share functions;
``$ref`` (JSON Pointers inside the same document, recursion included) calls the
function of the node it points at.

Supported: boolean schemas, type (and type arrays), enum, const, the numeric,
string, array and object keywords, patternProperties, additionalProperties,
propertyNames, dependentRequired, dependentSchemas, contains, allOf, anyOf,
oneOf, not, if/then/else, $ref/$defs, and the formats of ``formats.py``. The
keywords that need dynamic scope or other documents raise ``UnsupportedSchemaError``.

Messages come from ``messages`` (the Python package prints the same words);
numbers are judged as doubles, ``multipleOf`` exactly on their shortest decimals
(``registry.numbers``). A ``oneOf`` with a ``discriminator`` whose branches each
fix its value reports the errors of the branch the value's tag picks.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from registry.errors import WiretypeError
from registry.json.formats import FORMAT_PATTERNS
from registry.json.numbers import MAX_EXACT, decimal_parts, es_number
from registry.render import messages as words
from registry.schema.generated import NOT_GENERATED as UNSUPPORTED

# Properties every JavaScript object inherits: presence needs an own-property test.
PROTO_NAMES = frozenset(
    {
        "__proto__",
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
    }
)
FORMAT_FUNCTIONS = {
    name: "fmt" + "".join(p.capitalize() for p in name.split("-")) for name in FORMAT_PATTERNS
}
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


class UnsupportedSchemaError(WiretypeError):
    """A schema uses a keyword the generated validators cannot implement."""


def js_string(text: str) -> str:
    """A JavaScript string literal: JSON, ASCII only (so U+2028 and friends are escaped)."""
    return json.dumps(text, ensure_ascii=True)


def js_value(value: Any) -> str | None:
    """A primitive JSON value as a JavaScript literal (None for objects and arrays)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise UnsupportedSchemaError(f"{value} is not a JSON number")
        return es_number(value)
    if isinstance(value, str):
        return js_string(value)
    return None


def pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class _Mode:
    """How a failing condition and a subschema call are written: check or report."""

    def __init__(self, report: bool) -> None:
        self.report = report

    def fail(self, cond: str, message: str, path: str = "p") -> list[str]:
        if self.report:
            return [f"if ({cond}) e.push({{ path: {path}, message: {js_string(message)} }});"]
        return [f"if ({cond}) return false;"]

    def sub(self, n: int, value: str, path: str) -> list[str]:
        if self.report:
            return [f"r{n}({value}, {path}, e);"]
        return [f"if (!c{n}({value})) return false;"]


CHECK, REPORT = _Mode(False), _Mode(True)


@dataclass
class SchemaCompiler:
    """Compiles schema documents into one module's functions and constants."""

    functions: list[str] = field(default_factory=list)
    constants: list[str] = field(default_factory=list)
    _keys: dict[Any, int] = field(default_factory=dict)
    _consts: dict[str, str] = field(default_factory=dict)
    _docs: list[Any] = field(default_factory=list)

    def compile(self, document: Any) -> int:
        """The number N of the functions ``c<N>``/``r<N>`` that validate ``document``."""
        saved = (len(self.functions), len(self.constants), dict(self._keys), dict(self._consts))
        self._docs.append(document)
        try:
            return self._node(len(self._docs) - 1, "#", document)
        except UnsupportedSchemaError:  # leave the module as it was before this document
            del self.functions[saved[0] :], self.constants[saved[1] :]
            self._keys, self._consts = saved[2], saved[3]
            raise

    def _node(self, doc: int, pointer: str, schema: Any) -> int:
        canonical = json.dumps(schema, sort_keys=True, ensure_ascii=True)
        key: Any = canonical if '"$ref"' not in canonical else (doc, pointer)
        if key in self._keys:
            return self._keys[key]
        n = len(self._keys)
        self._keys[key] = n
        ctx = _Node(self, doc, pointer, schema)
        check = ctx.body(CHECK)
        report = ctx.body(REPORT)
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
            raise UnsupportedSchemaError(f"$ref {ref!r}: only references inside the document work")
        tokens = [unquote(t).replace("~1", "/").replace("~0", "~") for t in ref[1:].split("/")[1:]]
        for token in tokens:
            if isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise UnsupportedSchemaError(f"$ref {ref!r} points at nothing")
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


def _indent(lines: list[str]) -> str:
    return "".join(f"  {line}\n" for line in lines)


@dataclass
class _Node:
    """One schema node being compiled."""

    compiler: SchemaCompiler
    doc: int
    pointer: str
    schema: Any

    def sub(self, schema: Any, *tokens: str | int) -> int:
        pointer = "/".join([self.pointer, *(pointer_token(str(t)) for t in tokens)])
        return self.compiler.child(self.doc, pointer, schema)

    def body(self, mode: _Mode) -> list[str]:
        schema = self.schema
        if schema is True or schema == {}:
            return []
        if schema is False:
            return mode.fail("true", words.NOTHING)
        if not isinstance(schema, dict):
            raise UnsupportedSchemaError(f"a schema must be an object or a boolean, not {schema!r}")
        for keyword in UNSUPPORTED:
            if keyword in schema:
                raise UnsupportedSchemaError(f"the keyword {keyword} is not supported")
        if "$id" in schema and self.pointer != "#":
            raise UnsupportedSchemaError("$id below the document root is not supported")
        lines: list[str] = []
        types = self._types(mode, lines)
        for emit in _KEYWORDS:
            lines += emit(self, mode)
        for group, (members, guard) in _GROUPS.items():
            group_lines: list[str] = []
            for emit in _GROUP_KEYWORDS[group]:
                group_lines += emit(self, mode)
            if group_lines and types is not None and types <= members:
                lines += group_lines
            elif group_lines:
                lines += [f"if ({guard}) {{", *(f"  {g}" for g in group_lines), "}"]
        return lines

    def _types(self, mode: _Mode, lines: list[str]) -> set[str] | None:
        declared = self.schema.get("type")
        if declared is None:
            return None
        types = [declared] if isinstance(declared, str) else list(declared)
        unknown = [t for t in types if t not in _TYPE_TESTS]
        if unknown:
            raise UnsupportedSchemaError(f"unknown type {unknown[0]!r}")
        test = " || ".join(_TYPE_TESTS[t] for t in types) or "false"
        message = words.type_message(types)
        if mode.report:
            lines += [
                f"if (!({test})) {{",
                f"  e.push({{ path: p, message: {js_string(message)} }});",
                "  return;",
                "}",
            ]
        else:
            lines += [f"if (!({test})) return false;"]
        return set(types) | ({"integer"} if "number" in types else set())


# --- keywords that apply to every instance type ------------------------------------------


def _enum(node: _Node, mode: _Mode) -> list[str]:
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


def _equals(compiler: SchemaCompiler, values: list[Any], x: str = "x") -> str:
    primitive = [v for v in values if js_value(v) is not None]
    composite = [v for v in values if js_value(v) is None]
    tests = []
    if len(primitive) > 6:
        tests.append(f"{compiler.name_set(primitive)}.has({x})")
    else:
        tests += [f"{x} === {js_value(v)}" for v in primitive]
    tests += [f"deq({x}, {compiler.value(v)})" for v in composite]
    return " || ".join(tests) or "false"


def _ref(node: _Node, mode: _Mode) -> list[str]:
    ref = node.schema.get("$ref")
    if ref is None:
        return []
    if not isinstance(ref, str):
        raise UnsupportedSchemaError("$ref must be a string")
    pointer, target = node.compiler.resolve(node.doc, ref)
    n = node.compiler.child(node.doc, pointer, target)
    return mode.sub(n, "x", "p")


def _all_of(node: _Node, mode: _Mode) -> list[str]:
    lines: list[str] = []
    for i, sub in enumerate(node.schema.get("allOf", [])):
        lines += mode.sub(node.sub(sub, "allOf", i), "x", "p")
    return lines


def _any_of(node: _Node, mode: _Mode) -> list[str]:
    subs = node.schema.get("anyOf")
    if subs is None:
        return []
    ns = [node.sub(sub, "anyOf", i) for i, sub in enumerate(subs)]
    if mode.report and len(subs) == 2 and subs[1] == {"type": "null"}:
        return [f"if (x !== null) r{ns[0]}(x, p, e);"]  # a nullable T: explain T's errors
    test = " || ".join(f"c{n}(x)" for n in ns) or "false"
    return mode.fail(f"!({test})", words.ANY_OF)


def _one_of(node: _Node, mode: _Mode) -> list[str]:
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


def _discriminator_tags(node: _Node, subs: list[Any]) -> tuple[str, list[Any]] | None:
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


def _picked(node: _Node, tags: tuple[str, list[Any]], ns: list[int]) -> list[str]:
    """Report the errors of the branch the value's tag picks (or why no branch is picked)."""
    name, values = tags
    path = f"p + {js_string('/' + pointer_token(name))}"
    tag = f"x[{js_string(name)}]"
    lines = [
        "if (!isObj(x)) {",
        f"  e.push({{ path: p, message: {js_string(words.type_message(['object']))} }});",
        f"}} else if (!({has_key('x', name)})) {{",
        f"  e.push({{ path: {path}, message: {js_string(words.REQUIRED)} }});",
    ]
    for n, value in zip(ns, values, strict=True):
        lines += [f"}} else if ({_equals(node.compiler, [value], tag)}) {{", f"  r{n}(x, p, e);"]
    return [
        *lines,
        "} else {",
        f"  e.push({{ path: {path}, message: {js_string(words.enum_message(values))} }});",
        "}",
    ]


def _not(node: _Node, mode: _Mode) -> list[str]:
    if "not" not in node.schema:
        return []
    n = node.sub(node.schema["not"], "not")
    return mode.fail(f"c{n}(x)", words.NOT)


def _if(node: _Node, mode: _Mode) -> list[str]:
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


_KEYWORDS: tuple[Callable[[_Node, _Mode], list[str]], ...] = (
    _enum,
    _ref,
    _all_of,
    _any_of,
    _one_of,
    _not,
    _if,
)


# --- numbers -----------------------------------------------------------------------------


def _number(value: Any, keyword: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UnsupportedSchemaError(f"{keyword} must be a number")
    literal = js_value(value)
    assert literal is not None
    return literal


_BOUND_TESTS = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}


def _bounds(node: _Node, mode: _Mode) -> list[str]:
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


def _multiple_of(node: _Node, mode: _Mode) -> list[str]:
    if "multipleOf" not in node.schema:
        return []
    factor = node.schema["multipleOf"]
    _number(factor, "multipleOf")
    if factor <= 0:
        raise UnsupportedSchemaError("multipleOf must be greater than 0")
    mantissa, exponent = decimal_parts(factor)
    exact = f"!multOf(x, {mantissa}n, {exponent})"
    if float(factor).is_integer() and factor <= MAX_EXACT:  # `%` is exact on safe integers
        step = int(factor)
        exact = f"(x >= -{MAX_EXACT} && x <= {MAX_EXACT} ? x % {step} !== 0 : {exact})"
    return mode.fail(exact, words.multiple_message(factor))


# --- strings -----------------------------------------------------------------------------


def _lengths(node: _Node, mode: _Mode) -> list[str]:
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


def _pattern(node: _Node, mode: _Mode) -> list[str]:
    pattern = node.schema.get("pattern")
    if not isinstance(pattern, str):
        return []
    return mode.fail(f"!{node.compiler.regex(pattern)}.test(x)", words.pattern_message(pattern))


def _format(node: _Node, mode: _Mode) -> list[str]:
    name = node.schema.get("format")
    if name not in FORMAT_FUNCTIONS:
        return []  # other formats are annotations
    return mode.fail(f"!{FORMAT_FUNCTIONS[name]}(x)", words.format_message(name))


# --- arrays ------------------------------------------------------------------------------


def _items(node: _Node, mode: _Mode) -> list[str]:
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


def _array_sizes(node: _Node, mode: _Mode) -> list[str]:
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


def _contains(node: _Node, mode: _Mode) -> list[str]:
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


def has_key(obj: str, name: str) -> str:
    """A test that ``obj`` has the own property ``name`` (JSON values are never undefined)."""
    if name in PROTO_NAMES:
        return f"hasOwn({obj}, {js_string(name)})"
    return f"{obj}[{js_string(name)}] !== undefined"


def _required(node: _Node, mode: _Mode) -> list[str]:
    lines: list[str] = []
    for name in node.schema.get("required", []):
        path = f"p + {js_string('/' + pointer_token(name))}"
        lines += mode.fail(f"!({has_key('x', name)})", words.REQUIRED, path)
    return lines


def _dependent(node: _Node, mode: _Mode) -> list[str]:
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


def _properties(node: _Node, mode: _Mode) -> list[str]:
    lines: list[str] = []
    for name, sub in node.schema.get("properties", {}).items():
        if sub is True or sub == {}:
            continue
        n = node.sub(sub, "properties", name)
        value = f"x[{js_string(name)}]"
        path = f"p + {js_string('/' + pointer_token(name))}"
        lines += [
            f"if ({has_key('x', name)}) {{",
            *(f"  {t}" for t in mode.sub(n, value, path)),
            "}",
        ]
    return lines


def _key_loop(node: _Node, mode: _Mode) -> list[str]:
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


def _known_test(compiler: SchemaCompiler, names: list[str]) -> str:
    if len(names) > 6:
        return f"{compiler.name_set(names)}.has(k)"
    return " || ".join(f"k === {js_string(name)}" for name in names)


def _object_sizes(node: _Node, mode: _Mode) -> list[str]:
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


Emit = Callable[[_Node, _Mode], list[str]]
_GROUP_KEYWORDS: dict[str, tuple[Emit, ...]] = {
    "number": (_bounds, _multiple_of),
    "string": (_lengths, _format, _pattern),  # the order the Python package checks them
    "array": (_array_sizes, _items, _contains),
    "object": (_required, _properties, _key_loop, _dependent, _object_sizes),
}
