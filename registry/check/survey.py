"""What ``check`` and ``lint`` know about each definition file, worked out once per input.

A file's *report* holds everything the two commands need from it: its findings
(parse, compile, lint), the compatibility findings of its pairs of versions,
and its outline for the lock and ``--against`` (name, mode, versions and their
fingerprints). A report depends on

* the file's path and bytes;
* the settings: the schemas folder, the default mode, ``allow_unproven``;
* the registry's index of shared types (their names and version numbers), which
  the compile stage reads to resolve type names and to suggest one;
* the files of the definitions it reaches: the shared types its versions use,
  and theirs (recorded while the report is worked out, by ``_Reach``);
* wiretype's own code (the cache keys every entry by it).

Reports are cached per file (path and bytes), with the context they were worked
out in: a digest of the rest of that list. So after editing one message only
that message is parsed and checked again (with the shared types it uses
compiled to do it); editing a shared type checks again every file that reaches
it; adding a shared type or a version of one changes the index, and every file.

Pairs of versions are also cached on their own, by the two schemas compared
(``policy.Verdicts``: the writer's after the migration steps, and the
reader's; the mode decides which pairs are asked), so an edit that leaves a
pair's schemas alone (a description, an example, a new version) decides no old
pair again. Only proofs are kept: a pair that fails is decided again each run,
so what the cache holds for pairs is never more than "this inclusion holds".
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from registry.check.lock import Outline, fingerprint, outline
from registry.check.report import (
    Entry,
    FileReport,
    decode_report,
    entry_json,
    read_entry,
    report_json,
)
from registry.compile.definitions import compile_definition, shared_type_versions
from registry.compile.model import Definition, Location, Registry
from registry.findings import Finding
from registry.load.settings import Config
from registry.load.source import Document, parse_text
from registry.load.tree import Files, definition_name, file_problem
from registry.schema.documents import Schemas

if TYPE_CHECKING:
    from registry.compat import Inclusion

_VARIANTS = 4  # contexts kept per file: the working tree and a few git refs


class Store(Protocol):
    """Entries by (kind, key) kept between runs: the command layer opens one (the user's
    cache, ``registry.cli.cache``) and hands it down; a stage never opens it."""

    def get(self, kind: str, key: str) -> Any: ...

    def put(self, kind: str, key: str, value: Any) -> None: ...


def digest(*parts: str | bytes) -> str:
    """A SHA-256 of ``parts``, each length-prefixed (so ("ab", "c") != ("a", "bc"))."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


@dataclass(frozen=True)
class Survey:
    """Every file's report, in path order."""

    reports: tuple[FileReport, ...]

    @cached_property
    def findings(self) -> list[Finding]:
        """Parse, compile and lint findings of every file, and the class names that two
        files would both generate (the one lint pass that looks across files)."""
        from registry.check.lint import class_name_findings

        classes = {
            r.outline.name: (r.outline.class_name, r.class_at)
            for r in self.reports
            if r.outline is not None and r.class_at is not None
        }
        return [f for report in self.reports for f in report.findings] + class_name_findings(
            classes
        )

    @property
    def broken(self) -> frozenset[str]:
        """Definitions whose files have errors, and shared types that uses found missing:
        later checks would only add noise about them."""
        broken = {r.name or r.path for r in self.reports if r.has_errors}
        missing = {value for f in self.findings for key, value in f.extra if key == "missing_type"}
        return frozenset(broken | (missing - self.outlines.keys()))

    @property
    def pair_findings(self) -> list[Finding]:
        broken = self.broken
        return [f for r in self.reports if r.name not in broken for f in r.pairs or ()]

    @property
    def outlines(self) -> dict[str, Outline]:
        return {r.outline.name: r.outline for r in self.reports if r.outline is not None}


def survey(config: Config, files: Files, store: Store, *, pairs: bool = True) -> Survey:
    """Every file's report, from the cache where its inputs are unchanged (``pairs``:
    with the compatibility of each file's versions)."""
    tree = _Tree(config, files)
    found = {path: read_entry(store.get("file", tree.key(path))) for path in tree.sources}
    tree.index_types({path: entry[0] for path, entry in found.items() if entry is not None})
    entries = {path: found[path] or (tree.type_versions(path), []) for path in tree.sources}
    reports = {path: _cached(tree, entries[path], pairs) for path in tree.sources}
    todo = [path for path, report in reports.items() if report is None]
    for path, (report, deps) in _work_out_all(tree, todo, store, pairs).items():
        reports[path] = report
        store.put("file", tree.key(path), entry_json(_updated(tree, entries[path], report, deps)))
    everything = [*tree.unread.values(), *(r for r in reports.values() if r is not None)]
    return Survey(tuple(sorted(everything, key=lambda r: r.path)))


