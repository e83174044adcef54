"""JSON Schema validation as wiretype means it: draft 2020-12, with formats asserted.

The formats are the ones in ``registry/json/formats.py``, the same patterns the
generated Python and TypeScript validators embed, and ``multipleOf`` is exact
decimal arithmetic on the shortest decimal of each number (``registry.json.numbers``),
as the generated validators do it, so a definition's examples are judged here
exactly as the generated code will judge messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from registry.json.formats import CALENDAR_FORMATS, FORMAT_PATTERNS, days_in_month
from registry.json.numbers import is_multiple


def conforms(fmt: str, value: object) -> bool:
    """Whether ``value`` has the format ``fmt`` (values that are not strings always do)."""
    if not isinstance(value, str) or fmt not in FORMAT_PATTERNS:
        return True
    match = _compiled(fmt).search(value)
    if match is None or match.end() != len(value):  # Python's `$` also matches before a final \n
        return False
    if fmt in CALENDAR_FORMATS:
        year, month, day = (int(match.group(i)) for i in (1, 2, 3))
        return day <= days_in_month(year, month)
    return True


@cache
def _compiled(fmt: str) -> re.Pattern[str]:
    return re.compile(FORMAT_PATTERNS[fmt])


@lru_cache(maxsize=1)
def format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for fmt in FORMAT_PATTERNS:
        checker.checks(fmt)(lambda value, fmt=fmt: conforms(fmt, value))
    return checker


def ecma_regex(pattern: str) -> Any:
    """``pattern`` compiled as an ECMA-262 regular expression (``u`` flag), as JSON Schema
    says; raises ``ValueError`` when it is not one."""
    return _ecma(pattern)


@lru_cache(maxsize=4096)
def _ecma(pattern: str) -> Any:
    import regress

    try:
        return regress.Regex(pattern, "u")
    except regress.RegressError as err:
        raise ValueError(str(err)) from None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def searchable(text: str) -> str:
    """``text`` as the regex engine can read it: a lone surrogate (not UTF-8) as U+FFFD, one
    code point for another, as the generated Python package judges it too."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import ValidationError

    if (
        validator.is_type(instance, "string")
        and ecma_regex(pattern).find(searchable(instance)) is None
    ):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if ecma_regex(pattern).find(searchable(key)) is not None:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """Exact ``multipleOf`` (jsonschema divides binary floats: 0.29 / 0.01 is 28.999...)."""
    from jsonschema import ValidationError

    if (
        not validator.is_type(instance, "number")
        or isinstance(step, bool)
        or not isinstance(step, (int, float))
        or step <= 0
    ):
        return
    try:
        ok = is_multiple(instance, step)
    except (ValueError, OverflowError):  # not a finite double: no number is a multiple
        ok = False
    if not ok:
        yield ValidationError(f"{instance!r} is not a multiple of {step!r}")


@lru_cache(maxsize=1)
def validator_class() -> Any:
    """Draft 2020-12 with ECMA-262 patterns (Python's ``re`` differs: ``$``, ``\\p{..}``) and
    exact ``multipleOf``."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    keywords = {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "multipleOf": _multiple_of,
    }
    return extend(Draft202012Validator, keywords)  # type: ignore[no-untyped-call]


def validator(schema: Any) -> Any:
    """A validator of ``schema`` that asserts wiretype's formats and ECMA-262 patterns."""
    return validator_class()(schema, format_checker=format_checker())
