"""What every keyword of the TypeScript validator compiler works on: one schema node.

A node is compiled twice, by the same keyword functions in two modes: ``CHECK`` writes the
body of ``c<N>(x): boolean`` (return false at the first failure, allocate nothing) and
``REPORT`` the body of ``r<N>(x, p, e)`` (push every ``{path, message}``). Literals reach the
output only through ``js_string`` and ``js_value``. A schema the validators cannot implement
raises ``NotGenerated``, which never leaves the renderer: ``unsupported`` turns it into a
finding.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Protocol

from registry.json.numbers import es_number

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


class NotGenerated(Exception):  # noqa: N818 - a refusal, reported as a finding
    """A schema the generated validators cannot implement: why, and where in the document."""

    def __init__(self, reason: str, pointer: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pointer = pointer  # the JSON Pointer of the node in its document, once known


def js_string(text: str) -> str:
    """A JavaScript string literal: JSON, ASCII only (so U+2028 and friends are escaped)."""
    return json.dumps(text, ensure_ascii=True)


def js_value(value: Any) -> str | None:
    """A primitive JSON value as a JavaScript literal (None for objects and arrays)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise NotGenerated(f"{value} is not a JSON number")
        return es_number(value)
    if isinstance(value, str):
        return js_string(value)
    return None


def pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def has_key(obj: str, name: str) -> str:
    """A test that ``obj`` has the own property ``name`` (JSON values are never undefined)."""
    if name in PROTO_NAMES:
        return f"hasOwn({obj}, {js_string(name)})"
    return f"{obj}[{js_string(name)}] !== undefined"


class Mode:
    """How a failing condition and a subschema call are written: check or report."""

    def __init__(self, report: bool) -> None:
        self.report = report

    def fail(self, cond: str, message: str, path: str = "p") -> list[str]:
        if self.report:
            return [f"if ({cond}) fail(e, {path}, {js_string(message)});"]
        return [f"if ({cond}) return false;"]

    def sub(self, n: int, value: str, path: str) -> list[str]:
        if self.report:
            return [f"r{n}({value}, {path}, e);"]
        return [f"if (!c{n}({value})) return false;"]


CHECK, REPORT = Mode(False), Mode(True)


class Compiler(Protocol):
    """What a keyword function may ask of the compiler (``ts_validators.SchemaCompiler``)."""

    def child(self, doc: int, pointer: str, schema: Any) -> int: ...
    def resolve(self, doc: int, ref: str) -> tuple[str, Any]: ...
    def regex(self, pattern: str) -> str: ...
    def value(self, value: Any) -> str: ...
    def name_set(self, names: list[Any]) -> str: ...


@dataclass
class Node:
    """One schema node being compiled: its document, its pointer there, and the schema."""

    compiler: Compiler
    doc: int
    pointer: str
    schema: Any

    def sub(self, schema: Any, *tokens: str | int) -> int:
        """The number of the functions compiled for a subschema at ``tokens`` below."""
        pointer = "/".join([self.pointer, *(pointer_token(str(t)) for t in tokens)])
        return self.compiler.child(self.doc, pointer, schema)

    def refuse(self, reason: str) -> NotGenerated:
        return NotGenerated(reason, self.pointer)
