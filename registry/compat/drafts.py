"""Older JSON Schema drafts (04, 06, 07, 2019-09) rewritten as draft 2020-12.

Many schemas in the wild declare an older ``$schema``. The engine decides
inclusion under 2020-12, so before comparing, the keywords whose meaning
changed are rewritten to the 2020-12 keywords with the same meaning:

* ``items: [a, b]`` (a tuple) -> ``prefixItems``, and ``additionalItems`` -> ``items``;
* ``dependencies`` -> ``dependentRequired`` (a list) or ``dependentSchemas`` (a schema);
* draft-04's boolean ``exclusiveMinimum``/``exclusiveMaximum`` -> the numeric form;
* up to draft-07, a ``$ref`` makes its sibling keywords ignored: they are dropped
  (``definitions``/``$defs`` stay, as places that references point into);
* a plain-name identifier (``"$id": "#name"``, draft-04 ``"id": "#name"``) -> ``$anchor``,
  and draft-04's ``id`` -> ``$id``;
* a ``pattern`` valid only as a legacy (non-Unicode, Annex B) ECMA-262 expression is
  rewritten to the Unicode-mode expression that matches the same strings (``patterns``).

A schema without ``$schema`` is read as 2020-12, except that an array ``items``
and a boolean ``exclusiveMinimum`` (both invalid in 2020-12) are read as what they
meant in the drafts that had them.
"""

from __future__ import annotations

from typing import Any

from registry.json.pointer import escape, unescape, unquote

from .document import renamed
from .patterns import unicode_mode

_OLD = ("draft-04", "draft-06", "draft-07")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = (
    "additionalProperties",
    "propertyNames",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "items",
    "additionalItems",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
_CONTAINERS = {"definitions", "$defs"}


def draft_of(schema: Any) -> str:
    """``draft-04`` ... ``2020-12`` from the root ``$schema`` (2020-12 when absent)."""
    uri = schema.get("$schema", "") if isinstance(schema, dict) else ""
    for draft in (*_OLD, "2019-09"):
        if isinstance(uri, str) and draft in uri:
            return draft
    return "2020-12"


_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def to_2020_12(schema: Any, draft: str | None = None) -> Any:
    """The schema with older-draft keywords rewritten (a new object; the input is unchanged),
    declaring 2020-12 (a validator reading the old ``$schema`` would apply the old meaning
    to the rewritten keywords: draft-04 ignores ``prefixItems``)."""
    draft = draft or draft_of(schema)
    out = _node(schema, draft)
    if draft != "2020-12" and isinstance(out, dict):
        out["$schema"] = _2020_12
        _repoint(out, out, 0)
    return out


def _repoint(root: dict[str, Any], node: Any, depth: int) -> None:
    """Rewrite every local ``$ref`` pointer to where the rewriting moved its target (a
    tuple's ``items/1`` is ``prefixItems/1`` now), so that any validator finds it."""
    if depth > 2000:
        return
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node["$ref"] = _moved_pointer(root, ref)
        for value in node.values():
            _repoint(root, value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _repoint(root, value, depth + 1)


def _moved_pointer(root: dict[str, Any], ref: str) -> str:
    raw = ref[2:].split("/")
    keys = [unescape(unquote(t)) for t in raw]
    node: Any = root
    out = []
    for i, key in enumerate(keys):
        if isinstance(node, dict):
            moved = renamed(node, key, keys[i + 1] if i + 1 < len(keys) else "")
            if moved not in node:
                return ref
            out.append(raw[i] if moved == key else escape(moved))
            node = node[moved]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            out.append(raw[i])
            node = node[int(key)]
        else:
            return ref
    return "#/" + "/".join(out)


def _node(node: Any, draft: str) -> Any:
    if not isinstance(node, dict):
        return node
    out = {key: _sub(key, value, draft) for key, value in node.items()}
    if draft in _OLD:
        _identifier(out, draft)
    if isinstance(out.get("pattern"), str):
        out["pattern"] = unicode_mode(out["pattern"])
    if isinstance(out.get("patternProperties"), dict):
        out["patternProperties"] = {unicode_mode(k): v for k, v in out["patternProperties"].items()}
    if draft in _OLD and "$ref" in out:
        out = {k: v for k, v in out.items() if k == "$ref" or k in _CONTAINERS}
    _tuple_items(out)
    if draft in _OLD:  # 2019-09 split `dependencies`; in 2020-12 it is no keyword at all
        _dependencies(out)
    # a boolean exclusive bound is draft-04's, whatever `$schema` says (later drafts reject it)
    _exclusive(out, "exclusiveMinimum", "minimum")
    _exclusive(out, "exclusiveMaximum", "maximum")
    return out


def _identifier(out: dict[str, Any], draft: str) -> None:
    key = "id" if draft == "draft-04" else "$id"
    ident = out.get(key)
    if not isinstance(ident, str):
        return
    del out[key]
    if ident.startswith("#"):
        if ident[1:] and "/" not in ident:
            out.setdefault("$anchor", ident[1:])
    else:
        out["$id"] = ident


def _sub(key: str, value: Any, draft: str) -> Any:
    if key in _SCHEMA_MAPS and isinstance(value, dict):
        return {name: _node(sub, draft) for name, sub in value.items()}
    if key in _SCHEMA_LISTS and isinstance(value, list):
        return [_node(sub, draft) for sub in value]
    if key == "items" and isinstance(value, list):
        return [_node(sub, draft) for sub in value]
    if key == "dependencies" and isinstance(value, dict):
        return {
            name: _node(sub, draft) if isinstance(sub, dict) else sub for name, sub in value.items()
        }
    if key in _SCHEMA_ONE:
        return _node(value, draft)
    return value


def _tuple_items(out: dict[str, Any]) -> None:
    if isinstance(out.get("items"), list):
        out["prefixItems"] = out.pop("items")
        if "additionalItems" in out:
            out["items"] = out.pop("additionalItems")
    else:
        out.pop("additionalItems", None)  # without a tuple it never applied


def _dependencies(out: dict[str, Any]) -> None:
    deps = out.pop("dependencies", None)
    if not isinstance(deps, dict):
        return
    for name, dep in deps.items():
        if isinstance(dep, list):
            out.setdefault("dependentRequired", {})[name] = dep
        else:
            out.setdefault("dependentSchemas", {})[name] = dep


def _exclusive(out: dict[str, Any], flag: str, bound: str) -> None:
    value = out.get(flag)
    if isinstance(value, bool):
        del out[flag]
        if value and bound in out:
            out[flag] = out.pop(bound)
