"""The ``wiretype`` command line (typer). Exit codes: 0 ok, 1 findings, 2 usage or unreadable input.

Each command is a thin wrapper: it finds the project, calls one stage of the
pipeline and prints the findings with the chosen printer. Heavy modules are
imported inside the commands so that ``wiretype --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from registry.config import Config
    from registry.diagnostics import Finding
    from registry.project import Loaded

app = typer.Typer(
    name="wiretype",
    help="Messages written once in YAML: checked against what shipped, generated for Python "
    "and TypeScript.\n\nExit codes: 0 ok, 1 findings (incompatible, stale, invalid), "
    "2 usage or unreadable input.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"


RootOpt = Annotated[
    Path | None,
    typer.Option("--root", help="The project folder (default: the nearest one upward with "
                 "wiretype.yaml or [tool.wiretype] in pyproject.toml).", show_default=False),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="How to print findings.")]

T = TypeVar("T")


def _run(action: Callable[[], T]) -> T:
    """Run a command body; turn wiretype's own errors into a message and exit code 2."""
    from registry.errors import WiretypeError

    try:
        return action()
    except WiretypeError as err:
        typer.echo(f"wiretype: error: {err}", err=True)
        raise typer.Exit(err.exit_code) from None


def _config(root: Path | None) -> Config:
    from registry.config import find_root, load_config

    return load_config(root.resolve() if root else find_root(Path.cwd()))


def _load(root: Path | None) -> Loaded:
    """The project, with the findings about its settings first (they are not cached)."""
    from dataclasses import replace

    from registry.project import load

    config = _config(root)
    loaded = load(config)
    return replace(loaded, findings=(*config.findings, *loaded.findings)) \
        if config.findings else loaded


def _report(findings: Sequence[Finding], fmt: Format, summary: str = "",
            config: Config | None = None) -> int:
    from registry.diagnostics import PRINTERS, has_errors, sort_findings

    if fmt is Format.github and config is not None:  # annotations want repository paths
        from registry.diagnostics import rebase

        findings = rebase(findings, config.repository_prefix)
    ordered = sort_findings(findings)
    kwargs: dict[str, Any] = {"summary": summary}
    if fmt is Format.text:
        kwargs["colour"] = sys.stdout.isatty()
    sys.stdout.write(PRINTERS[fmt.value](ordered, **kwargs))
    return 1 if has_errors(ordered) else 0


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the project.")] = Path(),
) -> None:
    """Scaffold a project: settings, one example message and a pre-commit config."""
    from registry.scaffold import init_project

    created = _run(lambda: init_project(directory))
    for path in created:
        typer.echo(f"created {path}")
    typer.echo("next: edit schemas/, then run `wiretype check`, `wiretype lock` and "
               "`wiretype generate`; `pre-commit install` turns on the hooks")


@app.command()
def lint(root: RootOpt = None, fmt: FormatOpt = Format.text) -> None:
    """Load and validate every definition; each error carries file:line:column."""
    from registry.checks import lint_project

    config = _run(lambda: _config(root))
    found = _run(lambda: lint_project(config))
    findings = [*config.findings, *found.findings]
    summary = _summary(findings, f"{len(found.outlines)} definition(s) linted")
    raise typer.Exit(_report(findings, fmt, summary, config))


@app.command()
def check(
    root: RootOpt = None,
    fmt: FormatOpt = Format.text,
    against: Annotated[str | None, typer.Option(
        "--against", help="Also compare with the registry at this git ref (e.g. origin/main).",
    )] = None,
) -> None:
    """Lint, then check published versions are unchanged and every change is compatible."""
    from registry.checks import check_project

    config = _run(lambda: _config(root))
    checked = _run(lambda: check_project(config, against))
    outlines = checked.survey.outlines.values()
    versions = sum(len(o.versions) for o in outlines)
    findings = [*config.findings, *checked.findings]
    summary = _summary(findings, f"{len(outlines)} definition(s), {versions} version(s) checked")
    raise typer.Exit(_report(findings, fmt, summary, config))


def _summary(findings: Sequence[Finding], what: str) -> str:
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    verdict = "ok" if not errors else f"{errors} error(s)"
    return f"{what}: {verdict}" + (f", {warnings} warning(s)" if warnings else "")


