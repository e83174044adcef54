"""Values whose check is more than a type: enums, ``uniqueItems``, maps, any JSON, keywords
on values of no fixed type, and ``oneOf``, each a marker of a generated annotation.
"""

from __future__ import annotations

import math
import operator
import re
import typing as _t
from dataclasses import dataclass

import pydantic as _p
from pydantic_core import PydanticCustomError
from pydantic_core import core_schema as _cs

from ._json import canonical, finite, jsonable, map_json, value_json
from ._numbers import InexactNumber, decimal_parts, es_number, is_multiple
from ._scalars import formatted, json_serializer, plain, written
from ._words import FORMATS, OBJECT_WORDS, WORDS


@dataclass(frozen=True)
class Choice:
    """``enum`` / ``const`` held by ``Literal``: its failure in wiretype's words."""

    words: str

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        return _cs.custom_error_schema(
            handler(source), custom_error_type="wiretype_enum", custom_error_message=self.words
        )


def _after(
    function: _t.Callable[[_t.Any], _t.Any], handler: _p.GetCoreSchemaHandler, source: _t.Any
) -> _cs.CoreSchema:
    return _cs.no_info_after_validator_function(function, handler(source))


@dataclass(frozen=True)
class Unique:
    """``uniqueItems``: no two items equal as JSON values (``1`` equals ``1.0``, not ``true``)."""

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        return _after(_unique, handler, source)


def _unique(items: list[_t.Any]) -> list[_t.Any]:
    seen: set[str] = set()
    for item in items:
        key = canonical(jsonable(item))
        if key in seen:
            raise PydanticCustomError("unique_items", WORDS["unique_items"])
        seen.add(key)
    return items


@dataclass(frozen=True)
class Map:
    """A JSON object with any keys (``map[T]``): written in ECMAScript's key order."""

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        return written(
            handler(source), _cs.wrap_serializer_function_ser_schema(map_json, when_used="json")
        )


@dataclass(frozen=True)
class Json:
    """A value that may be any JSON (``any``, enum values ``Literal`` cannot hold, raw
    schemas): integers a double would change are refused; written as canonical JSON."""

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        checked = _cs.with_info_after_validator_function(_doubles_only, handler(source))
        return written(checked, json_serializer(value_json))


# The context of the careful way of decode: it takes every number as a JSON reader holding
# doubles would, and reports the ones a double changed once the data is validated.
CAREFUL = object()


def _doubles_only(value: _t.Any, info: _t.Any) -> _t.Any:
    if info.context is not CAREFUL and not finite(value):
        raise InexactNumber(value)
    return value


@dataclass(frozen=True)
class Keywords:
    """JSON Schema keywords on a value whose type is not known in advance (enum, any, ...)."""

    keywords: tuple[tuple[str, _t.Any], ...]

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        return _after(self._check, handler, source)

    def _check(self, value: _t.Any) -> _t.Any:
        problem = keyword_problem(dict(self.keywords), jsonable(value))
        if problem:
            raise PydanticCustomError("keyword", problem)
        return value


