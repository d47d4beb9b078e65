"""MongoItemStore: what ingest last emitted, in MongoDB — per item (`items`: hash, version, url, source,
the call a near-duplicate joined, its call's sources), per call (`calls`: its last event's call), plus the
signatures and the fetch state.

Plain single-collection operations only (FerretDB 1.x has no transactions, sessions or change streams).
Measured on FerretDB 1.24 (SQLite): `insert_many` is fast (~14k docs/s) while every update costs ~9 ms and
any filter but an `_id` lookup scans the whole collection (reading the states of 9,800 items with `$in`
took 3.3 s, the signatures 1.0–1.3 s, on every source run). So new items are inserted in bulk, updates
(changed items, merges) go one by one, and the item states and the signature index are read once and then
kept in memory, updated by this process's own writes and reloaded when another process wrote
(see write_sequence.py).
"""

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from boi_ingest.adapters.mongo_inflight import MongoInFlight
from boi_ingest.adapters.mongo_state import FETCH_STATE, MongoFetchStateStore, MongoSignatureStore
from boi_ingest.adapters.write_sequence import WriteSequence
from boi_ingest.domain.dedup import Signature, SignatureIndex
from boi_ingest.domain.model import ItemState
from boi_ingest.domain.plan import ItemRecord, event_of
from boi_shared.events import CallIngested, RawCall, SourceRef

COLLECTION = "items"
CALLS = "calls"
RECENT_CALLS = 50_000
_STATE_FIELDS = {"content_hash": 1, "version": 1, "call_id": 1, "sources": 1}


def _state(doc: dict[str, Any]) -> ItemState:
    return ItemState(
        content_hash=doc["content_hash"],
        version=int(doc["version"]),
        call_id=doc.get("call_id"),
        sources=tuple(SourceRef.model_validate(s) for s in doc.get("sources") or ()),
    )


def _next_state(stored: ItemState | None, record: ItemRecord) -> ItemState | None:
    """What the items collection holds for `record.item_id` once `record` is written (None: unchanged)."""
    if stored is not None and stored.version > record.version:
        return None  # a stored newer version is never moved back
    content_hash = record.content_hash or (stored.content_hash if stored is not None else None)
    if content_hash is None:
        return None
    return ItemState(
        content_hash=content_hash,
        version=record.version,
        call_id=record.call_id if record.call_id is not None else (stored.call_id if stored else None),
        sources=tuple(record.event.call.sources)
        if record.event is not None
        else (stored.sources if stored is not None else ()),
    )


