"""The generated Python package: golden files, determinism, mypy --strict, and behaviour
(the example registry and a hostile one), plus property tests of the shims."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.check.project import Loaded
from registry.cli.project import load_project
from registry.json.formats import FORMAT_PATTERNS, calendar_formats, days_in_month
from registry.json.numbers import MAX_EXACT
from registry.load.settings import load_config
from registry.render.python import render_python
from registry.schema.emit import version_document
from registry.write.files import MANIFEST
from tests.helpers import CHAT, REPO, UPDATE_GOLDEN, write_tree

# The two registries of the repository: the runtime's protocol (schemas/, generated/) and the
# chat example, a user's project of its own (examples/chat). name -> (root, package).
PROJECTS = {"runtime": (REPO, "wiretype_protocol"), "chat": (CHAT, "chat_protocol")}
EVIL = 'ends """ here \'\'\' */ \u2028 line\u2029sep ${x} </script> "quote" back\\slash \x00nul \\'


def _example(project: str = "runtime") -> Loaded:
    return load_project(load_config(PROJECTS[project][0]))


def _render(loaded: Loaded) -> dict[str, str]:
    rendered = render_python(loaded, loaded.config.python, None)
    assert not rendered.findings, rendered.findings
    return dict(rendered.files)


def _import(out: Path, package: str) -> ModuleType:
    """Import a generated package from ``out`` (fresh, even if one of that name was loaded)."""
    for name in [n for n in sys.modules if n == package or n.startswith(f"{package}.")]:
        del sys.modules[name]
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(out))


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def project(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def example_files(project: str) -> dict[str, str]:
    return _render(_example(project))


def _package(project: str, factory: pytest.TempPathFactory) -> ModuleType:
    out = write_tree(factory.mktemp(project), _render(_example(project)))
    return _import(out, PROJECTS[project][1])


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The runtime's own package (wiretype.*), rendered from schemas/."""
    return _package("runtime", tmp_path_factory)


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The chat example's package (chat.*, common.user), rendered from examples/chat."""
    return _package("chat", tmp_path_factory)


@pytest.fixture(scope="module")
def packages(pkg: ModuleType, chat: ModuleType) -> dict[str, ModuleType]:
    return {"runtime": pkg, "chat": chat}


# --- golden files, determinism, drift --------------------------------------------------------


def test_golden_files_are_the_committed_package(
    project: str, example_files: dict[str, str]
) -> None:
    """generated/python of each registry is the golden copy: what the renderer makes for it."""
    golden = PROJECTS[project][0] / "generated" / "python"
    if UPDATE_GOLDEN:
        shutil.rmtree(golden, ignore_errors=True)
        write_tree(golden, example_files)
    committed = {
        p.relative_to(golden).as_posix(): p.read_text(encoding="utf-8")
        for p in golden.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name != MANIFEST
    }
    assert committed == example_files, (
        "run `wiretype generate --lang python` "
        "(or WIRETYPE_UPDATE_GOLDEN=1 pytest tests/test_render_python.py)"
    )


def _digest(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def test_second_run_and_another_hash_seed_are_identical(
    project: str, example_files: dict[str, str]
) -> None:
    assert _render(_example(project)) == example_files
    code = (
        "import hashlib, json; from registry.load.settings import load_config; "
        "from registry.cli.project import load_project as load; from registry.render.python import "
        "render_python; from pathlib import Path; l = load(load_config(Path('.'))); "
        "f = dict(render_python(l, l.config.python, None).files); "
        "print(hashlib.sha256(json.dumps(f, sort_keys=True).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242", "WIRETYPE_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECTS[project][0],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == _digest(example_files)


def test_every_file_has_a_header(project: str, example_files: dict[str, str]) -> None:
    name = _example(project).config.registry_name
    for path, text in example_files.items():
        assert text.startswith(f"# Generated by wiretype from the registry {name}"), path
        assert "Do not edit" in text.splitlines()[0]


def test_mypy_strict_passes_on_the_package(
    tmp_path: Path, project: str, example_files: dict[str, str]
) -> None:
    out = write_tree(tmp_path, example_files)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", PROJECTS[project][1]],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- behaviour on the example registry --------------------------------------------------------


def _examples() -> Iterator[tuple[str, str, int, Any]]:
    for project in sorted(PROJECTS):
        for definition in _example(project).registry.messages:
            for version in definition.versions:
                for example in version.examples:
                    yield project, definition.name, version.number, example


@pytest.mark.parametrize(("project_name", "name", "version", "data"), list(_examples()))
def test_examples_decode_and_round_trip(
    packages: dict[str, ModuleType], project_name: str, name: str, version: int, data: Any
) -> None:
    pkg = packages[project_name]
    frame = {"type": name, "v": version, "id": "m-1", "data": data, "seq": 4}
    for raw in (json.dumps(frame), json.dumps(frame).encode(), frame):
        msg = pkg.decode(raw)
        assert (msg.type, msg.v, msg.id, msg.model_extra) == (name, version, "m-1", {"seq": 4})
        again = pkg.decode(pkg.encode(msg))
        assert pkg.encode(again) == pkg.encode(msg)
    written = json.loads(pkg.encode(msg))["data"]
    for key, value in data.items():
        if isinstance(value, dict):  # nested defaults are filled in too
            assert value.items() <= written[key].items()
        else:
            assert written[key] == value


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"nonce": "1"}, "/data/nonce"),
        ({"nonce": 1.5}, "/data/nonce"),
        ({"nonce": True}, "/data/nonce"),
        ({"nonce": -1}, "/data/nonce"),
        ({}, "/data/nonce"),
        ([], "/data"),
    ],
)
def test_invalid_messages_raise_decode_error(pkg: ModuleType, data: Any, path: str) -> None:
    with pytest.raises(pkg.DecodeError) as caught:
        pkg.decode({"type": "wiretype.ping", "v": 1, "id": "x", "data": data})
    assert isinstance(caught.value, ValueError)
    assert [e["path"] for e in caught.value.errors] == [path]


