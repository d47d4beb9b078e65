"""The one write every rollup uses: `$inc` guarded by a per-partition offset watermark, no transactions.

Each rollup document keeps `offsets: {"<partition>": last applied offset}`. The update's filter matches
only while the document's watermark for the record's partition is below the record's offset, and the same
single-document update `$inc`s the counters and moves the watermark. When the record was applied before,
the filter misses the existing document, the upsert tries to insert a second one with the same `_id`, and
the server answers DuplicateKeyError: nothing is counted twice. A DuplicateKeyError can also mean another
writer created the document first (two partitions counting one document for the first time); the watermark
is then re-read and the update retried. Works the same on FerretDB 1.24 and MongoDB.

Correct because offsets only grow within a partition, one consumer handles a partition in order, and it
commits after the update: every earlier record of that partition for that document was decided.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from boi_metrics.domain.counts import RecordPosition

_RACE_RETRIES = 3


async def guarded_update(
    collection: AsyncCollection[dict[str, Any]],
    doc_id: str,
    position: RecordPosition,
    increments: dict[str, int],
    fields: dict[str, Any] | None = None,
) -> bool:
    """Add `increments` (none: only move the watermark) unless `position` was applied; True when applied."""
    watermark = f"offsets.{position.partition}"
    update: dict[str, Any] = {
        "$set": {watermark: position.offset, "updated_at": datetime.now(UTC), **(fields or {})}
    }
    if increments:
        update["$inc"] = increments
    for _ in range(_RACE_RETRIES):
        try:
            await collection.update_one(
                {"_id": doc_id, watermark: {"$not": {"$gte": position.offset}}}, update, upsert=True
            )
            return True
        except DuplicateKeyError:
            doc = await collection.find_one({"_id": doc_id}, {watermark: 1})
            applied = ((doc or {}).get("offsets") or {}).get(str(position.partition))
            if applied is not None and int(applied) >= position.offset:
                return False
    raise RuntimeError(f"could not update {doc_id} at {position}: lost {_RACE_RETRIES} races")
