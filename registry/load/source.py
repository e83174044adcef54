"""Parse YAML text, keeping the line and column of every node.

The bytes of a file (read by ``registry.load.tree`` or ``registry.load.gitref``) are
parsed from the YAML event stream itself (with libyaml when available) instead of
``yaml.safe_load``, so that what PyYAML silently accepts is refused: duplicate keys,
anchors and aliases (an alias bomb costs nothing here), text that is not UTF-8 and
absurd nesting. Each problem becomes a ``Finding`` with the file, line and column;
nothing here raises on bad input.

The result is plain data plus a table of positions keyed by the path of each
node from the root, e.g. ``("versions", 2, "fields", "room")``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from registry.findings import Finding

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 64

Key = str | int
NodePath = tuple[Key, ...]

# libyaml's parser is several times faster; the pure-Python one gives the same events.
_Parser: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data and where each node of it starts."""

    path: str
    data: Any
    positions: dict[NodePath, tuple[int, int]]

    def where(self, node: NodePath) -> tuple[int, int]:
        """The (line, column) of ``node``, or of its nearest located ancestor."""
        while node not in self.positions and node:
            node = node[:-1]
        return self.positions.get(node, (1, 1))


class _ParseError(Exception):
    def __init__(self, rule: str, message: str, mark: Any, hint: str = "") -> None:
        super().__init__(message)
        self.rule, self.message, self.hint = rule, message, hint
        self.line = mark.line + 1 if mark is not None else 1
        self.column = mark.column + 1 if mark is not None else 1