@app.command()
def lock(
    root: RootOpt = None,
    fmt: FormatOpt = Format.text,
    force: Annotated[bool, typer.Option(
        "--force", help="Also re-record locked versions whose schema changed (breaks clients).",
    )] = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Forget locked versions whose definition was deleted on purpose.",
    )] = False,
) -> None:
    """Record the current versions as published, with their fingerprints."""
    from registry.project import load
    from registry.scaffold import lock_project

    config = _run(lambda: _config(root))
    findings, message = _run(lambda: lock_project(load(config), force=force, prune=prune))
    raise typer.Exit(_report(findings, fmt, message, config))


class ShowFormat(StrEnum):
    yaml = "yaml"
    jsonschema = "jsonschema"


@app.command()
def show(
    message: Annotated[str, typer.Argument(help="MSG or MSG@V (default: the latest version).")],
    root: RootOpt = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f")] = ShowFormat.yaml,
    view: Annotated[str, typer.Option(help="closed (what a writer sends) or open (what a "
                                      "reader accepts); for jsonschema.")] = "closed",
) -> None:
    """Print one message version, resolved (shared types included)."""
    from registry.scaffold import show_version

    raise typer.Exit(_run(lambda: show_version(_load(root), message, fmt.value, view)))


class ExportKind(StrEnum):
    jsonschema = "jsonschema"
    asyncapi = "asyncapi"


@app.command()
def export(
    kind: Annotated[ExportKind, typer.Argument(help="jsonschema or asyncapi.")],
    root: RootOpt = None,
    out: Annotated[Path | None, typer.Option(
        help="Output folder (jsonschema; default generated/jsonschema) or file (asyncapi; "
        "default: standard output).")] = None,
) -> None:
    """Export the registry as JSON Schema files, or as an AsyncAPI 3 document."""
    from registry.export import export_registry

    raise typer.Exit(_run(lambda: export_registry(_load(root), kind.value, out)))


@app.command()
def bump(
    message: Annotated[str, typer.Argument(help="The message (or shared type) to bump.")],
    root: RootOpt = None,
) -> None:
    """Start a new version of a message as a copy of its latest."""
    from registry.scaffold import bump_definition

    typer.echo(_run(lambda: bump_definition(_load(root), message)))


@app.command()
def generate(
    root: RootOpt = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 when the generated code on disk is stale.",
    )] = False,
    lang: Annotated[str, typer.Option(
        "--lang", help="Which packages, comma-separated: python,typescript.",
    )] = "python,typescript",
    out: Annotated[Path | None, typer.Option(
        help="Output folder (default: from the settings); with several languages each gets "
        "a subfolder named after it.")] = None,
    templates: Annotated[Path | None, typer.Option(
        help="A folder of templates that override the built-in ones by name "
        "(python/..., typescript/...).")] = None,
) -> None:
    """Generate the Python and TypeScript packages (models, validators, shims)."""
    from registry.generate import generate as run_generate
    from registry.generate import parse_languages

    def body() -> int:
        languages = parse_languages(lang)
        return run_generate(_load(root), languages, out=out, templates=templates, check=check)

    raise typer.Exit(_run(body))


@app.command("compat")
def compat_command(
    old: Annotated[Path, typer.Argument(help="The old JSON Schema file (JSON or YAML).")],
    new: Annotated[Path, typer.Argument(help="The new JSON Schema file (JSON or YAML).")],
    mode: Annotated[str, typer.Option(
        "--mode", "-m", help="backward (OLD ⊆ NEW), forward (NEW ⊆ OLD), full or none.",
    )] = "full",
    fmt: FormatOpt = Format.text,
) -> None:
    """Compare two raw JSON Schema files by set inclusion; exit 1 when not compatible."""
    import json

    from registry.compare import compat_files

    comparison, findings = _run(lambda: compat_files(old, new, mode))
    mode = mode.removesuffix("_transitive")
    ok = comparison.compatible(mode)
    if fmt is Format.json:
        typer.echo(json.dumps(comparison.to_json(mode), indent=2, sort_keys=True))
        raise typer.Exit(0 if ok else 1)
    verdict = "compatible" if ok else "NOT compatible"
    summary = (f"{verdict} ({mode}): backward {_holds(comparison.backward)}, "
               f"forward {_holds(comparison.forward)}")
    _report(findings, fmt, summary)
    raise typer.Exit(0 if ok else 1)


def _holds(inclusion: Any) -> str:
    return {"yes": "yes", "no": "no", "unknown": "cannot prove"}[inclusion.verdict]