def test_exact_numbers(pkg: ModuleType) -> None:
    def ping(nonce: bytes) -> bytes:
        return b'{"type":"wiretype.ping","v":1,"id":"x","data":{"nonce":' + nonce + b"}}"

    for text, value in (
        (b"1.0", 1),
        (b"1e20", 10**20),
        (b"9.3e18", 93 * 10**17),
        (b"9007199254740992", 2**53),
        (b"1152921504606846976", 2**60),
    ):
        msg = pkg.decode(ping(text))
        assert msg.data.nonce == value and isinstance(msg.data.nonce, int), text
    for big in (10**30, 2**53 + 1):  # a double would change them: refused, by path
        for raw in (
            ping(str(big).encode()),
            {"type": "wiretype.ping", "v": 1, "id": "x", "data": {"nonce": big}},
        ):
            with pytest.raises(pkg.DecodeError) as caught:
                pkg.decode(raw)
            assert [e["path"] for e in caught.value.errors] == ["/data/nonce"]
            assert f"integer {big} cannot be carried exactly" in caught.value.errors[0]["message"]
    for bad in (b'{"nonce":NaN}', b'{"nonce":Infinity}'):
        with pytest.raises(pkg.DecodeError):
            pkg.decode(b'{"type":"wiretype.ping","v":1,"id":"x","data":' + bad + b"}")


def test_formats_are_checked(chat: ModuleType) -> None:
    pkg = chat

    def frame(sent_at: str) -> dict[str, Any]:
        return {
            "type": "chat.message_edited",
            "v": 1,
            "id": "x",
            "data": {
                "id": "2a1b0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d",
                "room": "r",
                "body": "",
                "edited_at": sent_at,
            },
        }

    assert pkg.decode(frame("2024-02-29T10:00:00Z"))
    for bad in ("2023-02-29T10:00:00Z", "2026-03-02T10:05:00Z\n", "2026-03-02"):
        with pytest.raises(pkg.DecodeError) as caught:
            pkg.decode(frame(bad))
        assert caught.value.errors[0]["path"] == "/data/edited_at"


