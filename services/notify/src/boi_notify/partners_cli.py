"""`boi partners …`: partner webhook endpoints (a plugin of the `boi` command). A secret is printed once, on
this terminal only (never logged): `add` and `rotate` print it; `secret` prints one made in the console."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, TypeVar

import typer

from boi_notify import SERVICE, handlers
from boi_notify.adapters.impressions import KafkaRetryPublisher
from boi_notify.app import build_partners
from boi_notify.domain.partners import InvalidPartner
from boi_notify.service.partners import Partners
from boi_notify.settings import Settings
from boi_shared.kafka import command_broker, connect_broker
from boi_shared.mongo import mongo_client

app = typer.Typer(help="Partner webhook endpoints (Standard Webhooks).", no_args_is_help=True)
T = TypeVar("T")


@asynccontextmanager
async def _partners(settings: Settings, kafka: bool) -> AsyncIterator[Partners]:
    mongo = mongo_client(settings.mongo_url.get_secret_value(), SERVICE, role="partners-cli")
    broker = command_broker(settings, client_id=f"{SERVICE}-partners-cli")
    retries = KafkaRetryPublisher(handlers.retries_publisher(broker))
    try:
        if kafka:
            await connect_broker(broker, settings)  # a refused login says so
        yield build_partners(settings, mongo[settings.database_name(SERVICE)], retries)
    finally:
        await broker.stop()
        await mongo.close()


def _run(use: Callable[[Partners], Awaitable[T]], kafka: bool = False) -> T:
    async def go() -> T:
        async with _partners(Settings(), kafka) as partners:
            return await use(partners)

    try:
        return asyncio.run(go())
    except InvalidPartner as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None


def _show_secret(name: str, secret: str) -> None:
    typer.echo(f"secret of {name} (shown once; give it to the partner over a safe channel):")
    typer.echo(f"  {secret}")


@app.command()
def add(
    url: Annotated[str, typer.Argument(help="The partner's https URL")],
    name: Annotated[str, typer.Option("--name", help="Short name: lowercase letters, digits, . _ -")],
    filter: Annotated[
        list[str] | None,
        typer.Option("--filter", help="KEY=V[,V…]; keys: type, sector, colombia (si, no, sin_dato), change"),
    ] = None,
) -> None:
    """Register an endpoint; prints its new secret once."""
    endpoint = _run(lambda p: p.add(name, url, filter or [], shown=True))
    typer.echo(f"registered {endpoint.name} → {endpoint.url} (filter: {endpoint.filter.describe()})")
    _show_secret(endpoint.name, endpoint.secret)


@app.command("list")
def list_() -> None:
    """Every endpoint: name, state, URL, filter (no secrets)."""
    for e in _run(lambda p: p.endpoints()):
        state = "enabled" if e.enabled else f"DISABLED ({e.disabled_reason})"
        failing = f", failing since {e.failing_since:%Y-%m-%d %H:%M} UTC" if e.failing_since else ""
        typer.echo(f"{e.name:24} {state}{failing}\n  {e.url}\n  filter: {e.filter.describe()}")


@app.command()
def rotate(name: str) -> None:
    """A new secret, printed once; the previous one also signs for BOI_WEBHOOK_ROTATION_HOURS."""
    hours = Settings().webhook_rotation_hours
    endpoint = _run(lambda p: p.rotate(name, timedelta(hours=hours), shown=True))
    typer.echo(f"{name}: both secrets sign every request for {hours:g} h (two signatures)")
    _show_secret(name, endpoint.secret)


@app.command()
def secret(name: str) -> None:
    """Print, once, the secret of an endpoint registered or rotated in the console."""
    _show_secret(name, _run(lambda p: p.take_secret(name)))


@app.command()
def disable(name: str) -> None:
    """Stop delivering to an endpoint (its pending deliveries end as failed)."""
    _run(lambda p: p.set_enabled(name, False))
    typer.echo(f"{name}: disabled")


@app.command()
def enable(name: str) -> None:
    """Deliver to an endpoint again (`replay` sends what it missed)."""
    _run(lambda p: p.set_enabled(name, True))
    typer.echo(f"{name}: enabled")


@app.command()
def replay(
    name: str,
    since: Annotated[str, typer.Option("--since", help="YYYY-MM-DD or an ISO date-time (UTC if no zone)")],
) -> None:
    """Send the endpoint's deliveries recorded since a date again (same webhook-id: partners de-duplicate)."""
    try:
        when = datetime.fromisoformat(since)
    except ValueError as exc:
        raise typer.BadParameter(f"--since: {exc}") from exc
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    count = _run(lambda p: p.replay(name, when), kafka=True)
    typer.echo(f"{name}: {count} deliveries due again now")


@app.command()
def log(name: str, limit: Annotated[int, typer.Option(min=1, max=1000)] = 20) -> None:
    """The endpoint's latest deliveries."""
    for r in _run(lambda p: p.log(name, limit)):
        typer.echo(
            f"{r['created_at']:%Y-%m-%d %H:%M:%S}  {r['call_id']} v{r['version']} {r['change']:9} "
            f"{r['status']:9} attempts={r.get('attempts', 0)} "
            f"{r.get('http_status') or ''} {r.get('last_error') or ''}"
        )
