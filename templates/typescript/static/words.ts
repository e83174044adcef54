// What the package says when a value is refused, and the patterns of its formats: the same
// texts as the Python package's (_words.py), both written from wiretype's
// registry/render/messages.py and formats.py, and held equal to them by a test of wiretype.
// One constant each (not one object): a bundle keeps only those its code reads.

// The words of the checks outside the generated validators; `{name}` marks a value.
export const notCarried = "integer {literal} cannot be carried exactly by a JSON number (it would become {double}): send it as a string";
export const overflow = "is beyond the largest double: a JSON reader would hold it as Infinity";
export const notJson = "is not JSON: {detail}";
export const notEnvelope = "an envelope must be a JSON object";
export const notType = "must be a message name";
export const unknownType = "is not a known message: {name}";
export const notInteger = "must be integer";
export const notLive = "{v} is not a live version of {name}";
export const notId = "must be a non-empty string";
export const notObject = "must be object";

// docs/formats.md: each format as one pattern (no flags); dates add a calendar check.
export const UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
export const DATE_PATTERN = "^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
export const TIME_PATTERN = "^([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";
export const DATE_TIME_PATTERN = "^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";
export const EMAIL_PATTERN = "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$";
export const URI_PATTERN = "^[A-Za-z][A-Za-z0-9+.-]*:[^\\s\\\"<>\\\\^`{|}\\x00-\\x1f\\x7f]*$";
