"""The registry as an AsyncAPI 3.0 document, for the tools teams already browse APIs with.

One WebSocket channel carries every message. Each message version is a
component message whose payload is its wire envelope (``type`` and ``v`` as
constants, ``id``, ``data``: the version's closed schema). Operations are
written from the server's side: it *receives* ``client_to_server`` messages,
*sends* ``server_to_client`` ones, and does both for ``both``.
"""

from __future__ import annotations

from typing import Any

from registry.compile.model import Definition, Version
from registry.json.pointer import unescape
from registry.schema.documents import Schemas
from registry.schema.emit import def_key

_CHANNEL = "wiretype"
_ACTIONS = {
    "client_to_server": ("receive",),
    "server_to_client": ("send",),
    "both": ("send", "receive"),
}


def _key(definition: Definition, version: Version) -> str:
    """A component key (AsyncAPI allows letters, digits, `.`, `-` and `_`)."""
    return f"{definition.name}.v{version.number}"


def _payload(
    schemas: Schemas, definition: Definition, version: Version, components: dict[str, Any]
) -> dict[str, Any]:
    """The envelope schema; the ``$defs`` it needs move to ``components/schemas``."""
    key = _key(definition, version)
    data = schemas.document(definition, version)
    data = dict(data) if isinstance(data, dict) else data  # shared: popped from a copy
    defs = data.pop("$defs", {}) if isinstance(data, dict) else {}
    if isinstance(data, dict):
        data.pop("$schema", None)
    shared = _shared_keys(schemas)
    names = {d: d if d in shared else f"{key}.{d}" for d in defs}
    here = f"#/components/messages/{key}/payload/properties/data"
    for name, body in defs.items():
        components[names[name]] = _rebase(body, names, here)
    return {
        "type": "object",
        "required": ["type", "v", "id", "data"],
        "properties": {
            "type": {"const": definition.name},
            "v": {"const": version.number},
            "id": {"type": "string", "minLength": 1},
            "data": _rebase(data, names, here),
        },
    }


def _shared_keys(schemas: Schemas) -> set[str]:
    return {def_key(d.name, v.number) for d in schemas.registry.types for v in d.versions}


def _rebase(node: Any, names: dict[str, str], here: str) -> Any:
    """Local references, rewritten to where their targets sit in the AsyncAPI document."""
    if isinstance(node, list):
        return [_rebase(item, names, here) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith("#"):
            out[key] = _target(value, names, here)
        elif key in ("enum", "const", "default", "examples"):
            out[key] = value
        else:
            out[key] = _rebase(value, names, here)
    return out


def _target(ref: str, names: dict[str, str], here: str) -> str:
    prefix = "#/$defs/"
    if ref.startswith(prefix):
        name, _, rest = ref[len(prefix) :].partition("/")
        name = unescape(name)
        if name in names:
            return f"#/components/schemas/{names[name]}" + (f"/{rest}" if rest else "")
    return here + ref[1:]


def _message(
    schemas: Schemas, definition: Definition, version: Version, components: dict[str, Any]
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": definition.name,
        "title": f"{definition.name} v{version.number}",
        "contentType": "application/json",
        "payload": _payload(schemas, definition, version, components),
    }
    description = version.description or definition.description
    if description:
        message["summary"] = description.splitlines()[0][:200]
        message["description"] = description
    if version.examples:
        message["examples"] = [
            {
                "name": f"example{i + 1}",
                "payload": {
                    "type": definition.name,
                    "v": version.number,
                    "id": f"example-{i + 1}",
                    "data": example,
                },
            }
            for i, example in enumerate(version.examples)
        ]
    return message


def asyncapi_document(schemas: Schemas, name: str) -> dict[str, Any]:
    """The registry as one AsyncAPI 3.0 document; ``name`` is the registry's name."""
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for definition in sorted(schemas.registry.messages, key=lambda d: d.name):
        for version in definition.versions:
            key = _key(definition, version)
            messages[key] = _message(schemas, definition, version, components)
            for action in _ACTIONS[definition.direction]:
                operations[f"{action}.{key}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{_CHANNEL}"},
                    "messages": [{"$ref": f"#/channels/{_CHANNEL}/messages/{key}"}],
                }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": name,
            "version": "1.0.0",
            "description": "Generated by wiretype from the registry; operations are the "
            "server's: it receives client_to_server messages and sends "
            "server_to_client ones.",
        },
        "defaultContentType": "application/json",
        "channels": {
            _CHANNEL: {
                "address": "/",
                "title": "The WebSocket connection",
                "messages": {key: {"$ref": f"#/components/messages/{key}"} for key in messages},
                "bindings": {"ws": {"bindingVersion": "0.1.0"}},
            }
        },
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(components.items()))},
    }
