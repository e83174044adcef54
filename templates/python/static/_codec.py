"""The wire envelope ``{"type", "v", "id", "data", ...}``: ``decode`` and ``encode`` of the
messages of one registry, given its tables (``codec.py`` builds the one ``Codec``).

``decode`` reads ``type`` and ``v`` first, then validates the whole envelope against the
model of that version in one pass of pydantic-core over the JSON text; any failure takes the
careful way, which judges the parsed value exactly as the TypeScript package does. Models
are built on first use, so importing a package stays fast however large its registry is.
"""

from __future__ import annotations

import json
import re
import typing as _t
import uuid
from collections.abc import Mapping

import pydantic as _p
from pydantic_core import PydanticSerializationError

from . import _json as _j
from ._json import DecodeError
from ._numbers import InexactNumber, es_number, not_carried
from ._scalars import Int
from ._structures import CAREFUL
from ._validation import error_list
from ._words import WORDS

Raw = bytes | bytearray | memoryview | str | dict[str, _t.Any]
Models = Mapping[str, Mapping[int, type[_p.BaseModel]]]


class Envelope(_p.BaseModel):
    """One message on the wire; keys beyond these four are kept (``envelope.model_extra``)."""

    # Message values are mostly unique (ids, times, text): pydantic-core's cache of short
    # strings would only hash them (13% of decode time over 300 different messages).
    model_config = _p.ConfigDict(extra="allow", strict=True, cache_strings="none")

    type: str
    v: int
    id: _t.Annotated[str, _p.Field(min_length=1)]
    data: _t.Any


E = _t.TypeVar("E", bound=Envelope)


class _Header(_p.BaseModel):
    model_config = _p.ConfigDict(extra="ignore", strict=True)

    type: str
    v: _t.Annotated[int, Int()]


# The usual frame starts `{"type": "...", "v": N,`: the model is guessed from those bytes and
# validated in one pass. The model's literal `type` and `v` make a wrong guess fail on
# /type or /v, and the frame then goes the careful way (read type and v, then validate).
# A frame start seen before (up to the comma after `"v": N`) is found by two `find`s and a
# dict lookup; the regular expression only reads one never seen.
_GUESS_BYTES = re.compile(rb'\{\s*"type"\s*:\s*"([^"\\]*)"\s*,\s*"v"\s*:\s*([0-9]+)\s*,')
_GUESS_TEXT = re.compile(_GUESS_BYTES.pattern.decode())


def failed(path: str, message: str) -> DecodeError:
    return DecodeError([{"path": path, "message": message}])


