"""The model classes of the generated Python package: one per version and inline object.

``Models`` builds every class of a registry (inline objects named after their version
class and field, ``HelloV1Client``), each field a resolved annotation (``py_types``) with
its default and wire name as literals (``py_literals``), and orders them so that a class
comes after the classes its fields name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from registry.jsonschema import version_document
from registry.model import Definition, Field, InlineObject, Ref, Registry, Version
from registry.render.naming import camel, python_identifier
from registry.render.py_literals import comment, docstring, py_literal
from registry.render.py_types import TypeContext, annotation

_MODULE_NAMES = {"_Model", "_v", "_t", "_p"}
_MUTABLE = (list, dict)


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


@dataclass
class Models:
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
        return ClassView(
            name,
            "_v.RawModel",
            docstring(version.description or definition.description),
            _source(definition, version),
            py_literal(definition.name),
            version.number,
            raw_schema=py_literal(text),
        )

    def add_object(
        self,
        definition: Definition,
        version: Version,
        name: str,
        fields: tuple[Field, ...],
        doc: str,
    ) -> None:
        taken: set[str] = set()
        views = tuple(self._field(definition, version, name, f, taken) for f in fields)
        self.classes.append(
            ClassView(
                name,
                "_Model",
                docstring(doc),
                _source(definition, version),
                py_literal(definition.name),
                version.number,
                views,
            )
        )

    def _field(
        self, definition: Definition, version: Version, owner: str, f: Field, taken: set[str]
    ) -> FieldView:
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
        f
        if f.needs <= defined.keys()
        else FieldView(f.ident, py_literal(f.annotation), f.value, f.needs)
        for f in cls.fields
    )
    return ClassView(
        cls.name, cls.base, cls.doc, cls.source, cls.wire_name, cls.version, fields, cls.raw_schema
    )


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
