"""Validation support of a generated package: what its models and codec share.

Models are pydantic v2 in strict mode; the markers re-exported here (from ``_scalars``,
``_structures`` and ``_raw_schema``) make them accept exactly what each version's JSON
Schema accepts, and ``error_list`` turns pydantic's errors into wiretype's words at JSON
Pointer paths: the same words, for the same inputs, as the TypeScript package.
"""

from __future__ import annotations

import typing as _t

import pydantic as _p

from ._json import DecodeError, pointer
from ._numbers import InexactNumber, number_text
from ._raw_schema import RawModel
from ._scalars import Float, Int, Str, format_check, formatted
from ._structures import CAREFUL, Choice, Json, Keywords, Map, OneOf, Unique, Values
from ._words import FORMATS, OBJECT_WORDS, WORDS

__all__ = [
    "CAREFUL",
    "Choice",
    "DecodeError",
    "Float",
    "InexactNumber",
    "Int",
    "Json",
    "Keywords",
    "Map",
    "OneOf",
    "RawModel",
    "Str",
    "Unique",
    "Values",
    "error_list",
    "format_check",
    "formatted",
]

_FORMAT_OF_PATTERN = {pattern: name for name, pattern in FORMATS.items()}


def error_list(exc: _p.ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """pydantic's errors as ``{path, message}``, one per path, in wiretype's words."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for error in exc.errors(include_url=False):
        path = pointer(error["loc"])
        if path in seen:
            continue
        seen.add(path)
        out.append({"path": path, "message": prefix + _message(error)})
    return out


def _message(error: _t.Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        fmt = _FORMAT_OF_PATTERN.get(pattern)
        return (
            WORDS["format"].format(format=fmt) if fmt else WORDS["pattern"].format(pattern=pattern)
        )
    words = OBJECT_WORDS.get(kind) if isinstance(error.get("input"), dict) else None
    words = words or WORDS.get(kind)
    if words is None:  # wiretype's own checks already speak its words
        return str(error["msg"]).removeprefix("Value error, ")
    return words.format(**{key: number_text(value) for key, value in ctx.items()})