@app.command()
def diff(
    message: Annotated[str, typer.Argument(help="The message (or shared type).")],
    v1: Annotated[int, typer.Argument(help="The older version.")],
    v2: Annotated[int, typer.Argument(help="The newer version.")],
    root: RootOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """What changed between two versions, keyword by keyword, and what each change breaks.

    Exit 1 when the versions are not compatible in the message's mode (with its
    migrations), 0 when they are, 2 for an unknown message or version.
    """
    import json

    from registry.diffing import diff_versions, render_text, to_json
    from registry.errors import UsageError
    from registry.scaffold import find_definition

    def body() -> Any:
        if fmt not in ("text", "json"):
            raise UsageError("--format must be text or json for diff")
        if v1 >= v2:
            raise UsageError("give the older version first: wiretype diff MSG OLD NEW")
        loaded = _load(root)
        definition, old = find_definition(loaded, f"{message}@{v1}")
        _, new = find_definition(loaded, f"{message}@{v2}")
        return diff_versions(loaded.registry, definition, old, new)

    result = _run(body)
    if fmt == "json":
        typer.echo(json.dumps(to_json(result), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        sys.stdout.write(render_text(result))
    raise typer.Exit(0 if result.compatible else 1)


@app.command()
def rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List every id wiretype can print, by category, with what each protects."""
    import json

    from registry.catalog import CATALOG, by_category

    if fmt == "json":
        listing = [{"id": e.id, "category": e.category, "summary": e.summary,
                    "retired": bool(e.replaced_by)} for e in sorted(CATALOG.values(),
                                                                    key=lambda e: e.id)]
        typer.echo(json.dumps(listing, indent=2))
        return
    if fmt != "text":
        typer.echo("wiretype: error: --format must be text or json for rules", err=True)
        raise typer.Exit(2)
    width = max(len(rule_id) for rule_id in CATALOG)
    blocks = []
    for heading, entries in by_category():
        lines = [f"  {e.id:{width}}  {e.summary}" for e in entries]
        blocks.append("\n".join([f"{heading}:", *lines]))
    typer.echo("\n\n".join(blocks))
    typer.echo(f"\n{len(CATALOG)} ids; `wiretype explain ID` prints one with an example")


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="An id, e.g. ENUM_VALUE_NO_DELETE or "
                                        "LOCK_VERSION_CHANGED.")],
) -> None:
    """Print what an id protects, a before/after example and how to fix it."""
    from registry.catalog import CATALOG, CATEGORIES
    from registry.context import did_you_mean

    wanted = rule.strip().upper().replace("-", "_")
    found = CATALOG.get(wanted)
    if found is None:
        typer.echo(f"wiretype: error: no id {rule!r}{did_you_mean(wanted, CATALOG)}; "
                   "`wiretype rules` lists them", err=True)
        raise typer.Exit(2)
    heading = dict(CATEGORIES)[found.category]
    typer.echo(f"{found.id}\n{heading}\n\n{found.doc}")


@app.command()
def serve(  # noqa: PLR0917 (typer maps each parameter to an option)
    target: Annotated[str, typer.Argument(metavar="MODULE:SERVER",
                                          help="The Server to run, e.g. chat.app:server.")],
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port (0: any free one).")] = 8765,
    workers: Annotated[int, typer.Option(help="Processes sharing the port (needs Redis).")] = 1,
    store: Annotated[str | None, typer.Option(
        help="Where sessions live: memory://, sqlite:///path, redis://host:port/db.")] = None,
    broker: Annotated[str | None, typer.Option(
        help="Topic fan-out across processes: memory://, redis://host:port/db.")] = None,
    metrics: Annotated[bool | None, typer.Option(
        "--metrics/--no-metrics", help="Serve /metrics and /connections (default: on, on "
        "the server's port).", show_default=False)] = None,
    metrics_port: Annotated[int | None, typer.Option(
        help="Serve /metrics and /connections on this port instead.")] = None,
) -> None:
    """Run a runtime server until SIGTERM or SIGINT, which drain it (status, then 1001)."""
    from wiretype.cli import ServeOptions
    from wiretype.cli import serve as serve_server  # the runtime, imported only here

    raise typer.Exit(serve_server(ServeOptions(target, host, port, workers, store, broker,
                                               metrics, metrics_port)))


@app.command()
def dlq(
    action: Annotated[str, typer.Argument(metavar="list|show|retry|drop",
                                          help="What to do with the dead letters.")],
    ident: Annotated[str | None, typer.Argument(
        metavar="[ID]", help="One dead letter (show, retry, drop).")] = None,
    store: Annotated[str, typer.Option(help="The server's store: sqlite:///path or "
                                       "redis://host:port/db.")] = "",
    every: Annotated[bool, typer.Option("--all", help="retry/drop every dead letter.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Inspect and replay the dead letters of durable handlers (exit 1 when list finds any)."""
    if not store:
        typer.echo("wiretype: error: dlq needs --store URL", err=True)
        raise typer.Exit(2)
    from wiretype.dlq import run as run_dlq  # the runtime, imported only here

    raise typer.Exit(run_dlq(action, store, ident, every, fmt))


@app.command()
def loadtest(  # noqa: PLR0917 (typer maps each parameter to an option)
    url: Annotated[str, typer.Argument(help="The server, e.g. ws://127.0.0.1:8765.")],
    scenario: Annotated[str | None, typer.Option(
        help="A preset: connections, volume, resources, latency, burst, sustained, connect, "
        "pool (the options below override it).")] = None,
    connections: Annotated[int | None, typer.Option(help="Connections to open.")] = None,
    connect_rate: Annotated[float | None, typer.Option(help="Connections opened a second.")] = None,
    rate: Annotated[float | None, typer.Option(
        help="Messages a second over all connections (0: as fast as acks come back).")] = None,
    burst: Annotated[int | None, typer.Option(
        help="Messages each connection sends at once.")] = None,
    duration: Annotated[float | None, typer.Option(help="Seconds of sending.")] = None,
    versions: Annotated[str | None, typer.Option(
        help="latest, or all: connection i speaks version i mod n of each message.")] = None,
    scale: Annotated[float, typer.Option(help="Multiply the scenario's size.")] = 1.0,
    mix: Annotated[str | None, typer.Option(
        help="Messages and weights, e.g. chat.message_sent=3,chat.typing=1.")] = None,
    package: Annotated[str | None, typer.Option(help="The generated Python package.")] = None,
    root: RootOpt = None,
    metrics: Annotated[str | None, typer.Option(
        help="The server's /metrics (default: from the URL).")] = None,
    no_metrics: Annotated[bool, typer.Option("--no-metrics", help="Read no /metrics.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress line.")] = False,
) -> None:
    """Load a wiretype server with the product's own client; report latency, throughput,
    errors and the server's own counters (exit 1 on errors or disagreement)."""
    from wiretype.loadtest import main as run_loadtest  # the runtime, imported only here

    overrides = {"connections": connections, "connect_rate": connect_rate, "rate": rate,
                 "burst": burst, "duration_s": duration, "versions": versions}
    raise typer.Exit(run_loadtest(url, scenario, overrides, scale=scale, package=package,
                                  root=root, mix=mix, metrics=None if no_metrics else metrics or "",
                                  fmt=fmt, quiet=quiet))


@app.command()
def versions(  # noqa: PLR0917 (typer maps each parameter to an option)
    target: Annotated[str | None, typer.Argument(
        metavar="[MSG[@V]]",
        help="A message, or one version of it (exit 1 while spoken).")] = None,
    metrics: Annotated[list[str] | None, typer.Option(
        help="A server's /metrics URL (repeat for every node).")] = None,
    prometheus: Annotated[str | None, typer.Option(
        help="A Prometheus that scrapes the servers (the whole fleet at once).")] = None,
    token: Annotated[str | None, typer.Option(
        envvar="WIRETYPE_ADMIN_TOKEN",
        help="The servers' admin_token: list the clients too.")] = None,
    everything: Annotated[bool, typer.Option(
        "--all", help="Also the wiretype.* messages.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Which message versions live clients speak ("who still speaks chat.message_sent v1?")."""
    from wiretype.versions import main as run_versions  # the runtime, imported only here

    raise typer.Exit(run_versions(target, metrics or [], prometheus, token, fmt, everything))


def main() -> None:
    """The console script: ``wiretype``."""
    import gc
    import os

    # One short run builds many objects and few cycles: collect them rarely (with the
    # default thresholds the collector took a tenth of a cold `check`).
    gc.set_threshold(200_000, 10, 1000)
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
    except Exception as err:  # a bug: one clear line, the traceback only on request
        if os.environ.get("WIRETYPE_DEBUG"):
            raise
        typer.echo(f"wiretype: internal error: {type(err).__name__}: {err}\n"
                   "  hint: this is a bug in wiretype; rerun with WIRETYPE_DEBUG=1 and "
                   "report the traceback", err=True)
        sys.exit(2)
