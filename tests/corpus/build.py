"""Rebuild the real-schema corpus from a git mirror of SchemaStore (Apache-2.0).

    python tests/corpus/build.py /path/to/schemastore.git

For every name in ``NAMES`` it takes the last ``REVISIONS`` commits that changed
``src/schemas/json/<name>.json`` and still hold a whole schema (not a one-line
``$ref`` to a schema published elsewhere), writes each revision as compact JSON
(``<name>/<n>.json``, oldest first), and the test instances SchemaStore ships for
it at the newest of those commits (``src/test/<name>`` and ``src/negative_test/<name>``;
YAML and TOML converted to JSON) under ``<name>/tests/`` and ``<name>/negative/``.
``manifest.json`` records the commits. Nothing from the mirror is executed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
REVISIONS = 4
BIG = 100_000  # bytes: schemas larger than this keep one revision fewer
MAX_INSTANCES = 8
MAX_INSTANCE_BYTES = 40_000
NAMES = (
    "package",
    "tsconfig",
    "github-workflow",
    "github-action",
    "eslintrc",
    "babelrc",
    "prettierrc",
    "dependabot-2.0",
    "gitlab-ci",
    "circleciconfig",
    "chart",
    "kustomization",
    "commitlintrc",
    "nodemon",
    "nest-cli",
    "mocharc",
    "netlify",
    "pre-commit-config",
    "pyproject",
    "cargo",
    "tslint",
    "web-types",
    "bower",
    "semantic-release",
    "huskyrc",
    "ava",
    "bowerrc",
    "github-issue-forms",
    "github-funding",
    "codecov",
    "global",
    "launchsettings",
    "appsettings",
    "npmpackagejsonlintrc",
    "lerna",
    "github-discussion",
)


def _git(mirror: str, *args: str) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={mirror}", *args], capture_output=True, text=True, check=False
    )
    return done.stdout if done.returncode == 0 else ""


def _whole(text: str) -> Any:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or len(text) < 1500:
        return None  # a stub pointing elsewhere, or not a schema
    return data


class _Yaml12(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false (a workflow's `on:` stays a string key)."""


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _instance(name: str, text: str) -> Any:
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith((".yaml", ".yml")):
        return yaml.load(text, Loader=_Yaml12)
    if name.endswith(".toml"):
        return tomllib.loads(text)
    raise ValueError(name)


def _instances(mirror: str, commit: str, folder: str, out: Path) -> int:
    listing = _git(mirror, "ls-tree", "--name-only", f"{commit}:{folder}").split()
    kept = 0
    for file in sorted(listing):
        text = _git(mirror, "show", f"{commit}:{folder}/{file}")
        if not text or len(text) > MAX_INSTANCE_BYTES or kept >= MAX_INSTANCES:
            continue
        try:
            value = _instance(file, text)
        except Exception:
            continue
        if value is None:
            continue
        out.mkdir(parents=True, exist_ok=True)
        stem = file.rsplit(".", 1)[0]
        (out / f"{stem}.json").write_text(json.dumps(value, default=str, sort_keys=True) + "\n")
        kept += 1
    return kept


def build_one(mirror: str, name: str) -> dict[str, Any] | None:
    path = f"src/schemas/json/{name}.json"
    revisions: list[tuple[str, Any]] = []
    for commit in _git(mirror, "log", "--format=%H", "--", path).split():
        data = _whole(_git(mirror, "show", f"{commit}:{path}"))
        if data is None:
            if revisions:
                break  # only consecutive revisions
            continue
        revisions.append((commit, data))
        limit = REVISIONS - 1 if len(json.dumps(data)) > BIG else REVISIONS
        if len(revisions) >= limit:
            break
    if len(revisions) < 2:
        return None
    revisions.reverse()
    folder = HERE / name
    for n, (_, data) in enumerate(revisions):
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        (folder / f"{n}.json").write_text(text + "\n")
    newest = revisions[-1][0]
    tests = _instances(mirror, newest, f"src/test/{name}", folder / "tests")
    negative = _instances(mirror, newest, f"src/negative_test/{name}", folder / "negative")
    return {
        "name": name,
        "commits": [c for c, _ in revisions],
        "tests": tests,
        "negative": negative,
    }


def main(mirror: str) -> None:
    entries = [e for e in (build_one(mirror, n) for n in NAMES) if e is not None]
    head = _git(mirror, "rev-parse", "HEAD").strip()
    manifest = {"source": "https://github.com/SchemaStore/schemastore", "head": head}
    manifest["schemas"] = entries  # type: ignore[assignment]
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    license_text = _git(mirror, "show", f"{head}:LICENSE")
    (HERE / "LICENSE").write_text(license_text)
    print(f"{len(entries)} schemas, {sum(len(e['commits']) - 1 for e in entries)} pairs")


if __name__ == "__main__":
    main(sys.argv[1])
