"""The generated TypeScript package: golden files, determinism, tsc --strict, Node tests.

The Node side (``tests/ts/*.test.mjs``) runs against packages this module builds
into a temporary folder (``WIRETYPE_TS_BUILD``): the example registry, a hostile
registry, and validators for the JSON Schema Test Suite. Node and the root
``node_modules`` (``npm ci``) are required: without them these tests fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.check.project import Loaded
from registry.cli.project import load_project
from registry.load.settings import load_config
from registry.render.python import render_python
from registry.render.ts_checks import FORMAT_FUNCTIONS
from registry.render.ts_node import NotGenerated
from registry.render.ts_report_refs import HANDLERS
from registry.render.ts_validators import SchemaCompiler
from registry.render.typescript import render_typescript
from registry.write.files import MANIFEST
from tests.helpers import CHAT, REPO, TESTS, UPDATE_GOLDEN, write_tree

# The two registries of the repository: the runtime's protocol (schemas/) and the chat example
# (examples/chat, a user's project). name -> (root, folder of the package, Python package).
PROJECTS = {
    "runtime": (REPO, "protocol", "wiretype_protocol"),
    "chat": (CHAT, "chat-protocol", "chat_protocol"),
}
PARITY = TESTS / "parity" / "project"
SUITE = TESTS / "jsonschema_suite" / "draft2020-12"
EVIL = 'ends */ here \u2028 line\u2029sep `tick` ${x} </script> "quote" back\\slash \x00nul'


def _example(project: str = "chat") -> Loaded:
    return load_project(load_config(PROJECTS[project][0]))


def _render(loaded: Loaded) -> dict[str, str]:
    rendered = render_typescript(loaded, loaded.config.typescript, None)
    assert not rendered.findings, rendered.findings
    return dict(rendered.files)


# --- the hostile registry --------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _yaml(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=False)


def _hostile_thing() -> dict[str, Any]:
    common: dict[str, Any] = {
        "class": "string",
        "type": "string?",
        "self": "bool",
        "constructor": {"type": "string", "min_length": 1},
        "__proto__": {"type": "string", "required": False},
        "kebab-name": {"type": "string", "required": False},
        "123start": {"type": "string", "required": False},
        "é": {"type": "string", "required": False, "description": EVIL},
        "note": {"type": "string", "default": 'say "hi" */ \\ \u2028'},
        "tree": {"type": "evil.node", "required": False},
        "pet": {"one_of": ["evil.cat", "evil.dog"], "discriminator": "kind", "required": False},
        "box": {
            "required": False,
            "fields": {
                "inner": {"required": False, "fields": {"deep": {"type": "int", "default": 7}}}
            },
        },
    }
    levels = ['it\'s "quoted"', "line\nbreak"]
    v1 = {
        **common,
        "from": "int",
        "level": {"enum": [*levels, "low"]},
        "with space": "int",
        "count": {"type": "int", "required": False},
    }
    v2 = {
        **common,
        "origin": "int",
        "level": {"enum": [*levels, "high"]},
        "with space": "string",
        "added": "string",
        "stats": {"required": False, "fields": {"count": {"type": "int", "required": False}}},
    }
    v3 = {**v2, "ratio": {"type": "float", "required": False}}
    example = {
        "class": "c",
        "type": None,
        "self": True,
        "constructor": "k",
        "from": 1,
        "level": "low",
        "with space": 5,
        "count": 3,
        "__proto__": "p",
        "tree": {"label": "root", "children": [{"label": "leaf"}]},
        "pet": {"kind": "dog", "good": True},
    }
    return {
        "description": EVIL,
        "compatibility": "backward",
        "versions": {
            1: {"fields": v1, "examples": [example]},
            2: {
                "fields": v2,
                "migrate": {
                    "rename": {"from": "origin"},
                    "values": {"level": {"low": "high"}},
                    "defaults": {"added": 'it\'s "new"'},
                    "move": {"count": "stats.count"},
                    "convert": {"with space": "int_to_string"},
                },
            },
            3: {"fields": v3},
        },
    }


def _custom() -> dict[str, Any]:
    """A message whose migration is a pair of the user's functions."""
    return {
        "versions": {
            1: {"fields": {"celsius": "float"}},
            2: {
                "fields": {"kelvin": "float"},
                "migrate": {
                    "custom": {"python": "hostile_shims:up", "typescript": "../../custom.js#up"},
                    "down": {
                        "custom": {
                            "python": "hostile_shims:down",
                            "typescript": "../../custom.js#down",
                        }
                    },
                },
            },
        }
    }


# The user's TypeScript shims for evil.custom, beside the package folder (see ../../custom.js).
CUSTOM_JS = """\
export function up(data) { return { kelvin: data.celsius + 273.15, ignored: true }; }
export function down(data) { return { celsius: data.kelvin - 273.15 }; }
"""
CUSTOM_DTS = """\
export declare function up(data: any): any;
export declare function down(data: any): any;
"""


