"""JSON Schema validation as wiretype means it: draft 2020-12, with formats asserted.

The formats are the ones in ``registry/render/formats.py``, the same patterns the
generated Python and TypeScript validators embed, so a definition's examples
are judged here exactly as the generated code will judge messages.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from registry.render.formats import CALENDAR_FORMATS, FORMAT_PATTERNS, days_in_month


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


def validator(schema: Any) -> Any:
    """A draft 2020-12 validator of ``schema`` that asserts wiretype's formats."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema, format_checker=format_checker())
