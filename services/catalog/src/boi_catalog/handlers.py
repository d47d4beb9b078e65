"""Kafka glue of the catalog service."""

from typing import Any

from faststream.kafka import KafkaBroker

from boi_catalog import SERVICE
from boi_catalog.ports import CallRepository, SearchIndex
from boi_catalog.service import publish_enriched
from boi_shared.events import CallEnriched, CallPublished, ImpressionRecorded
from boi_shared.kafka import SUBSCRIBER_DEFAULTS
from boi_shared.topics import CALLS_ENRICHED, CALLS_PUBLISHED, IMPRESSIONS


def register(
    broker: KafkaBroker, repository: CallRepository, index: SearchIndex, public_base_url: str
) -> None:
    to_calls_published = broker.publisher(
        CALLS_PUBLISHED.name, schema=CallPublished, description=CALLS_PUBLISHED.description
    )

    @broker.subscriber(
        CALLS_ENRICHED.name, group_id=SERVICE, description=CALLS_ENRICHED.description, **SUBSCRIBER_DEFAULTS
    )
    async def on_call_enriched(event: CallEnriched) -> None:
        published = await publish_enriched(event, repository, index, public_base_url)
        if published is not None:
            await to_calls_published.publish(published, key=event.call_id.encode())


def impressions_publisher(broker: KafkaBroker) -> Any:
    """Publisher of the impressions the public site and API record (see `KafkaImpressionSink`)."""
    return broker.publisher(IMPRESSIONS.name, schema=ImpressionRecorded, description=IMPRESSIONS.description)
