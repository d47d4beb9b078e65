"""Per-call counts in MongoDB (`call_counts`), idempotent under redelivery without transactions.

One document per call: `{_id: call_id, total, by_kind: {kind: n}, by_day: {"YYYY-MM-DD": n},
by_channel: {kind: {channel: n}}, offsets: {"<partition>": last applied offset}}`, written by
`guarded.guarded_update` (see there why it counts each record once).
"""

from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from boi_metrics.adapters.guarded import guarded_update
from boi_metrics.domain.counts import CallCounts, RecordPosition

CALL_COUNTS = "call_counts"


def _counts(doc: dict[str, Any]) -> CallCounts:
    return CallCounts(
        call_id=doc["_id"],
        total=int(doc.get("total", 0)),
        by_kind={k: int(v) for k, v in (doc.get("by_kind") or {}).items()},
        by_day={k: int(v) for k, v in sorted((doc.get("by_day") or {}).items())},
        by_channel={
            kind: {ch: int(n) for ch, n in channels.items()}
            for kind, channels in (doc.get("by_channel") or {}).items()
        },
    )


class MongoCallCounts:
    """`CallCountsStore` on the `call_counts` collection."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("total", DESCENDING)], name="total_desc")

    async def apply(self, call_id: str, position: RecordPosition, increments: dict[str, int]) -> bool:
        return await guarded_update(self.collection, call_id, position, increments)

    async def get(self, call_id: str) -> CallCounts | None:
        doc = await self.collection.find_one({"_id": call_id}, {"offsets": 0})
        return _counts(doc) if doc else None

    async def top(self, limit: int) -> list[CallCounts]:
        cursor = (
            self.collection.find({}, {"offsets": 0, "by_day": 0, "updated_at": 0})
            .sort([("total", DESCENDING), ("_id", 1)])
            .limit(limit)
        )
        return [_counts(doc) async for doc in cursor]
