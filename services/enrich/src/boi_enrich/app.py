"""Composition root of the enrich service: `uvicorn --factory boi_enrich.app:create_app`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import pymongo.errors
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from boi_enrich import SERVICE, handlers
from boi_enrich.adapters.local import LocalProvider
from boi_enrich.adapters.mongo import MongoStore
from boi_enrich.ports import CostLedger, EnrichmentCache, EnrichmentProvider
from boi_enrich.service import ProviderChain
from boi_enrich.settings import Settings
from boi_shared.asgi import asyncapi_document, service_app
from boi_shared.checks import MONGODB
from boi_shared.kafka import create_broker, subscriber_options
from boi_shared.logging import configure_logging

DESCRIPTION = "Summarizes and classifies raw calls for curators (calls.raw.v1 → calls.enriched.v1)."
# MongoDB (cache, ledger) down: retry the message with backoff, never enrich it without cost control.
TRANSIENT: tuple[type[BaseException], ...] = (pymongo.errors.ConnectionFailure,)
log = logging.getLogger("boi.enrich")

if TYPE_CHECKING:
    from openai import AsyncOpenAI


def build_providers(
    settings: Settings, *, openai_client: "AsyncOpenAI | None" = None
) -> list[EnrichmentProvider]:
    """The providers named by `BOI_ENRICH_PROVIDER` and `BOI_ENRICH_FALLBACK`, in chain order."""
    providers: list[EnrichmentProvider] = []
    for name in settings.provider_chain():
        if name == "openai":
            # Imported only when configured: the openai package costs start-up time a local chain never needs.
            from boi_enrich.adapters.openai_provider import OpenAIProvider

            providers.append(OpenAIProvider(settings, openai_client))
        else:
            providers.append(LocalProvider())
    return providers


def build_chain(
    settings: Settings,
    cache: EnrichmentCache,
    ledger: CostLedger,
    *,
    openai_client: "AsyncOpenAI | None" = None,
) -> ProviderChain:
    """The provider chain of `settings` on the given cache and ledger, with the openai daily budget."""
    budgets = {"openai": settings.openai_daily_budget_usd}
    return ProviderChain(
        build_providers(settings, openai_client=openai_client), cache=cache, ledger=ledger, budgets=budgets
    )


def build_broker(settings: Settings, chain: ProviderChain) -> KafkaBroker:
    broker = create_broker(SERVICE, settings, extra_transient=TRANSIENT)
    handlers.register(broker, chain, subscriber_options(settings))
    return broker


def _store(settings: Settings) -> MongoStore:
    # Constructing it does no I/O; the client connects on first use, inside the app's lifespan.
    return MongoStore(settings.mongo_url.get_secret_value(), settings.database_name(SERVICE))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)
    # httpx (under the openai client) logs every request at INFO: noise on the hot path.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))
    store = _store(settings)
    chain = build_chain(settings, store.cache, store.ledger)

    @asynccontextmanager
    async def resources() -> AsyncIterator[None]:
        log.info("provider chain: %s", " → ".join(chain.names))
        try:
            yield
        finally:
            await chain.close()
            await store.close()

    return service_app(
        service=SERVICE,
        broker=build_broker(settings, chain),
        checks={MONGODB: store.ping},
        resources=resources,
        description=DESCRIPTION,
        settings=settings,
    )


def asyncapi() -> dict[str, Any]:
    settings = Settings(kafka_bootstrap_servers="kafka:9092", enrich_provider="local", enrich_fallback=[])
    store = _store(settings)
    return asyncapi_document(
        build_broker(settings, build_chain(settings, store.cache, store.ledger)), SERVICE, DESCRIPTION
    )
