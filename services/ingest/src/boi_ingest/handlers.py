"""Kafka glue of the ingest service: it consumes no topic; it publishes raw calls to calls.raw.v1."""

import asyncio
from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from boi_ingest.service import Publish
from boi_shared.events import CallIngested
from boi_shared.topics import CALLS_RAW


def register(broker: KafkaBroker) -> Publish:
    """Declare the publisher (it documents the topic in AsyncAPI) and return the use cases' port."""
    to_calls_raw = broker.publisher(CALLS_RAW.name, schema=CallIngested, description=CALLS_RAW.description)

    async def publish(events: Sequence[CallIngested]) -> list[BaseException | None]:
        # Enqueued one after the other, then acknowledged together: concurrent sends would all wait on
        # the producer's full batches and wake each other (measured: 4× slower on 10,000 events).
        # Keyed by call id: every version of a call lands in one partition, in order.
        pending: list[asyncio.Future[object] | BaseException] = []
        for event in events:
            try:
                pending.append(await to_calls_raw.publish(event, key=event.call_id.encode(), no_confirm=True))
            except Exception as exc:  # refused before sending (e.g. too large): only this event fails
                pending.append(exc)
        waiting = [p for p in pending if not isinstance(p, BaseException)]
        acks = iter(await asyncio.gather(*waiting, return_exceptions=True))
        return [
            p if isinstance(p, BaseException) else (r if isinstance(r := next(acks), BaseException) else None)
            for p in pending
        ]

    return publish
