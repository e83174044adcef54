"""The hand-written support modules of the generated packages (``templates/*/static/``).

They are real source files, checked where they are by ruff, ``mypy --strict`` and ``tsc
--strict``, copied into every package with only the do-not-edit header, and written from
the same tables as the rest of wiretype (the words of ``registry/render/messages.py``, the
patterns of ``formats.py``). The two packages run one migration table, built once.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from registry.check.project import Loaded
from registry.cli.project import load_project
from registry.json.formats import FORMAT_PATTERNS, calendar_formats
from registry.load.settings import load_config
from registry.render import python, typescript
from registry.render.messages import PYDANTIC_OBJECT_WORDS, RUNTIME_WORDS, TS_WORDS
from registry.render.python import render_python
from registry.render.ts_checks import FORMAT_FUNCTIONS
from registry.render.typescript import render_typescript
from tests.helpers import REPO, write_tree

PY_STATIC = REPO / "templates" / "python" / "static"
TS_STATIC = REPO / "templates" / "typescript" / "static"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_checks_and_formats_the_python_modules() -> None:
    for args in (("check", str(PY_STATIC)), ("format", "--check", str(PY_STATIC))):
        done = _run(sys.executable, "-m", "ruff", *args)
        assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_passes_on_the_python_modules() -> None:
    done = _run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(PY_STATIC))
    assert done.returncode == 0, done.stdout + done.stderr


def test_tsc_strict_passes_on_the_typescript_modules() -> None:
    tsc = REPO / "node_modules" / ".bin" / "tsc"
    assert tsc.exists(), "node_modules is missing: run `npm ci` (make node)"
    done = _run(str(tsc), "-p", str(TS_STATIC))
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_static_module_is_copied() -> None:
    assert sorted(p.name for p in PY_STATIC.glob("*.py") if p.name != "__init__.py") == sorted(
        python.STATIC
    )
    assert sorted(p.name for p in TS_STATIC.glob("*.ts")) == sorted(typescript.STATIC)


def _example() -> Loaded:
    return load_project(load_config(REPO))


def test_copies_are_the_header_and_the_module_byte_for_byte() -> None:
    loaded = _example()
    py_files = render_python(loaded, loaded.config.python, None).files
    ts_files = render_typescript(loaded, loaded.config.typescript, None).files
    copies = [(py_files, f"wiretype_protocol/{name}", PY_STATIC / name) for name in python.STATIC]
    copies += [(ts_files, f"protocol/src/{name}", TS_STATIC / name) for name in typescript.STATIC]
    for files, path, source in copies:
        header, _, body = files[path].partition("\n")
        assert "Do not edit" in header and body == source.read_text(encoding="utf-8"), path


def _python_table(name: str) -> Any:
    tree = ast.parse((PY_STATIC / "_words.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"_words.py has no {name}")


def _ts_constants() -> dict[str, str]:
    """words.ts's ``export const NAME = "...";`` lines, one constant a text."""
    text = (TS_STATIC / "words.ts").read_text(encoding="utf-8")
    found = re.findall(r'^export const (\w+) = (".*");$', text, re.M)
    return {name: json.loads(literal) for name, literal in found}


def test_the_words_and_formats_are_wiretypes_own() -> None:
    """The static tables hold the texts registry/render/messages.py and formats.py define,
    which the generated validators print too: change those, and these must follow."""
    assert _python_table("WORDS") == RUNTIME_WORDS
    assert _python_table("OBJECT_WORDS") == PYDANTIC_OBJECT_WORDS
    assert _python_table("FORMATS") == calendar_formats()
    constants = _ts_constants()
    patterns = {
        f"{name.replace('-', '_').upper()}_PATTERN": p for name, p in FORMAT_PATTERNS.items()
    }
    assert constants == {**TS_WORDS, **patterns}


def test_every_format_has_its_function_in_validation_ts() -> None:
    exported = set(
        re.findall(
            r"export function (fmt\w+)\(s: string\): boolean",
            (TS_STATIC / "validation.ts").read_text(encoding="utf-8"),
        )
    )
    assert exported == set(FORMAT_FUNCTIONS.values())


@pytest.fixture(scope="module")
def migrating(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    root = tmp_path_factory.mktemp("migrating")
    write_tree(
        root,
        {
            "wiretype.yaml": "python: {package: m_pkg, out: py}\n"
            'typescript: {package: "m", out: ts}\n',
            "schemas/a/m.yaml": """\
versions:
  1:
    fields: {a: int, b: string, c: {enum: [p, q]}, d: {type: float, required: false}}
  2:
    fields: {aa: string, b: string, c: {enum: [p, r]}, e: {type: "list[float]", default: []}}
    migrate:
      rename: {a: aa}
      convert: {aa: int_to_string}
      values: {c: {q: r}}
      move: {d: e}
      custom: {python: "m_shims:up", typescript: "../../m.js#up"}
      down:
        custom: {python: "m_shims:down", typescript: "../../m.js#down"}
        defaults: {b: ""}
""",
        },
    )
    loaded = load_project(load_config(root))
    assert not [f for f in loaded.findings if f.is_error], loaded.findings
    return loaded


def test_both_packages_hold_the_same_migration_table(migrating: Loaded) -> None:
    """One table, in two spellings: the Python literal and the JSON text of shims.ts."""
    py_text = render_python(migrating, migrating.config.python, None).files["m_pkg/shims.py"]
    ts_text = render_typescript(migrating, migrating.config.typescript, None).files[
        "m/src/shims.ts"
    ]
    module = ast.parse(py_text)
    tables = {
        getattr(n.target, "id", ""): ast.literal_eval(n.value)
        for n in module.body
        if isinstance(n, ast.AnnAssign)
        and n.value is not None
        and getattr(n.target, "id", "") in ("HOPS", "CUSTOMS")
    }
    grouped = json.loads(json.loads(re.search(r"JSON\.parse\((\".*\")\) as Hops\[\]", ts_text)[1]))
    hops = [[message, *hop] for message, its in grouped for hop in its]
    assert len(grouped) == len({message for message, _ in grouped})  # each message named once
    as_json = [[*key, [list(step) for step in steps]] for key, steps in tables["HOPS"].items()]
    assert json.loads(json.dumps(as_json)) == hops
    assert [step[0] for step in hops[0][3]] == ["rename", "convert", "values", "move", "custom"]
    assert tables["CUSTOMS"] == ("m_shims:up", "m_shims:down")
    imports = re.findall(r'import \{ (\w+) as custom(\d) \} from "(.*)";', ts_text)
    assert imports == [("up", "0", "../../m.js"), ("down", "1", "../../m.js")]
