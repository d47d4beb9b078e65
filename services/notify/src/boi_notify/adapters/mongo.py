"""Partner endpoints and webhook deliveries in MongoDB (notify's database): single-document atomic updates
only (no transactions), so it runs on FerretDB and MongoDB alike."""

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from boi_notify.adapters.batching import Batcher
from boi_notify.domain.delivery import AttemptOutcome, PendingDelivery, Status
from boi_notify.domain.partners import Endpoint, EndpointFilter

ENDPOINTS = "partner_endpoints"
DELIVERIES = "webhook_deliveries"
DELIVERED = "webhook_delivered"
LOG_ENTRIES = 20  # attempts kept per delivery
_DUPLICATE_KEY = 11000


class MongoEndpointStore:
    """`EndpointStore` on `partner_endpoints`, `_id` = the endpoint's name."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[ENDPOINTS]

    async def all(self) -> list[Endpoint]:
        return [_endpoint(doc) async for doc in self.collection.find({}).sort("_id", ASCENDING)]

    async def get(self, name: str) -> Endpoint | None:
        doc = await self.collection.find_one({"_id": name})
        return _endpoint(doc) if doc else None

    async def add(self, endpoint: Endpoint, now: datetime) -> bool:
        doc = {**asdict(endpoint), "filter": endpoint.filter.model_dump(mode="json")}
        doc["_id"] = doc.pop("name")
        result = await self.collection.update_one(
            {"_id": doc["_id"]}, {"$setOnInsert": {**doc, "created_at": now}}, upsert=True
        )
        return result.upserted_id is not None

    async def set_secret(
        self, name: str, secret: str, previous: str, previous_until: datetime, shown: bool
    ) -> bool:
        changes = {"secret": secret, "previous_secret": previous, "previous_until": previous_until}
        result = await self.collection.update_one({"_id": name}, {"$set": {**changes, "secret_shown": shown}})
        return result.matched_count == 1

    async def take_secret(self, name: str) -> str | None:
        doc = await self.collection.find_one_and_update(
            {"_id": name, "secret_shown": False}, {"$set": {"secret_shown": True}}
        )
        return str(doc["secret"]) if doc else None

    async def set_enabled(self, name: str, enabled: bool, reason: str | None, now: datetime) -> bool:
        changes: dict[str, Any] = {"enabled": enabled, "disabled_reason": reason, "updated_at": now}
        if enabled:
            changes["failing_since"] = None
        result = await self.collection.update_one({"_id": name}, {"$set": changes})
        return result.matched_count == 1

    async def set_failing_since(self, name: str, since: datetime | None) -> None:
        await self.collection.update_one({"_id": name}, {"$set": {"failing_since": since}})


def _endpoint(doc: dict[str, Any]) -> Endpoint:
    return Endpoint(
        name=doc["_id"],
        url=doc["url"],
        secret=doc["secret"],
        filter=EndpointFilter.model_validate(doc.get("filter") or {}),
        enabled=bool(doc.get("enabled", True)),
        previous_secret=doc.get("previous_secret"),
        previous_until=doc.get("previous_until"),
        disabled_reason=doc.get("disabled_reason"),
        failing_since=doc.get("failing_since"),
        secret_shown=bool(doc.get("secret_shown", True)),
    )


class MongoWebhookDeliveries:
    """`WebhookDeliveries` on `webhook_deliveries`, `_id` = `<event_id>:<endpoint>`. A delivered attempt is
    an insert into `webhook_delivered` (same `_id`), batched: FerretDB inserts hundreds of documents in
    the time it updates a few dozen. A delivery still `pending` with a `webhook_delivered` twin is
    delivered; the sweep marks it so, off the hot path."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[DELIVERIES]
        self.done = db[DELIVERED]
        self._markers: Batcher[dict[str, Any]] = Batcher(self._insert_markers)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("status", ASCENDING), ("next_at", ASCENDING)])
        await self.collection.create_index([("endpoint", ASCENDING), ("created_at", DESCENDING)])

    async def add(self, records: Sequence[PendingDelivery], now: datetime, lease_seconds: float) -> set[str]:
        held = now + timedelta(seconds=lease_seconds)
        docs = [_document(r, held) for r in records]
        if not docs:
            return set()
        try:
            await self.collection.insert_many(docs, ordered=False)
        except BulkWriteError as exc:  # a redelivered event: its deliveries exist, and keep their state
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != _DUPLICATE_KEY for e in errors):
                raise
            failed = {docs[e["index"]]["_id"] for e in errors}
            return {d["_id"] for d in docs} - failed
        return {d["_id"] for d in docs}

    async def delivered(self, delivery_id: str, outcome: AttemptOutcome) -> None:
        await self._markers.add(
            {
                "_id": delivery_id,
                "at": outcome.at,
                "attempt": outcome.attempt,
                "http_status": outcome.http_status,
            }
        )

    async def _insert_markers(self, docs: list[dict[str, Any]]) -> None:
        try:
            await self.done.insert_many(docs, ordered=False)
        except BulkWriteError as exc:  # delivered twice (a lease ran out): the first record stands
            if any(e.get("code") != _DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise

    async def _settle(self, ids: list[str]) -> set[str]:
        """The ids among `ids` delivered already, marked so in `webhook_deliveries`."""
        found = {doc["_id"]: doc async for doc in self.done.find({"_id": {"$in": ids}})}
        for delivery_id, doc in found.items():
            await self.collection.update_one(
                {"_id": delivery_id},
                {
                    "$set": {
                        "status": Status.DELIVERED.value,
                        "attempt": doc["attempt"],
                        "http_status": doc["http_status"],
                        "delivered_at": doc["at"],
                        "last_error": None,
                        "updated_at": doc["at"],
                    },
                    "$inc": {"attempts": 1},
                },
            )
        return set(found)

    async def claim(self, delivery_id: str, now: datetime, lease_seconds: float) -> PendingDelivery | None:
        if await self._settle([delivery_id]):
            return None
        doc = await self.collection.find_one_and_update(
            {
                "_id": delivery_id,
                "status": Status.PENDING.value,
                "next_at": {"$lte": now},
                "lease_until": {"$lt": now},
            },
            {"$set": {"lease_until": now + timedelta(seconds=lease_seconds)}},
            return_document=ReturnDocument.AFTER,
        )
        return _pending(doc) if doc else None

    async def finish(self, delivery_id: str, outcome: AttemptOutcome) -> None:
        entry = {"at": outcome.at, "attempt": outcome.attempt, "http_status": outcome.http_status}
        entry["error"] = outcome.error
        changes: dict[str, Any] = {
            "status": outcome.status.value,
            "attempt": outcome.attempt,
            "http_status": outcome.http_status,
            "last_error": outcome.error,
            "updated_at": outcome.at,
            "lease_until": outcome.at,  # released: a retry may claim it as soon as it is due
        }
        if outcome.next_at is not None:
            changes["next_at"] = outcome.next_at
        await self.collection.update_one(
            {"_id": delivery_id},
            {
                "$set": changes,
                "$inc": {"attempts": 1},
                "$push": {"log": {"$each": [entry], "$slice": -LOG_ENTRIES}},
            },
        )

    async def due(self, now: datetime, limit: int) -> list[str]:
        query = {"status": Status.PENDING.value, "next_at": {"$lte": now}, "lease_until": {"$lt": now}}
        cursor = self.collection.find(query, {"_id": 1}).sort("next_at", ASCENDING).limit(limit)
        ids = [doc["_id"] async for doc in cursor]
        delivered = await self._settle(ids) if ids else set()
        return [i for i in ids if i not in delivered]

    async def reopen(self, endpoint: str, since: datetime, now: datetime) -> list[tuple[str, str]]:
        query = {"endpoint": endpoint, "created_at": {"$gte": since}}
        found = [(doc["_id"], doc["call_id"]) async for doc in self.collection.find(query, {"call_id": 1})]
        if found:
            ids = [i for i, _ in found]
            await self._settle(ids)  # the log keeps what happened before the replay
            await self.done.delete_many({"_id": {"$in": ids}})  # delivered again, it gets a new record
            await self.collection.update_many(
                {"_id": {"$in": ids}},
                {"$set": {"status": Status.PENDING.value, "attempt": 0, "next_at": now, "lease_until": now}},
            )
        return found

    async def log(self, endpoint: str, limit: int) -> list[dict[str, Any]]:
        cursor = (
            self.collection.find({"endpoint": endpoint}, {"body": 0})
            .sort("created_at", DESCENDING)
            .limit(limit)
        )
        rows = [doc async for doc in cursor]
        pending = [r["_id"] for r in rows if r["status"] == Status.PENDING.value]
        done = {doc["_id"]: doc async for doc in self.done.find({"_id": {"$in": pending}})} if pending else {}
        for row in rows:
            if (marker := done.get(row["_id"])) is not None:
                row.update(status=Status.DELIVERED.value, http_status=marker["http_status"], last_error=None)
                row["attempts"] = row.get("attempts", 0) + 1
        return rows


def _document(record: PendingDelivery, held_until: datetime) -> dict[str, Any]:
    doc = asdict(record)
    doc["_id"] = doc.pop("id")
    return {
        **doc,
        "status": Status.PENDING.value,
        "attempts": 0,
        "next_at": record.created_at,
        "lease_until": held_until,
        "log": [],
    }


def _pending(doc: dict[str, Any]) -> PendingDelivery:
    return PendingDelivery(
        id=doc["_id"],
        webhook_id=doc["webhook_id"],
        endpoint=doc["endpoint"],
        event_id=doc["event_id"],
        call_id=doc["call_id"],
        version=int(doc["version"]),
        change=doc["change"],
        body=doc["body"],
        attempt=int(doc.get("attempt", 0)),
        created_at=doc["created_at"],
    )
