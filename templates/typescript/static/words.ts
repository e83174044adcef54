// What the package says when a value is refused, and the patterns of its formats: the same
// texts as the Python package's (_words.py), both written from wiretype's
// registry/render/messages.py and formats.py, and held equal to them by a test of wiretype.

/** The words of the checks outside the generated validators; `{name}` marks a value. */
export const WORDS = {
  notCarried: "integer {literal} cannot be carried exactly by a JSON number (it would become {double}): send it as a string",
  overflow: "is beyond the largest double: a JSON reader would hold it as Infinity",
  notJson: "is not JSON: {detail}",
  notEnvelope: "an envelope must be a JSON object",
  notType: "must be a message name",
  unknownType: "is not a known message: {name}",
  notInteger: "must be integer",
  notLive: "{v} is not a live version of {name}",
  notId: "must be a non-empty string",
  notObject: "must be object",
  required: "is required",
} as const;

/** docs/formats.md: each format as one pattern (no flags); dates add a calendar check. */
export const FORMAT_PATTERNS = {
  uuid: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
  date: "^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
  time: "^([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$",
  "date-time": "^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$",
  email: "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$",
  uri: "^[A-Za-z][A-Za-z0-9+.-]*:[^\\s\\\"<>\\\\^`{|}\\x00-\\x1f\\x7f]*$",
} as const;
