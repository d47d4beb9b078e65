"""The running ingestor: opens the fetcher, the Mongo store and the sources registry, runs sources (one run
at a time) and the per-source schedule. Built by `create_app` and by the CLI; nothing connects before
`open()`."""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from boi_ingest import SERVICE
from boi_ingest.adapters.fetch import FeedFetcher
from boi_ingest.adapters.mongo import MongoItemStore
from boi_ingest.adapters.registry import MongoSourceRegistry
from boi_ingest.domain.model import Source
from boi_ingest.domain.sources import SourceConfig, SourceRegistry, SourceType
from boi_ingest.normalizing import Normalize, NormalizerPool, normalize_here
from boi_ingest.parsing import BudgetedParser
from boi_ingest.service import IngestReport, Publish, ingest_source
from boi_ingest.settings import Settings
from boi_ingest.sourcing import (
    ManualCall,
    ManualResult,
    adhoc_parser,
    counts_of,
    ingest_config,
    submit_manual,
)

log = logging.getLogger("boi.ingest")


def _waiting(until: datetime | None) -> float:
    """Seconds until a recorded back-off ends (0 if none or past)."""
    return max(0.0, (until - datetime.now(UTC)).total_seconds()) if until is not None else 0.0


class NoSourcesError(ValueError):
    """Nothing to ingest: no sources given and none registered or configured."""


def build_fetcher(settings: Settings) -> FeedFetcher:
    return FeedFetcher(
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.max_body_bytes,
        allowlist=settings.outbound_allowlist,
        file_roots=settings.ingest_file_roots or None,
        retries=settings.fetch_retries,
        per_host=settings.fetch_per_host_limit,
    )


def mongo_client(settings: Settings, timeout_ms: int = 10_000) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        settings.mongo_url.get_secret_value(), serverSelectionTimeoutMS=timeout_ms, appname=f"boi-{SERVICE}"
    )


def configured_sources(settings: Settings) -> list[SourceConfig]:
    """BOI_INGEST_SOURCES as registry entries (kept for compatibility: the registry is seeded with them)."""
    interval = settings.ingest_interval_seconds or 900.0
    return [
        SourceConfig.from_location(loc, interval_seconds=interval, jitter=settings.ingest_jitter)
        for loc in settings.ingest_sources
    ]