def test_optional_fields_stay_absent_and_defaults_are_written(pkg: ModuleType) -> None:
    msg = pkg.decode({"type": "wiretype.status", "v": 1, "id": "x", "data": {"state": "open"}})
    assert json.loads(pkg.encode(msg))["data"] == {"state": "open", "reason": "normal"}
    with pytest.raises(pkg.DecodeError):  # optional is not nullable
        pkg.decode(
            {
                "type": "wiretype.status",
                "v": 1,
                "id": "x",
                "data": {"state": "open", "detail": None},
            }
        )


def test_encode_is_compact_ordered_utf8(chat: ModuleType) -> None:
    pkg = chat
    raw = {
        "type": "chat.reaction_added",
        "v": 1,
        "id": "é",
        "ack": True,
        "data": {
            "emoji": "👍",
            "room": "lobby",
            "user_id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11",
            "message_id": "2a1b0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d",
            "junk": 1,
        },
    }
    text = pkg.encode(pkg.decode(raw))
    assert text.decode("utf-8") == (
        '{"type":"chat.reaction_added","v":1,"id":"é","data":{"message_id":'
        '"2a1b0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d","room":"lobby","user_id":'
        '"7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11","emoji":"👍"},"ack":true}'
    )


def test_bare_model_gets_an_envelope(pkg: ModuleType, chat: ModuleType) -> None:
    frame = json.loads(pkg.encode(pkg.Ping(nonce=3)))
    assert (frame["type"], frame["v"], frame["data"]) == ("wiretype.ping", 1, {"nonce": 3})
    assert len(frame["id"]) == 36
    with pytest.raises(TypeError):
        chat.encode(chat.User(id_="7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", name="Ada"))


