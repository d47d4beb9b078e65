"""Use cases of the metrics service: count an impression exactly once, keep the calls' dimensions,
forget the once-per-visitor markers after 48 h."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from boi_metrics.domain import batch
from boi_metrics.domain.counts import RecordPosition
from boi_metrics.domain.rollups import day_of, increments, once_key, visitor_day_key
from boi_metrics.ports import BatchRollups, CallCountsStore, CallDirectory, RollupStore
from boi_shared.events import CallPublished, ImpressionRecorded

log = logging.getLogger("boi.metrics")
MARKER_KEEP_DAYS = 2
_RACE_RETRIES = 5


@dataclass(frozen=True)
class Stores:
    counts: CallCountsStore
    rollups: RollupStore
    calls: CallDirectory
    batches: BatchRollups


async def record_impressions(items: list[batch.Item], stores: Stores) -> int:
    """Count a batch of impressions by the same rule as `record_impression`, in a handful of round trips:
    watermarks read once per document, markers claimed at once, one guarded write per document. A
    document another writer moved meanwhile (its guard misses) makes the batch read and plan again; what
    did land is then below the watermarks. Returns how many records the per-call totals counted."""
    if not items:
        return 0
    dims = await stores.calls.dims_many({i.event.call_id for i in items})
    holders: dict[str, RecordPosition] | None = None
    for _ in range(_RACE_RETRIES):
        marks = await stores.batches.watermarks(*batch.doc_ids(items))
        if holders is None:  # later rounds see fewer records above the watermarks, never new ones
            holders = await stores.batches.claim(batch.claims(batch.live(items, marks)))
        writes = batch.plan(items, marks, holders, dims)
        if await stores.batches.write(writes):
            if writes.already:
                first = items[0].position
                log.info(
                    "impression already counted, skipped: %d of %d records",
                    writes.already,
                    len(items),
                    extra={"partition": first.partition, "offset": first.offset},
                )
            return writes.counted
    raise RuntimeError(f"rollups kept moving under a batch of {len(items)}: lost {_RACE_RETRIES} races")


async def record_impression(event: ImpressionRecorded, position: RecordPosition, stores: Stores) -> bool:
    """Count one impression once, even when Kafka delivers its record again, and a visitor's (call, day,
    kind) once; True when counted now. Every rollup's watermark moves past the record either way, so a
    replay decides each record as the first pass did, even after the markers are gone."""
    day = day_of(event)
    inc = increments(event, await stores.calls.dims(event.call_id))
    once, visitor = once_key(event), visitor_day_key(event)
    counts = once is None or await stores.rollups.claim(once, day, position)
    # Independent documents: written concurrently (each write is its own guarded upsert).
    applied, _, first_today = await asyncio.gather(
        stores.counts.apply(event.call_id, position, inc.call if counts else {}),
        stores.rollups.apply_call_day(event.call_id, day, position, inc.call_day if counts else {}),
        _claim(stores.rollups, visitor, day, position),
    )
    day_inc = dict(inc.day) if counts else {}
    if first_today:
        day_inc["visitors"] = 1
    await stores.rollups.apply_day(day, position, day_inc)
    if not (counts and applied):
        why = "already counted" if counts else "visitor already counted today for this call and kind"
        log.info(
            "impression %s, skipped",
            why,
            extra={"call_id": event.call_id, "partition": position.partition, "offset": position.offset},
        )
    return counts and applied


async def _claim(rollups: RollupStore, key: str | None, day: date, position: RecordPosition) -> bool:
    return key is not None and await rollups.claim(key, day, position)


async def record_call(event: CallPublished, calls: CallDirectory) -> bool:
    """Keep the call's type, sectors, ODS, funder and first publication for breakdowns."""
    return await calls.record(event)


async def forget_markers(rollups: RollupStore, today: date) -> int:
    """Delete the once-per-visitor markers older than yesterday (their visitors' salt is gone too)."""
    return await rollups.forget_before(today - timedelta(days=MARKER_KEEP_DAYS - 1))
