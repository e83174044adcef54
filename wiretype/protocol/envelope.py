"""The envelope on the wire: reading a frame's header and runtime keys, writing frames.

A frame is one JSON object: ``type``, ``v``, ``id`` (1-128 characters), ``data`` and the
runtime's optional keys ``ack ts ttl prio re seq epoch``. Reading is done by the generated
``decode`` in one pass of pydantic-core; only a frame that fails is read again with
``json.loads`` to say what is wrong with it (``FrameProblem``).

Writing splices pre-encoded data into a fixed layout, so a frame can be built per
recipient by string concatenation: ``body(...) + tail(seq, epoch)``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_PRIO = 4
MAX_ID = 128
RUNTIME_KEYS = ("ack", "ts", "ttl", "prio", "re", "seq", "epoch")


@dataclass(frozen=True, slots=True)
class FrameProblem:
    """Why a frame is not a usable envelope: ``bad_frame`` (not a JSON text object at all)
    or ``bad_envelope`` (an object without a valid type, v, id or runtime key)."""

    code: str
    message: str
    id: str | None = None


@dataclass(slots=True)
class Header:
    """The envelope around a message, with the runtime keys checked (not frozen: built
    once per frame, and a frozen dataclass's __init__ costs three times as much)."""

    type: str
    v: int
    id: str
    ack: bool = False
    ts: int | None = None
    ttl: int | None = None
    prio: int = DEFAULT_PRIO
    re: str | None = None
    seq: int | None = None
    epoch: int | None = None

    def expires_at(self) -> float | None:
        if self.ttl is None or self.ts is None:
            return None
        return float(self.ts + self.ttl)


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_id(value: Any) -> bool:
    return type(value) is str and 1 <= len(value) <= MAX_ID


def header_of(frame: Any) -> Header | FrameProblem:
    """The header of a loaded frame (a dict), or what is wrong with it."""
    if not isinstance(frame, dict):
        return FrameProblem("bad_envelope", "a frame must be a JSON object")
    name: Any = frame.get("type")
    version: Any = frame.get("v")
    ident: Any = frame.get("id")
    known_id = ident if _is_id(ident) else None
    if type(name) is not str or not name:
        return FrameProblem("bad_envelope", "`type` must be a non-empty string", known_id)
    if not _is_int(version) or version < 1:
        return FrameProblem("bad_envelope", "`v` must be an integer >= 1", known_id)
    if known_id is None:
        return FrameProblem("bad_envelope", "`id` must be a string of 1-128 characters")
    return runtime_keys(name, version, ident, frame)


def runtime_keys(
    name: str, version: int, ident: str, keys: dict[str, Any]
) -> Header | FrameProblem:
    """The header with ``ack ts ttl prio re seq epoch`` checked from ``keys``."""
    problem = _key_problem(keys)
    if problem:
        return FrameProblem("bad_envelope", problem, ident)
    return Header(
        name,
        version,
        ident,
        keys.get("ack", False),
        keys.get("ts"),
        keys.get("ttl"),
        keys.get("prio", DEFAULT_PRIO),
        keys.get("re"),
        keys.get("seq"),
        keys.get("epoch"),
    )


def _key_problem(keys: dict[str, Any]) -> str | None:
    if type(keys.get("ack", False)) is not bool:
        return "`ack` must be true or false"
    for key in ("ts", "ttl", "seq", "epoch"):
        value = keys.get(key)
        if value is not None and (not _is_int(value) or value < 0):
            return f"`{key}` must be an integer >= 0"
    prio = keys.get("prio", DEFAULT_PRIO)
    if not _is_int(prio) or not 0 <= prio <= 9:
        return "`prio` must be an integer from 0 to 9"
    re_ = keys.get("re")
    if re_ is not None and not _is_id(re_):
        return "`re` must be a string of 1-128 characters"
    return None


# A frame's start as every wiretype sender writes it: the model is picked from these bytes
# and the whole frame validated in one pass; anything else goes the careful way.
HEAD = re.compile(r'\{\s*"type"\s*:\s*"([^"\\]*)"\s*,\s*"v"\s*:\s*([0-9]+)\s*[,}]')


class HeaderView(Protocol):
    """What the machines read of a frame's envelope: a ``Header`` (frames read the careful
    way) or the frame model validated by ``Package.validator`` (the fast way), as is."""

    @property
    def type(self) -> str: ...
    @property
    def v(self) -> int: ...
    @property
    def id(self) -> str: ...
    @property
    def ack(self) -> bool: ...
    @property
    def ts(self) -> int | None: ...
    @property
    def ttl(self) -> int | None: ...
    @property
    def prio(self) -> int: ...
    @property
    def re(self) -> str | None: ...
    @property
    def seq(self) -> int | None: ...
    @property
    def epoch(self) -> int | None: ...
    def expires_at(self) -> float | None: ...


def maybe_non_finite(text: str) -> bool:
    """NaN and Infinity are not JSON (pydantic's reader takes them in ignored keys): a
    frame that holds either word is read the careful way, which refuses them."""
    return "NaN" in text or "Infinity" in text


def load(text: str) -> Any | FrameProblem:
    """The JSON value of a text frame, or ``bad_frame``. NaN and Infinity are not JSON."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        return FrameProblem("bad_frame", f"not JSON: {str(exc)[:200]}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_PLAIN = re.compile(r"[A-Za-z0-9._:~+-]*\Z")


def quote(text: str) -> str:
    """A JSON string literal (names and ids the runtime makes need no escaping)."""
    if _PLAIN.match(text):
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


def body(
    name: str,
    version: int,
    ident: str,
    data_json: str,
    *,
    ack: bool = False,
    ts: int | None = None,
    ttl: int | None = None,
    prio: int = DEFAULT_PRIO,
    re: str | None = None,
) -> str:
    """A frame without its closing brace (so ``tail`` can add seq and epoch)."""
    parts = [f'{{"type":{quote(name)},"v":{version},"id":{quote(ident)},"data":{data_json}']
    if ack:
        parts.append(',"ack":true')
    if ts is not None:
        parts.append(f',"ts":{ts}')
    if ttl is not None:
        parts.append(f',"ttl":{ttl}')
    if prio != DEFAULT_PRIO:
        parts.append(f',"prio":{prio}')
    if re is not None:
        parts.append(f',"re":{quote(re)}')
    return "".join(parts)


def tail(seq: int | None = None, epoch: int | None = None) -> str:
    if seq is None:
        return "}"
    return f',"seq":{seq},"epoch":{epoch}}}'


def utf8_size(text: str) -> int:
    """The size of ``text`` in UTF-8 bytes (cheap for ASCII)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
