"""Use cases of the metrics service."""

import logging

from boi_metrics.domain.counts import RecordPosition, increments
from boi_metrics.ports import CallCountsStore
from boi_shared.events import ImpressionRecorded

log = logging.getLogger("boi.metrics")


async def record_impression(
    event: ImpressionRecorded, position: RecordPosition, store: CallCountsStore
) -> bool:
    """Count one impression once, even when Kafka delivers its record again; True when counted now."""
    applied = await store.apply(event.call_id, position, increments(event))
    if not applied:
        log.info(
            "impression already counted, skipped",
            extra={"call_id": event.call_id, "partition": position.partition, "offset": position.offset},
        )
    return applied
