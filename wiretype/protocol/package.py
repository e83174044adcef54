"""What the core needs from a generated package, read from the imported module.

A generated package (``wiretype generate``, Python) exports what the runtime needs, under
names that the TypeScript package shares:

- ``PROTOCOL``: the registry's name and, per message, its live versions, its direction and
  the JSON Pointers of its sensitive fields;
- ``MESSAGES`` (name -> version -> model), ``decode``, ``decode_data(type, v, data)``,
  ``convert(type, data, from_v, to_v)``, ``DecodeError``;
- ``MAY_HOLD_NON_FINITE``: the versions whose data may hold any JSON value, which a frame
  validator of its own cannot vouch for (NaN is looked for in the text first).

A package generated before these names existed still works: its registry name comes from
its docstring, every message goes both ways with nothing sensitive, and every frame is read
the careful way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Annotated, Any, Literal

from ..errors import ConfigurationError
from . import envelope as env

DIRECTIONS = ("both", "client_to_server", "server_to_client")
_DOC_NAME = re.compile(r"Messages of the registry (\S+?):")


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """One message of a package: its live versions, who may send it, what is redacted."""

    name: str
    versions: tuple[int, ...]
    direction: str = "both"
    sensitive: frozenset[str] = frozenset()  # JSON pointers into the data

    @property
    def latest(self) -> int:
        return self.versions[-1]

    def sent_by_client(self) -> bool:
        return self.direction != "server_to_client"

    def sent_by_server(self) -> bool:
        return self.direction != "client_to_server"


class Package:
    """A generated package as the core sees it (possibly restricted to fewer versions)."""

    __slots__ = ("_decode_error", "_loose", "_module", "_validators", "messages", "name")

    def __init__(self, module: ModuleType, name: str, messages: Mapping[str, MessageInfo]):
        self._module = module
        self._decode_error: type[Exception] = module.DecodeError
        self._validators: dict[tuple[str, str], Any] = {}
        self._loose = _loose_versions(module)
        self.name = name
        self.messages: dict[str, MessageInfo] = dict(messages)

    @classmethod
    def from_module(
        cls,
        module: ModuleType,
        *,
        name: str | None = None,
        speaks: Mapping[str, Iterable[int]] | None = None,
    ) -> Package:
        for needed in ("MESSAGES", "decode", "upgrade", "downgrade", "DecodeError"):
            if not hasattr(module, needed):
                raise ConfigurationError(
                    f"{module.__name__} is not a generated wiretype package (no {needed})"
                )
        protocol = getattr(module, "PROTOCOL", None)
        described: Mapping[str, Any] = protocol.get("messages", {}) if protocol else {}
        messages = {
            message: MessageInfo(
                message,
                tuple(sorted(versions)),
                _direction(described.get(message, {}).get("direction", "both"), message),
                frozenset(described.get(message, {}).get("sensitive", ())),
            )
            for message, versions in module.MESSAGES.items()
        }
        registry = name or (protocol or {}).get("name") or _doc_name(module)
        package = cls(module, str(registry), messages)
        return package.restrict(speaks) if speaks else package

    def restrict(self, speaks: Mapping[str, Iterable[int]]) -> Package:
        """The same package speaking only the given versions of the messages named."""
        messages = dict(self.messages)
        for message, versions in speaks.items():
            info = messages.get(message)
            if info is None:
                raise ConfigurationError(f"speaks names {message!r}, not in {self.name}")
            kept = tuple(v for v in info.versions if v in set(versions))
            if not kept:
                raise ConfigurationError(f"speaks leaves no live version of {message}")
            messages[message] = MessageInfo(message, kept, info.direction, info.sensitive)
        return Package(self._module, self.name, messages)

    @property
    def module(self) -> ModuleType:
        return self._module

    def speaks(self) -> dict[str, list[int]]:
        return {name: list(info.versions) for name, info in self.messages.items()}

    def model(self, message: str, version: int) -> type[Any]:
        return self._module.MESSAGES[message][version]  # type: ignore[no-any-return]

    def is_decode_error(self, exc: BaseException) -> bool:
        return isinstance(exc, self._decode_error)

    def decode(self, raw: str | bytes | dict[str, Any]) -> Any:
        """The generated ``decode``: an Envelope, or the package's DecodeError."""
        return self._module.decode(raw)

    def validator_of(self, key: tuple[Any, ...]) -> Any:
        """``validator`` keyed by (message, version text) as a regex match gives them."""
        found = self._validators.get(key)
        return found if found is not None else self.validator(*key)

    def validator(self, message: str, version: str) -> Any:
        """The pydantic-core validator of a whole frame of (message, version): literal type
        and v, the id, the runtime keys and the data in one pass over the JSON text; None
        for a version this package does not have."""
        key = (message, version)
        found = self._validators.get(key)
        if found is None:
            info = self.messages.get(message)
            number = int(version) if version.isdigit() and len(version) < 6 else 0
            if info is None or number not in self._module.MESSAGES.get(message, {}):
                return None
            if self._loose is None or (message, number) in self._loose:
                return None  # data that may hold NaN or Infinity: read the careful way
            found = self._validators[key] = _frame_model(
                message, number, self._module.MESSAGES[message][number]
            ).__pydantic_validator__
        return found

    def decode_data(self, message: str, version: int, data: Any) -> Any:
        """The model of ``data`` as (message, version); DecodeError paths point into data."""
        decode_data = getattr(self._module, "decode_data", None)
        if decode_data is not None:
            return decode_data(message, version, data)
        frame = {"type": message, "v": version, "id": "-", "data": data}
        try:  # a package generated before decode_data
            return self._module.decode(frame).data
        except self._decode_error as exc:
            raise self._decode_error([_into_data(e) for e in exc.errors]) from None  # type: ignore[attr-defined]

    def decode_data_json(self, message: str, version: int, data_json: str) -> Any:
        """``decode_data`` of data given as JSON text (as a store or a broker keeps it): one
        pass of the frame validator when it is valid, else the careful way, which says what
        is wrong (a number the package refuses from inside validation, its
        ``InexactNumber``, goes the careful way too)."""
        validator = self.validator_of((message, str(version)))
        if validator is not None and not env.maybe_non_finite(data_json):
            frame = f'{{"type":{env.quote(message)},"v":{version},"id":"-","data":{data_json}}}'
            try:
                return validator.validate_json(frame, by_alias=True, by_name=False).data
            except (ValueError, ArithmeticError):
                pass
        return self.decode_data(message, version, json.loads(data_json))

    def convert(self, model: Any, to: int) -> Any:
        """``model`` at version ``to``, hop by hop through the generated shims, re-validated."""
        version = type(model).__wire_version__
        if version == to:
            return model
        convert = getattr(self._module, "convert", None)
        if convert is not None:
            return convert(type(model).__wire_name__, model, version, to)
        framed = self._module.envelope(model, id="-")  # a package generated before convert
        step = self._module.upgrade if to > version else self._module.downgrade
        return step(framed, to).data

    def dump_json(self, model: Any) -> str:
        """The data part of a message as compact JSON text."""
        return model.__pydantic_serializer__.to_json(  # type: ignore[no-any-return]
            model, by_alias=True
        ).decode("utf-8", "surrogatepass")

    def errors_of(self, exc: BaseException) -> list[dict[str, str]]:
        return [dict(e) for e in getattr(exc, "errors", [])][:100]


