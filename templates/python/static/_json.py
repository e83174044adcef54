"""JSON values: ``DecodeError``, the canonical text ``encode`` writes, and walks over values.

The canonical text is byte for byte what ``JSON.stringify`` writes in the TypeScript
package: compact, numbers as ECMAScript writes them, keys in ECMAScript's order (array
indexes first), lone surrogates escaped. The walks find, by JSON Pointer, what a JSON
reader holding doubles would see otherwise than Python does: integers a double would change,
numbers beyond the largest double, strings with lone surrogates.
"""

from __future__ import annotations

import json
import math
import re
import threading
import typing as _t

import pydantic as _p

from ._numbers import MAX_EXACT, carried, es_number, not_carried
from ._words import WORDS


class DecodeError(ValueError):
    """A value that is not a valid message; ``errors`` lists ``{path, message}``, each path a
    JSON Pointer (``/data/room``)."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        shown = "; ".join(f"{e['path'] or '/'}: {e['message']}" for e in errors[:5])
        super().__init__(shown or "invalid message")


def pointer_part(part: object) -> str:
    """One token of a JSON Pointer (``~`` and ``/`` escaped)."""
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(loc: _t.Iterable[object]) -> str:
    return "".join(f"/{pointer_part(part)}" for part in loc)


def pointer_parts(path: str) -> list[str]:
    """The tokens of a JSON Pointer, unescaped."""
    return [part.replace("~1", "/").replace("~0", "~") for part in path.split("/")[1:]]


# --- canonical JSON: what encode writes ---------------------------------------------------


class _Writing(threading.local):
    """What a serializer noticed while ``encode`` wrote a message in this thread."""

    uncanonical = False  # a number pydantic writes otherwise than ECMAScript (1e-6)


WRITING = _Writing()


def number_json(value: int | float) -> int | float:
    """A number, so that pydantic writes what ECMAScript writes (``1`` for ``1.0``)."""
    if isinstance(value, int):
        return value if -MAX_EXACT <= value <= MAX_EXACT else _big_json(value)
    if value.is_integer():
        return int(value) if -MAX_EXACT <= value <= MAX_EXACT else _big_json(value)
    if 1e-6 <= abs(value) < 1e-5:  # pydantic writes 1e-6: encode writes it the careful way
        WRITING.uncanonical = True
    return value


def _big_json(value: int | float) -> int | float:
    number = float(value)
    return number if abs(number) >= 1e21 else int(es_number(number))


def value_json(value: _t.Any) -> _t.Any:
    """Any JSON value, numbers and key order as ECMAScript writes them."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return number_json(value)
    if isinstance(value, list):
        return [value_json(item) for item in value]
    if isinstance(value, dict):
        return {key: value_json(value[key]) for key in es_keys(value)}
    return value


def map_json(value: dict[str, _t.Any], handler: _t.Any) -> _t.Any:
    return handler({key: value[key] for key in es_keys(value)} if _has_index(value) else value)


_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")


def _is_index(key: str) -> bool:
    """An array index to ECMAScript (``"0"`` ... ``"4294967294"``): such keys come first."""
    return _INDEX.fullmatch(key) is not None and int(key) < 2**32 - 1


def _has_index(value: dict[str, _t.Any]) -> bool:
    return any(_is_index(key) for key in value)


def es_keys(value: dict[str, _t.Any]) -> list[str]:
    """An object's keys in the order ECMAScript keeps them: array indexes first, ascending,
    then the others as they were added."""
    if not _has_index(value):
        return list(value)
    indexes = sorted((key for key in value if _is_index(key)), key=int)
    return indexes + [key for key in value if not _is_index(key)]


def plain_extra(extra: dict[str, _t.Any]) -> bool:
    """Whether pydantic writes these envelope keys as ECMAScript would: no floats, no
    integers beyond 2^53, no keys that ECMAScript puts first."""
    return not _has_index(extra) and all(_plain_value(item) for item in extra.values())


def _plain_value(value: _t.Any) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, int):
        return -MAX_EXACT <= value <= MAX_EXACT
    if isinstance(value, dict):
        return not _has_index(value) and all(_plain_value(item) for item in value.values())
    if isinstance(value, list):
        return all(_plain_value(item) for item in value)
    return True


_SURROGATE = re.compile("[\ud800-\udfff]")


def es_string(text: str) -> str:
    """A string as JSON.stringify writes it: ``"``, ``\\`` and controls escaped, lone
    surrogates as ``\\udxxx``, everything else as is."""
    out = json.dumps(text, ensure_ascii=False)
    if _SURROGATE.search(out):  # pairs become one character; lone halves are escaped
        out = out.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        out = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    return out


