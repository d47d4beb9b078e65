"""MongoDB adapter: the calls of record, one document per call keyed by `call_id`.

Runs unchanged on MongoDB 7/8 and on FerretDB 1.x: no transactions, sessions or change streams, and no
projection on findAndModify (FerretDB does not implement it).
"""

from typing import Any

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import ConnectionFailure, DuplicateKeyError

from boi_catalog.domain.call import CatalogCall
from boi_catalog.ports import UpsertOutcome
from boi_shared.errors import TransientError

COLLECTION = "calls"


def to_document(call: CatalogCall) -> dict[str, Any]:
    doc = call.model_dump(mode="python")
    doc["_id"] = doc.pop("call_id")
    return doc


def from_document(doc: dict[str, Any]) -> CatalogCall:
    return CatalogCall(call_id=doc["_id"], **{k: v for k, v in doc.items() if k != "_id"})


class MongoCallRepository:
    """`CallRepository` on MongoDB. Connection problems surface as `TransientError`."""

    def __init__(self, url: str, database: str, *, timeout_ms: int = 5000) -> None:
        # Lazy: the client connects on first use, inside the running event loop.
        self._client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            url, tz_aware=True, serverSelectionTimeoutMS=timeout_ms, appname="boi-catalog"
        )
        self._calls = self._client[database][COLLECTION]

    async def get(self, call_id: str) -> CatalogCall | None:
        try:
            doc = await self._calls.find_one({"_id": call_id})
        except ConnectionFailure as exc:
            raise TransientError(f"MongoDB unavailable: {exc}") from exc
        return from_document(doc) if doc is not None else None

    async def upsert(self, call: CatalogCall) -> UpsertOutcome:
        # Idempotency key: (call_id, version). The filter only matches a stored version that is not
        # newer, so an older version can never overwrite a newer one: when a newer one is stored the
        # filter misses, the upsert tries to insert the same _id and the server rejects it.
        try:
            before = await self._calls.find_one_and_update(
                {"_id": call.call_id, "version": {"$lte": call.version}},
                {"$set": {k: v for k, v in to_document(call).items() if k != "_id"}},
                upsert=True,
                return_document=ReturnDocument.BEFORE,
            )
        except DuplicateKeyError:
            return "stale"
        except ConnectionFailure as exc:
            raise TransientError(f"MongoDB unavailable: {exc}") from exc
        if before is None:
            return "new"
        return "same" if before.get("version") == call.version else "updated"

    async def ping(self) -> bool:
        await self._client.admin.command("ping")
        return True

    async def close(self) -> None:
        await self._client.close()
