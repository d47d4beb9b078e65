"""Kafka glue of the metrics service."""

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from boi_metrics import SERVICE
from boi_metrics.domain.counts import RecordPosition
from boi_metrics.service import Stores, record_call, record_impression
from boi_shared.events import CallPublished, ImpressionRecorded
from boi_shared.topics import CALLS_PUBLISHED, IMPRESSIONS


def register(broker: KafkaBroker, stores: Stores, options: dict[str, Any]) -> None:
    """Subscribe with `options` (`boi_shared.kafka.subscriber_options`)."""

    @broker.subscriber(IMPRESSIONS.name, group_id=SERVICE, description=IMPRESSIONS.description, **options)
    async def on_impression_recorded(event: ImpressionRecorded, msg: KafkaMessage) -> None:
        record = msg.raw_message
        if isinstance(record, tuple):  # a batch subscriber would hand a tuple; this one never does
            raise TypeError("on_impression_recorded expects one Kafka record at a time")
        # The record's (partition, offset) is the idempotency key of the counts.
        await record_impression(event, RecordPosition(record.partition, record.offset), stores)

    @broker.subscriber(
        CALLS_PUBLISHED.name,
        group_id=f"{SERVICE}-calls",
        description="Calls as published: their type, sectors, ODS and funder for breakdowns",
        **options,
    )
    async def on_call_published(event: CallPublished) -> None:
        await record_call(event, stores.calls)
