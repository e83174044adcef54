"""Names in generated code: legal, unique, and the same in both languages.

Wire names never change; code names are derived from them. A definition's class
names depend on that definition alone: ``chat.message_sent`` becomes ``MessageSent``
(``MessageSentV2`` per version) from its last segment, or the name its file gives in
``class_name:``. Adding a definition elsewhere therefore never renames a class; two
definitions whose names would collide (``lobby.chat`` and ``game.chat``) are a lint
finding that asks for a ``class_name:``. A field called ``class``, ``with space`` or
``123start`` keeps its wire name and gets a legal identifier.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.model import Definition

# Names that generated modules define or import, and builtins of either language that a
# class must not shadow.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Any",
        "Array",
        "BaseModel",
        "Boolean",
        "ConfigDict",
        "Date",
        "DecodeError",
        "Envelope",
        "Error",
        "Field",
        "Function",
        "Infinity",
        "JSON",
        "Literal",
        "Map",
        "Math",
        "NaN",
        "Number",
        "Object",
        "Optional",
        "Partial",
        "Promise",
        "Readonly",
        "Record",
        "RegExp",
        "Set",
        "String",
        "Symbol",
        "Type",
        "TypeAdapter",
        "Union",
        "Annotated",
        "Message",
        "Model",
        "RootModel",
        "ValidationError",
        "Iterable",
        "Mapping",
        "Callable",
        "Self",
        "List",
        "Dict",
        "Tuple",
        "UUID",
        "Decimal",
        "Enum",
        "Unknown",
        "Never",
        "Exception",
        "Registry",
        "Version",
        "Shim",
        "Validator",
        "MessageData",
        "MESSAGES",
    }
)
# Attributes of pydantic's BaseModel (and Python builtins) a field must not shadow.
_PY_FIELD_RESERVED = frozenset(
    {
        "model_config",
        "model_fields",
        "model_computed_fields",
        "model_extra",
        "model_fields_set",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "dict",
        "json",
        "copy",
        "parse_obj",
        "parse_raw",
        "parse_file",
        "from_orm",
        "construct",
        "schema",
        "schema_json",
        "validate",
        "update_forward_refs",
        "fields",
        "self",
        "cls",
        "type",
        "id",
        "print",
        "list",
        "str",
        "int",
        "float",
        "bool",
        "object",
        "bytes",
        "range",
    }
)
_WORD = re.compile(r"[A-Za-z0-9]+")


def camel(text: str) -> str:
    """``message_sent`` -> ``MessageSent``; non-alphanumerics split words."""
    return "".join(w[:1].upper() + w[1:] for w in _WORD.findall(text))


def definition_classes(definitions: Mapping[str, Definition]) -> dict[str, str]:
    """Definition name -> its class base name: its ``class_name:``, or ``class_base(name)``.

    A definition's names depend on that definition alone, so adding one elsewhere never
    renames another's classes; two that would clash are a lint finding instead
    (``class_name_clashes``).
    """
    return class_bases({name: d.class_name for name, d in definitions.items()})


def class_bases(chosen: Mapping[str, str]) -> dict[str, str]:
    """Definition name -> class base, given each one's ``class_name:`` ("" when unset)."""
    return {name: explicit or class_base(name) for name, explicit in chosen.items()}


def class_base(name: str) -> str:
    """``chat.message_sent`` -> ``MessageSent``: the last segment in CamelCase, ``M``-prefixed
    when it starts with a digit, ``Message``-suffixed when it is a reserved name."""
    base = camel(name.rsplit(".", 1)[-1]) or "Message"
    if base[0].isdigit():
        base = f"M{base}"
    return f"{base}Message" if base in RESERVED_CLASS_NAMES else base


_VERSION_MARK = re.compile(r"(?=V[0-9])")


@dataclass(frozen=True)
class Clash:
    """Two definitions whose generated names would collide."""

    name: str
    other: str
    base: str  # the class base of ``name``
    other_base: str


def class_name_clashes(chosen: Mapping[str, str]) -> list[Clash]:
    """Pairs whose names would collide, each reported from both sides.

    Two bases clash when they are equal (ignoring case), or when one is the other's
    base followed by ``V<digit>``: then its classes could meet the other's version
    classes (``ScoreV2``) or inline ones (``ScoreV2Total``).
    """
    bases = class_bases(chosen)
    by_lower: dict[str, list[str]] = {}
    for name, base in sorted(bases.items()):
        by_lower.setdefault(base.lower(), []).append(name)
    pairs = set()
    for name, base in bases.items():
        prefixes = [base[: m.start()] for m in _VERSION_MARK.finditer(base) if m.start()]
        for key in (base, *prefixes):
            pairs |= {(name, other) for other in by_lower.get(key.lower(), ()) if other != name}
    pairs |= {(b, a) for a, b in pairs}
    return [Clash(a, b, bases[a], bases[b]) for a, b in sorted(pairs)]


def suggested_class_name(name: str) -> str:
    """A qualified name to offer in a clash: the last two segments (``game.chat`` ->
    ``GameChat``)."""
    return class_base("_".join(name.split(".")[-2:]))


def python_identifier(wire: str, taken: set[str]) -> str:
    """A legal, unused Python attribute name for the wire name ``wire`` (adds it to taken)."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", wire).strip("_") or "field"
    if ident[0].isdigit():
        ident = f"f_{ident}"
    if (
        keyword.iskeyword(ident)
        or keyword.issoftkeyword(ident)
        or ident in _PY_FIELD_RESERVED
        or ident.startswith("model_")
    ):
        ident = f"{ident}_"
    candidate, n = ident, 2
    while candidate in taken:
        candidate, n = f"{ident}_{n}", n + 1
    taken.add(candidate)
    return candidate
