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

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from registry.config import Target
from registry.jsonschema import version_document
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
from registry.render.formats import FORMAT_PATTERNS
from registry.render.naming import camel, definition_classes, python_identifier
from registry.render.py_literals import comment, docstring, py_literal
from registry.render.py_types import TypeContext, annotation
from registry.render.reach import reached
from registry.render.shim_table import shim_table
from registry.render.templates import environment, static_source

# A real calendar day (leap years counted), as one pattern: ``date`` and ``date-time`` need
# no Python call. Equivalent to formats.py's date pattern plus ``days_in_month``.
CALENDAR_DATE = (
    r"(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
)
_MODULE_NAMES = {"_Model", "_v", "_t", "_p"}
_MUTABLE = (list, dict)


def calendar_formats() -> dict[str, str]:
    """formats.py's patterns, with the date part replaced by the calendar-exact one."""
    date = FORMAT_PATTERNS["date"][1:-1]
    return {name: pattern.replace(date, CALENDAR_DATE, 1) for name, pattern in
            sorted(FORMAT_PATTERNS.items())}


@dataclass(frozen=True)
class FieldView:
    ident: str
    annotation: str
    value: str  # " = ..." or ""
    needs: frozenset[str] = frozenset()  # the generated classes the annotation names


@dataclass(frozen=True)
class ClassView:
    name: str
    base: str
    doc: str
    source: str
    wire_name: str
    version: int
    fields: tuple[FieldView, ...] = ()
    raw_schema: str = ""


@dataclass(frozen=True)
class MessageView:
    wire: str  # python literal
    versions: tuple[tuple[int, str], ...]  # (number, class name)
    shared: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (number, shared types it uses)


