"""What the core needs from a generated package, built from the imported module.

The seam with the generator. Today's generated module has ``MESSAGES`` (name → version →
model), ``decode``, ``upgrade``, ``downgrade``, ``DecodeError`` and models carrying
``__wire_name__`` / ``__wire_version__``. What it does not have yet is taken, in order, from:

1. a module attribute ``PROTOCOL`` (what the generator will emit)::

       PROTOCOL = {"name": "chat",
                   "messages": {"chat.message_sent": {"direction": "both",
                                                      "sensitive": ["/author/name"]}}}

2. the registry's YAML next to the package, when the package sits inside the project that
   generated it (``wiretype.yaml`` or ``[tool.wiretype]`` naming this Python package): each
   definition's ``direction`` and the fields marked ``sensitive: true``; the settings' ``name``;
3. the fallbacks: the registry name from the module's docstring ("Messages of the registry
   NAME"), else the module name; direction ``both``; nothing sensitive.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
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
        self._validators: dict[tuple[str, ...], Any] = {}
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
        described = _described(module)
        messages = {
            message: MessageInfo(
                message,
                tuple(sorted(versions)),
                _direction(described.get(message, {}).get("direction", "both"), message),
                frozenset(described.get(message, {}).get("sensitive", ())),
            )
            for message, versions in module.MESSAGES.items()
        }
        registry = name or described.get("", {}).get("name") or _doc_name(module)
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
        """The one-pass validator of (message, version text) as a regex match gives them
        (the server's inbound path). Besides ``ValueError`` for invalid frames it may raise
        the package's ``InexactNumber`` (an ``ArithmeticError``) for a number a double does
        not carry: the caller reads such a frame the careful way. None: always careful."""
        found = self._validators.get(key)
        if found is None and key not in self._validators:
            found = self._validators[key] = self._build(*key, wrap=False)
        return found

    def validator(self, message: str, version: str) -> Any:
        """The pydantic-core validator of a whole frame of (message, version): literal type
        and v, the id, the runtime keys and the data in one pass over the JSON text, failing
        only with ``ValueError``; None for a version this package does not have."""
        key = ("safe", message, version)
        if key not in self._validators:
            self._validators[key] = self._build(message, version, wrap=True)
        return self._validators[key]

    def _build(self, message: str, version: str, *, wrap: bool) -> Any:
        info = self.messages.get(message)
        number = int(version) if version.isdigit() and len(version) < 6 else 0
        if info is None or number not in self._module.MESSAGES.get(message, {}):
            return None
        if self._loose is None or (message, number) in self._loose:
            return None  # data that may hold NaN or Infinity: read the careful way
        model = self._module.MESSAGES[message][number]
        return _frame_model(message, number, model, wrap=wrap).__pydantic_validator__

    def decode_data(self, message: str, version: int, data: Any) -> Any:
        """The model of ``data`` as (message, version); DecodeError paths point into data."""
        frame = {"type": message, "v": version, "id": "-", "data": data}
        try:
            return self._module.decode(frame).data
        except self._decode_error as exc:
            raise self._decode_error([_into_data(e) for e in exc.errors]) from None  # type: ignore[attr-defined]

    def decode_data_json(self, message: str, version: int, data_json: str) -> Any:
        """``decode_data`` of data given as JSON text (as a store or a broker keeps it): one
        pass of the frame validator when it is valid, else the careful way, which says what
        is wrong."""
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
        framed = self._module.envelope(model, id="-")
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
    """The message versions whose data may hold a number the one-pass validator would let
    through (NaN, Infinity, an integer a double changes), which must be read the careful
    way: as an older codec lists them in ``_LOOSE``; none when the package's models refuse
    such numbers themselves (their runtime raises ``InexactNumber`` from inside validation,
    see ``_exact``); None when the package says neither (every frame goes careful)."""
    codec = getattr(module, "codec", None)
    loose = getattr(codec, "_LOOSE", None)
    if isinstance(loose, frozenset):
        return frozenset(loose)
    inexact = getattr(getattr(codec, "_rt", None), "InexactNumber", None)
    return frozenset() if isinstance(inexact, type) else None


def _frame_model(
    message: str, version: int, data_model: type[Any], *, wrap: bool = True
) -> type[Any]:
    """A frame of one message version with its runtime keys typed (see envelope.py); with
    ``wrap`` a number refused from inside validation is a ``ValueError`` too (``_exact``:
    about a microsecond a frame, which the server's hot path saves by catching it)."""
    import pydantic

    ident = Annotated[str, pydantic.Field(min_length=1, max_length=128)]
    count = Annotated[int, pydantic.Field(ge=0)]
    fields: dict[str, Any] = {
        "type": (Literal[message], ...),
        "v": (Literal[version], ...),
        "id": (ident, ...),
        "data": (
            Annotated[data_model, pydantic.WrapValidator(_exact)] if wrap else data_model,
            ...,
        ),
        "ack": (bool, False),
        "ts": (count | None, None),
        "ttl": (count | None, None),
        "prio": (Annotated[int, pydantic.Field(ge=0, le=9)], 4),
        "re": (ident | None, None),
        "seq": (count | None, None),
        "epoch": (count | None, None),
    }
    model: type[Any] = pydantic.create_model(
        f"{data_model.__name__}{'Frame' if wrap else 'FastFrame'}", __base__=_frame_base(), **fields
    )
    return model


def _exact(value: Any, handler: Any) -> Any:
    """A number the package refuses from inside validation (its ``InexactNumber``, an
    ``ArithmeticError``) fails the one pass like any invalid data: the frame then goes the
    careful way, which says where that number is."""
    try:
        return handler(value)
    except ArithmeticError:
        raise ValueError("a number a double does not carry") from None


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


def _described(module: ModuleType) -> dict[str, dict[str, Any]]:
    """name -> {direction, sensitive} from PROTOCOL or the registry's YAML; "" -> {name}."""
    protocol = getattr(module, "PROTOCOL", None)
    if isinstance(protocol, Mapping):
        described = {str(k): dict(v) for k, v in protocol.get("messages", {}).items()}
        described[""] = {"name": protocol.get("name")}
        return described
    return _from_yaml(module)


def _from_yaml(module: ModuleType) -> dict[str, dict[str, Any]]:
    where = getattr(module, "__file__", None)
    if not where:
        return {}
    found = _project_of(Path(where).resolve().parent, module.__name__.split(".")[0])
    if found is None:
        return {}
    root, settings = found
    described: dict[str, dict[str, Any]] = {"": {"name": settings.get("name")}}
    schemas = root / str(settings.get("schemas", "schemas"))
    for path in sorted(schemas.rglob("*.yaml")) if schemas.is_dir() else ():
        name = ".".join(path.relative_to(schemas).with_suffix("").parts)
        if name in module.MESSAGES:
            described[name] = _describe_file(path)
    return described


def _project_of(start: Path, package: str) -> tuple[Path, dict[str, Any]] | None:
    for folder in (start, *start.parents):
        settings = _settings_in(folder)
        if settings is not None:
            python = settings.get("python") or {}
            named = python.get("package") if isinstance(python, Mapping) else None
            return (folder, settings) if named == package else None
    return None


def _settings_in(folder: Path) -> dict[str, Any] | None:
    import yaml

    try:
        if (folder / "wiretype.yaml").is_file():
            loaded = yaml.safe_load((folder / "wiretype.yaml").read_text(encoding="utf-8"))
            return loaded if isinstance(loaded, dict) else {}
        if (folder / "pyproject.toml").is_file():
            table = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
            wiretype = table.get("tool", {}).get("wiretype")
            return wiretype if isinstance(wiretype, dict) else None
    except (OSError, ValueError, yaml.YAMLError):
        return None
    return None


def _describe_file(path: Path) -> dict[str, Any]:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(doc, dict):
        return {}
    sensitive: set[str] = set()
    for version in (doc.get("versions") or {}).values():
        if isinstance(version, dict):
            sensitive.update(_sensitive_paths(version.get("fields"), ""))
    return {"direction": doc.get("direction", "both"), "sensitive": sorted(sensitive)}


def _sensitive_paths(fields: Any, prefix: str) -> Iterable[str]:
    if not isinstance(fields, dict):
        return
    for name, spec in fields.items():
        if not isinstance(spec, dict):
            continue
        path = f"{prefix}/{name}"
        if spec.get("sensitive") is True:
            yield path
        yield from _sensitive_paths(spec.get("fields"), path)


# Who sends each of the runtime's own messages (the rest go both ways); kept here so that an
# installed runtime, without its schemas/, still knows.
RUNTIME_DIRECTIONS = {
    "wiretype.hello": "client_to_server",
    "wiretype.pong": "client_to_server",
    "wiretype.subscribe": "client_to_server",
    "wiretype.unsubscribe": "client_to_server",
    "wiretype.welcome": "server_to_client",
    "wiretype.ping": "server_to_client",
    "wiretype.presence": "server_to_client",
}
_RUNTIME: list[Package] = []


def runtime_package() -> Package:
    """The runtime's own messages (``wiretype.*``), from the shipped ``wiretype_protocol``."""
    if not _RUNTIME:
        import wiretype_protocol  # type: ignore[import-not-found,unused-ignore]

        full = Package.from_module(wiretype_protocol)
        messages = {
            name: MessageInfo(
                name, info.versions, RUNTIME_DIRECTIONS.get(name, "both"), info.sensitive
            )
            for name, info in full.messages.items()
            if name.startswith("wiretype.")
        }
        _RUNTIME.append(Package(wiretype_protocol, full.name, messages))
    return _RUNTIME[0]
