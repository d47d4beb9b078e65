"""`boi notify …`: operator commands of the notify service (a plugin of the `boi` command)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Annotated

import typer

from boi_notify import SERVICE
from boi_notify.adapters.impressions import KafkaImpressionSink
from boi_notify.app import Email, build_email
from boi_notify.domain.dates import local_day, period_key, previous_period
from boi_notify.service.alerts import DigestReport
from boi_notify.settings import Settings
from boi_shared.kafka import command_broker, connect_broker
from boi_shared.mongo import mongo_client

app = typer.Typer(help="Notify: webhooks and email subscribers.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Notify: webhooks and email subscribers."""


@asynccontextmanager
async def _email(settings: Settings, connect: bool) -> AsyncIterator[Email]:
    """The email use cases on their own clients (Kafka only connected when something may be sent)."""
    url = settings.mongo_url.get_secret_value()
    mongo = mongo_client(url, SERVICE, role="cli")
    broker = command_broker(settings, client_id=f"{SERVICE}-cli")
    sink = KafkaImpressionSink(broker)
    try:
        if connect:
            await connect_broker(broker, settings)  # a refused login says so
        email = build_email(settings, mongo, sink)
        try:
            yield email
        finally:
            await email.sender.close()
    finally:
        await broker.stop()
        await mongo.close()


async def run_digest(settings: Settings, frequency: str, period: str, dry_run: bool) -> DigestReport:
    async with _email(settings, connect=not dry_run) as email:
        return await email.alerts.digest(frequency, period, dry_run=dry_run)


@app.command()
def digest(
    period: Annotated[str, typer.Option(help="diaria or semanal")] = "diaria",
    fecha: Annotated[
        str, typer.Option(help="Any day of the period, YYYY-MM-DD (default: the last one)")
    ] = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be sent; send nothing")
    ] = False,
) -> None:
    """Send (or with --dry-run, list) the digests of one period; a digest already sent is not sent again."""
    if period not in ("diaria", "semanal"):
        raise typer.BadParameter("--period must be diaria or semanal")
    try:
        key = (
            period_key(period, date.fromisoformat(fecha))
            if fecha
            else previous_period(period, datetime.now(UTC))
        )
    except ValueError as exc:
        raise typer.BadParameter(f"--fecha: {exc}") from exc
    report = asyncio.run(run_digest(Settings(), period, key, dry_run))
    calls = sum(len(found) for _, found in report.planned)
    typer.echo(f"{period} {key}: {len(report.planned)} digests, {calls} calls in all")
    for sub, found in report.planned if dry_run else ():
        # No addresses: the subscription id and its topic say enough to an operator.
        typer.echo(f"  {sub.id}  {sub.topic.describe()}  ({len(found)} calls)")
        for call in found:
            typer.echo(f"      - {call.title}")
    if not dry_run:
        typer.echo(
            "sent: " + (", ".join(f"{k}={v}" for k, v in sorted(report.outcomes.items())) or "nothing")
        )


async def run_reminders(settings: Settings, today: date) -> int:
    async with _email(settings, connect=True) as email:
        return await email.alerts.reminders(today, settings.reminder_days)


@app.command()
def reminders(
    fecha: Annotated[
        str, typer.Option(help="The day to remind as of, YYYY-MM-DD (default: today in Bogotá)")
    ] = "",
) -> None:
    """Send the deadline reminders due on a day (BOI_REMINDER_DAYS before each deadline); never twice."""
    try:
        today = date.fromisoformat(fecha) if fecha else local_day(datetime.now(UTC))
    except ValueError as exc:
        raise typer.BadParameter(f"--fecha: {exc}") from exc
    typer.echo(f"reminders sent: {asyncio.run(run_reminders(Settings(), today))}")
