"""Small pieces both adapters share: the clock, importing a package, redaction for logs."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from .errors import ConfigurationError
from .protocol.package import Package

SUBPROTOCOL = "wiretype.v1"
REDACTED = "***"


# Wall-clock milliseconds at start, carried forward by the monotonic clock: ``ts``/``ttl`` on
# the wire are wall-clock, and deadlines must not jump when the system clock is set.
_OFFSET = time.time() * 1000.0 - time.monotonic() * 1000.0


def now_ms() -> float:
    """Milliseconds since the epoch, never going backwards."""
    return _OFFSET + time.monotonic() * 1000.0


def package_of(
    proto: ModuleType | Package,
    *,
    name: str | None = None,
    speaks: Mapping[str, Iterable[int]] | None = None,
) -> Package:
    if isinstance(proto, Package):
        return proto.restrict(speaks) if speaks else proto
    if not isinstance(proto, ModuleType):
        raise ConfigurationError("pass the generated package (a module) or a Package")
    return Package.from_module(proto, name=name, speaks=speaks)


def redacted(data: Any, paths: Iterable[str]) -> Any:
    """``data`` (a JSON value) with the values at the JSON pointers ``paths`` replaced."""
    out = data
    for path in paths:
        out = _redact(out, [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]])
    return out


def _redact(node: Any, parts: list[str]) -> Any:
    if not parts:
        return REDACTED
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict) and head == "*":  # every value of a map (see PROTOCOL)
        return {key: _redact(value, rest) for key, value in node.items()}
    if isinstance(node, dict) and head in node:
        return {**node, head: _redact(node[head], rest)}
    if isinstance(node, list):
        return [
            _redact(item, rest) if head in ("*", str(i)) else item for i, item in enumerate(node)
        ]
    return node


def data_for_log(package: Package, model: Any) -> Any:
    info = package.messages.get(type(model).__wire_name__)
    data = model.model_dump(mode="json", by_alias=True)
    return redacted(data, info.sensitive) if info is not None and info.sensitive else data


def topics_of(call: str, topics: tuple[object, ...]) -> tuple[str, ...]:
    """The topics of ``subscribe(*topics)`` / ``unsubscribe``, each a string: a list passed
    as one argument is a TypeError that says how to call it (never pydantic's own error)."""
    for topic in topics:
        if not isinstance(topic, str):
            raise TypeError(
                f"{call} takes topics as arguments, each a string "
                f"({call}('room.a', 'room.b'), or {call}(*names)), not {type(topic).__name__}"
            )
    return topics  # type: ignore[return-value]
