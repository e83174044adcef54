"""What a migration knows of the fields: each version's (``Side``), and, step by step,
the names the message has at that point of the sequence (``Names``).

Steps name fields by wire name; a dotted name reaches into a nested object, so only
its first part is tracked here (a field whose own name contains a dot is matched
whole first, as the shims do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.compile.model import Const, Enum, Field, Nullable, Step, TypeExpr


@dataclass(frozen=True)
class Side:
    """One version's top-level fields: their names, which are required, and the values of
    the ones that can hold only a few (an enum or a const)."""

    names: frozenset[str]
    required: frozenset[str] = frozenset()
    finite: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def values_of(self, name: str) -> tuple[Any, ...] | None:
        """The only values ``name`` can hold, or None when it can hold any of its type."""
        return next((values for n, values in self.finite if n == name), None)


def side_of(fields: tuple[Field, ...] | None, schema: Any) -> Side:
    """The ``Side`` of a version written with ``fields:`` or as a raw ``schema:``."""
    if fields is not None:
        finite = tuple((f.name, v) for f in fields if (v := _finite_type(f.type)) is not None)
        return Side(
            frozenset(f.name for f in fields),
            frozenset(f.name for f in fields if f.required and not f.has_default),
            finite,
        )
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    props = props if isinstance(props, dict) else {}
    required = schema.get("required", []) if isinstance(schema, dict) else []
    finite = tuple(
        (name, v) for name, sub in props.items() if (v := _finite_schema(sub)) is not None
    )
    return Side(
        frozenset(props),
        frozenset(r for r in required if isinstance(r, str) and r in props),
        finite,
    )


def _finite_type(kind: TypeExpr) -> tuple[Any, ...] | None:
    if isinstance(kind, Enum):
        return kind.values
    if isinstance(kind, Const):
        return (kind.value,)
    if isinstance(kind, Nullable):
        inner = _finite_type(kind.inner)
        return None if inner is None else (*inner, None)
    return None


def _finite_schema(sub: Any) -> tuple[Any, ...] | None:
    if not isinstance(sub, dict):
        return None
    if isinstance(sub.get("enum"), list):
        return tuple(sub["enum"])
    return (sub["const"],) if "const" in sub else None


def root(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


@dataclass
class Names:
    """The top-level names the message has at one point of a step sequence.

    ``origin`` maps a name to the older version's field it came from (renames and moves
    carry it; a ``convert`` or ``values`` step changes what it holds, so it is kept
    only for the name). ``gone`` says what happened to a name that a step took away,
    for the finding of a later step that still uses it.
    """

    current: set[str]
    origin: dict[str, str] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)  # values converted or mapped on the way
    gone: dict[str, str] = field(default_factory=dict)
    renamed_to: dict[str, str] = field(default_factory=dict)
    opaque: bool = False  # after a `custom` step nothing is known

    @classmethod
    def start(cls, names: frozenset[str] | set[str]) -> Names:
        return cls(set(names), {n: n for n in names})

    def copy(self) -> Names:
        return Names(
            set(self.current),
            dict(self.origin),
            set(self.changed),
            dict(self.gone),
            dict(self.renamed_to),
            self.opaque,
        )

    def has(self, name: str) -> bool:
        return self.opaque or name in self.current or root(name) in self.current

    def advice(self, name: str) -> str:
        new = self.renamed_to.get(root(name))
        if new is not None:
            rest = name[len(root(name)) :]
            return (
                f"name it {new + rest!r} here (the name it has by then), or write this "
                "step before the one that renames it"
            )
        return "write this step before the one that takes the field away"

    def apply(self, step: Step) -> None:
        """Update the names as ``step`` leaves the message."""
        handler = _APPLY.get(step.kind)
        if handler is not None:
            handler(self, step)

    def _take(self, name: str, why: str, new: str | None = None) -> str | None:
        if "." in name and name not in self.current:
            return None
        self.current.discard(name)
        self.gone[name] = why
        if new is not None:
            self.renamed_to[name] = new
        return self.origin.pop(name, None)

    def _put(self, name: str, origin: str | None, changed: bool) -> None:
        self.current.add(name)
        self.gone.pop(name, None)
        self.renamed_to.pop(name, None)
        self.origin.pop(name, None)
        self.changed.discard(name)
        if origin is not None:
            self.origin[name] = origin
        if changed:
            self.changed.add(name)


def _rename(names: Names, step: Step) -> None:
    if "." in step.field and step.field not in names.current:
        return  # renamed inside a nested object: the top-level names stay
    changed = step.field in names.changed
    origin = names._take(
        step.field, f"the rename to {step.arg!r} (line {step.location.line}) took away", step.arg
    )
    names._put(step.arg, origin, changed)


def _move(names: Names, step: Step) -> None:
    changed = step.field in names.changed
    origin = names._take(
        step.field,
        f"the move to {step.arg!r} (line {step.location.line}) took away",
        step.arg if "." not in step.arg else None,
    )
    if "." in step.arg:
        names._put(root(step.arg), None, False)
    else:
        names._put(step.arg, origin, changed)


def _defaults(names: Names, step: Step) -> None:
    if root(step.field) not in names.current:
        names._put(root(step.field), None, False)


def _drop(names: Names, step: Step) -> None:
    names._take(step.field, f"the drop at line {step.location.line} removed")


def _changed(names: Names, step: Step) -> None:
    names.changed.add(root(step.field))


def _custom(names: Names, step: Step) -> None:
    names.opaque = True


_APPLY = {
    "rename": _rename,
    "move": _move,
    "defaults": _defaults,
    "drop": _drop,
    "values": _changed,
    "convert": _changed,
    "custom": _custom,
}
