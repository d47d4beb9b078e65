"""`boi enrich …`: developer and operator commands of the enrich service (a plugin of the `boi` command)."""

import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from boi_enrich import SERVICE
from boi_enrich.adapters.memory import MemoryCostLedger, MemoryEnrichmentCache
from boi_enrich.adapters.mongo import MongoStore
from boi_enrich.app import build_chain
from boi_enrich.service import ProviderChain, enrich_call
from boi_enrich.settings import ProviderName, Settings
from boi_shared.events import CallIngested, RawCall
from boi_shared.ids import call_id_for

app = typer.Typer(help="Enrich: classify and summarize raw calls.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Enrich: classify and summarize raw calls."""


class BadLine(ValueError):
    """An input line that is neither a RawCall nor a CallIngested."""


def parse_line(line: str) -> CallIngested:
    """A JSON line holding a `CallIngested` event, or a bare `RawCall` (which becomes version 1) as
    `boi sources try` prints it, optionally with its `call_id`."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(value, dict):
        raise BadLine("not a JSON object")
    try:
        if "call" in value:
            return CallIngested.model_validate(value)
        given_id = value.pop("call_id", None)
        raw = RawCall.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        kind = "CallIngested" if "call" in value else "RawCall"
        raise BadLine(f"not a valid {kind}: {where}: {first['msg']}") from exc
    return CallIngested(call_id=given_id or call_id_for(raw.url), version=1, call=raw)


def _lines(source: str) -> Iterable[str]:
    if source == "-":
        yield from sys.stdin
    else:
        with Path(source).open(encoding="utf-8") as handle:
            yield from handle


@asynccontextmanager
async def _chain(settings: Settings, store: bool) -> AsyncIterator[ProviderChain]:
    if not store:
        chain = build_chain(settings, MemoryEnrichmentCache(), MemoryCostLedger())
        try:
            yield chain
        finally:
            await chain.close()
        return
    mongo = MongoStore(settings.mongo_url.get_secret_value(), settings.database_name(SERVICE))
    chain = build_chain(settings, mongo.cache, mongo.ledger)
    try:
        yield chain
    finally:
        await chain.close()
        await mongo.close()


async def _run(source: str, settings: Settings, store: bool) -> int:
    """Enrich every valid line, print them in input order; return how many lines were bad."""
    bad = 0
    batch: list[CallIngested] = []
    size = settings.openai_max_concurrency * 4
    async with _chain(settings, store) as chain:

        async def flush() -> None:
            results = await asyncio.gather(*(enrich_call(event, chain) for event in batch))
            for enriched in results:
                sys.stdout.write(enriched.model_dump_json() + "\n")
            sys.stdout.flush()
            batch.clear()

        for number, line in enumerate(_lines(source), start=1):
            if not line.strip():
                continue
            try:
                batch.append(parse_line(line))
            except BadLine as exc:
                bad += 1
                typer.secho(f"line {number}: {exc}", fg=typer.colors.RED, err=True)
                continue
            if len(batch) >= size:
                await flush()
        if batch:
            await flush()
    return bad


@app.command("try")
def try_(
    source: Annotated[str, typer.Argument(help="JSON lines of RawCall or CallIngested; - reads stdin")],
    provider: Annotated[
        ProviderName | None, typer.Option(help="First provider (default: BOI_ENRICH_PROVIDER)")
    ] = None,
    store: Annotated[
        bool | None,
        typer.Option(
            "--store/--no-store",
            help="Use MongoDB's cache and cost ledger (default: when a paid provider is in the chain)",
        ),
    ] = None,
) -> None:
    """Enrich calls with the configured provider chain and print CallEnriched JSON lines; publishes nothing.

    A bad input line is reported on stderr and skipped (exit code 1). Exit code 2: invalid configuration,
    unreadable file or MongoDB unreachable.
    """
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    try:
        settings = Settings(enrich_provider=provider) if provider else Settings()
    except ValidationError as exc:
        typer.secho(f"error: {exc.errors()[0]['msg']}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    use_store = store if store is not None else "openai" in settings.provider_chain()
    try:
        bad = asyncio.run(_run(source, settings, use_store))
    except OSError as exc:
        typer.secho(f"error: cannot read {source}: {exc.strerror or exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    except Exception as exc:
        typer.secho(
            f"error: {type(exc).__name__}: {exc} — is MongoDB up? Check BOI_MONGO_URL, or use --no-store.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2) from exc
    if bad:
        typer.secho(f"{bad} bad line(s) skipped", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
