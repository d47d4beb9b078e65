"""Composition root of the ingest service: `uvicorn --factory boi_ingest.app:create_app`."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from boi_ingest import SERVICE, handlers
from boi_ingest.adapters.fetch import FeedFetcher
from boi_ingest.adapters.mongo import MongoItemStore
from boi_ingest.adapters.normalizer_pool import NormalizerPool
from boi_ingest.adapters.parse_worker import BudgetedParser
from boi_ingest.adapters.registry import MongoSourceRegistry
from boi_ingest.api import admin_router, sources_router
from boi_ingest.domain.normalize import normalize_here
from boi_ingest.ports import Normalize, Publish
from boi_ingest.service.runner import Adapters, Ingestor
from boi_ingest.settings import Settings
from boi_shared.asgi import asyncapi_document, service_app
from boi_shared.checks import MONGODB
from boi_shared.kafka import create_broker
from boi_shared.logging import configure_logging
from boi_shared.mongo import mongo_client

DESCRIPTION = "Fetches RSS/Atom sources and emits new or changed calls, normalized (→ calls.raw.v1)."


def build_fetcher(settings: Settings) -> FeedFetcher:
    return FeedFetcher(
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.max_body_bytes,
        allowlist=settings.outbound_allowlist,
        file_roots=settings.ingest_file_roots or None,
        retries=settings.fetch_retries,
        per_host=settings.fetch_per_host_limit,
    )


def ingest_mongo(settings: Settings) -> AsyncMongoClient[dict[str, Any]]:
    """The service's MongoDB client (`boi_shared.mongo`: lazy, tz-aware, 5 s server selection)."""
    return mongo_client(settings.mongo_url.get_secret_value(), SERVICE)


@asynccontextmanager
async def open_adapters(settings: Settings) -> AsyncIterator[Adapters]:
    """The ingestor's adapters: MongoDB store and registry, HTTP fetcher, parser worker, normalizers."""
    async with AsyncExitStack() as stack:
        client = ingest_mongo(settings)
        stack.push_async_callback(client.close)
        database = settings.database_name(SERVICE)
        parser = BudgetedParser(settings.ingest_parse_memory_mb, settings.ingest_parse_timeout_seconds)
        stack.callback(parser.close)
        normalize: Normalize = normalize_here
        if settings.ingest_normalize_workers > 0:
            pool = NormalizerPool(settings.ingest_normalize_workers)
            stack.callback(pool.close)
            normalize = pool
        yield Adapters(
            store=MongoItemStore(client, database),
            fetcher=await stack.enter_async_context(build_fetcher(settings)),
            registry=MongoSourceRegistry(client, database),
            parse=parser,
            normalize=normalize,
        )


def build_ingestor(settings: Settings, publish: Publish) -> Ingestor:
    return Ingestor(settings, publish, partial(open_adapters, settings))


def build_broker(settings: Settings) -> tuple[KafkaBroker, Publish]:
    broker = create_broker(SERVICE, settings)
    return broker, handlers.register(broker)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)
    broker, publish = build_broker(settings)
    ingestor = build_ingestor(settings, publish)
    app = service_app(
        service=SERVICE,
        broker=broker,
        checks={MONGODB: ingestor.ping_mongo},
        resources=lambda: ingestor.serving(broker),
        description=DESCRIPTION,
        settings=settings,
    )
    app.include_router(admin_router(settings, ingestor))
    app.include_router(sources_router(settings, ingestor))
    return app


def asyncapi() -> dict[str, Any]:
    broker, _ = build_broker(Settings(kafka_bootstrap_servers="kafka:9092"))
    return asyncapi_document(broker, SERVICE, DESCRIPTION)
