"""The runtime's commands (``serve``, ``dlq``, ``loadtest``, ``versions``): the one door from
the command line into ``wiretype/``.

The build-time house never imports the runtime (``tests/test_architecture.py``): no module
of ``registry/`` has an ``import wiretype``. These four commands declare their options here,
like every other command, and hand their arguments to the runtime's own module, which
``runtime`` imports by name only when the command runs, so that ``wiretype --help`` and
every build-time command load none of it. This is the only module of ``registry/`` that
names a runtime module.
"""

import importlib
from typing import Annotated, Any

import typer

from registry.cli.app import RootOpt

RUNTIME = "wiretype"  # the runtime package (wiretype/), beside registry/ in the same wheel


def runtime(module: str) -> Any:
    """``wiretype.<module>``, imported now (only when a runtime command runs)."""
    return importlib.import_module(f"{RUNTIME}.{module}")


def serve(  # noqa: PLR0917 (typer maps each parameter to an option)
    target: Annotated[
        str,
        typer.Argument(metavar="MODULE:SERVER", help="The Server to run, e.g. chat.app:server."),
    ],
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port (0: any free one).")] = 8765,
    workers: Annotated[int, typer.Option(help="Processes sharing the port (needs Redis).")] = 1,
    store: Annotated[
        str | None,
        typer.Option(help="Where sessions live: memory://, sqlite:///path, redis://host:port/db."),
    ] = None,
    broker: Annotated[
        str | None,
        typer.Option(help="Topic fan-out across processes: memory://, redis://host:port/db."),
    ] = None,
    metrics: Annotated[
        bool | None,
        typer.Option(
            "--metrics/--no-metrics",
            help="Serve /metrics and /connections (default: on, on the server's port).",
            show_default=False,
        ),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve /metrics and /connections on this port instead."),
    ] = None,
) -> None:
    """Run a runtime server until SIGTERM or SIGINT, which drain it (status, then 1001)."""
    cli = runtime("cli")
    options = cli.ServeOptions(target, host, port, workers, store, broker, metrics, metrics_port)
    raise typer.Exit(cli.serve(options))


def dlq(
    action: Annotated[
        str,
        typer.Argument(metavar="list|show|retry|drop", help="What to do with the dead letters."),
    ],
    ident: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="One dead letter (show, retry, drop)."),
    ] = None,
    store: Annotated[
        str,
        typer.Option(help="The server's store: sqlite:///path or redis://host:port/db."),
    ] = "",
    every: Annotated[bool, typer.Option("--all", help="retry/drop every dead letter.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Inspect and replay the dead letters of durable handlers (exit 1 when list finds any)."""
    if not store:
        typer.echo("wiretype: error: dlq needs --store URL", err=True)
        raise typer.Exit(2)
    raise typer.Exit(runtime("dlq").run(action, store, ident, every, fmt))


def loadtest(  # noqa: PLR0917 (typer maps each parameter to an option)
    url: Annotated[str, typer.Argument(help="The server, e.g. ws://127.0.0.1:8765.")],
    scenario: Annotated[
        str | None,
        typer.Option(
            help="A preset: connections, volume, resources, latency, burst, sustained, connect, "
            "pool (the options below override it)."
        ),
    ] = None,
    connections: Annotated[int | None, typer.Option(help="Connections to open.")] = None,
    connect_rate: Annotated[float | None, typer.Option(help="Connections opened a second.")] = None,
    rate: Annotated[
        float | None,
        typer.Option(help="Messages a second over all connections (0: as fast as acks come back)."),
    ] = None,
    burst: Annotated[
        int | None, typer.Option(help="Messages each connection sends at once.")
    ] = None,
    duration: Annotated[float | None, typer.Option(help="Seconds of sending.")] = None,
    versions: Annotated[
        str | None,
        typer.Option(help="latest, or all: connection i speaks version i mod n of each message."),
    ] = None,
    scale: Annotated[float, typer.Option(help="Multiply the scenario's size.")] = 1.0,
    mix: Annotated[
        str | None,
        typer.Option(help="Messages and weights, e.g. chat.message_sent=3,chat.typing=1."),
    ] = None,
    package: Annotated[str | None, typer.Option(help="The generated Python package.")] = None,
    root: RootOpt = None,
    metrics: Annotated[
        str | None, typer.Option(help="The server's /metrics (default: from the URL).")
    ] = None,
    no_metrics: Annotated[bool, typer.Option("--no-metrics", help="Read no /metrics.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress line.")] = False,
) -> None:
    """Load a wiretype server with the product's own client; report latency, throughput,
    errors and the server's own counters (exit 1 on errors or disagreement)."""
    overrides = {
        "connections": connections,
        "connect_rate": connect_rate,
        "rate": rate,
        "burst": burst,
        "duration_s": duration,
        "versions": versions,
    }
    raise typer.Exit(
        runtime("loadtest").main(
            url,
            scenario,
            overrides,
            scale=scale,
            package=package,
            root=root,
            mix=mix,
            metrics=None if no_metrics else metrics or "",
            fmt=fmt,
            quiet=quiet,
        )
    )


def versions(  # noqa: PLR0917 (typer maps each parameter to an option)
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="[MSG[@V]]", help="A message, or one version of it (exit 1 while spoken)."
        ),
    ] = None,
    metrics: Annotated[
        list[str] | None,
        typer.Option(help="A server's /metrics URL (repeat for every node)."),
    ] = None,
    prometheus: Annotated[
        str | None,
        typer.Option(help="A Prometheus that scrapes the servers (the whole fleet at once)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="WIRETYPE_ADMIN_TOKEN", help="The servers' admin_token: list the clients too."
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Also the wiretype.* messages.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Which message versions live clients speak ("who still speaks chat.message_sent v1?")."""
    run_versions = runtime("versions").main
    raise typer.Exit(run_versions(target, metrics or [], prometheus, token, fmt, everything))
