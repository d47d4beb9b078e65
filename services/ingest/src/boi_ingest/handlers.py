"""Kafka glue of the ingest service: it consumes no topic; it publishes raw calls to calls.raw.v1."""

from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from boi_ingest.ports import Publish
from boi_shared.events import CallIngested
from boi_shared.kafka import publish_in_order
from boi_shared.topics import CALLS_RAW


def register(broker: KafkaBroker) -> Publish:
    """Declare the publisher (it documents the topic in AsyncAPI) and return the use cases' port."""
    to_calls_raw = broker.publisher(CALLS_RAW.name, schema=CallIngested, description=CALLS_RAW.description)

    async def publish(events: Sequence[CallIngested]) -> list[BaseException | None]:
        # Keyed by call id: every version of a call lands in one partition, in order.
        return await publish_in_order(to_calls_raw, events, lambda e: e.call_id.encode())

    return publish
