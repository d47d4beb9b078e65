"""Composition root of the ingest service: `uvicorn --factory boi_ingest.app:create_app`."""

from typing import Any

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from boi_ingest import SERVICE, handlers
from boi_ingest.api import admin_router, sources_router
from boi_ingest.runtime import Ingestor
from boi_ingest.service import Publish
from boi_ingest.settings import Settings
from boi_shared.kafka import create_broker
from boi_shared.logging import configure_logging
from boi_shared.service import asyncapi_document, service_app

DESCRIPTION = "Fetches RSS/Atom sources and emits new or changed calls, normalized (→ calls.raw.v1)."


def build_broker(settings: Settings) -> tuple[KafkaBroker, Publish]:
    broker = create_broker(SERVICE, settings)
    return broker, handlers.register(broker)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)
    broker, publish = build_broker(settings)
    ingestor = Ingestor(settings, publish)
    app = service_app(
        service=SERVICE,
        broker=broker,
        checks={"mongo": ingestor.ping_mongo},
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
