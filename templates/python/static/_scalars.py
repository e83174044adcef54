"""Numbers and strings, exactly as JSON Schema judges them: the ``Int``, ``Float`` and ``Str``
markers, and one shared validator per format.

``integer`` accepts ``1.0`` and ``1e20`` (held as the exact value of the double), ``number``
is finite only, ``multipleOf`` is exact decimal arithmetic, lengths count code points,
``pattern`` is a search, and each format is one validator that every field shares.
"""

from __future__ import annotations

import re
import typing as _t
from dataclasses import dataclass

import pydantic as _p
from pydantic_core import PydanticCustomError
from pydantic_core import core_schema as _cs

from ._json import number_json
from ._numbers import (
    MAX_EXACT,
    decimal_parts,
    double_float,
    double_int,
    es_number,
    integral,
    is_multiple,
)
from ._words import FORMATS, WORDS


def plain(function: _t.Callable[[_t.Any], _t.Any]) -> _cs.CoreSchema:
    return _cs.no_info_plain_validator_function(function)


def json_serializer(function: _t.Callable[[_t.Any], _t.Any]) -> _t.Any:
    return _cs.plain_serializer_function_ser_schema(function, when_used="json")


def written(schema: _cs.CoreSchema, serialization: _t.Any) -> _cs.CoreSchema:
    """``schema``, written to JSON by ``serialization``."""
    return _t.cast(_cs.CoreSchema, {**schema, "serialization": serialization})


def _exact_int(wide: bool) -> _cs.CoreSchema:
    """A JSON number with no fraction (``1.0``, ``1e20`` too) as an int; the double's value.
    Without ``wide`` (bounds within 2^53 follow) a big integer needs no check of its own:
    the bounds refuse it, as they refuse it in the TypeScript package."""
    big = [_cs.chain_schema([_cs.int_schema(strict=True), plain(double_int)])] if wide else []
    return _cs.union_schema(
        [
            _cs.int_schema(strict=True, ge=-MAX_EXACT, le=MAX_EXACT)
            if wide
            else _cs.int_schema(strict=True),
            *big,
            _cs.chain_schema([_cs.float_schema(strict=True, allow_inf_nan=False), plain(integral)]),
        ],
        mode="left_to_right",
        custom_error_type="int_type",
    )


def _any_number() -> _cs.CoreSchema:
    """Any finite JSON number; an integer a double would change is refused."""
    return _cs.union_schema(
        [
            _cs.float_schema(strict=True, allow_inf_nan=False),
            _cs.int_schema(strict=True, ge=-MAX_EXACT, le=MAX_EXACT),
            _cs.chain_schema([_cs.int_schema(strict=True), plain(double_float)]),
        ],
        custom_error_type="float_type",
    )


def _within(low: float | None, high: float | None) -> bool:
    """Whether bounds keep every value within ±2^53, where doubles hold every integer."""
    return low is not None and high is not None and low >= -MAX_EXACT and high <= MAX_EXACT


def _multiple_of(step: int | float) -> _cs.CoreSchema:
    """Exact ``multipleOf`` (pydantic's divides binary floats, within a tolerance)."""
    parts = decimal_parts(step)
    words = WORDS["multiple_of"].format(multiple_of=es_number(step))

    def check(value: int | float) -> int | float:
        if is_multiple(value, parts):
            return value
        raise PydanticCustomError("wiretype_multiple_of", words)

    if isinstance(step, int):  # ints in the exact range are checked in Rust first
        return _cs.union_schema(
            [
                _cs.int_schema(strict=True, ge=-MAX_EXACT, le=MAX_EXACT, multiple_of=step),
                plain(check),
            ],
            mode="left_to_right",
            custom_error_type="wiretype_multiple_of",
            custom_error_message=words,
        )
    return plain(check)


@dataclass(frozen=True)
class Int:
    """``type: integer``: a JSON number with no fraction (``1.0``, ``1e20`` too), never a
    bool or text; held as the exact value of its double."""

    ge: int | None = None
    le: int | None = None
    gt: int | None = None
    lt: int | None = None
    multiple_of: int | float | None = None

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        low = self.ge if self.gt is None else self.gt
        high = self.le if self.lt is None else self.lt
        narrow = _within(low, high)
        steps = [_exact_int(wide=not narrow)]
        if (self.ge, self.le, self.gt, self.lt) != (None,) * 4:
            steps.append(
                _cs.int_schema(strict=True, ge=self.ge, le=self.le, gt=self.gt, lt=self.lt)
            )
        if self.multiple_of is not None:
            steps.append(_multiple_of(self.multiple_of))
        schema = steps[0] if len(steps) == 1 else _cs.chain_schema(steps)
        if narrow:
            return schema
        return written(schema, json_serializer(number_json))  # Python prints 2**60 exactly


@dataclass(frozen=True)
class Float:
    """``type: number``: any finite JSON number, never a bool or text."""

    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    lt: float | None = None
    multiple_of: float | None = None

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        low = self.ge if self.gt is None else self.gt
        high = self.le if self.lt is None else self.lt
        bounded = _cs.float_schema(
            strict=True, allow_inf_nan=False, ge=self.ge, le=self.le, gt=self.gt, lt=self.lt
        )
        steps: list[_cs.CoreSchema] = [bounded] if _within(low, high) else [_any_number(), bounded]
        if self.multiple_of is not None:
            steps.append(_multiple_of(self.multiple_of))
        schema = steps[0] if len(steps) == 1 else _cs.chain_schema(steps)
        return written(schema, json_serializer(number_json))


