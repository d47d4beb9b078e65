"""MongoDB adapter: the calls of record (one document per call keyed by `call_id`) and the audit log (the
editorial plans: `mongo_editorial`).

FerretDB 1.x (SQLite) pushes down only equality on `_id`: a `{"_id": {"$in": …}}` or a secondary field
query scans the whole collection. So calls are read by `_id` (concurrently), and what still needs indexing
is kept in its own small collection (`mongo_pending`), never by scanning `calls`.

Runs unchanged on MongoDB 7/8 and on FerretDB 1.x: no transactions, sessions or change streams, and no
projection on findAndModify (FerretDB does not implement it). Concurrent writers are serialized by a
single-document compare-and-set on `revision`.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date
from typing import Any

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from boi_catalog import SERVICE
from boi_catalog.adapters.documents import from_document, to_document, update_of
from boi_catalog.adapters.mongo_pending import PendingMarkers, guard
from boi_catalog.domain.call import EN_REVISION, SEARCHABLE_STATUSES, VISIBLE_STATUSES, CatalogCall
from boi_catalog.ports import ConflictError, UpsertOutcome
from boi_shared.mongo import SERVER_SELECTION_TIMEOUT_MS, mongo_client

COLLECTION = "calls"


class MongoCallRepository:
    """`CallRepository` on MongoDB. Connection problems surface as `TransientError`."""

    def __init__(self, url: str, database: str, *, timeout_ms: int = SERVER_SELECTION_TIMEOUT_MS) -> None:
        # Lazy: the client connects on first use, inside the running event loop.
        self._client: AsyncMongoClient[dict[str, Any]] = mongo_client(url, SERVICE, timeout_ms=timeout_ms)
        self.database_name = database
        db = self._client[database]
        self._calls = db[COLLECTION]
        self._audit = db["audit"]
        self._markers = PendingMarkers(db["index_pending"])

    async def ensure_indexes(self) -> None:
        """Secondary indexes for the queue, the jobs and the pending re-indexer (idempotent)."""
        await guard(lambda: self._calls.create_index([("status", ASCENDING)]))
        await guard(lambda: self._audit.create_index([("at", DESCENDING)]))

    async def get(self, call_id: str) -> CatalogCall | None:
        doc = await guard(lambda: self._calls.find_one({"_id": call_id}))
        return from_document(doc) if doc is not None else None

    async def upsert(self, call: CatalogCall) -> UpsertOutcome:
        # Idempotency key: (call_id, version). The filter only matches a stored version that is not
        # newer, so an older version can never overwrite a newer one: when a newer one is stored the
        # filter misses, the upsert tries to insert the same _id and the server rejects it.
        try:
            before = await guard(
                lambda: self._calls.find_one_and_update(
                    {"_id": call.call_id, "version": {"$lte": call.version}},
                    update_of(to_document(call)),
                    upsert=True,
                    return_document=ReturnDocument.BEFORE,
                )
            )
        except DuplicateKeyError:
            return "stale"
        if before is None:
            return "new"
        return "same" if before.get("version") == call.version else "updated"

    async def save(self, call: CatalogCall, expected_revision: int | None) -> None:
        doc = to_document(call)
        if call.index_pending:  # first the marker: a crash after it only costs a spare re-index
            await self._mark_pending([call])
        if expected_revision is None:
            try:
                await guard(lambda: self._calls.insert_one(doc))
            except DuplicateKeyError as exc:
                raise ConflictError(call.call_id) from exc
            return
        result = await guard(
            lambda: self._calls.update_one(
                {"_id": call.call_id, "revision": expected_revision}, update_of(doc)
            )
        )
        if result.matched_count == 0:
            raise ConflictError(call.call_id)

    async def _find(self, query: Mapping[str, Any], *, limit: int, offset: int = 0) -> list[CatalogCall]:
        """Calls matching `query`, the most recently updated first."""

        async def run() -> list[dict[str, Any]]:
            cursor = self._calls.find(dict(query)).sort("updated_at", DESCENDING).skip(offset).limit(limit)
            return await cursor.to_list()

        return [from_document(d) for d in await guard(run)]

    async def awaiting_review(self, *, limit: int, offset: int = 0) -> list[CatalogCall]:
        query = {  # CatalogCall.awaits_curator
            "$or": [
                {"status": EN_REVISION},
                {"link_status": "broken", "status": {"$in": list(SEARCHABLE_STATUSES)}},
                {"reported": True, "status": {"$in": list(VISIBLE_STATUSES)}},
            ]
        }
        return await self._find(query, limit=limit, offset=offset)

    async def public_calls(self, *, limit: int) -> list[CatalogCall]:
        return await self._find({"status": {"$in": list(SEARCHABLE_STATUSES)}}, limit=limit)

    async def public_closing_by(self, day: date, *, limit: int) -> list[CatalogCall]:
        query = {"status": {"$in": list(SEARCHABLE_STATUSES)}, "deadline": {"$lte": day.isoformat()}}
        return await self._find(query, limit=limit)

    async def count(self) -> int:
        return await guard(lambda: self._calls.count_documents({}))

    async def _mark_pending(self, calls: Sequence[CatalogCall]) -> None:
        await self._markers.add([(c.call_id, c.revision) for c in calls])

    async def mark_indexed(self, calls: Sequence[tuple[str, int]]) -> None:
        await self._markers.indexed(calls)

    async def pending(self, *, limit: int) -> list[CatalogCall]:
        """Calls with a write not yet confirmed indexed (their current state), from the markers left
        by this process or by one that stopped before indexing them."""
        calls = await self.get_many(await self._markers.call_ids(limit=limit))
        return [c.model_copy(update={"index_pending": True}) for c in calls.values()]

    async def get_many(self, call_ids: Sequence[str]) -> dict[str, CatalogCall]:
        gate = asyncio.Semaphore(32)

        async def one(call_id: str) -> dict[str, Any] | None:
            async with gate:
                return await guard(lambda: self._calls.find_one({"_id": call_id}))

        docs = await asyncio.gather(*(one(i) for i in call_ids))
        return {d["_id"]: from_document(d) for d in docs if d is not None}

    async def insert_many(self, calls: Sequence[CatalogCall]) -> set[str]:
        """Insert new calls in one round trip; returns the ids inserted (an id already stored, e.g.
        by a concurrent writer, is skipped)."""
        if not calls:
            return set()
        ids = [c.call_id for c in calls]

        async def insert() -> set[str]:
            try:
                await guard(lambda: self._calls.insert_many([to_document(c) for c in calls], ordered=False))
            except BulkWriteError as exc:
                return {ids[e["index"]] for e in exc.details.get("writeErrors", [])}
            return set()

        # The markers of refused calls are harmless: a spare re-index of the stored state.
        _, refused = await asyncio.gather(self._mark_pending([c for c in calls if c.index_pending]), insert())
        return set(ids) - refused

    async def scan(self, batch_size: int) -> AsyncIterator[list[CatalogCall]]:
        last: str | None = None
        while True:
            query: dict[str, Any] = {} if last is None else {"_id": {"$gt": last}}

            async def page(q: dict[str, Any] = query) -> list[dict[str, Any]]:
                return await self._calls.find(q).sort("_id", ASCENDING).limit(batch_size).to_list()

            docs = await guard(page)
            if not docs:
                return
            last = docs[-1]["_id"]
            yield [from_document(d) for d in docs]

    async def log(self, entry: Mapping[str, Any]) -> None:
        await guard(lambda: self._audit.insert_one(dict(entry)))

    async def audit_log(self, *, limit: int) -> list[dict[str, Any]]:
        async def run() -> list[dict[str, Any]]:
            return await self._audit.find({}, {"_id": 0}).sort("at", DESCENDING).limit(limit).to_list()

        return await guard(run)

    async def ping(self) -> bool:
        await self._client.admin.command("ping")
        return True

    async def close(self) -> None:
        await self._client.close()
