"""Checks that differ only in their constants share one factory (``ts_factor``), and
normalisers that would be written the same are one function: the generated package keeps
every answer, error and shape while it shrinks (docs/generated-typescript.md)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from registry.cli.project import load_project
from registry.load.settings import load_config
from registry.render import messages as words
from registry.render.ts_validators import SchemaCompiler
from registry.render.typescript import render_typescript
from tests.helpers import REPO, write_tree

EVIL = 'it\'s */ ${x} `tick` </script> "q" back\\slash \u2028 \x00'


def _room(limit: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": limit}


def test_checks_that_differ_only_in_constants_are_instances_of_one_factory() -> None:
    compiler = SchemaCompiler()
    numbers = [
        compiler.compile(
            {
                "type": "object",
                "required": ["room", "count", "level"],
                "properties": {
                    "room": _room(64 + k),
                    "count": {"type": "integer", "minimum": 0, "maximum": 1000 + k},
                    "level": {"enum": [EVIL, "mid"]},
                },
            }
        )
        for k in range(2)
    ]
    written = "".join(compiler.functions)
    factories = [line for line in written.splitlines() if line.startswith("function m")]
    assert len(factories) == 3  # the string's check, the integer's, the object's
    instances = [t for t in written.splitlines() if t.startswith("const c")]
    for k, n in enumerate(numbers):
        assert any(t.endswith(f"/* @__PURE__ */ m0({64 + k});") for t in instances)
        assert any(t.endswith(f"/* @__PURE__ */ m1(0, {1000 + k});") for t in instances)
        assert any(t.startswith(f"const c{n} = /* @__PURE__ */ m2(c") for t in instances)
    # an enum's values stay in the code (one check for both), as JSON literals
    (enum,) = [t for t in written.split("function ") if t.startswith("c")]
    assert json.dumps(EVIL, ensure_ascii=True) in enum and enum.isascii()


def test_a_check_that_names_itself_stays_a_function() -> None:
    # A `const` cannot name itself while it is made: the check of a recursive node is a
    # function declaration, whatever its template shares.
    compiler = SchemaCompiler()
    for limit in (5, 6):
        compiler.compile(
            {
                "$defs": {
                    "node": {
                        "type": "object",
                        "properties": {
                            "next": {"$ref": "#/$defs/node"},
                            "v": {"type": "integer", "maximum": limit},
                        },
                    }
                },
                "$ref": "#/$defs/node",
            }
        )
    written = "".join(compiler.functions)
    lines = written.splitlines()
    recursive = [lines[i - 1] for i, t in enumerate(lines) if "x.next" in t]
    assert len(recursive) == 2 and all(t.startswith("function c") for t in recursive)
    assert "function m" not in written  # and the wrappers of the roots are too short to share


def _message(name: str, room: int, count: int, levels: list[str]) -> str:
    fields = {
        "room": {"type": "string", "min_length": 1, "max_length": room},
        "count": {"type": "int", "minimum": 0, "maximum": count},
        "level": {"enum": levels},
        "note": {"type": "string", "required": False},
    }
    document = {"description": f"The {name} message.", "versions": {1: {"fields": fields}}}
    return yaml.safe_dump(document, allow_unicode=False)


_LEVELS = {"alpha": ["low", EVIL], "beta": ["calm", "loud"], "gamma": ["low", EVIL]}
_FILES = {
    "wiretype.yaml": 'schemas: schemas\ntypescript: {package: "factored", out: gen}\n',
    "schemas/demo/alpha.yaml": _message("alpha", 5, 10, _LEVELS["alpha"]),
    "schemas/demo/beta.yaml": _message("beta", 6, 11, _LEVELS["beta"]),
    "schemas/demo/gamma.yaml": _message("gamma", 7, 12, _LEVELS["gamma"]),
}

_SCRIPT = """
const pkg = await import(process.argv[1]);
const out = [];
const errors = (x, v) => { const e = []; v.report(x, "", e); return e; };
for (const [name, room, count] of [["alpha", 5, 10], ["beta", 6, 11], ["gamma", 7, 12]]) {
  const level = JSON.parse(process.argv[2])[name][1];
  const base = { room: "r".repeat(room), count, level };
  const v = pkg.validators.get("demo." + name).get(1);
  out.push([
    v.check(base),
    v.check({ ...base, room: "r".repeat(room + 1) }),
    v.check({ ...base, count: count + 1 }),
    v.check({ ...base, level: "other" }),
    JSON.stringify(v.shape({ ...base, extra: 1 })),
    errors({ ...base, room: "r".repeat(room + 1), count: count + 1 }, v),
    errors({ ...base, level: "other" }, v),
  ]);
}
console.log(JSON.stringify(out));
"""


def test_a_factored_package_keeps_every_message_limits_errors_and_shapes(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path / "reg", _FILES)
    loaded = load_project(load_config(tmp_path / "reg"))
    rendered = render_typescript(loaded, loaded.config.typescript, None)
    assert not rendered.findings, rendered.findings
    write_tree(tmp_path / "pkg", dict(rendered.files))
    package = tmp_path / "pkg" / "factored"
    source = (package / "src" / "validators.ts").read_text(encoding="utf-8")
    assert source.count("function s") == 1  # three messages, one layout of fields
    assert "function m" in source  # the three checks are instances of factories
    assert "function n" in source  # and so are their reporters
    tsc = REPO / "node_modules" / ".bin" / "tsc"
    assert tsc.exists(), "node_modules is missing: run `npm ci` (make node)"
    built = subprocess.run(
        [str(tsc), "-p", str(package)], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stdout
    done = subprocess.run(
        [
            "node",
            "--input-type=module",
            "-e",
            _SCRIPT,
            str(package / "dist" / "index.js"),
            json.dumps(_LEVELS),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for (name, room, count), row in zip(
        [("alpha", 5, 10), ("beta", 6, 11), ("gamma", 7, 12)], json.loads(done.stdout), strict=True
    ):
        assert row[:4] == [True, False, False, False], name
        assert json.loads(row[4]) == {"room": "r" * room, "count": count, "level": _LEVELS[name][1]}
        assert sorted(row[5], key=lambda e: e["path"]) == [
            {"path": "/count", "message": f"must be at most {count}"},
            {"path": "/room", "message": f"must be at most {room} characters long"},
        ]
        assert row[6] == [{"path": "/level", "message": words.enum_message(_LEVELS[name])}]
