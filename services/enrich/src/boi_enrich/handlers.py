"""Kafka glue of the enrich service."""

from typing import Any

from faststream.kafka import KafkaBroker

from boi_enrich import SERVICE
from boi_enrich.service import ProviderChain, enrich_call
from boi_shared.events import CallEnriched, CallIngested
from boi_shared.topics import CALLS_ENRICHED, CALLS_RAW


def register(broker: KafkaBroker, chain: ProviderChain, options: dict[str, Any]) -> None:
    """Subscribe with `options` (`boi_shared.kafka.subscriber_options`)."""
    to_calls_enriched = broker.publisher(
        CALLS_ENRICHED.name, schema=CallEnriched, description=CALLS_ENRICHED.description
    )

    @broker.subscriber(CALLS_RAW.name, group_id=SERVICE, description=CALLS_RAW.description, **options)
    async def on_call_ingested(event: CallIngested) -> None:
        enriched = await enrich_call(event, chain)
        await to_calls_enriched.publish(enriched, key=event.call_id.encode())
