"""The `boi` command. Services add their own sub-commands through the `boi.commands` entry point group."""

import json
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

import typer

from boi_devtools.stack.install import InstallError
from boi_devtools.stack.local import LocalStack
from boi_devtools.stack.process import StackError

app = typer.Typer(
    help="BOI — Boletín de Oferta Internacional: operator and developer commands.", no_args_is_help=True
)
stack_app = typer.Typer(
    help="The local stack: Apache Kafka, FerretDB and Meilisearch as native processes.", no_args_is_help=True
)
app.add_typer(stack_app, name="stack")


def _fail(exc: Exception) -> None:
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@stack_app.command("install")
def stack_install() -> None:
    """Install what is missing (cached in ~/.cache/boi), without starting anything."""
    started = time.monotonic()
    try:
        paths = LocalStack().install()
    except InstallError as exc:
        _fail(exc)
    for name, path in paths.items():
        typer.echo(f"{name:12} {path}")
    typer.echo(f"installed in {time.monotonic() - started:.1f}s")


@stack_app.command("up")
def stack_up() -> None:
    """Install what is missing, start the stack, create the topics and wait until it is ready."""
    stack = LocalStack()
    try:
        stack.up()
    except (InstallError, StackError) as exc:
        _fail(exc)
    cfg = stack.cfg
    typer.echo(
        f"kafka        {cfg.kafka_bootstrap}\nmongodb      {cfg.mongo_url}  (FerretDB)\n"
        f"meilisearch  {cfg.meili_url}\nready."
    )


@stack_app.command("down")
def stack_down() -> None:
    """Stop the stack (data is kept)."""
    LocalStack().down()
    typer.echo("stopped.")


@stack_app.command("status")
def stack_status(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Show each component's process, port and state."""
    rows = LocalStack().status()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['name']:12} {r['state']:8} pid={r['pid']} port={r['port']}  log={r['log']}")


@stack_app.command("logs")
def stack_logs(
    component: str = typer.Argument(..., help="kafka, ferretdb or meilisearch"),
    lines: int = typer.Option(50, "-n", help="Lines to show"),
) -> None:
    """Print the last lines of a component's log."""
    for c in LocalStack().components():
        if c.name == component:
            typer.echo(c.log_tail(lines))
            return
    _fail(ValueError(f"unknown component {component!r}: kafka, ferretdb or meilisearch"))


@app.command("run")
def run(
    port: int = typer.Option(8000, help="Port of the public site"),
    demo_feed: list[Path] = typer.Option([], help="Extra feeds to ingest (files or URLs)"),
) -> None:
    """The main job: the stack, all five services and the public site with demo sources. Ctrl-C stops."""
    from boi_devtools.runner import run_all

    try:
        run_all(site_port=port, extra_feeds=[str(p) for p in demo_feed])
    except (InstallError, StackError) as exc:
        _fail(exc)


def _load_plugins() -> None:
    for ep in entry_points(group="boi.commands"):
        plugin = ep.load()
        app.add_typer(plugin, name=ep.name)


def main() -> None:
    _load_plugins()
    sys.exit(app())
