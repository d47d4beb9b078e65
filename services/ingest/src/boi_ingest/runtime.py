"""The running ingestor: opens the fetcher and the Mongo store, runs sources (one run at a time) and the
schedule. Built by `create_app` and by the CLI; nothing connects before `open()`."""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from boi_ingest import SERVICE
from boi_ingest.adapters.fetch import FeedFetcher
from boi_ingest.adapters.mongo import MongoItemStore
from boi_ingest.service import IngestReport, Publish, ingest_all
from boi_ingest.settings import Settings

log = logging.getLogger("boi.ingest")


class NoSourcesError(ValueError):
    """Nothing to ingest: no sources given and none configured."""


class Ingestor:
    def __init__(self, settings: Settings, publish: Publish) -> None:
        self.settings = settings
        self.publish = publish
        self._store: MongoItemStore | None = None
        self._fetcher: FeedFetcher | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def open(self) -> AsyncIterator["Ingestor"]:
        """Open the Mongo client and the HTTP client; close both on exit."""
        async with AsyncExitStack() as stack:
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
                self.settings.mongo_url.get_secret_value(),
                serverSelectionTimeoutMS=10_000,
                appname=f"boi-{SERVICE}",
            )
            stack.push_async_callback(client.close)
            self._store = MongoItemStore(client, self.settings.database_name(SERVICE))
            self._fetcher = await stack.enter_async_context(
                FeedFetcher(
                    timeout=self.settings.fetch_timeout_seconds,
                    max_bytes=self.settings.max_body_bytes,
                )
            )
            try:
                yield self
            finally:
                self._store = self._fetcher = None

    async def ping_mongo(self) -> bool:
        if self._store is None:
            return False
        return await self._store.ping()

    async def run(self, locations: Sequence[str] | None = None) -> list[IngestReport]:
        """Ingest the given locations, or the configured sources; runs never overlap."""
        locations = list(locations) if locations else list(self.settings.ingest_sources)
        if not locations:
            raise NoSourcesError("no sources to ingest: pass some, or configure BOI_INGEST_SOURCES")
        if self._store is None or self._fetcher is None:
            raise RuntimeError("the ingestor is not open")
        async with self._lock:
            return await ingest_all(locations, self._fetcher, self._store, self.publish)

    async def run_on_schedule(self) -> None:
        """Run every configured source now, then every `ingest_interval_seconds`, until cancelled."""
        interval = self.settings.ingest_interval_seconds
        while True:
            try:
                reports = await self.run()
                failed = [r.source_id for r in reports if r.errors]
                log.info(
                    "scheduled run done: %d sources, %d with errors %s", len(reports), len(failed), failed
                )
            except Exception:
                log.exception("scheduled run failed; next attempt in %gs", interval)
            await asyncio.sleep(interval)

    @asynccontextmanager
    async def serving(self, broker: KafkaBroker) -> AsyncIterator[None]:
        """The app's resources: store and fetcher open, broker connected, scheduler running."""
        async with self.open():
            # Connect now (idempotent; the app's lifespan starts the broker right after) so the
            # scheduler's first run can publish.
            await broker.connect()
            task = self._start_schedule()
            try:
                yield
            finally:
                if task is not None:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)

    def _start_schedule(self) -> "asyncio.Task[None] | None":
        if self.settings.ingest_interval_seconds <= 0:
            log.info("no schedule (BOI_INGEST_INTERVAL_SECONDS=0): runs only on request")
            return None
        if not self.settings.ingest_sources:
            log.info("no schedule: BOI_INGEST_SOURCES is empty")
            return None
        return asyncio.create_task(self.run_on_schedule(), name="ingest-schedule")