def hostile_files() -> dict[str, str]:
    node = {
        "kind": "type",
        "description": EVIL,
        "versions": {
            1: {
                "fields": {
                    "label": {"type": "string", "description": EVIL},
                    "children": {"type": "list[evil.node]", "default": []},
                }
            }
        },
    }
    cat = {"kind": "type", "versions": {1: {"fields": {"kind": {"const": "cat"}, "lives": "int"}}}}
    dog = {"kind": "type", "versions": {1: {"fields": {"kind": {"const": "dog"}, "good": "bool"}}}}
    settings = {
        "schemas": "schemas",
        "python": {"package": "hostile_proto", "out": "gen/py"},
        "typescript": {"package": "@hostile/proto", "out": "gen/ts"},
    }
    return {
        "wiretype.yaml": _yaml(settings),
        "schemas/evil/node.yaml": _yaml(node),
        "schemas/evil/cat.yaml": _yaml(cat),
        "schemas/evil/dog.yaml": _yaml(dog),
        "schemas/evil/thing.yaml": _yaml(_hostile_thing()),
        "schemas/evil/custom.yaml": _yaml(_custom()),
    }


# Raw `schema:` versions (one referring to a raw shared type), and literals of every kind.
RAW_FILES = {
    "wiretype.yaml": 'schemas: schemas\ntypescript: {package: "@edge/raw", out: gen}\n',
    "schemas/x/shape.yaml": """\
kind: type
versions:
  1:
    schema: {type: object, properties: {k: {type: integer}}, additionalProperties: false}
""",
    "schemas/x/raw.yaml": """\
compatibility: none
versions:
  1:
    schema:
      type: object
      properties:
        a: {type: [string, "null"], pattern: "a+"}
        b: {$ref: x.shape}
        n: {type: integer, multipleOf: 3}
        m: {type: number, multipleOf: 0.5}
      patternProperties: {"^z": {type: integer}}
      required: [a]
  2:
    fields:
      a: string?
      b: {type: x.shape, required: false}
      lst: {type: "list[x.shape]", default: [{k: 1}]}
      e: {enum: [1, "one", true, null], required: false}
      c: {const: {"__proto__": 1}, required: false}
""",
}
EMPTY_FILES = {
    "wiretype.yaml": 'schemas: schemas\ntypescript: {package: "empty", out: gen}\n',
    "schemas/.keep": "",
}


def _loaded(root: Path, files: dict[str, str]) -> Loaded:
    write_tree(root, files)
    return load_project(load_config(root))


def _hostile(root: Path) -> Loaded:
    write_tree(root, hostile_files())
    loaded = load_project(load_config(root))
    assert not [f for f in loaded.findings if f.is_error], loaded.findings
    return loaded


# --- the JSON Schema Test Suite --------------------------------------------------------------


def suite_module() -> tuple[str, list[list[Any]], list[str]]:
    """suite.ts (a check function per schema), the manifest, and the groups skipped."""
    compiler = SchemaCompiler()
    entries: list[list[Any]] = []
    skipped: list[str] = []
    for path in sorted(SUITE.rglob("*.json")):
        relative = path.relative_to(SUITE).as_posix()
        for index, group in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            try:
                entries.append([relative, index, compiler.compile(group["schema"])])
            except NotGenerated as err:
                skipped.append(f"{relative} #{index} {group['description']}: {err}")
    helpers = ", ".join(
        ["cpLen", "deq", "hasOwn", "isObj", "multOf", "uniq", *FORMAT_FUNCTIONS.values()]
    )
    lines = [
        f'import {{ {helpers}, type ValidationError }} from "./validation.js";',
        f'import {{ {", ".join(["fill", "report", *HANDLERS])} }} from "./reports.js";',
        "const obj: (x: unknown) => boolean = isObj;",
        "const arr: (x: unknown) => boolean = Array.isArray;",
        *compiler.constants,
        *compiler.functions,
        f"export const checks = [{', '.join(f'c{n}' for _, _, n in entries)}];",
    ]
    manifest = [[relative, index, i] for i, (relative, index, _) in enumerate(entries)]
    return "\n".join(lines) + "\n", manifest, skipped


# --- building for Node -----------------------------------------------------------------------


def _run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _tsc(folder: Path) -> None:
    tsc = REPO / "node_modules" / ".bin" / "tsc"
    assert tsc.exists(), "node_modules is missing: run `npm ci` (make node)"
    _run(str(tsc), "-p", str(folder))


def _examples(loaded: Loaded) -> list[dict[str, Any]]:
    return [
        {"type": d.name, "v": v.number, "data": example}
        for d in loaded.registry.messages
        for v in d.versions
        for example in v.examples
    ]