class _Scalars(yaml.resolver.Resolver, yaml.constructor.SafeConstructor):
    """Resolves plain scalars to bool/int/float/null exactly as ``yaml.safe_load`` does."""

    def __init__(self) -> None:
        yaml.resolver.Resolver.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        self._resolved: dict[str, str] = {}  # plain scalar text -> its tag (memoised)
        self._values: dict[tuple[str, str], Any] = {}  # (tag, text) -> its value (memoised)
        # plain words that resolve to text and are no YAML 1.1 word in any place (not `y`/`n`):
        # the builder takes them as they are, without asking again
        self.texts: set[str] = set()

    def value(self, event: Any) -> Any:
        if event.tag is None and not event.implicit[0]:  # quoted or block text: a string
            return event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolved.get(event.value)
            if tag is None:
                tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
                self._resolved[event.value] = tag
                if tag == _STR and event.tag is None and event.value not in _WORDS:
                    self.texts.add(event.value)
        if tag == _STR:
            return event.value
        if tag == _TIMESTAMP:  # JSON has no dates: `2026-01-01` stays the text it is
            return event.value
        known = self._values.get((tag, event.value), _UNKNOWN)
        if known is not _UNKNOWN:
            return known
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        construct = self.yaml_constructors.get(tag)
        if construct is None:
            raise _ParseError(
                "YAML_TAG",
                f"the YAML tag {tag} has no JSON equivalent",
                event.start_mark,
                "write a plain string, number, true/false or null",
            )
        value = construct(self, node)
        if not isinstance(value, _JSON_SCALARS):
            raise _ParseError(
                "YAML_TAG",
                f"the YAML tag {tag} has no JSON equivalent",
                event.start_mark,
                "write a plain string, number, true/false or null",
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise _ParseError(
                "YAML_NOT_FINITE",
                f"{event.value} is not a JSON number",
                event.start_mark,
                "JSON has no infinity or NaN; use a finite number",
            )
        self._values[tag, event.value] = value  # a number, true/false or null: immutable
        return value


_MAPPING_END = yaml.MappingEndEvent
_SCALAR = yaml.ScalarEvent
_UNKNOWN = object()
_SCALARS = _Scalars()
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_JSON_SCALARS = (str, int, float, bool, type(None))
_WORDS = frozenset({"y", "Y", "n", "N"})  # booleans to YAML 1.1 as values only


def parse_text(path: str, raw: bytes) -> tuple[Document | None, list[Finding]]:
    """Parse ``raw`` (the bytes of ``path``) into a document and its findings.

    The document is ``None`` when the text cannot be read as YAML at all; otherwise the
    findings (if any) are about values the document holds as written.
    """
    try:
        builder = _Builder(path, _decode(raw))
        data, positions = builder.build()
    except _ParseError as bad:
        return None, [Finding(path, bad.line, bad.column, bad.rule, bad.message, bad.hint)]
    return Document(path, data, positions), builder.problems


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n")
        column = err.start - (before.rfind(b"\n") + 1)
        mark = yaml.Mark("", 0, line, column, None, None)  # type: ignore[arg-type]
        message = f"byte 0x{raw[err.start]:02x} is not valid UTF-8"
        raise _ParseError("FILE_NOT_UTF8", message, mark, "save the file as UTF-8") from None


def _syntax_error(err: yaml.MarkedYAMLError, text: str) -> _ParseError:
    """The YAML error, told by its usual cause where one is recognised."""
    mark = err.problem_mark or err.context_mark
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if mark is not None and "\t" in indent:
        at = yaml.Mark("", 0, mark.line, indent.index("\t"), None, None)  # type: ignore[arg-type]
        return _ParseError(
            "YAML_TAB_INDENT",
            "this line is indented with tabs; YAML indentation must be spaces",
            at,
            "replace the tabs at the start of the line with spaces",
        )
    bracketed = _unquoted_brackets(line, mark.column) if mark else None
    if bracketed is not None:
        return _ParseError(
            "YAML_SYNTAX",
            f"`{bracketed}` inside `{{...}}` or `[...]` is read as YAML, where `[` starts a list",
            mark,
            f'quote it: "{bracketed}" (or write the field in block style)',
        )
    problem = err.problem or err.context or "invalid YAML"
    return _ParseError(
        "YAML_SYNTAX", f"YAML syntax error: {problem}", mark, "fix the YAML syntax at this position"
    )


_WORD_BEFORE = re.compile(r"([A-Za-z_][\w.@]*)$")
_BRACKETS_AFTER = re.compile(r"^\[[^\]\[\"',{}]*\]\??")


def _unquoted_brackets(line: str, column: int) -> str | None:
    """``map[int]`` when the error is at the ``[`` of an unquoted ``word[...]``."""
    before, after = _WORD_BEFORE.search(line[:column]), _BRACKETS_AFTER.match(line[column:])
    return before.group(1) + after.group(0) if before and after else None


class _Builder:
    """Turns the YAML event stream into plain data and a position table.

    Problems that still leave a well-formed document (a YAML 1.1 boolean word) are
    collected in ``problems``; the others end the parse with a ``_ParseError``.
    """

    def __init__(self, path: str, text: str) -> None:
        # get_event returns None once the stream has ended: a C-level iterator, no generator
        self.events: Iterator[Any] = iter(_Parser(text).get_event, None)
        self.positions: dict[NodePath, tuple[int, int]] = {}
        self.path, self.text = path, text
        self.problems: list[Finding] = []

    def build(self) -> tuple[Any, dict[NodePath, tuple[int, int]]]:
        try:
            documents = self._documents()
        except yaml.MarkedYAMLError as err:
            raise _syntax_error(err, self.text) from None
        except yaml.YAMLError as err:  # e.g. a control character the reader refuses
            raise _ParseError("YAML_SYNTAX", f"YAML error: {err}", None) from None
        if not documents or documents[0] is None:
            raise _ParseError(
                "FILE_EMPTY",
                "file is empty",
                None,
                "write a definition with `versions:`, or delete the file",
            )
        return documents[0], self.positions

    def _documents(self) -> list[Any]:
        documents: list[Any] = []
        for event in self.events:
            if isinstance(event, yaml.DocumentStartEvent):
                if documents:
                    raise _ParseError(
                        "YAML_MULTIPLE_DOCUMENTS",
                        "file holds more than one YAML document",
                        event.start_mark,
                        "keep one definition per file",
                    )
                documents.append(self._node(next(self.events), (), 0))
        return documents

    def _node(self, event: Any, path: NodePath, depth: int) -> Any:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _ParseError(
                "YAML_ANCHOR",
                "YAML anchors and aliases are not allowed",
                event.start_mark,
                "write the value out in full, or move it to a shared type",
            )
        if depth > MAX_DEPTH:
            raise _ParseError(
                "YAML_TOO_DEEP",
                f"nesting deeper than {MAX_DEPTH} levels",
                event.start_mark,
                "flatten the definition or use shared types",
            )
        self.positions.setdefault(path, (event.start_mark.line + 1, event.start_mark.column + 1))
        if isinstance(event, yaml.ScalarEvent):
            return self._plain_word(event, self._scalar(event), key=False)
        if isinstance(event, yaml.SequenceStartEvent):
            return self._sequence(path, depth)
        return self._mapping(path, depth)

    @staticmethod
    def _scalar(event: Any) -> Any:
        try:
            return _SCALARS.value(event)
        except yaml.YAMLError as err:
            raise _ParseError(
                "YAML_TAG",
                f"cannot read this value: {err}",
                event.start_mark,
                "write a plain string, number, true/false or null",
            ) from None

    def _plain_word(self, event: Any, value: Any, *, key: bool) -> Any:
        """A YAML 1.1 boolean word (``yes``, ``off``; ``y``/``n`` as values) is a finding:
        PyYAML reads ``yes`` as true, YAML 1.2 as the text. It stays the text it is."""
        word = event.value
        if event.style or not event.implicit[0]:
            return value  # quoted or tagged: what it says
        yaml11 = isinstance(value, bool) and word.lower() not in ("true", "false")
        if yaml11 or (not key and word in _WORDS):
            mark = event.start_mark
            self.problems.append(
                Finding(
                    self.path,
                    mark.line + 1,
                    mark.column + 1,
                    "YAML_AMBIGUOUS_BOOLEAN",
                    f"`{word}` is a boolean in YAML 1.1 but the text {json.dumps(word)} in "
                    "YAML 1.2",
                    f'quote it ("{word}") for the text, or write true or false',
                )
            )
            return word
        return value

    def _sequence(self, path: NodePath, depth: int) -> list[Any]:
        items: list[Any] = []
        for event in self.events:
            if isinstance(event, yaml.SequenceEndEvent):
                return items
            items.append(self._node(event, (*path, len(items)), depth + 1))
        return items  # pragma: no cover - the parser always closes sequences

    def _mapping(self, path: NodePath, depth: int) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        events, positions, scalar = self.events, self.positions, self._scalar  # the hot loop
        texts = _SCALARS.texts  # plain words already known to be text
        for event in events:
            kind = type(event)
            if kind is _MAPPING_END:
                return mapping
            if kind is not _SCALAR or event.anchor:
                self._node(event, path, depth + 1)  # refuses an alias or anchor first
                raise _ParseError(
                    "YAML_COMPLEX_KEY", "a mapping key must be a plain value", event.start_mark
                )
            if event.tag is None and (not event.implicit[0] or event.value in texts):
                key = event.value  # text, quoted or plain: what the two calls below give
            else:
                key = self._plain_word(event, scalar(event), key=True)
            if key in mapping:
                raise _ParseError(
                    "YAML_DUPLICATE_KEY",
                    f"key {key!r} is written twice in this mapping",
                    event.start_mark,
                    "keep one of the two entries",
                )
            mark: Any = event.start_mark
            here = (*path, key)
            positions[here] = (mark.line + 1, mark.column + 1)
            value = next(events)
            if type(value) is _SCALAR and value.anchor is None and depth < MAX_DEPTH:
                if value.tag is None and (not value.implicit[0] or value.value in texts):
                    found = value.value  # text (a plain one is never `y` or `n`: see texts)
                else:
                    found = scalar(value)  # what _node would do, without the detour
                    if type(found) is bool or found in _WORDS:  # a YAML 1.1 word, maybe
                        found = self._plain_word(value, found, key=False)
                mapping[key] = found
            else:
                mapping[key] = self._node(value, here, depth + 1)
        return mapping  # pragma: no cover