def _work_out_all(
    tree: _Tree, paths: list[str], store: Store, pairs: bool
) -> dict[str, tuple[FileReport, tuple[str, ...]]]:
    """The reports of ``paths``, worked out in a few processes when there are many."""
    from registry.check.workers import in_processes

    if paths:  # what `_work_out` imports: once here, not again in every worker
        import registry.check.lint

        if pairs:
            import registry.check.pairing
            import registry.check.policy  # noqa: F401

    def work(part: Sequence[str]) -> dict[str, Any]:
        table = _ProofTable(store)
        done = {path: _work_out(tree, path, table, pairs) for path in part}
        return {"reports": done, "proved": table.proved}

    out = {}
    for result in in_processes(paths, work, _sent, _received):
        for key in result["proved"]:  # what a worker proved, kept by this process's store
            store.put("proof", key, True)
        out.update(result["reports"])
    return out


def _sent(result: dict[str, Any]) -> dict[str, Any]:
    """A worker's reports as JSON data."""
    reports = {path: [report_json(r), list(deps)] for path, (r, deps) in result["reports"].items()}
    return {"reports": reports, "proved": result["proved"]}


def _received(data: dict[str, Any]) -> dict[str, Any]:
    """A worker's reports, from the JSON data ``_sent`` made of them."""
    reports = {path: (decode_report(r), tuple(deps)) for path, (r, deps) in data["reports"].items()}
    return {"reports": reports, "proved": data["proved"]}


def _cached(tree: _Tree, entry: Entry, pairs: bool) -> FileReport | None:
    """The report worked out before in the same context, if there is one."""
    for context, deps, report in entry[1]:
        if context == tree.context(deps) and (report.pairs is not None or not pairs):
            return report
    return None


def _updated(tree: _Tree, entry: Entry, report: FileReport, deps: tuple[str, ...]) -> Entry:
    """The entry with a new report first, and the latest few of the other contexts."""
    context = tree.context(deps)
    others = [variant for variant in entry[1] if variant[0] != context]
    return entry[0], [(context, deps, report), *others][:_VARIANTS]


# -- one tree of files: parsed and compiled on demand -----------------------------------------


class _Tree:
    """The definition files of one tree (the working tree, or a git ref), each parsed
    and compiled at most once, and only when something asks for it."""

    def __init__(self, config: Config, files: Files) -> None:
        self.config = config
        self.files = files
        self.raw = {path: raw for path, raw in files.items() if isinstance(raw, bytes)}
        self.sha = {path: hashlib.sha256(raw).hexdigest() for path, raw in self.raw.items()}
        self.paths: dict[str, str] = {}  # definition name -> the file that defines it
        self.names: dict[str, str] = {}  # file -> the definition name its path gives
        self.unread: dict[str, FileReport] = {}  # files refused before parsing
        self.sources: list[str] = []  # files that get a report of their own
        self._parsed: dict[str, tuple[Document | None, list[Finding]]] = {}
        self._compiled: dict[str, tuple[Definition | None, list[Finding]]] = {}
        self.known: dict[str, tuple[int, ...]] = {}
        self._known_digest = ""
        self._settings = repr((config.schemas, config.compatibility.name, config.allow_unproven))
        self._place(sorted(files))

    def _place(self, paths: list[str]) -> None:
        """Name every file, as ``registry.load.tree.parse_files`` does: of two files with one
        name, the first that parses defines it and any later one is a DEFINITION_DUPLICATE."""
        prefix = self.config.schemas.strip("/") + "/"
        named = {path: definition_name(path.removeprefix(prefix)) for path in paths}
        shared = Counter(named.values())
        for path in paths:
            name = named[path]
            problem = file_problem(path, self.files[path], name, self.paths)
            if problem is not None or name is None:
                self.unread[path] = FileReport(path, name, None, tuple(filter(None, [problem])), ())
                continue
            self.names[path] = name
            self.sources.append(path)
            if shared[name] == 1 or self.parse(path)[0] is not None:
                self.paths[name] = path

    def key(self, path: str) -> str:
        return digest("file", path, self.sha[path])

    def parse(self, path: str) -> tuple[Document | None, list[Finding]]:
        if path not in self._parsed:
            self._parsed[path] = parse_text(path, self.raw[path])
        return self._parsed[path]

    def type_versions(self, path: str) -> tuple[int, ...] | None:
        """The file's versions if it is a shared type. A file whose bytes hold neither
        `kind` nor a backslash (no YAML escape can spell the key then) cannot say
        `kind: type`, and is not parsed for this: its parse can wait for a worker."""
        raw = self.raw[path]
        if b"kind" not in raw and b"\\" not in raw:
            return None
        doc = self.parse(path)[0]
        return None if doc is None else shared_type_versions(doc.data)

    def index_types(self, cached: Mapping[str, tuple[int, ...] | None]) -> None:
        """The registry's shared types and their versions (from the cache, else parsed)."""
        for name, path in self.paths.items():
            numbers = cached[path] if path in cached else self.type_versions(path)
            if numbers is not None:
                self.known[name] = numbers
        self._known_digest = digest(json.dumps(sorted(self.known.items())))

    def context(self, deps: tuple[str, ...]) -> str:
        """What a file's report depends on besides its own bytes."""
        reached = [
            f"{d}\0{self.paths.get(d, '')}\0{self.sha.get(self.paths.get(d, ''), '')}" for d in deps
        ]
        return digest(self._settings, self._known_digest, *reached)

    def definition(self, name: str) -> Definition | None:
        path = self.paths.get(name)
        return None if path is None else self.compiled(path)[0]

    def compiled(self, path: str) -> tuple[Definition | None, list[Finding]]:
        if path not in self._compiled:
            doc = self.parse(path)[0]
            self._compiled[path] = (
                (None, [])
                if doc is None
                else compile_definition(
                    doc,
                    self.names[path],
                    self.known,
                    self.config.compatibility,
                    self.config.allow_unproven,
                )
            )
        return self._compiled[path]