@dataclass(frozen=True)
class Str:
    """``type: string`` with lengths in code points, a format, and a ``pattern`` (a search)."""

    min_length: int | None = None
    max_length: int | None = None
    format: str | None = None
    pattern: str | None = None
    engine: _t.Literal["rust-regex", "python-re"] = "rust-regex"

    def __get_pydantic_core_schema__(
        self, source: _t.Any, handler: _p.GetCoreSchemaHandler
    ) -> _cs.CoreSchema:
        checks: list[_cs.CoreSchema] = []
        if self.format is None or (self.min_length, self.max_length) != (None, None):
            checks.append(
                _cs.str_schema(strict=True, min_length=self.min_length, max_length=self.max_length)
            )
        if self.format is not None:
            checks.append(format_check(self.format))
        if self.pattern is not None:
            checks.append(
                _cs.custom_error_schema(  # a lone surrogate cannot be searched
                    _cs.str_schema(strict=True, pattern=self.pattern, regex_engine=self.engine),
                    custom_error_type="wiretype_pattern",
                    custom_error_message=WORDS["pattern"].format(pattern=self.pattern),
                )
            )
        return checks[0] if len(checks) == 1 else _cs.chain_schema(checks)


_FORMAT_SCHEMAS: dict[str, _cs.CoreSchema] = {}


def format_check(fmt: str) -> _cs.CoreSchema:
    """A string of the format ``fmt``, checked by one validator that every field shares.

    A pattern compiled into each field's own validator is one regular expression per field
    per model (1,800 in a registry of 300 messages), each with tables of its own that the
    CPU's caches lose between messages; a single one per format stays warm.
    """
    schema = _FORMAT_SCHEMAS.get(fmt)
    if schema is None:
        pattern = _cs.custom_error_schema(  # whatever the reason, also a lone surrogate
            _cs.str_schema(pattern=FORMATS[fmt]),
            custom_error_type="wiretype_format",
            custom_error_message=WORDS["format"].format(format=fmt),
        )
        check = _cs.chain_schema([_cs.str_schema(strict=True), pattern])
        schema = _FORMAT_SCHEMAS[fmt] = shared_check(check, fmt)
    return schema


class _Shared:
    """A class standing for one shared check in core schemas (see ``shared_check``)."""

    model_config: _t.ClassVar[dict[str, _t.Any]] = {}


def shared_check(check: _cs.CoreSchema, name: str) -> _cs.CoreSchema:
    """``check`` as one validator, shared by every schema it appears in, called in Rust.

    pydantic-core reuses the built validator of a complete model class wherever the class
    appears in a schema (its "prebuilt" validators); a class whose validator is the check
    itself makes every use call the same one. Where a pydantic-core does not do that, each
    use calls the shared validator from Python instead, which gives the same answers.
    """
    from pydantic_core import SchemaSerializer, SchemaValidator

    validator = SchemaValidator(check)
    if not _prebuilt_reused():
        return plain(validator.validate_python)
    holder = type(
        f"_{name.title().replace('-', '')}Check",
        (_Shared,),
        {
            "__pydantic_complete__": True,
            "__pydantic_validator__": validator,
            "__pydantic_serializer__": SchemaSerializer(_cs.str_schema()),
        },
    )
    metadata = {
        "pydantic_js_functions": [lambda _schema, _handler: {"type": "string", "format": name}]
    }
    return _t.cast(
        _cs.CoreSchema,
        {
            "type": "model",
            "cls": holder,
            "schema": check,
            "metadata": metadata,
            "serialization": _cs.simple_ser_schema("str"),
        },
    )


_PREBUILT: list[bool] = []


def _prebuilt_reused() -> bool:
    """Whether this pydantic-core calls a complete class's own validator (tried once)."""
    if not _PREBUILT:
        from pydantic_core import SchemaValidator

        check = _cs.str_schema(strict=True, pattern="^a$")
        holder = type(
            "_Probe",
            (_Shared,),
            {"__pydantic_complete__": True, "__pydantic_validator__": SchemaValidator(check)},
        )
        try:
            probe = SchemaValidator(
                _t.cast(_cs.CoreSchema, {"type": "model", "cls": holder, "schema": check})
            )
            works = probe.validate_python("a") == "a"
            try:
                probe.validate_python("b")
                works = False
            except _p.ValidationError:
                pass
        except Exception:
            works = False
        _PREBUILT.append(works)
    return _PREBUILT[0]


def _format_check(fmt: str) -> _t.Callable[[object], bool]:
    return lambda value: not isinstance(value, str) or formatted(fmt, value)


def formatted(fmt: str, value: str) -> bool:
    """Whether ``value`` has the format ``fmt``, checked by Python's ``re`` (whose ``$``
    also matches before a final newline, which ECMAScript's and Rust's do not)."""
    found = re.search(FORMATS[fmt], value)
    return found is not None and found.end() == len(value)


# --- JSON values ------------------------------------------------------------------------