def test_shims_follow_the_migrations(chat: ModuleType) -> None:
    pkg = chat
    v1 = pkg.decode(
        {
            "type": "chat.message_sent",
            "v": 1,
            "id": "x",
            "ts": 5,
            "data": {
                "id": "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                "room": "lobby",
                "text": "hi",
                "sent_at": "2026-03-01T09:30:00Z",
                "priority": "high",
                "reply_to": None,
                "author": {"id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "name": "Ada"},
            },
        }
    )
    v3 = pkg.upgrade(v1)
    assert (v3.v, v3.data.body, v3.data.priority, v3.model_extra) == (3, "hi", "notify", {"ts": 5})
    assert pkg.encode(pkg.downgrade(v3, 1)) == pkg.encode(v1)
    with pytest.raises(ValueError, match="downgrade"):
        pkg.upgrade(v3, 1)
    with pytest.raises(ValueError, match="no live version"):
        pkg.downgrade(v3, 7)


@pytest.mark.parametrize(
    ("project_name", "name"), [("runtime", "wiretype_protocol"), ("chat", "chat")]
)
def test_protocol_describes_every_message(
    packages: dict[str, ModuleType], project_name: str, name: str
) -> None:
    loaded = _example(project_name)
    pkg = packages[project_name]
    protocol = pkg.PROTOCOL
    assert protocol["name"] == name
    assert loaded.config.registry_name == name
    assert sorted(protocol["messages"]) == sorted(pkg.MESSAGES)
    for definition in loaded.registry.messages:
        described = protocol["messages"][definition.name]
        versions = [v.number for v in definition.versions]
        assert described == {
            "versions": versions,
            "latest": versions[-1],
            "direction": definition.direction,
            "sensitive": [],
        }
    assert not pkg.MAY_HOLD_NON_FINITE  # no `any` field, no raw schema


def test_decode_data_and_convert(chat: ModuleType) -> None:
    pkg = chat
    data = {
        "id": "1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
        "room": "lobby",
        "text": "hi",
        "sent_at": "2026-03-01T09:30:00Z",
        "reply_to": None,
        "author": {"id": "7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "name": "Ada"},
    }
    v1 = pkg.decode_data("chat.message_sent", 1, data)
    assert type(v1) is pkg.MessageSentV1 and v1.priority == "normal"
    v3 = pkg.convert("chat.message_sent", v1, 1, 3)
    assert type(v3) is pkg.MessageSentV3 and v3.body == "hi"
    assert pkg.convert("chat.message_sent", data, 1, 1) == v1
    with pytest.raises(pkg.DecodeError) as caught:
        pkg.decode_data("chat.message_sent", 1, {**data, "author": {"id": "x", "name": 1}})
    assert [e["path"] for e in caught.value.errors] == ["/author/id", "/author/name"]
    for bad in (
        lambda: pkg.decode_data("chat.message_sent", 4, data),
        lambda: pkg.decode_data("chat.nope", 1, data),
        lambda: pkg.convert("chat.message_sent", data, 1, 4),
    ):
        with pytest.raises(ValueError, match=r"no live version|not a message") as refused:
            bad()
        assert not isinstance(refused.value, pkg.DecodeError)


def test_calendar_patterns_equal_formats_py() -> None:
    import re

    @given(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"))
    def same(text: str) -> None:
        plain = re.search(FORMAT_PATTERNS["date"], text)
        expected = plain is not None and int(plain.group(3)) <= days_in_month(
            int(plain.group(1)), int(plain.group(2))
        )
        assert (re.search(calendar_formats()["date"], text) is not None) == expected

    same()
    for year in range(1896, 2404):
        for day in (28, 29, 30, 31):
            text = f"{year:04d}-02-{day}"
            assert (re.search(calendar_formats()["date"], text) is not None) == (
                day <= days_in_month(year, 2)
            )


# --- property tests of the shims ---------------------------------------------------------------
# (hypothesis-jsonschema does not run with the installed hypothesis, so a small strategy
# builder for the schemas wiretype writes stands in for it)

_FORMAT_SAMPLES = {
    "uuid": ["7d0c4e55-2f1a-4b8e-9a51-0c7a2e6f1b11", "2A1B0C9D-8E7F-4A6B-9C5D-4E3F2A1B0C9D"],
    "date-time": ["2026-03-01T09:30:00Z", "2024-02-29t23:59:60.123-05:30"],
    "date": ["2024-02-29"],
    "time": ["09:30:00Z"],
    "email": ["a.b@example.org"],
    "uri": ["https://example.org/x?y#z", "urn:isbn:0451450523"],
}


def from_schema(schema: Any, defs: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Valid instances of a JSON Schema as wiretype writes it."""
    defs = schema.get("$defs", {}) if defs is None else defs
    if "$ref" in schema:
        return from_schema(defs[schema["$ref"].split("/")[-1]], defs)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(branch, defs) for branch in schema[key]])
    return _STRATEGIES.get(schema.get("type"), lambda s, d: st.none())(schema, defs)


def _object(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    props = {k: from_schema(v, defs) for k, v in schema.get("properties", {}).items()}
    required = set(schema.get("required", []))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        return st.dictionaries(st.text(max_size=8), from_schema(extra, defs), max_size=3)
    return st.fixed_dictionaries(
        {k: v for k, v in props.items() if k in required},
        optional={k: v for k, v in props.items() if k not in required},
    )


def _string(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "format" in schema:
        return st.sampled_from(_FORMAT_SAMPLES[schema["format"]])
    return st.text(
        min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 20), 20)
    )


_STRATEGIES: dict[Any, Any] = {
    "object": _object,
    "string": _string,
    "array": lambda s, d: st.lists(
        from_schema(s.get("items", {}), d),
        min_size=s.get("minItems", 0),
        max_size=min(s.get("maxItems", 4), 4),
        unique=bool(s.get("uniqueItems")),
    ),
    # integers a double carries: the packages refuse any other (9007199254740993 is no message)
    "integer": lambda s, d: st.integers(
        min_value=max(s.get("minimum", -MAX_EXACT), -MAX_EXACT),
        max_value=min(s.get("maximum", MAX_EXACT), MAX_EXACT),
    ),
    "number": lambda s, d: st.floats(
        min_value=s.get("minimum"),
        max_value=s.get("maximum"),
        allow_nan=False,
        allow_infinity=False,
    ),
    "boolean": lambda s, d: st.booleans(),
    "null": lambda s, d: st.none(),
}


def _migrations() -> Iterator[tuple[str, str, int, int, Any]]:
    for project in sorted(PROJECTS):
        loaded = _example(project)
        for definition in loaded.registry.messages:
            for older, newer in zip(definition.versions, definition.versions[1:], strict=False):
                schema = version_document(loaded.registry, definition, older, closed=True)
                yield project, definition.name, older.number, newer.number, schema


@pytest.mark.parametrize(("project_name", "name", "older", "newer", "schema"), list(_migrations()))
def test_upgrade_gives_valid_messages_and_downgrade_undoes_it(
    packages: dict[str, ModuleType],
    *,
    project_name: str,
    name: str,
    older: int,
    newer: int,
    schema: Any,
) -> None:
    pkg = packages[project_name]

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(from_schema(schema))
    def check(data: Any) -> None:
        msg = pkg.decode({"type": name, "v": older, "id": "x", "data": data})
        up = pkg.upgrade(msg, newer)
        assert up.v == newer
        assert pkg.decode(pkg.encode(up)).v == newer
        if "tags" not in data:  # the only field a migration of the example drops
            assert pkg.encode(pkg.downgrade(up, older)) == pkg.encode(msg)

    check()


# --- the hostile registry -----------------------------------------------------------------------


def _hostile_files() -> dict[str, str]:
    thing = {
        "description": EVIL,
        "versions": {
            1: {
                "description": EVIL,
                "fields": {
                    "class": {"type": "string", "description": EVIL},
                    "from": {"type": "int", "default": 0},
                    "type": {
                        "enum": ['a"b', "line\nbreak", "back\\slash", "'''", '"""', EVIL],
                        "default": 'a"b',
                    },
                    "self": {"type": "string", "default": 'q " \'\'\' """ \\'},
                    "constructor": "bool",
                    "__proto__": {"type": "string", "required": False},
                    "with space": {"type": "string", "pattern": "^[a-z ]+$"},
                    "kebab-name": "int?",
                    "123start": {"type": "float", "required": False},
                    "é": {"type": "string", "required": False},
                    "model_config": {"type": "string", "required": False},
                    "node": "evil.node",
                    "shape": {"one_of": ["evil.circle", "evil.square"], "discriminator": "kind"},
                    "look": {"type": "string", "pattern": "^(?=a)a+$", "required": False},
                },
                "examples": [
                    {
                        "class": "c",
                        "constructor": True,
                        "with space": "a b",
                        "kebab-name": None,
                        "node": {"children": [{"children": []}]},
                        "shape": {"kind": "circle", "r": 1},
                    }
                ],
            }
        },
    }
    node = {
        "kind": "type",
        "description": EVIL,
        "versions": {
            1: {
                "fields": {
                    "children": "list[evil.node]",
                    "label": {"type": "string", "required": False},
                }
            }
        },
    }
    circle = {
        "kind": "type",
        "versions": {1: {"fields": {"kind": {"const": "circle"}, "r": "float"}}},
    }
    square = {
        "kind": "type",
        "versions": {1: {"fields": {"kind": {"const": "square"}, "side": "float"}}},
    }
    multi = {
        "description": "three versions",
        "versions": {
            1: {
                "fields": {
                    "name": "string",
                    "level": {"enum": ["low", "high"]},
                    "amount": "int",
                    "place": "string",
                }
            },
            2: {
                "fields": {
                    "title": "string",
                    "level": {"enum": ["quiet", "high"]},
                    "amount": "int",
                    "place": "string",
                    "flag": "bool",
                },
                "migrate": {
                    "rename": {"name": "title"},
                    "values": {"level": {"low": "quiet"}},
                    "defaults": {"flag": False},
                },
            },
            3: {
                "fields": {
                    "title": "string",
                    "level": {"enum": ["quiet", "high"]},
                    "amount": "string",
                    "location": {"fields": {"city": "string"}},
                    "flag": "bool",
                },
                "migrate": {
                    "move": {"place": "location.city"},
                    "convert": {"amount": "int_to_string"},
                },
            },
        },
    }
    settings_text = "python: {package: hostile_pkg, out: out}\ncompatibility: none\n"
    dump = {"sort_keys": False, "allow_unicode": False}
    return {
        "wiretype.yaml": settings_text,
        "schemas/evil/thing.yaml": yaml.safe_dump(thing, **dump),
        "schemas/evil/node.yaml": yaml.safe_dump(node, **dump),
        "schemas/evil/circle.yaml": yaml.safe_dump(circle, **dump),
        "schemas/evil/square.yaml": yaml.safe_dump(square, **dump),
        "schemas/evil/multi.yaml": yaml.safe_dump(multi, **dump),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, dict[str, str], Path]:
    root = write_tree(tmp_path_factory.mktemp("hostile"), _hostile_files())
    loaded = load_project(load_config(root))
    assert not [f for f in loaded.findings if f.is_error], loaded.findings
    files = dict(render_python(loaded, loaded.config.python, None).files)
    out = write_tree(root / "out", files)
    return _import(out, "hostile_pkg"), files, out


