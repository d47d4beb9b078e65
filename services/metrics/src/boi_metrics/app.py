"""Composition root of the metrics service: `uvicorn --factory boi_metrics.app:create_app`."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from boi_metrics import SERVICE, handlers
from boi_metrics.adapters.batch import MongoBatchRollups
from boi_metrics.adapters.calls import CALLS, OUTCOMES, MongoCallDirectory, MongoOutcomes
from boi_metrics.adapters.mongo import CALL_COUNTS, MongoCallCounts
from boi_metrics.adapters.rollups import MongoRollups
from boi_metrics.api import build_router
from boi_metrics.service import Stores, forget_markers
from boi_metrics.settings import Settings
from boi_metrics.web import mount_web
from boi_metrics.web.ranges import DayRange
from boi_shared.asgi import asyncapi_document, service_app
from boi_shared.checks import MONGODB
from boi_shared.error_policy import ErrorPolicy
from boi_shared.kafka import create_broker
from boi_shared.logging import configure_logging
from boi_shared.mongo import mongo_check, mongo_client

DESCRIPTION = (
    "Counts impressions (metrics.impressions.v1) into exact rollups per call, day, channel and kind, keeps "
    "the calls' dimensions (calls.published.v1), serves the dashboard, public statistics and open data."
)
log = logging.getLogger("boi.metrics")


@dataclass
class Store:
    """The MongoDB client and the stores on it; built without connecting, closed at shutdown."""

    mongo: AsyncMongoClient[dict[str, Any]]
    counts: MongoCallCounts
    rollups: MongoRollups
    calls: MongoCallDirectory
    outcomes: MongoOutcomes
    batches: MongoBatchRollups

    @property
    def stores(self) -> Stores:
        return Stores(counts=self.counts, rollups=self.rollups, calls=self.calls, batches=self.batches)

    @classmethod
    def build(cls, settings: Settings) -> "Store":
        mongo = mongo_client(settings.mongo_url.get_secret_value(), SERVICE)
        db = mongo[settings.database_name(SERVICE)]
        return cls(
            mongo=mongo,
            counts=MongoCallCounts(db[CALL_COUNTS]),
            rollups=MongoRollups(db),
            calls=MongoCallDirectory(db[CALLS]),
            outcomes=MongoOutcomes(db[OUTCOMES]),
            batches=MongoBatchRollups(db),
        )

    async def _sweep(self, every: float) -> None:
        while True:
            try:
                await forget_markers(self.rollups, datetime.now(UTC).date())
            except PyMongoError as exc:  # retried at the next round
                log.warning("could not delete old visitor markers: %r", exc)
            await asyncio.sleep(every)

    @asynccontextmanager
    async def opened(self, sweep_seconds: float) -> AsyncIterator[None]:
        try:
            try:
                await self.counts.ensure_indexes()
                await self.rollups.ensure_indexes()
            except PyMongoError as exc:  # only speeds up reads: start anyway, readiness shows MongoDB
                log.warning("could not create indexes, reads will scan: %r", exc)
            sweeper = asyncio.create_task(self._sweep(sweep_seconds))
            yield
            sweeper.cancel()
            with suppress(asyncio.CancelledError):
                await sweeper
        finally:
            await self.mongo.close()


def build_broker(settings: Settings, store: Store) -> KafkaBroker:
    policy = ErrorPolicy(SERVICE, settings)  # the middleware's, also used by the batch handler
    broker = create_broker(SERVICE, settings, policy=policy)
    handlers.register(
        broker,
        store.stores,
        policy,
        batch_size=settings.metrics_batch_size,
        batch_wait_ms=settings.metrics_batch_wait_ms,
    )
    return broker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)
    store = Store.build(settings)
    stores = store.stores
    app = service_app(
        service=SERVICE,
        broker=build_broker(settings, store),
        checks={MONGODB: mongo_check(store.mongo)},
        resources=lambda: store.opened(settings.metrics_marker_sweep_seconds),
        description=DESCRIPTION,
        settings=settings,
    )
    ranges = DayRange(settings.metrics_max_range_days)
    app.include_router(build_router(stores, settings.metrics_top_max, ranges))
    mount_web(app, settings, stores, store.outcomes)
    return app


def asyncapi() -> dict[str, Any]:
    # Documented record by record: batched consumption reads the same ImpressionRecorded messages, but its
    # handler takes raw records (each validated, and dead-lettered, on its own) and so has no schema.
    settings = Settings(kafka_bootstrap_servers="kafka:9092", metrics_batch_size=1)
    return asyncapi_document(build_broker(settings, Store.build(settings)), SERVICE, DESCRIPTION)
