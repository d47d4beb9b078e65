"""Composition root of the notify service: `uvicorn --factory boi_notify.app:create_app`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from boi_notify import SERVICE, handlers
from boi_notify.adapters.http import HttpxWebhookSender, webhook_client
from boi_notify.adapters.mongo import DELIVERIES, MongoDeliveryLog
from boi_notify.service import RetryPolicy, WebhookNotifier
from boi_notify.settings import Settings
from boi_shared.kafka import create_broker, subscriber_options
from boi_shared.logging import configure_logging
from boi_shared.service import asyncapi_document, mongo_check, service_app

DESCRIPTION = "Delivers every public call change to partner webhooks, signed (calls.published.v1)."


@dataclass
class Clients:
    """Clients owned by the app; built without connecting, closed at shutdown."""

    mongo: AsyncMongoClient[dict[str, Any]]
    http: httpx.AsyncClient

    @classmethod
    def build(cls, settings: Settings) -> "Clients":
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            settings.mongo_url.get_secret_value(),
            appname=SERVICE,
            tz_aware=True,
            serverSelectionTimeoutMS=5000,
        )
        http = webhook_client(settings.webhook_timeout_seconds, settings.outbound_allowlist)
        return cls(mongo=mongo, http=http)

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self.http.aclose()
            await self.mongo.close()


def build_notifier(settings: Settings, clients: Clients) -> WebhookNotifier:
    deliveries = clients.mongo[settings.database_name(SERVICE)][DELIVERIES]
    return WebhookNotifier(
        endpoints=settings.webhook_urls,
        secret=settings.webhook_secret.get_secret_value(),
        deliveries=MongoDeliveryLog(deliveries),
        sender=HttpxWebhookSender(clients.http),
        retry=RetryPolicy(
            attempts=settings.webhook_attempts,
            initial_seconds=settings.webhook_backoff_initial_seconds,
            max_seconds=settings.webhook_backoff_max_seconds,
        ),
    )


def build_broker(settings: Settings, notifier: WebhookNotifier) -> KafkaBroker:
    broker = create_broker(SERVICE, settings)
    handlers.register(broker, notifier, subscriber_options(settings))
    return broker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)
    # httpx logs every request URL at INFO; partner URLs may carry tokens. Our own log names the host.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    clients = Clients.build(settings)
    broker = build_broker(settings, build_notifier(settings, clients))
    return service_app(
        service=SERVICE,
        broker=broker,
        checks={"mongo": mongo_check(clients.mongo)},
        resources=clients.opened,
        description=DESCRIPTION,
        settings=settings,
        rate_limited=True,  # its public pages (subscriptions) are limited per client
    )


def asyncapi() -> dict[str, Any]:
    settings = Settings(kafka_bootstrap_servers="kafka:9092")
    broker = build_broker(settings, build_notifier(settings, Clients.build(settings)))
    return asyncapi_document(broker, SERVICE, DESCRIPTION)