def test_hostile_text_stays_in_literals(hostile: tuple[ModuleType, dict[str, str], Path]) -> None:
    pkg, files, _ = hostile
    for path, text in files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
            assert "\u2028" not in text and "\x00" not in text, path
    doc = pkg.ThingV1.__doc__
    assert doc == EVIL.strip()
    assert pkg.ThingV1.model_fields["class_"].description == EVIL
    assert pkg.ThingV1.model_fields["with_space"].alias == "with space"


def test_hostile_mypy_strict(hostile: tuple[ModuleType, dict[str, str], Path]) -> None:
    _, _, out = hostile
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "hostile_pkg"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hostile_package_behaves(hostile: tuple[ModuleType, dict[str, str], Path]) -> None:
    pkg, _, _ = hostile
    data = {
        "class": "c",
        "constructor": True,
        "with space": "a b",
        "kebab-name": None,
        "é": "ü",
        "123start": 2,
        "__proto__": "p",
        "node": {"children": [{"children": [], "label": "leaf"}]},
        "shape": {"kind": "square", "side": 2.5},
        "look": "aa",
    }
    msg = pkg.decode({"type": "evil.thing", "v": 1, "id": "x", "data": data})
    out = json.loads(pkg.encode(msg))["data"]
    assert out["with space"] == "a b" and out["class"] == "c" and out["type"] == 'a"b'
    assert out["self"] == 'q " \'\'\' """ \\' and out["from"] == 0
    assert out["node"] == {"children": [{"children": [], "label": "leaf"}]}
    assert out["shape"] == {"kind": "square", "side": 2.5}
    assert msg.data.class_ == "c" and msg.data.f_123start == 2
    for bad in (
        {"with space": "A"},
        {"look": "b"},
        {"shape": {"kind": "circle", "side": 1}},
        {"type": "zzz"},
        {"node": {"children": [{"children": "no"}]}},
    ):
        with pytest.raises(pkg.DecodeError):
            pkg.decode({"type": "evil.thing", "v": 1, "id": "x", "data": {**data, **bad}})
    enum_value = next(
        v for v in pkg.ThingV1.model_fields["type_"].annotation.__args__ if v.startswith("ends")
    )
    assert enum_value == EVIL


def test_hostile_three_versions_migrate(hostile: tuple[ModuleType, dict[str, str], Path]) -> None:
    pkg, _, _ = hostile
    v1 = pkg.decode(
        {
            "type": "evil.multi",
            "v": 1,
            "id": "x",
            "data": {"name": "n", "level": "low", "amount": -12, "place": "Oslo"},
        }
    )
    v3 = pkg.upgrade(v1)
    assert json.loads(pkg.encode(v3))["data"] == {
        "title": "n",
        "level": "quiet",
        "amount": "-12",
        "location": {"city": "Oslo"},
        "flag": False,
    }
    assert pkg.encode(pkg.downgrade(v3, 1)) == pkg.encode(v1)
    assert pkg.downgrade(v3, 2).data.flag is False
