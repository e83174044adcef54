"""Text from a definition -> Python source that cannot break out of where it is put.

Every value that reaches a generated Python file goes through here: JSON values
become literals built by ``repr`` of plain ``str``/``int``/``float`` (one line,
every control character, quote, backslash, U+2028/U+2029 and NUL escaped),
descriptions become docstrings with those escaped, and comments lose anything
that could end the line.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

LITERAL_SCALARS = (str, int, bool, type(None))


def py_literal(value: Any) -> str:
    """A JSON value (from YAML) as a Python expression that evaluates to it."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f'float("{value!r}")'
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, (list, tuple)):
        items = ", ".join(py_literal(item) for item in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if value else ''})"
    if isinstance(value, dict):
        pairs = ", ".join(f"{py_literal(str(k))}: {py_literal(v)}" for k, v in value.items())
        return f"{{{pairs}}}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def literal_able(value: Any) -> bool:
    """True when ``typing.Literal`` can hold the value (and pydantic checks it exactly)."""
    return isinstance(value, LITERAL_SCALARS) and not isinstance(value, float)


def _escape_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char in "\n\t":
        return char
    if char == "\r" or not char.isprintable() or unicodedata.category(char) in ("Zl", "Zp"):
        code = ord(char)
        return (
            f"\\x{code:02x}"
            if code < 0x100
            else f"\\u{code:04x}"
            if code < 0x10000
            else f"\\U{code:08x}"
        )
    return char


def docstring(text: str, indent: str = "    ") -> str:
    """``text`` as a docstring literal (empty when there is no text)."""
    text = text.strip()
    if not text:
        return ""
    body = "".join(_escape_char(c) for c in text).replace('"', '\\"')
    lines = body.split("\n")
    if len(lines) == 1:
        return f'"""{body}"""'
    joined = "\n".join(f"{indent}{line}" if line else "" for line in lines[1:])
    return f'"""{lines[0]}\n{joined}\n{indent}"""'


def comment(text: str) -> str:
    """Text safe inside a ``#`` comment: one line, printable."""
    return "".join(c if c.isprintable() and c not in "\u2028\u2029" else " " for c in text)
