"""The compiled registry: frozen, plain data that every later stage reads.

``compile`` builds it from the YAML documents; nothing here touches the disk.

    Registry
     +-- Definition (a message or a shared type, one file)
          +-- Version (fields or a raw schema, examples, the migration from the one before)
               +-- Field (wire name, TypeExpr, required, default, constraints)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["message", "type"]
Direction = Literal["client_to_server", "server_to_client", "both"]


class _Missing:
    """The absence of a default (``None`` is a real default)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    column: int


# --- type expressions: one small class per form of the YAML shorthand ---------------------


@dataclass(frozen=True)
class Primitive:
    """string int float bool uuid datetime date time uri email any."""

    name: str


@dataclass(frozen=True)
class ListOf:
    item: TypeExpr
    item_constraints: tuple[tuple[str, Any], ...] = ()  # `{type: list, items: {..}}`


@dataclass(frozen=True)
class MapOf:
    value: TypeExpr
    value_constraints: tuple[tuple[str, Any], ...] = ()  # `{type: map, values: {..}}`


@dataclass(frozen=True)
class Ref:
    """A shared type, resolved to one version (``common.user@2``, or the latest)."""

    name: str
    version: int
    pinned: bool = False


@dataclass(frozen=True)
class Nullable:
    inner: TypeExpr


@dataclass(frozen=True)
class InlineObject:
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Enum:
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Const:
    value: Any


@dataclass(frozen=True)
class OneOf:
    """A union of shared types, told apart by the value of ``discriminator``."""

    refs: tuple[Ref, ...]
    discriminator: str | None


TypeExpr = Primitive | ListOf | MapOf | Ref | Nullable | InlineObject | Enum | Const | OneOf


@dataclass(frozen=True)
class Field:
    name: str  # the wire name, exactly as written
    type: TypeExpr
    required: bool
    location: Location
    default: Any = MISSING
    description: str = ""
    deprecated: bool = False
    constraints: tuple[tuple[str, Any], ...] = ()  # JSON Schema keywords, camelCase, sorted
    sensitive: bool = False  # `sensitive: true`: redacted where the runtime logs data

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING


# --- migrations ------------------------------------------------------------------------------

StepKind = Literal["rename", "defaults", "drop", "values", "move", "convert", "custom"]


@dataclass(frozen=True)
class Step:
    """One declarative migration step, on a single field (or one custom function).

    ``rename``: field -> arg (new name); ``defaults``: set field to arg when absent;
    ``drop``: remove field; ``values``: map the field's values through arg (a tuple of
    pairs); ``move``: field -> arg (a dotted path); ``convert``: arg is a converter
    name and its parameter; ``custom``: arg is (python "module:function",
    typescript "module#name").
    """

    kind: StepKind
    field: str
    arg: Any
    location: Location
    derived: bool = False  # True when wiretype derived it as the inverse of an up step


@dataclass(frozen=True)
class Migration:
    """How to go from the version before to this one (``up``) and back (``down``)."""

    up: tuple[Step, ...]
    down: tuple[Step, ...]
    location: Location


# --- definitions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    number: int
    location: Location
    fields: tuple[Field, ...] | None = None  # None when the version gives a raw `schema:`
    schema: Any = None  # the raw JSON Schema, when given
    description: str = ""
    examples: tuple[Any, ...] = ()
    migration: Migration | None = None
    deprecated: bool = False


@dataclass(frozen=True)
class Definition:
    name: str  # dotted, from the file path: chat/room/joined.yaml -> chat.room.joined
    kind: Kind
    file: str
    location: Location
    versions: tuple[Version, ...]
    description: str = ""
    compatibility: str = "full"
    direction: Direction = "both"
    allow_unproven: bool = False  # what the engine cannot prove is a warning, not an error
    class_name: str = ""  # `class_name:`: the base of its generated class names, when set

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def version(self, number: int) -> Version | None:
        return next((v for v in self.versions if v.number == number), None)


@dataclass(frozen=True)
class Registry:
    """Every definition of a project, by name."""

    definitions: dict[str, Definition] = field(default_factory=dict)

    @property
    def messages(self) -> list[Definition]:
        return [d for d in self.definitions.values() if d.kind == "message"]

    @property
    def types(self) -> list[Definition]:
        return [d for d in self.definitions.values() if d.kind == "type"]