def _loose_versions(module: ModuleType) -> frozenset[tuple[str, int]] | None:
    """The message versions whose data may hold any JSON value (NaN must be refused in the
    text), as the package lists them; None when it does not say (all go careful)."""
    loose = getattr(module, "MAY_HOLD_NON_FINITE", None)
    return frozenset(loose) if isinstance(loose, frozenset) else None


def _frame_model(message: str, version: int, data_model: type[Any]) -> type[Any]:
    """A frame of one message version with its runtime keys typed (see envelope.py)."""
    import pydantic

    ident = Annotated[str, pydantic.Field(min_length=1, max_length=128)]
    count = Annotated[int, pydantic.Field(ge=0)]
    fields: dict[str, Any] = {
        "type": (Literal[message], ...),
        "v": (Literal[version], ...),
        "id": (ident, ...),
        "data": (data_model, ...),
        "ack": (bool, False),
        "ts": (count | None, None),
        "ttl": (count | None, None),
        "prio": (Annotated[int, pydantic.Field(ge=0, le=9)], 4),
        "re": (ident | None, None),
        "seq": (count | None, None),
        "epoch": (count | None, None),
    }
    model: type[Any] = pydantic.create_model(
        f"{data_model.__name__}Frame", __base__=_frame_base(), **fields
    )
    return model


_BASE: list[type[Any]] = []


def _frame_base() -> type[Any]:
    """The base of the frame models: strict, unknown keys ignored, and ``expires_at`` so a
    validated frame serves as its own header (``envelope.HeaderView``)."""
    if not _BASE:
        import pydantic

        class Frame(pydantic.BaseModel):
            model_config = pydantic.ConfigDict(extra="ignore", strict=True)
            ts: int | None = None
            ttl: int | None = None

            def expires_at(self) -> float | None:
                if self.ttl is None or self.ts is None:
                    return None
                return float(self.ts + self.ttl)

        _BASE.append(Frame)
    return _BASE[0]


def _into_data(error: Mapping[str, str]) -> dict[str, str]:
    path = error.get("path", "")
    if path == "/data" or path.startswith("/data/"):
        path = path[len("/data") :]
    return {"path": path, "message": error.get("message", "")}


def _direction(value: Any, message: str) -> str:
    if value not in DIRECTIONS:
        raise ConfigurationError(f"{message}: direction {value!r} is not one of {DIRECTIONS}")
    return str(value)


def _doc_name(module: ModuleType) -> str:
    found = _DOC_NAME.search(module.__doc__ or "")
    return found.group(1) if found else module.__name__.split(".")[0]


_RUNTIME: list[Package] = []


def runtime_package() -> Package:
    """The runtime's own messages (``wiretype.*``), from the shipped ``wiretype_protocol``."""
    if not _RUNTIME:
        import wiretype_protocol  # type: ignore[import-not-found,unused-ignore]

        full = Package.from_module(wiretype_protocol)
        messages = {
            name: info for name, info in full.messages.items() if name.startswith("wiretype.")
        }
        _RUNTIME.append(Package(wiretype_protocol, full.name, messages))
    return _RUNTIME[0]
