"""Versions given as a raw ``schema:``: their data, checked by ``jsonschema`` as written.

Draft 2020-12 with wiretype's formats and exact ``multipleOf``; errors worded as the
TypeScript validators word them, where the two agree on the keyword. ``jsonschema`` is
imported on first use, and the package depends on it only when a version is raw.
"""

from __future__ import annotations

import json
import math
import typing as _t

import pydantic as _p
from pydantic_core import PydanticCustomError

from ._numbers import decimal_parts, es_number, is_multiple, number_text
from ._scalars import formatted
from ._structures import Json
from ._words import FORMATS, WORDS


class RawModel(_p.RootModel[_t.Any]):
    """A version given as a raw ``schema:``: its data, checked by ``jsonschema`` as written."""

    root: _t.Annotated[_t.Any, Json()]
    __wire_name__: _t.ClassVar[str] = ""
    __wire_version__: _t.ClassVar[int] = 0
    __wire_schema__: _t.ClassVar[str] = "true"

    @_p.model_validator(mode="after")
    def _check_schema(self) -> _t.Self:
        problems = raw_problems(type(self).__wire_schema__, self.root)
        if problems:
            raise _p.ValidationError.from_exception_data(
                "wiretype",
                [
                    {"type": PydanticCustomError("wiretype", words), "loc": loc, "input": self.root}
                    for loc, words in problems
                ],
            )
        return self


_RAW_VALIDATORS: dict[str, _t.Any] = {}


def raw_problems(schema_text: str, value: _t.Any) -> list[tuple[tuple[_t.Any, ...], str]]:
    """The errors of ``value`` against a raw schema, as (path, words); needs ``jsonschema``."""
    validator = _RAW_VALIDATORS.get(schema_text)
    if validator is None:
        validator = _RAW_VALIDATORS[schema_text] = _raw_validator(json.loads(schema_text))
    found: dict[tuple[_t.Any, ...], str] = {}
    for error in validator.iter_errors(value):
        loc, words = raw_words(error)
        if error.validator == "type":  # a value of the wrong type: that is what is wrong
            found[loc] = words
        else:
            found.setdefault(loc, words)
    return sorted(found.items(), key=lambda item: [str(part) for part in item[0]])


def _raw_validator(schema: _t.Any) -> _t.Any:
    import jsonschema
    from jsonschema.validators import extend

    def multiple(validator: _t.Any, step: _t.Any, instance: _t.Any, _: _t.Any) -> _t.Any:
        if validator.is_type(instance, "number") and not is_multiple(instance, decimal_parts(step)):
            yield jsonschema.ValidationError(
                WORDS["multiple_of"].format(multiple_of=es_number(step))
            )

    checker = jsonschema.FormatChecker(formats=())
    for name in FORMATS:
        checker.checks(name)(_format_check(name))
    base = jsonschema.Draft202012Validator
    doubles = base.TYPE_CHECKER.redefine(  # Infinity (1e400) is no double, so no number
        "number",
        lambda checker, x: (
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
        ),
    )
    cls = extend(
        base,
        {"multipleOf": multiple},  # type: ignore[no-untyped-call]
        type_checker=doubles,
    )
    return cls(schema, format_checker=checker)


def raw_words(error: _t.Any) -> tuple[tuple[_t.Any, ...], str]:
    """A ``jsonschema`` error as the TypeScript validators word it, where they agree."""
    loc, keyword, expected = tuple(error.absolute_path), error.validator, error.validator_value
    if keyword == "required":
        missing = [
            name
            for name in expected
            if isinstance(error.instance, dict) and name not in error.instance
        ]
        return (*loc, missing[0] if missing else ""), WORDS["missing"]
    words = _RAW_WORDS.get(keyword)
    return loc, words(expected) if words else str(error.message)


_RAW_WORDS: dict[str, _t.Callable[[_t.Any], str]] = {
    "type": lambda types: "must be " + " or ".join([types] if isinstance(types, str) else types),
    "minimum": lambda n: WORDS["greater_than_equal"].format(ge=number_text(n)),
    "maximum": lambda n: WORDS["less_than_equal"].format(le=number_text(n)),
    "exclusiveMinimum": lambda n: WORDS["greater_than"].format(gt=number_text(n)),
    "exclusiveMaximum": lambda n: WORDS["less_than"].format(lt=number_text(n)),
    "minLength": lambda n: WORDS["string_too_short"].format(min_length=n),
    "maxLength": lambda n: WORDS["string_too_long"].format(max_length=n),
    "minItems": lambda n: WORDS["too_short"].format(min_length=n),
    "maxItems": lambda n: WORDS["too_long"].format(max_length=n),
    "pattern": lambda p: WORDS["pattern"].format(pattern=p),
    "format": lambda f: WORDS["format"].format(format=f),
    "uniqueItems": lambda _: WORDS["unique_items"],
    "oneOf": lambda _: WORDS["one_of"],
    "anyOf": lambda _: WORDS["any_of"],
}


def _format_check(fmt: str) -> _t.Callable[[object], bool]:
    return lambda value: not isinstance(value, str) or formatted(fmt, value)
