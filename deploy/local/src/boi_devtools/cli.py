"""The `boi` command. Services add their own sub-commands through the `boi.commands` entry point group."""

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TypeVar

import typer
from aiokafka.errors import KafkaError

from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.install import InstallError
from boi_devtools.stack.local import LocalStack
from boi_devtools.stack.process import StackError
from boi_shared.dlq import read_letters, replay
from boi_shared.kafka_auth import ADMIN, SERVICES, KafkaConnection, KafkaLoginError, login_problem
from boi_shared.settings import ServiceSettings

T = TypeVar("T")
app = typer.Typer(
    help="BOI — Boletín de Oferta Internacional: operator and developer commands.", no_args_is_help=True
)
stack_app = typer.Typer(
    help="The local stack: Apache Kafka, FerretDB and Meilisearch as native processes.", no_args_is_help=True
)
app.add_typer(stack_app, name="stack")
dlq_app = typer.Typer(
    help="Dead letters: messages a service could never process, parked on <topic>.dlq.", no_args_is_help=True
)
app.add_typer(dlq_app, name="dlq")


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


def _kafka() -> KafkaConnection:
    return ServiceSettings().kafka_connection()


def _on_kafka(work: Callable[[KafkaConnection], Awaitable[T]]) -> T:
    """Run `work` on Kafka; a refused login or an unreachable broker ends the command with the reason."""
    kafka = _kafka()

    async def run() -> T:
        try:
            return await work(kafka)
        except KafkaError:
            if (problem := await login_problem(kafka)) is not None:
                raise KafkaLoginError(problem) from None
            raise

    try:
        return asyncio.run(run())
    except KafkaLoginError as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


@dlq_app.command("list")
def dlq_list(topic: str = typer.Argument(..., help="The original topic, e.g. calls.enriched.v1")) -> None:
    """Show each dead letter of TOPIC: its id, when, which service, the error and where it came from."""
    try:
        letters = _on_kafka(lambda kafka: read_letters(kafka, topic))
    except LookupError as exc:
        _fail(exc)
    for item in letters:
        if (x := item.letter) is None:
            typer.echo(f"{item.id}  (not a DeadLetter: {len(item.raw)} bytes)")
            continue
        typer.echo(
            f"{item.id}  {x.failed_at:%Y-%m-%d %H:%M:%S}  {x.consumer_group}  "
            f"{x.original_topic}[{x.partition}]@{x.offset}  key={x.key}  attempts={x.attempts}\n"
            f"    {x.error_type}: {x.error[:300]}"
        )
    typer.echo(f"{len(letters)} dead letter(s) on {topic}.dlq")


@dlq_app.command("replay")
def dlq_replay(
    topic: str = typer.Argument(..., help="The original topic, e.g. calls.enriched.v1"),
    ids: list[str] = typer.Option([], "--id", help="Replay only this letter (partition:offset); repeatable"),
) -> None:
    """Republish the original payload of TOPIC's dead letters (all, or those given with --id) to TOPIC."""
    try:
        replayed = _on_kafka(lambda kafka: replay(kafka, topic, set(ids) or None))
    except LookupError as exc:
        _fail(exc)
    for item in replayed:
        typer.echo(f"replayed {item.id}")
    typer.echo(f"{len(replayed)} message(s) republished to {topic}")


def _load_plugins(argv: list[str]) -> dict[str, str]:
    """Add the services' sub-commands; returns each one's Kafka principal (the service it belongs to).
    `boi sources …` imports only the ingest plugin (each service's imports cost about a second of CPU);
    anything else (`boi --help`, a built-in command) loads them all, so help lists every command."""
    found = list(entry_points(group="boi.commands"))
    wanted = [ep for ep in found if len(argv) > 1 and ep.name == argv[1]] or found
    principals: dict[str, str] = {}
    for ep in found:
        owner = ep.value.split(".")[0].removeprefix("boi_")
        principals[ep.name] = owner if owner in SERVICES else ADMIN
        if ep in wanted:
            app.add_typer(ep.load(), name=ep.name)
    return principals


def _local_stack_kafka(principals: dict[str, str], argv: list[str]) -> None:
    """Without BOI_KAFKA_USERNAME, a command talks to the local stack as the stack's principal for it: a
    service's command (`boi sources`, `boi notify digest`…) as that service, the others (`boi dlq`) as the
    admin. The password is read from the stack's data directory and only handed to the settings."""
    cfg = StackConfig()
    bootstrap = os.environ.setdefault("BOI_KAFKA_BOOTSTRAP_SERVERS", cfg.kafka_bootstrap)
    if os.environ.get("BOI_KAFKA_USERNAME") or bootstrap != cfg.kafka_bootstrap:
        return
    passwords = cfg.kafka_passwords(create=False)
    principal = principals.get(argv[1], ADMIN) if len(argv) > 1 else ADMIN
    if principal in passwords:
        os.environ["BOI_KAFKA_USERNAME"] = principal
        os.environ["BOI_KAFKA_PASSWORD"] = passwords[principal]
    _local_run_secrets(cfg)


def _local_run_secrets(cfg: StackConfig) -> None:
    """The keys `boi run` made for its services (read from the stack's data directory, never printed), so a
    command beside `make run` signs what the services verify: `boi notify digest` links that unsubscribe."""
    path = cfg.data_dir / "subscription-secret"
    if "BOI_SUBSCRIPTION_SECRET" not in os.environ and path.is_file():
        os.environ["BOI_SUBSCRIPTION_SECRET"] = path.read_text(encoding="utf-8").strip()


def main() -> None:
    _local_stack_kafka(_load_plugins(sys.argv), sys.argv)
    sys.exit(app())