def canonical_json(value: _t.Any, path: str = "") -> str:
    """Any JSON value as ``JSON.stringify`` writes it (RFC 8785's number form, ECMAScript's
    key order); DecodeError for a number that is not JSON or that a double would change."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, str):
        return es_string(value)
    if isinstance(value, (int, float)):
        return _canonical_number(value, path)
    if isinstance(value, dict):
        pairs = (
            f"{es_string(key)}:{canonical_json(value[key], f'{path}/{pointer_part(key)}')}"
            for key in es_keys(value)
        )
        return "{" + ",".join(pairs) + "}"
    if isinstance(value, (list, tuple)):
        items = (canonical_json(item, f"{path}/{i}") for i, item in enumerate(value))
        return "[" + ",".join(items) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _canonical_number(value: int | float, path: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise DecodeError([{"path": path, "message": WORDS["finite_number"]}])
    if isinstance(value, int) and not carried(value):
        raise DecodeError([{"path": path, "message": not_carried(value)}])
    return es_number(value)


# --- JSON values --------------------------------------------------------------------------


def jsonable(value: _t.Any) -> _t.Any:
    """A model (or anything holding models) as plain JSON values."""
    if isinstance(value, _p.BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    return value


def canonical(value: _t.Any) -> str:
    """A text equal for equal JSON values: ``1`` and ``1.0`` alike, ``true`` apart."""
    return json.dumps(_normal(value), sort_keys=True, separators=(",", ":"))


def _normal(value: _t.Any) -> _t.Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    return value


def json_equal(a: _t.Any, b: _t.Any) -> bool:
    return canonical(a) == canonical(b)


def non_finite(text: str | bytes) -> bool:
    """True when ``text`` holds NaN or Infinity outside strings (not JSON)."""
    if isinstance(text, str):
        if "NaN" not in text and "Infinity" not in text:
            return False
    elif b"NaN" not in text and b"Infinity" not in text:
        return False
    try:
        json.loads(text, parse_constant=_reject)
    except (ValueError, RecursionError):
        return True
    return False


def _reject(name: str) -> _t.NoReturn:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes) -> _t.Any:
    """Python's JSON reader (it keeps lone surrogates), rejecting NaN and Infinity."""
    return json.loads(text, parse_constant=_reject)


# Where an integer literal may be too long for a double: 16 digits in a row.
LONG_DIGITS = re.compile(rb"[0-9]{16}")
LONG_DIGITS_TEXT = re.compile(LONG_DIGITS.pattern.decode())


def _walk(
    value: _t.Any, path: str, found: _t.Callable[[_t.Any, str], list[_t.Any]]
) -> list[_t.Any]:
    """``found`` of every item of an object or array, with its JSON Pointer."""
    if isinstance(value, dict):
        return [
            hit for key, item in value.items() for hit in found(item, f"{path}/{pointer_part(key)}")
        ]
    if isinstance(value, list):
        return [hit for i, item in enumerate(value) for hit in found(item, f"{path}/{i}")]
    return []


def uncarried(value: _t.Any, path: str = "") -> list[tuple[str, int]]:
    """``(JSON Pointer, integer)`` for every integer in ``value`` that a double would change."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [] if carried(value) else [(path, value)]
    return _walk(value, path, uncarried)


def overflowed(value: _t.Any, path: str = "") -> list[str]:
    """JSON Pointers of the numbers in ``value`` that no double holds (``1e400``)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path]
    return _walk(value, path, overflowed)


_LONE = re.compile("[\ud800-\udfff]")


def lone_surrogates(value: _t.Any, path: str = "") -> list[tuple[str, str]]:
    """``(JSON Pointer, string)`` for every string in ``value`` holding a lone surrogate,
    which pydantic-core's checks of lengths and patterns cannot read."""
    if isinstance(value, str):
        return [(path, value)] if _LONE.search(value) else []
    return _walk(value, path, lone_surrogates)


def as_doubles(value: _t.Any) -> _t.Any:
    """``value`` as a reader holding doubles sees it: every integer as its double's value."""
    if isinstance(value, int) and not isinstance(value, bool) and not carried(value):
        try:
            return int(float(value))
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, dict):
        return {key: as_doubles(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_doubles(item) for item in value]
    return value


def without_lone_surrogates(value: _t.Any) -> _t.Any:
    """``value`` with each lone surrogate as U+FFFD: one code point for another, so every
    length, format and pattern of the registry judges it as it judges the original."""
    if isinstance(value, str):
        return _LONE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    return value


def finite(value: _t.Any) -> bool:
    """True when every number inside ``value`` is finite and carried by a double."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return isinstance(value, bool) or carried(value)
    if isinstance(value, dict):
        return all(finite(item) for item in value.values())
    if isinstance(value, list):
        return all(finite(item) for item in value)
    return True


def holds_number(value: _t.Any, path: str) -> bool:
    """Whether the JSON Pointer ``path`` names a number inside ``value``."""
    for part in pointer_parts(path):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdecimal() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def put_back(model: _p.BaseModel, path: str, text: str) -> None:
    """Set the string at the JSON Pointer ``path`` inside a validated model to ``text``."""
    *parents, last = pointer_parts(path)
    node: _t.Any = model
    for part in parents:
        node = _child(node, part)
        if node is None:
            return
    if isinstance(node, _p.RootModel):
        node = node.root
    if isinstance(node, _p.BaseModel):
        name = _field_of(node, last)
        if name is not None:
            node.__dict__[name] = text
        elif node.__pydantic_extra__ is not None and last in node.__pydantic_extra__:
            node.__pydantic_extra__[last] = text
    elif isinstance(node, list) and last.isdecimal() and int(last) < len(node):
        node[int(last)] = text
    elif isinstance(node, dict) and last in node:
        node[last] = text


def _field_of(model: _p.BaseModel, wire: str) -> str | None:
    for name, info in type(model).model_fields.items():
        if (info.alias or name) == wire:
            return name
    return None


def _child(node: _t.Any, part: str) -> _t.Any:
    if isinstance(node, _p.RootModel):
        node = node.root
    if isinstance(node, _p.BaseModel):
        name = _field_of(node, part)
        if name is not None:
            return getattr(node, name)
        return (node.__pydantic_extra__ or {}).get(part)
    if isinstance(node, list):
        return node[int(part)] if part.isdecimal() and int(part) < len(node) else None
    return node.get(part) if isinstance(node, dict) else None
