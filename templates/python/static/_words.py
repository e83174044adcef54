"""The words of every error a generated package prints, and the patterns of its formats.

These are the same texts as the TypeScript package's (``words.ts``): both are written from
wiretype's ``registry/render/messages.py`` and ``registry/render/formats.py``, and a test of
wiretype holds the three equal. ``{name}``-style placeholders are filled with ``str.format``.
"""

# docs/formats.md: each format as one pattern, the calendar check folded into the dates.
FORMATS: dict[str, str] = {
    "date": (
        "^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|"
        "[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26]"
        ")|(?:[02468][048]|[13579][26])00)-02-29)$"
    ),
    "date-time": (
        "^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|"
        "[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26]"
        ")|(?:[02468][048]|[13579][26])00)-02-29)[Tt ]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-"
        "9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    ),
    "email": (
        "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9"
        "]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
    ),
    "time": (
        "^([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3"
        "]):[0-5][0-9])$"
    ),
    "uri": '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s\\"<>\\\\^`{|}\\x00-\\x1f\\x7f]*$',
    "uuid": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}
# pydantic's error types, and wiretype's own checks -> wiretype's words.
WORDS: dict[str, str] = {
    "missing": "is required",
    "int_type": "must be integer",
    "int_parsing": "must be integer",
    "int_from_float": "must be integer",
    "float_type": "must be number",
    "float_parsing": "must be number",
    "finite_number": "must be number",
    "string_type": "must be string",
    "string_sub_type": "must be string",
    "bool_type": "must be boolean",
    "bool_parsing": "must be boolean",
    "model_type": "must be object",
    "model_attributes_type": "must be object",
    "dict_type": "must be object",
    "list_type": "must be array",
    "none_required": "must be null",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be greater than {gt}",
    "less_than": "must be less than {lt}",
    "multiple_of": "must be a multiple of {multiple_of}",
    "string_too_short": "must be at least {min_length} characters long",
    "string_too_long": "must be at most {max_length} characters long",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "unique_items": "must not hold the same item twice",
    "format": "must be a valid {format}",
    "pattern": "must match the pattern {pattern}",
    "one_of": "must match exactly one of the allowed schemas (oneOf)",
    "any_of": "must match one of the allowed schemas (anyOf)",
    "not_carried": (
        "integer {literal} cannot be carried exactly by a JSON number (it would become {double}"
        "): send it as a string"
    ),
    "not_json": "is not JSON: {detail}",
    "non_finite": "NaN and Infinity are not JSON numbers",
    "overflow": "is beyond the largest double: a JSON reader would hold it as Infinity",
    "not_envelope": "an envelope must be a JSON object",
    "not_type": "must be a message name",
    "unknown_type": "is not a known message: {name}",
    "not_live": "{v} is not a live version of {name}",
    "not_id": "must be a non-empty string",
}
# `too_short` / `too_long` on an object (a map) count properties, not items.
OBJECT_WORDS: dict[str, str] = {
    "too_short": "must have at least {min_length} properties",
    "too_long": "must have at most {max_length} properties",
}
