"""The repository's two registries and the tour of `make run`.

``schemas/`` is the runtime's protocol alone (``wiretype.*``, shipped as ``wiretype_protocol``);
``examples/chat`` is the chat example, laid out as a user's project. Both check against their
locks and have up-to-date generated packages; the tour serves the example and shows the same
message arriving at a v1 client and a v3 client, each in its own version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import CHAT, REPO, run

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("root", [REPO, CHAT], ids=["runtime", "chat"])
def test_each_registry_checks_and_its_generated_code_is_up_to_date(root: Path) -> None:
    checked = run("check", "--root", str(root))
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    fresh = run("generate", "--check", "--root", str(root))
    assert fresh.exit_code == 0, fresh.stdout + fresh.stderr


def test_the_repository_registry_is_the_runtime_protocol_alone() -> None:
    names = [p.relative_to(REPO / "schemas").parts[0] for p in (REPO / "schemas").rglob("*.yaml")]
    assert set(names) == {"wiretype"}
    locked = (REPO / "wiretype.lock").read_text().splitlines()
    assert [e for e in locked if e and not e.startswith(("#", "wiretype."))] == []
    # the runtime's own package is the one generated from schemas/, and what it uses for frames
    import wiretype_protocol

    from wiretype.protocol.package import runtime_package

    shipped = Path(wiretype_protocol.__file__).resolve().parent
    assert shipped == REPO / "generated" / "python" / "wiretype_protocol"
    assert runtime_package().module is wiretype_protocol
    assert {n.split(".")[0] for n in wiretype_protocol.PROTOCOL["messages"]} == {"wiretype"}


def test_the_chat_example_is_a_project_of_its_own() -> None:
    settings = yaml.safe_load((CHAT / "wiretype.yaml").read_text())
    assert settings["name"] == "chat"
    package = settings["python"]["package"]
    assert (CHAT / settings["python"]["out"] / package / "models.py").is_file()
    npm = settings["typescript"]["package"].rsplit("/", 1)[-1]
    assert (CHAT / settings["typescript"]["out"] / npm / "src" / "index.ts").is_file()
    assert (CHAT / "schemas" / "chat" / "message_sent.yaml").is_file()
    assert "chat.message_sent@3" in (CHAT / "wiretype.lock").read_text()
    for script in ("server.py", "client.py", "tour.py"):
        assert (CHAT / script).is_file(), script


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    transcript = tmp_path_factory.mktemp("tour") / "transcript.json"
    done = subprocess.run(
        [sys.executable, str(CHAT / "tour.py"), "--transcript", str(transcript)],
        cwd=CHAT, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, json.loads(transcript.read_text())


def _received(side: dict[str, Any], ident: str) -> dict[str, Any]:
    [got] = [m for m in side["received"] if m["data"]["id"] == ident]
    return got


def test_the_v1_client_reads_the_v3_clients_message_as_v1(tour: tuple[str, Any]) -> None:
    _, sides = tour
    v1, v3 = sides["ada"], sides["bob"]
    assert (v1["speaks"], v3["speaks"]) == (1, 3)
    [sent] = v3["sent"]
    assert (sent["v"], sent["data"]["priority"]) == (3, "alert")
    got = _received(v1, sent["data"]["id"])
    assert got["v"] == 1
    assert got["data"]["text"] == sent["data"]["body"]
    assert "body" not in got["data"] and "mentions" not in got["data"]
    assert got["data"]["priority"] == "high"  # v3 alert -> v2 urgent -> v1 high


def test_the_v3_client_reads_the_v1_clients_message_as_v3(tour: tuple[str, Any]) -> None:
    _, sides = tour
    v1, v3 = sides["ada"], sides["bob"]
    [sent] = v1["sent"]
    assert (sent["v"], sent["data"]["priority"]) == (1, "high")
    got = _received(v3, sent["data"]["id"])
    assert got["v"] == 3
    assert got["data"]["body"] == sent["data"]["text"]
    assert "text" not in got["data"]
    assert (got["data"]["priority"], got["data"]["mentions"], got["data"]["edited"]) == (
        "notify", [], False)  # fmt: skip


def test_the_tour_prints_each_side_and_stops_cleanly(tour: tuple[str, Any]) -> None:
    out, sides = tour
    for line in ("ada sent (v1)", "bob sent (v3)", "ada received (v1)", "bob received (v3)",
                 "server: drained and stopped"):  # fmt: skip
        assert line in out, line
    assert sides["server"]["exit"] == 0
    # each sender reads its own message back in its own version too
    for side in (sides["ada"], sides["bob"]):
        [sent] = side["sent"]
        assert _received(side, sent["data"]["id"])["data"] == sent["data"]


def test_the_tour_fails_when_the_server_cannot_start(tmp_path: Path) -> None:
    """A tour that cannot run says so and exits 1, with no traceback and no process left."""
    copy = tmp_path / "chat"
    copy.mkdir()
    for script in ("tour.py", "client.py"):
        (copy / script).write_text((CHAT / script).read_text())
    (copy / "server.py").write_text("import sys\nsys.exit(3)\n")
    done = subprocess.run([sys.executable, str(copy / "tour.py")], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1
    assert "tour failed: server: ended (exit 3)" in done.stderr
    assert "Traceback" not in done.stderr
