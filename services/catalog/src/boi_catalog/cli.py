"""`boi catalog …`: operator commands of the catalog service (a plugin of the `boi` command)."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from boi_catalog import SERVICE
from boi_catalog.adapters.meili import MeiliSearchIndex
from boi_catalog.adapters.meili_admin import rebuild
from boi_catalog.adapters.mongo import MongoCallRepository
from boi_catalog.domain.search import search_document
from boi_catalog.settings import Settings
from boi_catalog.web.cli_users import hash_password_command

app = typer.Typer(help="Catalog: the calls of record and their search index.", no_args_is_help=True)
app.command("hash-password")(hash_password_command)


@app.callback()
def main() -> None:
    """Catalog: the calls of record and their search index."""


async def reindex_all(
    settings: Settings, *, batch_size: int = 5000, progress: Progress | None = None
) -> tuple[int, str]:
    """Rebuild the index from MongoDB into a new index and swap it in; returns (documents, temp uid).
    Searches keep answering from the old index until the atomic swap."""
    repository = MongoCallRepository(settings.mongo_url.get_secret_value(), settings.database_name(SERVICE))
    index = MeiliSearchIndex(
        settings.meili_url, settings.meili_master_key.get_secret_value(), settings.meili_index, timeout=60
    )
    total = await repository.count()
    task = progress.add_task("reindexing", total=total) if progress else None
    done = 0

    async def documents() -> AsyncIterator[Sequence[dict[str, Any]]]:
        async for calls in repository.scan(batch_size):
            yield [search_document(c) for c in calls]

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None and task is not None:
            progress.update(task, advance=n)

    try:
        temp = await rebuild(index, documents(), on_batch=advance)
        # Everything rebuilt from the source of truth is now indexed.
        return done, temp
    finally:
        await index.close()
        await repository.close()


@app.command()
def reindex(
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per indexing task")] = 5000,
) -> None:
    """Rebuild the `calls` index from MongoDB into a new index and swap it in, without downtime."""
    settings = Settings()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns) as progress:
            done, _ = asyncio.run(reindex_all(settings, batch_size=batch_size, progress=progress))
    except Exception as exc:
        typer.echo(
            f"Reindexing failed: {exc}. The live index was left as it was; check that MongoDB and "
            "Meilisearch answer (BOI_MONGO_URL, BOI_MEILI_URL, BOI_MEILI_MASTER_KEY) and run it again.",
            err=True,
        )
        raise typer.Exit(1) from exc
    typer.echo(f"Reindexed {done} calls into {settings.meili_index}.")