@dataclass
class _Models:
    """Builds every model class of the registry, inline objects first, names unique."""

    registry: Registry
    bases: dict[str, str]
    classes: list[ClassView] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def ref_class(self, ref: Ref) -> str:
        return f"{self.bases[ref.name]}V{ref.version}"

    def ordered(self) -> tuple[ClassView, ...]:
        """Classes with what they name first; a field naming a later class (a cycle) is
        quoted, so only those annotations are evaluated as text (which is slow to import)."""
        by_name = {c.name: c for c in self.classes}
        done: dict[str, ClassView] = {}
        visiting: set[str] = set()

        def visit(name: str) -> None:
            if name in done or name in visiting:
                return
            visiting.add(name)
            for f in by_name[name].fields:
                for dep in sorted(f.needs):
                    visit(dep)
            visiting.discard(name)
            done[name] = _quote_forward(by_name[name], done)

        for cls in self.classes:
            visit(cls.name)
        return tuple(done.values())

    def claim(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.taken or candidate in _MODULE_NAMES:
            candidate, n = f"{name}{n}", n + 1
        self.taken.add(candidate)
        return candidate

    def add_definition(self, definition: Definition) -> None:
        for version in definition.versions:
            name = f"{self.bases[definition.name]}V{version.number}"
            if version.fields is None:
                self.classes.append(self._raw(definition, version, name))
            else:
                doc = version.description or definition.description
                self.add_object(definition, version, name, version.fields, doc)

    def _raw(self, definition: Definition, version: Version, name: str) -> ClassView:
        schema = version_document(self.registry, definition, version, closed=False)
        text = json.dumps(schema, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return ClassView(name, "_v.RawModel", docstring(version.description or
                                                         definition.description),
                         _source(definition, version), py_literal(definition.name),
                         version.number, raw_schema=py_literal(text))

    def add_object(self, definition: Definition, version: Version, name: str,
                   fields: tuple[Field, ...], doc: str) -> None:
        taken: set[str] = set()
        views = tuple(self._field(definition, version, name, f, taken) for f in fields)
        self.classes.append(ClassView(name, "_Model", docstring(doc),
                                      _source(definition, version),
                                      py_literal(definition.name), version.number, views))

    def _field(self, definition: Definition, version: Version, owner: str, f: Field,
               taken: set[str]) -> FieldView:
        def inline(obj: InlineObject, hint: str) -> str:
            name = self.claim(f"{owner}{hint}")
            self.add_object(definition, version, name, obj.fields, "")
            return name

        needs: set[str] = set()

        def ref(target: Ref) -> str:
            needs.add(self.ref_class(target))
            return self.ref_class(target)

        def record(obj: InlineObject, hint: str) -> str:
            name = inline(obj, hint)
            needs.add(name)
            return name

        ctx = TypeContext(ref, record, self.registry, camel(f.name) or "Field")
        text = annotation(f.type, f.constraints, ctx)
        ident = python_identifier(f.name, taken)
        if not f.required and not f.has_default:
            text = f"{text} | _p.MISSING"
        return FieldView(ident, text, _field_value(f, ident), frozenset(needs))


def _quote_forward(cls: ClassView, defined: dict[str, ClassView]) -> ClassView:
    fields = tuple(
        f if f.needs <= defined.keys()
        else FieldView(f.ident, py_literal(f.annotation), f.value, f.needs)
        for f in cls.fields)
    return ClassView(cls.name, cls.base, cls.doc, cls.source, cls.wire_name, cls.version,
                     fields, cls.raw_schema)


def _field_value(f: Field, ident: str) -> str:
    args: list[str] = []
    if f.has_default:
        literal = py_literal(f.default)
        if isinstance(f.default, _MUTABLE):
            args += [f"default_factory=lambda: {literal}", "validate_default=True"]
        else:
            args.append(f"default={literal}")
    elif not f.required:
        args.append("default=_p.MISSING")
    if ident != f.name:
        args.append(f"alias={py_literal(f.name)}")
    if f.description:
        args.append(f"description={py_literal(f.description)}")
    if not args:
        return ""
    if args == ["default=_p.MISSING"]:
        return " = _p.MISSING"
    return f" = _p.Field({', '.join(args)})"


def _source(definition: Definition, version: Version) -> str:
    return comment(f"{definition.name} v{version.number}, from {definition.file}")


def _import_name(package: str) -> str:
    name = re.sub(r"\W", "_", package, flags=re.ASCII).strip("_") or "wiretype_messages"
    return f"p_{name}" if name[0].isdigit() else name


def _index_named(registry: Registry, version: Version) -> bool:
    """Whether the data of a version holds a declared field whose wire name ECMAScript puts
    first in an object ("0", "12"), following shared types."""
    return any(_index_name(item.field.name) for item in reached(registry, version))


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
            visit_type(texpr.inner if isinstance(texpr, Nullable) else
                       texpr.item if isinstance(texpr, ListOf) else texpr.value)
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
    models = _Models(registry, bases)
    models.taken |= set(bases.values())
    models.taken |= {f"{bases[d.name]}V{v.number}" for d in registry.definitions.values()
                     for v in d.versions}
    for definition in _definitions(registry):
        models.add_definition(definition)
    aliases = tuple((bases[d.name], f"{bases[d.name]}V{d.latest.number}")
                    for d in _definitions(registry))
    messages = tuple(MessageView(py_literal(d.name), tuple(
        (v.number, f"{bases[d.name]}V{v.number}") for v in d.versions), tuple(
        (v.number, tuple(_shared_types(registry, v, bases))) for v in d.versions
        if _shared_types(registry, v, bases)))
        for d in _definitions(registry) if d.kind == "message")
    table = shim_table(registry)
    name = comment(loaded.config.registry_name)
    header = (f"# Generated by wiretype from the registry {name} "
              f"({comment(loaded.config.schemas)}/). Do not edit: run `wiretype generate`.")
    model_names = sorted({c.name for c in models.classes} | {a for a, _ in aliases})
    return PackageView(
        package=_import_name(target.package),
        header=header,
        registry=name.replace("\\", "/").replace('"', "'"),
        classes=models.ordered(),
        aliases=aliases,
        messages=messages,
        message_classes=tuple(cls for m in messages for _, cls in m.versions),
        hops=tuple((py_literal((hop.message, hop.source, hop.target)), py_literal(hop.steps))
                   for hop in table.hops),
        customs=tuple(py_literal(custom.python) for custom in table.customs),
        model_names=tuple(model_names),
        index_named=tuple((py_literal(d.name), v.number) for d in _definitions(registry)
                          if d.kind == "message" for v in d.versions
                          if _index_named(registry, v)),
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


_API = ("DecodeError", "Envelope", "MAY_HOLD_NON_FINITE", "MESSAGES", "MessageData", "PROTOCOL",
        "convert", "decode", "decode_data", "downgrade", "encode", "envelope", "envelope_model",
        "upgrade")
# The hand-written modules copied into every package (templates/python/static/).
STATIC = ("_codec.py", "_json.py", "_migration.py", "_numbers.py", "_raw_schema.py",
          "_scalars.py", "_structures.py", "_validation.py", "_words.py")
_TEMPLATES = (("pyproject.toml", "pyproject.toml"), ("__init__.py", "{p}/__init__.py"),
              ("models.py", "{p}/models.py"), ("codec.py", "{p}/codec.py"),
              ("shims.py", "{p}/shims.py"), ("py.typed", "{p}/py.typed"))


def render_python(loaded: Loaded, target: Target, templates_dir: str | None) -> dict[str, str]:
    """Every file of the Python package, by its path inside the out folder."""
    view = package_view(loaded, target)
    env = environment(templates_dir)
    files: dict[str, str] = {}
    for template, path in _TEMPLATES:
        text = env.get_template(f"python/{template}.jinja").render(view=view,
                                                                  header=view.header)
        files[path.format(p=view.package)] = text
    for name in STATIC:
        files[f"{view.package}/{name}"] = f"{view.header}\n{static_source(env, 'python', name)}"
    return files
