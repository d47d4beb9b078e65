"""MongoItemStore: what ingest last emitted per call, in MongoDB (`items`: hash, version, url, source).

Plain single-document operations only (FerretDB 1.x has no transactions, sessions or change streams).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from boi_ingest.domain.model import ItemState

COLLECTION = "items"


class MongoItemStore:
    """Per call id: `{_id: call_id, content_hash, version, url, source_id, seen_at}`."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._client = client
        self._items = client[database][COLLECTION]

    async def ping(self) -> bool:
        await self._client.admin.command("ping")
        return True

    async def states(self, call_ids: Sequence[str]) -> dict[str, ItemState]:
        if not call_ids:
            return {}
        cursor = self._items.find({"_id": {"$in": list(call_ids)}}, {"content_hash": 1, "version": 1})
        return {
            doc["_id"]: ItemState(content_hash=doc["content_hash"], version=int(doc["version"]))
            async for doc in cursor
        }

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
        return True

    async def touch(self, call_ids: Sequence[str], seen_at: datetime) -> None:
        """Mark unchanged calls as seen now."""
        if call_ids:
            await self._items.update_many({"_id": {"$in": list(call_ids)}}, {"$set": {"seen_at": seen_at}})
