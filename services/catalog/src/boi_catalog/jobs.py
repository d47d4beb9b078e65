"""Scheduled jobs of the catalog, started with the app: the index queue's flusher and, each on its
interval, the upkeep use cases (`service.upkeep`: calendar, link health, index sweeper) and the
announcement of due day plans (`service.editorial.announce_due`). `run_periodically` repeats one on an
interval and logs (never raises) its failures.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from boi_catalog.branding import Brand
from boi_catalog.ports import Announce, CallRepository, EditorialStore
from boi_catalog.service.editorial import announce_due
from boi_catalog.service.indexing import IndexQueue
from boi_catalog.service.upkeep import check_links, expire_calls, reindex_pending
from boi_catalog.settings import Settings

log = logging.getLogger("boi.catalog.jobs")


def scheduled_jobs(
    settings: Settings, repository: CallRepository, indexer: IndexQueue, announce: Announce
) -> list[Coroutine[Any, Any, None]]:
    """The app's background work: the index queue's flusher and each job on its interval."""

    async def expiry() -> None:
        await expire_calls(repository, indexer, announce, settings.public_base_url, datetime.now(UTC).date())

    async def links() -> None:
        await check_links(
            repository,
            indexer,
            now=datetime.now(UTC),
            link_timeout=settings.link_check_timeout_seconds,
            concurrency=settings.link_check_concurrency,
            allowlist=settings.outbound_allowlist,
        )

    ticks = 0

    async def sweep() -> None:
        # After a failed or skipped index write, at start-up (a crash) and every 30th tick (markers
        # another replica left when it stopped); otherwise the queue confirms its own writes.
        nonlocal ticks
        ticks += 1
        if indexer.needs_sweep or ticks % 30 == 0:
            indexer.needs_sweep = False
            if await reindex_pending(repository, indexer, limit=settings.index_batch_size) > 0:
                indexer.needs_sweep = True

    return [
        indexer.run(),
        run_periodically("index-sweeper", settings.index_sweep_seconds, sweep),
        run_periodically("expiry", settings.expiry_interval_seconds, expiry),
        run_periodically("link-check", settings.link_check_interval_seconds, links),
    ]


def announce_plans_job(
    settings: Settings, repository: CallRepository, store: EditorialStore, announce: Announce
) -> Coroutine[Any, Any, None]:
    """Announce the day plans whose hour has come (`BOI_PLAN_INTERVAL_SECONDS`, 60 s)."""

    async def plans() -> None:
        brand = Brand.from_settings(settings)
        await announce_due(repository, store, announce, settings.public_base_url, brand, datetime.now(UTC))

    return run_periodically("day-plans", settings.plan_interval_seconds, plans)


@asynccontextmanager
async def background(jobs: list[Coroutine[Any, Any, None]]) -> AsyncIterator[None]:
    """Run `jobs` as tasks while the context is open; cancel them on exit."""
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run_periodically(name: str, interval: float, job: Callable[[], Awaitable[object]]) -> None:
    """Run `job` every `interval` seconds until cancelled (interval ≤ 0: never)."""
    if interval <= 0:
        return
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job %s failed; next run in %.0fs", name, interval)
        await asyncio.sleep(interval)
