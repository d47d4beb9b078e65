"""The running ingestor: runs sources one at a time, on request and on each source's schedule, with the
adapters the composition root opens for it (`app.open_adapters`); nothing connects before `open()`."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faststream.kafka import KafkaBroker

from boi_ingest.domain.model import Source
from boi_ingest.domain.sources import SourceConfig, SourceRegistry, SourceType
from boi_ingest.ports import Fetcher, IngestReport, ItemStore, Normalize, Publish
from boi_ingest.service.ingest import ingest_source
from boi_ingest.service.sources import (
    ManualCall,
    ManualResult,
    RunParse,
    adhoc_parser,
    counts_of,
    ingest_config,
    submit_manual,
)
from boi_ingest.settings import Settings

log = logging.getLogger("boi.ingest")


def _waiting(until: datetime | None) -> float:
    """Seconds until a recorded back-off ends (0 if none or past)."""
    return max(0.0, (until - datetime.now(UTC)).total_seconds()) if until is not None else 0.0


class NoSourcesError(ValueError):
    """Nothing to ingest: no sources given and none registered or configured."""


@dataclass(frozen=True)
class Adapters:
    """What the ingestor runs with, opened by the composition root and closed when it leaves."""

    store: ItemStore
    fetcher: Fetcher
    registry: SourceRegistry
    parse: RunParse
    normalize: Normalize


def configured_sources(settings: Settings) -> list[SourceConfig]:
    """BOI_INGEST_SOURCES as registry entries (kept for compatibility: the registry is seeded with them)."""
    interval = settings.ingest_interval_seconds or 900.0
    return [
        SourceConfig.from_location(loc, interval_seconds=interval, jitter=settings.ingest_jitter)
        for loc in settings.ingest_sources
    ]


class Ingestor:
    def __init__(
        self,
        settings: Settings,
        publish: Publish,
        open_adapters: Callable[[], AbstractAsyncContextManager[Adapters]],
    ) -> None:
        self.settings = settings
        self.publish = publish
        self._open_adapters = open_adapters
        self._adapters: Adapters | None = None
        self._lock = asyncio.Lock()
        self._seeded = False

    @property
    def registry(self) -> SourceRegistry | None:
        """The sources registry while open (the HTTP routes answer 503 before)."""
        return self._adapters.registry if self._adapters is not None else None

    @asynccontextmanager
    async def open(self) -> AsyncIterator["Ingestor"]:
        """Open the adapters; close them on exit."""
        async with self._open_adapters() as adapters:
            self._adapters = adapters
            try:
                yield self
            finally:
                self._adapters = None

    async def ping_mongo(self) -> bool:
        if self._adapters is None:
            return False
        return await self._adapters.store.ping()

    def _opened(self) -> Adapters:
        if self._adapters is None:
            raise RuntimeError("the ingestor is not open")
        return self._adapters

    async def seed(self) -> int:
        """Register BOI_INGEST_SOURCES not registered yet; an operator's later changes are kept."""
        added = await self._opened().registry.seed(configured_sources(self.settings))
        self._seeded = True
        return added

    async def run(self, locations: Sequence[str] | None = None) -> list[IngestReport]:
        """Ingest the given locations, or every enabled registered source; runs never overlap."""
        registry = self._opened().registry
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
        run = self._opened()
        source = Source.from_location(location)
        parse = adhoc_parser(location, run.parse)
        return await ingest_source(
            source, run.fetcher, run.store, self.publish, parse=parse, normalize=run.normalize
        )

    async def _run_config(self, config: SourceConfig) -> tuple[IngestReport, int]:
        """Run a registered source and record its status; the report and the failed runs in a row."""
        run = self._opened()
        report = await ingest_config(config, run.fetcher, run.store, self.publish, run.normalize, run.parse)
        try:
            return report, await run.registry.record_run(
                config.id, counts_of(report), report.errors, datetime.now(UTC)
            )
        except Exception:
            log.exception("could not record the run's status", extra={"source_id": config.id})
            return report, 1 if report.errors else 0

    async def submit(self, call: ManualCall) -> ManualResult:
        store = self._opened().store
        async with self._lock:  # versions are decided from the store: one writer at a time
            return await submit_manual(call, store, self.publish)

    async def _schedule_tick(self, due: dict[str, float]) -> dict[str, float]:
        """Run the enabled sources that are due; the next due time of each registered source. A source
        that keeps failing waits longer after each failure (and its back-off outlives a restart)."""
        loop = asyncio.get_running_loop()
        if not self._seeded:  # MongoDB was down at start
            await self.seed()
        registry = self._opened().registry
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
            await self._opened().registry.set_backoff(source_id, datetime.now(UTC) + timedelta(seconds=delay))
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