class Ingestor:
    def __init__(self, settings: Settings, publish: Publish) -> None:
        self.settings = settings
        self.publish = publish
        self._store: MongoItemStore | None = None
        self._fetcher: FeedFetcher | None = None
        self.registry: SourceRegistry | None = None
        self._lock = asyncio.Lock()
        self._seeded = False
        self.parser = BudgetedParser(settings.ingest_parse_memory_mb, settings.ingest_parse_timeout_seconds)
        workers = settings.ingest_normalize_workers
        self._pool = NormalizerPool(workers) if workers > 0 else None
        self.normalize: Normalize = self._pool or normalize_here

    @asynccontextmanager
    async def open(self) -> AsyncIterator["Ingestor"]:
        """Open the Mongo client and the HTTP client; close both on exit."""
        async with AsyncExitStack() as stack:
            client = mongo_client(self.settings)
            stack.push_async_callback(client.close)
            database = self.settings.database_name(SERVICE)
            self._store = MongoItemStore(client, database)
            self.registry = MongoSourceRegistry(client, database)
            self._fetcher = await stack.enter_async_context(build_fetcher(self.settings))
            if self._pool is not None:
                stack.callback(self._pool.close)
            stack.callback(self.parser.close)
            try:
                yield self
            finally:
                self._store = self._fetcher = self.registry = None

    async def ping_mongo(self) -> bool:
        if self._store is None:
            return False
        return await self._store.ping()

    def _opened(self) -> tuple[MongoItemStore, FeedFetcher, SourceRegistry]:
        if self._store is None or self._fetcher is None or self.registry is None:
            raise RuntimeError("the ingestor is not open")
        return self._store, self._fetcher, self.registry

    async def seed(self) -> int:
        """Register BOI_INGEST_SOURCES not registered yet; an operator's later changes are kept."""
        added = await self._opened()[2].seed(configured_sources(self.settings))
        self._seeded = True
        return added

    async def run(self, locations: Sequence[str] | None = None) -> list[IngestReport]:
        """Ingest the given locations, or every enabled registered source; runs never overlap."""
        registry = self._opened()[2]
        if locations:
            async with self._lock:
                return [await self._run_location(loc) for loc in locations]
        configs = [r.config for r in await registry.find(enabled_only=True)]
        configs = [c for c in configs if c.type is not SourceType.MANUAL]
        if not configs:
            raise NoSourcesError(
                "no sources to ingest: pass some, register some (`boi sources add`), "
                "or configure BOI_INGEST_SOURCES"
            )
        async with self._lock:
            return [(await self._run_config(c))[0] for c in configs]

    async def _run_location(self, location: str) -> IngestReport:
        """An unregistered location: a feed, or a CSV/XLSX/JSON file or URL read by its name."""
        store, fetcher, _ = self._opened()
        source = Source.from_location(location)
        parse = adhoc_parser(location, self.parser)
        return await ingest_source(
            source, fetcher, store, self.publish, parse=parse, normalize=self.normalize
        )

    async def _run_config(self, config: SourceConfig) -> tuple[IngestReport, int]:
        """Run a registered source and record its status; the report and the failed runs in a row."""
        store, fetcher, registry = self._opened()
        report = await ingest_config(config, fetcher, store, self.publish, self.normalize, self.parser)
        try:
            return report, await registry.record_run(
                config.id, counts_of(report), report.errors, datetime.now(UTC)
            )
        except Exception:
            log.exception("could not record the run's status", extra={"source_id": config.id})
            return report, 1 if report.errors else 0

    async def submit(self, call: ManualCall) -> ManualResult:
        store, _, _ = self._opened()
        async with self._lock:  # versions are decided from the store: one writer at a time
            return await submit_manual(call, store, self.publish)

    async def _schedule_tick(self, due: dict[str, float]) -> dict[str, float]:
        """Run the enabled sources that are due; the next due time of each registered source. A source
        that keeps failing waits longer after each failure (and its back-off outlives a restart)."""
        loop = asyncio.get_running_loop()
        if not self._seeded:  # MongoDB was down at start
            await self.seed()
        registry = self._opened()[2]
        registered = [
            r for r in await registry.find(enabled_only=True) if r.config.type is not SourceType.MANUAL
        ]
        now = loop.time()
        # new sources run at once (or when their back-off ends); removed ones drop
        due = {r.config.id: due.get(r.config.id, now + _waiting(r.status.backoff_until)) for r in registered}
        ready = [r.config for r in registered if due[r.config.id] <= now]
        if ready:
            async with self._lock:
                for config in ready:
                    report, failures = await self._run_config(config)
                    delay = config.next_delay(failures=failures)
                    due[config.id] = loop.time() + delay
                    if report.errors:
                        await self._back_off(config.id, failures, delay, report.errors[0])
            log.info("scheduled run done: %d source(s)", len(ready))
        return due

    async def _back_off(self, source_id: str, failures: int, delay: float, error: str) -> None:
        log.warning(
            "scheduled run of %s failed (%d in a row; next attempt in %.0f s): %s",
            source_id,
            failures,
            delay,
            error,
            extra={"source_id": source_id},
        )
        try:
            await self._opened()[2].set_backoff(source_id, datetime.now(UTC) + timedelta(seconds=delay))
        except Exception:
            log.exception("could not record the back-off", extra={"source_id": source_id})

    async def run_on_schedule(self) -> None:
        """Run each enabled source now, then every its interval ± jitter, until cancelled."""
        loop = asyncio.get_running_loop()
        refresh = self.settings.sources_refresh_seconds
        due: dict[str, float] = {}
        while True:
            try:
                due = await self._schedule_tick(due)
            except Exception:
                log.exception("scheduler tick failed; next attempt in %gs", refresh)
            wake = min([*due.values(), loop.time() + refresh])
            await asyncio.sleep(max(0.05, wake - loop.time()))

    @asynccontextmanager
    async def serving(self, broker: KafkaBroker) -> AsyncIterator[None]:
        """The app's resources: store, registry and fetcher open, broker connected, scheduler running."""
        async with self.open():
            try:
                await self.seed()
            except Exception:
                log.exception("could not seed the sources registry yet; the scheduler will retry")
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
        return asyncio.create_task(self.run_on_schedule(), name="ingest-schedule")
