"""One schema document: local `$ref` resolution and exact validation of single values.

Validation goes through `jsonschema` (Draft 2020-12) with two changes that make
it exact for our purpose: `multipleOf` is decided on decimal fractions instead
of binary floats (`registry.json.validation`), and the standard formats the stock
checker skips get a strict-enough check, so that a witness it rejects is really
invalid.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

from registry.json.acceptor import accepts
from registry.json.pointer import unescape, unquote
from registry.json.validation import validator_class

# jsonschema is imported where it is first needed: the acceptor answers most questions, and
# importing it costs a tenth of a second of a `check` that otherwise never calls it.

_FORMATS: Final = {
    "date-time": r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$",
    "time": r"^\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$",
    "duration": r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$",
    "hostname": r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
    "idn-hostname": r"^[^\s./]+(\.[^\s./]+)*$",
    "uri": r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\\\"<>^`{|}]*$",
    "iri": r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\\\"<>^`{|}]*$",
    "uri-reference": r"^[^\s\\\"<>^`{|}]*$",
    "iri-reference": r"^[^\s\\\"<>^`{|}]*$",
    "uri-template": r"^[^\s\\\"<>^`|]*$",
    "json-pointer": r"^(/([^~/]|~[01])*)*$",
    "relative-json-pointer": r"^(0|[1-9]\d*)(#|(/([^~/]|~[01])*)*)$",
}


@lru_cache(maxsize=1)
def _formats() -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker()
    checker.checkers.update(Draft202012Validator.FORMAT_CHECKER.checkers)
    for name, pattern in _FORMATS.items():
        if name not in checker.checkers:
            rx = re.compile(pattern)
            checker.checks(name)(lambda s, rx=rx: not isinstance(s, str) or bool(rx.match(s)))
    return checker


@lru_cache(maxsize=1)
def _exact() -> Any:
    """Draft 2020-12 with ECMA-262 patterns (as JSON Schema says) and exact multipleOf (on the
    shortest decimal of each number, as the generated validators judge it)."""
    return validator_class()


def format_ok(fmt: str, value: str) -> bool:
    """Whether `value` passes `format: fmt` (unknown formats pass, as in jsonschema)."""
    return bool(_formats().conforms(value, fmt))


class SchemaDocument:
    """A schema document: resolves local references, validates values against nodes."""

    def __init__(self, root: Any) -> None:
        self.root = root
        base = root.get("$id", "") if isinstance(root, dict) else ""
        self.base = base.split("#")[0] if isinstance(base, str) else ""
        self._validator: Any = None  # built when a value is first checked: most pairs never do
        self._anchors: dict[str, Any] | None = None

    def resolve(self, ref: str) -> tuple[bool, Any]:
        """(found, node) for a local reference like `#/$defs/a` or `#anchor`."""
        if self.base and ref.startswith(self.base):
            ref = ref[len(self.base) :]
        if not ref.startswith("#"):
            return False, None
        frag = ref[1:]
        if frag and not frag.startswith("/"):
            return self._anchor(frag)
        node = self.root
        keys = [unescape(unquote(token)) for token in frag.split("/")[1:]]
        for i, key in enumerate(keys):
            if isinstance(node, dict):
                key = renamed(node, key, keys[i + 1] if i + 1 < len(keys) else "")  # noqa: PLW2901
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return False, None
        return True, node

    def _anchor(self, name: str) -> tuple[bool, Any]:
        if self._anchors is None:
            self._anchors = {}
            _collect_anchors(self.root, self._anchors, 0)
        found = name in self._anchors
        return found, self._anchors.get(name)

    def check(self, node: Any, value: Any) -> bool | None:
        """Exact: does `node` (a part of this document) accept `value`? None: cannot tell."""
        if node is True or node is False:
            return bool(node)
        quick = accepts(node, value, root=self.root)  # formats are judged by _formats only
        if quick is not None:
            return quick
        try:
            if self._validator is None:
                from referencing import Registry

                # an empty registry: a reference to another document is never fetched (no
                # network, nothing a schema names is trusted); it makes the answer None
                self._validator = _exact()(
                    self.root, format_checker=_formats(), registry=Registry()
                )
            return bool(self._validator.evolve(schema=node).is_valid(value))
        except Exception:  # bad regex, unresolvable ref, too deep: no answer
            return None

    def accepts(self, node: Any, value: Any, on_error: bool) -> bool:
        """`check`, with `on_error` standing in when there is no answer.

        Callers pass whichever answer keeps their conclusion sound.
        """
        got = self.check(node, value)
        return on_error if got is None else got

    def accepts_all(self, nodes: tuple[Any, ...], value: Any, on_error: bool) -> bool:
        return all(self.accepts(n, value, on_error) for n in nodes)


_RENAMED: Final = {
    "items": "prefixItems",
    "additionalItems": "items",
    "dependencies": "dependentSchemas",
}


def renamed(node: dict[str, Any], key: str, then: str) -> str:
    """A key of an older draft, where ``compat.drafts`` moved it (a pointer written for the
    draft-07 tuple ``items/1`` finds ``prefixItems/1``)."""
    tuple_item = key == "items" and then.isdigit() and "prefixItems" in node
    if key in node and not tuple_item:
        return key
    if key == "items" and not tuple_item:
        return key
    moved = _RENAMED.get(key)
    if moved == "dependentSchemas" and moved not in node:
        moved = "dependentRequired"
    return moved if moved is not None and moved in node else key


def _collect_anchors(node: Any, out: dict[str, Any], depth: int) -> None:
    if depth > 200:
        return
    if isinstance(node, dict):
        if isinstance(node.get("$anchor"), str):
            out.setdefault(node["$anchor"], node)
        for v in node.values():
            _collect_anchors(v, out, depth + 1)
    elif isinstance(node, list):
        for v in node:
            _collect_anchors(v, out, depth + 1)
