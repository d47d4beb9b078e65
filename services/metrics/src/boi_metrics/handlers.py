"""Kafka glue of the metrics service."""

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from boi_metrics import SERVICE
from boi_metrics.domain.counts import RecordPosition
from boi_metrics.ports import CallCountsStore
from boi_metrics.service import record_impression
from boi_shared.events import ImpressionRecorded
from boi_shared.topics import IMPRESSIONS


def register(broker: KafkaBroker, store: CallCountsStore, options: dict[str, Any]) -> None:
    """Subscribe with `options` (`boi_shared.kafka.subscriber_options`)."""

    @broker.subscriber(IMPRESSIONS.name, group_id=SERVICE, description=IMPRESSIONS.description, **options)
    async def on_impression_recorded(event: ImpressionRecorded, msg: KafkaMessage) -> None:
        record = msg.raw_message
        if isinstance(record, tuple):  # a batch subscriber would hand a tuple; this one never does
            raise TypeError("on_impression_recorded expects one Kafka record at a time")
        # The record's (partition, offset) is the idempotency key of the counts.
        await record_impression(event, RecordPosition(record.partition, record.offset), store)
