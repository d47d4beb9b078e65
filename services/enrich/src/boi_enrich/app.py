"""Composition root of the enrich service: `uvicorn --factory boi_enrich.app:create_app`."""

from typing import Any

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from boi_enrich import SERVICE, handlers
from boi_enrich.settings import Settings
from boi_shared.kafka import create_broker
from boi_shared.logging import configure_logging
from boi_shared.service import asyncapi_document, service_app

DESCRIPTION = "Summarizes and classifies raw calls for curators (calls.raw.v1 → calls.enriched.v1)."


def build_broker(settings: Settings) -> KafkaBroker:
    broker = create_broker(SERVICE, settings)
    handlers.register(broker)
    return broker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)
    return service_app(service=SERVICE, broker=build_broker(settings), checks={}, description=DESCRIPTION)


def asyncapi() -> dict[str, Any]:
    return asyncapi_document(
        build_broker(Settings(kafka_bootstrap_servers="kafka:9092")), SERVICE, DESCRIPTION
    )
