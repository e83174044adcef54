"""The plan of ``registry/``, held as tests: stages as folders in one order, no cycle, no stage
that prints, no module too large to read, and ``wiretype --help`` importing nothing heavy.

The order of the stages (a module may import its own stage and the ones before it):

    shared leaves   registry/__init__, errors, findings, mode, json/   (import no stage)
    load            settings, sources, the file tree, git refs
    compile         YAML documents -> the frozen model
    schema          the model -> JSON Schema, built once per version
    compat          the set-inclusion engine on raw JSON Schema (needs no model)
    check           lint, lock, pairing, policy, witnesses, the survey (asks compat)
    render          the generated packages' files
    write           files onto the disk
    catalog         every id the stages print, documented
    cli             the commands: the only code that prints, exits and opens the cache
"""

from __future__ import annotations

import ast
import fnmatch
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from tests.helpers import REPO

PACKAGE = REPO / "registry"
ORDER = (
    "shared",
    "load",
    "compile",
    "schema",
    "compat",
    "check",
    "render",
    "write",
    "catalog",
    "cli",
)
SHARED = {"__init__", "errors", "findings", "mode", "json", "templates"}
STAGES = ("load", "compile", "schema", "compat", "check", "render", "write", "catalog", "cli")
MAX_LINES = 400


def _name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in SHARED:
        return "shared"
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def _imports(module: str) -> Iterator[tuple[str, int]]:
    """Every module ``module`` imports, anywhere in it (lazily or for type checking too)."""
    path = _modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:  # `from registry.cli import bump` imports a module
                if f"{base}.{alias.name}" in _modules():
                    yield f"{base}.{alias.name}", node.lineno


def _registry_imports(module: str) -> Iterator[tuple[str, int]]:
    for imported, line in _imports(module):
        target = imported
        if target == "registry" or target.startswith("registry."):
            while target not in _modules():
                target = target.rpartition(".")[0]
            yield target, line


def test_every_module_belongs_to_a_stage() -> None:
    assert {_stage(m) for m in _modules()} <= set(ORDER)
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), f"registry/{stage}/ is a package"


def test_no_stage_imports_one_after_it() -> None:
    late = [
        f"{_modules()[module].relative_to(REPO)}:{line} imports {target} ({_stage(target)})"
        for module in _modules()
        for target, line in _registry_imports(module)
        if ORDER.index(_stage(target)) > ORDER.index(_stage(module))
    ]
    assert not late, "a stage imports a later one:\n" + "\n".join(late)


def test_registry_never_imports_the_runtime() -> None:
    found = [
        f"{_modules()[module].relative_to(REPO)}:{line} imports {target}"
        for module in _modules()
        for target, line in _imports(module)
        if target.split(".")[0] in ("wiretype", "wiretype_protocol")
    ]
    assert not found, "\n".join(found)


def test_only_the_runtime_commands_reach_the_runtime_and_only_by_name() -> None:
    """``wiretype serve`` (and dlq, loadtest, versions) run code of ``wiretype/``: the one
    module that may hand a command to it is ``registry/cli/runtime.py``, which imports a
    runtime module by name when that command runs; no other module imports by name."""
    dynamic = sorted(
        f"{path.relative_to(REPO)}:{node.lineno}"
        for path in _modules().values()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and _dotted(node.func)[-1:] in (("import_module",), ("__import__",))
    )
    assert dynamic == [f"registry/cli/runtime.py:{_import_module_line()}"], dynamic


def _import_module_line() -> int:
    source = (PACKAGE / "cli" / "runtime.py").read_text(encoding="utf-8")
    return next(i for i, line in enumerate(source.splitlines(), 1) if "import_module(" in line)


def test_no_import_cycle() -> None:
    # A module's own packages are initialised before it (`from . import x`): not an edge.
    graph = {
        m: {t for t, _ in _registry_imports(m) if t != m and not m.startswith(f"{t}.")}
        for m in _modules()
    }
    cycles = [sorted(group) for group in _strongly_connected(graph) if len(group) > 1]
    assert not cycles, f"modules that import each other: {cycles}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root, edges_of_root in graph.items():
        if root in index:
            continue
        work = [(root, iter(sorted(edges_of_root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


_OUTPUT_CALLS = {
    ("print",),
    ("typer", "echo"),
    ("typer", "Exit"),
    ("sys", "exit"),
    ("sys", "stdout", "write"),
    ("sys", "stderr", "write"),
}


def _dotted(node: ast.expr) -> tuple[str, ...]:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        return (*_dotted(node.value), node.attr)
    return ()


def test_no_stage_prints_or_exits() -> None:
    """Only the command layer prints, chooses an exit code or imports typer."""
    found = []
    for module, path in _modules().items():
        if _stage(module) == "cli":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _dotted(node.func) in _OUTPUT_CALLS:
                found.append(
                    f"{path.relative_to(REPO)}:{node.lineno} {'.'.join(_dotted(node.func))}"
                )
        found += [
            f"{path.relative_to(REPO)}:{line} imports typer"
            for target, line in _imports(module)
            if target.split(".")[0] == "typer"
        ]
    assert not found, "\n".join(found)


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO)): _lines(path)
        for path in _modules().values()
        if _lines(path) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


@pytest.mark.parametrize("stage", ["json", *STAGES])
def test_every_stage_says_what_goes_in_and_what_comes_out(stage: str) -> None:
    source = (PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert len(docstring.split()) >= 30, f"registry/{stage}/__init__.py needs a real docstring"


def test_help_imports_no_engine_and_no_heavy_library() -> None:
    """``wiretype --help`` stays fast: the commands import what they need when they run."""
    code = (
        "import json, sys\n"
        "from registry.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    heavy = {"jsonschema", "pydantic", "jinja2", "deepdiff", "regress", "yaml"}
    assert not {m.split(".")[0] for m in loaded} & heavy
    ours = {m for m in loaded if m.startswith("registry.")}
    assert ours <= {
        "registry.cli",
        "registry.cli.app",
        "registry.cli.commands",
        "registry.cli.runtime",
    }, ours
    assert not {m.split(".")[0] for m in loaded} & {"wiretype", "wiretype_protocol"}
    assert "Commands:" in done.stdout


def test_the_wheel_finds_every_package() -> None:
    """pyproject.toml finds packages: a new subpackage cannot be left out of the wheel."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    find = setuptools["packages"]["find"]
    assert "packages" not in setuptools or isinstance(setuptools["packages"], dict)
    on_disk = {
        ".".join(init.parent.relative_to(REPO / where).parts)
        for where in find["where"]
        for top in ("registry", "wiretype", "wiretype_protocol")
        for init in (REPO / where / top).rglob("__init__.py")
    }
    assert {
        "registry.cli",
        "registry.templates",
        "wiretype.protocol",
        "wiretype_protocol",
    } <= on_disk
    missed = sorted(
        p for p in on_disk if not any(fnmatch.fnmatchcase(p, pat) for pat in find["include"])
    )
    assert not missed, f"packages the wheel would leave out: {missed}"
    assert setuptools["package-dir"]["registry.templates"] == "templates"
