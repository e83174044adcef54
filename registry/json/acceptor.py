"""Does a schema accept a value? Exact answers, fast, for the keywords wiretype's own
schemas use; ``None`` where it cannot tell.

``check`` validates every example and default of every version, and the engine
validates the values of finite pieces (enums, booleans). ``jsonschema`` answers
all of them, but costs a tenth of a second to import and tens of microseconds a
value. This module answers the common cases the way ``jsonschema``'s Draft
2020-12 validator does, keyword by keyword, and says ``None`` for anything else
(``multipleOf``, ``patternProperties``, ``if``, ``$id``, remote references, ...).
Callers ask ``jsonschema`` when the answer is ``None`` and, when it is
``False``, for the errors to print: so a value is never judged differently, only
sooner. ``tests/test_acceptor.py`` holds it to ``jsonschema`` on every keyword.

The rules followed, as ``jsonschema`` has them: ``true`` is not ``1``, ``1`` is
``1.0`` and an integer (so is ``2.0``), lengths count code points, bounds apply
to numbers only, a keyword that does not apply to the value's type holds, and
keywords that are not Draft 2020-12 assertions (``description``, ``discriminator``,
``x-anything``) are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sized
from typing import Any

from registry.json.pointer import unescape, unquote

Answer = bool | None
Formats = Callable[[str, Any], bool]

_MAX_DEPTH = 200

# Draft 2020-12 keywords that assert, or decide how references resolve, and that this
# module does not decide: a schema using one gets no answer (the caller asks jsonschema).
_UNDECIDED = frozenset(
    {
        "multipleOf",
        "patternProperties",
        "propertyNames",
        "dependentRequired",
        "dependentSchemas",
        "prefixItems",
        "contains",
        "minContains",
        "maxContains",
        "uniqueItems",
        "if",
        "then",
        "else",
        "unevaluatedItems",
        "unevaluatedProperties",
        "$id",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$vocabulary",
        "$recursiveRef",
    }
)


def accepts(schema: Any, value: Any, *, root: Any = None, formats: Formats | None = None) -> Answer:
    """Whether ``schema`` (a part of ``root``, which its ``$ref``s point into) accepts
    ``value``; ``formats(name, value)`` judges ``format`` (None: undecided)."""
    try:
        return _Acceptor(schema if root is None else root, formats).node(schema, value, 0)
    except (RecursionError, ValueError, TypeError):
        return None


class _Acceptor:
    def __init__(self, root: Any, formats: Formats | None) -> None:
        self.root = root
        self.formats = formats

    def node(self, schema: Any, value: Any, depth: int) -> Answer:
        if schema is True or schema is False:
            return schema
        if depth > _MAX_DEPTH:  # a reference that loops: jsonschema would fail, or not
            raise RecursionError("schema too deep")
        if type(schema) is not dict:
            return None
        answer: Answer = True  # what ``_every`` gives, kept as the keywords are judged
        for key, arg in schema.items():
            rule = _RULES.get(key)
            if rule is not None:
                got = rule(self, arg, value, schema, depth + 1)
            elif key in _UNDECIDED:
                got = None
            else:
                continue  # not an assertion (an annotation, or a keyword the draft does not know)
            if got is False:
                answer = False
            elif got is None and answer is True:
                answer = None
        return answer

    def all(self, schemas: Any, value: Any, depth: int) -> list[Answer]:
        if not isinstance(schemas, list) or not schemas:
            raise ValueError("a list of schemas is expected")
        return [self.node(s, value, depth) for s in schemas]


def _type(_: _Acceptor, arg: Any, value: Any, __: Any, ___: int) -> Answer:
    if type(arg) is str:  # one type name, the usual case
        test = _TYPES.get(arg)
        return None if test is None else test(value)
    names = [arg] if isinstance(arg, str) else arg
    if not isinstance(names, list) or not all(n in _TYPES for n in names):
        return None
    return any(_TYPES[n](value) for n in names)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def equal(one: Any, two: Any) -> bool:
    """JSON equality as jsonschema decides `enum` and `const`: true is not 1, 1 is 1.0."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list | tuple) and isinstance(two, list | tuple):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    return bool(one == two)


def _enum(_: _Acceptor, arg: Any, value: Any, __: Any, ___: int) -> Answer:
    if not isinstance(arg, list):
        return None
    return any(equal(value, option) for option in arg)


def _const(_: _Acceptor, arg: Any, value: Any, __: Any, ___: int) -> Answer:
    return equal(value, arg)


def _properties(check: _Acceptor, arg: Any, value: Any, _: Any, depth: int) -> Answer:
    if not isinstance(arg, dict):
        return None
    if not isinstance(value, dict):
        return True
    return _every(
        [check.node(sub, value[name], depth) for name, sub in arg.items() if name in value]
    )


