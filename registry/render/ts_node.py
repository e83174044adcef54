"""What every keyword of the TypeScript validator compiler works on: one schema node.

A node is compiled twice, by keyword functions of two tables: ``ts_checks`` writes the
boolean check ``c<N>(x)``, ``ts_reports`` the instructions of the reporter ``r<N>``.
Literals reach the output only through ``js_string``, ``js_json`` and ``js_value``. A
schema the validators cannot implement raises ``NotGenerated``, which never leaves the
renderer: ``unsupported`` turns it into a finding.
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


def js_json(value: Any) -> str:
    """A JSON value as the JavaScript literal of its JSON text, for ``JSON.parse``: the
    text is ASCII, in single quotes (fewer escapes than a JSON string of JSON)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


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


class Compiler(Protocol):
    """What a keyword function may ask of the compiler (``ts_validators.SchemaCompiler``)."""

    def child(self, doc: int, pointer: str, schema: Any) -> int: ...
    def resolve(self, doc: int, ref: str) -> tuple[str, Any]: ...
    def regex(self, pattern: str) -> str: ...
    def value(self, value: Any) -> str: ...
    def name_set(self, names: list[Any]) -> str: ...
    def call(self, n: int, value: str) -> str: ...
    def tests(self, n: int, value: str) -> list[str]: ...
    def cost(self, test: str) -> int: ...
    def check_name(self, n: int) -> str: ...
    def report_name(self, n: int) -> str: ...
    def report_ops(self, n: int) -> list[Any] | None: ...
    def rejects_undefined(self, n: int) -> bool: ...


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
