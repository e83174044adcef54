"""The seam with the generator: the runtime reads what a generated package exports
(``PROTOCOL``, ``MAY_HOLD_NON_FINITE``, ``decode_data``, ``convert``), never the YAML."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import wiretype_protocol

from tests.helpers import run, write_tree
from tests.runtime.helpers import APP, Clock, opened, read
from wiretype import Package
from wiretype._common import redacted
from wiretype.protocol.package import runtime_package

VAULT = {
    "wiretype.yaml": "name: vault\nschemas: schemas\n"
    "python: {package: vault_protocol, out: generated/python}\n",
    "schemas/common/owner.yaml": """\
kind: type
versions:
  1:
    fields:
      name: string
      pin: {type: string, sensitive: true}
""",
    "schemas/vault/opened.yaml": """\
direction: client_to_server
versions:
  1:
    fields:
      door: string
      password: {type: string, sensitive: true}
      owner: common.owner
      keys: {type: list, items: {fields: {label: string, secret: {type: string, sensitive: true}}}}
      safes: {type: map, values: {fields: {code: {type: string, sensitive: true}}}}
      card: {sensitive: true, fields: {number: {type: string, sensitive: true}}}
  2:
    fields:
      door: string
      passphrase: {type: string, sensitive: true}
      owner: common.owner
    migrate:
      rename: {password: passphrase}
      drop: [keys, safes, card]
      down:
        defaults: {keys: [], safes: {}, card: {number: ""}}
""",
    "schemas/vault/noted.yaml": """\
direction: server_to_client
versions:
  1:
    fields:
      note: any
""",
}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, Path]]:
    root = write_tree(tmp_path_factory.mktemp("vault"), VAULT)
    result = run("generate", "--root", str(root), "--lang", "python")
    assert result.exit_code == 0, result.stderr
    sys.path.insert(0, str(root / "generated" / "python"))
    try:
        yield importlib.import_module("vault_protocol"), root
    finally:
        sys.path.remove(str(root / "generated" / "python"))
        for name in [n for n in sys.modules if n.startswith("vault_protocol")]:
            del sys.modules[name]


def test_the_registry_is_described_by_the_package(vault: tuple[ModuleType, Path]) -> None:
    package = Package.from_module(vault[0])
    assert package.name == "vault"  # the settings' `name:`
    opened_, noted = package.messages["vault.opened"], package.messages["vault.noted"]
    assert (opened_.versions, opened_.direction) == ((1, 2), "client_to_server")
    assert (noted.versions, noted.direction) == ((1,), "server_to_client")
    assert opened_.sensitive == {
        "/password",
        "/passphrase",
        "/owner/pin",
        "/keys/*/secret",
        "/safes/*/code",
        "/card",
    }
    assert noted.sensitive == frozenset()


def test_the_yaml_is_not_read_again_once_generated(vault: tuple[ModuleType, Path]) -> None:
    module, root = vault
    message = root / "schemas" / "vault" / "opened.yaml"
    message.write_text(message.read_text().replace("client_to_server", "both"))
    assert Package.from_module(module).messages["vault.opened"].direction == "client_to_server"


def test_every_sensitive_value_is_redacted(vault: tuple[ModuleType, Path]) -> None:
    info = Package.from_module(vault[0]).messages["vault.opened"]
    data = {
        "door": "front",
        "password": "hunter2",
        "owner": {"name": "Ada", "pin": "1234"},
        "keys": [{"label": "a", "secret": "s1"}, {"label": "b", "secret": "s2"}],
        "safes": {"attic": {"code": "c1"}, "cellar": {"code": "c2"}},
        "card": {"number": "4111"},
    }
    shown = json.dumps(redacted(data, info.sensitive))
    for secret in ("hunter2", "1234", "s1", "s2", "c1", "c2", "4111"):
        assert secret not in shown
    assert "front" in shown and "Ada" in shown and '"label": "b"' in shown


def test_ordinary_versions_are_read_in_one_pass_and_loose_ones_carefully(
    vault: tuple[ModuleType, Path],
) -> None:
    package = Package.from_module(vault[0])
    assert frozenset({("vault.noted", 1)}) == vault[0].MAY_HOLD_NON_FINITE
    assert package.validator("vault.opened", "1") is not None
    assert package.validator("vault.noted", "1") is None  # `any`: NaN is looked for first
    assert APP.validator("chat.message_sent", "3") is not None


def test_decode_data_and_convert_come_from_the_package(vault: tuple[ModuleType, Path]) -> None:
    package = Package.from_module(vault[0])
    v1 = {
        "door": "d",
        "password": "p",
        "owner": {"name": "n", "pin": "0"},
        "keys": [],
        "safes": {},
        "card": {"number": "1"},
    }
    model = package.decode_data("vault.opened", 1, v1)
    up = package.convert(model, 2)
    assert (type(up).__name__, up.passphrase) == ("OpenedV2", "p")
    with pytest.raises(vault[0].DecodeError) as caught:
        package.decode_data("vault.opened", 1, {**v1, "owner": {"name": 1}})
    assert [e["path"] for e in caught.value.errors] == ["/owner/name", "/owner/pin"]


def test_an_integer_a_double_cannot_carry_is_nacked_on_the_one_pass_way() -> None:
    clock = Clock()
    conn = opened(clock)
    frame = {"type": "wiretype.pong", "v": 1, "id": "p1", "data": {"nonce": 2**53 + 1}}
    conn.receive_text(json.dumps(frame), clock.now)
    [nack] = read(conn.data_to_send())
    assert (nack["type"], nack["data"]["code"]) == ("wiretype.nack", "invalid")
    assert [e["path"] for e in nack["data"]["errors"]] == ["/nonce"]
    assert "cannot be carried exactly" in nack["data"]["errors"][0]["message"]


def test_the_runtime_package_is_the_shipped_one() -> None:
    runtime = runtime_package()
    assert runtime.name == "wiretype_protocol" and runtime.messages
    hello = wiretype_protocol.PROTOCOL["messages"]["wiretype.hello"]
    assert hello["direction"] == "client_to_server"
    assert runtime.messages["wiretype.welcome"].direction == "server_to_client"
    # the repository's registry is the runtime's protocol alone: the chat example is its own
    assert all(name.startswith("wiretype.") for name in wiretype_protocol.PROTOCOL["messages"])
    assert not any(name.startswith("wiretype.") for name in APP.messages)
