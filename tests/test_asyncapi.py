"""``wiretype export asyncapi``: a valid AsyncAPI 3.0 document whose payloads validate messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from tests.helpers import CHAT, REPO, TESTS, run

ROOTS = {"runtime": REPO, "chat": CHAT}  # the runtime's protocol, the chat example


def _export(root: Any) -> dict[str, Any]:
    result = run("export", "asyncapi", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {name: _export(root) for name, root in ROOTS.items()}


@pytest.fixture(scope="module")
def document(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return documents["chat"]


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_document_is_valid_against_the_asyncapi_3_schema(
    documents: dict[str, dict[str, Any]], name: str
) -> None:
    spec = json.loads((TESTS / "asyncapi" / "asyncapi-3.0.0.schema.json").read_text())
    errors = [e.message for e in Draft7Validator(spec).iter_errors(documents[name])]
    assert errors == []


def test_every_message_version_is_a_component_with_operations(
    documents: dict[str, dict[str, Any]],
) -> None:
    runtime, chat = documents["runtime"], documents["chat"]
    assert "chat.message_sent.v3" in chat["components"]["messages"]
    assert "wiretype.hello.v1" in runtime["components"]["messages"]
    ops = runtime["operations"]
    assert ops["receive.wiretype.hello.v1"]["action"] == "receive"  # client_to_server
    assert ops["send.wiretype.welcome.v1"]["action"] == "send"  # server_to_client
    assert {"send.chat.typing.v1", "receive.chat.typing.v1"} <= set(chat["operations"])  # both
    assert "send.wiretype.hello.v1" not in ops


def _resolver_document(document: dict[str, Any], key: str) -> dict[str, Any]:
    """The envelope schema of one message, with the whole document to resolve its refs."""
    return {**document, "$ref": f"#/components/messages/{key}/payload"}


def test_payloads_accept_the_examples_and_resolve_shared_types(
    documents: dict[str, dict[str, Any]], document: dict[str, Any]
) -> None:
    for each in documents.values():
        for key, message in each["components"]["messages"].items():
            validator = Draft202012Validator(_resolver_document(each, key))
            for example in message.get("examples", []):
                assert validator.is_valid(example["payload"]), key
    messages = document["components"]["messages"]
    sent = Draft202012Validator(_resolver_document(document, "chat.message_sent.v1"))
    bad = messages["chat.message_sent.v1"]["examples"][0]["payload"]
    bad = {**bad, "data": {**bad["data"], "author": {"id": "x"}}}
    assert not sent.is_valid(bad)  # common.user requires a name: the $ref resolved


def test_export_to_a_file(tmp_path: Any) -> None:
    out = tmp_path / "asyncapi.json"
    assert run("export", "asyncapi", "--root", str(REPO), "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())["asyncapi"] == "3.0.0"
