"""Kafka glue of the metrics service.

metrics.impressions.v1 is consumed in batches (up to `metrics_batch_size` records per poll) applied with a
few bulk writes (`service.record_impressions`); the offsets are committed after the batch is applied. The
shared error policy's batch mode decides: a record that is not a valid `ImpressionRecorded` is
dead-lettered alone; a transient failure (MongoDB in any way) rewinds the whole batch after a backoff,
never committing and never dead-lettering (what was written is below the watermarks the second time);
another failure is retried record by record (`service.record_impression`, the same rule), and only the
record that keeps failing for an unknown reason is dead-lettered alone.
"""

import logging
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from boi_metrics import SERVICE
from boi_metrics.domain.batch import Item
from boi_metrics.domain.counts import RecordPosition
from boi_metrics.service import Stores, record_call, record_impression, record_impressions
from boi_shared.error_policy import ErrorPolicy
from boi_shared.errors import Verdict
from boi_shared.events import CallPublished, ImpressionRecorded
from boi_shared.kafka import subscriber_options
from boi_shared.topics import CALLS_PUBLISHED, IMPRESSIONS

log = logging.getLogger("boi.metrics.handlers")


async def _raw_records(msg: Any) -> Any:
    # Keep the records: each is validated (and dead-lettered) on its own, with its partition and offset.
    return list(msg.raw_message)


def register(
    broker: KafkaBroker, stores: Stores, policy: ErrorPolicy, *, batch_size: int, batch_wait_ms: int
) -> None:
    options = subscriber_options(policy.settings)
    if batch_size <= 1:
        _subscribe_one(broker, stores, options)
    else:
        _subscribe_batch(broker, stores, policy, {**options, "max_records": batch_size}, batch_wait_ms)

    @broker.subscriber(
        CALLS_PUBLISHED.name,
        group_id=f"{SERVICE}-calls",
        description="Calls as published: their type, sectors, ODS and funder for breakdowns",
        **options,
    )
    async def on_call_published(event: CallPublished) -> None:
        await record_call(event, stores.calls)


def _subscribe_one(broker: KafkaBroker, stores: Stores, options: dict[str, Any]) -> None:
    """One record at a time (`BOI_METRICS_BATCH_SIZE=1`): the error policy middleware decides per record."""

    @broker.subscriber(IMPRESSIONS.name, group_id=SERVICE, description=IMPRESSIONS.description, **options)
    async def on_impression_recorded(event: ImpressionRecorded, msg: KafkaMessage) -> None:
        record = msg.raw_message
        if isinstance(record, tuple):  # a batch subscriber would hand a tuple; this one never does
            raise TypeError("on_impression_recorded expects one Kafka record at a time")
        # The record's (partition, offset) is the idempotency key of the counts.
        await record_impression(event, RecordPosition(record.partition, record.offset), stores)


def _subscribe_batch(
    broker: KafkaBroker, stores: Stores, policy: ErrorPolicy, options: dict[str, Any], batch_wait_ms: int
) -> None:
    @broker.subscriber(
        IMPRESSIONS.name,
        group_id=SERVICE,
        description=IMPRESSIONS.description,
        batch=True,
        batch_timeout_ms=batch_wait_ms,
        decoder=_raw_records,
        **options,
    )
    async def on_impressions_recorded(records: list[Any]) -> None:
        pairs = await policy.decode_batch(records, ImpressionRecorded)
        # The record's (partition, offset) is the idempotency key of the counts.
        items = [(r, Item(e, RecordPosition(r.partition, r.offset))) for r, e in pairs]
        try:
            await record_impressions([item for _, item in items], stores)
        except Exception as exc:
            if policy.verdict(exc) is Verdict.TRANSIENT:
                raise  # the policy backs off and rewinds the batch
            log.warning("batch failed (%r); counting its records one by one", exc)

            async def one(item: Item) -> bool:
                return await record_impression(item.event, item.position, stores)

            await policy.each(items, one)
