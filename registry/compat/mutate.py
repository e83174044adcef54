"""Variants of a sample value aimed at a right-hand node's constraints, to find witnesses.

The engine proves some breaks by reasoning alone (``maxProperties`` lowered, a property
newly forbidden, an item count narrowed); a "no" is shown only with a witness, so the
witness search tries, beside the left side's own samples, these variants of each: with
the keys the right node names (``properties``, ``required``, ``dependentRequired``) added
or a key removed, with fresh keys (enough to pass a ``maxProperties``), with an item
repeated or dropped. Every variant is only a candidate: the caller keeps one only when
the left side accepts it and the right one rejects it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

_FILLERS: Final[tuple[Any, ...]] = (None, "", 0, True, {}, [])
_FRESH: Final = "wiretype-extra"
_MAX: Final = 40


def variants(value: Any, node: Any, left: tuple[Any, ...] = ()) -> list[Any]:
    """Up to ``_MAX`` variants of ``value`` shaped by ``node``'s keywords (and by the
    constants the ``left`` parts name for items)."""
    if not isinstance(node, dict):
        node = {}
    if isinstance(value, dict):
        found = list(_objects(value, node))
    elif isinstance(value, list):
        found = list(_arrays(value, node, _item_constants(left)))
    else:
        found = []
    return found[:_MAX]


def _item_constants(parts: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        for key in ("contains", "items"):
            sub = part.get(key) if isinstance(part, dict) else None
            if isinstance(sub, dict) and "const" in sub:
                out.append(sub["const"])
            elif isinstance(sub, dict) and isinstance(sub.get("enum"), list) and sub["enum"]:
                out.append(sub["enum"][0])
    return out[:3]


def _names(node: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ("properties", "dependentRequired", "dependentSchemas"):
        if isinstance(node.get(key), dict):
            names.extend(node[key])
    if isinstance(node.get("required"), list):
        names.extend(n for n in node["required"] if isinstance(n, str))
    for key in ("anyOf", "oneOf", "allOf"):  # a union's branches: names that tell them apart
        for sub in node.get(key) or () if isinstance(node.get(key), list) else ():
            if isinstance(sub, dict) and isinstance(sub.get("required"), list):
                names.extend(n for n in sub["required"] if isinstance(n, str))
    return list(dict.fromkeys(names))[:12]


def _objects(value: dict[str, Any], node: dict[str, Any]) -> Iterator[Any]:
    for key in value:
        yield {k: v for k, v in value.items() if k != key}
    for filler in _FILLERS:
        yield {**value, _FRESH: filler}
        for name in _names(node):
            if name not in value:
                yield {**value, name: filler}
    for size in (1, 2, 4, 6, 9, 17, 33):
        yield {**value, "k" * size: None}  # names of several lengths, for propertyNames
    most = node.get("maxProperties")
    if isinstance(most, int) and not isinstance(most, bool) and 0 <= most < 64:
        for filler in _FILLERS[:3]:
            extra = {f"{_FRESH}-{i}": filler for i in range(most + 1 - len(value))}
            yield {**value, **extra}


def _arrays(value: list[Any], node: dict[str, Any], known: list[Any]) -> Iterator[Any]:
    for item in known:
        if item not in value:
            value = [*value, item]
    if value:
        yield value[:-1]
        yield [*value, value[-1]]
        yield [*value, *value]
    for filler in _FILLERS:
        yield [*value, filler]
        yield [*value, filler, filler]
    most = node.get("maxItems")
    if isinstance(most, int) and not isinstance(most, bool) and 0 <= most < 64:
        for filler in [*value[:1], *_FILLERS[:3]]:
            yield [*value, *([filler] * (most + 1 - len(value)))]
