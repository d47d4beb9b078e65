"""`boi ingest …`: operator commands of the ingest service (a plugin of the `boi` command)."""

import asyncio
import json
import logging
import sys

import typer

from boi_ingest.app import build_broker, build_ingestor
from boi_ingest.ports import IngestReport
from boi_ingest.settings import Settings
from boi_shared.kafka import connect_broker

app = typer.Typer(
    help="Ingest: fetch feeds and emit new or changed calls to calls.raw.v1.", no_args_is_help=True
)


@app.callback()
def main() -> None:
    """Ingest: fetch feeds and emit new or changed calls to calls.raw.v1."""


async def _run_once(locations: list[str]) -> list[IngestReport]:
    settings = Settings()
    broker, publish = build_broker(settings)
    try:
        await connect_broker(broker, settings)  # a refused login says so
        async with build_ingestor(settings, publish).open() as ingestor:
            return await ingestor.run(locations)
    finally:
        await broker.stop()


@app.command("run")
def run(
    sources: list[str] = typer.Argument(..., help="Feed files or http(s) URLs", show_default=False),
) -> None:
    """Ingest the given feeds once against the configured Kafka and MongoDB; print the reports as JSON.

    Exits with 1 when a source had errors, 2 when Kafka cannot be reached.
    """
    # stdout carries the JSON report; logs go to stderr.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    try:
        reports = asyncio.run(_run_once(sources))
    except Exception as exc:
        detail = str(exc) if str(exc).startswith(type(exc).__name__) else f"{type(exc).__name__}: {exc}"
        typer.secho(
            f"error: {detail} — is the stack up? Check BOI_KAFKA_BOOTSTRAP_SERVERS and BOI_MONGO_URL.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2) from exc
    typer.echo(json.dumps([r.model_dump(mode="json") for r in reports], indent=2, ensure_ascii=False))
    if any(r.errors for r in reports):
        raise typer.Exit(1)