class Codec(_t.Generic[E]):
    """``decode``, ``encode`` and their helpers for the messages ``messages`` lists.

    ``shared`` gives, per message version, the shared types its data uses, each after the
    ones it uses: built before the version's envelope, so that every envelope reuses their
    validators instead of copying them. ``index_named`` lists the versions with a declared
    field whose wire name ECMAScript puts first in an object (``"0"``, ``"12"``): they are
    always written the careful way, in ECMAScript's key order.
    """

    __slots__ = ("_envelope", "_guessed", "_index_named", "_models", "_shared", "messages")

    def __init__(
        self,
        envelope: type[E],
        messages: Models,
        shared: Mapping[tuple[str, int], tuple[type[_p.BaseModel], ...]],
        index_named: frozenset[tuple[str, int]],
    ) -> None:
        self._envelope = envelope
        self.messages = messages
        self._shared = shared
        self._index_named = index_named
        self._guessed: dict[_t.Any, _t.Any] = {}  # a frame's first bytes -> validate_json
        self._models: dict[tuple[str, int], type[E]] = {}

    def envelope(self, data: _p.BaseModel, *, id: str | None = None, **extra: _t.Any) -> E:
        """A new envelope around a message model: type and v from its class, a fresh uuid4."""
        cls = type(data)
        name, version = getattr(cls, "__wire_name__", ""), getattr(cls, "__wire_version__", 0)
        if self.messages.get(name, {}).get(version) is not cls:
            raise TypeError(f"{cls.__name__} is not a message model")
        return self._envelope(
            type=name, v=version, id=id or str(uuid.uuid4()), data=_t.cast(_t.Any, data), **extra
        )

    def framed(self, msg: E | _p.BaseModel) -> E:
        """``msg`` if it is an envelope, else a new envelope around the message model."""
        # pydantic's isinstance check runs in Python: the class's MRO says the same, faster
        return _t.cast(E, msg) if self._envelope in type(msg).__mro__ else self.envelope(msg)

    def envelope_model(self, name: str, version: int) -> type[E]:
        """The envelope of one message version: literal ``type`` and ``v``, typed ``data``."""
        model = self._models.get((name, version))
        if model is None:
            for shared in self._shared.get((name, version), ()):
                if not shared.__pydantic_complete__:
                    shared.model_rebuild()
            data = self.messages[name][version]
            fields: dict[str, _t.Any] = {
                "type": (_t.Literal[name], ...),
                "v": (_t.Literal[version], ...),
                "data": (data, ...),
            }
            model = self._models[(name, version)] = _p.create_model(
                f"{data.__name__}Envelope",
                __base__=self._envelope,
                __module__=self._envelope.__module__,
                **fields,
            )
        return model

    def decode(self, raw: Raw) -> E:
        """Validate an envelope exactly against its message version; ``DecodeError`` if not."""
        text: str | bytes
        # The key is the frame up to the comma after `"v": N` (a message name has no comma).
        if isinstance(raw, bytes):
            text = raw
            validate = self._guessed.get(raw[: raw.find(b",", raw.find(b",") + 1) + 1])
        elif isinstance(raw, str):
            text = raw
            validate = self._guessed.get(raw[: raw.find(",", raw.find(",") + 1) + 1])
        else:
            text = _json_text(raw)
            validate = None
        if validate is None:
            validate = self._learn(text)
            if validate is None:
                return self._decode_careful(text)
        try:
            framed: E = validate(text, by_name=False)  # wire names only
        except (_p.ValidationError, InexactNumber):
            return self._decode_careful(text)
        if framed.__pydantic_extra__ and not _j.finite(framed.__pydantic_extra__):
            return self._decode_careful(text)
        return framed

    def _learn(self, text: str | bytes) -> _t.Any:
        """``validate_json`` of the type and version a frame starts with (None: careful)."""
        found: re.Match[_t.Any] | None = (
            _GUESS_BYTES.match(text) if type(text) is bytes else _GUESS_TEXT.match(text)  # type: ignore[arg-type]
        )
        if found is None:
            return None
        name = found.group(1)
        name = name.decode("utf-8", "replace") if isinstance(name, bytes) else name
        version = int(found.group(2))
        if version not in self.messages.get(name, {}):
            return None
        validate = self.envelope_model(name, version).__pydantic_validator__.validate_json
        self._guessed[found.group(0)] = validate
        return validate

    def _decode_careful(self, text: str | bytes) -> E:
        """Frames the guess did not fit, and every refusal: read the type and version first;
        on any failure, judge the parsed value as the TypeScript package does."""
        if _j.non_finite(text):
            raise failed("", WORDS["not_json"].format(detail=WORDS["non_finite"]))
        long_digits = _j.LONG_DIGITS if isinstance(text, bytes) else _j.LONG_DIGITS_TEXT
        if long_digits.search(text) is None:  # type: ignore[arg-type]
            try:
                header = _Header.model_validate_json(text)
                if header.v in self.messages.get(header.type, {}):
                    model = self.envelope_model(header.type, header.v)
                    framed = model.model_validate_json(text, by_alias=True, by_name=False)
                    if not framed.__pydantic_extra__ or _j.finite(framed.__pydantic_extra__):
                        return framed
            except (_p.ValidationError, InexactNumber):
                pass
        try:
            value = _j.loads(text)
        except (ValueError, RecursionError) as exc:
            raise failed("", WORDS["not_json"].format(detail=exc)) from None
        return self.decode_value(value)

    def decode_value(self, value: _t.Any) -> E:
        """A parsed JSON value as an envelope, judged on the doubles a JSON reader holds: the
        mistakes of the frame, then of the data, then every number the message keeps that a
        double changed (an integer literal it cannot carry, a number beyond the largest)."""
        wide = _j.uncarried(value)
        doubles = _j.as_doubles(value) if wide else value
        errors = frame_errors(self.messages, doubles)
        if errors:
            raise DecodeError(errors)
        model = self.envelope_model(value["type"], int(value["v"]))
        lone = _j.lone_surrogates(doubles)
        probe = _j.without_lone_surrogates(doubles) if lone else doubles
        try:
            framed = model.model_validate(
                {**probe, "v": int(value["v"])}, by_alias=True, by_name=False, context=CAREFUL
            )
        except _p.ValidationError as exc:
            raise DecodeError(error_list(exc)) from None
        for path, text in lone:  # the message keeps the strings it was sent
            _j.put_back(framed, path, text)
        _refuse_changed(framed, wide)
        return framed

    def decode_data(self, name: str, version: int, data: _t.Any) -> _p.BaseModel:
        """``data`` (a JSON value, or a model) as the data of ``name`` v``version``: the model,
        or ``DecodeError`` with paths into ``data`` (``/room``, not ``/data/room``).
        ``ValueError`` when the registry has no such message version."""
        self.live(name, version)
        plain = _j.jsonable(data)
        try:
            return _t.cast(
                _p.BaseModel,
                self.decode({"type": name, "v": version, "id": "-", "data": plain}).data,
            )
        except DecodeError as exc:
            raise DecodeError([into_data(e) for e in exc.errors]) from None

    def live(self, name: str, version: int) -> list[int]:
        """The live versions of ``name``; ValueError unless ``version`` is one of them."""
        versions = self.messages.get(name)
        if versions is None:
            raise ValueError(f"{name!r} is not a message of this package")
        if isinstance(version, bool) or not isinstance(version, int) or version not in versions:
            raise ValueError(
                f"{name} has no live version {version!r} (live: {', '.join(map(str, versions))})"
            )
        return list(versions)

    def encode(self, msg: E | _p.BaseModel) -> bytes:
        """The envelope as canonical UTF-8 JSON: compact, keys in declaration order, numbers
        and strings as ``JSON.stringify`` writes them (the TypeScript package writes the same
        bytes); a bare message model gets a new envelope."""
        # pydantic's isinstance check runs in Python: the class's MRO says the same, faster
        framed = _t.cast(E, msg) if self._envelope in type(msg).__mro__ else self.envelope(msg)
        extra = framed.__pydantic_extra__
        if (extra and not _j.plain_extra(extra)) or (
            self._index_named and (framed.type, framed.v) in self._index_named
        ):
            return _encode_careful(framed)
        try:
            written: bytes = framed.__pydantic_serializer__.to_json(framed)
        except PydanticSerializationError:  # lone surrogates
            return _encode_careful(framed)
        if _j.WRITING.uncanonical:  # a number pydantic writes otherwise than ECMAScript
            _j.WRITING.uncanonical = False
            return _encode_careful(framed)
        return written


