"""Composition root of the catalog service: `uvicorn --factory boi_catalog.app:create_app`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import meilisearch.errors
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from boi_catalog import SERVICE, handlers
from boi_catalog.adapters.impressions import KafkaImpressionSink
from boi_catalog.adapters.meili import MeiliSearchIndex
from boi_catalog.adapters.metrics_views import MetricsViews
from boi_catalog.adapters.mongo import MongoCallRepository
from boi_catalog.adapters.mongo_editorial import MongoEditorialStore
from boi_catalog.adapters.mongo_users import MongoConsoleUsers
from boi_catalog.adapters.visitor_salts import MongoVisitorSalts
from boi_catalog.jobs import announce_plans_job, background, scheduled_jobs
from boi_catalog.ports import Announce, ConflictError, Indexer
from boi_catalog.service.indexing import IndexQueue
from boi_catalog.settings import Settings
from boi_catalog.web import WebContext, mount
from boi_catalog.web.visits import Visits
from boi_shared.asgi import asyncapi_document, service_app
from boi_shared.checks import MEILISEARCH, MONGODB
from boi_shared.error_policy import ErrorPolicy
from boi_shared.errors import TransientError
from boi_shared.kafka import create_broker
from boi_shared.logging import configure_logging

DESCRIPTION = (
    "Keeps the calls of record and their search index, serves the public site and API "
    "(calls.enriched.v1 → calls.published.v1, impressions → metrics.impressions.v1)."
)
# Meilisearch unreachable, or writers racing on a call (MongoDB's errors are transient for every service):
# retry the message with backoff, never dead-letter it.
TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    ConflictError,
    meilisearch.errors.MeilisearchCommunicationError,
    meilisearch.errors.MeilisearchTimeoutError,
    httpx.TransportError,
)
log = logging.getLogger("boi.catalog")


def build_broker(
    settings: Settings, repository: MongoCallRepository, indexer: Indexer
) -> tuple[KafkaBroker, KafkaImpressionSink, Announce]:
    """The broker with every subscriber and publisher (so AsyncAPI lists them all), the sink the
    site and API report impressions to, and the announcer of calls.published.v1. (The hand-off of
    approved bulletins, `handlers.bulletins_publisher`, is added beside it.)"""
    policy = ErrorPolicy(SERVICE, settings, TRANSIENT)  # the middleware's, also used by the batch handler
    broker = create_broker(SERVICE, settings, policy=policy)
    announce = handlers.register(
        broker,
        policy,
        repository,
        indexer,
        settings.public_base_url,
        auto_publish=settings.catalog_auto_publish,
        batch_size=settings.consume_batch_size,
    )
    return broker, KafkaImpressionSink(handlers.impressions_publisher(broker)), announce


def _adapters(settings: Settings) -> tuple[MongoCallRepository, MeiliSearchIndex]:
    # Constructing them does no I/O; they connect inside the app's lifespan.
    repository = MongoCallRepository(settings.mongo_url.get_secret_value(), settings.database_name(SERVICE))
    index = MeiliSearchIndex(
        settings.meili_url, settings.meili_master_key.get_secret_value(), settings.meili_index
    )
    return repository, index


def _configure_logging(settings: Settings) -> None:
    configure_logging(SERVICE, settings.log_level)
    # httpx logs every request at INFO: one line per search is noise on the hot path.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    _configure_logging(settings)
    repository, index = _adapters(settings)
    indexer = IndexQueue(
        repository, index, max_batch=settings.index_batch_size, in_flight=settings.index_tasks_in_flight
    )
    broker, impressions, announce = build_broker(settings, repository, indexer)
    users = MongoConsoleUsers(settings.mongo_url.get_secret_value(), settings.database_name(SERVICE))
    editorial_store = MongoEditorialStore(
        settings.mongo_url.get_secret_value(), settings.database_name(SERVICE)
    )
    salts = MongoVisitorSalts(settings.mongo_url.get_secret_value(), settings.database_name(SERVICE))

    @asynccontextmanager
    async def resources() -> AsyncIterator[None]:
        try:
            await index.apply_settings()
            log.info("index %s settings applied", settings.meili_index)
            await repository.ensure_indexes()
            jobs = scheduled_jobs(settings, repository, indexer, announce)
            jobs.append(announce_plans_job(settings, repository, editorial_store, announce))
            async with background(jobs):
                yield
        finally:
            await index.close()
            await repository.close()
            await users.close()
            await editorial_store.close()
            await salts.close()

    app = service_app(
        service=SERVICE,
        broker=broker,
        checks={MONGODB: repository.ping, MEILISEARCH: index.health},
        resources=resources,
        description=DESCRIPTION,
        settings=settings,
        rate_limited=True,  # the public site, feeds, API and console sign-in: limited per client
    )
    context = WebContext(
        repository,
        index,
        impressions,
        settings.public_base_url,
        settings=settings,
        publish=announce,
        indexer=indexer,
        users=users,
        editorial=editorial_store,
        views=MetricsViews(settings.metrics_url),
        visits=Visits(settings.public_base_url, salts, settings.trusted_proxies),
        publish_bulletin=handlers.bulletins_publisher(broker),
    )
    mount(app, context)
    return app


def asyncapi() -> dict[str, Any]:
    # Documented record by record: batched consumption reads the same CallEnriched messages, but its
    # handler takes raw records (each validated, and dead-lettered, on its own) and so has no schema.
    settings = Settings(kafka_bootstrap_servers="kafka:9092", consume_batch_size=1)
    repository, index = _adapters(settings)
    broker, _, _ = build_broker(settings, repository, IndexQueue(repository, index))
    handlers.bulletins_publisher(broker)
    return asyncapi_document(broker, SERVICE, DESCRIPTION)
