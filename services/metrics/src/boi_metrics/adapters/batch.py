"""A batch of impressions in a handful of round trips: the watermarks of the documents it touches (a
lookup by `_id` per document, `lookups.by_ids`), the visitor markers it claims (one `insert_many` of those
this process has not seen yet), and bulk writes of guarded upserts per collection (`domain/batch.py`
plans them).

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

from cachetools import LRUCache
from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from boi_metrics.adapters.lookups import by_ids
from boi_metrics.adapters.mongo import CALL_COUNTS
from boi_metrics.adapters.rollups import CALL_DAYS, DAYS, SEEN
from boi_metrics.domain.batch import DocWrite, Marks, Plan, Watermarks
from boi_metrics.domain.counts import RecordPosition

DUPLICATE_KEY = 11000
BULK_OPS = 50
MARKERS_KEPT = 200_000


async def _watermarks(collection: AsyncCollection[dict[str, Any]], ids: Iterable[str]) -> Watermarks:
    return {
        doc["_id"]: {int(p): int(o) for p, o in (doc.get("offsets") or {}).items()}
        for doc in await by_ids(collection, ids, {"offsets": 1})
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
        self._markers: LRUCache[str, RecordPosition] = LRUCache(maxsize=MARKERS_KEPT)

    async def watermarks(self, calls: set[str], call_days: set[str], days: set[str]) -> Marks:
        found = await asyncio.gather(
            _watermarks(self.calls, calls),
            _watermarks(self.call_days, call_days),
            _watermarks(self.days, days),
        )
        return Marks(*found)

    async def claim(self, wanted: Mapping[str, tuple[date, RecordPosition]]) -> dict[str, RecordPosition]:
        """Insert the markers `wanted`; the position each key is held by (a key already claimed keeps the
        record that claimed it first: a redelivered record finds its own marker).

        A marker never changes once written, so this process remembers the ones it wrote or read (the
        most recent `MARKERS_KEPT`) and inserts only the others; those another process wrote first are
        duplicate keys, read back. Reading every key first would cost a lookup per key per batch."""
        holders = {key: held for key in wanted if (held := self._markers.get(key)) is not None}
        new = [key for key in wanted if key not in holders]
        markers: list[dict[str, Any]] = [
            {
                "_id": key,
                "day": wanted[key][0].isoformat(),
                "p": wanted[key][1].partition,
                "o": wanted[key][1].offset,
            }
            for key in new
        ]
        taken: list[str] = []
        if markers:
            try:
                await self.seen.insert_many(markers, ordered=False)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors") or []
                if any(e.get("code") != DUPLICATE_KEY for e in errors):
                    raise
                taken = [new[e["index"]] for e in errors]
        lost = set(taken)
        written = {key: wanted[key][1] for key in new if key not in lost}
        read = {d["_id"]: RecordPosition(int(d["p"]), int(d["o"])) for d in await by_ids(self.seen, taken)}
        self._markers.update({**written, **read})
        return {**holders, **written, **read}

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