def frame_errors(messages: Models, value: _t.Any) -> list[dict[str, str]]:
    """The envelope's own mistakes, each key checked (as the TypeScript package does)."""
    if not isinstance(value, dict):
        return [{"path": "", "message": WORDS["not_envelope"]}]
    errors: list[dict[str, str]] = []
    name, version = value.get("type"), value.get("v")
    versions = messages.get(name) if isinstance(name, str) else None
    if versions is None:
        words = (
            WORDS["unknown_type"].format(name=_j.es_string(name))
            if isinstance(name, str)
            else WORDS["not_type"]
        )
        errors.append({"path": "/type", "message": words})
    integer = (isinstance(version, int) and not isinstance(version, bool)) or (
        isinstance(version, float) and version.is_integer()
    )
    if not integer:
        errors.append({"path": "/v", "message": WORDS["int_type"]})
    elif versions is not None and version not in versions:
        words = WORDS["not_live"].format(v=es_number(_t.cast(float, version)), name=name)
        errors.append({"path": "/v", "message": words})
    ident = value.get("id")
    if not isinstance(ident, str) or not ident:
        errors.append({"path": "/id", "message": WORDS["not_id"]})
    if not isinstance(value.get("data"), dict):
        errors.append({"path": "/data", "message": WORDS["model_type"]})
    return errors


def _refuse_changed(framed: _p.BaseModel, wide: list[tuple[str, int]]) -> None:
    """DecodeError for every number the message keeps that a double changed."""
    kept = _j.jsonable(framed.model_dump(mode="python", by_alias=True))
    refused = [
        {"path": path, "message": not_carried(number)}
        for path, number in wide
        if _j.holds_number(kept, path)
    ]
    seen = {e["path"] for e in refused}
    refused += [
        {"path": path, "message": WORDS["overflow"]}
        for path in _j.overflowed(kept)
        if path not in seen
    ]
    if refused:
        raise DecodeError(refused)


def into_data(error: dict[str, str]) -> dict[str, str]:
    """An error of a whole envelope with its path into the data (``/data/room`` -> ``/room``)."""
    path = error["path"]
    if path == "/data" or path.startswith("/data/"):
        path = path[len("/data") :]
    return {"path": path, "message": error["message"]}


def _json_text(raw: Raw) -> str | bytes:
    if isinstance(raw, (str, bytes)):
        return raw
    if isinstance(raw, (bytearray, memoryview)):
        return bytes(raw)
    if isinstance(raw, dict):
        try:
            return json.dumps(raw, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise failed("", f"not a JSON value: {exc}") from None
    raise TypeError(f"decode takes bytes, str or dict, not {type(raw).__name__}")


def _encode_careful(framed: _p.BaseModel) -> bytes:
    value = framed.model_dump(mode="python", by_alias=True)
    return _j.canonical_json(value).encode("utf-8")