def _python_protocol(root: Path, project: str) -> Any:
    """PROTOCOL of the Python package generated from the same registry."""
    loaded = _example(project)
    rendered = render_python(loaded, loaded.config.python, None)
    assert not rendered.findings
    out = write_tree(root / f"{project}-python", dict(rendered.files))
    code = f"import json, {PROJECTS[project][2]} as p; print(json.dumps(p.PROTOCOL))"
    return json.loads(_run(sys.executable, "-c", code, cwd=out))


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: the TypeScript tests need Node 20")
    root = tmp_path_factory.mktemp("ts")
    example = _example()
    write_tree(root / "example", _render(example))
    (root / "example" / "examples.json").write_text(json.dumps(_examples(example)))
    (root / "example" / "protocol.json").write_text(json.dumps(_python_protocol(root, "chat")))
    runtime = _example("runtime")
    write_tree(root / "runtime", _render(runtime))
    (root / "runtime" / "examples.json").write_text(json.dumps(_examples(runtime)))
    (root / "runtime" / "protocol.json").write_text(json.dumps(_python_protocol(root, "runtime")))
    hostile = _hostile(root / "hostile-src")
    write_tree(
        root / "hostile", {**_render(hostile), "custom.js": CUSTOM_JS, "custom.d.ts": CUSTOM_DTS}
    )
    (root / "hostile" / "examples.json").write_text(json.dumps(_examples(hostile)))
    write_tree(root / "raw", _render(_loaded(root / "raw-src", RAW_FILES)))
    write_tree(root / "parity", _render(load_project(load_config(PARITY))))
    write_tree(root / "empty", _render(_loaded(root / "empty-src", EMPTY_FILES)))
    source, manifest, skipped = suite_module()
    support = {
        f"src/{name}": _render(example)[f"chat-protocol/src/{name}"]
        for name in ("validation.ts", "words.ts", "reports.ts")
    }
    package = json.dumps({"name": "suite", "type": "module"})
    tsconfig = (root / "example" / "chat-protocol" / "tsconfig.json").read_text()
    write_tree(
        root / "suite",
        {
            **support,
            "src/suite.ts": source,
            "package.json": package,
            "tsconfig.json": tsconfig,
            "manifest.json": json.dumps(manifest),
            "skipped.json": json.dumps(skipped, indent=1),
        },
    )
    for folder in (
        root / "example" / "chat-protocol",
        root / "runtime" / "protocol",
        root / "hostile" / "proto",
        root / "suite",
        root / "raw" / "raw",
        root / "empty" / "empty",
        root / "parity" / "protocol",
    ):
        _tsc(folder)
    return root


# --- tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_golden_files_are_the_committed_package(project: str) -> None:
    """generated/typescript of each registry is the golden copy: what the renderer makes."""
    golden = PROJECTS[project][0] / "generated" / "typescript"
    files = _render(_example(project))
    if UPDATE_GOLDEN:
        shutil.rmtree(golden, ignore_errors=True)
        write_tree(golden, files)
    on_disk = {
        p.relative_to(golden).as_posix()
        for p in golden.rglob("*")
        if p.is_file() and not {"node_modules", "dist"} & set(p.parts) and p.name != MANIFEST
    }
    assert on_disk == set(files), "run `wiretype generate` (or WIRETYPE_UPDATE_GOLDEN=1)"
    for relative, text in files.items():
        assert (golden / relative).read_text(encoding="utf-8") == text, relative


def test_second_run_and_other_hash_seed_identical() -> None:
    first = _render(_example())
    assert _render(_example()) == first
    script = (
        "import json, sys; from tests.test_render_typescript import _example, _render; "
        "sys.stdout.write(json.dumps(_render(_example()), sort_keys=True))"
    )
    for seed in ("1", "4242"):
        out = _run(sys.executable, "-c", script, env={"PYTHONHASHSEED": seed})
        assert json.loads(out) == first


def test_every_file_has_a_do_not_edit_header() -> None:
    for relative, text in _render(_example()).items():
        assert "Do not edit" in text.splitlines()[0] or '"//"' in text.splitlines()[1], relative


def test_hostile_text_stays_in_comments_and_strings(tmp_path: Path) -> None:
    files = _render(_hostile(tmp_path))
    types = files["proto/src/types.ts"]
    assert "*/ here" not in types and "*\\/ here" in types
    assert "\u2028" not in "".join(files.values()) and "\x00" not in "".join(files.values())
    assert '"with space": number;' in types and '"__proto__"?: string;' in types
    assert "  class: string;" in types and "  constructor: string;" in types


def test_package_json_and_tsconfig(tmp_path: Path) -> None:
    files = _render(_example("runtime"))
    package = json.loads(files["protocol/package.json"])
    assert package["name"] == "@wiretype/protocol" and package["type"] == "module"
    assert "dependencies" not in package and package["scripts"]["build"] == "tsc -p ."
    assert package["sideEffects"] is False  # a bundler may drop the modules an app never uses
    assert '"strict": true' in files["protocol/tsconfig.json"]


def test_suite_covers_the_supported_keywords() -> None:
    _, manifest, skipped = suite_module()
    assert len(manifest) >= 200, (len(manifest), skipped)


def test_node_suites(build: Path) -> None:
    """tsc --strict compiled all three packages (fixture); now the Node tests run on them."""
    output = _run(
        "node",
        "--test",
        "--test-reporter=spec",
        *sorted(str(p) for p in (TESTS / "ts").glob("*.test.mjs")),
        env={"WIRETYPE_TS_BUILD": str(build)},
    )
    assert " fail 0" in output, output
