"""A batch of impressions in a handful of round trips: the watermarks of the documents it touches (one
`find` per collection), the visitor markers it claims (one `insert_many`, plus one `find` when some exist),
and one `bulk_write` of guarded upserts per collection (`domain/batch.py` plans them).

A guarded upsert (`guarded.py`) whose filter misses an existing document is a duplicate key: another
writer created the document first, or moved this partition's watermark. On MongoDB that is a
`BulkWriteError`; FerretDB 1.24 answers a bulk write in a form PyMongo 4.20 cannot parse (`KeyError:
'nModified'`). Either way `write` reports a conflict and the use case reads the watermarks again and
re-plans: every write is guarded, so what did land is skipped the second time.

Each bulk write carries at most `BULK_OPS` updates: FerretDB 1.24 (SQLite) never answered one update
command of 100 or more statements on existing documents, and kept that database locked afterwards
(measured here: 99 statements in 0.4 s, 100 hung; a fresh database each time).
"""

import asyncio
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from boi_metrics.adapters.mongo import CALL_COUNTS
from boi_metrics.adapters.rollups import CALL_DAYS, DAYS, SEEN
from boi_metrics.domain.batch import DocWrite, Marks, Plan, Watermarks
from boi_metrics.domain.counts import RecordPosition

DUPLICATE_KEY = 11000
BULK_OPS = 50


async def _watermarks(collection: AsyncCollection[dict[str, Any]], ids: Iterable[str]) -> Watermarks:
    wanted = sorted(ids)
    if not wanted:
        return {}
    cursor = collection.find({"_id": {"$in": wanted}}, {"offsets": 1})
    return {
        doc["_id"]: {int(p): int(o) for p, o in (doc.get("offsets") or {}).items()} async for doc in cursor
    }


def _update(write: DocWrite, now: datetime) -> UpdateOne:
    guard = {f"offsets.{p}": {"$not": {"$gte": o}} for p, o in sorted(write.first.items())}
    update: dict[str, Any] = {
        "$set": {**{f"offsets.{p}": o for p, o in write.last.items()}, "updated_at": now, **write.fields}
    }
    if increments := {k: n for k, n in write.increments.items() if n}:
        update["$inc"] = increments
    return UpdateOne({"_id": write.doc_id, **guard}, update, upsert=True)


class MongoBatchRollups:
    """`BatchRollups` on the service's database (the same collections as the per-record stores)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.calls: AsyncCollection[dict[str, Any]] = db[CALL_COUNTS]
        self.call_days: AsyncCollection[dict[str, Any]] = db[CALL_DAYS]
        self.days: AsyncCollection[dict[str, Any]] = db[DAYS]
        self.seen: AsyncCollection[dict[str, Any]] = db[SEEN]

    async def watermarks(self, calls: set[str], call_days: set[str], days: set[str]) -> Marks:
        found = await asyncio.gather(
            _watermarks(self.calls, calls),
            _watermarks(self.call_days, call_days),
            _watermarks(self.days, days),
        )
        return Marks(*found)

    async def claim(self, wanted: Mapping[str, tuple[date, RecordPosition]]) -> dict[str, RecordPosition]:
        """Insert the markers `wanted`; the position each key is held by (a key already claimed keeps the
        record that claimed it first: a redelivered record finds its own marker)."""
        if not wanted:
            return {}
        markers = [
            {"_id": key, "day": day.isoformat(), "p": pos.partition, "o": pos.offset}
            for key, (day, pos) in wanted.items()
        ]
        holders = {key: pos for key, (_, pos) in wanted.items()}
        try:
            await self.seen.insert_many(markers, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors") or []
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            taken = [markers[e["index"]]["_id"] for e in errors]
            for key in taken:
                holders.pop(key)
            async for doc in self.seen.find({"_id": {"$in": taken}}):
                holders[doc["_id"]] = RecordPosition(int(doc["p"]), int(doc["o"]))
        return holders

    async def write(self, batch: Plan) -> bool:
        """The planned writes, one bulk per collection; False when a guard found a document moved."""
        now = datetime.now(UTC)
        done = await asyncio.gather(
            self._bulk(self.calls, batch.calls, now),
            self._bulk(self.call_days, batch.call_days, now),
            self._bulk(self.days, batch.days, now),
        )
        return all(done)

    async def _bulk(
        self, collection: AsyncCollection[dict[str, Any]], writes: list[DocWrite], now: datetime
    ) -> bool:
        moved = False
        for start in range(0, len(writes), BULK_OPS):
            chunk = [_update(w, now) for w in writes[start : start + BULK_OPS]]
            moved |= not await self._chunk(collection, chunk)
        return not moved

    async def _chunk(self, collection: AsyncCollection[dict[str, Any]], chunk: list[UpdateOne]) -> bool:
        try:
            await collection.bulk_write(chunk, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors") or []
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            return False
        except KeyError as exc:  # FerretDB 1.24's answer to a duplicate key in a bulk (see above)
            if exc.args != ("nModified",):
                raise
            return False
        return True