def keyword_problem(keywords: dict[str, _t.Any], value: _t.Any) -> str | None:
    """The first JSON Schema keyword (of the shorthand's constraints) that ``value`` breaks."""
    if isinstance(value, str):
        return _string_problem(keywords, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_problem(keywords, value)
    if isinstance(value, list):
        return _size_problem(keywords, len(value), "Items", WORDS)
    if isinstance(value, dict):
        return _size_problem(keywords, len(value), "Properties", OBJECT_WORDS)
    return None


def _size_problem(
    keywords: dict[str, _t.Any], size: int, noun: str, words: dict[str, str]
) -> str | None:
    if size < keywords.get(f"min{noun}", 0):
        return words["too_short"].format(min_length=keywords[f"min{noun}"])
    if size > keywords.get(f"max{noun}", math.inf):
        return words["too_long"].format(max_length=keywords[f"max{noun}"])
    return None


def _string_problem(keywords: dict[str, _t.Any], value: str) -> str | None:
    if len(value) < keywords.get("minLength", 0):
        return WORDS["string_too_short"].format(min_length=keywords["minLength"])
    if len(value) > keywords.get("maxLength", math.inf):
        return WORDS["string_too_long"].format(max_length=keywords["maxLength"])
    fmt = keywords.get("format")
    if fmt in FORMATS and not formatted(fmt, value):
        return WORDS["format"].format(format=fmt)
    if "pattern" in keywords and not re.search(keywords["pattern"], value):
        return WORDS["pattern"].format(pattern=keywords["pattern"])
    return None


def _number_problem(keywords: dict[str, _t.Any], value: float) -> str | None:
    for keyword, (holds, words, key) in _NUMBER_CHECKS.items():
        if keyword in keywords and not holds(value, keywords[keyword]):
            return WORDS[words].format(**{key: es_number(keywords[keyword])})
    return None


_NUMBER_CHECKS: dict[str, tuple[_t.Callable[[_t.Any, _t.Any], bool], str, str]] = {
    "minimum": (operator.ge, "greater_than_equal", "ge"),
    "maximum": (operator.le, "less_than_equal", "le"),
    "exclusiveMinimum": (operator.gt, "greater_than", "gt"),
    "exclusiveMaximum": (operator.lt, "less_than", "lt"),
    "multipleOf": (
        lambda value, step: is_multiple(value, decimal_parts(step)),
        "multiple_of",
        "multiple_of",
    ),
}


@dataclass(frozen=True)
class Values:
    """``enum`` / ``const`` values that ``Literal`` cannot hold (floats, objects, lists)."""

    values: tuple[_t.Any, ...]
    words: str = ""

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        return written(plain(self._check), json_serializer(value_json))

    def _check(self, value: _t.Any) -> _t.Any:
        key = canonical(jsonable(value))
        if all(canonical(allowed) != key for allowed in self.values):
            raise PydanticCustomError("wiretype_enum", self.words)
        return value


@dataclass(frozen=True)
class OneOf:
    """``oneOf``: exactly one branch validates. With a ``discriminator`` whose value in each
    branch is ``tags``, the value's tag picks the one branch that can, and its errors are the
    errors reported."""

    discriminator: str | None = None
    tags: tuple[_t.Any, ...] = ()
    tag_words: str = ""

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        branches = tuple(_p.TypeAdapter(branch) for branch in _t.get_args(source))
        if self.discriminator is not None and len(self.tags) == len(branches):
            pairs = zip(self.tags, branches, strict=True)
            picks = {canonical(tag): branch for tag, branch in pairs}
            return plain(lambda value: self._pick(picks, branches, value))
        return plain(lambda value: self._check(branches, value))

    def _pick(
        self,
        picks: dict[str, _p.TypeAdapter[_t.Any]],
        branches: tuple[_p.TypeAdapter[_t.Any], ...],
        value: _t.Any,
    ) -> _t.Any:
        if isinstance(value, _p.BaseModel):
            return self._check(branches, value)
        if not isinstance(value, dict):
            raise PydanticCustomError("model_type", WORDS["model_type"])
        name = _t.cast(str, self.discriminator)
        if name not in value:
            raise located(name, WORDS["missing"], value)
        branch = picks.get(canonical(jsonable(value[name])))
        if branch is None:
            raise located(name, self.tag_words, value[name])
        return branch.validate_python(value)

    def _check(self, branches: tuple[_p.TypeAdapter[_t.Any], ...], value: _t.Any) -> _t.Any:
        found: list[_t.Any] = []
        for branch in branches:
            try:
                found.append(branch.validate_python(value))
            except _p.ValidationError:
                continue
        if len(found) == 1:
            return found[0]
        raise PydanticCustomError("one_of", WORDS["one_of"])


def located(key: str, words: str, value: _t.Any) -> _p.ValidationError:
    """A validation error at ``key`` below the value being validated."""
    return _p.ValidationError.from_exception_data(
        "wiretype",
        [{"type": PydanticCustomError("wiretype", words), "loc": (key,), "input": value}],
    )
