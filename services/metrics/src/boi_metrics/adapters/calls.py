"""The calls metrics breaks reach down by (`calls`), kept from `calls.published.v1`, and the outcomes
operators record per call (`outcomes`). Neither holds personal data."""

from datetime import datetime
from typing import Any

from cachetools import TTLCache
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from boi_metrics.domain.rollups import UNKNOWN, CallDims
from boi_shared.events import CallPublished

CALLS, OUTCOMES = "calls", "outcomes"
_CACHE_SECONDS = 300.0
_CACHE_CALLS = 20_000


def _dims(doc: dict[str, Any] | None) -> CallDims:
    if not doc:
        return CallDims()
    return CallDims(
        call_type=doc.get("call_type") or UNKNOWN,
        sectors=tuple(doc.get("sectors") or ()),
        ods=tuple(int(n) for n in doc.get("ods") or ()),
        funder=doc.get("funder") or UNKNOWN,
        title=doc.get("title") or "",
    )


class MongoCallDirectory:
    """`CallDirectory` on `calls`; dimensions cached for five minutes per process, the least recently used
    dropped past `_CACHE_CALLS` calls."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection
        self._cache: TTLCache[str, CallDims] = TTLCache(maxsize=_CACHE_CALLS, ttl=_CACHE_SECONDS)

    async def record(self, event: CallPublished) -> bool:
        """Keep the call as published; an older version or change than the stored one is ignored."""
        call = event.call
        newer = {
            "$or": [
                {"version": {"$lt": event.version}},
                {"version": event.version, "at": {"$lte": event.occurred_at}},
            ]
        }
        update: dict[str, Any] = {
            "$set": {
                "version": event.version,
                "at": event.occurred_at,
                "title": call.title,
                "call_type": call.call_type.value if call.call_type else None,
                "sectors": list(call.sectors),
                "ods": list(call.ods),
                "funder": call.funder,
                "status": call.status,
            }
        }
        if event.change == "published":
            update["$min"] = {"published_at": event.occurred_at}
        try:
            await self.collection.update_one({"_id": event.call_id, **newer}, update, upsert=True)
        except DuplicateKeyError:
            return False  # the stored change is newer
        self._cache.pop(event.call_id, None)
        return True

    async def dims(self, call_id: str) -> CallDims:
        return (await self.dims_many({call_id}))[call_id]

    async def dims_many(self, call_ids: set[str]) -> dict[str, CallDims]:
        found = {c: d for c in call_ids if (d := self._cache.get(c)) is not None}
        missing = sorted(call_ids - found.keys())
        if missing:
            async for doc in self.collection.find({"_id": {"$in": missing}}):
                found[doc["_id"]] = self._cache[doc["_id"]] = _dims(doc)
        # A call not published yet (its event may still be on its way) is not remembered.
        return {c: found.get(c) or CallDims() for c in call_ids}

    async def all(self) -> dict[str, dict[str, Any]]:
        """Every call: its dimensions and when it was first published."""
        return {doc["_id"]: doc async for doc in self.collection.find({}, {"version": 0})}

    async def published_between(self, first: datetime, last: datetime) -> list[dict[str, Any]]:
        cursor = self.collection.find({"published_at": {"$gte": first, "$lt": last}}, {"version": 0})
        return [doc async for doc in cursor]


class MongoOutcomes:
    """What operators know each call obtained (applications, people selected, amount), one per call."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection

    async def put(self, call_id: str, outcome: dict[str, Any]) -> None:
        await self.collection.replace_one({"_id": call_id}, {"_id": call_id, **outcome}, upsert=True)

    async def all(self) -> dict[str, dict[str, Any]]:
        return {doc["_id"]: doc async for doc in self.collection.find({})}
