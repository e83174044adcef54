"""The compiled registry -> the generated Python package (pydantic v2), as a view-model.

``render_python`` returns ``{path inside the out folder: text}``. Python code
here resolves every name, literal and annotation (see ``py_types``,
``py_literals``, ``py_shims``); the templates in ``templates/python/`` only
loop and substitute. Layout of the package::

    pyproject.toml
    <package>/__init__.py   re-exports and __all__
    <package>/models.py     one model per version of every message and shared type
    <package>/codec.py      the message tables, PROTOCOL, Envelope, decode, encode
    <package>/shims.py      the migrations as data: upgrade, downgrade, convert
    <package>/_*.py         validation support, the same in every package: copied from
                            templates/python/static/ with only the header added
    <package>/py.typed
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from registry.config import Target
from registry.model import (
    Definition,
    Field,
    InlineObject,
    ListOf,
    MapOf,
    Nullable,
    OneOf,
    Ref,
    Registry,
    TypeExpr,
    Version,
)
from registry.project import Loaded
from registry.render.descriptor import non_finite_versions, protocol
from registry.render.naming import definition_classes
from registry.render.py_literals import comment, py_literal
from registry.render.py_models import ClassView, Models
from registry.render.reach import fields_of
from registry.render.shim_table import shim_table
from registry.render.templates import Rendered, render_files
from registry.render.unsupported import unsupported


@dataclass(frozen=True)
class MessageView:
    wire: str  # python literal
    versions: tuple[tuple[int, str], ...]  # (number, class name)
    shared: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (number, shared types it uses)


def _import_name(package: str) -> str:
    name = re.sub(r"\W", "_", package, flags=re.ASCII).strip("_") or "wiretype_messages"
    return f"p_{name}" if name[0].isdigit() else name


def _index_named(registry: Registry, version: Version) -> bool:
    """Whether the data of a version holds a declared field whose wire name ECMAScript puts
    first in an object ("0", "12"), following shared types."""
    return any(_index_name(f.name) for f in fields_of(registry, version))


def _shared_types(registry: Registry, version: Version, bases: dict[str, str]) -> list[str]:
    """The classes of the shared types a version's data reaches, each after the ones it
    uses: built first, their validators are reused by every message (pydantic-core's
    prebuilt validators) instead of being copied into each one."""
    order: list[str] = []
    seen: set[tuple[str, int]] = set()

    def visit_fields(fields: tuple[Field, ...]) -> None:
        for f in fields:
            visit_type(f.type)

    def visit_type(texpr: TypeExpr) -> None:
        if isinstance(texpr, InlineObject):
            visit_fields(texpr.fields)
        elif isinstance(texpr, (Nullable, ListOf, MapOf)):
            visit_type(
                texpr.inner
                if isinstance(texpr, Nullable)
                else texpr.item
                if isinstance(texpr, ListOf)
                else texpr.value
            )
        elif isinstance(texpr, (Ref, OneOf)):
            for ref in (texpr,) if isinstance(texpr, Ref) else texpr.refs:
                visit_ref(ref)

    def visit_ref(ref: Ref) -> None:
        if (ref.name, ref.version) in seen:
            return
        seen.add((ref.name, ref.version))
        definition = registry.definitions.get(ref.name)
        target = definition.version(ref.version) if definition else None
        if target is not None:
            visit_fields(target.fields or ())
            order.append(f"{bases[ref.name]}V{ref.version}")

    visit_fields(version.fields or ())
    return order


def _index_name(name: str) -> bool:
    """An array index to ECMAScript, which puts such keys first in every object."""
    return re.fullmatch(r"0|[1-9][0-9]{0,9}", name) is not None and int(name) < 2**32 - 1


def _definitions(registry: Registry) -> Iterator[Definition]:
    yield from (registry.definitions[name] for name in sorted(registry.definitions))


@dataclass(frozen=True)
class PackageView:
    package: str
    header: str
    registry: str  # for docstrings: a python-safe text
    classes: tuple[ClassView, ...]
    aliases: tuple[tuple[str, str], ...]
    messages: tuple[MessageView, ...]
    message_classes: tuple[str, ...]
    hops: tuple[tuple[str, str], ...]  # (key, steps) as literals
    customs: tuple[str, ...]  # literals of the users' module:function
    model_names: tuple[str, ...]
    index_named: tuple[tuple[str, int], ...]  # versions with a wire name like "0" or "12"
    non_finite: tuple[tuple[str, int], ...]  # versions whose data may hold any JSON value
    protocol: str  # the PROTOCOL literal
    exports: tuple[str, ...]
    raw: bool


def package_view(loaded: Loaded, target: Target) -> PackageView:
    registry = loaded.registry
    bases = definition_classes(registry.definitions)
    models = Models(registry, bases)
    models.taken |= set(bases.values())
    models.taken |= {
        f"{bases[d.name]}V{v.number}" for d in registry.definitions.values() for v in d.versions
    }
    for definition in _definitions(registry):
        models.add_definition(definition)
    aliases = tuple(
        (bases[d.name], f"{bases[d.name]}V{d.latest.number}") for d in _definitions(registry)
    )
    messages = tuple(
        MessageView(
            py_literal(d.name),
            tuple((v.number, f"{bases[d.name]}V{v.number}") for v in d.versions),
            tuple(
                (v.number, tuple(_shared_types(registry, v, bases)))
                for v in d.versions
                if _shared_types(registry, v, bases)
            ),
        )
        for d in _definitions(registry)
        if d.kind == "message"
    )
    table = shim_table(registry)
    name = comment(loaded.config.registry_name)
    header = (
        f"# Generated by wiretype from the registry {name} "
        f"({comment(loaded.config.schemas)}/). Do not edit: run `wiretype generate`."
    )
    model_names = sorted({c.name for c in models.classes} | {a for a, _ in aliases})
    return PackageView(
        package=_import_name(target.package),
        header=header,
        registry=name.replace("\\", "/").replace('"', "'"),
        classes=models.ordered(),
        aliases=aliases,
        messages=messages,
        message_classes=tuple(cls for m in messages for _, cls in m.versions),
        hops=tuple(
            (py_literal((hop.message, hop.source, hop.target)), py_literal(hop.steps))
            for hop in table.hops
        ),
        customs=tuple(py_literal(custom.python) for custom in table.customs),
        model_names=tuple(model_names),
        index_named=tuple(
            (py_literal(d.name), v.number)
            for d in _definitions(registry)
            if d.kind == "message"
            for v in d.versions
            if _index_named(registry, v)
        ),
        non_finite=tuple((py_literal(n), v) for n, v in non_finite_versions(registry)),
        protocol=_protocol_literal(protocol(registry, loaded.config.registry_name)),
        exports=tuple(sorted({*model_names, *_API})),
        raw=any(c.raw_schema for c in models.classes),
    )


def _protocol_literal(descriptor: dict[str, Any]) -> str:
    """The descriptor as a Python literal, one message a line."""
    lines = [f"    {py_literal(n)}: {py_literal(m)}," for n, m in descriptor["messages"].items()]
    body = "\n".join(["{", *lines, "}"]) if lines else "{}"
    return f'{{"name": {py_literal(descriptor["name"])}, "messages": {body}}}'


_API = (
    "DecodeError",
    "Envelope",
    "MAY_HOLD_NON_FINITE",
    "MESSAGES",
    "MessageData",
    "PROTOCOL",
    "convert",
    "decode",
    "decode_data",
    "downgrade",
    "encode",
    "envelope",
    "envelope_model",
    "upgrade",
)
# The hand-written modules copied into every package (templates/python/static/).
STATIC = (
    "_codec.py",
    "_json.py",
    "_migration.py",
    "_numbers.py",
    "_raw_schema.py",
    "_scalars.py",
    "_structures.py",
    "_validation.py",
    "_words.py",
)
_TEMPLATES = (
    ("pyproject.toml", "pyproject.toml"),
    ("__init__.py", "{p}/__init__.py"),
    ("models.py", "{p}/models.py"),
    ("codec.py", "{p}/codec.py"),
    ("shims.py", "{p}/shims.py"),
    ("py.typed", "{p}/py.typed"),
)


def render_python(loaded: Loaded, target: Target, templates_dir: str | None) -> Rendered:
    """Every file of the Python package, by its path inside the out folder; or, when a
    schema cannot be generated or a user's template does not render, the findings."""
    refused = unsupported(loaded.registry, loaded.documents)
    if refused:
        return Rendered({}, tuple(refused))
    view = package_view(loaded, target)
    context = {"view": view, "header": view.header}
    templates = {
        path.format(p=view.package): (f"python/{name}.jinja", context) for name, path in _TEMPLATES
    }
    statics = {f"{view.package}/{name}": f"python/static/{name}" for name in STATIC}
    return render_files(templates_dir, templates, statics, view.header)