class _Reach(dict[str, Definition]):
    """``registry.definitions`` as one file's checks see it: each definition asked for
    is compiled then, and remembered, so that the report knows what it depends on.

    Only lookups by name are allowed: a check that walked every definition would
    depend on all of them, which the report could not tell (so it fails loudly).
    """

    def __init__(self, tree: _Tree) -> None:
        super().__init__()
        self.tree = tree
        self.asked: set[str] = set()

    def get(self, name: str, default: Any = None) -> Any:
        found = self._find(name)
        return default if found is None else found

    def __getitem__(self, name: str) -> Definition:
        found = self._find(name)
        if found is None:
            raise KeyError(name)
        return found

    def _find(self, name: str) -> Definition | None:
        self.asked.add(name)
        return self.tree.definition(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name) is not None

    def _whole(self, *_: Any) -> Any:
        raise TypeError("a file's checks may look definitions up by name only")

    __iter__ = __len__ = keys = values = items = _whole


def _work_out(
    tree: _Tree, path: str, table: _ProofTable, with_pairs: bool
) -> tuple[FileReport, tuple[str, ...]]:
    """A file's report, and the definitions it reached on the way."""
    from registry.check.lint import class_name_at, lint_definition

    name = tree.names[path]
    doc, found = tree.parse(path)
    definition, compiled = tree.compiled(path)
    if doc is None or definition is None:
        return FileReport(path, name, None, (*found, *compiled), ()), ()
    reach = _Reach(tree)
    schemas = Schemas(Registry(reach))  # each version's schema built once, for every check
    findings = (*found, *compiled, *lint_definition(schemas, definition, doc))
    digests = {v.number: fingerprint(schemas, definition, v) for v in definition.versions}
    checked: tuple[Finding, ...] | None = None
    if with_pairs:
        errors = any(f.is_error for f in findings)
        checked = (
            ()
            if errors or definition.kind != "message"
            else _pairs(schemas, definition, table, doc)
        )
    deps = tuple(sorted(reach.asked - {name}))
    mode_at = Location(doc.path, *doc.where(("compatibility",)))
    report = FileReport(
        path, name, outline(definition, digests), findings, checked, mode_at, class_name_at(doc)
    )
    return report, deps


def _pairs(
    schemas: Schemas, definition: Definition, table: _ProofTable, doc: Document
) -> tuple[Finding, ...]:
    """The compatibility findings of a message's pairs of versions (the compat engine is
    imported only by a run that asks for them)."""
    from registry.check.pairing import pairs
    from registry.check.policy import Verdicts, check_pair

    verdicts = Verdicts(table, table.shared)
    return tuple(f for pair in pairs(definition) for f in check_pair(schemas, pair, verdicts, doc))


class _ProofTable:
    """Pairs whose inclusion was proved, in the cache (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.proved: list[str] = []  # the keys put, to send back from a worker process
        self.shared: set[str] = set()  # the engine's proofs about shared types, for this run

    def get(self, key: str) -> Inclusion | None:
        if self.store.get("proof", key) is not True:
            return None
        from registry.compat import Inclusion

        return Inclusion("yes")

    def put(self, key: str, inclusion: Inclusion) -> None:
        if inclusion.holds and not inclusion.changes:
            self.store.put("proof", key, True)
            self.proved.append(key)
