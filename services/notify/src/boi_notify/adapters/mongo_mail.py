"""The email delivery log (`mail_deliveries`) and the calls notify has seen (`calls`) in MongoDB.

A delivery is claimed by inserting its key as `_id` before the send, then finished with the outcome. The
unique `_id` is what makes a send happen once across redeliveries and replicas; no transaction needed."""

import contextlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from boi_shared.events import CallPublished, PublicCall

MAIL_DELIVERIES = "mail_deliveries"
CALLS = "calls"
OPEN_STATUSES = ("publicada", "cierra_pronto")
SENT_SUFFIX = ":sent"
SAVE_CHUNK = 50


class MongoMailLog:
    """`MailLog`. A claim left `sending` longer than `stale_after` (a process that died mid-send) may be
    taken again: such a mail can arrive twice, which beats never."""

    def __init__(
        self, db: AsyncDatabase[dict[str, Any]], stale_after: timedelta = timedelta(minutes=10)
    ) -> None:
        self.collection = db[MAIL_DELIVERIES]
        self.stale_after = stale_after

    async def claim(self, key: str, record: dict[str, Any], now: datetime) -> bool:
        doc = {**record, "_id": key, "status": "sending", "claimed_at": now, "attempts": 1, "created_at": now}
        try:
            await self.collection.insert_one(doc)
            return True
        except DuplicateKeyError:
            pass
        return await self._reclaim(key, now)

    async def _reclaim(self, key: str, now: datetime) -> bool:
        if await self.collection.find_one({"_id": key + SENT_SUFFIX}, {"_id": 1}) is not None:
            return False
        again = {
            "_id": key,
            "$or": [
                {"status": "deferred"},
                {"status": "sending", "claimed_at": {"$lt": now - self.stale_after}},
            ],
        }
        result = await self.collection.update_one(
            again, {"$set": {"status": "sending", "claimed_at": now}, "$inc": {"attempts": 1}}
        )
        return result.modified_count == 1

    async def claim_many(self, records: Sequence[tuple[str, dict[str, Any]]], now: datetime) -> set[str]:
        """`claim` for many keys in one unordered insert (a digest run); duplicates are then reclaimed
        one by one when deferred or stale."""
        docs = [
            {**r, "_id": k, "status": "sending", "claimed_at": now, "attempts": 1, "created_at": now}
            for k, r in records
        ]
        taken: set[str] = set()
        try:
            await self.collection.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            taken = {docs[e["index"]]["_id"] for e in errors}
        claimed = {d["_id"] for d in docs} - taken
        for key in taken:
            if await self._reclaim(key, now):
                claimed.add(key)
        return claimed

    async def finish_many(
        self, outcomes: Sequence[tuple[str, str, str | None, dict[str, Any]]], now: datetime
    ) -> None:
        """Sent emails are recorded by inserting a `<key>:sent` document beside the claim: FerretDB (SQLite)
        inserts 500 documents in ~0.2 s but takes ~4 s to update as many (measured here, under load). The
        rare rejected or deferred ones update their claim."""
        sent = [
            {**record, "_id": k + SENT_SUFFIX, "claim": k, "status": "sent", "finished_at": now}
            for k, status, _, record in outcomes
            if status == "sent"
        ]
        if sent:
            try:
                await self.collection.insert_many(sent, ordered=False)
            except BulkWriteError as exc:  # recorded already (a retried batch): the same fact
                if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                    raise
        for k, status, error, _ in outcomes:
            if status != "sent":
                await self.finish(k, status, error, now)

    async def finish(self, key: str, status: str, error: str | None, now: datetime) -> None:
        await self.collection.update_one(
            {"_id": key}, {"$set": {"status": status, "last_error": error, "finished_at": now}}
        )

    async def recipients_of(self, call_id: str) -> list[str]:
        cursor = self.collection.find({"call_ids": call_id, "status": "sent"}, {"subscriber_id": 1})
        return list(dict.fromkeys([d["subscriber_id"] async for d in cursor if d.get("subscriber_id")]))

    async def anonymize(self, subscriber_id: str) -> None:
        await self.collection.update_many({"subscriber_id": subscriber_id}, {"$set": {"subscriber_id": None}})


def _saved(
    event: CallPublished, previous: PublicCall | None, first: datetime | None = None
) -> dict[str, Any]:
    now = event.occurred_at
    return {
        "$set": {
            "version": event.version,
            "call": event.call.model_dump(mode="json"),
            "previous": previous.model_dump(mode="json") if previous else None,
            "status": event.call.status,
            "updated_at": now,
        },
        "$setOnInsert": {"first_published_at": first or now},
    }


class MongoCallLog:
    """`CallLog`: one document per call, its latest version and the call of the version before."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[CALLS]

    async def get(self, call_id: str) -> tuple[int, PublicCall, PublicCall | None] | None:
        doc = await self.collection.find_one({"_id": call_id})
        if doc is None:
            return None
        previous = PublicCall.model_validate(doc["previous"]) if doc.get("previous") else None
        return doc["version"], PublicCall.model_validate(doc["call"]), previous

    async def get_many(self, call_ids: Sequence[str]) -> dict[str, tuple[int, PublicCall, PublicCall | None]]:
        found: dict[str, tuple[int, PublicCall, PublicCall | None]] = {}
        async for doc in self.collection.find({"_id": {"$in": list(call_ids)}}):
            previous = PublicCall.model_validate(doc["previous"]) if doc.get("previous") else None
            found[doc["_id"]] = (doc["version"], PublicCall.model_validate(doc["call"]), previous)
        return found

    async def save_many(self, saves: Sequence[tuple[CallPublished, PublicCall | None, datetime]]) -> None:
        """Unordered upserts in chunks of `SAVE_CHUNK` (FerretDB hung on a bulk write of 500 updates); an
        upsert refused as a duplicate `_id` means a later version is stored: left as it is."""
        for start in range(0, len(saves), SAVE_CHUNK):
            ops = [
                UpdateOne({"_id": e.call_id, "version": {"$lt": e.version}}, _saved(e, p, first), upsert=True)
                for e, p, first in saves[start : start + SAVE_CHUNK]
            ]
            try:
                await self.collection.bulk_write(ops, ordered=False)
            except BulkWriteError as exc:
                if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                    raise

    async def save(self, event: CallPublished, previous: PublicCall | None) -> None:
        with contextlib.suppress(DuplicateKeyError):  # a later (or the same) version is stored already
            await self.collection.update_one(
                {"_id": event.call_id, "version": {"$lt": event.version}},
                _saved(event, previous),
                upsert=True,
            )

    async def published_between(self, start: datetime, end: datetime) -> list[tuple[str, int, PublicCall]]:
        query = {"first_published_at": {"$gte": start, "$lt": end}, "status": {"$in": list(OPEN_STATUSES)}}
        return [
            (d["_id"], d["version"], PublicCall.model_validate(d["call"]))
            async for d in self.collection.find(query).sort("first_published_at", 1)
        ]

    async def closing_on(self, day: date) -> list[tuple[str, PublicCall]]:
        query = {"call.deadline": day.isoformat(), "status": {"$in": list(OPEN_STATUSES)}}
        return [(d["_id"], PublicCall.model_validate(d["call"])) async for d in self.collection.find(query)]