def _required(_: _Acceptor, arg: Any, value: Any, __: Any, ___: int) -> Answer:
    if not isinstance(arg, list):
        return None
    return not isinstance(value, dict) or all(name in value for name in arg)


def _additional(check: _Acceptor, arg: Any, value: Any, schema: Any, depth: int) -> Answer:
    if not isinstance(value, dict):
        return True
    declared = schema.get("properties", {})
    if not isinstance(declared, dict) or "patternProperties" in schema:
        return None
    return _every(
        check.node(arg, item, depth) for name, item in value.items() if name not in declared
    )


def _items(check: _Acceptor, arg: Any, value: Any, schema: Any, depth: int) -> Answer:
    if "prefixItems" in schema or isinstance(arg, list):
        return None
    if not isinstance(value, list):
        return True
    return _every([check.node(arg, item, depth) for item in value])


def _every(answers: Any) -> Answer:
    """True when all are, False when one is, else None.

    Every answer is worked out, even after a False: a reference that points at
    nothing anywhere makes the whole question undecided (jsonschema raises on
    it, or not, depending on the order it meets the keywords in).
    """
    found = list(answers)
    return False if False in found else None if None in found else True


def _count(kind: type[Sized], test: Callable[[int, Any], bool]) -> Callable[..., Answer]:
    """A bound on the length of strings, lists or objects (``kind``)."""

    def rule(_: _Acceptor, arg: Any, value: Any, __: Any, ___: int) -> Answer:
        if not _is_number(arg):
            return None
        return not isinstance(value, kind) or test(len(value), arg)

    return rule


def _bound(test: Callable[[Any, Any], bool]) -> Callable[..., Answer]:
    def rule(_: _Acceptor, arg: Any, value: Any, __: Any, ___: int) -> Answer:
        if not _is_number(arg):
            return None
        return not _is_number(value) or test(value, arg)

    return rule


def _pattern(_: _Acceptor, arg: Any, value: Any, __: Any, ___: int) -> Answer:
    from registry.json.validation import ecma_regex

    if not isinstance(arg, str):
        return None
    return not isinstance(value, str) or ecma_regex(arg).find(value) is not None


def _format(check: _Acceptor, arg: Any, value: Any, _: Any, __: int) -> Answer:
    if check.formats is None or not isinstance(arg, str):
        return None
    return check.formats(arg, value)


def _any_of(check: _Acceptor, arg: Any, value: Any, _: Any, depth: int) -> Answer:
    answers = check.all(arg, value, depth)
    return True if True in answers else None if None in answers else False


def _one_of(check: _Acceptor, arg: Any, value: Any, _: Any, depth: int) -> Answer:
    answers = check.all(arg, value, depth)
    return None if None in answers else answers.count(True) == 1


def _all_of(check: _Acceptor, arg: Any, value: Any, _: Any, depth: int) -> Answer:
    return _every(check.all(arg, value, depth))


def _not(check: _Acceptor, arg: Any, value: Any, _: Any, depth: int) -> Answer:
    answer = check.node(arg, value, depth)
    return None if answer is None else not answer


def _ref(check: _Acceptor, arg: Any, value: Any, _: Any, depth: int) -> Answer:
    """A JSON pointer into the same document (``#/$defs/...``); any other is undecided."""
    if not isinstance(arg, str) or not (arg == "#" or arg.startswith("#/")):
        return None
    target = check.root
    for token in unquote(arg[2:]).split("/") if arg != "#" else ():  # as referencing reads it
        key = unescape(token)
        if isinstance(target, dict) and key in target:
            target = target[key]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:  # jsonschema raises, or not, depending on the order of the keywords
            raise ValueError(f"{arg} points at nothing")
    return check.node(target, value, depth)


_RULES: dict[str, Callable[..., Answer]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "required": _required,
    "additionalProperties": _additional,
    "items": _items,
    "minLength": _count(str, lambda n, m: n >= m),
    "maxLength": _count(str, lambda n, m: n <= m),
    "minItems": _count(list, lambda n, m: n >= m),
    "maxItems": _count(list, lambda n, m: n <= m),
    "minProperties": _count(dict, lambda n, m: n >= m),
    "maxProperties": _count(dict, lambda n, m: n <= m),
    "minimum": _bound(lambda v, m: v >= m),
    "maximum": _bound(lambda v, m: v <= m),
    "exclusiveMinimum": _bound(lambda v, m: v > m),
    "exclusiveMaximum": _bound(lambda v, m: v < m),
    "pattern": _pattern,
    "format": _format,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "allOf": _all_of,
    "not": _not,
    "$ref": _ref,
}
