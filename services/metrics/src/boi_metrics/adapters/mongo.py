"""Per-call counts in MongoDB, idempotent under redelivery without transactions.

One document per call: `{_id: call_id, total, by_kind: {kind: n}, by_day: {"YYYY-MM-DD": n},
offsets: {"<partition>": last applied offset}}`. Each impression is ONE conditional upsert: the filter
matches only while the call's watermark for that partition is below the record's offset, and the same
update `$inc`s the counters and `$set`s the watermark. If the watermark is already there, the filter misses
the existing document, the upsert tries to insert a second document with the same `_id`, and the server
answers DuplicateKeyError: the record was counted before. Works on FerretDB 1.24 and MongoDB alike.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from boi_metrics.domain.counts import CallCounts, RecordPosition

CALL_COUNTS = "call_counts"
# A DuplicateKeyError can also mean that another writer created the document between our filter and
# insert (two partitions counting one call for the first time); such a lost race is retried.
_RACE_RETRIES = 3


def _counts(doc: dict[str, Any]) -> CallCounts:
    return CallCounts(
        call_id=doc["_id"],
        total=int(doc.get("total", 0)),
        by_kind={k: int(v) for k, v in (doc.get("by_kind") or {}).items()},
        by_day={k: int(v) for k, v in sorted((doc.get("by_day") or {}).items())},
    )


class MongoCallCounts:
    """`CallCountsStore` on the `call_counts` collection."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("total", DESCENDING)], name="total_desc")

    async def apply(self, call_id: str, position: RecordPosition, increments: dict[str, int]) -> bool:
        watermark = f"offsets.{position.partition}"
        update = {
            "$inc": increments,
            "$set": {watermark: position.offset, "updated_at": datetime.now(UTC)},
        }
        for _ in range(_RACE_RETRIES):
            try:
                await self.collection.update_one(
                    {"_id": call_id, watermark: {"$not": {"$gte": position.offset}}},
                    update,
                    upsert=True,
                )
                return True
            except DuplicateKeyError:
                if await self._already_applied(call_id, position):
                    return False
        raise RuntimeError(f"could not count {call_id} at {position}: lost {_RACE_RETRIES} races")

    async def _already_applied(self, call_id: str, position: RecordPosition) -> bool:
        watermark = f"offsets.{position.partition}"
        doc = await self.collection.find_one({"_id": call_id}, {watermark: 1})
        applied = ((doc or {}).get("offsets") or {}).get(str(position.partition))
        return applied is not None and int(applied) >= position.offset

    async def get(self, call_id: str) -> CallCounts | None:
        doc = await self.collection.find_one({"_id": call_id}, {"offsets": 0})
        return _counts(doc) if doc else None

    async def top(self, limit: int) -> list[CallCounts]:
        cursor = (
            self.collection.find({}, {"offsets": 0, "by_day": 0})
            .sort([("total", DESCENDING), ("_id", 1)])
            .limit(limit)
        )
        return [_counts(doc) async for doc in cursor]
