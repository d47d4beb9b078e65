"""Composition root of the metrics service: `uvicorn --factory boi_metrics.app:create_app`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from boi_metrics import SERVICE, handlers
from boi_metrics.adapters.mongo import CALL_COUNTS, MongoCallCounts
from boi_metrics.api import build_router
from boi_metrics.settings import Settings
from boi_shared.kafka import create_broker, subscriber_options
from boi_shared.logging import configure_logging
from boi_shared.service import asyncapi_document, mongo_check, service_app

DESCRIPTION = "Counts impressions per call (metrics.impressions.v1) and serves them over HTTP."
log = logging.getLogger("boi.metrics")


@dataclass
class Store:
    """The MongoDB client and the counts store on it; built without connecting, closed at shutdown."""

    mongo: AsyncMongoClient[dict[str, Any]]
    counts: MongoCallCounts

    @classmethod
    def build(cls, settings: Settings) -> "Store":
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            settings.mongo_url.get_secret_value(),
            appname=SERVICE,
            tz_aware=True,
            serverSelectionTimeoutMS=5000,
        )
        collection = mongo[settings.database_name(SERVICE)][CALL_COUNTS]
        return cls(mongo=mongo, counts=MongoCallCounts(collection))

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[None]:
        try:
            try:
                await self.counts.ensure_indexes()
            except PyMongoError as exc:  # only speeds up /top: start anyway, readiness shows MongoDB
                log.warning("could not create indexes, /top will scan: %r", exc)
            yield
        finally:
            await self.mongo.close()


def build_broker(settings: Settings, store: Store) -> KafkaBroker:
    broker = create_broker(SERVICE, settings)
    handlers.register(broker, store.counts, subscriber_options(settings))
    return broker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)
    store = Store.build(settings)
    app = service_app(
        service=SERVICE,
        broker=build_broker(settings, store),
        checks={"mongo": mongo_check(store.mongo)},
        resources=store.opened,
        description=DESCRIPTION,
        settings=settings,
    )
    app.include_router(build_router(store.counts, settings.metrics_top_max))
    return app


def asyncapi() -> dict[str, Any]:
    settings = Settings(kafka_bootstrap_servers="kafka:9092")
    return asyncapi_document(build_broker(settings, Store.build(settings)), SERVICE, DESCRIPTION)
