"""Kafka glue of the ingest service: it consumes no topic; it publishes raw calls to calls.raw.v1."""

from faststream.kafka import KafkaBroker

from boi_ingest.service import Publish
from boi_shared.events import CallIngested
from boi_shared.topics import CALLS_RAW


def register(broker: KafkaBroker) -> Publish:
    """Declare the publisher (it documents the topic in AsyncAPI) and return the use cases' port."""
    to_calls_raw = broker.publisher(CALLS_RAW.name, schema=CallIngested, description=CALLS_RAW.description)

    async def publish(event: CallIngested) -> None:
        # Keyed by call id: every version of a call lands in one partition, in order.
        await to_calls_raw.publish(event, key=event.call_id.encode())

    return publish