def _fields(record: ItemRecord, seen_at: datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {"version": record.version, "seen_at": seen_at}
    for name in ("content_hash", "url", "source_id", "call_id"):
        if (value := getattr(record, name)) is not None:
            fields[name] = value
    if record.event is not None:
        fields["sources"] = [s.model_dump(mode="json") for s in record.event.call.sources]
    return fields


async def insert_or_update(
    collection: AsyncCollection[dict[str, Any]],
    docs: list[dict[str, Any]],
    updates: Sequence[dict[str, Any] | None],
) -> None:
    """Insert `docs` in one bulk; each one whose `_id` exists gets its `updates[i]` (an update document;
    None: keep the stored one) instead, unless the stored version is newer. The bulk write's own
    duplicate-key report is not relied upon (FerretDB's breaks PyMongo's result: KeyError 'nModified')."""
    if not docs:
        return
    try:
        await collection.insert_many(docs, ordered=False)
        return
    except BulkWriteError as exc:
        failed = [e["index"] for e in exc.details.get("writeErrors", [])]
    except KeyError:
        failed = list(range(len(docs)))
    for i in failed:
        if (update := updates[i]) is None:
            continue  # the same document is already there
        filter_ = {"_id": docs[i]["_id"], "version": {"$lte": docs[i]["version"]}}
        try:
            await collection.update_one(filter_, update, upsert=True)
        except DuplicateKeyError:
            continue


class MongoItemStore(MongoSignatureStore, MongoFetchStateStore, MongoInFlight):
    """`items`: `{_id: item id, content_hash, version, url, source_id, seen_at[, call_id][, sources]}`;
    `calls`: `{_id: "<call id>@<version>", call_id, version, call}`, one document per emitted version."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        MongoSignatureStore.__init__(self, client, database)
        MongoFetchStateStore.__init__(self, client, database)
        MongoInFlight.__init__(self, client, database)
        self._client = client
        self._items = client[database][COLLECTION]
        self._calls = client[database][CALLS]
        # The last event of the calls this process emitted: a merge reads it here, not with FerretDB
        # lookups that scan the collection. Ingest runs as one replica, so the process sees its writes.
        self._recent: OrderedDict[str, CallIngested] = OrderedDict()
        self._writes = WriteSequence(client[database][FETCH_STATE])
        self._states: dict[str, ItemState] | None = None
        self._index: SignatureIndex | None = None

    async def _fresh(self) -> None:
        """Forget what is kept in memory if another process wrote since this one last looked."""
        if (self._states is not None or self._index is not None) and not await self._writes.still_mine():
            self._forget()

    def _forget(self) -> None:
        self._states = self._index = None
        self._recent.clear()

    async def _after_write(self) -> bool:
        """Count a write of this process; False (and memory forgotten) if another process wrote too."""
        if await self._writes.wrote():
            return True
        self._forget()
        return False

    async def _load_states(self) -> dict[str, ItemState]:
        count = await self._writes.current()
        states = {
            doc["_id"]: _state(doc)
            async for doc in self._items.find({}, _STATE_FIELDS)
            if "content_hash" in doc
        }
        self._writes.loaded_at(count)
        return states

    async def signature_index(self, since: datetime) -> SignatureIndex:
        """The near-duplicate signatures seen since `since` (loaded once; kept current by this store)."""
        await self._fresh()
        if self._index is None:
            count = await self._writes.current()
            index = SignatureIndex()
            for signature in await self.signatures(since):
                index.add(signature)
            self._writes.loaded_at(count)
            self._index = index
        return self._index

    async def add_signatures(self, signatures: Sequence[Signature], seen_at: datetime) -> None:
        try:
            await super().add_signatures(signatures, seen_at)
        except BaseException:
            self._forget()
            raise
        if signatures and await self._after_write() and self._index is not None:
            for signature in signatures:
                self._index.add(signature)

    async def ping(self) -> bool:
        await self._client.admin.command("ping")
        return True

    async def states(self, call_ids: Sequence[str]) -> dict[str, ItemState]:
        await self._fresh()
        if self._states is None:
            self._states = await self._load_states()
        return {i: state for i in call_ids if (state := self._states.get(i)) is not None}

    async def calls(self, call_ids: Sequence[str]) -> dict[str, CallIngested]:
        """The last event of each call (rebuilt from the stored call; same id as when it was emitted)."""
        found: dict[str, CallIngested] = {}
        for call_id in call_ids:
            if (cached := self._recent.get(call_id)) is not None:
                found[call_id] = cached
                continue
            # Each version is its own document (inserts are cheap on FerretDB, updates scan): walk up to
            # the latest one with _id lookups, the only indexed reads there.
            head: dict[str, Any] | None = None
            version = 1
            while (doc := await self._calls.find_one({"_id": f"{call_id}@{version}"})) is not None:
                head, version = doc, version + 1
            if head is not None:
                found[call_id] = event_of(call_id, int(head["version"]), RawCall.model_validate(head["call"]))
        return found

    async def record_many(self, records: Sequence[ItemRecord], seen_at: datetime) -> None:
        """Store records (new items inserted in bulk); a stored newer version is never moved back."""
        created = [r for r in records if r.created and not r.call_only]
        fields = [_fields(r, seen_at) for r in created]
        calls = [
            {
                "_id": f"{r.event.call_id}@{r.event.version}",
                "call_id": r.event.call_id,
                "version": r.event.version,
                "call": r.event.call.model_dump(mode="json"),
            }
            for r in records
            if r.event is not None and r.event.call_id == r.item_id
        ]
        try:
            await asyncio.gather(
                insert_or_update(
                    self._items,
                    [{"_id": r.item_id, **f} for r, f in zip(created, fields, strict=True)],
                    [{"$set": f} for f in fields],
                ),
                # Versions of a call are inserted, never updated: a duplicate is a replay of that version.
                insert_or_update(self._calls, calls, [None] * len(calls)),
            )
            for record in records:
                if not record.created and not record.call_only:
                    try:
                        await self._items.update_one(
                            {"_id": record.item_id, "version": {"$lte": record.version}},
                            {"$set": _fields(record, seen_at)},
                            upsert=True,
                        )
                    except DuplicateKeyError:
                        continue
        except BaseException:
            self._forget()  # some writes may have landed: memory no longer knows what is stored
            raise
        if records and await self._after_write():
            self._remember(records)

    def _remember(self, records: Sequence[ItemRecord]) -> None:
        """Apply written records to the memory, with the same rules the database applied them."""
        for record in records:
            if record.event is not None and record.event.call_id == record.item_id:
                self._recent[record.item_id] = record.event
                self._recent.move_to_end(record.item_id)
            if self._states is not None and not record.call_only:
                state = _next_state(self._states.get(record.item_id), record)
                if state is not None:
                    self._states[record.item_id] = state
        while len(self._recent) > RECENT_CALLS:
            self._recent.popitem(last=False)

    async def record(
        self,
        call_id: str,
        *,
        content_hash: str,
        version: int,
        url: str,
        source_id: str,
        seen_at: datetime,
    ) -> bool:
        """Store a newly emitted version; an equal or newer stored version wins (returns False)."""
        fields = {
            "content_hash": content_hash,
            "version": version,
            "url": url,
            "source_id": source_id,
            "seen_at": seen_at,
        }
        try:
            # The version filter makes a stale writer's upsert collide on _id instead of going back.
            await self._items.update_one(
                {"_id": call_id, "version": {"$lt": version}}, {"$set": fields}, upsert=True
            )
        except DuplicateKeyError:
            return False
        except BaseException:
            self._forget()
            raise
        if await self._after_write() and self._states is not None:
            stored = self._states.get(call_id)
            self._states[call_id] = ItemState(
                content_hash, version, stored.call_id if stored else None, stored.sources if stored else ()
            )
        return True

    async def touch(self, call_ids: Sequence[str], seen_at: datetime) -> None:
        """Mark unchanged calls as seen now (slow on FerretDB: not on the ingest path)."""
        if call_ids:
            await self._items.update_many({"_id": {"$in": list(call_ids)}}, {"$set": {"seen_at": seen_at}})
            await self._after_write()
