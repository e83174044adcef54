"""Names in generated code: legal, unique, and the same in both languages.

Wire names never change; code names are derived from them. A definition
``chat.message_sent`` becomes the class ``MessageSent`` (``MessageSentV2`` per
version); when two definitions share a last segment, more segments are kept
(``ChatMessageSent``, ``AdminMessageSent``). A field called ``class``,
``with space`` or ``123start`` keeps its wire name and gets a legal identifier.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

# Names that generated modules define or import, and builtins of either language that a
# class must not shadow.
RESERVED_CLASS_NAMES = frozenset({
    "Any", "Array", "BaseModel", "Boolean", "ConfigDict", "Date", "DecodeError", "Envelope",
    "Error", "Field", "Function", "Infinity", "JSON", "Literal", "Map", "Math", "NaN",
    "Number", "Object", "Optional", "Partial", "Promise", "Readonly", "Record", "RegExp",
    "Set", "String", "Symbol", "Type", "TypeAdapter", "Union", "Annotated", "Message",
    "Model", "RootModel", "ValidationError", "Iterable", "Mapping", "Callable", "Self",
    "List", "Dict", "Tuple", "UUID", "Decimal", "Enum", "Unknown", "Never", "Exception",
    "Registry", "Version", "Shim", "Validator",
})
# Attributes of pydantic's BaseModel (and Python builtins) a field must not shadow.
_PY_FIELD_RESERVED = frozenset({
    "model_config", "model_fields", "model_computed_fields", "model_extra",
    "model_fields_set", "model_construct", "model_copy", "model_dump", "model_dump_json",
    "model_json_schema", "model_parametrized_name", "model_post_init", "model_rebuild",
    "model_validate", "model_validate_json", "model_validate_strings", "dict", "json",
    "copy", "parse_obj", "parse_raw", "parse_file", "from_orm", "construct", "schema",
    "schema_json", "validate", "update_forward_refs", "fields", "self", "cls", "type",
    "id", "print", "list", "str", "int", "float", "bool", "object", "bytes", "range",
})
_WORD = re.compile(r"[A-Za-z0-9]+")


def camel(text: str) -> str:
    """``message_sent`` -> ``MessageSent``; non-alphanumerics split words."""
    return "".join(w[:1].upper() + w[1:] for w in _WORD.findall(text))


def definition_classes(names: Iterable[str]) -> dict[str, str]:
    """Definition name -> its class base name, unique across the registry."""
    names = sorted(names)
    result: dict[str, str] = {}
    depth = dict.fromkeys(names, 1)
    while True:
        proposed = {name: _class_base(name, depth[name]) for name in names}
        clashes = _clashes(proposed)
        if not clashes:
            break
        grown = False
        for name in clashes:
            if depth[name] < len(name.split(".")):
                depth[name] += 1
                grown = True
        if not grown:  # identical after all segments (a.b_c vs a_b.c): number them
            proposed = _numbered(proposed)
            break
    result.update(proposed)
    return result


def _class_base(name: str, depth: int) -> str:
    base = camel("_".join(name.split(".")[-depth:])) or "Message"
    if base[0].isdigit():
        base = f"M{base}"
    return f"{base}Message" if base in RESERVED_CLASS_NAMES else base


def _clashes(proposed: dict[str, str]) -> set[str]:
    seen: dict[str, list[str]] = {}
    for name, cls in proposed.items():
        # V1-suffixed names of one class must not equal another base (Foo + FooV1 is fine
        # only when FooV1 is not itself a definition's base).
        seen.setdefault(cls.lower(), []).append(name)
    return {n for group in seen.values() if len(group) > 1 for n in group}


def _numbered(proposed: dict[str, str]) -> dict[str, str]:
    counts: dict[str, int] = {}
    out = {}
    for name, cls in sorted(proposed.items()):
        counts[cls] = counts.get(cls, 0) + 1
        out[name] = cls if counts[cls] == 1 else f"{cls}{counts[cls]}"
    return out


def python_identifier(wire: str, taken: set[str]) -> str:
    """A legal, unused Python attribute name for the wire name ``wire`` (adds it to taken)."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", wire).strip("_") or "field"
    if ident[0].isdigit():
        ident = f"f_{ident}"
    if keyword.iskeyword(ident) or keyword.issoftkeyword(ident) or ident in _PY_FIELD_RESERVED \
            or ident.startswith("model_"):
        ident = f"{ident}_"
    candidate, n = ident, 2
    while candidate in taken:
        candidate, n = f"{ident}_{n}", n + 1
    taken.add(candidate)
    return candidate
